"""Serve the dashboard on fresh demo data for a script: a context manager yielding the base URL.

Used by ``scripts/screenshots.py``; the browser tests have the same logic as pytest fixtures in
``tests/browser/conftest.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DASHKIT = Path(sys.executable).parent / "dashkit"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 60.0


class ServeError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.read().decode().strip() == "ok")
    except (urllib.error.URLError, OSError):
        return False


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
def served_demo() -> Iterator[str]:
    """Write the demo data to a temporary directory, serve it, yield ``http://127.0.0.1:PORT``."""
    with tempfile.TemporaryDirectory(prefix="dashkit-serve-") as tmp:
        root = Path(tmp)
        data_dir = root / "data"
        demo = subprocess.run(
            [str(DASHKIT), "demo", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if demo.returncode != 0:
            raise ServeError(f"dashkit demo failed:\n{demo.stdout}\n{demo.stderr}")
        port = free_port()
        log_path = root / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(DASHKIT),
                    "serve",
                    "--data-dir",
                    str(data_dir),
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _healthy(f"{base_url}/_stcore/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ServeError(
                        f"dashkit serve did not become healthy; server log:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(process)
