"""Serve the dashboard for a browser: demo data in a directory, ``dashkit serve`` on a free
port, headless Debian Chromium. Shared by the browser tests' fixtures and
``scripts/screenshots.py``; Playwright's own downloaded browsers are never used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashkit.bench.browser import CHROMIUM as BROWSER_PATH
from dashkit.cli.bench_browser_cmd import free_port, healthy

CHROMIUM = Path(BROWSER_PATH)
STARTUP_TIMEOUT = 60.0
DASHKIT = Path(sys.executable).parent / "dashkit"


class ServeError(RuntimeError):
    """The demo data could not be written or the server did not come up (the message has the log)."""


@dataclass(frozen=True)
class ServedApp:
    base_url: str
    data_dir: Path


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def served_demo(
    root: Path,
    *,
    extra_env: dict[str, str] | None = None,
    cwd: Path | None = None,
    url_host: str = "127.0.0.1",
    demo: bool = True,
) -> Iterator[ServedApp]:
    """Write the demo data under ``root`` (``demo=False``: leave the data directory empty, as
    a new office's is), serve it, yield where; stop the server on exit.

    The server listens on 127.0.0.1. ``cwd`` is the directory it runs in (Streamlit reads
    ``.streamlit/`` there: config and secrets); ``url_host`` is the host name the browser is
    to use (``localhost`` where login's redirect URI and cookies name it).
    """
    data_dir = root / "data"
    if demo:
        written = subprocess.run(
            [str(DASHKIT), "demo", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(extra_env or {})},
        )
        if written.returncode != 0:
            raise ServeError(f"dashkit demo failed:\n{written.stdout}\n{written.stderr}")
    port = free_port()
    log_path = root / "server.log"
    command = [
        str(DASHKIT),
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(extra_env or {})},
            cwd=cwd,
        )
    base_url = f"http://{url_host}:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not healthy(f"{base_url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited with code {process.returncode}"
                    if process.poll() is not None
                    else f"not healthy after {STARTUP_TIMEOUT:.0f} s"
                )
                raise ServeError(
                    f"dashkit serve {state}; server log ({log_path}):\n{log_path.read_text(errors='replace')}"
                )
            time.sleep(0.25)
        yield ServedApp(base_url=base_url, data_dir=data_dir)
    finally:
        _stop(process)
