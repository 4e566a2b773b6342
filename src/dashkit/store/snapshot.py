"""A read-only view of one version of the store, queried with DuckDB SQL.

The five tables appear as views of the same names over that version's Parquet files (a table's
segments together; a table with no file yet is an empty view with the contract's columns), so
queries are plain SQL and never name a path. All snapshots of a process share one in-memory
DuckDB database (one buffer pool, one Parquet metadata cache; opening a snapshot costs a few
views, not a database): each snapshot's views live in a schema of its own, dropped when the
snapshot is, and its cursors search that schema. Each thread gets its own cursor, because a
DuckDB connection must not be shared across threads (Streamlit serves every session from its
own thread).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashkit.schema import TABLES, Table

Params = Sequence[Any] | Mapping[str, Any] | None


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def empty_select(table: Table) -> str:
    """A typed zero-row SELECT with the table's stored columns."""
    columns = ", ".join(
        f"CAST(NULL AS {column.kind.sql_type}) AS {column.name}" for column in table.stored_columns
    )
    return f"SELECT {columns} LIMIT 0"


def read_parquet_sql(paths: Path | Sequence[Path]) -> str:
    """``read_parquet([...])`` of one Parquet file, or of a table's segment files together."""
    listed = [paths] if isinstance(paths, Path) else list(paths)
    return "read_parquet([" + ", ".join(_sql_literal(str(path)) for path in listed) + "])"


def parquet_select(paths: Path | Sequence[Path]) -> str:
    """The rows of one Parquet file, or of a table's segment files together."""
    return f"SELECT * FROM {read_parquet_sql(paths)}"


_database: duckdb.DuckDBPyConnection | None = None
_database_guard = threading.RLock()  # re-entrant: a finalizer may run inside a held section
_schema_numbers = itertools.count(1)


def _shared_database() -> duckdb.DuckDBPyConnection:
    global _database  # noqa: PLW0603 - one database per process, made on first use
    with _database_guard:
        if _database is None:
            database = duckdb.connect(":memory:")
            database.execute("SET parquet_metadata_cache = true").fetchall()
            _database = database
        return _database


def _drop_schema(schema: str) -> None:
    with _database_guard:
        if _database is not None:
            _database.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE").fetchall()


class Snapshot:
    """The tables as they were at ``version``; cheap to create, safe to share across threads."""

    def __init__(self, version: int, files: Mapping[str, Sequence[Path]]) -> None:
        self.version = version
        self.files = {name: tuple(paths) for name, paths in files.items()}  # segments per table
        self._schema: str | None = None
        self._guard = threading.Lock()
        self._local = threading.local()

    def _open(self) -> str:
        with self._guard:
            if self._schema is None:
                schema = f"snapshot_{next(_schema_numbers)}"
                cursor = _shared_database().cursor()
                try:
                    cursor.execute(f"CREATE SCHEMA {schema}").fetchall()
                    weakref.finalize(self, _drop_schema, schema)  # dropped even if a view fails
                    for name, table in TABLES.items():
                        paths = self.files.get(name)
                        source = parquet_select(paths) if paths else empty_select(table)
                        cursor.execute(f"CREATE VIEW {schema}.{name} AS {source}").fetchall()
                finally:
                    cursor.close()
                self._schema = schema
            return self._schema

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the snapshot's views (private: a cursor kept after its
        snapshot is gone would find the views dropped)."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            schema = self._open()
            cursor = _shared_database().cursor()
            cursor.execute(f"SET search_path = '{schema}'").fetchall()
            self._local.cursor = cursor
        return cursor

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Run ``sql`` and return its (small, aggregated) result as a DataFrame."""
        return self._cursor().execute(sql, params).fetchdf()

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._cursor().execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Params = None) -> Any:
        # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses new work.
        rows = self._cursor().execute(sql, params).fetchall()
        return rows[0][0] if rows else None
