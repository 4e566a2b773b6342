"""The ``Store``: open a data directory, read snapshots, commit new versions, restore old ones.

See the package docstring for the on-disk contract. Everything that writes goes through
``_write_version``: it builds a version in a temporary directory, fsyncs it, renames it into
place and only then swaps ``CURRENT``; any failure before the swap removes the temporary
directory and leaves the store exactly as it was.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeAlias

import duckdb
import pandas as pd
import pyarrow as pa
from filelock import FileLock, Timeout

from dashkit.errors import DataError, StoreError
from dashkit.schema import TABLES, Table
from dashkit.store.fsio import fsync_dir, fsync_file, link_or_copy, write_atomic
from dashkit.store.layout import ORIGINALS, TMP_PREFIX, Layout, segment_file
from dashkit.store.manifest import CommitInfo, Manifest, TableCounts
from dashkit.store.snapshot import Snapshot, empty_select, parquet_select
from dashkit.store.work import work_cursor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedRows:
    """A Parquet file of a table's rows that ``check_rows`` found keeping the contract. A
    commit of it checks it again only if the file changed since (its inode, size or time
    differ) or if rows it replaces had stored values filled in (``TableWrite.keep``)."""

    table: str
    path: Path
    stamp: tuple[int, int, int]

    def unchanged(self) -> bool:
        return _stamp(self.path) == self.stamp


Rows: TypeAlias = "pa.Table | pd.DataFrame | Path | CheckedRows"
LOCK_TIMEOUT_SECONDS = 120.0
_SAMPLE_LIMIT = 5
ABSENT_MARKER = "__absent"  # per-row list of the ``keep`` columns its file did not have
MAX_SEGMENTS = 8  # per table; more, and the next upsert writes the table as one file again
# One lock per data directory and process, on top of the file lock, so that threads of one
# server queue politely instead of spinning on the file lock.
_process_locks: dict[Path, threading.Lock] = {}
_process_locks_guard = threading.Lock()


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


@dataclass(frozen=True)
class CommitResult:
    version: int  # the current version after the commit
    commit_id: str | None  # None when nothing changed and no version was written
    tables: dict[str, TableCounts]

    @property
    def changed(self) -> bool:
        return self.commit_id is not None


class Store:
    """A data directory of versioned Parquet tables."""

    def __init__(self, root: Path) -> None:
        self.layout = Layout(Path(root))

    @property
    def root(self) -> Path:
        return self.layout.root

    # -- reading ---------------------------------------------------------------------------

    def version(self) -> int:
        """The current data version; 0 for a directory that was never written."""
        try:
            text = self.layout.current.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return 0
        except OSError as error:
            raise StoreError(
                "store.unreadable", path=str(self.root), reason=error.strerror
            ) from error
        if not text.isdigit():
            raise StoreError("store.corrupt", path=str(self.layout.current))
        return int(text)

    def is_empty(self) -> bool:
        return self.version() == 0

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The tables at ``version`` (default: the current one)."""
        version = self.version() if version is None else version
        return Snapshot(version, {name: self.layout.table_files(version, name) for name in TABLES})

    def manifest(self, version: int) -> Manifest:
        try:
            return Manifest.read(self.layout.manifest_file(version))
        except FileNotFoundError as error:
            raise StoreError("store.no_version", version=version) from error

    def history(self) -> list[Manifest]:
        """The commits that led to the current version, newest first."""
        entries: list[Manifest] = []
        version = self.version()
        while version > 0:
            manifest = self.manifest(version)
            entries.append(manifest)
            version = manifest.parent
        return entries

    # -- writing ---------------------------------------------------------------------------

    def commit(
        self,
        writes: Sequence[TableWrite],
        info: CommitInfo,
        originals: Sequence[tuple[str, Path]] = (),
    ) -> CommitResult:
        """Apply ``writes`` on top of the current version, all or nothing.

        Rows are checked against the contract (required columns, bounds, codes, row checks,
        unique keys) before anything is written; a violation raises ``DataError``. When no
        table would change, no version is written and ``commit_id`` is None. ``originals``
        (name, path) are the files the rows came from, kept in the version as imported.
        """
        for write in writes:
            if write.table not in TABLES:
                raise DataError("store.unknown_table", table=write.table)
        with self._locked():
            base = self.version()
            commit_id = _new_commit_id()

            def build(directory: Path) -> dict[str, TableCounts]:
                counts = _merge_tables(self.layout, base, directory, writes)
                _keep_originals(directory, originals)
                return counts

            return self._write_version(base, commit_id, info, build, contains_from=base)

    def restore(self, version: int, info: CommitInfo) -> CommitResult:
        """Make the data equal to ``version``'s again, as a new version (so it can be undone too)."""
        with self._locked():
            base = self.version()
            if version < 0 or version > base:
                raise StoreError("store.no_version", version=version)
            if version > 0:
                self.manifest(version)  # fails clearly if that version is gone

            def build(directory: Path) -> dict[str, TableCounts]:
                return _copy_version(self.layout, version, base, directory)

            return self._write_version(base, _new_commit_id(), info, build, contains_from=version)

    def recover(self) -> list[str]:
        """Remove what a writer that died left behind; return the names removed."""
        with self._locked():
            return self._remove_leftovers(self.version())

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """The writers' lock, for small writes beside the versions (settings)."""
        return self._locked()

    # -- internals -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.layout.versions.mkdir(exist_ok=True)
        except OSError as error:
            raise _write_error(self.root, error) from error
        with _process_lock(self.root):
            lock = FileLock(str(self.layout.lock), timeout=LOCK_TIMEOUT_SECONDS)
            try:
                lock.acquire()
            except Timeout as error:
                raise StoreError("store.locked", path=str(self.root)) from error
            except OSError as error:
                raise _write_error(self.root, error) from error
            try:
                yield
            finally:
                lock.release()

    def _remove_leftovers(self, current: int) -> list[str]:
        removed: list[str] = []
        # a writer killed inside write_atomic leaves its ".CURRENT.<pid>.tmp" (or a settings
        # file's); only writers, who hold the lock, make them, so under the lock they are junk
        for entry in sorted(self.root.glob(".*.*.tmp")):
            pid = entry.name.rsplit(".", 2)[-2]
            if entry.is_file() and pid.isdigit() and not _process_alive(int(pid)):
                entry.unlink(missing_ok=True)
                removed.append(entry.name)
        for entry in sorted(self.layout.versions.iterdir()):
            number = Layout.version_of(entry.name)
            if entry.name.startswith(TMP_PREFIX) or (number is not None and number > current):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        return removed

    def _write_version(
        self,
        base: int,
        commit_id: str,
        info: CommitInfo,
        build: Callable[[Path], dict[str, TableCounts]],
        *,
        contains_from: int,
    ) -> CommitResult:
        self._remove_leftovers(base)
        staging = self.layout.versions / f"{TMP_PREFIX}{commit_id}"
        version = base + 1
        published = self.layout.version_dir(version)
        try:
            staging.mkdir()
            counts = build(staging)
            if not any(table_counts.changed for table_counts in counts.values()):
                shutil.rmtree(staging, ignore_errors=True)
                return CommitResult(version=base, commit_id=None, tables=counts)
            contained = self.manifest(contains_from).contains if contains_from > 0 else ()
            manifest = Manifest(
                version=version,
                parent=base,
                commit_id=commit_id,
                time=datetime.now(UTC).isoformat(timespec="seconds"),
                info=info,
                tables=counts,
                contains=(*contained, commit_id) if info.op != "undo" else contained,
            )
            (staging / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
            for path in staging.rglob("*"):
                if path.is_file():
                    fsync_file(path)
            fsync_dir(staging)
            staging.rename(published)
            fsync_dir(self.layout.versions)
            write_atomic(self.layout.current, f"{version}\n")
        except BaseException as error:
            # Until CURRENT names it, a version is nobody's: remove it whether or not it was
            # already renamed into place, so a failed commit leaves the directory as it was.
            shutil.rmtree(staging, ignore_errors=True)
            if self.version() == base:
                shutil.rmtree(published, ignore_errors=True)
            if isinstance(error, OSError):
                raise _write_error(self.root, error) from error
            if isinstance(error, duckdb.IOException):  # DuckDB writing a table's file
                raise _duckdb_write_error(self.root, error) from error
            raise
        return CommitResult(version=version, commit_id=commit_id, tables=counts)


def _keep_originals(directory: Path, originals: Sequence[tuple[str, Path]]) -> None:
    if not originals:
        return
    folder = directory / ORIGINALS
    folder.mkdir()
    for number, (name, path) in enumerate(originals, start=1):
        safe = Path(name).name.strip().lstrip(".") or "file"
        shutil.copyfile(path, folder / f"{number:02d}-{safe[:120]}")


def _process_lock(root: Path) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(root.resolve(), threading.Lock())


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie, killed but not reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    return True


def _new_commit_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _write_error(root: Path, error: OSError) -> StoreError:
    if error.errno == errno.ENOSPC:
        return StoreError("store.disk_full", path=str(root))
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError("store.read_only", path=str(root))
    return StoreError("store.write_failed", path=str(root), reason=error.strerror or str(error))


def _duckdb_write_error(root: Path, error: duckdb.IOException) -> StoreError:
    """DuckDB reports a failed write as text, not as an errno: read the cause from it."""
    text = str(error)
    if "No space left" in text or "Disk quota" in text:
        return StoreError("store.disk_full", path=str(root))
    if any(
        cause in text for cause in ("Read-only file system", "Permission denied", "not permitted")
    ):
        return StoreError("store.read_only", path=str(root))
    return StoreError("store.write_failed", path=str(root), reason=text.splitlines()[0][:200])


def _copy_version(layout: Layout, source: int, base: int, staging: Path) -> dict[str, TableCounts]:
    """Link ``source``'s files into ``staging``; counts say which tables differ from ``base``."""
    counts: dict[str, TableCounts] = {}
    connection = work_cursor()
    try:
        for name, table in TABLES.items():
            files = layout.table_files(source, name)
            for number, path in enumerate(files):
                link_or_copy(path, segment_file(staging, name, number))
            if files:
                new_select = parquet_select(files)
            else:
                new_select = empty_select(table)
                _copy_to_parquet(connection, new_select, table, segment_file(staging, name, 0))
            old_select = _existing_select(layout, base, table)
            counts[name] = _diff_counts(connection, table, new_select, old_select)
    finally:
        connection.close()
    return counts


def _existing_select(layout: Layout, version: int, table: Table) -> str:
    files = layout.table_files(version, table.name)
    return parquet_select(files) if files else empty_select(table)


def _merge_tables(
    layout: Layout, base: int, staging: Path, writes: Sequence[TableWrite]
) -> dict[str, TableCounts]:
    by_table = {write.table: write for write in writes}
    counts: dict[str, TableCounts] = {}
    connection = work_cursor()
    try:
        for name, table in TABLES.items():
            old_select = _existing_select(layout, base, table)
            write = by_table.get(name)
            if write is None:
                _carry_over(connection, layout, base, table, staging)
                counts[name] = TableCounts(rows=_count(connection, old_select))
                continue
            incoming = _stage_incoming(connection, table, write.rows, marker=bool(write.keep))
            as_given = incoming
            if write.keep and write.mode == "upsert":
                incoming = _fill_kept(connection, table, incoming, old_select, write.keep)
            rows = write.rows
            if not (  # rows the store checked already, as they are, need no second check
                isinstance(rows, CheckedRows)
                and rows.table == name
                and incoming == as_given
                and rows.unchanged()
            ):
                _validate(connection, table, incoming)
            counts[name] = _diff_counts(
                connection,
                table,
                f"SELECT * FROM {incoming}",
                old_select,
                upsert=write.mode == "upsert",
            )
            if not counts[name].changed:
                _carry_over(connection, layout, base, table, staging)
            elif write.mode == "replace":
                new_select = f"SELECT * FROM {incoming}"
                _copy_to_parquet(connection, new_select, table, segment_file(staging, name, 0))
            else:
                unchanged_file = _path_of(write.rows) if incoming == as_given else None
                _upsert_segments(
                    connection,
                    layout.table_files(base, name),
                    table,
                    incoming,
                    unchanged_file,
                    staging,
                    overlaps=bool(counts[name].replaced or counts[name].unchanged),
                )
    finally:
        connection.close()
    return counts


def _upsert_segments(
    connection: duckdb.DuckDBPyConnection,
    segments: Sequence[Path],
    table: Table,
    incoming: str,
    rows: Rows | None,
    staging: Path,
    *,
    overlaps: bool = True,
) -> None:
    """The table after an upsert, as segments: each old segment with none of the incoming
    keys is linked as it is, one with some is rewritten without them, and the incoming rows
    are one new segment. Past ``MAX_SEGMENTS`` the whole table is written as one again."""
    kept: list[tuple[Path, str | None]] = []  # (segment, the SELECT that rewrites it, or None)
    for segment in segments:
        if not overlaps:  # no incoming key is stored (the diff said so): every segment stays
            kept.append((segment, None))
            continue
        old = parquet_select(segment)
        replaced = _count(
            connection,
            f"SELECT 1 FROM ({old}) AS old WHERE EXISTS "
            f"(SELECT 1 FROM {incoming} AS new WHERE {table.key_match('new', 'old')})",
        )
        if not replaced:
            kept.append((segment, None))
        elif replaced < _count(connection, old):
            kept.append(
                (
                    segment,
                    f"SELECT * FROM ({old}) AS old WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {incoming} AS new WHERE {table.key_match('new', 'old')})",
                )
            )
    if len(kept) + 1 > MAX_SEGMENTS:
        remaining = " UNION ALL ".join(
            select or parquet_select(segment) for segment, select in kept
        )
        _copy_to_parquet(
            connection,
            f"{remaining} UNION ALL SELECT * FROM {incoming}",
            table,
            segment_file(staging, table.name, 0),
        )
        return
    for number, (segment, select) in enumerate(kept):
        target = segment_file(staging, table.name, number)
        if select is None:
            link_or_copy(segment, target)
        else:
            _copy_to_parquet(connection, select, table, target)
    target = segment_file(staging, table.name, len(kept))
    if isinstance(rows, Path) and _has_contract_schema(connection, table, rows):
        link_or_copy(rows, target)  # the caller's file already is a segment: no rewrite
    else:
        _copy_to_parquet(connection, f"SELECT * FROM {incoming}", table, target)


def _fill_kept(
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
    if not marked and not _count(
        connection, f"SELECT 1 FROM {incoming} AS n JOIN ({stored}) AS o ON {match}"
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
    _run(
        connection,
        f"CREATE OR REPLACE TEMP TABLE {filled} AS SELECT {columns} "
        f"FROM {incoming} AS n LEFT JOIN ({old_select}) AS o ON {match}",
    )
    return filled


def _has_contract_schema(connection: duckdb.DuckDBPyConnection, table: Table, path: Path) -> bool:
    described = connection.execute(f"DESCRIBE {parquet_select(path)}").fetchall()
    expected = [(column.name, column.kind.sql_type) for column in table.stored_columns]
    return [(str(row[0]), str(row[1])) for row in described] == expected


def _carry_over(
    connection: duckdb.DuckDBPyConnection, layout: Layout, base: int, table: Table, staging: Path
) -> None:
    files = layout.table_files(base, table.name)
    for number, path in enumerate(files):
        link_or_copy(path, segment_file(staging, table.name, number))
    if not files:
        _copy_to_parquet(
            connection, empty_select(table), table, segment_file(staging, table.name, 0)
        )


def _stage_incoming(
    connection: duckdb.DuckDBPyConnection, table: Table, rows: Rows, *, marker: bool = False
) -> str:
    """The incoming rows with exactly the contract's columns and types: a Parquet file that
    has them is read where it is; anything else is loaded into a temp table (with the rows'
    ``ABSENT_MARKER`` when ``marker`` and they have one, for ``_fill_kept``)."""
    staged, raw_name = _incoming_names(table)
    rows = _path_of(rows)
    if isinstance(rows, Path):
        if _has_contract_schema(connection, table, rows):
            _run(connection, f"CREATE OR REPLACE TEMP VIEW {staged} AS {parquet_select(rows)}")
            return staged
        _run(connection, f"CREATE OR REPLACE TEMP VIEW {raw_name} AS {parquet_select(rows)}")
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
        _run(
            connection, f"CREATE OR REPLACE TEMP TABLE {staged} AS SELECT {columns} FROM {raw_name}"
        )
    except duckdb.ConversionException as error:
        log.error("table %s: a value of the wrong type: %s", table.name, error)
        raise DataError(
            "store.bad_type", table=table.name, detail=str(error).splitlines()[0]
        ) from error
    return staged


def check_rows(connection: duckdb.DuckDBPyConnection, table_name: str, path: Path) -> CheckedRows:
    """Check the rows of ``table_name`` in the Parquet file at ``path`` against the contract,
    as a commit does (``DataError`` on the first broken rule); a commit of the returned rows
    does not check them a second time. ``connection``: any connection (a temporary view of
    the rows is made on it, then dropped)."""
    table = TABLES[table_name]
    stamp = _stamp(path)
    staged = _stage_incoming(connection, table, path)
    try:
        _validate(connection, table, staged)
    finally:
        _unstage_incoming(connection, table)
    return CheckedRows(table_name, path, stamp)


def _stamp(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return (status.st_ino, status.st_size, status.st_mtime_ns)


def _path_of(rows: Rows) -> pa.Table | pd.DataFrame | Path:
    return rows.path if isinstance(rows, CheckedRows) else rows


def _incoming_names(table: Table) -> tuple[str, str]:
    """The incoming rows as ``_stage_incoming`` names them, and the raw rows they come from."""
    return f"incoming_{table.name}", f"raw_{table.name}"


def _unstage_incoming(connection: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Drop what ``_stage_incoming`` made: a view of the file, or a table of its rows retyped
    from a view of the file."""
    staged, raw_name = _incoming_names(table)
    for kind, relation in (("VIEW", staged), ("TABLE", staged), ("VIEW", raw_name)):
        with contextlib.suppress(duckdb.CatalogException):  # the other kind had the name
            _run(connection, f"DROP {kind} IF EXISTS {relation}")


def _validate(connection: duckdb.DuckDBPyConnection, table: Table, staged: str) -> None:
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
            _raise_on_rows(connection, table, staged, predicate, rule)
    if counts[-1] and _count(
        connection, f"SELECT {key} FROM {staged} GROUP BY ALL HAVING count(*) > 1"
    ):
        duplicates = connection.execute(
            f"SELECT {key}, count(*) AS n FROM {staged} GROUP BY ALL HAVING count(*) > 1 LIMIT {_SAMPLE_LIMIT}"
        ).fetchall()
        sample = [row[:-1] for row in duplicates]
        log.error("table %s: rows with the same key: %r", table.name, sample)
        raise DataError("store.duplicate_key", table=table.name, sample=sample)


def _raise_on_rows(
    connection: duckdb.DuckDBPyConnection, table: Table, staged: str, predicate: str, rule: str
) -> None:
    bad = connection.execute(
        f"SELECT * FROM {staged} WHERE {predicate} LIMIT {_SAMPLE_LIMIT}"
    ).fetchall()
    # the user reads a plain sentence: the rule and the rows are for whoever fixes the bug
    log.error("table %s: rows break the rule %s: %r", table.name, rule, bad)
    raise DataError("store.rule_broken", table=table.name, rule=rule, sample=bad)


def _diff_counts(
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
    if upsert and not _count(connection, f"SELECT 1 FROM ({candidates}) LIMIT 1"):
        # no stored row can share a key (a new year's rows): every row is new
        inserted, replaced, unchanged = _count(connection, new), 0, 0
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
        deleted = _count(
            connection,
            f"SELECT * FROM ({old_select}) AS o WHERE NOT EXISTS "
            f"(SELECT 1 FROM {new_from} AS n WHERE {table.key_match('n', 'o')})",
        )
    rows = _count(connection, old_select) - deleted + int(inserted)
    return TableCounts(int(inserted), int(replaced), int(unchanged), deleted, rows)


def _copy_to_parquet(
    connection: duckdb.DuckDBPyConnection, select: str, table: Table, target: Path
) -> None:
    order = ", ".join(table.sort_by) or "ALL"
    path = "'" + str(target).replace("'", "''") + "'"
    _run(
        connection,
        f"COPY (SELECT * FROM ({select}) ORDER BY {order}) TO {path} (FORMAT parquet, COMPRESSION zstd)",
    )


def _count(connection: duckdb.DuckDBPyConnection, select: str) -> int:
    return int(connection.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0])


def _run(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a statement and drain its result: DuckDB refuses new work while one is pending."""
    connection.execute(sql).fetchall()
