"""Reporting completeness: which units were expected to report for a year, and which did.

A unit is expected in a year when it is active that year and has no active child unit (a
parent's figures are the sum of its children's, not a report of its own).
"""

from __future__ import annotations

from dashkit.queries.scope import Scope

_ACTIVE = (
    "({alias}.active_from IS NULL OR {alias}.active_from <= $year) AND "
    "({alias}.active_to IS NULL OR {alias}.active_to >= $year)"
)


def expected_units_sql(scope: Scope) -> tuple[str, dict[str, object]]:
    """SELECT unit_id of the units expected to report in ``$year`` within ``scope``."""
    where, params = scope.unit_condition("e.unit_id")
    # An anti-join against the set of active parents: one hash join, not a probe per unit.
    sql = f"""
        SELECT e.unit_id FROM units AS e
        WHERE {_ACTIVE.format(alias="e")} AND {where}
          AND e.unit_id NOT IN (SELECT c.parent_id FROM units AS c
                                WHERE c.parent_id IS NOT NULL AND {_ACTIVE.format(alias="c")})
    """
    return sql, params
