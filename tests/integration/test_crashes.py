"""``kill -9`` in the middle of an import, a full disk and a read-only data directory.

A 200,000-row participation file is imported by a real ``dashkit import`` process and killed
with SIGKILL at many moments: while Python starts, while the file is read and checked, while
the new data files are written, once they are in the warehouse, once the table's new Iceberg
metadata is written (its snapshot committed or about to be, the log row not yet), and right
after the log row. After each kill the data is exactly as before or holds the whole import,
the history says which, the next writer starts without waiting for a lock and leaves no
staging folder and no table away from its pinned snapshot.

The disks are real: a 1 MiB tmpfs (ENOSPC), a read-only bind mount (EROFS) and an immutable
directory (EPERM, which stops root too). A missing mechanism fails the test, it never skips.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dashkit.i18n import translator
from dashkit.store import CommitInfo, Store, TableWrite, history
from tests.support.writers import (
    STRACE,
    ParticipationFile,
    big_participation_csv,
    child_env,
    dashkit_command,
    directory_state,
    fingerprint,
    history_ids,
    immutable,
    import_json,
    kill9,
    leftovers,
    participation_rows,
    read_only_bind,
    run_dashkit,
    seed,
    small_tmpfs,
    stop,
    strace_paused,
    traced_child,
    unit_ids,
    units_csv,
    wait_until,
)

BIG_UNITS = 2000
BIG_YEARS = (2051, 2100)  # 2,000 units × 50 years × 2 audiences = 200,000 rows
KILLED = (-9, 128 + 9)  # a process (or strace, re-raising its tracee's signal) killed by SIGKILL


@dataclass(frozen=True)
class CrashSetup:
    seeds: tuple[Path, ...]  # units and one earlier import: imported again for every kill
    big: Path
    big_rows: int
    before: dict[str, tuple[int, int]]
    landed: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
def crash_setup(tmp_path_factory: pytest.TempPathFactory) -> CrashSetup:
    folder = tmp_path_factory.mktemp("crash")
    units = units_csv(folder / "units.csv", unit_ids(1, BIG_UNITS, width=4))
    earlier = ParticipationFile(
        folder / "seed-2020.csv", 2020, "party_member", tuple(unit_ids(1, 50, 4)), 30, 20
    )
    seeds = (units, earlier.write().path)
    base = seeded(folder / "base", seeds)
    big = folder / "bao-cao-200k.csv"
    rows = big_participation_csv(big, BIG_UNITS, *BIG_YEARS)
    # The same import, uninterrupted, on a store seeded alike: what "the whole import landed"
    # looks like. (An embedded store is not copied: Iceberg's metadata holds absolute paths.)
    landed = seeded(folder / "landed", seeds)
    payload = import_json(landed, big)
    assert payload["files"][0]["inserted"] == rows
    return CrashSetup(seeds, big, rows, fingerprint(base), fingerprint(landed))


def seeded(root: Path, files: tuple[Path, ...]) -> Path:
    for path in files:
        seed(root, path)
    return root


# -- the moments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """How to reach one moment of an import and SIGKILL it there; ``expect`` is the outcome
    the moment forces ("before": nothing committed yet; "landed": the log row is written;
    "either": a moment the commit may pass in the instant before the kill)."""

    name: str
    kill: Callable[[list[str], Path, Path], None]
    expect: str


def _after_delay(seconds: float) -> Callable[[list[str], Path, Path], None]:
    def kill(command: list[str], root: Path, tmpdir: Path) -> None:
        process = _spawn(command, tmpdir)
        try:
            time.sleep(seconds)
            assert process.poll() is None, f"the import ended before the kill{_log(tmpdir)}"
            kill9(process.pid)
            assert process.wait(timeout=30) in KILLED
        finally:
            stop([process])

    return kill


def _when_appears(
    where: str, pattern: str, then: float = 0.0
) -> Callable[[list[str], Path, Path], None]:
    """Kill as soon as ``pattern`` matches under the data directory or the writer's TMPDIR
    (``then`` seconds later: a moment that leaves no file of its own behind)."""

    def kill(command: list[str], root: Path, tmpdir: Path) -> None:
        folder = root if where == "data" else tmpdir
        process = _spawn(command, tmpdir)
        try:
            wait_until(lambda: any(folder.glob(pattern)), f"{where}/{pattern}", [process])
            time.sleep(then)
            kill9(process.pid)
            assert process.wait(timeout=30) in KILLED, f"not killed{_log(tmpdir)}"
        finally:
            stop([process])

    return kill


def _inside_syscall(
    when: int, *, after: bool, seen: Callable[[Path], bool]
) -> Callable[[list[str], Path, Path], None]:
    """Pause the import just before/after its ``when``-th rename(2); kill it inside the pause
    once ``seen(root)`` confirms the window (strace only stretches the moment)."""

    def kill(command: list[str], root: Path, tmpdir: Path) -> None:
        if not STRACE.exists():
            pytest.fail(f"{STRACE} is missing: install the Debian package strace")
        tracer = _spawn(strace_paused(command, "rename", when, after=after), tmpdir)
        try:
            child = traced_child(tracer)
            wait_until(lambda: seen(root), "the paused moment", [tracer])
            assert Path(f"/proc/{child}").exists(), f"the import is gone{_log(tmpdir)}"
            kill9(child)
            # A tracee held in a ptrace stop dies of its pending SIGKILL once strace lets go
            # of it, before it runs another instruction: end strace too.
            kill9(tracer.pid)
            assert tracer.wait(timeout=30) in KILLED
            wait_until(lambda: _dead(child), "the killed import to die", [], timeout=30)
        finally:
            stop([tracer])

    return kill


def _dead(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def _spawn(command: list[str], tmpdir: Path) -> subprocess.Popen[bytes]:
    """The import, its output kept in ``tmpdir/output.log`` for the failure messages."""
    env = child_env(tmpdir)
    with (tmpdir / "output.log").open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def _log(tmpdir: Path) -> str:
    return "\n--- the import's output:\n" + (tmpdir / "output.log").read_text(errors="replace")


def _table_metadata(root: Path) -> int:
    return len(list((root / "warehouse" / "dashkit" / "participation" / "metadata").glob("*.json")))


def _after_new_metadata(base_count: Callable[[Path], int]) -> Callable[[Path], bool]:
    return lambda root: _table_metadata(root) > base_count(root)


def _landed(root: Path) -> bool:
    return Store(root).version() == 3  # the base holds versions 1 and 2


def _when(seen: Callable[[Path], bool]) -> Callable[[list[str], Path, Path], None]:
    """Kill as soon as ``seen(root)`` holds (polled every millisecond)."""

    def kill(command: list[str], root: Path, tmpdir: Path) -> None:
        process = _spawn(command, tmpdir)
        try:
            wait_until(lambda: seen(root), "the moment", [process])
            kill9(process.pid)
            assert process.wait(timeout=30) in KILLED, f"not killed{_log(tmpdir)}"
        finally:
            stop([process])

    return kill


_BASE_METADATA: dict[Path, int] = {}


def _base_metadata(root: Path) -> int:
    return _BASE_METADATA.setdefault(root, _table_metadata(root))


MOMENTS = [
    Moment("python-starting", _after_delay(0.25), "before"),
    Moment("reading-the-file", _when_appears("tmp", "dashkit-import-*"), "before"),
    # a plain CSV is staged inside DuckDB, with no file to wait for: shortly after the plan starts
    Moment("staging-the-rows", _when_appears("tmp", "dashkit-import-*", then=0.15), "before"),
    # the checked rows are written one file per year (valid0.parts/), then checked
    Moment(
        "checking-the-rows",
        _when_appears("tmp", "dashkit-import-*/valid0.parts/*.parquet"),
        "before",
    ),
    Moment("staging-folder-appears", _when_appears("data", ".staging/*"), "before"),
    Moment(
        "new-data-files-written",
        _when_appears("data", ".staging/*/participation/*.parquet"),
        "before",
    ),
    Moment(
        "new-data-files-in-the-warehouse",
        _when_appears("data", "warehouse/dashkit/participation/data/2100-*.parquet"),
        "before",
    ),
    # the table's snapshot is being committed, or is, and the log row is not yet written: the
    # commit may still land in the millisecond before the kill, hence either outcome
    Moment("table-metadata-written", _when(_after_new_metadata(_base_metadata)), "either"),
    Moment("right-after-the-log-row", _when(_landed), "landed"),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.name for m in MOMENTS])
def test_kill_9_during_an_import_leaves_before_or_all_and_the_next_start_cleans_up(
    crash_setup: CrashSetup, moment: Moment, tmp_path: Path
) -> None:
    root = seeded(tmp_path / "data", crash_setup.seeds)
    _base_metadata(root)
    ids_before = history_ids(root)
    version_before = Store(root).version()
    assert fingerprint(root) == crash_setup.before

    moment.kill(
        dashkit_command("import", "--data-dir", root, crash_setup.big), root, tmp_path / "tmp"
    )

    # Read right after the kill, leftovers and all: exactly before, or the whole import.
    after = fingerprint(root)
    assert after in (crash_setup.before, crash_setup.landed), (
        f"partial data after a kill at {moment.name}: {after}"
    )
    outcome = "landed" if after == crash_setup.landed else "before"
    assert moment.expect in (outcome, "either"), f"killed at {moment.name}: the data is {outcome}"
    left_by_kill = leftovers(root)

    # The history says what happened: the import is listed if and only if it landed.
    entries = history(Store(root))
    if outcome == "landed":
        assert Store(root).version() == version_before + 1
        assert [e.commit_id for e in entries[1:]] == ids_before
        newest = entries[0]
        assert (newest.op, newest.file, newest.inserted, newest.undone) == (
            "import",
            crash_setup.big.name,
            crash_setup.big_rows,
            False,
        )
    else:
        assert Store(root).version() == version_before
        assert [e.commit_id for e in entries] == ids_before

    # The next start: a writer gets the lock at once, commits, and no leftover survives it.
    follow_up = ParticipationFile(
        tmp_path / "tiep-theo.csv", 2021, "worker", ("U0001", "U0002"), 12, 11
    ).write()
    started = time.monotonic()
    payload = import_json(root, follow_up.path, timeout=60)
    assert time.monotonic() - started < 30, "the next import waited for a lock left behind"
    assert leftovers(root) == [], (
        f"killed at {moment.name}, it left {left_by_kill}; after the next import still: "
        f"{leftovers(root)}"
    )
    assert participation_rows(root, "year = 2021") == follow_up.rows
    assert [e.commit_id for e in history(Store(root))] == [payload["import_id"]] + [
        e.commit_id for e in entries
    ]
    expected_big = crash_setup.big_rows if outcome == "landed" else 0
    big_now = Store(root).snapshot().scalar("SELECT count(*) FROM participation WHERE year > 2050")
    assert big_now == expected_big


# -- a full disk -------------------------------------------------------------------------------


def _seed_small(root: Path, folder: Path) -> None:
    """Forty units and a year of participation."""
    seed(root, units_csv(folder / "units.csv", unit_ids(1, 40)))
    seed(
        root,
        ParticipationFile(folder / "seed.csv", 2020, "party_member", tuple(unit_ids(1, 40)), 30, 20)
        .write()
        .path,
    )


def _wide_csv(path: Path, topic_sql: str, years: int = 100) -> Path:
    """Participation rows for 40 units × ``years`` years (from 2000) × 2 audiences, with a
    topic per row."""
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(
            f"""COPY (
                SELECT 2000 + y AS "Năm", 'U' || lpad(u::VARCHAR, 2, '0') AS "Mã đơn vị",
                       a AS "Đối tượng", 100 AS "Tổng số", 50 AS "Đã học tập",
                       {topic_sql} AS "Chuyên đề"
                FROM range(0, {years}) AS ys(y), range(1, 41) AS us(u),
                     (VALUES ('Đảng viên'), ('Người lao động')) AS aud(a)
            ) TO '{path}' (HEADER)"""
        ).fetchall()
    finally:
        connection.close()
    return path


# Compresses to almost nothing in Parquet, but not as a CSV file.
REPEATED_TOPIC = "repeat('Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh. ', 6)"
# 16 MD5s per row: does not compress below half its size.
RANDOM_TOPIC = "concat({})".format(
    ", ".join(f"md5(y::VARCHAR || '-' || u::VARCHAR || a || '{k}')" for k in range(16))
)


# 16 KiB of MD5s per row (half that once compressed): 80 rows of one year take about
# 640 KiB of the 1 MiB disk.
BIG_RANDOM_TOPIC = "concat({})".format(
    ", ".join(f"md5(y::VARCHAR || '-' || u::VARCHAR || a || '{k}')" for k in range(512))
)


def _full_disk_case(case: str, folder: Path, root: Path) -> Path:
    """Seed ``root`` (on the small disk) for ``case``; return the file whose import does not fit."""
    seed(root, units_csv(folder / "units.csv", unit_ids(1, 40)))
    if case == "original-copy-does-not-fit":
        # the rows fit, the copy of the original file kept with the version does not
        return _wide_csv(folder / f"{case}.csv", REPEATED_TOPIC)
    if case == "new-rows-do-not-fit":
        return _wide_csv(folder / f"{case}.csv", RANDOM_TOPIC)
    # "a-rewritten-table-does-not-fit": one year of the table fills most of the disk; replacing
    # one of its rows writes that year's file again beside the old one.
    # (committed without an original file, which would not fit beside it)
    rows = duckdb.sql(
        f"""SELECT 2000 + y AS year, 'U' || lpad(u::VARCHAR, 2, '0') AS unit_id, a AS audience,
                   100 AS eligible, 50 AS completed, {BIG_RANDOM_TOPIC} AS topic
            FROM range(0, 1) AS ys(y), range(1, 41) AS us(u),
                 (VALUES ('party_member'), ('worker')) AS aud(a)"""
    ).arrow()
    Store(root).commit(
        [TableWrite("participation", rows)], CommitInfo(op="import", source="random.parquet")
    )
    return (
        ParticipationFile(
            folder / "one-row.csv", 2000, "worker", ("U01",), 100, 60, topic="Thay một dòng"
        )
        .write()
        .path
    )


@pytest.mark.parametrize(
    "case",
    ["original-copy-does-not-fit", "new-rows-do-not-fit", "a-rewritten-table-does-not-fit"],
)
def test_a_full_disk_refuses_the_import_clearly_and_writes_nothing(
    case: str, tmp_path: Path
) -> None:
    with small_tmpfs(tmp_path / "disk", "1m") as disk:
        root = disk / "data"
        refused = _full_disk_case(case, tmp_path, root)
        state, data, ids = directory_state(root), fingerprint(root), history_ids(root)

        done = run_dashkit("import", "--data-dir", root, refused)

        # Nothing half-written …
        after_state = directory_state(root)
        assert set(after_state["files"]) ^ set(state["files"]) == set(), done.stderr[-3000:]
        assert after_state == state
        assert fingerprint(root) == data
        assert history_ids(root) == ids
        # … and a clear message from the catalogue, not a traceback.
        expected = translator("en").error("store.disk_full", {"path": str(root.resolve())})
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        assert expected in done.stderr, done.stderr

        # Space is back (the failed commit removed what it had written): the next import works.
        small = ParticipationFile(
            tmp_path / "small.csv", 2040, "worker", ("U01", "U02"), 10, 9
        ).write()
        import_json(root, small.path)
        assert leftovers(root) == []
        assert participation_rows(root, "year = 2040") == small.rows
        assert len(history_ids(root)) == len(ids) + 1


# -- a read-only data directory -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["read-only-mount", "immutable-directory"])
def test_a_read_only_data_directory_refuses_the_import_clearly_and_writes_nothing(
    how: str, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    _seed_small(root, tmp_path)
    new_rows = ParticipationFile(
        tmp_path / "new.csv", 2021, "worker", tuple(unit_ids(1, 40)), 10, 9
    ).write()
    state, data, ids = directory_state(root), fingerprint(root), history_ids(root)

    protection = read_only_bind(root) if how == "read-only-mount" else immutable(root)
    with protection:
        probe = root / "probe"
        with pytest.raises(OSError):
            probe.write_text("root must not be able to write here")
        done = run_dashkit("import", "--data-dir", root, new_rows.path)
        after = directory_state(root)

    assert after == state
    assert directory_state(root) == state
    assert fingerprint(root) == data
    assert history_ids(root) == ids
    expected = translator("en").error("store.read_only", {"path": str(root.resolve())})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert expected in done.stderr, done.stderr

    import_json(root, new_rows.path)
    assert leftovers(root) == []
    assert participation_rows(root, "year = 2021") == new_rows.rows
    assert os.access(root, os.W_OK)
