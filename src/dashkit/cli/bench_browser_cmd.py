"""The browser part of ``dashkit bench --browser``: serve the stores and the floor, time them.

Contract: ``browser_part(stores, folder, repetitions)`` serves each store of ``stores`` (name →
store) with ``dashkit serve``'s command and hardened settings, and the floor app
(``ui/bench_floor.py``, as many years as the first store has) with the same settings, each on
a free loopback port; writes a 1,000-row participation file per store; runs
``dashkit.bench.browser.measure`` over them; stops every server, and returns its figures (per
server name, per measurement, median / min / max in ms). The servers are started before any
timing and stay up for the whole run, so each is measured warm and in turns with the others.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from dashkit.bench import browser, imports
from dashkit.cli.serve_cmd import APP_FILE, streamlit_command
from dashkit.store import Store
from dashkit.store.location import DATA_DIR_ENV

FLOOR_APP = APP_FILE.parent / "bench_floor.py"
IMPORT_ROWS = 1_000
STARTUP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` (its /_stcore/health) answers ok."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.read().decode().strip() == "ok")
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def _serving(command: list[str], env: Mapping[str, str], log: Path, port: int) -> Iterator[str]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **env},
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not healthy(f"{base_url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bench's server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.25)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _years(store: Store) -> int:
    return int(store.snapshot().scalar("SELECT count(DISTINCT year) FROM participation"))


def browser_part(
    stores: Mapping[str, Store], folder: Path, repetitions: int
) -> dict[str, dict[str, dict[str, float]]]:
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Store, Path]] = {}
    for name, store in stores.items():
        path = folder / f"participation-{name}-1k.csv"
        imports.write_csv(store, path, IMPORT_ROWS)
        files[name] = (store, path)
    with ExitStack() as servers:
        urls: dict[str, str] = {}
        for name, store in stores.items():
            port = free_port()
            urls[name] = servers.enter_context(
                _serving(
                    streamlit_command(port, "127.0.0.1"),
                    {DATA_DIR_ENV: str(store.root)},
                    folder / f"server-{name}.log",
                    port,
                )
            )
        port = free_port()
        years = _years(next(iter(stores.values())))
        floor = streamlit_command(port, "127.0.0.1", FLOOR_APP, [str(years)])
        urls[browser.FLOOR] = servers.enter_context(
            _serving(floor, {}, folder / "server-floor.log", port)
        )
        return browser.measure(urls, repetitions, files)
