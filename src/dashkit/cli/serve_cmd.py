"""``dashkit serve [--data-dir D] [--port P] [--host H]``: run the Streamlit app on a data directory.

The app file is found next to this package rather than imported: the CLI must not import the
UI layer, and Streamlit runs the file as a script in its own process.

The hardened settings (``ui/streamlit_config.toml``, which the repository's
``.streamlit/config.toml`` links to) are passed to Streamlit as command-line flags, so they hold
wherever the server is started: Streamlit itself reads ``.streamlit/config.toml`` only from the
directory it starts in, and flags beat any config file found there or in the home directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.errors import StoreError
from dashkit.i18n import Translator
from dashkit.store import resolve_data_dir
from dashkit.store.catalog import CATALOG_ENV
from dashkit.store.location import DATA_DIR_ENV

APP_FILE = Path(__file__).resolve().parent.parent / "ui" / "app.py"
HARDENED_CONFIG = APP_FILE.parent / "streamlit_config.toml"


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("serve", parents=[common], help=t("cli.serve_help"))
    parser.add_argument("--port", type=int, default=8501, help=t("cli.port_help"))
    parser.add_argument("--host", default="localhost", help=t("cli.host_help"))
    parser.set_defaults(run=run)


def config_flags(path: Path = HARDENED_CONFIG) -> list[str]:
    """Every option of the config file at ``path`` as Streamlit's ``--section.option value``
    flags (an empty list, which is the default, is left out: a flag cannot say "empty")."""
    flags: list[str] = []
    for section, options in tomllib.loads(path.read_text(encoding="utf-8")).items():
        for name, value in options.items():
            if isinstance(value, list) and not value:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, list):
                text = ",".join(str(item) for item in value)
            else:
                text = str(value)
            flags += [f"--{section}.{name}", text]
    return flags


def streamlit_command(
    port: int, host: str, app: Path = APP_FILE, arguments: Sequence[str] = ()
) -> list[str]:
    """``streamlit run app`` with the hardened settings, on ``host:port``; ``arguments`` go to
    the script."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        *config_flags(),
        "--server.port",
        str(port),
        "--server.address",
        host,
        *(["--", *arguments] if arguments else []),
    ]


def run(args: argparse.Namespace, t: Translator) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    os.environ[DATA_DIR_ENV] = str(data_dir)
    if args.catalog:
        os.environ[CATALOG_ENV] = args.catalog
    store = open_store(args)
    # a writer killed last time (kill -9, a power cut) may have left a table ahead of the log;
    # a read-only store, or a catalog not reachable yet, is served as it is (the pages say so
    # and try again)
    with contextlib.suppress(StoreError):
        if not store.is_empty() and (removed := store.recover()):
            print(t("cli.serve_recovered", count=len(removed)), flush=True)
    print(
        t("cli.serve_starting", host=args.host, port=args.port, path=store.describe()), flush=True
    )
    command = streamlit_command(args.port, args.host)
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
