"""Argument parsing and dispatch for ``dashkit``; each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dashkit.cli import (
    bench_cmd,
    demo_cmd,
    history_cmd,
    import_cmd,
    kpis_cmd,
    maintain_cmd,
    migrate_cmd,
    report_cmd,
    serve_cmd,
    template_cmd,
)
from dashkit.errors import DashkitError
from dashkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator

LANG_ENV = "DASHKIT_LANG"


def _language(argv: Sequence[str]) -> Translator:
    """The language before argparse runs, so that the help text itself is translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return translator(argv[index + 1])
        if arg.startswith("--lang="):
            return translator(arg.split("=", 1)[1])
    return translator(os.environ.get(LANG_ENV, DEFAULT_LANGUAGE))


def build_parser(t: Translator) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own default must not erase a value given before the subcommand.
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help=t("cli.data_dir_help"))
    common.add_argument("--catalog", default=argparse.SUPPRESS, help=t("cli.catalog_help"))
    common.add_argument(
        "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help")
    )
    parser = argparse.ArgumentParser(
        prog="dashkit", description=t("cli.description"), parents=[common]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (
        demo_cmd,
        kpis_cmd,
        report_cmd,
        import_cmd,
        history_cmd,
        template_cmd,
        bench_cmd,
        serve_cmd,
        maintain_cmd,
        migrate_cmd,
    ):
        module.add_parser(commands, common, t)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    t = _language(args_list)
    args = build_parser(t).parse_args(args_list)
    for name in ("data_dir", "catalog", "lang"):  # suppressed defaults: absent when given nowhere
        if not hasattr(args, name):
            setattr(args, name, None)
    try:
        return int(args.run(args, t))
    except DashkitError as error:
        print(t.error(error.key, error.params), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
