"""Participation sums by year and by unit, and the targets that apply to them."""

from __future__ import annotations

import pandas as pd

from dashkit.queries.scope import Scope
from dashkit.store import Snapshot


def participation_by_year(
    snapshot: Snapshot, scope: Scope, years: tuple[int, ...] = ()
) -> pd.DataFrame:
    """Σeligible and Σcompleted per year and audience (only ``years`` when given, which lets
    DuckDB skip the other years' row groups): columns year, audience, eligible, completed."""
    where, params = scope.conditions()
    if years:
        where, params = f"list_contains($years, year) AND {where}", {"years": list(years), **params}
    return snapshot.frame(
        f"""
        SELECT year, audience, sum(eligible)::BIGINT AS eligible, sum(completed)::BIGINT AS completed
        FROM participation WHERE {where}
        GROUP BY year, audience ORDER BY year, audience
        """,
        params,
    )


def targets_by_year(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """The targets that apply to everyone (no unit): columns year, audience, target_rate (0..100)."""
    where, params = scope.audience_condition()
    return snapshot.frame(
        f"""
        SELECT year, audience, max(target_rate) AS target_rate
        FROM targets WHERE unit_id IS NULL AND {where}
        GROUP BY year, audience ORDER BY year, audience
        """,
        params,
    )


def unit_results(snapshot: Snapshot, year: int | None, scope: Scope) -> pd.DataFrame:
    """Each unit's figures for ``year`` (every year when None) with the target that applies to
    it (its own, else the general one): columns unit_id, unit_name, unit_group, year, audience,
    eligible, completed, target_rate."""
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    if year is not None:
        where, params = f"p.year = $year AND {where}", {"year": year, **params}
    return snapshot.frame(
        f"""
        SELECT p.unit_id, coalesce(u.unit_name, p.unit_id) AS unit_name, u.unit_group, p.year, p.audience,
               sum(p.eligible)::BIGINT AS eligible, sum(p.completed)::BIGINT AS completed,
               coalesce(any_value(own.target_rate), any_value(general.target_rate)) AS target_rate
        FROM participation AS p
        LEFT JOIN units AS u ON u.unit_id = p.unit_id
        LEFT JOIN targets AS own
               ON own.year = p.year AND own.audience = p.audience AND own.unit_id = p.unit_id
        LEFT JOIN targets AS general
               ON general.year = p.year AND general.audience = p.audience AND general.unit_id IS NULL
        WHERE {where}
        GROUP BY ALL ORDER BY p.audience, p.unit_id, p.year
        """,
        params,
    )


# One row per unit and audience for the year, with its target. No GROUP BY: the key of
# participation is (year, unit_id, audience) and the store refuses duplicate keys, so within one
# year each row already is a unit's figure.
PER_UNIT = """
    WITH sums AS (
        SELECT p.unit_id, p.audience, p.eligible, p.completed
        FROM participation AS p WHERE p.year = $year AND {where})
    SELECT s.*, coalesce(own.target_rate, general.target_rate) AS target_rate
    FROM sums AS s
    LEFT JOIN targets AS own ON own.year = $year AND own.audience = s.audience AND own.unit_id = s.unit_id
    LEFT JOIN targets AS general
           ON general.year = $year AND general.audience = s.audience AND general.unit_id IS NULL
"""
BELOW_TARGET = "eligible > 0 AND completed / eligible < target_rate / 100"


def lowest_units(
    snapshot: Snapshot, year: int, scope: Scope, audience: str, below_only: bool, limit: int
) -> pd.DataFrame:
    """The ``limit`` units with the lowest rate for ``audience`` in ``year`` (only those under
    their target when ``below_only``), lowest first: columns unit_id, unit_name, eligible,
    completed, target_rate, rate, below. Ranked in SQL: at national scale only ``limit`` rows
    leave DuckDB."""
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    return snapshot.frame(
        f"""
        WITH per_unit AS ({PER_UNIT.format(where=where)}),
        ranked AS (
            SELECT *, completed / eligible AS rate, ({BELOW_TARGET}) AS below FROM per_unit
            WHERE audience = $audience AND eligible > 0 {"AND " + BELOW_TARGET if below_only else ""}
            ORDER BY rate, unit_id LIMIT {int(limit)})
        SELECT r.unit_id, coalesce(u.unit_name, r.unit_id) AS unit_name, r.eligible::BIGINT AS eligible,
               r.completed::BIGINT AS completed, r.target_rate, r.rate, coalesce(r.below, false) AS below
        FROM ranked AS r LEFT JOIN units AS u ON u.unit_id = r.unit_id
        ORDER BY r.rate, r.unit_id
        """,
        {"year": year, "audience": audience, **params},
    )
