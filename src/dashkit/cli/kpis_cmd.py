"""``dashkit kpis --year Y [--json]``: the year's key figures, as text or as stable JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dashkit.cli.store_option import open_store
from dashkit.i18n import Translator
from dashkit.metrics import YearKpis, year_kpis
from dashkit.queries import Scope


def add_parser(commands: Any, common: argparse.ArgumentParser, t: Translator) -> None:
    parser = commands.add_parser("kpis", parents=[common], help=t("cli.kpis_help"))
    parser.add_argument("--year", type=int, required=True, help=t("cli.year_help"))
    parser.add_argument("--json", action="store_true", help=t("cli.json_help"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, t: Translator) -> int:
    store = open_store(args)
    kpis = year_kpis(store.snapshot(), args.year, Scope())
    if args.json:
        print(json.dumps(kpis.to_json_dict(), ensure_ascii=False))
    else:
        print(render_text(kpis, t))
    return 0


def render_text(kpis: YearKpis, t: Translator) -> str:
    lines = [t("cli.kpis_heading", year=kpis.year)]
    if not kpis.participation:
        lines.append(t("cli.kpis_no_participation", year=kpis.year))
    for kpi in kpis.participation.values():
        delta = t.points(kpi.delta_pp) if kpi.delta_pp is not None else t("cli.kpis_no_delta")
        lines.append(
            t(
                "cli.kpis_rate_line",
                audience=t.code("audience", kpi.audience),
                completed=t.integer(kpi.completed),
                eligible=t.integer(kpi.eligible),
                rate=t.percent(kpi.rate),
                delta=delta,
            )
        )
    lines.append(
        t(
            "cli.kpis_units",
            reported=t.integer(kpis.reported_units),
            expected=t.integer(kpis.expected_units),
        )
    )
    events = ", ".join(
        f"{t.code('event_type', kind)} {t.integer(count)}"
        for kind, count in kpis.events_by_type.items()
    )
    lines.append(t("cli.kpis_events", events=events or t("common.no_value")))
    lines.append(
        t(
            "cli.kpis_awards",
            collective=t.integer(kpis.awards_by_recipient_type.get("collective", 0)),
            individual=t.integer(kpis.awards_by_recipient_type.get("individual", 0)),
        )
    )
    for body, counts in kpis.awards_by_body.items():
        lines.append(
            t(
                "cli.kpis_award_body",
                body=body,
                collective=t.integer(counts.get("collective", 0)),
                individual=t.integer(counts.get("individual", 0)),
            )
        )
    return "\n".join(lines)
