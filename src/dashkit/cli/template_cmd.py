"""``dashkit template TABLE [--format csv|xlsx] [-o FILE]``: a blank template with Vietnamese
headers (or the ``--lang`` language)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashkit.i18n import Translator
from dashkit.ingest.templates import (
    TEMPLATES,
    TemplateLabels,
    template_csv,
    template_rows,
    template_xlsx,
)
from dashkit.schema import AUDIENCES, TABLES


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("template", parents=[common], help=t("cli.template_help"))
    parser.add_argument(
        "table", choices=TEMPLATES, metavar="TABLE", help=t("cli.template_table_help")
    )
    parser.add_argument(
        "--format", choices=("csv", "xlsx"), default="csv", help=t("cli.format_help")
    )
    parser.add_argument("-o", "--output", help=t("cli.output_help"))
    parser.set_defaults(run=run)


def labels(t: Translator) -> TemplateLabels:
    columns = {
        column.name: t(f"column.{column.name}")
        for table in TABLES.values()
        for column in table.columns
    }
    return TemplateLabels(
        columns=columns,
        audiences={code: t.code("audience", code) for code in AUDIENCES},
        report_title=t("template.report_title"),
    )


def run(args: argparse.Namespace, t: Translator) -> int:
    rows = template_rows(args.table, labels(t))
    data = template_xlsx(rows, args.table) if args.format == "xlsx" else template_csv(rows)
    output = args.output or f"{args.table}.{args.format}"
    if output == "-":
        sys.stdout.buffer.write(data)
        return 0
    Path(output).write_bytes(data)
    print(t("cli.template_written", path=output))
    return 0
