"""``dashkit maintain [--json]``: remove what the history does not need (store.maintenance)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.i18n import Translator
from dashkit.store.maintenance import maintain


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("maintain", parents=[common], help=t("cli.maintain_help"))
    parser.add_argument("--json", action="store_true", help=t("cli.json_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    report = maintain(open_store(args))
    if args.json:
        print(
            json.dumps(
                {
                    "repaired": list(report.repaired),
                    "expired_snapshots": report.expired_snapshots,
                    "removed_files": report.removed_files,
                    "removed_bytes": report.removed_bytes,
                }
            )
        )
        return 0
    print(
        t(
            "cli.maintain_done",
            snapshots=t.integer(report.expired_snapshots),
            files=t.integer(report.removed_files),
            size=t.decimal(report.removed_bytes / 1_048_576, 1),
        )
    )
    return 0
