"""What a store holds, as a refused or empty write must leave it: read from outside dashkit.

``store_state`` reads the commit log through the store, each Iceberg table's current snapshot
straight through pyiceberg (not dashkit's code), and every file under the data directory with
its size and modification time (the lock files aside: taking a lock is not a write).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

from dashkit.store import Store


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (lock files aside) with its size and modification time."""
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def table_heads(root: Path) -> dict[str, int | None]:
    """The current snapshot of each table of the embedded catalog in ``root``, by pyiceberg."""
    database = root / "catalog.db"
    if not database.is_file():
        return {}
    catalog = SqlCatalog(
        "dashkit-embedded", uri=f"sqlite:///{database}", warehouse=(root / "warehouse").as_uri()
    )
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
        catalog.engine.dispose()
    return heads


def store_state(store: Store) -> dict[str, Any]:
    return {
        "version": store.version(),
        "history": [manifest.to_json() for manifest in store.history()],
        "heads": table_heads(store.root),
        "files": tree(store.root),
    }
