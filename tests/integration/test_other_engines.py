"""Other engines read dashkit's tables: pyiceberg alone (no dashkit code) reads every table of
the store, at its current snapshot, and gets the rows dashkit shows, on both catalogs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from dashkit.demo import write_demo
from dashkit.schema import TABLES
from dashkit.store import CommitInfo, Store, TableWrite
from tests.support.stores import outside_catalog

pytestmark = pytest.mark.usefixtures("catalog_kind")


def rows_of(table: pa.Table) -> list[tuple[object, ...]]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


def test_pyiceberg_alone_reads_every_table_with_the_rows_dashkit_shows(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    write_demo(store)
    # a second commit that rewrites one year of one table and leaves the others as they were
    changed = store.snapshot().frame("SELECT * FROM participation WHERE year = 2018")
    changed["completed"] = changed["eligible"]
    store.commit([TableWrite("participation", changed)], CommitInfo(op="import", source="x"))

    catalog = outside_catalog(store)
    assert catalog is not None
    snapshot = store.snapshot()
    for name, table in TABLES.items():
        iceberg = catalog.load_table(("dashkit", name))
        assert [field.name for field in iceberg.schema().fields] == list(table.column_names)
        read = iceberg.scan().to_arrow()
        columns = ", ".join(table.column_names)
        expected = sorted(snapshot.rows(f"SELECT {columns} FROM {name}"))
        assert len(expected) > 0, f"the demo has no {name}: this test proves nothing"
        assert rows_of(read) == expected, name
    # an earlier version is an earlier Iceberg snapshot, which pyiceberg reads too
    first = store.manifest(1).snapshots["participation"]
    assert first is not None
    earlier = catalog.load_table(("dashkit", "participation")).scan(snapshot_id=first).to_arrow()
    columns = ", ".join(TABLES["participation"].column_names)
    assert rows_of(earlier) == sorted(
        store.snapshot(1).rows(f"SELECT {columns} FROM participation")
    )
    assert rows_of(earlier) != rows_of(
        catalog.load_table(("dashkit", "participation")).scan().to_arrow()
    )
