"""Events held and awards given, counted by kind."""

from __future__ import annotations

import pandas as pd

from dashkit.queries.scope import Scope
from dashkit.store import Snapshot


def event_counts(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """Events per year and type, organised by units in scope: columns year, event_type, events,
    attendees."""
    where, params = scope.unit_condition()
    return snapshot.frame(
        f"""
        SELECT year(date)::INTEGER AS year, event_type, count(*)::BIGINT AS events,
               sum(attendees)::BIGINT AS attendees
        FROM events WHERE {where}
        GROUP BY ALL ORDER BY year, event_type
        """,
        params,
    )


def award_counts(snapshot: Snapshot, year: int, scope: Scope) -> pd.DataFrame:
    """Awards of ``year`` to units in scope: columns awarding_body, award_type, recipient_type,
    awards."""
    where, params = scope.unit_condition()
    return snapshot.frame(
        f"""
        SELECT awarding_body, award_type, recipient_type, count(*)::BIGINT AS awards
        FROM awards WHERE year = $year AND {where}
        GROUP BY ALL ORDER BY awarding_body, award_type, recipient_type
        """,
        {"year": year, **params},
    )
