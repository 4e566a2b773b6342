"""Data-quality flags an office wants before a figure goes into a report.

Each function returns the rows behind one flag (empty: nothing to worry about):
- a unit whose rate moves more than ``points`` percentage points from one year to the next;
- a unit whose eligible count rises or falls by more than half from one year to the next;
- a unit at 100 % every year it reported (three years or more);
- a unit expected to report in a year that reported nothing;
- an event dated in a year the campaign has no figures for, or in the future;
- an award dated outside its year.
"""

from __future__ import annotations

import pandas as pd

from dashkit.queries.scope import Scope
from dashkit.queries.units import missing_reports
from dashkit.store import Snapshot

_YEARLY = """
    SELECT p.unit_id, coalesce(any_value(u.unit_name), p.unit_id) AS unit_name, p.year, p.audience,
           sum(p.eligible) AS eligible, sum(p.completed) AS completed,
           sum(p.completed) / nullif(sum(p.eligible), 0) AS rate
    FROM participation AS p LEFT JOIN units AS u ON u.unit_id = p.unit_id
    WHERE {where} GROUP BY p.unit_id, p.year, p.audience
"""


def rate_jumps(snapshot: Snapshot, scope: Scope, points: float) -> pd.DataFrame:
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    return snapshot.frame(
        f"""
        WITH yearly AS ({_YEARLY.format(where=where)})
        SELECT a.unit_id, a.unit_name, a.audience, b.year - 1 AS from_year, b.year AS to_year,
               round(a.rate * 100, 1) AS from_rate, round(b.rate * 100, 1) AS to_rate,
               round((b.rate - a.rate) * 100, 1) AS change_pp
        FROM yearly AS a JOIN yearly AS b
          ON b.unit_id = a.unit_id AND b.audience = a.audience AND b.year = a.year + 1
        WHERE abs(b.rate - a.rate) * 100 > $points
        ORDER BY abs(b.rate - a.rate) DESC, a.unit_name
        """,
        {"points": points, **params},
    )


def eligible_swings(snapshot: Snapshot, scope: Scope, share: float = 0.5) -> pd.DataFrame:
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    return snapshot.frame(
        f"""
        WITH yearly AS ({_YEARLY.format(where=where)})
        SELECT a.unit_id, a.unit_name, a.audience, b.year - 1 AS from_year, b.year AS to_year,
               a.eligible::BIGINT AS from_eligible, b.eligible::BIGINT AS to_eligible
        FROM yearly AS a JOIN yearly AS b
          ON b.unit_id = a.unit_id AND b.audience = a.audience AND b.year = a.year + 1
        WHERE a.eligible > 0 AND abs(b.eligible - a.eligible) / a.eligible > $share
        ORDER BY abs(b.eligible - a.eligible) / a.eligible DESC, a.unit_name
        """,
        {"share": share, **params},
    )


def always_complete(snapshot: Snapshot, scope: Scope, min_years: int = 3) -> pd.DataFrame:
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    return snapshot.frame(
        f"""
        WITH yearly AS ({_YEARLY.format(where=where)})
        SELECT unit_id, any_value(unit_name) AS unit_name, audience, count(*)::BIGINT AS years,
               min(year) AS first_year, max(year) AS last_year
        FROM yearly GROUP BY unit_id, audience
        HAVING count(*) >= $min_years AND bool_and(completed = eligible AND eligible > 0)
        ORDER BY unit_name, audience
        """,
        {"min_years": min_years, **params},
    )


def silent_units(snapshot: Snapshot, years: tuple[int, ...], scope: Scope) -> pd.DataFrame:
    """``missing_reports`` of every year in ``years``, with the year in front."""
    frames = [
        missing_reports(snapshot, year, scope).assign(year=year)[
            ["year", "unit_id", "unit_name", "unit_group"]
        ]
        for year in years
    ]
    non_empty = [frame for frame in frames if not frame.empty]
    if not non_empty:
        return pd.DataFrame(columns=["year", "unit_id", "unit_name", "unit_group"])
    return pd.concat(non_empty, ignore_index=True)


def misdated_awards(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    where, params = scope.unit_condition("a.unit_id")
    return snapshot.frame(
        f"""
        SELECT a.year, a.date, a.recipient_name, a.award_type, a.awarding_body, a.unit_id
        FROM awards AS a WHERE a.date IS NOT NULL AND year(a.date) <> a.year AND {where}
        ORDER BY a.year, a.date
        """,
        params,
    )


def misdated_events(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """Events dated in a year the campaign has no figures for, or in the future: a typo in the
    year (2081 for 2018) or an event filed under the wrong campaign."""
    where, params = scope.unit_condition("e.unit_id")
    return snapshot.frame(
        f"""
        SELECT e.date, e.event_type, e.title, coalesce(u.unit_name, e.unit_id) AS unit_name
        FROM events AS e LEFT JOIN units AS u ON u.unit_id = e.unit_id
        WHERE (year(e.date) NOT IN (SELECT DISTINCT year FROM participation) OR e.date > current_date)
          AND {where}
        ORDER BY e.date, e.title
        """,
        params,
    )
