"""Several ``dashkit import`` processes at the same moment, with a reader watching.

Every writer is a real ``dashkit import`` process on a real data directory on ``tmp_path``;
they are held at a start line and released together. Afterwards every committed import is in
the data and listed once in the history, nothing is lost, and a reader process that looped
over snapshots during the writes never saw a state that no commit made.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from dashkit.store import Store, history
from tests.support.writers import (
    ParticipationFile,
    ReaderSpec,
    child_env,
    dashkit_command,
    participation_rows,
    reader_process,
    run_at_once,
    run_dashkit,
    seed,
    stop,
    unit_ids,
    units_csv,
    wait_until,
    write_csv,
)

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


UNITS = unit_ids(1, 40)


def _participation_files(folder: Path) -> list[ParticipationFile]:
    """Four participation files: three of them for the same year, two for the same audience
    of that year (different units), one for another year."""
    return [
        ParticipationFile(
            folder / "dv-2031-a.csv", 2031, "party_member", tuple(UNITS[:20]), 40, 30
        ).write(),
        ParticipationFile(
            folder / "dv-2031-b.csv", 2031, "party_member", tuple(UNITS[20:]), 60, 45
        ).write(),
        ParticipationFile(
            folder / "nld-2031.csv", 2031, "worker", tuple(UNITS), 200, 150, topic="Chuyên đề 2031"
        ).write(),
        ParticipationFile(
            folder / "dv-2032.csv", 2032, "party_member", tuple(UNITS), 80, 70
        ).write(),
    ]


def _events_csv(path: Path) -> Path:
    return write_csv(
        path,
        ("Ngày", "Mã đơn vị", "Hình thức", "Nội dung", "Số người tham dự"),
        [
            (f"{day:02d}/05/2031", UNITS[day], "Hội nghị", f"Hội nghị chuyên đề số {day}", 30)
            for day in range(1, 13)
        ],
    )


def _awards_csv(path: Path) -> Path:
    return write_csv(
        path,
        (
            "Năm",
            "Mã đơn vị",
            "Tập thể/Cá nhân",
            "Tên tập thể/cá nhân",
            "Hình thức khen thưởng",
            "Cấp khen",
        ),
        [
            (2032, UNITS[n], kind, f"Người nhận {n}", "Giấy khen", "Đảng ủy Khối")
            for n, kind in enumerate(["Tập thể"] * 4 + ["Cá nhân"] * 4)
        ],
    )


def _targets_csv(path: Path) -> Path:
    return write_csv(
        path,
        ("Năm", "Đối tượng", "Chỉ tiêu (%)"),
        [(2031, "Đảng viên", 95), (2031, "Người lao động", 90)],
    )


def _outcome(result: Any) -> dict[str, Any]:
    assert result.returncode == 0, (
        f"a writer failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    payload: dict[str, Any] = json.loads(result.stdout)
    assert payload["ok"] and payload["import_id"], payload
    return payload


def _kpis(root: Path, year: int) -> dict[str, Any]:
    done = run_dashkit("kpis", "--data-dir", root, "--year", str(year), "--json")
    assert done.returncode == 0, done.stderr
    kpis: dict[str, Any] = json.loads(done.stdout)
    return kpis


def test_eight_writers_at_once_lose_nothing_and_a_reader_sees_only_whole_imports(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    base_id = seed(root, units_csv(tmp_path / "units.csv", UNITS))
    inputs = tmp_path / "in"
    inputs.mkdir()
    participation = _participation_files(inputs)
    new_units = unit_ids(41, 45)
    others = [
        _events_csv(inputs / "hoat-dong-2031.csv"),
        _awards_csv(inputs / "khen-thuong-2032.csv"),
        _targets_csv(inputs / "chi-tieu-2031.csv"),
        units_csv(inputs / "don-vi-moi.csv", new_units),
    ]
    files = [f.path for f in participation] + others
    specs = [ReaderSpec("participation", f.where, len(f.units)) for f in participation] + [
        ReaderSpec("events", "title LIKE 'Hội nghị chuyên đề số %'", 12),
        ReaderSpec("awards", "year = 2032", 8),
        ReaderSpec("targets", "year = 2031", 2),
        ReaderSpec("units", "unit_id IN ({})".format(", ".join(f"'{u}'" for u in new_units)), 5),
    ]

    with reader_process(root, specs, tmp_path / "reader") as reader_report:
        results = run_at_once(
            [dashkit_command("import", "--data-dir", root, "--json", path) for path in files],
            tmp_path,
        )
    outcomes = [_outcome(result) for result in results]

    # Every writer committed, and the history lists each import exactly once, in one chain.
    import_ids = [payload["import_id"] for payload in outcomes]
    store = Store(root)
    manifests = store.history()
    assert store.version() == 1 + len(files)
    assert [m.version for m in manifests] == list(range(len(files) + 1, 0, -1))
    listed = [entry.commit_id for entry in history(store)]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted([base_id, *import_ids])
    assert set(manifests[0].contains) == set(listed)
    assert all(not entry.undone and entry.op == "import" for entry in history(store))
    by_id = {entry.commit_id: entry for entry in history(store)}
    for path, import_id in zip(files, import_ids, strict=True):
        assert by_id[import_id].file == path.name

    # No lost update: every file's rows are in the current data.
    expected_rows = set().union(*(f.rows for f in participation))
    assert participation_rows(root) == expected_rows
    snapshot = store.snapshot()
    assert snapshot.scalar("SELECT count(*) FROM events WHERE year(date) = 2031") == 12
    assert snapshot.scalar("SELECT count(*) FROM awards WHERE year = 2032") == 8
    assert sorted(snapshot.rows("SELECT audience, target_rate FROM targets")) == [
        ("party_member", 95.0),
        ("worker", 90.0),
    ]
    assert [r[0] for r in snapshot.rows("SELECT unit_id FROM units ORDER BY 1")] == unit_ids(1, 45)
    topics = snapshot.rows("SELECT DISTINCT topic FROM participation WHERE audience = 'worker'")
    assert topics == [("Chuyên đề 2031",)]

    # … and the key figures say so too.
    kpis_2031 = _kpis(root, 2031)
    party, worker = (kpis_2031["participation"][a] for a in ("party_member", "worker"))
    assert (party["eligible"], party["completed"]) == (20 * 40 + 20 * 60, 20 * 30 + 20 * 45)
    assert (worker["eligible"], worker["completed"]) == (40 * 200, 40 * 150)
    assert kpis_2031["events"]["by_type"] == {"conference": 12}
    kpis_2032 = _kpis(root, 2032)
    assert kpis_2032["participation"]["party_member"]["eligible"] == 40 * 80
    assert kpis_2032["awards"]["by_recipient_type"] == {"collective": 4, "individual": 4}

    # The reader looped through the writes and never saw half of an import.
    report = reader_report()
    assert report["violations"] == []
    assert len(report["versions"]) >= 3, f"the reader overlapped too few commits: {report}"


def test_writers_replacing_the_same_rows_end_with_the_last_commit(tmp_path: Path) -> None:
    root = tmp_path / "data"
    seed(root, units_csv(tmp_path / "units.csv", UNITS))
    inputs = tmp_path / "in"
    inputs.mkdir()
    same_rows = [
        ParticipationFile(
            inputs / f"dv-2034-lan-{k}.csv", 2034, "party_member", tuple(UNITS[:20]), 100, 10 * k
        ).write()
        for k in range(1, 5)
    ]
    specs = [ReaderSpec("participation", "year = 2034", 20, uniform="completed")]

    with reader_process(root, specs, tmp_path / "reader") as reader_report:
        results = run_at_once(
            [dashkit_command("import", "--data-dir", root, "--json", f.path) for f in same_rows],
            tmp_path,
        )
    outcomes = [_outcome(result) for result in results]

    store = Store(root)
    entries = [e for e in reversed(history(store)) if e.file and e.file.startswith("dv-2034")]
    assert sorted(e.commit_id for e in entries) == sorted(p["import_id"] for p in outcomes)
    assert [e.version for e in entries] == list(range(2, 2 + len(same_rows)))
    # The first commit in history order inserted the rows, each later one replaced them all.
    assert [(e.inserted, e.replaced) for e in entries] == [(20, 0)] + [(0, 20)] * (
        len(same_rows) - 1
    )
    last = next(f for f in same_rows if f.path.name == entries[-1].file)
    assert participation_rows(root) == last.rows

    report = reader_report()
    assert report["violations"] == []


def test_a_writer_planned_before_another_commits_keeps_that_commits_values(
    tmp_path: Path,
) -> None:
    """Writer B reads a file without the topic column while writer A changes the topics; B
    commits after A. B's rows must keep the topic A committed (the columns a file does not
    have keep their current values, "current" being what is current when B commits)."""
    root = tmp_path / "data"
    units = tuple(UNITS[:10])
    seed(root, units_csv(tmp_path / "units.csv", UNITS))
    seed(
        root,
        ParticipationFile(
            tmp_path / "base.csv", 2035, "party_member", units, 50, 20, topic="Chuyên đề cũ"
        )
        .write()
        .path,
    )
    topic_change = ParticipationFile(
        tmp_path / "a-chuyen-de.csv", 2035, "party_member", units, 50, 20, topic="Chuyên đề mới"
    ).write()
    completed_change = ParticipationFile(
        tmp_path / "b-so-lieu.csv", 2035, "party_member", units, 50, 45
    ).write()
    b_tmp = tmp_path / "b-tmp"

    lock = FileLock(str(root / ".lock"))
    lock.acquire()  # B plans, then waits for the writers' lock
    writer_b = subprocess.Popen(
        dashkit_command("import", "--data-dir", root, "--json", completed_change.path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(b_tmp),
    )
    try:
        # B's plan has read the stored data once it has written the rows it will commit.
        wait_until(
            lambda: any(b_tmp.glob("dashkit-import-*/valid0.parts/*.parquet")),
            "B's plan",
            [writer_b],
        )
        writer_b.send_signal(signal.SIGSTOP)
        lock.release()
        done_a = run_dashkit("import", "--data-dir", root, "--json", topic_change.path)
        assert done_a.returncode == 0, done_a.stderr
        writer_b.send_signal(signal.SIGCONT)
        out, err = writer_b.communicate(timeout=120)
        assert writer_b.returncode == 0, f"{out}\n{err}"
    finally:
        if lock.is_locked:
            lock.release()
        writer_b.send_signal(signal.SIGCONT)
        stop([writer_b])

    rows = (
        Store(root)
        .snapshot()
        .rows("SELECT DISTINCT completed, topic FROM participation WHERE year = 2035")
    )
    assert [entry.file for entry in history(Store(root))][:2] == [
        completed_change.path.name,
        topic_change.path.name,
    ]
    assert rows == [(45, "Chuyên đề mới")], (
        "the import committed last wrote back the topic it read before the other import "
        f"committed: {rows}"
    )
