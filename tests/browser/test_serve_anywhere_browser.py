"""``dashkit serve`` started from another directory (as a systemd unit or a container may be,
with no ``.streamlit/`` there and a home of its own) applies the hardened settings: no "Deploy"
button, the uploader takes the import's 500 MB, the toolbar is the viewer's (issue 12, item 3;
every other option is checked to be passed as a flag in tests/unit/test_config.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000


@pytest.fixture(scope="module")
def elsewhere_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    root = tmp_path_factory.mktemp("served-elsewhere")
    home = root / "home"
    home.mkdir()
    with served_demo(root, cwd=root, extra_env={"HOME": str(home)}) as app:
        yield app


def test_a_server_started_elsewhere_has_the_hardened_settings(
    elsewhere_app: ServedApp, page: Page
) -> None:
    page.goto(f"{elsewhere_app.base_url}/import")
    expect(page.get_by_test_id("stFileUploaderDropzone")).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_test_id("stFileUploaderDropzone")).to_contain_text("500MB")
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    expect(page.get_by_test_id("stMainMenu")).to_have_count(1)  # the viewer's menu only
    page.get_by_test_id("stMainMenu").click()
    expect(page.get_by_text("Rerun", exact=False)).to_have_count(0)
    expect(page.get_by_text("Clear cache", exact=False)).to_have_count(0)
