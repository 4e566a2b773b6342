"""``dashkit demo [--data-dir D] [--force]``: load the demo data into an empty store."""

from __future__ import annotations

import argparse
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.demo import write_demo
from dashkit.i18n import Translator


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("demo", parents=[common], help=t("cli.demo_help"))
    parser.add_argument("--force", action="store_true", help=t("cli.force_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    store = open_store(args)
    if not store.is_empty() and not args.force:
        print(t("cli.demo_exists", path=store.describe(), version=store.version()))
        return 1
    result = write_demo(store)
    if not result.changed:
        print(t("cli.demo_unchanged", path=store.describe(), version=result.version))
        return 0
    counts = result.tables
    print(
        t(
            "cli.demo_written",
            path=store.describe(),
            version=result.version,
            units=t.integer(counts["units"].rows),
            participation=t.integer(counts["participation"].rows),
            events=t.integer(counts["events"].rows),
            awards=t.integer(counts["awards"].rows),
        )
    )
    return 0
