"""The ``Store``: the data of record in Apache Iceberg tables, read through DuckDB.

Contract (see the package docstring for the whole picture):
- ``version()`` is the newest row of the commit log (``store.log``); ``snapshot(v)`` reads each
  table at the Iceberg snapshot that version pins, through local copies of its data files.
- ``commit`` and ``restore`` run under the writers' lock (``store.lock``): they first bring any
  table whose current snapshot is not the pinned one back to it (a writer killed between its
  table commits and its log row), then work out each table's change in DuckDB against the
  pinned state (``store.merge``), commit one Iceberg snapshot per changed table, and publish
  the log row last. Until that row exists nothing of the commit is visible; a failure before
  it leaves the data as it was, and the next writer (or ``recover``) removes what it left.
- The original files of an import are kept in the warehouse beside the tables.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.io import FileIO
from pyiceberg.io.pyarrow import parquet_file_to_data_file
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table as IcebergTable
from pyiceberg.table.refs import MAIN_BRANCH
from sqlalchemy.exc import SQLAlchemyError

from dashkit.errors import DataError, StoreError
from dashkit.schema import TABLES
from dashkit.store.catalog import CatalogChoice, choose_catalog, load_tables, open_catalog
from dashkit.store.files import FileCache
from dashkit.store.lock import writers_lock
from dashkit.store.log import CommitLog, reason
from dashkit.store.manifest import CommitInfo, Manifest, TableCounts
from dashkit.store.merge import TablePlan, plan_restore, plan_write, table_select
from dashkit.store.rows import ABSENT_MARKER, CheckedRows, TableWrite, check_rows, count
from dashkit.store.snapshot import Snapshot
from dashkit.store.work import work_cursor

__all__ = [
    "ABSENT_MARKER",
    "CheckedRows",
    "CommitResult",
    "Store",
    "TableWrite",
    "check_rows",
    "close_stores",
]

log = logging.getLogger(__name__)

STAGING = ".staging"  # inside the data directory: the data files of commits being made
CACHE = "cache"  # inside the data directory: local copies of remote data files
SNAPSHOT_PROPERTY = "dashkit.commit-id"
_FILE_LISTS = 64  # data-file lists kept per process (one per table and snapshot)


@dataclass(frozen=True)
class CommitResult:
    version: int  # the current version after the commit
    commit_id: str | None  # None when nothing changed and no version was written
    tables: dict[str, TableCounts]

    @property
    def changed(self) -> bool:
        return self.commit_id is not None


@dataclass(frozen=True)
class _DataFiles:
    """One table's data files at one snapshot: local paths and Iceberg's entries, in order."""

    local: tuple[Path, ...]
    entries: tuple[DataFile, ...]


class _Backend:
    """What one process keeps open for one catalog: the catalog, its log, the file cache."""

    def __init__(self, choice: CatalogChoice) -> None:
        self.choice = choice
        try:
            self.catalog: SqlCatalog = open_catalog(choice)
        except SQLAlchemyError as error:
            raise _unavailable(choice, error) from error
        except OSError as error:
            raise _write_error(choice.describe(), error) from error
        self.identity = _identity(choice)
        self.log = CommitLog(self.catalog.engine, choice.describe())
        self.cache = FileCache(choice.data_dir / CACHE)
        self._tables: dict[str, IcebergTable | None] = {}
        self._file_lists: OrderedDict[tuple[str, int], _DataFiles] = OrderedDict()
        self._guard = threading.Lock()

    def tables(
        self, *, create: bool = False, fresh: bool = False
    ) -> dict[str, IcebergTable | None]:
        with self._guard:
            if fresh or not self._tables or (create and None in self._tables.values()):
                self._tables = load_tables(self.catalog, create=create)
            return dict(self._tables)

    def files(self, name: str, snapshot_id: int | None) -> _DataFiles:
        if snapshot_id is None:
            return _DataFiles((), ())
        key = (name, snapshot_id)
        with self._guard:
            found = self._file_lists.get(key)
            if found is not None:
                self._file_lists.move_to_end(key)
                return found
        table = self.tables().get(name)
        if table is None or table.metadata.snapshot_by_id(snapshot_id) is None:
            table = self.tables(fresh=True)[name]
        if table is None:
            raise StoreError("store.no_version", version=snapshot_id)
        entries = tuple(task.file for task in table.scan(snapshot_id=snapshot_id).plan_files())
        listed = _DataFiles(
            tuple(self.cache.local(table.io, entry.file_path) for entry in entries), entries
        )
        with self._guard:
            self._file_lists[key] = listed
            while len(self._file_lists) > _FILE_LISTS:
                self._file_lists.popitem(last=False)
        return listed


@dataclass
class _Writing:
    """What a writer holds under the lock."""

    backend: _Backend
    base: int  # the version the write builds on
    pins: dict[str, int | None]  # its snapshot per table
    tables: dict[str, IcebergTable]
    staging: Path  # an empty folder for new data files, removed afterwards
    repaired: list[str]  # what a dead writer had left and was put right
    written: list[tuple[FileIO, str]] = field(default_factory=list)  # files put in the warehouse


_backends: dict[str, _Backend] = {}
_backends_guard = threading.Lock()


def close_stores(catalog: str | None = None) -> None:
    """Close what this process keeps open for the stores of ``catalog`` (every store: None):
    their database connections go; a store used again opens them anew."""
    with _backends_guard:
        for locator, backend in list(_backends.items()):
            if catalog is None or backend.choice.name == catalog:
                backend.catalog.engine.dispose()
                del _backends[locator]


class Store:
    """The data of record: the embedded catalog of ``root``, or the catalog named ``catalog``
    (or ``$DASHKIT_CATALOG``), with ``root`` as its local cache."""

    def __init__(self, root: Path, catalog: str | None = None) -> None:
        self.choice = choose_catalog(Path(root), catalog)

    @property
    def root(self) -> Path:
        return self.choice.data_dir

    @property
    def locator(self) -> str:
        return self.choice.locator

    def describe(self) -> str:
        """Where the data lives, for people: the data directory or the catalog's name."""
        return self.choice.describe()

    # -- reading ---------------------------------------------------------------------------

    def version(self) -> int:
        """The current data version; 0 for a store that was never written."""
        backend = self._backend()
        return 0 if backend is None else backend.log.head()

    def is_empty(self) -> bool:
        return self.version() == 0

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The tables at ``version`` (default: the current one)."""
        version = self.version() if version is None else version
        if version <= 0:
            return Snapshot(0, {})
        backend = self._require()
        pins = backend.log.manifest(version).snapshots
        try:
            files = {name: backend.files(name, pins.get(name)).local for name in TABLES}
        except OSError as error:
            raise _unavailable(self.choice, error) from error
        return Snapshot(version, files)

    def manifest(self, version: int) -> Manifest:
        backend = self._backend()
        if backend is None:
            raise StoreError("store.no_version", version=version)
        return backend.log.manifest(version)

    def history(self) -> list[Manifest]:
        """The commits that led to the current version, newest first."""
        backend = self._backend()
        return [] if backend is None else backend.log.manifests()

    def setting(self, name: str) -> str | None:
        backend = self._backend()
        return None if backend is None else backend.log.setting(name)

    def set_setting(self, name: str, value: str) -> None:
        self._require(create=True).log.set_setting(name, value)

    # -- writing ---------------------------------------------------------------------------

    def commit(
        self,
        writes: Sequence[TableWrite],
        info: CommitInfo,
        originals: Sequence[tuple[str, Path]] = (),
        *,
        as_of: Manifest | None = None,
    ) -> CommitResult:
        """Apply ``writes`` on top of the current version, all or nothing.

        Rows are checked against the contract (required columns, bounds, codes, row checks,
        unique keys) before anything is written; a violation raises ``DataError``. When no
        table would change, no version is written and ``commit_id`` is None. ``originals``
        (name, path) are the files the rows came from, kept in the warehouse as imported.
        ``as_of``: a version of another store this commit replays (``dashkit migrate``): its
        commit id, time, counts and ``contains`` are kept, and it is written even if it
        changes nothing, so that the history reads as it did.
        """
        for write in writes:
            if write.table not in TABLES:
                raise DataError("store.unknown_table", table=write.table)
        by_table = {write.table: write for write in writes}
        with self.writing() as writing:
            backend, base, pins = writing.backend, writing.base, writing.pins
            commit_id = as_of.commit_id if as_of else _new_commit_id()
            connection = work_cursor()
            try:
                plans = {
                    name: plan_write(
                        connection,
                        table,
                        incoming,
                        backend.files(name, pins.get(name)).local,
                        writing.staging,
                    )
                    if (incoming := by_table.get(name)) is not None
                    else TablePlan(_carried_counts(connection, backend, name, pins.get(name)))
                    for name, table in TABLES.items()
                }
            finally:
                connection.close()
            counts = {name: plan.counts for name, plan in plans.items()}
            if not any(plan.changed for plan in plans.values()) and as_of is None:
                return CommitResult(version=base, commit_id=None, tables=counts)
            kept = self._keep_originals(writing, commit_id, originals)
            new_pins = dict(pins)
            for name, plan in plans.items():
                if plan.changed:
                    new_pins[name] = self._apply(
                        writing, writing.tables[name], name, pins.get(name), plan, commit_id
                    )
            contained = backend.log.manifest(base).contains if base > 0 else ()
            return self._publish_version(
                backend,
                base,
                commit_id,
                _with_originals(info, kept),
                as_of.tables if as_of else counts,
                new_pins,
                as_of.contains if as_of else (*contained, commit_id),
                time=as_of.time if as_of else None,
            )

    def restore(self, version: int, info: CommitInfo) -> CommitResult:
        """Make the data equal to ``version``'s again, as a new version (so it can be undone too)."""
        with self.writing() as writing:
            backend, base, pins = writing.backend, writing.base, writing.pins
            if version < 0 or version > base:
                raise StoreError("store.no_version", version=version)
            target = backend.log.manifest(version).snapshots if version > 0 else {}
            connection = work_cursor()
            try:
                counts = {
                    name: plan_restore(
                        connection,
                        table,
                        backend.files(name, target.get(name)).local,
                        backend.files(name, pins.get(name)).local,
                    )
                    for name, table in TABLES.items()
                }
            finally:
                connection.close()
            if not any(table_counts.changed for table_counts in counts.values()):
                return CommitResult(version=base, commit_id=None, tables=counts)
            commit_id = _new_commit_id()
            new_pins = dict(pins)
            for name, table_counts in counts.items():
                if table_counts.changed:
                    new_pins[name] = _set_files(
                        backend,
                        writing.tables[name],
                        name,
                        pins.get(name),
                        target.get(name),
                        commit_id,
                    )
            contained = backend.log.manifest(version).contains if version > 0 else ()
            return self._publish_version(
                backend, base, commit_id, info, counts, new_pins, contained
            )

    def recover(self) -> list[str]:
        """Undo what a writer that died left behind; return what was put right."""
        with self.writing() as writing:
            return writing.repaired

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """The writers' lock, for small writes beside the tables (settings)."""
        return writers_lock(self._require(create=True).catalog.engine, self.describe())

    # -- internals -------------------------------------------------------------------------

    def _backend(self, *, create: bool = False) -> _Backend | None:
        if not create and not self.choice.exists():
            return None
        with _backends_guard:
            backend = _backends.get(self.choice.locator)
            if backend is None or backend.identity != _identity(self.choice):
                # first use, or an embedded catalog removed and made again since (a data
                # directory deleted and written anew): its connections point at the old file
                if backend is not None:
                    backend.catalog.engine.dispose()
                backend = _Backend(self.choice)
                _backends[self.choice.locator] = backend
            return backend

    def _require(self, *, create: bool = False) -> _Backend:
        backend = self._backend(create=create)
        if backend is None:
            raise StoreError("store.no_version", version=1)
        return backend

    @contextlib.contextmanager
    def writing(self) -> Iterator[_Writing]:
        """The writers' lock held, the tables brought back to the pins of the newest version
        (for the store's own writers and its maintenance)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _write_error(self.describe(), error) from error
        backend = self._require(create=True)
        place = self.describe()
        with writers_lock(backend.catalog.engine, place):
            staging_root = self.root / STAGING
            repaired = [f"{STAGING}/{entry.name}" for entry in _entries(staging_root)]
            shutil.rmtree(staging_root, ignore_errors=True)  # a dead writer's, under the lock
            staging = staging_root / uuid.uuid4().hex
            try:
                base = backend.log.head()
                pins = dict(backend.log.manifest(base).snapshots) if base > 0 else {}
                tables = {
                    name: _required(table)
                    for name, table in backend.tables(create=True, fresh=True).items()
                }
                repaired += [
                    name for name, table in tables.items() if _realign(table, name, pins.get(name))
                ]
                staging.mkdir(parents=True)
                writing = _Writing(backend, base, pins, tables, staging, repaired)
                try:
                    yield writing
                except BaseException:
                    _put_back(backend, pins)
                    _remove_written(writing.written)
                    raise
            except OSError as error:
                raise _write_error(place, error) from error
            except duckdb.IOException as error:
                raise _duckdb_write_error(place, error) from error
            except SQLAlchemyError as error:
                raise _unavailable(self.choice, error) from error
            finally:
                shutil.rmtree(staging_root, ignore_errors=True)

    def _apply(
        self,
        writing: _Writing,
        table: IcebergTable,
        name: str,
        pinned: int | None,
        plan: TablePlan,
        commit_id: str,
    ) -> int | None:
        """Commit ``plan`` to ``table`` as one snapshot; its id."""
        backend = writing.backend
        current = backend.files(name, pinned)
        dropped = set(plan.remove)
        removed = [
            entry
            for path, entry in zip(current.local, current.entries, strict=True)
            if path in dropped
        ]
        added = []
        for path in plan.add:
            uri = f"{table.location()}/data/{path.name}"
            backend.cache.publish(table.io, path, uri)
            writing.written.append((table.io, uri))
            added.append(parquet_file_to_data_file(table.io, table.metadata, uri))
        return _commit_files(table, removed, added, commit_id)

    def _keep_originals(
        self, writing: _Writing, commit_id: str, originals: Sequence[tuple[str, Path]]
    ) -> list[str]:
        units = writing.tables["units"]
        folder = units.location().rsplit("/", 1)[0] + f"/originals/{commit_id}"
        kept = []
        for number, (name, path) in enumerate(originals, start=1):
            safe = Path(name).name.strip().lstrip(".") or "file"
            uri = f"{folder}/{number:02d}-{safe[:120]}"
            writing.backend.cache.store_file(units.io, path, uri)
            writing.written.append((units.io, uri))
            kept.append(uri)
        return kept

    def _publish_version(
        self,
        backend: _Backend,
        base: int,
        commit_id: str,
        info: CommitInfo,
        counts: dict[str, TableCounts],
        pins: dict[str, int | None],
        contains: Sequence[str],
        *,
        time: str | None = None,
    ) -> CommitResult:
        manifest = Manifest(
            version=base + 1,
            parent=base,
            commit_id=commit_id,
            time=time or datetime.now(UTC).isoformat(timespec="seconds"),
            info=info,
            tables=counts,
            contains=tuple(contains),
            snapshots={name: pins.get(name) for name in TABLES},
        )
        backend.log.publish(manifest)
        return CommitResult(version=manifest.version, commit_id=commit_id, tables=counts)


def _carried_counts(
    connection: duckdb.DuckDBPyConnection, backend: _Backend, name: str, pinned: int | None
) -> TableCounts:
    """The counts of a table a commit leaves as it is."""
    current = backend.files(name, pinned).local
    return TableCounts(rows=count(connection, table_select(TABLES[name], current)))


def _required(table: IcebergTable | None) -> IcebergTable:
    if table is None:
        raise StoreError("store.no_version", version=0)
    return table


def _identity(choice: CatalogChoice) -> tuple[int, int] | None:
    """Which file an embedded catalog is (device and inode); None for a named catalog."""
    if not choice.embedded:
        return None
    try:
        status = choice.database.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except FileNotFoundError:
        return []


def _remove_written(written: Sequence[tuple[FileIO, str]]) -> None:
    """The files a failed commit put in the warehouse: no pinned snapshot refers to them."""
    for io, uri in written:
        try:
            io.delete(uri)
        except OSError as error:  # left for ``dashkit maintain``: no snapshot refers to it
            log.warning("could not remove %s after a failed commit: %s", uri, error)


def _put_back(backend: _Backend, pins: dict[str, int | None]) -> None:
    """After a failed commit, the tables it moved back at their pins, as far as that can be
    done now (the catalog may be what failed: the next writer does it then)."""
    try:
        for name, table in backend.tables(fresh=True).items():
            if table is not None:
                _realign(table, name, pins.get(name))
    except Exception:
        log.warning("could not put the tables back after a failed commit", exc_info=True)


def _realign(table: IcebergTable, name: str, pinned: int | None) -> bool:
    """Point ``table`` back at its pinned snapshot if a writer that failed or died moved it on
    (a metadata-only commit: the snapshots it made stay, unreferenced, for ``maintain``)."""
    head = table.metadata.current_snapshot_id
    if head == pinned:
        return False
    log.warning("table %s: snapshot %s is not the pinned %s; putting it back", name, head, pinned)
    manage = table.manage_snapshots()
    if pinned is None:
        manage.remove_branch(MAIN_BRANCH).commit()
    else:
        manage.set_current_snapshot(pinned).commit()
    return True


def _set_files(
    backend: _Backend,
    table: IcebergTable,
    name: str,
    current: int | None,
    target: int | None,
    commit_id: str,
) -> int | None:
    """One snapshot that makes the table's files those of snapshot ``target``."""
    now = backend.files(name, current)
    wanted = backend.files(name, target)
    now_paths = {entry.file_path for entry in now.entries}
    wanted_paths = {entry.file_path for entry in wanted.entries}
    removed = [entry for entry in now.entries if entry.file_path not in wanted_paths]
    added = [entry for entry in wanted.entries if entry.file_path not in now_paths]
    if not removed and not added:
        return table.metadata.current_snapshot_id
    return _commit_files(table, removed, added, commit_id)


def _commit_files(
    table: IcebergTable, removed: Sequence[DataFile], added: Sequence[DataFile], commit_id: str
) -> int | None:
    """One Iceberg snapshot of ``table`` dropping ``removed`` and adding ``added``."""
    try:
        with table.transaction() as transaction:
            update = transaction.update_snapshot(snapshot_properties={SNAPSHOT_PROPERTY: commit_id})
            with update.overwrite() as overwrite:
                for entry in removed:
                    overwrite.delete_data_file(entry)
                for entry in added:
                    overwrite.append_data_file(entry)
    except CommitFailedException as error:  # another writer ignored the lock
        raise StoreError("store.locked", path=table.name()) from error
    return table.metadata.current_snapshot_id


def _with_originals(info: CommitInfo, kept: Sequence[str]) -> CommitInfo:
    if not kept:
        return info
    from dataclasses import replace

    return replace(info, details={**info.details, "originals": list(kept)})


def _new_commit_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _unavailable(choice: CatalogChoice, error: BaseException) -> StoreError:
    return StoreError("store.unavailable", path=choice.describe(), reason=reason(error))


def _write_error(place: str, error: OSError) -> StoreError:
    if error.errno == errno.ENOSPC:
        return StoreError("store.disk_full", path=place)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError("store.read_only", path=place)
    return StoreError("store.write_failed", path=place, reason=error.strerror or str(error))


def _duckdb_write_error(place: str, error: duckdb.IOException) -> StoreError:
    """DuckDB reports a failed write as text, not as an errno: read the cause from it."""
    text = str(error)
    if "No space left" in text or "Disk quota" in text:
        return StoreError("store.disk_full", path=place)
    if any(
        cause in text for cause in ("Read-only file system", "Permission denied", "not permitted")
    ):
        return StoreError("store.read_only", path=place)
    return StoreError("store.write_failed", path=place, reason=text.splitlines()[0][:200])
