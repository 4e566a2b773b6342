"""``dashkit migrate``: a data directory of the earlier layout moved into a catalog, history and all.

Contract: ``migrate(source, target, force=False)`` replays every version of the old directory
(``store.legacy``: ``CURRENT`` and its chain of version folders), oldest first, as one commit
of ``target`` each: every table set to what that version held, with that version's commit id,
time, counts, history entry and original files kept, so the history, what is in effect after
undos, and undo itself read as before. A target that already holds dashkit data is refused
(``store.catalog_not_empty``) unless ``force``; then the versions it holds already (by commit
id: a migration that was interrupted) are skipped, so running it again resumes it. The old
directory is only read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashkit.errors import StoreError
from dashkit.schema import TABLES
from dashkit.store.legacy import ORIGINALS, Layout
from dashkit.store.manifest import Manifest
from dashkit.store.merge import write_table_file
from dashkit.store.rows import TableWrite
from dashkit.store.store import Store


def legacy_versions(source: Path) -> list[Manifest]:
    """The old directory's versions, oldest first (none for a directory never written)."""
    layout = Layout(source)
    try:
        current = int(layout.current.read_text(encoding="ascii").strip())
    except FileNotFoundError as error:
        raise StoreError("store.not_a_data_dir", path=str(source)) from error
    except ValueError as error:
        raise StoreError("store.corrupt", path=str(layout.current)) from error
    chain: list[Manifest] = []
    version = current
    while version > 0:
        try:
            manifest = Manifest.read(layout.manifest_file(version))
        except FileNotFoundError as error:
            raise StoreError("store.no_version", version=version) from error
        chain.append(manifest)
        version = manifest.parent
    return chain[::-1]


def migrate(source: Path, target: Store, *, force: bool = False) -> int:
    """Replay ``source`` into ``target``; the number of versions moved."""
    versions = legacy_versions(source)
    if not target.is_empty() and not force:
        raise StoreError("store.catalog_not_empty", path=target.describe())
    layout = Layout(source)
    present = {manifest.commit_id for manifest in target.history()}
    moved = 0
    for manifest in versions:
        if manifest.commit_id in present:
            continue
        with tempfile.TemporaryDirectory(prefix="dashkit-migrate-") as folder:
            writes = [
                TableWrite(
                    name,
                    write_table_file(
                        table,
                        layout.table_files(manifest.version, name),
                        Path(folder) / f"{name}.parquet",
                    ),
                    "replace",
                )
                for name, table in TABLES.items()
            ]
            originals = sorted((layout.version_dir(manifest.version) / ORIGINALS).glob("*"))
            result = target.commit(
                writes,
                manifest.info,
                originals=[(path.name.split("-", 1)[-1], path) for path in originals],
                as_of=manifest,
            )
        moved += int(result.changed)
    return moved
