"""The year's key figures for a scope: the bundle behind the KPI tiles and ``dashkit kpis``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashkit.metrics.rates import with_deltas
from dashkit.queries import (
    Scope,
    award_counts,
    below_target_counts,
    event_counts,
    participation_by_year,
    reporting_counts,
    targets_by_year,
)
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
    """Every key figure of ``year`` within ``scope``; a year without data gives zeros and Nones."""
    return YearKpis(
        year=year,
        participation=_participation(snapshot, year, scope),
        **_reporting(snapshot, year, scope),
        **_events(snapshot, year, scope),
        **_awards(snapshot, year, scope),
    )


def _participation(snapshot: Snapshot, year: int, scope: Scope) -> dict[str, AudienceKpi]:
    by_year = with_deltas(participation_by_year(snapshot, scope, (year - 1, year)))
    targets = targets_by_year(snapshot, scope)
    below = {
        str(row["audience"]): (int(row["units"]), int(row["below"]))
        for row in below_target_counts(snapshot, year, scope).to_dict("records")
    }
    result: dict[str, AudienceKpi] = {}
    for row in by_year[by_year["year"] == year].to_dict("records"):
        audience = str(row["audience"])
        target = targets[(targets["year"] == year) & (targets["audience"] == audience)][
            "target_rate"
        ]
        units, under = below.get(audience, (0, 0))
        result[audience] = AudienceKpi(
            audience=audience,
            eligible=int(row["eligible"]),
            completed=int(row["completed"]),
            rate=_number(row["rate"]),
            previous_rate=_number(row["previous_rate"]),
            delta_pp=_number(row["delta_pp"]),
            target_rate=_number(target.iloc[0]) if len(target) else None,
            units_below_target=under,
            units_with_figures=units,
        )
    return result


def _reporting(snapshot: Snapshot, year: int, scope: Scope) -> dict[str, Any]:
    counts = reporting_counts(snapshot, year, scope)
    return {"expected_units": counts.expected, "reported_units": counts.reported}


def _events(snapshot: Snapshot, year: int, scope: Scope) -> dict[str, Any]:
    events = event_counts(snapshot, scope)
    this_year = events[events["year"] == year]
    to_date = events[events["year"] <= year].groupby("event_type")["events"].sum()
    return {
        "events_by_type": {
            str(k): int(v)
            for k, v in zip(this_year["event_type"], this_year["events"], strict=True)
        },
        "events_to_date_by_type": {str(k): int(v) for k, v in to_date.items()},
        "first_event_year": int(events["year"].min()) if len(events) else None,
    }


def _awards(snapshot: Snapshot, year: int, scope: Scope) -> dict[str, Any]:
    awards = award_counts(snapshot, year, scope)
    by_type = {kind: 0 for kind in RECIPIENT_TYPES}
    by_body: dict[str, dict[str, int]] = {}
    for row in awards.to_dict("records"):
        kind, body, count = (
            str(row["recipient_type"]),
            str(row["awarding_body"]),
            int(row["awards"]),
        )
        by_type[kind] = by_type.get(kind, 0) + count
        body_counts = by_body.setdefault(body, {k: 0 for k in RECIPIENT_TYPES})
        body_counts[kind] = body_counts.get(kind, 0) + count
    return {"awards_by_recipient_type": by_type, "awards_by_body": by_body}
