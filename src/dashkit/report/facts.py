"""The review report's own questions, as DuckDB SQL over a ``Snapshot``.

Contract: the same as ``dashkit.queries`` (a snapshot and a ``Scope`` in, a small result out,
the work done in SQL), for what only the report asks: the year's study topic, the classes per
audience and the milestone reviews the organisation itself held. Everything the pages ask too
(the organisation's name, the awards list, the key figures) comes from ``dashkit.queries`` and
``dashkit.metrics``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashkit.queries import Scope
from dashkit.store import Snapshot

CLASS = "class"
MILESTONE_TYPES: tuple[str, ...] = ("review", "final_review")
MAX_MILESTONES = 3

_ROOTS = "parent_id IS NULL OR parent_id NOT IN (SELECT unit_id FROM units)"  # as queries.options


@dataclass(frozen=True)
class Milestone:
    """A review the organisation held in the year: its date, type, title and organiser."""

    date: dt.date
    event_type: str
    title: str
    unit_name: str


def year_topic(snapshot: Snapshot, year: int, scope: Scope) -> str | None:
    """The study topic most units reported for ``year``; None when no row names one."""
    where, params = scope.conditions()
    rows = snapshot.rows(
        f"""
        SELECT topic FROM participation
        WHERE year = $year AND topic IS NOT NULL AND trim(topic) <> '' AND {where}
        GROUP BY topic ORDER BY count(*) DESC, topic LIMIT 1
        """,
        {"year": year, **params},
    )
    return str(rows[0][0]).strip() if rows else None


def classes_by_audience(snapshot: Snapshot, year: int, scope: Scope) -> dict[str | None, int]:
    """Study classes held in ``year`` per audience (None: classes for no audience in particular)."""
    where, params = scope.unit_condition()
    rows = snapshot.rows(
        f"""
        SELECT audience, count(*) FROM events
        WHERE year(date) = $year AND event_type = $kind AND {where}
        GROUP BY audience ORDER BY audience NULLS LAST
        """,
        {"year": year, "kind": CLASS, **params},
    )
    return {(None if audience is None else str(audience)): int(count) for audience, count in rows}


def milestones(snapshot: Snapshot, year: int, scope: Scope) -> tuple[Milestone, ...]:
    """The interim and final reviews of ``year`` held by the organisation itself (a root unit),
    in date order, at most ``MAX_MILESTONES``: each unit's own reviews are counted, not told."""
    where, params = scope.unit_condition("e.unit_id")
    rows = snapshot.rows(
        f"""
        SELECT e.date, e.event_type, e.title, u.unit_name
        FROM events AS e JOIN units AS u ON u.unit_id = e.unit_id
        WHERE year(e.date) = $year AND list_contains($kinds, e.event_type)
          AND e.unit_id IN (SELECT unit_id FROM units WHERE {_ROOTS}) AND {where}
        ORDER BY e.date, e.title LIMIT {MAX_MILESTONES}
        """,
        {"year": year, "kinds": list(MILESTONE_TYPES), **params},
    )
    return tuple(
        Milestone(date=day, event_type=str(kind), title=str(title), unit_name=str(name))
        for day, kind, title, name in rows
    )
