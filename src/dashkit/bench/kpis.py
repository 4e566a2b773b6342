"""The key figures three ways, to compare: the project's ``year_kpis``, one hand-written DuckDB
query over the same Parquet files (the floor), and the naive way (the tables read into pandas,
then grouped). All three must agree; the bench checks that before it times them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashkit.metrics import year_kpis
from dashkit.queries import Scope
from dashkit.store import Store, read_parquet_sql


def project(store: Store, year: int) -> dict[str, Any]:
    return year_kpis(store.snapshot(), year, Scope()).to_json_dict()


def duckdb_floor(files: dict[str, tuple[Path, ...]], year: int) -> dict[str, Any]:
    connection = duckdb.connect(":memory:")
    p, u, e, a = (
        read_parquet_sql(files[name]) for name in ("participation", "units", "events", "awards")
    )
    rows = connection.execute(
        f"""
        WITH units AS (SELECT * FROM {u}),
        active AS (SELECT unit_id, parent_id FROM units
                   WHERE coalesce(active_from, 0) <= $y AND coalesce(active_to, 9999) >= $y),
        expected AS (SELECT unit_id FROM active WHERE unit_id NOT IN
                     (SELECT parent_id FROM active WHERE parent_id IS NOT NULL)),
        part AS (SELECT year, audience, sum(eligible) AS el, sum(completed) AS co FROM {p}
                 WHERE year IN ($y, $y - 1) GROUP BY ALL)
        SELECT 'p', audience, year::VARCHAR, el::BIGINT, co::BIGINT FROM part
        UNION ALL SELECT 'u', 'expected', NULL, count(*), NULL FROM expected
        UNION ALL SELECT 'u', 'reported', NULL, count(DISTINCT unit_id), NULL FROM {p}
                  WHERE year = $y AND unit_id IN (SELECT unit_id FROM expected)
        UNION ALL SELECT 'e', event_type, NULL, count(*), NULL FROM {e} WHERE year(date) = $y GROUP BY ALL
        UNION ALL SELECT 'a', awarding_body, recipient_type, count(*), NULL FROM {a} WHERE year = $y GROUP BY ALL
        """,
        {"y": year},
    ).fetchall()
    connection.close()
    return _shape(rows, year)


def pandas_naive(files: dict[str, tuple[Path, ...]], year: int) -> dict[str, Any]:
    participation = _read(files["participation"])
    units = _read(files["units"])
    events = _read(files["events"])
    awards = _read(files["awards"])
    rows: list[tuple[Any, ...]] = []
    part = participation[participation["year"].isin([year, year - 1])]
    for (y, audience), group in part.groupby(["year", "audience"]):
        rows.append(
            ("p", audience, str(y), int(group["eligible"].sum()), int(group["completed"].sum()))
        )
    active = units[
        (units["active_from"].fillna(0) <= year) & (units["active_to"].fillna(9999) >= year)
    ]
    expected = set(active["unit_id"]) - set(active["parent_id"].dropna())
    this_year = participation[participation["year"] == year]
    rows.append(("u", "expected", None, len(expected), None))
    rows.append(
        (
            "u",
            "reported",
            None,
            this_year[this_year["unit_id"].isin(expected)]["unit_id"].nunique(),
            None,
        )
    )
    dated = events[pd.to_datetime(events["date"]).dt.year == year]
    rows += [
        ("e", kind, None, int(n), None) for kind, n in dated.groupby("event_type").size().items()
    ]
    given = awards[awards["year"] == year]
    counted = given.groupby(["awarding_body", "recipient_type"]).size().reset_index(name="n")
    rows += [
        ("a", str(body), str(kind), int(n), None)
        for body, kind, n in counted.itertuples(index=False)
    ]
    return _shape(rows, year)


def _shape(rows: list[tuple[Any, ...]], year: int) -> dict[str, Any]:
    """The same figures as ``YearKpis.to_json_dict`` (rates and deltas included)."""
    sums = {(r[1], int(r[2])): (int(r[3]), int(r[4])) for r in rows if r[0] == "p"}
    participation: dict[str, Any] = {}
    for (audience, y), (eligible, completed) in sorted(sums.items()):
        if y != year:
            continue
        rate = completed / eligible if eligible else None
        before = sums.get((audience, year - 1))
        prev = before[1] / before[0] if before and before[0] else None
        participation[audience] = {
            "eligible": eligible,
            "completed": completed,
            "rate": rate,
            "delta_pp": (rate - prev) * 100 if rate is not None and prev is not None else None,
        }
    units = {r[1]: int(r[3]) for r in rows if r[0] == "u"}
    by_body: dict[str, dict[str, int]] = {}
    for r in rows:
        if r[0] == "a":
            by_body.setdefault(str(r[1]), {"collective": 0, "individual": 0})[str(r[2])] = int(r[3])
    return {
        "year": year,
        "participation": participation,
        "units": {"expected": units.get("expected", 0), "reported": units.get("reported", 0)},
        "events": {
            "by_type": {
                str(r[1]): int(r[3]) for r in sorted(rows, key=lambda r: str(r[1])) if r[0] == "e"
            }
        },
        "awards": {
            "by_recipient_type": {
                kind: sum(counts[kind] for counts in by_body.values())
                for kind in ("collective", "individual")
            },
            "by_body": dict(sorted(by_body.items())),
        },
    }


def _read(paths: tuple[Path, ...]) -> pd.DataFrame:
    """A table's segment files into one DataFrame, as a pandas user would."""
    return pd.concat([pd.read_parquet(path) for path in paths], ignore_index=True)
