"""The store of record: Parquet files under a data directory, read through DuckDB.

Contract:
- Every commit writes a complete new *version* (``versions/v00000042/``: one Parquet file per
  table, unchanged tables hard-linked, and a ``manifest.json``) beside the old ones, then swaps a
  one-line ``CURRENT`` pointer with an atomic rename. A reader resolves ``CURRENT`` once and reads
  that version's immutable files, so it never sees half a write; a crash before the swap leaves
  the old version current and the leftovers are cleaned by the next writer.
- Writers take a cross-process file lock and merge against the version that is current *under
  the lock*, so concurrent imports never lose an update.
- The version number is the data version that every cache keys on.
- History is the chain of manifests reachable from ``CURRENT``: it commits in the same rename as
  the data, so the two can never disagree. Undo writes a new version whose files are those of an
  earlier one (see ``Store.restore``).
- The data directory path is the only thing the rest of the code knows about where data lives.
"""

from __future__ import annotations

from dashkit.store.history import HistoryEntry, history, rolled_back_by_undo, undo
from dashkit.store.layout import resolve_data_dir
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
