"""AppTest runs the app in this process, where Streamlit's ``server.address`` is unset (every
interface). The UI tests play the ``make run`` case, a server on localhost, unless a test says
otherwise with ``server_address``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit import config


def set_server_address(address: str | None) -> None:
    config.set_option("server.address", address)


@pytest.fixture(autouse=True)
def loopback_server() -> Iterator[None]:
    before = config.get_option("server.address")
    set_server_address("localhost")
    try:
        yield
    finally:
        set_server_address(before)
