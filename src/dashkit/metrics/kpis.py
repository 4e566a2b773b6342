"""The year's key figures for a scope: the bundle behind the KPI tiles and ``dashkit kpis``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashkit.metrics.rates import rate
from dashkit.queries import KeyFigureRow, Scope, key_figure_rows
from dashkit.schema import RECIPIENT_TYPES
from dashkit.store import Snapshot


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class AudienceKpi:
    audience: str
    eligible: int
    completed: int
    rate: float | None
    previous_rate: float | None
    delta_pp: float | None
    target_rate: float | None  # 0..100
    units_below_target: int
    units_with_figures: int
    units_with_target: int = 0  # units whose target (their own, else the general one) is known

    @property
    def meets_target(self) -> bool | None:
        if self.rate is None or self.target_rate is None:
            return None
        return self.rate >= self.target_rate / 100


@dataclass(frozen=True)
class YearKpis:
    year: int
    participation: dict[str, AudienceKpi]
    expected_units: int
    reported_units: int
    events_by_type: dict[str, int]
    events_to_date_by_type: dict[str, int]  # from the first year with data up to ``year``
    first_event_year: int | None
    awards_by_recipient_type: dict[str, int]
    awards_by_body: dict[str, dict[str, int]]

    @property
    def awards_total(self) -> int:
        return sum(self.awards_by_recipient_type.values())

    def to_json_dict(self) -> dict[str, Any]:
        """The stable shape that ``dashkit kpis --json`` prints."""
        return {
            "year": self.year,
            "participation": {
                audience: {
                    "eligible": kpi.eligible,
                    "completed": kpi.completed,
                    "rate": kpi.rate,
                    "delta_pp": kpi.delta_pp,
                }
                for audience, kpi in self.participation.items()
            },
            "units": {"expected": self.expected_units, "reported": self.reported_units},
            "events": {"by_type": dict(self.events_by_type)},
            "awards": {
                "by_recipient_type": dict(self.awards_by_recipient_type),
                "by_body": {body: dict(counts) for body, counts in self.awards_by_body.items()},
            },
        }


def year_kpis(snapshot: Snapshot, year: int, scope: Scope) -> YearKpis:
    """Every key figure of ``year`` within ``scope``; a year without data gives zeros and Nones.
    One query (``key_figure_rows``); the rates and changes are derived here."""
    parts: dict[str, list[KeyFigureRow]] = {}
    for row in key_figure_rows(snapshot, year, scope):
        parts.setdefault(row[0], []).append(row)
    reporting = parts.get("reporting", [("reporting", None, None, 0, 0)])[0]
    first_event = parts.get("first_event", [("first_event", None, None, None, None)])[0][3]
    return YearKpis(
        year=year,
        participation=_participation(parts, year),
        expected_units=int(reporting[3] or 0),
        reported_units=int(reporting[4] or 0),
        events_by_type={str(r[1]): int(r[3]) for r in parts.get("events", []) if r[3]},
        events_to_date_by_type={str(r[1]): int(r[4]) for r in parts.get("events", []) if r[4]},
        first_event_year=None if first_event is None else int(first_event),
        **_awards(parts.get("awards", [])),
    )


def _participation(parts: dict[str, list[KeyFigureRow]], year: int) -> dict[str, AudienceKpi]:
    sums = {(str(r[1]), int(r[2])): (int(r[3]), int(r[4])) for r in parts.get("participation", [])}
    targets = {str(r[1]): _number(r[3]) for r in parts.get("target", [])}
    below = {str(r[1]): (int(r[3]), int(r[4]), int(r[2])) for r in parts.get("below", [])}
    result: dict[str, AudienceKpi] = {}
    for audience in sorted(a for a, y in sums if y == year):
        eligible, completed = sums[(audience, year)]
        current = rate(completed, eligible)
        before = sums.get((audience, year - 1))
        previous = rate(before[1], before[0]) if before else None
        units, under, with_target = below.get(audience, (0, 0, 0))
        result[audience] = AudienceKpi(
            audience=audience,
            eligible=eligible,
            completed=completed,
            rate=current,
            previous_rate=previous,
            delta_pp=None if current is None or previous is None else (current - previous) * 100,
            target_rate=targets.get(audience),
            units_below_target=under,
            units_with_figures=units,
            units_with_target=with_target,
        )
    return result


def _awards(rows: list[KeyFigureRow]) -> dict[str, Any]:
    by_type = {kind: 0 for kind in RECIPIENT_TYPES}
    by_body: dict[str, dict[str, int]] = {}
    for _, body, kind, count, _ in rows:
        by_type[str(kind)] = by_type.get(str(kind), 0) + int(count)
        body_counts = by_body.setdefault(str(body), {k: 0 for k in RECIPIENT_TYPES})
        body_counts[str(kind)] = body_counts.get(str(kind), 0) + int(count)
    return {"awards_by_recipient_type": by_type, "awards_by_body": by_body}
