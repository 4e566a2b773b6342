"""The key figures of one year for a scope, in one query: the numbers behind the KPI tiles.

One round trip instead of one per figure: the tiles are drawn on every rerun, and at national
scale the fixed cost of each query (planning, a result set, a DataFrame) was most of their
cost. The result is a list of tagged rows, each (part, name, detail, first, second):

- ``participation``: audience, year, Σeligible, Σcompleted (the year and the year before);
- ``target``: audience, None, the general target of the year (0..100), None;
- ``below``: audience, units with a target (their own or the general one), units with
  figures, units under their target (a unit with nobody eligible is not under);
- ``reporting``: None, None, units expected to report, expected units that reported;
- ``events``: event type, None, events in the year, events up to and including the year;
- ``first_event``: None, None, the first year with an event, None;
- ``awards``: awarding body, recipient type, awards of the year, None.
"""

from __future__ import annotations

from typing import Any

from dashkit.queries.participation import BELOW_TARGET, PER_UNIT
from dashkit.queries.reporting import expected_units_sql
from dashkit.queries.scope import Scope
from dashkit.store import Snapshot

KeyFigureRow = tuple[str, str | None, Any, Any, Any]


def key_figure_rows(snapshot: Snapshot, year: int, scope: Scope) -> list[KeyFigureRow]:
    both, both_params = scope.conditions(unit_column="p.unit_id", audience_column="p.audience")
    audience_only, audience_params = scope.audience_condition("t.audience")
    audience_of_p, _ = scope.audience_condition("p.audience")
    units_only, unit_params = scope.unit_condition("x.unit_id")
    expected_sql, expected_params = expected_units_sql(scope)
    rows = snapshot.rows(
        f"""
        WITH part AS (
            SELECT p.audience, p.year, sum(p.eligible)::BIGINT AS eligible,
                   sum(p.completed)::BIGINT AS completed
            FROM participation AS p WHERE p.year IN ($year - 1, $year) AND {both}
            GROUP BY ALL),
        per_unit AS ({PER_UNIT.format(where=both)}),
        expected AS MATERIALIZED ({expected_sql}),
        reported AS (SELECT DISTINCT p.unit_id FROM participation AS p
                     WHERE p.year = $year AND {audience_of_p}),
        events_in_scope AS (SELECT x.event_type, year(x.date) AS y FROM events AS x WHERE {units_only})
        SELECT 'participation', audience, year, eligible, completed FROM part
        UNION ALL
        SELECT 'target', t.audience, NULL, max(t.target_rate), NULL FROM targets AS t
        WHERE t.unit_id IS NULL AND t.year = $year AND {audience_only} GROUP BY t.audience
        UNION ALL
        SELECT 'below', audience, count(*) FILTER (WHERE target_rate IS NOT NULL), count(*),
               count(*) FILTER (WHERE {BELOW_TARGET})
        FROM per_unit GROUP BY audience
        UNION ALL
        SELECT 'reporting', NULL, NULL, count(*), count(r.unit_id)
        FROM expected AS e LEFT JOIN reported AS r ON r.unit_id = e.unit_id
        UNION ALL
        SELECT 'events', event_type, NULL, count(*) FILTER (WHERE y = $year),
               count(*) FILTER (WHERE y <= $year)
        FROM events_in_scope GROUP BY event_type
        UNION ALL
        SELECT 'first_event', NULL, NULL, min(y), NULL FROM events_in_scope
        UNION ALL
        SELECT 'awards', x.awarding_body, x.recipient_type, count(*), NULL FROM awards AS x
        WHERE x.year = $year AND {units_only} GROUP BY ALL
        ORDER BY 1, 2, 3  -- a stable order: the types and bodies come out the same every time
        """,
        {
            "year": year,
            **both_params,
            **audience_params,
            **unit_params,
            **expected_params,
        },
    )
    return [(str(row[0]), row[1], row[2], row[3], row[4]) for row in rows]
