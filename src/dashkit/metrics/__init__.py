"""Figures derived from the queries' small results: rates, changes, targets met, the KPI bundle.

Contract: a rate is always Σcompleted / Σeligible over whatever was filtered, never a mean of
units' percentages; a change is in percentage points against the calendar year before; a rate
with no eligible people is "no value" (None / NaN), not 0. ``year_kpis`` is the one function
behind the Overview's tiles and ``dashkit kpis``, so the two can never disagree.
"""

from __future__ import annotations

from dashkit.metrics.kpis import AudienceKpi, YearKpis, year_kpis
from dashkit.metrics.rates import below_target, rate, with_deltas, with_rates
from dashkit.metrics.tables import (
    rate_by_year,
    rate_changes,
    unit_ranking_table,
)

__all__ = [
    "AudienceKpi",
    "YearKpis",
    "below_target",
    "rate",
    "rate_by_year",
    "rate_changes",
    "unit_ranking_table",
    "with_deltas",
    "with_rates",
    "year_kpis",
]
