"""The report's four tables, built from a ``ReportContent``.

Contract: ``report_tables(content)`` returns the KPI table (per audience: eligible, completed,
rate, change, target, whether it was met, units below target), the units table (each unit's
rate per audience for the year, below-target rates marked), the awards list and the year's
events by type, as ``ReportTable``s of raw values, in that order. Same content, same tables.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashkit.report.content import ReportContent
from dashkit.report.model import Column, Kind, ReportTable, Row
from dashkit.schema import EVENT_TYPES

BELOW_LEGEND = "report.legend_below"
NUMBER_WIDTH = 0.75


def report_tables(content: ReportContent) -> tuple[ReportTable, ...]:
    return (
        kpi_table(content),
        units_table(content),
        awards_table(content),
        events_table(content),
    )


def _value(value: Any) -> Any:
    """A plain Python value: NaN and pandas' missing values become None."""
    if value is None or (not isinstance(value, tuple | list) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def kpi_table(content: ReportContent) -> ReportTable:
    columns = (
        Column("report.col.audience", Kind.CODE, family="audience", width=1.6),
        Column("report.col.eligible", Kind.INTEGER),
        Column("report.col.completed", Kind.INTEGER, width=1.15),
        Column("report.col.rate", Kind.RATE, width=0.9),
        Column("report.col.change", Kind.POINTS, width=1.5),
        Column("report.col.target", Kind.TARGET, width=0.9),
        Column("report.col.status", Kind.STATUS, width=0.9),
        Column("report.col.units_below", Kind.INTEGER),
    )
    rows = []
    for audience in content.audiences:
        kpi = content.kpis.participation.get(audience)
        if kpi is None:
            continue
        met = kpi.meets_target
        rows.append(
            Row(
                values=(
                    audience,
                    kpi.eligible,
                    kpi.completed,
                    kpi.rate,
                    kpi.delta_pp,
                    kpi.target_rate,
                    met,
                    kpi.units_below_target if kpi.target_rate is not None else None,
                ),
                marked=frozenset({6}) if met is False else frozenset(),
            )
        )
    return ReportTable("kpis", columns, tuple(rows))


def units_table(content: ReportContent) -> ReportTable:
    audiences = content.audiences
    columns: list[Column] = [
        Column("report.col.number", Kind.INTEGER, width=NUMBER_WIDTH),
        Column("report.col.unit_id", Kind.TEXT, detail=True),
        Column("report.col.unit_name", Kind.TEXT, width=3.6),
        Column("report.col.unit_group", Kind.TEXT, width=2.2),
    ]
    for audience in audiences:
        columns += [
            Column("report.col.audience_eligible", Kind.INTEGER, audience=audience, detail=True),
            Column("report.col.audience_completed", Kind.INTEGER, audience=audience, detail=True),
            Column("report.col.audience_rate", Kind.RATE, audience=audience, width=1.1),
        ]
    columns.append(Column("report.col.below", Kind.CODES, family="audience", width=1.4))
    rows = []
    units = content.units.sort_values(["unit_id", "audience"])
    for number, (unit_id, unit_rows) in enumerate(units.groupby("unit_id", sort=True), start=1):
        first = unit_rows.iloc[0]
        values: list[Any] = [
            number,
            str(unit_id),
            str(first["unit_name"]),
            _value(first["unit_group"]),
        ]
        marked: set[int] = set()
        below: list[str] = []
        by_audience = {str(row["audience"]): row for _, row in unit_rows.iterrows()}
        for audience in audiences:
            row = by_audience.get(audience)
            if row is None:
                values += [None, None, None]
                continue
            values += [int(row["eligible"]), int(row["completed"]), _value(row["rate"])]
            if bool(row["below"]):
                marked.add(len(values) - 1)
                below.append(audience)
        values.append(tuple(below))
        rows.append(Row(values=tuple(values), marked=frozenset(marked)))
    return ReportTable("units", tuple(columns), tuple(rows), legend_key=BELOW_LEGEND)


def awards_table(content: ReportContent) -> ReportTable:
    columns = (
        Column("report.col.number", Kind.INTEGER, width=NUMBER_WIDTH),
        Column("report.col.awarding_body", Kind.TEXT, width=1.6),
        Column("report.col.award_type", Kind.TEXT, width=1.6),
        Column("report.col.recipient_type", Kind.CODE, family="recipient_type", width=1.2),
        Column("report.col.recipient_name", Kind.TEXT, width=2.4),
        Column("report.col.unit", Kind.TEXT, width=3.0),
    )
    rows = tuple(
        Row(
            values=(
                number,
                _value(award["awarding_body"]),
                _value(award["award_type"]),
                _value(award["recipient_type"]),
                _value(award["recipient_name"]),
                _value(award["unit_name"]),
            )
        )
        for number, (_, award) in enumerate(content.awards.iterrows(), start=1)
    )
    return ReportTable("awards", columns, rows)


def events_table(content: ReportContent) -> ReportTable:
    columns = (
        Column("report.col.event_type", Kind.CODE, family="event_type", width=2.0),
        Column("report.col.events", Kind.INTEGER),
        Column("report.col.attendees", Kind.INTEGER),
    )
    order = {code: index for index, code in enumerate(EVENT_TYPES)}
    events = content.events.assign(
        order=content.events["event_type"].map(lambda code: order.get(str(code), len(order)))
    ).sort_values(["order", "event_type"])
    rows = tuple(
        Row(values=(str(event["event_type"]), int(event["events"]), int(event["attendees"])))
        for _, event in events.iterrows()
    )
    return ReportTable("events", columns, rows)
