"""Rates are Σcompleted/Σeligible, changes are percentage points against the year before."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashkit.metrics import below_target, rate, with_deltas, with_rates


@pytest.mark.parametrize(
    ("completed", "eligible", "expected"),
    [
        (97, 100, 0.97),
        (0, 10, 0.0),
        (10, 10, 1.0),
        (0, 0, None),
        (1, 3, 1 / 3),
    ],
)
def test_rate(completed: int, eligible: int, expected: float | None) -> None:
    assert rate(completed, eligible) == expected


def test_rate_of_a_union_is_weighted_not_a_mean_of_percentages() -> None:
    # A unit of 10 at 100 % and one of 1000 at 50 %: the mean of rates says 75 %, people say 50.5 %.
    frame = pd.DataFrame({"eligible": [10 + 1000], "completed": [10 + 500]})
    assert with_rates(frame)["rate"].iloc[0] == pytest.approx(510 / 1010)


@pytest.mark.parametrize(
    ("rows", "expected_delta"),
    [
        ([(2017, 80, 100), (2018, 90, 100)], 10.0),
        ([(2017, 90, 100), (2018, 45, 50)], 0.0),
        ([(2016, 50, 100), (2018, 90, 100)], None),  # 2017 missing: no change to report
        ([(2018, 90, 100)], None),
        ([(2017, 0, 0), (2018, 9, 10)], None),  # no eligible people in 2017: no rate to compare
    ],
)
def test_delta_against_the_calendar_year_before(
    rows: list[tuple[int, int, int]], expected_delta: float | None
) -> None:
    frame = pd.DataFrame(
        [{"year": y, "audience": "worker", "completed": c, "eligible": e} for y, c, e in rows]
    )
    latest = with_deltas(frame).set_index("year").loc[2018]
    if expected_delta is None:
        assert math.isnan(latest["delta_pp"])
    else:
        assert latest["delta_pp"] == pytest.approx(expected_delta)


def test_deltas_are_per_audience() -> None:
    frame = pd.DataFrame(
        {
            "year": [2017, 2018, 2017, 2018],
            "audience": ["party_member", "party_member", "worker", "worker"],
            "completed": [90, 97, 70, 86],
            "eligible": [100, 100, 100, 100],
        }
    )
    deltas = with_deltas(frame).set_index(["year", "audience"])["delta_pp"]
    assert deltas.loc[(2018, "party_member")] == pytest.approx(7.0)
    assert deltas.loc[(2018, "worker")] == pytest.approx(16.0)


@pytest.mark.parametrize(
    ("completed", "eligible", "target", "expected"),
    [(94, 100, 95.0, True), (95, 100, 95.0, False), (96, 100, 95.0, False), (50, 100, None, False)],
)
def test_below_target(completed: int, eligible: int, target: float | None, expected: bool) -> None:
    frame = pd.DataFrame(
        {"completed": [completed], "eligible": [eligible], "target_rate": [target]}
    )
    assert bool(below_target(frame).iloc[0]) is expected


parts = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=10_000)
    ).map(lambda pair: (pair[0], min(pair[1], pair[0]))),
    min_size=1,
    max_size=30,
)


@given(left=parts, right=parts)
def test_rate_of_a_union_lies_between_the_parts_and_equals_sum_over_sum(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> None:
    def totals(rows: list[tuple[int, int]]) -> tuple[int, int]:
        return sum(c for _, c in rows), sum(e for e, _ in rows)

    (c1, e1), (c2, e2) = totals(left), totals(right)
    frame = pd.DataFrame({"completed": [c1, c2, c1 + c2], "eligible": [e1, e2, e1 + e2]})
    r1, r2, union = with_rates(frame)["rate"]
    assert min(r1, r2) - 1e-12 <= union <= max(r1, r2) + 1e-12
    assert union == pytest.approx((c1 + c2) / (e1 + e2))
