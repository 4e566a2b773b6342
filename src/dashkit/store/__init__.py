"""The store of record: Apache Iceberg tables in a catalog, read through DuckDB.

Contract:
- The five contract tables are Iceberg tables (pyiceberg) in a SQL catalog: by default an
  embedded one (SQLite ``catalog.db`` and a ``warehouse/`` folder in the data directory); for a
  shared deployment a catalog on PostgreSQL with its data files on S3-compatible storage,
  configured the way pyiceberg users do and picked by name (``store.catalog``).
- A *version* is a row of dashkit's commit log in the catalog's own database (``store.log``):
  it pins each table's Iceberg snapshot. Readers resolve the newest version once and read each
  table at its pinned snapshot, so an import of several tables appears at once or not at all;
  the version number is the data version every cache keys on.
- Writers hold the writers' lock (``store.lock``, across processes and machines), work out in
  DuckDB what each table's files become against the pinned state (``store.merge``), commit one
  snapshot per changed table and publish the log row last. A writer killed before that row
  changes nothing visible; the next writer puts the tables back to their pins.
- History is the log, newest first. Undo is a new version whose tables are those of an earlier
  one (see ``Store.restore``); the original files of each import are kept in the warehouse.
- Data files are immutable: a remote one is read from a local copy, fetched once (``store.files``).
"""

from __future__ import annotations

from dashkit.store.history import HistoryEntry, history, rolled_back_by_undo, undo
from dashkit.store.location import resolve_data_dir
from dashkit.store.manifest import CommitInfo, Manifest, TableCounts
from dashkit.store.settings import read_mappings, remember_mapping
from dashkit.store.snapshot import Snapshot, read_parquet_sql
from dashkit.store.store import (
    ABSENT_MARKER,
    CheckedRows,
    CommitResult,
    Store,
    TableWrite,
    check_rows,
)
from dashkit.store.work import work_cursor

__all__ = [
    "ABSENT_MARKER",
    "CheckedRows",
    "CommitInfo",
    "CommitResult",
    "HistoryEntry",
    "Manifest",
    "Snapshot",
    "Store",
    "TableCounts",
    "TableWrite",
    "check_rows",
    "history",
    "read_mappings",
    "read_parquet_sql",
    "remember_mapping",
    "resolve_data_dir",
    "rolled_back_by_undo",
    "undo",
    "work_cursor",
]
