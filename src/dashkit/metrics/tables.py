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


def rate_changes(unit_years: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each unit's change in percentage points from the year before to ``year``, per audience:
    unit_id, unit_name, audience, previous_rate, rate, delta_pp (units with both years only)."""
    if unit_years.empty:
        return pd.DataFrame(
            columns=["unit_id", "unit_name", "audience", "previous_rate", "rate", "delta_pp"]
        )
    rated = with_rates(unit_years)
    now = rated[rated["year"] == year][["unit_id", "unit_name", "audience", "rate"]]
    before = rated[rated["year"] == year - 1][["unit_id", "audience", "rate"]].rename(
        columns={"rate": "previous_rate"}
    )
    changes = now.merge(before, on=["unit_id", "audience"], how="inner")
    changes["delta_pp"] = (changes["rate"] - changes["previous_rate"]) * 100
    return changes.dropna(subset=["delta_pp"])[
        ["unit_id", "unit_name", "audience", "previous_rate", "rate", "delta_pp"]
    ]
