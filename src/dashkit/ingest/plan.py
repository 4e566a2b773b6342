"""An import, planned then committed: what each file is, what it would change, what is wrong.

``plan_import`` reads and checks every file against the current data and changes nothing; the
plan says, per file and year, how many rows are new, replaced, unchanged or rejected, with every
problem found. ``commit_import`` writes the plan's valid rows as one commit (all files or none):
refused when any file has a problem unless the caller chose to import only the valid rows.
Units files are checked first, so that a participation file may use units imported with it.
A row replaces the stored row with its key, except in the columns the file does not have: those
keep their current values (a report without "Chuyên đề" does not erase the topics). The store
fills them at commit, under its lock, from the version the commit lands on.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashkit.errors import DataError
from dashkit.ingest import values
from dashkit.ingest.across import (
    UploadFile,
    conflict_problems,
    hierarchy_problems,
    reject_rows,
)
from dashkit.ingest.headers import Layout, find_layout
from dashkit.ingest.sources import Head, Limits, Source, open_source
from dashkit.ingest.text import SQL_NAME_KEY
from dashkit.ingest.transform import Checked, Issue, check_file
from dashkit.schema import TABLES, table
from dashkit.store import (
    ABSENT_MARKER,
    CheckedRows,
    CommitInfo,
    CommitResult,
    Store,
    TableWrite,
    read_parquet_sql,
    work_cursor,
)

Progress = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class InputFile:
    name: str  # as the user knows it
    path: Path


@dataclass(frozen=True)
class ImportOptions:
    table: str | None = None  # None: decided from the headers
    year: int | None = None  # for files without a year column (the office report layout)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)  # signature → manual mapping
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class YearCounts:
    year: int | None
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class FilePlan:
    file: str
    sha256: str
    path: Path
    table: str | None = None
    kind: str | None = None  # "csv", or the workbook's format ("xlsx", "xls", "ods", …)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    layout: Layout | None = None
    rows_read: int = 0
    checked: Checked | None = None
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    by_year: list[YearCounts] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.by_year)

    @property
    def ok(self) -> bool:
        return self.issue_count == 0


@dataclass
class ImportPlan:
    files: list[FilePlan]
    base_version: int
    workdir: Path

    @property
    def ok(self) -> bool:
        return all(plan.ok for plan in self.files)

    @property
    def changes(self) -> bool:
        return any(plan.total("inserted") or plan.total("replaced") for plan in self.files)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ImportPlan:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def plan_import(
    store: Store,
    files: Sequence[InputFile],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check ``files`` against the store's current data; nothing is written."""
    options = options or ImportOptions()
    notify = progress or (lambda key, params: None)
    snapshot = store.snapshot()
    workdir = Path(tempfile.mkdtemp(prefix="dashkit-import-"))
    plan = ImportPlan(files=[], base_version=snapshot.version, workdir=workdir)
    # A bounded working set (the store's work database): DuckDB spills rather than holding a
    # big file's rows in memory (the import must not need more than about one copy of a file).
    connection = work_cursor()
    # The files' fingerprints are read beside the checks (hashing lets go of the interpreter
    # lock, as DuckDB does), not before them.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashkit-hash")
    try:
        digests = [hashing.submit(sha256_of, item.path) for item in files]
        values.install(connection)
        units_files = list(snapshot.files.get("units", ()))
        readable = _read_heads(plan, files, options, notify)
        # units first: other files may name units imported alongside them
        readable.sort(key=lambda entry: entry[0].table != "units")
        per_table = Counter(file_plan.table for file_plan, _, _ in readable)
        checked: list[tuple[FilePlan, int]] = []
        for stage in ("units", "others"):
            if stage == "others":  # the units the other files may use: stored and uploaded
                _load_known_units(connection, [*units_files, *_valid_units(checked)])
            for index, (file_plan, source, head) in enumerate(readable):
                if (file_plan.table == "units") != (stage == "units"):
                    continue
                notify("ingest.progress_checking", {"file": file_plan.file})
                one_by_one = per_table[file_plan.table] > 1
                _check(connection, file_plan, source, head, index, options, workdir, one_by_one)
                checked.append((file_plan, index))
            _check_across(connection, checked, stage, units_files, workdir)
        earlier: dict[str, list[Path]] = {}  # the valid rows of each table's files so far
        for file_plan, index in checked:
            _preview_file(connection, file_plan, index, snapshot.files, earlier)
        for file_plan, digest in zip(plan.files, digests, strict=True):
            file_plan.sha256 = digest.result()
    except BaseException:
        plan.close()
        raise
    finally:
        hashing.shutdown(wait=True, cancel_futures=True)
        connection.close()
    return plan


def _load_known_units(connection: duckdb.DuckDBPyConnection, units_files: Sequence[Path]) -> None:
    """``known_units`` (unit_id, unit_name): a view of the units in ``units_files`` (the
    stored ones, then also those of the units files checked so far: it is made again after
    each); ``known_units_named`` adds the key names are matched by, each unit and key once,
    computed only when a file names its units instead of giving their codes."""
    existing = (
        f"SELECT unit_id, unit_name FROM {read_parquet_sql(units_files)}"
        if units_files
        else "SELECT NULL::VARCHAR AS unit_id, NULL::VARCHAR AS unit_name LIMIT 0"
    )
    connection.execute(f"CREATE OR REPLACE TEMP VIEW known_units AS {existing}").fetchall()
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW known_units_named AS SELECT DISTINCT unit_id, "
        f"{SQL_NAME_KEY.format(x='unit_name')} AS name_key FROM known_units"
    ).fetchall()


def _read_heads(
    plan: ImportPlan, files: Sequence[InputFile], options: ImportOptions, notify: Progress
) -> list[tuple[FilePlan, Source, Head]]:
    """Open each file and find its header; a file that cannot be read gets its problem."""
    readable: list[tuple[FilePlan, Source, Head]] = []
    for item in files:
        notify("ingest.progress_reading", {"file": item.name})
        file_plan = FilePlan(file=item.name, sha256="", path=item.path)  # hashed beside
        plan.files.append(file_plan)
        try:
            source = open_source(item.path, item.name, options.limits)
            head = source.head()
            file_plan.kind, file_plan.encoding, file_plan.delimiter, file_plan.sheet = (
                head.kind,
                head.encoding,
                head.delimiter,
                head.sheet,
            )
            head, layout = _find_header(source, head, item.name, options)
            file_plan.delimiter = head.delimiter
        except DataError as error:
            _file_issue(file_plan, error)
            continue
        file_plan.layout, file_plan.table = layout, layout.table
        readable.append((file_plan, source, head))
    return readable


def _find_header(
    source: Source, head: Head, name: str, options: ImportOptions
) -> tuple[Head, Layout]:
    """The header in the file's first rows as read; else as read in the other ways the file
    may be meant (a comma file whose quoted cells hold tabs on many lines can look like a tab
    file to the delimiter's sniffer)."""
    try:
        return head, find_layout(head, name, options.table, _manual(options, head, name))
    except DataError as error:
        if error.key != "ingest.no_header":
            raise
        for other in source.other_heads(head):
            try:
                layout = find_layout(other, name, options.table, _manual(options, other, name))
            except DataError:
                continue
            return other, layout
        raise


def _check(
    connection: duckdb.DuckDBPyConnection,
    file_plan: FilePlan,
    source: Source,
    head: Head,
    index: int,
    options: ImportOptions,
    workdir: Path,
    one_by_one: bool,
) -> None:
    layout = file_plan.layout
    assert layout is not None
    try:
        staged = source.stage(
            head, layout.first_data, layout.width, workdir / f"raw{index}.parquet", connection
        )
        checked = check_file(
            connection,
            layout,
            staged,
            workdir / f"valid{index}.parquet",
            prefix=f"f{index}",
            year=options.year,
            known_units="known_units",
            one_by_one=one_by_one,
        )
    except DataError as error:
        _file_issue(file_plan, error)
        return
    except duckdb.OutOfMemoryException:  # bounded working set: a file too big to check
        _file_issue(file_plan, DataError("ingest.too_big_to_check", file=file_plan.file))
        return
    file_plan.checked = checked
    file_plan.rows_read = checked.rows_read
    file_plan.issues = _bad_row_issues(staged.bad_rows) + checked.issues
    file_plan.issue_count = checked.issue_count + staged.bad_row_count
    file_plan.warnings = list(head.warnings) + checked.warnings


def _preview_file(
    connection: duckdb.DuckDBPyConnection,
    file_plan: FilePlan,
    index: int,
    current: dict[str, tuple[Path, ...]],
    earlier: dict[str, list[Path]],
) -> None:
    """The file's counts per year, once every check (its own and the upload's) is done."""
    checked = file_plan.checked
    if checked is None:
        return
    before = earlier.setdefault(checked.table, [])
    file_plan.by_year = _preview(
        connection, current.get(checked.table, ()), checked, index, tuple(before)
    )
    if checked.valid_rows:
        before.append(checked.valid_path)
    staged_bad = file_plan.issue_count - checked.issue_count
    if staged_bad:  # rows too malformed to have a year
        unknown = next((c for c in file_plan.by_year if c.year is None), YearCounts(None))
        others = [c for c in file_plan.by_year if c.year is not None]
        merged = YearCounts(
            None,
            unknown.inserted,
            unknown.replaced,
            unknown.unchanged,
            unknown.rejected + staged_bad,
        )
        file_plan.by_year = [*others, merged]


def _valid_units(checked: Sequence[tuple[FilePlan, int]]) -> list[Path]:
    return [
        file_plan.checked.valid_path
        for file_plan, _ in checked
        if file_plan.checked is not None and file_plan.checked.table == "units"
    ]


def _check_across(
    connection: duckdb.DuckDBPyConnection,
    checked: Sequence[tuple[FilePlan, int]],
    stage: str,
    stored_units: Sequence[Path],
    workdir: Path,
) -> None:
    """The rules that span files: the same key in two files, and (units) the parents."""
    uploads: dict[str, list[tuple[FilePlan, UploadFile]]] = {}
    for file_plan, index in checked:
        if file_plan.checked is not None and not _refused_whole(file_plan):
            upload = UploadFile(index, file_plan.file, file_plan.checked)
            uploads.setdefault(file_plan.checked.table, []).append((file_plan, upload))
    for name, entries in uploads.items():
        if (name == "units") != (stage == "units"):
            continue
        by_index = {upload.index: (file_plan, upload) for file_plan, upload in entries}
        uploaded = [upload for _, upload in entries]
        for rule in ("conflicts", "parents") if name == "units" else ("conflicts",):
            found = (
                conflict_problems(connection, name, uploaded)
                if rule == "conflicts"
                else hierarchy_problems(connection, stored_units, uploaded)
            )
            for index, rejections in found.items():
                file_plan, upload = by_index[index]
                target = workdir / f"valid{index}.{len(file_plan.issues)}.parquet"
                reject_rows(connection, upload, rejections, target)
                issues = [rejection.issue for rejection in rejections]
                file_plan.issues = sorted(
                    [*file_plan.issues, *issues], key=lambda issue: issue.row or 0
                )
                file_plan.issue_count += len(issues)
                upload.checked.issue_count += len(issues)


def _refused_whole(file_plan: FilePlan) -> bool:
    """A file refused as a whole (a missing column, say) keeps no row to compare."""
    return any(issue.row is None for issue in file_plan.issues)


def commit_import(
    store: Store, plan: ImportPlan, *, skip_invalid: bool = False, user: str | None = None
) -> CommitResult:
    """Write the plan's valid rows as one commit; ``DataError`` when it has problems and the
    caller did not choose to import only the valid rows (then nothing is written)."""
    if not plan.ok and not skip_invalid:
        raise DataError("ingest.refused", problems=sum(file.issue_count for file in plan.files))
    by_table: dict[str, list[Checked]] = {}
    for file_plan in plan.files:
        if file_plan.checked is not None and file_plan.checked.valid_rows:
            by_table.setdefault(file_plan.checked.table, []).append(file_plan.checked)
    writes = []
    for name, checked in by_table.items():
        rows: Path | CheckedRows = checked[0].store_checked or checked[0].valid_path
        if len(checked) > 1:
            rows = plan.workdir / f"combined_{name}.parquet"
            _union(checked, name, rows)
        # the columns a file lacks keep their stored values: filled by the store, under its
        # lock, from the version this commit lands on (not the one the plan read)
        keep = tuple(sorted({column for each in checked for column in each.absent}))
        writes.append(TableWrite(name, rows, mode="upsert", keep=keep))
    details = {
        "files": [
            {
                "file": file_plan.file,
                "table": file_plan.table,
                "sha256": file_plan.sha256,
                "inserted": file_plan.total("inserted"),
                "replaced": file_plan.total("replaced"),
                "unchanged": file_plan.total("unchanged"),
                "rejected": file_plan.total("rejected"),
            }
            for file_plan in plan.files
        ]
    }
    info = CommitInfo(
        op="import",
        source=", ".join(file_plan.file for file_plan in plan.files),
        sha256=plan.files[0].sha256 if len(plan.files) == 1 else None,
        user=user,
        details=details,
    )
    originals = [(file_plan.file, file_plan.path) for file_plan in plan.files]
    return store.commit(writes, info, originals=originals)


# -- helpers ------------------------------------------------------------------------------


def _quote(path: Path | None) -> str:
    return str(path).replace("'", "''")


def _manual(options: ImportOptions, head: Head, file_name: str) -> dict[str, str]:
    """The remembered manual mapping for this file's headers, if any (tried per signature)."""
    if not options.mappings:
        return {}
    layout = find_layout(head, file_name, options.table)
    return options.mappings.get(layout.signature, {})


def _file_issue(file_plan: FilePlan, error: DataError) -> None:
    file_plan.issues.append(Issue(None, None, None, None, error.key, dict(error.params)))
    file_plan.issue_count += 1


def _bad_row_issues(bad_rows: Sequence[Any]) -> list[Issue]:
    return [
        Issue(
            bad.row,
            None,
            None,
            bad.text,
            bad.key,
            {"cells": bad.cells, "expected": bad.expected}
            if bad.key == "ingest.wrong_cell_count"
            else {},
        )
        for bad in bad_rows
    ]


def _year_of(table_name: str, alias: str) -> str:
    """The SQL giving a row's year: its ``year``, an event's date's year, none for units."""
    if table_name == "events":
        return f"year({alias}.date)"
    if "year" in TABLES[table_name].column_names:
        return f"{alias}.year"
    return "NULL::INTEGER"


def _preview(
    connection: duckdb.DuckDBPyConnection,
    current: Sequence[Path],
    checked: Checked,
    index: int,
    earlier: Sequence[Path] = (),
) -> list[YearCounts]:
    """New / replaced / unchanged (valid rows against the current table, as the upload's
    ``earlier`` files for the same table leave it) and rejected, per year."""
    contract = table(checked.table)
    valid = read_parquet_sql([checked.valid_path])
    old = read_parquet_sql(current) if current else f"(SELECT * FROM {valid} LIMIT 0)"
    if earlier:  # a row an earlier file of the upload brings is that file's change, not this one's
        key = ", ".join(contract.key)
        prior = f"(SELECT DISTINCT ON ({key}) * FROM {read_parquet_sql(list(earlier))})"
        old = f"""(SELECT * FROM {prior} UNION ALL BY NAME
                   SELECT * FROM {old} AS s WHERE NOT EXISTS (
                       SELECT 1 FROM {prior} AS p WHERE {contract.key_match("p", "s")}))"""
    key_match = contract.key_match("n", "o")
    same = " AND ".join(  # a column the file lacks keeps its stored value: not a change
        f"(n.{c} IS NULL OR n.{c} IS NOT DISTINCT FROM o.{c})"
        if c in checked.absent
        else f"n.{c} IS NOT DISTINCT FROM o.{c}"
        for c in contract.column_names
    )
    stored = contract.key_candidates(f"SELECT * FROM {old}", valid)
    if _scalar(connection, f"SELECT count(*) FROM (SELECT 1 FROM ({stored}) LIMIT 1)"):
        query = f"""SELECT {_year_of(checked.table, "n")} AS y,
                           count(*) FILTER (WHERE o._present IS NULL),
                           count(*) FILTER (WHERE o._present AND NOT ({same})),
                           count(*) FILTER (WHERE o._present AND ({same}))
                    FROM {valid} AS n LEFT JOIN (SELECT *, true AS _present FROM ({stored})) AS o
                      ON {key_match}
                    GROUP BY y ORDER BY y"""
    else:  # no stored row can share a key (a new year's file): every row is new
        query = f"SELECT {_year_of(checked.table, 'n')} AS y, count(*), 0, 0 FROM {valid} AS n GROUP BY y"
    rows = connection.execute(query).fetchall()
    counts = {y: YearCounts(y, int(a), int(b), int(c)) for y, a, b, c in rows}
    if not checked.rejected_rows:  # (a clean file's rows were never materialised)
        return sorted(counts.values(), key=lambda c: (c.year is None, c.year or 0))
    rejected = connection.execute(
        f"""SELECT {_year_of(checked.table, "t")} AS y, count(*) FROM f{index}_typed AS t
            WHERE EXISTS (SELECT 1 FROM f{index}_issues AS i
                          WHERE i.row = t.__row AND i.grp IS NOT DISTINCT FROM t.__group)
            GROUP BY y"""
    ).fetchall()
    for y, count in rejected:
        base = counts.get(y, YearCounts(y))
        counts[y] = YearCounts(y, base.inserted, base.replaced, base.unchanged, int(count))
    if checked.rejected_rows and not rejected:  # a problem with the whole file
        counts[None] = YearCounts(None, rejected=checked.rejected_rows)
    return sorted(counts.values(), key=lambda c: (c.year is None, c.year or 0))


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return connection.execute(sql).fetchall()[0][0]


def _union(checked: list[Checked], name: str, target: Path) -> None:
    """The valid rows of the files for table ``name`` in one file. When the files lack
    different columns, each row says which its file lacked (``ABSENT_MARKER``), so that the
    store keeps stored values only where a file had no column, not where it left a cell empty."""
    columns = ", ".join(TABLES[name].column_names)
    if len({c.absent for c in checked}) == 1:
        selects = [f"SELECT {columns} FROM {read_parquet_sql([c.valid_path])}" for c in checked]
    else:
        selects = [
            f"SELECT {columns}, {_list_literal(c.absent)} AS {ABSENT_MARKER} "
            f"FROM {read_parquet_sql([c.valid_path])}"
            for c in checked
        ]
    # one row per key (the upload's checks made rows with one key alike): the first file's
    key = ", ".join(TABLES[name].key)
    union = " UNION ALL ".join(
        f"SELECT *, {number} AS __file FROM ({select})" for number, select in enumerate(selects)
    )
    union = f"SELECT * EXCLUDE (__file) FROM (SELECT DISTINCT ON ({key}) * FROM ({union}) ORDER BY {key}, __file)"
    connection = work_cursor()
    try:
        connection.execute(f"COPY ({union}) TO '{_quote(target)}' (FORMAT parquet)").fetchall()
    finally:
        connection.close()


def _list_literal(names: Sequence[str]) -> str:
    return "[" + ", ".join(f"'{name}'" for name in names) + "]::VARCHAR[]"
