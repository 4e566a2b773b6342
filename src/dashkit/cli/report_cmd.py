"""``dashkit report --year Y [--format docx|xlsx|md] [-o FILE] [--no-charts]``: the year's
review report, written as a file (exit 0 when written, also for a year without data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.i18n import Translator
from dashkit.report.export import FORMATS, write_report


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("report", parents=[common], help=t("cli.report_help"))
    parser.add_argument("--year", type=int, required=True, help=t("cli.year_help"))
    parser.add_argument(
        "--format", choices=FORMATS, default="docx", help=t("cli.report_format_help")
    )
    parser.add_argument("-o", "--output", help=t("cli.report_output_help"))
    parser.add_argument("--no-charts", action="store_true", help=t("cli.report_no_charts_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    store = open_store(args)
    output = Path(args.output or f"report-{args.year}.{args.format}")
    result = write_report(
        store.snapshot(), args.year, args.format, output, t, charts=not args.no_charts
    )
    if result.image_error is not None:
        print(t("cli.report_no_images", reason=result.image_error), file=sys.stderr)
    if not result.has_data:
        print(t("cli.report_no_data", year=args.year), file=sys.stderr)
    print(t("cli.report_written", year=args.year, path=output))
    for extra in result.files[1:]:
        print(t("cli.report_file", path=extra))
    return 0
