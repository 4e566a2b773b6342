"""``dashkit import FILE... [--table T] [--year Y] [--dry-run] [--skip-invalid] [--json]``.

Exit 0 when committed (or a clean dry run), 1 when anything was refused (nothing written).
Progress goes to stderr when it is a terminal; ``--json`` prints the stable shape on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.cli.user import current_user
from dashkit.errors import DataError
from dashkit.i18n import Translator
from dashkit.ingest import FilePlan, ImportOptions, InputFile, commit_import, plan_import
from dashkit.ingest.messages import column_label, issue_text, warning_text
from dashkit.schema import TABLES


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("import", parents=[common], help=t("cli.import_help"))
    parser.add_argument("files", nargs="+", metavar="FILE", help=t("cli.files_help"))
    parser.add_argument(
        "--table", choices=["auto", *TABLES], default="auto", help=t("cli.table_help")
    )
    parser.add_argument("--year", type=int, help=t("cli.import_year_help"))
    parser.add_argument("--dry-run", action="store_true", help=t("cli.dry_run_help"))
    parser.add_argument("--skip-invalid", action="store_true", help=t("cli.skip_invalid_help"))
    parser.add_argument("--json", action="store_true", help=t("cli.json_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    missing = [name for name in args.files if not Path(name).is_file()]
    if missing:
        print(t("cli.no_such_file", file=missing[0]), file=sys.stderr)
        return 2
    store = open_store(args)
    options = ImportOptions(table=None if args.table == "auto" else args.table, year=args.year)
    files = [InputFile(Path(name).name, Path(name)) for name in args.files]

    def progress(key: str, params: dict[str, Any]) -> None:
        if sys.stderr.isatty() and not args.json:
            print(t.error(key, params), file=sys.stderr, flush=True)

    import_id: str | None = None
    refused: str | None = None
    with plan_import(store, files, options, progress) as plan:
        ok = plan.ok or args.skip_invalid
        if ok and not args.dry_run:
            try:
                result = commit_import(
                    store, plan, skip_invalid=args.skip_invalid, user=current_user()
                )
                import_id = result.commit_id
            except DataError as error:
                refused, ok = t.error(error.key, error.params), False
        payload = {
            "ok": ok and refused is None,
            "dry_run": bool(args.dry_run),
            "import_id": import_id,
            "files": [_file_json(file_plan, t) for file_plan in plan.files],
        }
        if args.json:
            print(json.dumps(payload, ensure_ascii=False))
        else:
            print(_text(plan.files, payload, t, refused))
    return 0 if payload["ok"] else 1


def _file_json(file_plan: FilePlan, t: Translator) -> dict[str, Any]:
    return {
        "file": file_plan.file,
        "table": file_plan.table,
        "format": file_plan.kind,
        "encoding": file_plan.encoding,
        "rows_read": file_plan.rows_read,
        "inserted": file_plan.total("inserted"),
        "replaced": file_plan.total("replaced"),
        "unchanged": file_plan.total("unchanged"),
        "rejected": file_plan.total("rejected"),
        "errors": [
            {
                "row": issue.row,
                "column": column_label(t, issue),
                "value": issue.value,
                "message": issue_text(t, issue),
            }
            for issue in file_plan.issues
        ],
        "warnings": [warning_text(t, warning) for warning in file_plan.warnings],
    }


def _text(
    files: list[FilePlan], payload: dict[str, Any], t: Translator, refused: str | None
) -> str:
    lines: list[str] = []
    for file_plan, summary in zip(files, payload["files"], strict=True):
        table = t(f"table.{file_plan.table}") if file_plan.table else t("common.no_value")
        lines.append(
            t(
                "cli.import_file_line",
                file=file_plan.file,
                table=table,
                read_as=(
                    t("cli.import_encoding", encoding=file_plan.encoding)
                    if file_plan.encoding
                    else t(f"import.format_{file_plan.kind or 'unknown'}")
                ),
                rows=t.integer(file_plan.rows_read),
            )
        )
        lines.append(
            t(
                "cli.import_counts",
                inserted=t.integer(summary["inserted"]),
                replaced=t.integer(summary["replaced"]),
                unchanged=t.integer(summary["unchanged"]),
                rejected=t.integer(summary["rejected"]),
            )
        )
        lines += [f"  ! {error['message']}" for error in summary["errors"]]
        if file_plan.issue_count > len(file_plan.issues):
            lines.append(
                t(
                    "cli.more_problems",
                    count=t.integer(file_plan.issue_count - len(file_plan.issues)),
                )
            )
        lines += [f"  · {warning}" for warning in summary["warnings"]]
    if refused:
        lines.append(refused)
    elif payload["dry_run"]:
        lines.append(t("cli.dry_run_done") if payload["ok"] else t("cli.import_refused"))
    elif payload["import_id"]:
        lines.append(t("cli.import_done", import_id=payload["import_id"]))
    elif payload["ok"]:
        no_rows = all(file_plan.rows_read == 0 for file_plan in files)
        lines.append(t("cli.import_no_rows") if no_rows else t("cli.import_nothing"))
    else:
        lines.append(t("cli.import_refused"))
    return "\n".join(lines)
