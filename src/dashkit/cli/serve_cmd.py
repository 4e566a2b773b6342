"""``dashkit serve [--data-dir D] [--port P] [--host H]``: run the Streamlit app on a data directory.

The app file is found next to this package rather than imported: the CLI must not import the
UI layer, and Streamlit runs the file as a script in its own process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from dashkit.errors import StoreError
from dashkit.i18n import Translator
from dashkit.store import Store, resolve_data_dir
from dashkit.store.layout import DATA_DIR_ENV

APP_FILE = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("serve", parents=[common], help=t("cli.serve_help"))
    parser.add_argument("--port", type=int, default=8501, help=t("cli.port_help"))
    parser.add_argument("--host", default="localhost", help=t("cli.host_help"))
    parser.set_defaults(run=run)


def streamlit_command(port: int, host: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def run(args: argparse.Namespace, t: Translator) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    os.environ[DATA_DIR_ENV] = str(data_dir)
    if (data_dir / "versions").is_dir():
        # a writer killed last time (kill -9, a power cut) may have left a half-built version
        with contextlib.suppress(StoreError):  # a read-only data directory is served as it is
            removed = Store(data_dir).recover()
            if removed:
                print(t("cli.serve_recovered", count=len(removed)), flush=True)
    print(t("cli.serve_starting", host=args.host, port=args.port, path=data_dir), flush=True)
    command = streamlit_command(args.port, args.host)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
