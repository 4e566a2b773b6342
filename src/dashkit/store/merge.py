"""What a write does to one table's data files, worked out in DuckDB before anything commits.

Contract: ``plan_write`` checks the incoming rows (``rows.validate``), counts what they change,
and writes the table's new data files into ``staging``: one file per partition (year) that the
write touches. Its plan names the current files to drop and the new ones to add; files of
partitions the write does not touch stay as they are, so an import of one year rewrites that
year only. ``plan_restore`` counts what making a table equal to an earlier file set changes.
Nothing here commits: the store turns a plan into one Iceberg snapshot per table.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashkit.schema import Table
from dashkit.store.catalog import partition_sql
from dashkit.store.manifest import TableCounts
from dashkit.store.rows import (
    CheckedRows,
    TableWrite,
    copy_to_parquet,
    count,
    diff_counts,
    fill_kept,
    matched_files,
    run,
    stage_incoming,
    validate,
)
from dashkit.store.snapshot import empty_select, parquet_select, read_parquet_sql
from dashkit.store.work import work_cursor

MAX_FILES_PER_PARTITION = 8  # more, and the next write into that partition compacts it
PARTITION_COLUMN = "dashkit_partition"  # the partition value while files are written


@dataclass(frozen=True)
class TablePlan:
    counts: TableCounts
    remove: tuple[Path, ...] = ()  # current data files the new snapshot drops
    add: tuple[Path, ...] = ()  # new data files, in staging

    @property
    def changed(self) -> bool:
        return self.counts.changed


def table_select(table: Table, files: Sequence[Path]) -> str:
    return parquet_select(files) if files else empty_select(table)


def write_table_file(table: Table, files: Sequence[Path], target: Path) -> Path:
    """A table's files (none: an empty table) as one Parquet file at ``target``."""
    connection = work_cursor()
    try:
        copy_to_parquet(connection, table_select(table, files), table, target)
    finally:
        connection.close()
    return target


def plan_write(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    write: TableWrite,
    current: Sequence[Path],
    staging: Path,
) -> TablePlan:
    old_select = table_select(table, current)
    incoming = stage_incoming(connection, table, write.rows, marker=bool(write.keep))
    as_given = incoming
    if write.keep and write.mode == "upsert":
        incoming = fill_kept(connection, table, incoming, old_select, write.keep)
    rows = write.rows
    if not (  # rows the store checked already, as they are, need no second check
        isinstance(rows, CheckedRows)
        and rows.table == table.name
        and incoming == as_given
        and rows.unchanged()
    ):
        validate(connection, table, incoming)
    upsert = write.mode == "upsert"
    counts = diff_counts(connection, table, f"SELECT * FROM {incoming}", old_select, upsert=upsert)
    if not counts.changed:
        return TablePlan(counts)
    if not upsert:
        added = write_by_partition(
            connection, table, f"SELECT * FROM {incoming}", staging / table.name
        )
        return TablePlan(counts, tuple(current), added)
    rewritten = _files_to_rewrite(
        connection, table, incoming, current, overlaps=bool(counts.replaced or counts.unchanged)
    )
    if not rewritten and incoming == as_given and (files := _partition_files(write.rows)):
        # checked rows already written one file per partition: added as they are
        return TablePlan(counts, (), _linked(files, staging / table.name))
    new_rows = f"SELECT * FROM {incoming}"
    if rewritten:
        new_rows = (
            f"SELECT * FROM ({parquet_select(rewritten)}) AS old WHERE NOT EXISTS "
            f"(SELECT 1 FROM {incoming} AS new WHERE {table.key_match('new', 'old')}) "
            f"UNION ALL {new_rows}"
        )
    added = write_by_partition(connection, table, new_rows, staging / table.name)
    return TablePlan(counts, rewritten, added)


def plan_restore(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    target: Sequence[Path],
    current: Sequence[Path],
) -> TableCounts:
    if set(target) == set(current):
        rows = count(connection, table_select(table, current))
        return TableCounts(unchanged=rows, rows=rows)
    return diff_counts(connection, table, table_select(table, target), table_select(table, current))


def _partition_files(rows: object) -> tuple[Path, ...]:
    """The files of checked rows that ``write_by_partition`` wrote, unchanged since their
    check; () for any other rows."""
    if isinstance(rows, CheckedRows) and rows.by_partition and rows.unchanged():
        return matched_files(rows.path)
    return ()


def _linked(files: Sequence[Path], folder: Path) -> tuple[Path, ...]:
    """The files linked (or copied) into ``folder`` under new names (the caller keeps theirs)."""
    folder.mkdir(parents=True, exist_ok=True)
    linked = []
    for path in files:
        value = path.name.split("-", 1)[0]
        target = folder / f"{value}-{uuid.uuid4().hex}.parquet"
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        linked.append(target)
    return tuple(linked)


def _files_to_rewrite(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    incoming: str,
    current: Sequence[Path],
    *,
    overlaps: bool,
) -> tuple[Path, ...]:
    """The current files holding a row the incoming rows replace, and every file of a
    partition that would otherwise hold more than ``MAX_FILES_PER_PARTITION`` files."""
    if not current:
        return ()
    part = partition_sql(table.name)
    listed = read_parquet_sql(current)[:-1] + ", filename = true)"
    file_parts = dict(
        connection.execute(
            f"SELECT filename, min({part}) FROM {listed} GROUP BY filename"
        ).fetchall()
    )
    touched: set[str] = set()
    if overlaps:
        touched = {
            str(row[0])
            for row in connection.execute(
                f"SELECT DISTINCT filename FROM {listed} AS old WHERE EXISTS "
                f"(SELECT 1 FROM {incoming} AS new WHERE {table.key_match('new', 'old')})"
            ).fetchall()
        }
    incoming_parts = {
        row[0] for row in connection.execute(f"SELECT DISTINCT {part} FROM {incoming}").fetchall()
    }
    for value in incoming_parts:
        in_partition = {name for name, file_part in file_parts.items() if file_part == value}
        if len(in_partition - touched) + 1 > MAX_FILES_PER_PARTITION:
            touched |= in_partition
    return tuple(path for path in current if str(path) in touched)


def write_by_partition(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    select: str,
    folder: Path,
    *,
    compression: str = "zstd",
    sort: bool = True,
) -> tuple[Path, ...]:
    """The rows of ``select`` as one file per partition value (``<value>-<id>.parquet``) in
    ``folder``, sorted by the table's order unless not ``sort``
    (an import's rows in the file's order: rows of a year usually come together): one pass of
    DuckDB's partitioned write (the partition value is a column of its own, not written)."""
    part = partition_sql(table.name)
    order = f" ORDER BY {', '.join(table.sort_by) or 'ALL'}" if sort else ""
    quoted = "'" + str(folder).replace("'", "''") + "'"
    run(
        connection,
        f"COPY (SELECT *, {part} AS {PARTITION_COLUMN} FROM ({select}){order}) "
        f"TO {quoted} (FORMAT parquet, COMPRESSION {compression}, "
        f"PARTITION_BY ({PARTITION_COLUMN}))",
    )
    written: list[Path] = []
    for path in sorted(folder.glob(f"{PARTITION_COLUMN}=*/*.parquet")):
        value = path.parent.name.split("=", 1)[1]
        named = folder / f"{value}-{uuid.uuid4().hex}.parquet"
        path.replace(named)
        if not any(path.parent.iterdir()):
            path.parent.rmdir()
        written.append(named)
    return tuple(written)
