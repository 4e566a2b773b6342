"""``dashkit history [--json]`` and ``dashkit undo IMPORT_ID``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.cli.user import current_user
from dashkit.i18n import Translator
from dashkit.store import history, rolled_back_by_undo, undo


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    listing = commands.add_parser("history", parents=[common], help=t("cli.history_help"))
    listing.add_argument("--json", action="store_true", help=t("cli.json_help"))
    listing.set_defaults(run=run_history)
    undoing = commands.add_parser("undo", parents=[common], help=t("cli.undo_help"))
    undoing.add_argument("import_id", metavar="IMPORT_ID", help=t("cli.import_id_help"))
    undoing.set_defaults(run=run_undo)


def run_history(args: argparse.Namespace, t: Translator) -> int:
    entries = history(open_store(args))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "import_id": e.commit_id,
                        "time": e.time,
                        "file": e.file,
                        "table": ", ".join(e.tables),
                        "inserted": e.inserted,
                        "replaced": e.replaced,
                        "unchanged": e.unchanged,
                        "undone": e.undone,
                        "op": e.op,
                        "user": e.user,
                        "undoes": e.undoes,
                    }
                    for e in entries
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not entries:
        print(t("cli.history_empty"))
    for e in entries:
        state = t("cli.history_undone") if e.undone else ""
        print(
            t(
                "cli.history_line",
                time=e.time,
                import_id=e.commit_id,
                op=t(f"op.{e.op}"),
                file=e.file or "",
                inserted=t.integer(e.inserted),
                replaced=t.integer(e.replaced),
                state=state,
            ).rstrip()
        )
    return 0


def run_undo(args: argparse.Namespace, t: Translator) -> int:
    store = open_store(args)
    rolled_back = rolled_back_by_undo(store, args.import_id)
    result = undo(store, args.import_id, user=current_user())
    print(t("cli.undo_done", import_id=args.import_id, version=result.version))
    for entry in rolled_back:
        if entry.commit_id != args.import_id:
            print(t("cli.undo_also", import_id=entry.commit_id, file=entry.file or ""))
    return 0
