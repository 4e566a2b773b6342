"""The demo data reproduces the seed article's figures (shared/design/domain.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashkit.demo import build_demo
from dashkit.metrics import year_kpis
from dashkit.queries import Scope
from dashkit.store import Store
from tests.support.stores import copy_store


def test_demo_is_deterministic() -> None:
    first, second = build_demo(), build_demo()
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name])


def test_seed_figures_for_2018(demo_store: Store) -> None:
    kpis = year_kpis(demo_store.snapshot(), 2018, Scope())
    members, workers = kpis.participation["party_member"], kpis.participation["worker"]
    assert round(members.rate * 100) == 97  # type: ignore[operator]
    assert round(workers.rate * 100) == 86  # type: ignore[operator]
    assert members.delta_pp is not None and members.delta_pp > 0
    assert workers.delta_pp is not None and workers.delta_pp > 0
    assert (kpis.expected_units, kpis.reported_units) == (79, 79)
    assert kpis.awards_by_recipient_type == {"collective": 14, "individual": 19}
    assert kpis.awards_by_body["Ban Thường vụ Đảng ủy"] == {"collective": 13, "individual": 16}
    assert kpis.awards_by_body["Thành ủy Cần Thơ"] == {"collective": 1, "individual": 3}
    assert kpis.events_to_date_by_type["class"] == 4
    assert kpis.events_by_type["review"] == 1


def test_thirty_year_badges_and_the_review_conference(demo_store: Store) -> None:
    snapshot = demo_store.snapshot()
    badges = snapshot.scalar(
        "SELECT count(*) FROM awards WHERE year = 2018 AND award_type = 'Huy hiệu 30 năm tuổi Đảng' "
        "AND recipient_type = 'individual'"
    )
    assert badges == 2
    review = snapshot.rows(
        "SELECT date, event_type FROM events WHERE title LIKE 'Hội nghị sơ kết%'"
    )
    assert [(str(day), kind) for day, kind in review] == [("2018-05-15", "review")]


def test_rates_rise_every_year_and_units_vary(demo_store: Store) -> None:
    snapshot = demo_store.snapshot()
    for audience in ("party_member", "worker"):
        rates = [
            row[0]
            for row in snapshot.rows(
                "SELECT sum(completed) / sum(eligible) FROM participation WHERE audience = ? "
                "GROUP BY year ORDER BY year",
                [audience],
            )
        ]
        assert rates == sorted(rates) and len(set(rates)) == 3
    for kpi in year_kpis(snapshot, 2018, Scope()).participation.values():
        assert 0 < kpi.units_below_target < kpi.units_with_figures


def test_seventy_nine_grassroots_units_under_one_committee(demo_store: Store) -> None:
    snapshot = demo_store.snapshot()
    assert snapshot.scalar("SELECT count(*) FROM units WHERE parent_id IS NULL") == 1
    assert snapshot.scalar("SELECT count(*) FROM units WHERE parent_id IS NOT NULL") == 79
    assert snapshot.scalar("SELECT count(DISTINCT unit_group) FROM units") >= 3


def test_quality_flags_an_event_dated_outside_the_campaign_years(
    demo_dir: Path, tmp_path: Path
) -> None:

    import pandas as pd

    from dashkit.queries.quality import misdated_events
    from dashkit.store import CommitInfo, TableWrite

    root = tmp_path / "data"
    copy_store(demo_dir, root)
    store = Store(root)
    assert misdated_events(store.snapshot(), Scope()).empty
    typo = pd.DataFrame(
        [
            {
                "event_id": "E-typo",
                "date": "2081-05-15",
                "unit_id": "CS001",
                "event_type": "review",
                "title": "Sơ kết (năm gõ nhầm)",
                "audience": None,
                "attendees": 10,
            }
        ]
    )
    store.commit([TableWrite("events", typo)], CommitInfo(op="import"))
    flagged = misdated_events(store.snapshot(), Scope())
    assert list(flagged["title"]) == ["Sơ kết (năm gõ nhầm)"]
