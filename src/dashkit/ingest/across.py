"""The rules that span the files of one upload, checked after each file was checked on its own.

Contract: each function looks at the rows the files kept (``Checked``, whose typed rows are the
temporary table ``<prefix>_typed`` of the import's connection) and returns the new problems,
per file, as ``Rejection``s: each names a row (and its audience group) of that file. The caller
rejects those rows (``reject_rows``), so that what the preview counts is what the commit writes
and no rule of the store can fail at commit.

- ``hierarchy_problems``: units files. A unit's parent may be stored, or anywhere in the
  upload's units files, before or after it, several levels deep. A parent that is nowhere, a
  parent whose own row was refused, and a unit that is its own ancestor (a cycle, naming every
  row of the cycle) are refused. Stored units count as they will be after the upload (a file
  may move a stored unit under another), so a cycle through stored units is found too.
- ``conflict_problems``: two files of one upload giving the same key different values (the
  store keeps one row per key) are refused on both sides, each naming the other file's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashkit.ingest.transform import Checked, Issue
from dashkit.schema import table
from dashkit.store import read_parquet_sql

CHAIN_LIMIT = 8  # units shown in a cycle's message; the rest are counted


@dataclass(frozen=True)
class UploadFile:
    """A checked file of the upload: its position (``prefix`` = ``f<index>``) and name."""

    index: int
    name: str
    checked: Checked

    @property
    def typed(self) -> str:
        return f"f{self.index}_typed"

    @property
    def issues_table(self) -> str:
        return f"f{self.index}_issues"


@dataclass
class Rejection:
    row: int
    group: str | None
    issue: Issue


@dataclass
class _Unit:
    unit_id: str
    parent_id: str | None
    file: UploadFile | None = None  # None: stored, not in the upload
    row: int | None = None
    children: list[str] = field(default_factory=list)


def _kept_rows(upload: UploadFile) -> str:
    """SQL: the typed rows of ``upload`` that its valid file holds (none of a refused file)."""
    contract = table(upload.checked.table)
    match = " AND ".join(f"v.{name} IS NOT DISTINCT FROM t.{name}" for name in contract.key)
    return (
        f"SELECT * FROM {upload.typed} AS t WHERE EXISTS (SELECT 1 FROM "
        f"{read_parquet_sql(upload.checked.valid_path)} AS v WHERE {match})"
    )


def hierarchy_problems(
    connection: duckdb.DuckDBPyConnection,
    stored_units: Sequence[Path],
    uploads: Sequence[UploadFile],
) -> dict[int, list[Rejection]]:
    """The upload's units rows whose parent does not exist after the upload, by file index."""
    units: dict[str, _Unit] = {}
    if stored_units:
        for unit_id, parent_id in connection.execute(
            f"SELECT unit_id, parent_id FROM {read_parquet_sql(stored_units)}"
        ).fetchall():
            units[unit_id] = _Unit(unit_id, parent_id)
    refused: dict[str, tuple[UploadFile, int]] = {}  # units whose every row was refused
    for upload in uploads:
        for unit_id, parent_id, row in connection.execute(
            f"SELECT unit_id, parent_id, min(__row) FROM ({_kept_rows(upload)}) "
            f"GROUP BY unit_id, parent_id ORDER BY 3"
        ).fetchall():
            units[unit_id] = _Unit(unit_id, parent_id, upload, row)
        for unit_id, row in connection.execute(
            f"SELECT unit_id, min(__row) FROM {upload.typed} WHERE unit_id IS NOT NULL "
            f"GROUP BY unit_id"
        ).fetchall():
            refused.setdefault(unit_id, (upload, row))
    for unit_id in units:
        refused.pop(unit_id, None)
    for unit in units.values():
        if unit.parent_id is not None and unit.parent_id in units:
            units[unit.parent_id].children.append(unit.unit_id)
    reached = _reachable_from_roots(units)
    problems: dict[int, list[Rejection]] = {}
    for unit in units.values():
        if unit.unit_id in reached or unit.file is None or unit.row is None:
            continue
        issue = _why_unreached(unit, units, refused, reached)
        problems.setdefault(unit.file.index, []).append(Rejection(unit.row, None, issue))
    return problems


def _reachable_from_roots(units: dict[str, _Unit]) -> set[str]:
    """The units whose chain of parents ends at a unit without a parent."""
    stack = [unit.unit_id for unit in units.values() if unit.parent_id is None]
    reached: set[str] = set()
    while stack:
        unit_id = stack.pop()
        if unit_id in reached:
            continue
        reached.add(unit_id)
        stack.extend(units[unit_id].children)
    return reached


def _why_unreached(
    unit: _Unit,
    units: dict[str, _Unit],
    refused: dict[str, tuple[UploadFile, int]],
    reached: set[str],
) -> Issue:
    parent_id = unit.parent_id
    assert parent_id is not None  # a unit without a parent is a root
    if parent_id not in units:
        if parent_id in refused:
            upload, row = refused[parent_id]
            return _issue(
                unit, "ingest.parent_refused", parent_id, parent_row=row, parent_file=upload.name
            )
        return _issue(unit, "ingest.unknown_parent", parent_id)
    chain = [unit.unit_id]
    seen = {unit.unit_id}
    current = units[parent_id]
    while current.unit_id not in seen and current.unit_id not in reached:
        chain.append(current.unit_id)
        seen.add(current.unit_id)
        if current.parent_id is None or current.parent_id not in units:
            break
        current = units[current.parent_id]
    if current.unit_id == unit.unit_id:  # back where it started: a cycle
        shown = [*chain[:CHAIN_LIMIT], unit.unit_id]
        return _issue(
            unit,
            "ingest.parent_cycle",
            parent_id,
            chain=" → ".join(shown) + ("…" if len(chain) > CHAIN_LIMIT else ""),
            rows=", ".join(
                _row_label(unit, units[member]) for member in chain if units[member].file
            ),
        )
    parent = units[parent_id]
    return _issue(
        unit,
        "ingest.parent_refused",
        parent_id,
        parent_row=parent.row if parent.row is not None else "",
        parent_file=parent.file.name if parent.file else "",
    )


def _row_label(unit: _Unit, member: _Unit) -> str:
    """Where ``member`` is, as seen from ``unit``'s row: its row, and its file if another."""
    assert member.file is not None
    if unit.file is not None and member.file.index == unit.file.index:
        return str(member.row)
    return f"{member.file.name} ({member.row})"


def _issue(unit: _Unit, key: str, value: str, **params: Any) -> Issue:
    header = unit.file.checked.headers.get("parent_id") if unit.file else None
    return Issue(unit.row, "parent_id", header, value, key, params)


def conflict_problems(
    connection: duckdb.DuckDBPyConnection, table_name: str, uploads: Sequence[UploadFile]
) -> dict[int, list[Rejection]]:
    """Rows of different files of one upload with the same key and different values."""
    if len(uploads) < 2:
        return {}
    contract = table(table_name)
    key = ", ".join(contract.key)
    content = ", ".join(contract.column_names)
    union = " UNION ALL ".join(
        f"SELECT {upload.index} AS file, __row AS row, __group AS grp, {key}, "
        f"md5(CAST(({content}) AS VARCHAR)) AS content FROM ({_kept_rows(upload)})"
        for upload in uploads
    )
    rows = connection.execute(
        f"""WITH rows AS ({union}),
                conflicting AS (SELECT {key} FROM rows GROUP BY ALL
                                HAVING count(DISTINCT content) > 1 AND count(DISTINCT file) > 1)
            SELECT r.file, r.row, r.grp,
                   list(DISTINCT o.file || ':' || o.row) AS others
            FROM rows AS r JOIN conflicting AS c ON {contract.key_match("r", "c")}
            JOIN rows AS o ON {contract.key_match("o", "c")} AND o.file <> r.file
                          AND o.content <> r.content
            GROUP BY ALL ORDER BY r.file, r.row"""
    ).fetchall()
    names = {upload.index: upload.name for upload in uploads}
    problems: dict[int, list[Rejection]] = {}
    for file, row, group, others in rows:
        where = "; ".join(
            f"{names[int(other.split(':')[0])]} ({other.split(':')[1]})" for other in sorted(others)
        )
        issue = Issue(row, None, None, None, "ingest.conflict_across_files", {"others": where})
        problems.setdefault(int(file), []).append(Rejection(int(row), group, issue))
    return problems


def reject_rows(
    connection: duckdb.DuckDBPyConnection,
    upload: UploadFile,
    rejections: Sequence[Rejection],
    target: Path,
) -> int:
    """Add ``rejections`` to the file's problems and write its remaining rows to ``target``;
    returns how many rows of the table were rejected in all (each row and group once)."""
    connection.executemany(
        f"INSERT INTO {upload.issues_table} (row, grp, col, value, key, params) "
        f"VALUES (?, ?, ?, ?, ?, NULL)",
        [
            [each.row, each.group, each.issue.column, each.issue.value, each.issue.key]
            for each in rejections
        ],
    )
    contract = table(upload.checked.table)
    key_columns = ", ".join(f"t.{name}" for name in contract.key)
    gone = (
        f"SELECT {key_columns} FROM {upload.typed} AS t JOIN {upload.issues_table} AS i "
        f"ON i.row = t.__row AND i.grp IS NOT DISTINCT FROM t.__group"
    )
    valid = read_parquet_sql(upload.checked.valid_path)
    match = " AND ".join(f"g.{name} IS NOT DISTINCT FROM v.{name}" for name in contract.key)
    quoted = str(target).replace("'", "''")
    (written,) = connection.execute(
        f"""COPY (SELECT * FROM {valid} AS v WHERE NOT EXISTS (
                 SELECT 1 FROM ({gone}) AS g WHERE {match}))
            TO '{quoted}' (FORMAT parquet, COMPRESSION snappy)"""
    ).fetchall()[0]
    upload.checked.valid_path = target
    upload.checked.valid_rows = int(written)
    upload.checked.store_checked = None
    rejected = connection.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT row, grp FROM {upload.issues_table})"
    ).fetchall()[0][0]
    upload.checked.rejected_rows = int(rejected)
    return int(rejected)
