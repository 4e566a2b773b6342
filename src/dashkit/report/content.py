"""What the review report says, gathered from one snapshot, before any language is chosen.

Contract: ``build_content(snapshot, year)`` reads everything the report needs through the
metrics and queries layers (the key figures from ``year_kpis`` and nowhere else, so the report
and ``dashkit kpis`` can never disagree) and returns a ``ReportContent`` of raw values and small
frames. Nothing here is translated or formatted; a year without data gives an empty content
whose ``has_data`` is False.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashkit.metrics import YearKpis, rate_by_year, unit_ranking_table, year_kpis
from dashkit.queries import Scope, event_counts
from dashkit.queries.activity import award_list
from dashkit.queries.options import root_names
from dashkit.report import facts
from dashkit.report.facts import Milestone
from dashkit.schema import AUDIENCES
from dashkit.store import Snapshot


@dataclass(frozen=True, eq=False)
class ReportContent:
    year: int
    version: int
    organisations: tuple[str, ...]  # the root units' names; empty when the data has none
    kpis: YearKpis
    topic: str | None
    classes: dict[str | None, int]  # study classes of the year per audience
    milestones: tuple[Milestone, ...]
    units: pd.DataFrame  # unit_ranking_table of the year: one row per unit and audience
    trend: pd.DataFrame  # rate_by_year up to the year
    events: pd.DataFrame  # the year's events per type: event_type, events, attendees
    awards: pd.DataFrame  # queries.activity.award_list of the year, without the dates

    @property
    def has_data(self) -> bool:
        return bool(self.kpis.participation) or not self.events.empty or not self.awards.empty

    @property
    def audiences(self) -> tuple[str, ...]:
        """The year's audiences, the known ones in their usual order first."""
        present = set(self.kpis.participation) | set(self.units["audience"].astype(str))
        known = [code for code in AUDIENCES if code in present]
        return (*known, *sorted(present - set(known)))

    @property
    def units_rated(self) -> int:
        """Units with figures for an audience that has a target."""
        with_target = self.units[self.units["target_rate"].notna()]
        return int(with_target["unit_id"].nunique())

    @property
    def units_below(self) -> int:
        """Units below target for at least one audience."""
        return int(self.units[self.units["below"]]["unit_id"].nunique())


def build_content(snapshot: Snapshot, year: int, scope: Scope | None = None) -> ReportContent:
    scope = scope or Scope()
    events = event_counts(snapshot, scope)
    trend = rate_by_year(snapshot, scope)
    return ReportContent(
        year=year,
        version=snapshot.version,
        organisations=root_names(snapshot),
        kpis=year_kpis(snapshot, year, scope),
        topic=facts.year_topic(snapshot, year, scope),
        classes=facts.classes_by_audience(snapshot, year, scope),
        milestones=facts.milestones(snapshot, year, scope),
        units=unit_ranking_table(snapshot, year, scope),
        trend=trend[trend["year"] <= year].reset_index(drop=True),
        events=events[events["year"] == year]
        .drop(columns="year")
        .reset_index(drop=True)
        .pipe(_typed_counts),
        awards=award_list(snapshot, year, scope).drop(columns="date"),
    )


def _typed_counts(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame.copy()
    for column in ("events", "attendees"):
        result[column] = result[column].fillna(0).astype("int64")
    return result
