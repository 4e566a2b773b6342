"""What the filters can offer: the years with data, the unit groups and types, the audiences."""

from __future__ import annotations

from dataclasses import dataclass

from dashkit.queries.scope import with_none
from dashkit.store import Snapshot


@dataclass(frozen=True)
class FilterOptions:
    years: tuple[int, ...]
    unit_groups: tuple[str, ...]
    unit_types: tuple[str, ...]
    audiences: tuple[str, ...]
    root_names: tuple[str, ...]  # units with no parent: the organisation(s) the data is about
    unit_count: int = 0  # how many units there are (a picker lists them, or searches them)


def filter_options(snapshot: Snapshot) -> FilterOptions:
    def strings(sql: str) -> tuple[str, ...]:
        return tuple(str(row[0]) for row in snapshot.rows(sql))

    years = tuple(
        int(row[0])
        for row in snapshot.rows(
            "SELECT DISTINCT year FROM participation UNION SELECT DISTINCT year(date) FROM events "
            "UNION SELECT DISTINCT year FROM awards ORDER BY 1"
        )
        if row[0] is not None
    )
    return FilterOptions(
        years=years,
        unit_groups=strings(_choices_sql("unit_group")),
        unit_types=strings(_choices_sql("unit_type")),
        audiences=strings("SELECT DISTINCT audience FROM participation ORDER BY 1"),
        root_names=root_names(snapshot),
        unit_count=int(snapshot.scalar("SELECT count(*) FROM units")),
    )


def _choices_sql(column: str) -> str:
    """The values of ``column``, then ``NO_VALUE`` when some units have none (only when
    others have one: a column nobody fills is no filter)."""
    return f"""SELECT value FROM (SELECT DISTINCT {with_none(column)} AS value,
                                         {column} IS NULL AS empty FROM units)
               WHERE NOT empty OR EXISTS (SELECT 1 FROM units WHERE {column} IS NOT NULL)
               ORDER BY empty, value"""


def root_names(snapshot: Snapshot) -> tuple[str, ...]:
    """The names of the units with no (known) parent: the organisation(s) the data is about."""
    rows = snapshot.rows(
        "SELECT u.unit_name FROM units AS u WHERE u.parent_id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM units AS p WHERE p.unit_id = u.parent_id) ORDER BY u.unit_id"
    )
    return tuple(str(row[0]) for row in rows if row[0] is not None)


def _group_type_conditions(
    unit_groups: tuple[str, ...],
    unit_types: tuple[str, ...],
    conditions: list[str],
    params: dict[str, object],
) -> None:
    if unit_groups:
        conditions.append(f"list_contains($groups, {with_none('unit_group')})")
        params["groups"] = list(unit_groups)
    if unit_types:
        conditions.append(f"list_contains($types, {with_none('unit_type')})")
        params["types"] = list(unit_types)


def unit_choices(
    snapshot: Snapshot, unit_groups: tuple[str, ...] = (), unit_types: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(unit_id, unit_name) of the units a picker offers, parents first, within groups and types."""
    conditions = ["TRUE"]
    params: dict[str, object] = {}
    _group_type_conditions(unit_groups, unit_types, conditions, params)
    rows = snapshot.rows(
        f"SELECT unit_id, unit_name FROM units WHERE {' AND '.join(conditions)} "
        "ORDER BY parent_id IS NOT NULL, unit_name",
        params,
    )
    return [(str(unit_id), str(name)) for unit_id, name in rows]


def unit_names(snapshot: Snapshot, unit_ids: tuple[str, ...]) -> dict[str, str]:
    """The names of ``unit_ids`` (those that exist), without loading every unit."""
    if not unit_ids:
        return {}
    rows = snapshot.rows(
        "SELECT unit_id, unit_name FROM units WHERE list_contains($ids, unit_id)",
        {"ids": list(unit_ids)},
    )
    return {str(unit_id): str(name) for unit_id, name in rows}


def search_units(
    snapshot: Snapshot,
    text: str,
    unit_groups: tuple[str, ...] = (),
    unit_types: tuple[str, ...] = (),
    limit: int = 50,
) -> list[tuple[str, str]]:
    """Up to ``limit`` (unit_id, unit_name) whose code or name contains ``text`` (any case)."""
    conditions = ["(unit_id ILIKE '%' || $text || '%' OR unit_name ILIKE '%' || $text || '%')"]
    params: dict[str, object] = {"text": text}
    _group_type_conditions(unit_groups, unit_types, conditions, params)
    rows = snapshot.rows(
        f"SELECT unit_id, unit_name FROM units WHERE {' AND '.join(conditions)} "
        f"ORDER BY parent_id IS NOT NULL, unit_name LIMIT {int(limit)}",
        params,
    )
    return [(str(unit_id), str(name)) for unit_id, name in rows]
