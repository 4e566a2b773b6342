"""Copy the data of one store into another: the current tables as one commit.

Contract: ``copy_current(source, target, info)`` commits each of ``source``'s tables, as it is
at the current version, into ``target`` (each table replaced), checked like any commit. An
embedded store cannot be copied as a folder (Iceberg's metadata names its files by absolute
path): this is how a copy is made.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashkit.schema import TABLES
from dashkit.store.manifest import CommitInfo
from dashkit.store.merge import write_table_file
from dashkit.store.rows import TableWrite
from dashkit.store.store import CommitResult, Store


def copy_current(source: Store, target: Store, info: CommitInfo) -> CommitResult:
    snapshot = source.snapshot()
    with tempfile.TemporaryDirectory(prefix="dashkit-copy-") as folder:
        writes = [
            TableWrite(
                name,
                write_table_file(
                    table, snapshot.files.get(name, ()), Path(folder) / f"{name}.parquet"
                ),
                mode="replace",
            )
            for name, table in TABLES.items()
        ]
        return target.commit(writes, info)
