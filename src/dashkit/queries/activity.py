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


def events_by_month(snapshot: Snapshot, year: int, scope: Scope) -> pd.DataFrame:
    """Events per calendar month of ``year`` and type: columns month (a date, the 1st),
    event_type, events."""
    where, params = scope.unit_condition()
    return snapshot.frame(
        f"""
        SELECT date_trunc('month', date)::DATE AS month, event_type, count(*)::BIGINT AS events
        FROM events WHERE year(date) = $year AND {where} GROUP BY ALL ORDER BY month, event_type
        """,
        {"year": year, **params},
    )


def events_by_unit(snapshot: Snapshot, year: int, scope: Scope, limit: int = 50) -> pd.DataFrame:
    """The units that held the most events in ``year``: unit_id, unit_name, events, attendees."""
    where, params = scope.unit_condition("e.unit_id")
    return snapshot.frame(
        f"""
        SELECT e.unit_id, coalesce(any_value(u.unit_name), e.unit_id) AS unit_name,
               count(*)::BIGINT AS events, sum(e.attendees)::BIGINT AS attendees
        FROM events AS e LEFT JOIN units AS u ON u.unit_id = e.unit_id
        WHERE year(e.date) = $year AND {where}
        GROUP BY e.unit_id ORDER BY events DESC, unit_name LIMIT {int(limit)}
        """,
        {"year": year, **params},
    )


def event_list(
    snapshot: Snapshot, year: int, scope: Scope, search: str = "", limit: int | None = None
) -> pd.DataFrame:
    """The year's events, newest first, whose title or unit contains ``search`` (any case)."""
    where, params = scope.unit_condition("e.unit_id")
    bounded = f"LIMIT {int(limit)}" if limit else ""
    return snapshot.frame(
        f"""
        SELECT e.date, e.event_type, e.title, coalesce(u.unit_name, e.unit_id) AS unit_name,
               e.audience, e.attendees
        FROM events AS e LEFT JOIN units AS u ON u.unit_id = e.unit_id
        WHERE year(e.date) = $year AND {where}
          AND ($search = '' OR e.title ILIKE '%' || $search || '%' OR u.unit_name ILIKE '%' || $search || '%')
        ORDER BY e.date DESC, e.title {bounded}
        """,
        {"year": year, "search": search, **params},
    )


def awards_by_unit(snapshot: Snapshot, year: int, scope: Scope, limit: int = 50) -> pd.DataFrame:
    """Awards per recipient unit in ``year``, and per 100 party members of that unit."""
    where, params = scope.unit_condition("a.unit_id")
    return snapshot.frame(
        f"""
        WITH members AS (
            SELECT unit_id, sum(eligible) AS members FROM participation
            WHERE year = $year AND audience = 'party_member' GROUP BY unit_id)
        SELECT a.unit_id, coalesce(any_value(u.unit_name), a.unit_id) AS unit_name,
               count(*)::BIGINT AS awards, any_value(m.members)::BIGINT AS members,
               round(100.0 * count(*) / nullif(any_value(m.members), 0), 1) AS per_100_members
        FROM awards AS a LEFT JOIN units AS u ON u.unit_id = a.unit_id
        LEFT JOIN members AS m ON m.unit_id = a.unit_id
        WHERE a.year = $year AND {where}
        GROUP BY a.unit_id ORDER BY awards DESC, unit_name LIMIT {int(limit)}
        """,
        {"year": year, **params},
    )


def award_list(snapshot: Snapshot, year: int, scope: Scope, search: str = "") -> pd.DataFrame:
    """The year's awards whose recipient, unit, type or body contains ``search``."""
    where, params = scope.unit_condition("a.unit_id")
    return snapshot.frame(
        f"""
        SELECT a.awarding_body, a.award_type, a.recipient_type, a.recipient_name,
               coalesce(u.unit_name, a.unit_id) AS unit_name, a.date
        FROM awards AS a LEFT JOIN units AS u ON u.unit_id = a.unit_id
        WHERE a.year = $year AND {where}
          AND ($search = '' OR a.recipient_name ILIKE '%' || $search || '%'
               OR u.unit_name ILIKE '%' || $search || '%' OR a.award_type ILIKE '%' || $search || '%'
               OR a.awarding_body ILIKE '%' || $search || '%')
        ORDER BY a.awarding_body, a.award_type, a.recipient_type, a.recipient_name
        """,
        {"year": year, "search": search, **params},
    )


def award_counts_by_year(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """Awards per year, body and recipient type: year, awarding_body, recipient_type, awards."""
    where, params = scope.unit_condition()
    return snapshot.frame(
        f"""
        SELECT year, awarding_body, recipient_type, count(*)::BIGINT AS awards
        FROM awards WHERE {where} GROUP BY ALL ORDER BY year, awarding_body, recipient_type
        """,
        params,
    )
