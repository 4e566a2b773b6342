"""``dashkit migrate`` moves an earlier data directory into a catalog with its history, and
``dashkit maintain`` removes what failed and interrupted commits left, keeping every version
the history can show or undo to. On the embedded and on a shared catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashkit.errors import StoreError
from dashkit.schema import TABLES
from dashkit.store import CommitInfo, Store, TableWrite, history, undo
from dashkit.store.maintenance import maintain
from dashkit.store.migration import migrate
from tests.support.legacy import LegacyVersion, write_legacy
from tests.support.stores import outside_catalog, table_heads, warehouse_files

pytestmark = pytest.mark.usefixtures("catalog_kind")

UNITS = pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["Chi bộ 1", "Chi bộ 2"]})


def participation(*rows: tuple[int, str, str, int, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "unit_id", "audience", "eligible", "completed"])


FIRST = participation((2019, "U1", "party_member", 10, 9), (2019, "U2", "party_member", 8, 8))
SECOND = participation(
    (2019, "U1", "party_member", 10, 9),
    (2019, "U2", "party_member", 8, 8),
    (2020, "U1", "party_member", 11, 11),
)

LEGACY = (
    LegacyVersion(
        "20250101080000-aaaaaa",
        "import",
        "don-vi.csv",
        {"units": UNITS, "participation": FIRST},
        counts={"units": {"inserted": 2, "rows": 2}, "participation": {"inserted": 2, "rows": 2}},
        contains=("20250101080000-aaaaaa",),
        originals={"don-vi.csv": "Mã đơn vị,Tên đơn vị\nU1,Chi bộ 1\n".encode()},
    ),
    LegacyVersion(
        "20250201080000-bbbbbb",
        "import",
        "bao-cao-2020.xlsx",
        {"units": UNITS, "participation": SECOND},
        counts={"participation": {"inserted": 1, "unchanged": 2, "rows": 3}},
        contains=("20250101080000-aaaaaa", "20250201080000-bbbbbb"),
        originals={"bao-cao-2020.xlsx": b"PK\x03\x04 not really a workbook"},
    ),
    LegacyVersion(
        "20250301080000-cccccc",
        "undo",
        "bao-cao-2020.xlsx",
        {"units": UNITS, "participation": FIRST},
        counts={"participation": {"deleted": 1, "unchanged": 2, "rows": 2}},
        contains=("20250101080000-aaaaaa",),
        undoes="20250201080000-bbbbbb",
    ),
)


def rows(store: Store, version: int, table: str) -> list[tuple[object, ...]]:
    columns = ", ".join(TABLES[table].column_names)
    return sorted(store.snapshot(version).rows(f"SELECT {columns} FROM {table}"))


def test_migrate_moves_every_version_with_its_history(tmp_path: Path) -> None:
    source = write_legacy(tmp_path / "old", LEGACY)
    target = Store(tmp_path / "data")

    assert migrate(source, target) == 3

    entries = history(target)
    assert [entry.commit_id for entry in entries] == [v.commit_id for v in reversed(LEGACY)]
    assert [(entry.op, entry.file, entry.undone) for entry in entries] == [
        ("undo", "bao-cao-2020.xlsx", False),
        ("import", "bao-cao-2020.xlsx", True),
        ("import", "don-vi.csv", False),
    ]
    assert [entry.time for entry in entries][-1] == "2025-01-01T08:00:00+00:00"
    assert entries[1].inserted == 1 and entries[1].unchanged == 2  # the counts it had
    assert entries[0].undoes == "20250201080000-bbbbbb"
    for number, version in enumerate(LEGACY, start=1):
        for name in ("units", "participation"):
            expected = sorted(version.tables[name].itertuples(index=False, name=None))
            got = [row[: len(version.tables[name].columns)] for row in rows(target, number, name)]
            assert got == expected, (number, name)
    originals = target.manifest(2).info.details["originals"]
    assert [uri.rsplit("/", 1)[1] for uri in originals] == ["01-bao-cao-2020.xlsx"]
    # the migrated history works: undoing the first import empties the tables
    undo(target, "20250101080000-aaaaaa")
    assert rows(target, target.version(), "participation") == []
    assert table_heads(target) == target.manifest(target.version()).snapshots


def test_migrate_refuses_a_catalog_that_holds_data_and_resumes_with_force(tmp_path: Path) -> None:
    source = write_legacy(tmp_path / "old", LEGACY)
    target = Store(tmp_path / "data")
    assert migrate(source, target) == 3

    with pytest.raises(StoreError) as refused:
        migrate(source, target)
    assert refused.value.key == "store.catalog_not_empty"
    assert target.version() == 3

    assert migrate(source, target, force=True) == 0  # every version is there already
    assert [entry.commit_id for entry in history(target)] == [v.commit_id for v in reversed(LEGACY)]


def test_migrate_through_the_command_line(tmp_path: Path) -> None:
    source = write_legacy(tmp_path / "old", LEGACY)
    command = [sys.executable, "-m", "dashkit.cli.main", "--lang", "en"]
    done = subprocess.run(
        [*command, "migrate", "--from", str(source), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3 versions" in done.stdout
    again = subprocess.run(
        [*command, "migrate", "--from", str(source), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1
    assert "already holds dashkit data" in again.stderr and "Traceback" not in again.stderr
    missing = subprocess.run(
        [
            *command,
            "migrate",
            "--from",
            str(tmp_path / "nowhere"),
            "--data-dir",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "has no CURRENT file" in missing.stderr


def referenced_data_files(store: Store) -> set[str]:
    """The data files of every snapshot some version pins, read through pyiceberg."""
    catalog = outside_catalog(store)
    assert catalog is not None
    found: set[str] = set()
    for manifest in store.history():
        for name, snapshot in manifest.snapshots.items():
            if snapshot is not None:
                table = catalog.load_table(("dashkit", name))
                found |= {
                    task.file.file_path for task in table.scan(snapshot_id=snapshot).plan_files()
                }
    return found


def data_files_in_the_warehouse(store: Store) -> set[str]:
    if store.choice.embedded:
        folder = store.root / "warehouse"
        return {path.as_uri() for path in folder.rglob("*.parquet") if "/data/" in path.as_posix()}
    prefix = f"s3://warehouse/{store.choice.name}"
    return {prefix + path for path in warehouse_files(store) if "/data/" in path}


def test_maintain_removes_what_failed_commits_left_and_keeps_every_version(tmp_path: Path) -> None:
    from tests.integration.test_store import commit_behind_the_log, refused_log_rows

    store = Store(tmp_path / "data")
    store.commit(
        [TableWrite("units", UNITS), TableWrite("participation", FIRST)],
        CommitInfo(op="import", source="a.csv"),
    )
    second = store.commit(
        [TableWrite("participation", SECOND)], CommitInfo(op="import", source="b.csv")
    )
    with refused_log_rows(store), pytest.raises(StoreError):  # a failed commit
        store.commit(
            [TableWrite("participation", participation((2021, "U2", "worker", 5, 5)))],
            CommitInfo(op="import", source="c.csv"),
        )
    commit_behind_the_log(store, (2022, "U1", "worker", 3, 3))  # a writer killed mid-commit
    versions = {v: rows(store, v, "participation") for v in (1, 2)}
    assert data_files_in_the_warehouse(store) - referenced_data_files(store), (
        "the failures left no file behind: this test proves nothing"
    )

    report = maintain(store)

    assert "participation" in report.repaired
    assert report.expired_snapshots >= 1 and report.removed_files >= 1
    assert data_files_in_the_warehouse(store) == referenced_data_files(store)
    assert {v: rows(store, v, "participation") for v in (1, 2)} == versions
    assert table_heads(store) == store.manifest(2).snapshots
    again = maintain(store)
    assert (again.expired_snapshots, again.removed_files, again.repaired) == (0, 0, ())
    # every version is still there to undo to
    undo(store, str(second.commit_id))
    assert rows(store, store.version(), "participation") == versions[1]
    assert json.loads(store.manifest(store.version()).to_json())["info"]["op"] == "undo"
