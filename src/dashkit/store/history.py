"""The history of commits as people read it, and undo.

An import is *undone* when the current version no longer holds its rows: its id is not in the
current manifest's ``contains``. Undoing an import restores the version before it, so imports
made after it are rolled back too; the undo says which, and is itself a commit in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashkit.errors import StoreError
from dashkit.store.manifest import CommitInfo, Manifest
from dashkit.store.store import CommitResult, Store

UNDOABLE = ("import", "demo")


@dataclass(frozen=True)
class HistoryEntry:
    commit_id: str
    version: int
    time: str
    op: str
    file: str | None
    tables: tuple[str, ...]  # the tables it changed
    inserted: int
    replaced: int
    unchanged: int
    undone: bool
    user: str | None
    undoes: str | None


def history(store: Store) -> list[HistoryEntry]:
    """Every commit that led to the current data, newest first."""
    manifests = store.history()
    current = set(manifests[0].contains) if manifests else set()
    return [_entry(manifest, current) for manifest in manifests]


def _entry(manifest: Manifest, current: set[str]) -> HistoryEntry:
    changed = tuple(name for name, counts in manifest.tables.items() if counts.changed)
    return HistoryEntry(
        commit_id=manifest.commit_id,
        version=manifest.version,
        time=manifest.time,
        op=manifest.info.op,
        file=manifest.info.source,
        tables=changed,
        inserted=sum(counts.inserted for counts in manifest.tables.values()),
        replaced=sum(counts.replaced for counts in manifest.tables.values()),
        unchanged=sum(counts.unchanged for counts in manifest.tables.values()),
        undone=manifest.info.op in UNDOABLE and manifest.commit_id not in current,
        user=manifest.info.user,
        undoes=manifest.info.undoes,
    )


def rolled_back_by_undo(store: Store, commit_id: str) -> list[HistoryEntry]:
    """The imports still in effect that undoing ``commit_id`` would roll back with it (newest
    first, ``commit_id`` itself last)."""
    entries = history(store)
    target = next((entry for entry in entries if entry.commit_id == commit_id), None)
    if target is None:
        raise StoreError("store.no_commit", commit_id=commit_id)
    return [
        entry
        for entry in entries
        if entry.version >= target.version and entry.op in UNDOABLE and not entry.undone
    ]


def undo(store: Store, commit_id: str, user: str | None = None) -> CommitResult:
    """Restore the data as it was before ``commit_id`` (and so before every later import)."""
    manifest = next((m for m in store.history() if m.commit_id == commit_id), None)
    if manifest is None:
        raise StoreError("store.no_commit", commit_id=commit_id)
    if manifest.info.op not in UNDOABLE:
        raise StoreError("store.cannot_undo", commit_id=commit_id)
    rolled_back = rolled_back_by_undo(store, commit_id)
    if not rolled_back:
        raise StoreError("store.already_undone", commit_id=commit_id)
    info = CommitInfo(
        op="undo",
        source=manifest.info.source,
        user=user,
        undoes=commit_id,
        details={"rolled_back": [entry.commit_id for entry in rolled_back]},
    )
    return store.restore(manifest.parent, info)
