"""Data directories of the earlier layout (``CURRENT`` and ``versions/``), written the way the
earlier store wrote them, for the migration's tests: each version a folder of one Parquet
file per table (every table, an empty one with the contract's columns), its ``manifest.json``
and the original files under ``originals/``, then ``CURRENT`` naming the newest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashkit.schema import TABLES


@dataclass(frozen=True)
class LegacyVersion:
    commit_id: str
    op: str
    source: str
    tables: dict[str, pd.DataFrame]  # every table's rows at this version (missing: empty)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    contains: tuple[str, ...] = ()
    undoes: str | None = None
    originals: dict[str, bytes] = field(default_factory=dict)


def write_legacy(root: Path, versions: Sequence[LegacyVersion]) -> Path:
    connection = duckdb.connect(":memory:")
    for number, version in enumerate(versions, start=1):
        folder = root / "versions" / f"v{number:08d}"
        folder.mkdir(parents=True)
        for name, table in TABLES.items():
            frame = version.tables.get(name)
            columns = ", ".join(
                f"CAST({column.name} AS {column.kind.sql_type}) AS {column.name}"
                if frame is not None and column.name in frame.columns
                else f"CAST(NULL AS {column.kind.sql_type}) AS {column.name}"
                for column in table.stored_columns
            )
            source = "frame" if frame is not None else "(SELECT 1) AS nothing"
            if frame is not None:
                connection.register("frame", frame)
            limit = "" if frame is not None else " LIMIT 0"
            target = folder / f"{name}.parquet"
            connection.execute(
                f"COPY (SELECT {columns} FROM {source}{limit}) TO '{target}' (FORMAT parquet)"
            )
            if frame is not None:
                connection.unregister("frame")
        if version.originals:
            (folder / "originals").mkdir()
            for index, (file_name, content) in enumerate(version.originals.items(), start=1):
                (folder / "originals" / f"{index:02d}-{file_name}").write_bytes(content)
        manifest: dict[str, Any] = {
            "version": number,
            "parent": number - 1,
            "commit_id": version.commit_id,
            "time": f"2025-0{number}-01T08:00:00+00:00",
            "info": {
                "op": version.op,
                "source": version.source,
                "sha256": None,
                "user": "office",
                "undoes": version.undoes,
                "details": {},
            },
            "tables": {
                name: {
                    "inserted": 0,
                    "replaced": 0,
                    "unchanged": 0,
                    "deleted": 0,
                    "rows": 0,
                    **version.counts.get(name, {}),
                }
                for name in TABLES
            },
            "contains": list(version.contains),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (root / "CURRENT").write_text(f"{len(versions)}\n")
    connection.close()
    return root
