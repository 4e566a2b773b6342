"""The small tables behind the charts: rates by year with targets, units ranked for a year."""

from __future__ import annotations

import pandas as pd

from dashkit.metrics.rates import below_target, with_deltas, with_rates
from dashkit.queries import Scope, participation_by_year, targets_by_year, unit_results
from dashkit.store import Snapshot


def rate_by_year(snapshot: Snapshot, scope: Scope) -> pd.DataFrame:
    """Columns year, audience, eligible, completed, rate, previous_rate, delta_pp, target_rate."""
    by_year = with_deltas(participation_by_year(snapshot, scope))
    targets = targets_by_year(snapshot, scope)
    return by_year.merge(targets, on=["year", "audience"], how="left")


def unit_ranking_table(snapshot: Snapshot, year: int, scope: Scope) -> pd.DataFrame:
    """Each unit's figures for ``year`` with ``rate`` and ``below`` (under its target)."""
    units = with_rates(unit_results(snapshot, year, scope))
    units["below"] = below_target(units)
    return units
