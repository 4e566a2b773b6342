"""The versioned Parquet store on a real disk: versions, snapshots, merges, rules, undo, locks.

Everything runs against real DuckDB and real Parquet files on ``tmp_path``; the cross-process
tests start real Python processes. Nothing of the project is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dashkit
from dashkit.errors import DataError, StoreError
from dashkit.schema import TABLES
from dashkit.store import CommitInfo, CommitResult, Store, TableCounts, TableWrite

PART_COLUMNS = ("year", "unit_id", "audience", "eligible", "completed")
PART_SELECT = "SELECT year, unit_id, audience, eligible, completed FROM participation"
Row = tuple[Any, ...]

BASE_ROWS: tuple[Row, ...] = (
    (2020, "U1", "worker", 10, 5),
    (2020, "U2", "worker", 20, 20),
    (2020, "U1", "party_member", 4, 3),
)

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


def disk_state(store: Store) -> dict[str, Any]:
    """Everything a failed or empty commit must leave untouched."""
    current = store.layout.current
    stat = current.stat() if current.exists() else None
    versions = store.layout.versions
    return {
        "current_text": current.read_text() if stat else None,
        "current_file": (stat.st_ino, stat.st_mtime_ns) if stat else None,
        "version": store.version(),
        "root": sorted(p.name for p in store.root.iterdir()) if store.root.exists() else [],
        "versions": sorted(p.name for p in versions.iterdir()) if versions.exists() else [],
        "files": sorted(str(p.relative_to(versions)) for p in versions.rglob("*"))
        if versions.exists()
        else [],
    }


def version_dirs(store: Store) -> list[str]:
    return sorted(p.name for p in store.layout.versions.iterdir())


def hard_links_supported(directory: Path) -> bool:
    source = directory / "link-probe"
    source.write_text("x")
    try:
        os.link(source, directory / "link-probe-2")
    except OSError:
        return False
    finally:
        for name in ("link-probe", "link-probe-2"):
            (directory / name).unlink(missing_ok=True)
    return True


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
    assert store.layout.current.read_text() == "1\n"
    assert store.version() == 1 and not store.is_empty()
    assert (store.layout.manifest_file(1)).is_file()
    assert {p.name for p in store.layout.version_dir(1).iterdir()} == {
        "manifest.json",
        *(f"{name}.parquet" for name in TABLES),
    }

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
    assert store.layout.current.read_text() == "2\n"
    assert store.version() == 2

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
    before = disk_state(store)

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
    assert disk_state(store) == before, "a commit that changes nothing must write nothing"
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
    before = disk_state(store)

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
    assert disk_state(store) == before
    assert not [p for p in store.layout.versions.iterdir() if p.name.startswith(".tmp-")]
    assert part_rows(store) == sorted(BASE_ROWS)
    assert unit_ids(store.snapshot()) == ["U1", "U2"]
    assert len(store.history()) == 1


def test_an_unknown_table_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    before = disk_state(store)
    with pytest.raises(DataError) as caught:
        store.commit([TableWrite("people", units("U3"))], info())
    assert caught.value.key == "store.unknown_table"
    assert disk_state(store) == before


# -- carried-over tables ----------------------------------------------------------------------


def test_untouched_tables_are_carried_over_as_hard_links(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    links = hard_links_supported(tmp_path)
    v1 = store.snapshot(1)

    store.commit([TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))], info())

    v2 = store.snapshot(2)
    layout = store.layout
    for name in ("units", "events", "awards", "targets"):
        assert sorted(v2.rows(f"SELECT * FROM {name}")) == sorted(v1.rows(f"SELECT * FROM {name}"))
        if links:
            assert same_files(layout.table_files(1, name), layout.table_files(2, name)), name
    assert not same_files(
        layout.table_files(1, "participation"), layout.table_files(2, "participation")
    )
    assert unit_ids(v2) == ["U1", "U2"]
    assert len(part_rows(v2)) == 4


def test_a_resubmitted_identical_table_is_hard_linked_too(tmp_path: Path) -> None:
    """An import that brings the same units sheet again plus new participation figures: the
    store itself counts ``units`` as unchanged, and the contract says unchanged tables are
    hard-linked into the new version rather than written again."""
    store = Store(tmp_path / "data")
    seed(store)
    links = hard_links_supported(tmp_path)

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
    if links:
        assert same_files(
            store.layout.table_files(1, "units"), store.layout.table_files(2, "units")
        ), "units did not change, yet version 2 holds a rewritten copy instead of a hard link"


def same_files(left: tuple[Path, ...], right: tuple[Path, ...]) -> bool:
    return len(left) == len(right) and all(a.samefile(b) for a, b in zip(left, right, strict=True))


def test_an_upsert_links_untouched_segments_and_rewrites_only_touched_ones(tmp_path: Path) -> None:
    """A table is the union of segment files. A new year's rows become one new segment beside
    the old, linked ones; replacing a row rewrites only the segment that held it; keys never
    repeat across segments; past MAX_SEGMENTS the table is written as one file again."""
    from dashkit.store.store import MAX_SEGMENTS

    store = Store(tmp_path / "data")
    seed(store)
    layout = store.layout
    first = layout.table_files(1, "participation")
    assert len(first) == 1

    store.commit([TableWrite("participation", participation((2030, "U1", "worker", 5, 4)))], info())
    second = layout.table_files(2, "participation")
    assert len(second) == 2
    if hard_links_supported(tmp_path):
        assert second[0].samefile(first[0])
    assert len(part_rows(store)) == len(BASE_ROWS) + 1

    replaced = (2030, "U1", "worker", 6, 6)
    result = store.commit([TableWrite("participation", participation(replaced))], info())
    assert result.tables["participation"].replaced == 1
    third = layout.table_files(3, "participation")
    assert len(third) == 2  # the 2030 segment held only the replaced row: gone, one new
    if hard_links_supported(tmp_path):
        assert third[0].samefile(first[0])
    rows = part_rows(store)
    assert replaced in rows and (2030, "U1", "worker", 5, 4) not in rows
    keys = store.snapshot().rows(
        "SELECT year, unit_id, audience, count(*) FROM participation GROUP BY ALL HAVING count(*) > 1"
    )
    assert keys == []

    for year in range(2031, 2031 + MAX_SEGMENTS + 1):
        store.commit(
            [TableWrite("participation", participation((year, "U2", "worker", 3, 3)))], info()
        )
        assert len(layout.table_files(store.version(), "participation")) <= MAX_SEGMENTS
    assert len(part_rows(store)) == len(BASE_ROWS) + 1 + MAX_SEGMENTS + 1


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
    if hard_links_supported(tmp_path):
        assert same_files(
            store.layout.table_files(1, "participation"),
            store.layout.table_files(4, "participation"),
        )

    before = disk_state(store)
    again = store.restore(4, CommitInfo(op="undo"))
    assert (again.commit_id, again.version) == (None, 4)
    assert disk_state(store) == before

    redo = store.restore(2, CommitInfo(op="undo", undoes=undo.commit_id))
    assert redo.version == 5
    assert store.manifest(5).contains == (c1.commit_id, c2.commit_id)
    assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U2", "worker", 7, 7)])

    before = disk_state(store)
    for missing in (6, 99, -1):
        with pytest.raises(StoreError) as caught:
            store.restore(missing, CommitInfo(op="undo"))
        assert caught.value.key == "store.no_version"
    assert disk_state(store) == before

    to_nothing = store.restore(0, CommitInfo(op="undo"))
    assert to_nothing.version == 6
    assert to_nothing.tables["participation"] == TableCounts(deleted=4, rows=0)
    assert store.manifest(6).contains == ()
    for name in TABLES:
        assert store.snapshot().scalar(f"SELECT count(*) FROM {name}") == 0


# -- leftovers of a writer that died ----------------------------------------------------------


@pytest.mark.parametrize("cleaner", ["commit", "recover"])
def test_leftovers_of_a_dead_writer_are_removed(tmp_path: Path, cleaner: str) -> None:
    store = Store(tmp_path / "data")
    seed(store)
    versions = store.layout.versions
    half_built = versions / ".tmp-xyz"
    half_built.mkdir()
    (half_built / "participation.parquet").write_bytes(b"not parquet")
    # Renamed into place but never made current (killed before the CURRENT swap).
    for name in ("v00000002", "v00000099"):
        (versions / name).mkdir()
        (versions / name / "manifest.json").write_text("{ not json")

    assert store.version() == 1
    assert part_rows(store) == sorted(BASE_ROWS)
    assert len(store.history()) == 1

    if cleaner == "recover":
        removed = store.recover()
        assert sorted(removed) == [".tmp-xyz", "v00000002", "v00000099"]
        assert version_dirs(store) == ["v00000001"]
        assert store.version() == 1
        assert store.recover() == []
        assert part_rows(store) == sorted(BASE_ROWS)
    else:
        result = store.commit(
            [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))], info()
        )
        assert result.version == 2
        assert version_dirs(store) == ["v00000001", "v00000002"]
        assert store.manifest(2).commit_id == result.commit_id
        assert [m.version for m in store.history()] == [2, 1]
        assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U1", "worker", 8, 8)])
        assert part_rows(store.snapshot(1)) == sorted(BASE_ROWS)
    assert unit_ids(store.snapshot()) == ["U1", "U2"]


# -- locking ----------------------------------------------------------------------------------

HOLDER = r"""
import os, sys, time
from pathlib import Path
from filelock import FileLock

lock_path, ready, released, hold = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
lock = FileLock(lock_path)
lock.acquire()
ready.write_text("held")
time.sleep(hold)
staged = released.with_name(released.name + ".part")
staged.write_text(repr(time.time()))
os.replace(staged, released)
lock.release()
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
        [sys.executable, "-c", HOLDER, str(store.layout.lock), str(ready), str(released), "1.5"],
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
    before = disk_state(store)
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
            assert disk_state(store) == before
    finally:
        store.root.chmod(0o755)
    assert disk_state(store) == before

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
        with pytest.raises(StoreError) as unreadable:
            blocked.version()
        assert unreadable.value.key == "store.unreadable"


def test_a_failure_at_the_current_swap_leaves_no_version_behind(tmp_path: Path) -> None:
    """A commit that fails while swapping CURRENT must leave the store exactly as it was.

    ``write_atomic`` stages the new CURRENT as ``.CURRENT.<pid>.tmp`` beside it; a directory of
    that name makes the swap fail with a real OSError after the version directory is built.
    """
    store = Store(tmp_path / "data")
    seed(store)
    obstacle = store.root / f".{store.layout.current.name}.{os.getpid()}.tmp"
    obstacle.mkdir()
    before = disk_state(store)
    new_rows = [TableWrite("participation", participation((2021, "U1", "worker", 8, 8)))]

    with pytest.raises(StoreError) as caught:
        store.commit(new_rows, info())
    assert caught.value.key == "store.write_failed"
    assert store.version() == 1
    assert store.layout.current.read_text() == "1\n"
    assert part_rows(store) == sorted(BASE_ROWS)
    after_failure = disk_state(store)

    obstacle.rmdir()
    retry = store.commit(new_rows, info())
    assert retry.version == 2
    assert part_rows(store) == sorted([*BASE_ROWS, (2021, "U1", "worker", 8, 8)])
    assert version_dirs(store) == ["v00000001", "v00000002"]

    assert after_failure["versions"] == before["versions"], (
        "the failed commit left a version directory above CURRENT behind"
    )
    assert after_failure == before
