"""``dashkit maintain``: remove what the history does not need.

Contract: ``maintain(store)``, under the writers' lock (so no commit is half made anywhere):
1. puts back any table a killed writer left away from its pin (as every writer does);
2. expires the Iceberg snapshots that no version of the commit log pins: those of commits that
   failed or were killed before their log row, and of the put-backs. Every pinned snapshot
   stays, so every version of the history can still be shown and undone to;
3. removes the orphan files: files in a table's folder that no remaining snapshot or metadata
   refers to (the data files, manifests and metadata of failed commits), and the kept original
   files of commits the log does not hold.
It returns what it did; running it again at once does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyarrow import fs
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import Table as IcebergTable

from dashkit.errors import StoreError
from dashkit.store.store import Store


@dataclass(frozen=True)
class MaintenanceReport:
    repaired: tuple[str, ...]  # tables put back at their pins, a dead writer's staging
    expired_snapshots: int
    removed_files: int
    removed_bytes: int


def maintain(store: Store) -> MaintenanceReport:
    if store.is_empty():
        return MaintenanceReport((), 0, 0, 0)
    with store.writing() as writing:
        manifests = writing.backend.log.manifests()
        pinned: dict[str, set[int]] = {name: set() for name in writing.tables}
        for manifest in manifests:
            for name, snapshot in manifest.snapshots.items():
                if snapshot is not None:
                    pinned.setdefault(name, set()).add(snapshot)
        expired = removed = removed_bytes = 0
        for name, table in writing.tables.items():
            expired += _expire_unpinned(table, pinned.get(name, set()))
            files, size = _remove_orphans(table)
            removed += files
            removed_bytes += size
        commits = {manifest.commit_id for manifest in manifests}
        files, size = _remove_stray_originals(writing.tables["units"], commits)
        return MaintenanceReport(
            tuple(writing.repaired), expired, removed + files, removed_bytes + size
        )


def _expire_unpinned(table: IcebergTable, pinned: set[int]) -> int:
    current = table.metadata.current_snapshot_id
    unpinned = [
        snapshot.snapshot_id
        for snapshot in table.metadata.snapshots
        if snapshot.snapshot_id not in pinned and snapshot.snapshot_id != current
    ]
    if unpinned:
        table.maintenance.expire_snapshots().by_ids(unpinned).commit()
    return len(unpinned)


def _referenced(table: IcebergTable) -> set[str]:
    """Every file the table's metadata refers to: metadata files, manifest lists, manifests
    and data files of every snapshot it still has."""
    metadata = table.metadata
    found = {table.metadata_location, *(entry.metadata_file for entry in metadata.metadata_log)}
    for snapshot in metadata.snapshots:
        found.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(table.io):
            found.add(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=False):
                found.add(entry.data_file.file_path)
    return {_path(location) for location in found}


def _remove_orphans(table: IcebergTable) -> tuple[int, int]:
    keep = _referenced(table)
    return _remove_where(table, table.location(), lambda path, _: path not in keep)


def _remove_stray_originals(units: IcebergTable, commits: set[str]) -> tuple[int, int]:
    """The originals folder holds one folder per commit id: those the log does not know go."""
    folder = units.location().rsplit("/", 1)[0] + "/originals"
    return _remove_where(
        units,
        folder,
        lambda path, root: path[len(root) :].lstrip("/").split("/", 1)[0] not in commits,
    )


def _remove_where(
    table: IcebergTable, location: str, unwanted: Callable[[str, str], bool]
) -> tuple[int, int]:
    """Delete the files under ``location`` that ``unwanted(path, root)`` names; how many, and
    their bytes."""
    filesystem, root = _filesystem(table, location)
    removed = size = 0
    for info in _listing(filesystem, root):
        if unwanted(info.path, root):
            filesystem.delete_file(info.path)
            removed += 1
            size += info.size or 0
    return removed, size


def _filesystem(table: IcebergTable, location: str) -> tuple[fs.FileSystem, str]:
    io = table.io
    if not isinstance(io, PyArrowFileIO):
        raise StoreError("store.write_failed", path=location, reason="not a pyarrow file system")
    scheme, netloc, path = PyArrowFileIO.parse_location(location)
    return io.fs_by_scheme(scheme, netloc), path


def _listing(filesystem: fs.FileSystem, root: str) -> list[fs.FileInfo]:
    selector = fs.FileSelector(root, recursive=True, allow_not_found=True)
    return [info for info in filesystem.get_file_info(selector) if info.type == fs.FileType.File]


def _path(location: str) -> str:
    """A location as the file system lists it (no scheme; a bucket's name first on S3)."""
    return PyArrowFileIO.parse_location(location)[2]
