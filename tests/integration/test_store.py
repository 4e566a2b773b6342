"""The store of record on a real disk: versions, snapshots, merges, rules, undo, locks.

Everything runs against a real embedded Iceberg catalog (SQLite, a warehouse folder), real
DuckDB and real Parquet files on ``tmp_path``; the cross-process
tests start real Python processes. Nothing of the project is mocked.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pyiceberg.catalog.sql import SqlCatalog

import dashkit
from dashkit.errors import DataError, StoreError
from dashkit.schema import TABLES
from dashkit.store import CommitInfo, CommitResult, Store, TableCounts, TableWrite
from tests.support.stores import outside_catalog, store_state, table_heads

PART_COLUMNS = ("year", "unit_id", "audience", "eligible", "completed")
PART_SELECT = "SELECT year, unit_id, audience, eligible, completed FROM participation"
Row = tuple[Any, ...]

BASE_ROWS: tuple[Row, ...] = (
    (2020, "U1", "worker", 10, 5),
    (2020, "U2", "worker", 20, 20),
    (2020, "U1", "party_member", 4, 3),
)

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")

# The package as the test process imports it, so that helper processes run the same code.
SOURCE_ROOT = str(Path(dashkit.__file__).resolve().parents[1])


# -- helpers ---------------------------------------------------------------------------------


def units(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": list(ids), "unit_name": [f"Unit {i}" for i in ids]})


def participation(*rows: Row) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(PART_COLUMNS))


def info(source: str = "test.xlsx", op: str = "import") -> CommitInfo:
    return CommitInfo(op=op, source=source)


def part_rows(store_or_snapshot: Any) -> list[Row]:
    snapshot = (
        store_or_snapshot.snapshot() if isinstance(store_or_snapshot, Store) else store_or_snapshot
    )
    return sorted(snapshot.rows(PART_SELECT))


def unit_ids(snapshot: Any) -> list[str]:
    return [row[0] for row in snapshot.rows("SELECT unit_id FROM units ORDER BY unit_id")]


def seed(store: Store) -> CommitResult:
    """Version 1: two units and the three base participation rows."""
    return store.commit(
        [
            TableWrite("units", units("U1", "U2")),
            TableWrite("participation", participation(*BASE_ROWS)),
        ],
        info("seed.xlsx"),
    )


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
    return env


def wait_for_file(
    path: Path, processes: Iterable[subprocess.Popen[str]], timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for process in processes:
            if process.poll() is not None:
                _, err = process.communicate()
                pytest.fail(f"helper process exited early ({process.returncode}): {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {path.name}")
        time.sleep(0.005)


def stop(processes: Iterable[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


# -- a fresh directory ------------------------------------------------------------------------


def test_fresh_directory_is_version_zero_with_empty_typed_views(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = Store(root)

    assert store.version() == 0
    assert store.is_empty()
    assert store.history() == []
    snapshot = store.snapshot()
    assert snapshot.version == 0
    for name, table in TABLES.items():
        described = [(row[0], row[1]) for row in snapshot.rows(f"DESCRIBE {name}")]
        assert described == [(c.name, c.kind.sql_type) for c in table.stored_columns], name
        assert snapshot.scalar(f"SELECT count(*) FROM {name}") == 0
    frame = snapshot.frame("SELECT * FROM participation")
    assert frame.empty
    assert list(frame.columns) == list(TABLES["participation"].column_names)
    assert not root.exists(), "reading an empty store must not create anything"


# -- commits and snapshots --------------------------------------------------------------------


def test_commit_bumps_version_and_old_snapshots_keep_reading_their_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    empty = store.snapshot()

    first = seed(store)
    assert (first.version, first.changed) == (1, True)
    assert first.commit_id is not None
    assert store.version() == 1 and not store.is_empty()
    pins = store.manifest(1).snapshots
    assert set(pins) == set(TABLES)
    # the written tables are Iceberg snapshots (read by pyiceberg itself); the others have none
    assert table_heads(store) == pins
    assert pins["units"] is not None and pins["participation"] is not None
    assert pins["events"] is None

    queried = store.snapshot()
    assert part_rows(queried) == sorted(BASE_ROWS)
    untouched = store.snapshot()  # first queried only after the next commit

    second = store.commit(
        [
            TableWrite(
                "participation",
                participation((2020, "U1", "worker", 10, 9), (2021, "U2", "worker", 30, 1)),
            )
        ],
        info("second.xlsx"),
    )
    assert second.version == 2
    assert store.version() == 2
    assert table_heads(store) == store.manifest(2).snapshots

    assert queried.version == 1 and untouched.version == 1
    assert part_rows(queried) == sorted(BASE_ROWS)
    assert part_rows(untouched) == sorted(BASE_ROWS)
    assert part_rows(store.snapshot(1)) == sorted(BASE_ROWS)
    assert part_rows(empty) == []

    latest = store.snapshot()
    assert latest.version == 2
    assert part_rows(latest) == sorted(
        [
            (2020, "U1", "worker", 10, 9),
            (2020, "U2", "worker", 20, 20),
            (2020, "U1", "party_member", 4, 3),
            (2021, "U2", "worker", 30, 1),
        ]
    )
    # The committed views keep the contract's columns and types.
    for name, table in TABLES.items():
        described = [(row[0], row[1]) for row in latest.rows(f"DESCRIBE {name}")]
        assert described == [(c.name, c.kind.sql_type) for c in table.stored_columns], name


def test_readers_racing_a_writer_only_ever_see_whole_versions(tmp_path: Path) -> None:
    """Version k holds exactly k units and k participation rows, written in one commit each."""
    root = tmp_path / "data"
    writer = Store(root)
    commits = 6
    seen: list[tuple[int, int, int]] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                snapshot = Store(root).snapshot()
                n_units, n_rows = snapshot.rows(
                    "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM participation)"
                )[0]
                seen.append((snapshot.version, n_units, n_rows))
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for k in range(1, commits + 1):
            unit = f"U{k}"
            writer.commit(
                [
                    TableWrite("units", units(unit)),
                    TableWrite("participation", participation((2020, unit, "worker", 10, k))),
                ],
                info(f"{k}.xlsx"),
            )
            deadline = time.monotonic() + 10
            while not any(v >= k for v, _, _ in seen[-5:]) and not failures:
                assert time.monotonic() < deadline, "the reader never saw the new version"
                time.sleep(0.001)
    finally:
        done.set()
        reader.join(timeout=10)

    assert not failures, failures
    assert seen
    for version, n_units, n_rows in seen:
        assert n_units == n_rows == version, (version, n_units, n_rows)
    versions = [v for v, _, _ in seen]
    assert versions == sorted(versions), "a reader saw the version go backwards"
    assert set(range(1, commits + 1)) <= set(versions)


def test_one_snapshot_can_be_shared_by_threads(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    snapshot = store.snapshot()
    results: list[Any] = []
    failures: list[BaseException] = []

    def query() -> None:
        try:
            for _ in range(20):
                results.append(snapshot.scalar("SELECT sum(completed) FROM participation"))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=query) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not failures, failures
    assert results == [28] * 80


# -- merge counts -----------------------------------------------------------------------------


def test_upsert_counts_inserted_replaced_and_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)

    result = store.commit(
        [
            TableWrite(
                "participation",
                participation(
                    (2020, "U1", "worker", 10, 5),  # identical: unchanged
                    (2020, "U2", "worker", 20, 15),  # same key, new completed: replaced
                    (2021, "U1", "worker", 12, 6),  # new key: inserted
                ),
            )
        ],
        info("update.xlsx"),
    )

    assert result.version == 2
    assert result.tables["participation"] == TableCounts(
        inserted=1, replaced=1, unchanged=1, deleted=0, rows=4
    )
    assert result.tables["units"] == TableCounts(rows=2)
    assert result.tables["events"] == TableCounts()
    assert set(result.tables) == set(TABLES)
    assert store.manifest(2).tables == result.tables
    assert part_rows(store) == sorted(
        [
            (2020, "U1", "worker", 10, 5),
            (2020, "U2", "worker", 20, 15),
            (2020, "U1", "party_member", 4, 3),  # not in the upsert: kept
            (2021, "U1", "worker", 12, 6),
        ]
    )
    assert unit_ids(store.snapshot()) == ["U1", "U2"]


def test_importing_the_same_rows_twice_is_a_no_op(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    first = seed(store)
    before = store_state(store)

    again = seed(store)
    subset = store.commit(
        [TableWrite("participation", participation(BASE_ROWS[1]))], info("subset.xlsx")
    )

    assert again.commit_id is None and not again.changed
    assert again.version == 1
    assert again.tables["participation"] == TableCounts(unchanged=3, rows=3)
    assert again.tables["units"] == TableCounts(unchanged=2, rows=2)
    assert (subset.commit_id, subset.version) == (None, 1)
    assert subset.tables["participation"] == TableCounts(unchanged=1, rows=3)
    assert store_state(store) == before, "a commit that changes nothing must write nothing"
    assert [m.commit_id for m in store.history()] == [first.commit_id]


def test_replace_counts_deleted_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    new_rows = [
        (2020, "U1", "worker", 10, 5),  # unchanged
        (2020, "U2", "worker", 20, 15),  # replaced
        (2022, "U2", "party_member", 3, 1),  # inserted
    ]  # (2020, "U1", "party_member") is gone: deleted

    result = store.commit(
        [TableWrite("participation", participation(*new_rows), mode="replace")],
        info("full.xlsx"),
    )
    assert result.tables["participation"] == TableCounts(
        inserted=1, replaced=1, unchanged=1, deleted=1, rows=3
    )
    assert part_rows(store) == sorted(new_rows)

    emptied = store.commit(
        [TableWrite("participation", participation(), mode="replace")], info("empty.xlsx")
    )
    assert emptied.version == 3
    assert emptied.tables["participation"] == TableCounts(deleted=3, rows=0)
    assert part_rows(store) == []
    assert unit_ids(store.snapshot()) == ["U1", "U2"]


# -- rules ------------------------------------------------------------------------------------

NO_UNIT_COLUMN = pd.DataFrame(
    {"year": [2020], "audience": ["worker"], "eligible": [5], "completed": [1]}
)
TEXT_IN_A_NUMBER = pd.DataFrame(
    {
        "year": [2020],
        "unit_id": ["U3"],
        "audience": ["worker"],
        "eligible": ["many"],
        "completed": [1],
    }
)


@pytest.mark.parametrize(
    ("rows", "key", "rule"),
    [
        pytest.param(
            participation((2020, "U3", "worker", 5, 6)),
            "store.rule_broken",
            "completed_le_eligible",
            id="completed-above-eligible",
        ),
        pytest.param(
            participation((2020, "U3", "worker", -1, -1)),
            "store.rule_broken",
            "eligible_min",
            id="negative-eligible",
        ),
        pytest.param(
            participation((1800, "U3", "worker", 5, 1)),
            "store.rule_broken",
            "year_min",
            id="year-1800",
        ),
        pytest.param(
            participation((2020, "U3", "worker", 5, 1), (2020, "U3", "worker", 6, 2)),
            "store.duplicate_key",
            None,
            id="duplicate-key",
        ),
        pytest.param(
            participation((2020, None, "worker", 5, 1)),
            "store.rule_broken",
            "required_unit_id",
            id="null-unit-id",
        ),
        pytest.param(
            NO_UNIT_COLUMN, "store.rule_broken", "required_unit_id", id="no-unit-id-column"
        ),
        pytest.param(TEXT_IN_A_NUMBER, "store.bad_type", None, id="text-in-a-number"),
    ],
)
def test_a_commit_that_breaks_a_rule_raises_and_changes_nothing(
    tmp_path: Path, rows: pd.DataFrame, key: str, rule: str | None
) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    before = store_state(store)

    with pytest.raises(DataError) as caught:
        store.commit(
            # A valid change to another table in the same commit must not land either.
            [TableWrite("units", units("U3")), TableWrite("participation", rows)],
            info("bad.xlsx"),
        )

    error = caught.value
    assert error.key == key
    assert error.params["table"] == "participation"
    if rule is not None:
        assert error.params["rule"] == rule
        assert error.params["sample"], "the error should show the offending rows"
    if key == "store.duplicate_key":
        assert error.params["sample"] == [(2020, "U3", "worker")]
    assert store_state(store) == before
    assert part_rows(store) == sorted(BASE_ROWS)
    assert unit_ids(store.snapshot()) == ["U1", "U2"]
    assert len(store.history()) == 1


def test_an_unknown_table_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    before = store_state(store)
    with pytest.raises(DataError) as caught:
        store.commit([TableWrite("people", units("U3"))], info())
    assert caught.value.key == "store.unknown_table"
    assert store_state(store) == before


# -- carried-over tables ----------------------------------------------------------------------


def test_untouched_tables_keep_their_snapshot_and_files(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    v1 = store.snapshot(1)

    store.commit([TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))], info())

    v2 = store.snapshot(2)
    first, second = store.manifest(1).snapshots, store.manifest(2).snapshots
    for name in ("units", "events", "awards", "targets"):
        assert sorted(v2.rows(f"SELECT * FROM {name}")) == sorted(v1.rows(f"SELECT * FROM {name}"))
        assert second[name] == first[name], name
        assert v2.files[name] == v1.files[name], name
    assert second["participation"] != first["participation"]
    assert unit_ids(v2) == ["U1", "U2"]
    assert len(part_rows(v2)) == 4


def test_a_resubmitted_identical_table_is_not_committed_again(tmp_path: Path) -> None:
    """An import that brings the same units sheet again plus new participation figures: the
    store counts ``units`` as unchanged and leaves that table's snapshot as it was."""
    store = Store(tmp_path / "data")
    seed(store)

    result = store.commit(
        [
            TableWrite("units", units("U1", "U2")),
            TableWrite("participation", participation((2021, "U1", "worker", 8, 8))),
        ],
        info("workbook.xlsx"),
    )

    assert result.version == 2
    assert result.tables["units"] == TableCounts(unchanged=2, rows=2)
    assert not result.tables["units"].changed
    assert unit_ids(store.snapshot()) == ["U1", "U2"]
    assert store.manifest(2).snapshots["units"] == store.manifest(1).snapshots["units"], (
        "units did not change, yet version 2 holds a new snapshot of it"
    )


def test_an_upsert_rewrites_only_the_years_it_touches(tmp_path: Path) -> None:
    """Tables are partitioned by year, one data file per year and write. A new year's rows
    are a new file beside the old ones; replacing a row rewrites only its year's file; keys
    never repeat across files; a year that would hold more than MAX_FILES_PER_PARTITION files
    is written as one file again."""
    from dashkit.store.merge import MAX_FILES_PER_PARTITION

    store = Store(tmp_path / "data")
    seed(store)
    first = store.snapshot().files["participation"]
    assert len(first) == 1  # the three base rows are all of 2020

    store.commit([TableWrite("participation", participation((2030, "U1", "worker", 5, 4)))], info())
    second = store.snapshot().files["participation"]
    assert len(second) == 2 and first[0] in second
    assert len(part_rows(store)) == len(BASE_ROWS) + 1

    replaced = (2030, "U1", "worker", 6, 6)
    result = store.commit([TableWrite("participation", participation(replaced))], info())
    assert result.tables["participation"].replaced == 1
    third = store.snapshot().files["participation"]
    assert len(third) == 2 and first[0] in third  # 2020 untouched, 2030 rewritten
    assert set(third) != set(second)
    rows = part_rows(store)
    assert replaced in rows and (2030, "U1", "worker", 5, 4) not in rows
    keys = store.snapshot().rows(
        "SELECT year, unit_id, audience, count(*) FROM participation GROUP BY ALL HAVING count(*) > 1"
    )
    assert keys == []

    for number in range(MAX_FILES_PER_PARTITION + 2):  # new units of 2020: no key in common
        store.commit(
            [TableWrite("participation", participation((2020, f"N{number}", "worker", 3, 3)))],
            info(),
        )
        files = store.snapshot().files["participation"]
        in_2020 = store.snapshot().rows(
            "SELECT count(DISTINCT filename) FROM read_parquet(?, filename = true) WHERE year = 2020",
            [[str(path) for path in files]],
        )[0][0]
        assert in_2020 <= MAX_FILES_PER_PARTITION
    assert len(part_rows(store)) == len(BASE_ROWS) + 1 + MAX_FILES_PER_PARTITION + 2


# -- history and undo -------------------------------------------------------------------------


def test_history_chains_newest_first_and_restore_undoes(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    c1 = seed(store)
    c2 = store.commit(
        [TableWrite("participation", participation((2021, "U2", "worker", 7, 7)))], info("b.xlsx")
    )
    c3 = store.commit(
        [TableWrite("participation", participation(BASE_ROWS[0]), mode="replace")],
        info("c.xlsx"),
    )
    ids = [c.commit_id for c in (c1, c2, c3)]
    assert None not in ids and len(set(ids)) == 3

    history = store.history()
    assert [m.version for m in history] == [3, 2, 1]
    assert [m.parent for m in history] == [2, 1, 0]
    assert [m.commit_id for m in history] == ids[::-1]
    assert [m.info.source for m in history] == ["c.xlsx", "b.xlsx", "seed.xlsx"]
    assert all(m.info.op == "import" for m in history)
    assert [m.contains for m in history] == [tuple(ids), tuple(ids[:2]), tuple(ids[:1])]
    assert history[0].tables == c3.tables
    assert part_rows(store) == [BASE_ROWS[0]]

    undo = store.restore(1, CommitInfo(op="undo", undoes=c3.commit_id))
    assert undo.version == 4 and undo.changed
    assert undo.tables["participation"] == TableCounts(inserted=2, unchanged=1, rows=3)
    assert undo.tables["units"] == TableCounts(unchanged=2, rows=2)
    assert part_rows(store) == sorted(BASE_ROWS)
    assert unit_ids(store.snapshot()) == ["U1", "U2"]
    restored = store.manifest(4)
    assert restored.info.op == "undo"
    assert restored.info.undoes == c3.commit_id
    assert restored.parent == 3
    assert restored.commit_id == undo.commit_id
    assert restored.contains == store.manifest(1).contains == (c1.commit_id,)
    assert [m.version for m in store.history()] == [4, 3, 2, 1]
    assert set(store.snapshot(4).files["participation"]) == set(
        store.snapshot(1).files["participation"]
    ), "an undo reuses the earlier version's data files"

    before = store_state(store)
    again = store.restore(4, CommitInfo(op="undo"))
    assert (again.commit_id, again.version) == (None, 4)
    assert store_state(store) == before

    redo = store.restore(2, CommitInfo(op="undo", undoes=undo.commit_id))
    assert redo.version == 5
    assert store.manifest(5).contains == (c1.commit_id, c2.commit_id)
    assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U2", "worker", 7, 7)])

    before = store_state(store)
    for missing in (6, 99, -1):
        with pytest.raises(StoreError) as caught:
            store.restore(missing, CommitInfo(op="undo"))
        assert caught.value.key == "store.no_version"
    assert store_state(store) == before

    to_nothing = store.restore(0, CommitInfo(op="undo"))
    assert to_nothing.version == 6
    assert to_nothing.tables["participation"] == TableCounts(deleted=4, rows=0)
    assert store.manifest(6).contains == ()
    for name in TABLES:
        assert store.snapshot().scalar(f"SELECT count(*) FROM {name}") == 0


# -- leftovers of a writer that died ----------------------------------------------------------


def commit_behind_the_log(store: Store, row: Row) -> None:
    """What a writer killed between its table commit and its log row leaves: a snapshot of
    participation that no version pins, made with pyiceberg alone, and a staging folder."""
    import pyarrow as pa

    catalog = outside_catalog(store)
    assert catalog is not None
    table = catalog.load_table(("dashkit", "participation"))
    schema = table.schema().as_arrow()
    table.append(pa.Table.from_pylist([dict(zip(PART_COLUMNS, row, strict=True))], schema=schema))
    half_built = store.root / ".staging" / "xyz" / "participation"
    half_built.mkdir(parents=True)
    (half_built / "2020-x.parquet").write_bytes(b"not parquet")


@pytest.mark.parametrize("cleaner", ["commit", "recover"])
def test_what_a_dead_writer_left_is_invisible_and_put_right(tmp_path: Path, cleaner: str) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    pinned = store.manifest(1).snapshots
    commit_behind_the_log(store, (2020, "U9", "worker", 1, 1))
    assert table_heads(store)["participation"] != pinned["participation"]

    assert store.version() == 1
    assert part_rows(store) == sorted(BASE_ROWS), "a table commit without its log row showed"
    assert len(store.history()) == 1

    if cleaner == "recover":
        assert sorted(store.recover()) == [".staging/xyz", "participation"]
        assert table_heads(store) == pinned
        assert store.version() == 1
        assert store.recover() == []
        assert part_rows(store) == sorted(BASE_ROWS)
    else:
        result = store.commit(
            [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))], info()
        )
        assert result.version == 2
        assert store.manifest(2).commit_id == result.commit_id
        assert [m.version for m in store.history()] == [2, 1]
        assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U1", "worker", 8, 8)])
        assert part_rows(store.snapshot(1)) == sorted(BASE_ROWS)
        assert table_heads(store) == store.manifest(2).snapshots
    assert not (store.root / ".staging").exists()
    assert unit_ids(store.snapshot()) == ["U1", "U2"]


# -- locking ----------------------------------------------------------------------------------

HOLDER = r"""
import os, sys, time
from pathlib import Path
from dashkit.store import Store

root, ready, released, hold = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
with Store(root).locked():  # the writers' lock of whatever catalog the store is on
    ready.write_text("held")
    time.sleep(hold)
    staged = released.with_name(released.name + ".part")
    staged.write_text(repr(time.time()))
    os.replace(staged, released)
"""

WRITER = r"""
import sys, time
from pathlib import Path
import pandas as pd
from dashkit.store import CommitInfo, Store, TableWrite

root, unit, ready, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
store = Store(root)
ready.write_text("ready")
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.002)
for year in (2018, 2019, 2020):
    frame = pd.DataFrame(
        {"year": [year], "unit_id": [unit], "audience": ["worker"], "eligible": [10], "completed": [year - 2010]}
    )
    result = store.commit([TableWrite("participation", frame)], CommitInfo(op="import", source=unit))
    print(result.version, result.commit_id, flush=True)
"""


def test_a_commit_waits_for_a_lock_held_by_another_process(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    ready, released = tmp_path / "held", tmp_path / "released"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLDER,
            str(store.root),
            str(ready),
            str(released),
            "1.5",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        wait_for_file(ready, [holder])
        started = time.monotonic()
        result = store.commit(
            [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))], info()
        )
        returned_at = time.time()
        waited = time.monotonic() - started
        assert released.exists(), "the commit went through while another process held the lock"
        assert float(released.read_text()) <= returned_at
        assert waited >= 1.0
        assert holder.wait(timeout=20) == 0, holder.stderr.read() if holder.stderr else ""
    finally:
        stop([holder])

    assert result.version == 2 and result.changed
    assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U1", "worker", 8, 8)])


def test_concurrent_writer_processes_lose_no_update(tmp_path: Path) -> None:
    root = tmp_path / "data"  # does not exist yet: the writers race to create it too
    go = tmp_path / "go"
    unit_names = [f"P{i}" for i in range(4)]
    writers = []
    try:
        for unit in unit_names:
            writers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        WRITER,
                        str(root),
                        unit,
                        str(tmp_path / f"ready-{unit}"),
                        str(go),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=child_env(),
                    cwd=tmp_path,
                )
            )
        for unit in unit_names:
            wait_for_file(tmp_path / f"ready-{unit}", writers)
        go.touch()
        outputs = []
        for writer in writers:
            out, err = writer.communicate(timeout=60)
            assert writer.returncode == 0, err
            outputs.extend(line.split() for line in out.splitlines())
    finally:
        stop(writers)

    store = Store(root)
    commits = 3 * len(unit_names)
    assert store.version() == commits
    assert sorted(int(version) for version, _ in outputs) == list(range(1, commits + 1))
    history = store.history()
    assert [m.version for m in history] == list(range(commits, 0, -1))
    assert sorted(m.commit_id for m in history) == sorted(commit_id for _, commit_id in outputs)
    assert set(history[0].contains) == {commit_id for _, commit_id in outputs}
    assert part_rows(store) == sorted(
        (year, unit, "worker", 10, year - 2010)
        for unit in unit_names
        for year in (2018, 2019, 2020)
    )


def test_concurrent_writer_threads_lose_no_update(tmp_path: Path) -> None:
    root = tmp_path / "data"
    failures: list[BaseException] = []
    unit_names = [f"T{i}" for i in range(4)]
    start = threading.Barrier(len(unit_names))

    def write(unit: str) -> None:
        try:
            store = Store(root)
            start.wait(timeout=10)
            for year in (2019, 2020):
                store.commit(
                    [TableWrite("participation", participation((year, unit, "worker", 10, 1)))],
                    info(unit),
                )
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(unit,)) for unit in unit_names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    store = Store(root)
    assert store.version() == 2 * len(unit_names)
    assert part_rows(store) == sorted(
        (year, unit, "worker", 10, 1) for unit in unit_names for year in (2019, 2020)
    )


# -- failures of the disk ---------------------------------------------------------------------


def test_a_read_only_data_directory_refuses_a_commit_and_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    before = store_state(store)
    new_rows = [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))]

    store.root.chmod(0o555)
    try:
        probe = store.root / ".write-probe"
        try:
            probe.touch()
        except PermissionError:
            permissions_hold = True
        else:
            probe.unlink()
            permissions_hold = False  # running as root: mode bits do not stop writes
        if permissions_hold:
            with pytest.raises(StoreError) as caught:
                store.commit(new_rows, info())
            assert caught.value.key == "store.read_only"
            assert part_rows(store) == sorted(BASE_ROWS)
            assert store_state(store) == before
    finally:
        store.root.chmod(0o755)
    assert store_state(store) == before

    if not permissions_hold:
        # Make the failure real another way: a data directory below a regular file cannot be
        # created by anyone, root included.
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        listing = sorted(p.name for p in tmp_path.iterdir())
        blocked = Store(blocker / "data")
        with pytest.raises(StoreError) as caught:
            blocked.commit(new_rows, info())
        assert caught.value.key == "store.write_failed"
        assert blocker.read_text() == "not a directory"
        assert sorted(p.name for p in tmp_path.iterdir()) == listing
        if blocked.choice.embedded:  # a shared catalog reads nothing from the data directory
            with pytest.raises(StoreError) as unreadable:
                blocked.version()
            assert unreadable.value.key == "store.unreadable"


@contextlib.contextmanager
def refused_log_rows(store: Store) -> Iterator[None]:
    """A trigger in the catalog's own database (SQLite or PostgreSQL) that refuses every new
    row of dashkit's commit log, dropped afterwards."""
    from sqlalchemy import text

    catalog = outside_catalog(store)
    assert isinstance(catalog, SqlCatalog)
    engine = catalog.engine
    if engine.dialect.name == "postgresql":
        make = [
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the log is refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse BEFORE INSERT ON dashkit_commits "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
        drop = ["DROP TRIGGER refuse ON dashkit_commits", "DROP FUNCTION refuse()"]
    else:
        make = [
            "CREATE TRIGGER refuse BEFORE INSERT ON dashkit_commits "
            "BEGIN SELECT RAISE(ABORT, 'the log is refused'); END"
        ]
        drop = ["DROP TRIGGER refuse"]
    with engine.begin() as connection:
        for statement in make:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.execute(text(statement))
        engine.dispose()


def test_a_failure_at_the_log_row_leaves_the_data_and_the_tables_as_they_were(
    tmp_path: Path,
) -> None:
    """The log row is the last step of a commit, after the tables' own Iceberg commits. When
    the database refuses that row (a trigger in the real catalog database makes the insert
    fail, as a full or broken database would), the tables are put back at their pins, the
    files the commit wrote are removed, and nothing of it shows."""
    store = Store(tmp_path / "data")
    seed(store)
    before = store_state(store)
    new_rows = [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))]

    with refused_log_rows(store), pytest.raises(StoreError) as caught:
        store.commit(new_rows, info())
    assert caught.value.key == "store.unavailable"
    assert "the log is refused" in str(caught.value.params["reason"])
    after = store_state(store)
    assert after["version"] == before["version"] == 1
    assert after["history"] == before["history"]
    assert after["heads"] == before["heads"] == store.manifest(1).snapshots
    for where in ("files", "warehouse"):  # the data files it wrote are gone again
        assert {name for name in after[where] if "/data/" in name} == {
            name for name in before[where] if "/data/" in name
        }
    assert part_rows(store) == sorted(BASE_ROWS)

    retry = store.commit(new_rows, info())
    assert retry.version == 2
    assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U1", "worker", 8, 8)])


def test_a_version_published_twice_is_refused_as_a_writer_that_ignored_the_lock(
    tmp_path: Path,
) -> None:
    """The log's version is its key: a second row for a version (a writer that did not take
    the lock) is refused, as the lock's message says, and the first row stays."""
    from dashkit.store.log import CommitLog

    store = Store(tmp_path / "data")
    seed(store)
    catalog = outside_catalog(store)
    assert isinstance(catalog, SqlCatalog)
    with pytest.raises(StoreError) as caught:
        CommitLog(catalog.engine, store.describe()).publish(store.manifest(1))
    assert caught.value.key == "store.locked"
    assert [m.version for m in store.history()] == [1]
