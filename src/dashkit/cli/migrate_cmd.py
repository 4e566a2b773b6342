"""``dashkit migrate --from DATA_DIR [--catalog NAME] [--force]``: an old data directory moved
into a catalog with its history (store.migration)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.i18n import Translator
from dashkit.store.migration import migrate


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("migrate", parents=[common], help=t("cli.migrate_help"))
    parser.add_argument(
        "--from", dest="source", required=True, metavar="DATA_DIR", help=t("cli.migrate_from_help")
    )
    parser.add_argument("--force", action="store_true", help=t("cli.migrate_force_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    target = open_store(args)
    source = Path(args.source).expanduser().resolve()
    moved = migrate(source, target, force=args.force)
    print(t("cli.migrate_done", count=t.integer(moved), path=source, target=target.describe()))
    return 0
