"""Unit-level questions: rates by unit and year, the hierarchy rolled up, who has not reported."""

from __future__ import annotations

import pandas as pd

from dashkit.queries.reporting import expected_units_sql
from dashkit.queries.scope import Scope
from dashkit.store import Snapshot


def parents(snapshot: Snapshot) -> pd.DataFrame:
    """Units that have children: columns unit_id, unit_name, children."""
    return snapshot.frame(
        """
        SELECT u.unit_id, u.unit_name, count(c.unit_id)::BIGINT AS children
        FROM units AS u JOIN units AS c ON c.parent_id = u.unit_id
        GROUP BY ALL ORDER BY u.unit_name
        """
    )


def children_rollup(snapshot: Snapshot, parent_id: str, year: int, scope: Scope) -> pd.DataFrame:
    """Each child of ``parent_id`` with Σeligible and Σcompleted of every unit below it (itself
    included) for ``year``: columns unit_id, unit_name, audience, eligible, completed, units."""
    audience_sql, params = scope.audience_condition("p.audience")
    return snapshot.frame(
        f"""
        WITH RECURSIVE below(top, unit_id) AS (
            SELECT unit_id, unit_id FROM units WHERE parent_id = $parent
            UNION ALL
            SELECT b.top, u.unit_id FROM units AS u JOIN below AS b ON u.parent_id = b.unit_id
        )
        SELECT c.unit_id, c.unit_name, p.audience,
               sum(p.eligible)::BIGINT AS eligible, sum(p.completed)::BIGINT AS completed,
               count(DISTINCT p.unit_id)::BIGINT AS units
        FROM units AS c JOIN below AS b ON b.top = c.unit_id
        JOIN participation AS p ON p.unit_id = b.unit_id AND p.year = $year AND {audience_sql}
        GROUP BY ALL ORDER BY c.unit_name, p.audience
        """,
        {"parent": parent_id, "year": year, **params},
    )


def missing_reports(snapshot: Snapshot, year: int, scope: Scope) -> pd.DataFrame:
    """Units expected to report for ``year`` that have no figures: unit_id, unit_name, unit_group."""
    expected_sql, params = expected_units_sql(scope)
    return snapshot.frame(
        f"""
        WITH expected AS ({expected_sql})
        SELECT u.unit_id, u.unit_name, u.unit_group
        FROM units AS u JOIN expected AS e ON e.unit_id = u.unit_id
        WHERE NOT EXISTS (SELECT 1 FROM participation AS p WHERE p.unit_id = u.unit_id AND p.year = $year)
        ORDER BY u.unit_group NULLS LAST, u.unit_name
        """,
        {"year": year, **params},
    )


def completeness_by_year(snapshot: Snapshot, years: tuple[int, ...], scope: Scope) -> pd.DataFrame:
    """For each year: units expected and units that reported (columns year, expected, reported)."""
    rows = []
    for year in years:
        expected_sql, params = expected_units_sql(scope)
        expected, reported = snapshot.rows(
            f"""
            WITH expected AS ({expected_sql})
            SELECT (SELECT count(*) FROM expected),
                   (SELECT count(DISTINCT unit_id) FROM participation
                    WHERE year = $year AND unit_id IN (SELECT unit_id FROM expected))
            """,
            {"year": year, **params},
        )[0]
        rows.append({"year": year, "expected": int(expected), "reported": int(reported)})
    return pd.DataFrame(rows, columns=["year", "expected", "reported"])


def unit_history(snapshot: Snapshot, unit_ids: tuple[str, ...], audience: str) -> pd.DataFrame:
    """Every year's figures of the given units for ``audience``: columns unit_id, unit_name,
    year, audience, eligible, completed (for the heatmap of a handful of units)."""
    return snapshot.frame(
        """
        SELECT p.unit_id, coalesce(u.unit_name, p.unit_id) AS unit_name, p.year, p.audience,
               p.eligible, p.completed
        FROM participation AS p LEFT JOIN units AS u ON u.unit_id = p.unit_id
        WHERE p.audience = $audience AND list_contains($units, p.unit_id)
        ORDER BY p.unit_id, p.year
        """,
        {"audience": audience, "units": list(unit_ids)},
    )


def compliance_by_year(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """Per year and audience: the share of people who studied (Σ/Σ) and the share of units, among
    those with a target, that met it. Columns year, audience, rate, units, units_met, share_met."""
    where, params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    return snapshot.frame(
        f"""
        WITH rows AS (
            SELECT p.year, p.audience, p.eligible, p.completed,
                   coalesce(own.target_rate, general.target_rate) AS target_rate
            FROM participation AS p
            LEFT JOIN targets AS own
                   ON own.year = p.year AND own.audience = p.audience AND own.unit_id = p.unit_id
            LEFT JOIN targets AS general
                   ON general.year = p.year AND general.audience = p.audience AND general.unit_id IS NULL
            WHERE {where})
        SELECT year, audience, sum(completed) / nullif(sum(eligible), 0) AS rate,
               count(*) FILTER (WHERE target_rate IS NOT NULL)::BIGINT AS units,
               count(*) FILTER (WHERE target_rate IS NOT NULL AND NOT (eligible > 0
                                AND completed / eligible < target_rate / 100))::BIGINT AS units_met,
               units_met / nullif(units, 0) AS share_met
        FROM rows GROUP BY year, audience ORDER BY year, audience
        """,
        params,
    )
