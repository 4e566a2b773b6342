"""Pure rate arithmetic on small frames (no SQL, no I/O)."""

from __future__ import annotations

import pandas as pd


def rate(completed: float, eligible: float) -> float | None:
    """Σcompleted / Σeligible as a fraction 0..1; None when nobody was eligible."""
    if eligible <= 0:
        return None
    return float(completed) / float(eligible)


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with a ``rate`` column from its ``completed`` and ``eligible`` sums."""
    result = frame.copy()
    eligible = result["eligible"].astype("float64")
    result["rate"] = (result["completed"].astype("float64") / eligible).where(eligible > 0)
    return result


def with_deltas(frame: pd.DataFrame, by: str = "audience") -> pd.DataFrame:
    """Add ``previous_rate`` and ``delta_pp``: the change in percentage points against the same
    ``by`` group in the calendar year before (NaN when that year has no figure)."""
    result = with_rates(frame) if "rate" not in frame else frame.copy()
    previous = result[["year", by, "rate"]].copy()
    previous["year"] = previous["year"] + 1
    previous = previous.rename(columns={"rate": "previous_rate"})
    result = result.merge(previous, on=["year", by], how="left")
    result["delta_pp"] = (result["rate"] - result["previous_rate"]) * 100
    return result


def below_target(frame: pd.DataFrame) -> pd.Series:
    """True where a row's rate is under its ``target_rate`` (0..100); False without a target."""
    rates = frame["rate"] if "rate" in frame else with_rates(frame)["rate"]
    targets = frame["target_rate"].astype("float64") / 100
    return (rates < targets).fillna(False).astype(bool)
