"""Rows on their way into the store, checked and compared in DuckDB, whatever stores them.

Contract: ``stage_incoming`` gives a relation of the incoming rows with exactly the contract's
columns and types; ``validate`` raises ``DataError`` on the first rule they break (nothing is
written before it passed); ``fill_kept`` fills the cells a file did not carry from the stored
row of the same key; ``diff_counts`` says what a write does to a table, by key. All of it runs
on a work cursor next to the data: pandas never holds the rows.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

import duckdb
import pandas as pd
import pyarrow as pa

from dashkit.errors import DataError
from dashkit.schema import TABLES, Table
from dashkit.store.manifest import TableCounts
from dashkit.store.snapshot import parquet_select

log = logging.getLogger(__name__)

SAMPLE_LIMIT = 5
ABSENT_MARKER = "__absent"  # per-row list of the ``keep`` columns its file did not have


@dataclass(frozen=True)
class CheckedRows:
    """A Parquet file of a table's rows (or a ``*.parquet`` pattern of files in one folder)
    that ``check_rows`` found keeping the contract. A commit of it checks it again only if a
    file changed since (its inode, size or time differ, or files came or went) or if rows it
    replaces had stored values filled in (``TableWrite.keep``). ``by_partition``: the files
    were written by ``store.merge.write_by_partition`` (one partition each, named by it), so a
    commit that adds them as they are links them in."""

    table: str
    path: Path
    stamp: tuple[tuple[str, int, int, int], ...]
    by_partition: bool = False

    def unchanged(self) -> bool:
        return file_stamp(self.path) == self.stamp


Rows: TypeAlias = "pa.Table | pd.DataFrame | Path | CheckedRows"


@dataclass(frozen=True)
class TableWrite:
    """New rows for one table. ``replace`` swaps the whole table; ``upsert`` merges by key.

    ``keep``: columns the rows may not carry (a file without them): where such a cell is empty,
    a row that replaces a stored one keeps the stored value. Filled under the writers' lock from
    the version the commit lands on, so a commit in between is never undone by this one. Rows
    from several files may say which of them lacked which column, in a list column ``__absent``
    (``ABSENT_MARKER``): then only those rows keep the stored values, and an empty cell of a file
    that has the column empties it.

    A Parquet file given as ``rows`` with exactly the contract's columns may be hard-linked into
    the new version: the caller must not write to that path afterwards (delete it at will).
    """

    table: str
    rows: Rows
    mode: Literal["replace", "upsert"] = "upsert"
    keep: tuple[str, ...] = ()


def fill_kept(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    incoming: str,
    old_select: str,
    keep: Sequence[str],
) -> str:
    """``incoming`` with its empty ``keep`` cells (or, with ``ABSENT_MARKER``, the cells of the
    columns its row's file lacked) taken from the stored row of the same key. The same relation
    when no incoming row replaces a stored one (a new year, say) and there is no marker."""
    described = connection.execute(f"DESCRIBE SELECT * FROM {incoming}").fetchall()
    marked = ABSENT_MARKER in {str(row[0]) for row in described}
    match = table.key_match("n", "o")
    stored = table.key_candidates(old_select, incoming)
    if not marked and (
        # no stored row in the incoming rows' years (a new year): nothing to join at all
        not count(connection, f"SELECT 1 FROM ({stored}) LIMIT 1")
        or not count(connection, f"SELECT 1 FROM {incoming} AS n JOIN ({stored}) AS o ON {match}")
    ):
        return incoming

    def kept(name: str) -> str:
        if name not in keep:
            return f"n.{name}"
        if marked:
            return f"CASE WHEN list_contains(n.{ABSENT_MARKER}, '{name}') THEN o.{name} ELSE n.{name} END"
        return f"coalesce(n.{name}, o.{name})"

    columns = ", ".join(f"{kept(column.name)} AS {column.name}" for column in table.stored_columns)
    filled = f"kept_{table.name}"
    run(
        connection,
        f"CREATE OR REPLACE TEMP TABLE {filled} AS SELECT {columns} "
        f"FROM {incoming} AS n LEFT JOIN ({old_select}) AS o ON {match}",
    )
    return filled


def has_contract_schema(connection: duckdb.DuckDBPyConnection, table: Table, path: Path) -> bool:
    described = connection.execute(f"DESCRIBE {parquet_select(path)}").fetchall()
    expected = [(column.name, column.kind.sql_type) for column in table.stored_columns]
    return [(str(row[0]), str(row[1])) for row in described] == expected


def stage_incoming(
    connection: duckdb.DuckDBPyConnection, table: Table, rows: Rows, *, marker: bool = False
) -> str:
    """The incoming rows with exactly the contract's columns and types: a Parquet file that
    has them is read where it is; anything else is loaded into a temp table (with the rows'
    ``ABSENT_MARKER`` when ``marker`` and they have one, for ``_fill_kept``)."""
    staged, raw_name = incoming_names(table)
    rows = path_of(rows)
    if isinstance(rows, Path):
        if has_contract_schema(connection, table, rows):
            run(connection, f"CREATE OR REPLACE TEMP VIEW {staged} AS {parquet_select(rows)}")
            return staged
        run(connection, f"CREATE OR REPLACE TEMP VIEW {raw_name} AS {parquet_select(rows)}")
    else:
        connection.register(raw_name, rows)
    present = {
        str(row[0]) for row in connection.execute(f"DESCRIBE SELECT * FROM {raw_name}").fetchall()
    }
    columns = ", ".join(
        f"CAST({column.name} AS {column.kind.sql_type}) AS {column.name}"
        if column.name in present
        else f"CAST(NULL AS {column.kind.sql_type}) AS {column.name}"
        for column in table.stored_columns
    )
    if marker and ABSENT_MARKER in present:
        columns += f", CAST({ABSENT_MARKER} AS VARCHAR[]) AS {ABSENT_MARKER}"
    try:
        run(
            connection, f"CREATE OR REPLACE TEMP TABLE {staged} AS SELECT {columns} FROM {raw_name}"
        )
    except duckdb.ConversionException as error:
        log.error("table %s: a value of the wrong type: %s", table.name, error)
        raise DataError(
            "store.bad_type", table=table.name, detail=str(error).splitlines()[0]
        ) from error
    return staged


def check_rows(
    connection: duckdb.DuckDBPyConnection,
    table_name: str,
    path: Path,
    *,
    by_partition: bool = False,
) -> CheckedRows:
    """Check the rows of ``table_name`` in the Parquet file at ``path`` against the contract,
    as a commit does (``DataError`` on the first broken rule); a commit of the returned rows
    does not check them a second time. ``connection``: any connection (a temporary view of
    the rows is made on it, then dropped)."""
    table = TABLES[table_name]
    stamp = file_stamp(path)
    staged = stage_incoming(connection, table, path)
    try:
        validate(connection, table, staged)
    finally:
        unstage_incoming(connection, table)
    return CheckedRows(table_name, path, stamp, by_partition)


def file_stamp(path: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Name, inode, size and time of the file, or of every file the pattern matches."""
    files = sorted(path.parent.glob(path.name)) if "*" in path.name else [path]
    stamps = []
    for each in files:
        status = each.stat()
        stamps.append((each.name, status.st_ino, status.st_size, status.st_mtime_ns))
    return tuple(stamps)


def matched_files(path: Path) -> tuple[Path, ...]:
    """The files a path names: itself, or those its ``*.parquet`` pattern matches."""
    return tuple(sorted(path.parent.glob(path.name))) if "*" in path.name else (path,)


def path_of(rows: Rows) -> pa.Table | pd.DataFrame | Path:
    return rows.path if isinstance(rows, CheckedRows) else rows


def incoming_names(table: Table) -> tuple[str, str]:
    """The incoming rows as ``_stage_incoming`` names them, and the raw rows they come from."""
    return f"incoming_{table.name}", f"raw_{table.name}"


def unstage_incoming(connection: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Drop what ``_stage_incoming`` made: a view of the file, or a table of its rows retyped
    from a view of the file."""
    staged, raw_name = incoming_names(table)
    for kind, relation in (("VIEW", staged), ("TABLE", staged), ("VIEW", raw_name)):
        with contextlib.suppress(duckdb.CatalogException):  # the other kind had the name
            run(connection, f"DROP {kind} IF EXISTS {relation}")


def validate(connection: duckdb.DuckDBPyConnection, table: Table, staged: str) -> None:
    """Every rule in one pass over the rows; the rows breaking the first broken rule are
    then fetched for the message."""
    # (how broken rows are counted, which rows break it, the rule's name): empty cells are
    # counted as count(*) - count(column), which Parquet's statistics answer without reading a
    # text column's values
    rules = [
        (f"count(*) - count({column.name})", f"{column.name} IS NULL", f"required_{column.name}")
        for column in table.stored_columns
        if column.required
    ] + [
        (f"count(*) FILTER (WHERE NOT ({check.sql}))", f"NOT ({check.sql})", check.name)
        for check in table.range_checks()
    ]
    key = ", ".join(table.key)
    # distinct hashes prove distinct keys; equal hashes (a repeated key, or very rarely two
    # keys with one hash) are then counted exactly
    counts = connection.execute(
        "SELECT "
        + ", ".join(count for count, _, _ in rules)
        + f", count(*) - count(DISTINCT hash({key})) FROM {staged}"
    ).fetchall()[0]
    for (_, predicate, rule), broken in zip(rules, counts, strict=False):
        if broken:
            raise_on_rows(connection, table, staged, predicate, rule)
    if counts[-1] and count(
        connection, f"SELECT {key} FROM {staged} GROUP BY ALL HAVING count(*) > 1"
    ):
        duplicates = connection.execute(
            f"SELECT {key}, count(*) AS n FROM {staged} GROUP BY ALL HAVING count(*) > 1 LIMIT {SAMPLE_LIMIT}"
        ).fetchall()
        sample = [row[:-1] for row in duplicates]
        log.error("table %s: rows with the same key: %r", table.name, sample)
        raise DataError("store.duplicate_key", table=table.name, sample=sample)


def raise_on_rows(
    connection: duckdb.DuckDBPyConnection, table: Table, staged: str, predicate: str, rule: str
) -> None:
    bad = connection.execute(
        f"SELECT * FROM {staged} WHERE {predicate} LIMIT {SAMPLE_LIMIT}"
    ).fetchall()
    # the user reads a plain sentence: the rule and the rows are for whoever fixes the bug
    log.error("table %s: rows break the rule %s: %r", table.name, rule, bad)
    raise DataError("store.rule_broken", table=table.name, rule=rule, sample=bad)


def diff_counts(
    connection: duckdb.DuckDBPyConnection,
    table: Table,
    new: str,
    old_select: str,
    *,
    upsert: bool = False,
) -> TableCounts:
    """How the rows of ``new`` relate to the old table, by key; ``deleted`` only for a replace."""
    new_from = f"({new})"
    same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM o.{c}" for c in table.column_names)
    candidates = table.key_candidates(old_select, new_from)
    if upsert and not count(connection, f"SELECT 1 FROM ({candidates}) LIMIT 1"):
        # no stored row can share a key (a new year's rows): every row is new
        inserted, replaced, unchanged = count(connection, new), 0, 0
    else:
        inserted, replaced, unchanged = connection.execute(
            f"SELECT count(*) FILTER (WHERE o._present IS NULL), "
            f"count(*) FILTER (WHERE o._present AND NOT ({same})), "
            f"count(*) FILTER (WHERE o._present AND ({same})) "
            f"FROM {new_from} AS n LEFT JOIN (SELECT *, true AS _present FROM ({candidates})) AS o "
            f"ON {table.key_match('n', 'o')}"
        ).fetchall()[0]
    deleted = 0
    if not upsert:
        deleted = count(
            connection,
            f"SELECT * FROM ({old_select}) AS o WHERE NOT EXISTS "
            f"(SELECT 1 FROM {new_from} AS n WHERE {table.key_match('n', 'o')})",
        )
    rows = count(connection, old_select) - deleted + int(inserted)
    return TableCounts(int(inserted), int(replaced), int(unchanged), deleted, rows)


def copy_to_parquet(
    connection: duckdb.DuckDBPyConnection, select: str, table: Table, target: Path
) -> None:
    order = ", ".join(table.sort_by) or "ALL"
    path = "'" + str(target).replace("'", "''") + "'"
    run(
        connection,
        f"COPY (SELECT * FROM ({select}) ORDER BY {order}) TO {path} (FORMAT parquet, COMPRESSION zstd)",
    )


def count(connection: duckdb.DuckDBPyConnection, select: str) -> int:
    return int(connection.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0])


def run(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a statement and drain its result: DuckDB refuses new work while one is pending."""
    connection.execute(sql).fetchall()
