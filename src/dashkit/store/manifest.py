"""The manifest of a version: what it holds and the commit that made it.

A manifest is one row of the commit log (``store.log``): it pins the Iceberg snapshot of every
table at its version, so a version's data and its history entry appear together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TableCounts:
    """What a commit did to one table. ``rows`` is the table's size after the commit."""

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0
    rows: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.replaced or self.deleted)


@dataclass(frozen=True)
class CommitInfo:
    """What the caller says about a commit: the operation and where the rows came from."""

    op: str  # "demo", "import", "undo", …
    source: str | None = None  # a file name, shown in the history
    sha256: str | None = None
    user: str | None = None
    undoes: str | None = None  # for op == "undo": the commit whose earlier state was restored
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    version: int
    parent: int
    commit_id: str
    time: str  # ISO 8601, UTC
    info: CommitInfo
    tables: dict[str, TableCounts]
    contains: tuple[str, ...]  # ids of the commits whose rows this version holds
    snapshots: dict[str, int | None] = field(default_factory=dict)  # Iceberg snapshot per table

    def to_json(self) -> str:
        payload = asdict(self)
        payload["contains"] = list(self.contains)
        return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        return cls(
            version=int(raw["version"]),
            parent=int(raw["parent"]),
            commit_id=str(raw["commit_id"]),
            time=str(raw["time"]),
            info=CommitInfo(**raw["info"]),
            tables={name: TableCounts(**counts) for name, counts in raw["tables"].items()},
            contains=tuple(raw.get("contains", ())),
            snapshots={
                str(name): None if snapshot is None else int(snapshot)
                for name, snapshot in raw.get("snapshots", {}).items()
            },
        )

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls.from_json(path.read_text(encoding="utf-8"))
