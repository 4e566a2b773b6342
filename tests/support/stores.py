"""What a store holds, as a refused or empty write must leave it: read from outside dashkit.

``outside_catalog`` opens the store's catalog with pyiceberg alone (the embedded SQLite file,
or the configured catalog by its name); ``table_heads`` reads each Iceberg table's current
snapshot through it; ``warehouse_files`` lists the files of a shared catalog's warehouse
straight from S3. ``store_state`` puts these together with the commit log (read through the
store) and every file under the data directory (lock files and the cache of downloaded data
files aside: taking a lock or reading is not a write).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.utils.config import Config

from dashkit.store import Store

IGNORED_FOLDERS = ("cache",)


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (lock files and the cache aside) with its size and time."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not path.name.endswith(".lock")
        and path.relative_to(root).parts[0] not in IGNORED_FOLDERS
    }


def outside_catalog(store: Store) -> Catalog | None:
    """The store's catalog as pyiceberg alone opens it; None for an embedded store not made yet."""
    if store.choice.name is None:
        database = store.root / "catalog.db"
        if not database.is_file():
            return None
        return SqlCatalog(
            "dashkit-embedded",
            uri=f"sqlite:///{database}",
            warehouse=(store.root / "warehouse").as_uri(),
        )
    properties = Config().get_catalog_config(store.choice.name) or {}
    return load_catalog(store.choice.name, **{str(k): str(v) for k, v in properties.items()})


def table_heads(store: Store) -> dict[str, int | None]:
    """The current snapshot of each table, as pyiceberg reads it."""
    catalog = outside_catalog(store)
    if catalog is None:
        return {}
    heads: dict[str, int | None] = {}
    try:
        for _, name in catalog.list_tables("dashkit"):
            try:
                heads[name] = catalog.load_table(("dashkit", name)).metadata.current_snapshot_id
            except NoSuchTableError:
                continue
    except NoSuchNamespaceError:
        return {}
    finally:
        if isinstance(catalog, SqlCatalog):
            catalog.engine.dispose()
    return heads


def warehouse_files(store: Store) -> dict[str, int]:
    """A shared catalog's warehouse files with their sizes, listed from S3 (empty for an
    embedded store, whose warehouse is in the data directory)."""
    if store.choice.name is None:
        return {}
    from pyarrow import fs

    properties = Config().get_catalog_config(store.choice.name) or {}
    location = urlparse(str(properties["warehouse"]))
    endpoint = urlparse(str(properties["s3.endpoint"]))
    s3 = fs.S3FileSystem(
        access_key=str(properties["s3.access-key-id"]),
        secret_key=str(properties["s3.secret-access-key"]),
        endpoint_override=endpoint.netloc,
        scheme=endpoint.scheme,
        region=str(properties.get("s3.region", "us-east-1")),
    )
    base = f"{location.netloc}{location.path}"
    try:
        found = s3.get_file_info(fs.FileSelector(base, recursive=True, allow_not_found=True))
    except OSError:
        return {}
    return {info.path[len(base) :]: info.size for info in found if info.type == fs.FileType.File}


def store_state(store: Store) -> dict[str, Any]:
    return {
        "version": store.version(),
        "history": [manifest.to_json() for manifest in store.history()],
        "heads": table_heads(store),
        "files": tree(store.root),
        "warehouse": warehouse_files(store),
    }


def copy_store(source: Path, target: Path) -> Store:
    """A store of its own at ``target`` holding ``source``'s current data, as one commit that
    says what the source's newest one said (a demo store's copy reads as the demo). An
    embedded store is not copied as a folder: Iceberg's metadata names files by absolute path,
    so a copied folder would go on reading, and writing, the original's files. The copy is
    made on the test's catalog: the embedded one, or the shared one its catalog_kind named."""
    from dashkit.store import CommitInfo
    from dashkit.store.transfer import copy_current

    original = Store(source, catalog="")  # the sources are the suites' embedded stores
    newest = original.history()[:1]
    copied = Store(target)
    copy_current(original, copied, newest[0].info if newest else CommitInfo(op="demo"))
    return copied
