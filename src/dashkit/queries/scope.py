"""``Scope``: which units and audiences a question is about, and its SQL.

Picking a unit means that unit and every unit below it (the hierarchy is walked in SQL with a
recursive CTE); groups and types narrow the set further. An empty scope adds no join at all,
so the unfiltered dashboard pays nothing for filtering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The choice of the units without a group (or without a type): picking every group then
# picks every unit, as "all" does (the committee's own rows belong to no group).
NO_VALUE = "__none__"


def with_none(column: str) -> str:
    """SQL: ``column``, or ``NO_VALUE`` where it is empty."""
    return f"coalesce({column}, '{NO_VALUE}')"


@dataclass(frozen=True)
class Scope:
    unit_groups: tuple[str, ...] = ()
    unit_types: tuple[str, ...] = ()
    unit_ids: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()

    @property
    def limits_units(self) -> bool:
        return bool(self.unit_groups or self.unit_types or self.unit_ids)

    def unit_condition(self, column: str = "unit_id") -> tuple[str, dict[str, Any]]:
        """A SQL condition on ``column`` (a unit id) and its named parameters."""
        if not self.limits_units:
            return "TRUE", {}
        conditions = ["TRUE"]
        params: dict[str, Any] = {}
        if self.unit_groups:
            conditions.append(f"list_contains($scope_groups, {with_none('s.unit_group')})")
            params["scope_groups"] = list(self.unit_groups)
        if self.unit_types:
            conditions.append(f"list_contains($scope_types, {with_none('s.unit_type')})")
            params["scope_types"] = list(self.unit_types)
        if self.unit_ids:
            conditions.append(
                "s.unit_id IN (WITH RECURSIVE tree(unit_id) AS ("
                " SELECT unit_id FROM units WHERE list_contains($scope_units, unit_id)"
                " UNION SELECT u.unit_id FROM units AS u JOIN tree AS t ON u.parent_id = t.unit_id)"
                " SELECT unit_id FROM tree)"
            )
            params["scope_units"] = list(self.unit_ids)
        where = " AND ".join(conditions)
        return f"{column} IN (SELECT s.unit_id FROM units AS s WHERE {where})", params

    def audience_condition(self, column: str = "audience") -> tuple[str, dict[str, Any]]:
        if not self.audiences:
            return "TRUE", {}
        return f"list_contains($scope_audiences, {column})", {
            "scope_audiences": list(self.audiences)
        }

    def conditions(
        self, unit_column: str = "unit_id", audience_column: str | None = "audience"
    ) -> tuple[str, dict[str, Any]]:
        """Both conditions joined with AND, for tables that have both columns."""
        unit_sql, params = self.unit_condition(unit_column)
        if audience_column is None:
            return unit_sql, params
        audience_sql, audience_params = self.audience_condition(audience_column)
        return f"{unit_sql} AND {audience_sql}", {**params, **audience_params}
