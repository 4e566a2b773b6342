"""The import's fast path for clean files, pinned down against the row-by-row path.

A file whose every distinct value is clean is written straight to its valid rows and checked
once by the store (``check_rows``, giving ``CheckedRows`` that a commit does not check again);
a file with anything to look at row by row (here: a totals row) takes the slow path, and a
clean file that breaks a rule of the table falls back to it. With real files, a real store and
real DuckDB, these tests hold that:

- fast and slow give the same stored rows, preview counts and commit counts, for a
  participation file with unit codes, an events file without ids, an awards file whose year
  comes from the date, a file without a year column imported with ``ImportOptions(year=)`` and
  the office report layout by unit code (two table rows a file row); every totals label, and
  every value problem the store's own check cannot see, keeps a file off the fast path;
- a clean file that breaks a rule (completed > eligible, one key with two contents, a year out
  of range) is reported on the rows the user sees, and an identical copy is kept once;
- rows keep their file row numbers in a big file (DuckDB's ``rowid``, parallel reader) and
  after an empty line (the streamed reader);
- ``CheckedRows`` commit as checked, but a file changed since its check, or rows given stored
  values of ``keep`` columns, are checked again (nothing written when they break a rule);
- the diffs count per year against only the stored years the file has: a new year is all
  new, the same file again is all unchanged and writes nothing, one changed figure is one
  replaced row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashkit.errors import DataError
from dashkit.ingest import (
    FilePlan,
    ImportOptions,
    InputFile,
    YearCounts,
    commit_import,
    plan_import,
)
from dashkit.schema import TABLES
from dashkit.store import (
    CheckedRows,
    CommitInfo,
    CommitResult,
    Store,
    TableCounts,
    TableWrite,
    check_rows,
)
from tests.support.stores import copy_store, store_state, tree

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


UNITS = tuple(f"U{n:04d}" for n in range(1, 5001))
AUDIENCES = ("Đảng viên", "Người lao động")
PARTICIPATION_HEADER = ("Năm", "Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập", "Chuyên đề")
TOPIC = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
TOTALS = "Tổng cộng"
Row = tuple[Any, ...]
Cells = tuple[str, ...]
Problem = tuple[int | None, str | None, str, str | None, dict[str, Any]]


# -- files -----------------------------------------------------------------------------------


def csv_lines(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return csv_lines([header, *rows])


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def thousands(number: int) -> str:
    """A figure as Vietnamese offices write it: "1.234"."""
    return f"{number:,}".replace(",", ".")


def participation_row(
    year: int, unit: str, audience: int, eligible: int, completed: int, topic: str = TOPIC
) -> Cells:
    return (str(year), unit, AUDIENCES[audience], thousands(eligible), str(completed), topic)


@dataclass(frozen=True)
class Kind:
    """A kind of clean file: its header and its ``n``-th data row, as it is now or as it was
    (``earlier``: other figures for the same key, what the store holds before the import)."""

    name: str
    table: str
    header: Cells
    row: Callable[[int, bool], Cells]
    options: ImportOptions = field(default_factory=ImportOptions)
    above: tuple[Cells, ...] = ()  # header rows above ``header`` (the office report layout)
    per_row: int = 1  # rows of the table a data row makes

    @property
    def header_rows(self) -> int:
        return len(self.above) + 1

    def rows(self, count: int, earlier: Sequence[int] = ()) -> list[Cells]:
        return [self.row(n, n in earlier) for n in range(count)]

    def text(self, count: int, earlier: Sequence[int] = ()) -> str:
        return csv_lines([*self.above, self.header, *self.rows(count, earlier)])


def _participation(n: int, earlier: bool) -> Cells:
    eligible = 1000 + 37 * n  # "1.000" and up: a thousands separator to parse
    return participation_row(2020 + (n // 2) % 2, UNITS[n // 4], n % 2, eligible, 900 - earlier)


def _events(n: int, earlier: bool) -> Cells:
    year, day, month = 2022 + n % 2, n % 28 + 1, n % 12 + 1
    date = f"{year}-{month:02d}-{day:02d}" if n % 3 == 0 else f"{day}/{month:02d}/{year}"
    kind = ("Hội nghị", "Lớp học tập", "Sinh hoạt chuyên đề")[n % 3]
    return (date, UNITS[n], kind, f"Hội nghị chuyên đề số {n}", thousands(1200 + n - earlier))


def _awards(n: int, earlier: bool) -> Cells:
    reason = "Lý do cũ" if earlier else "Hoàn thành xuất sắc nhiệm vụ, năm học"
    return (
        f"{n % 28 + 1:02d}/06/{2023 + n % 2}",
        UNITS[n],
        ("Tập thể", "Cá nhân")[n % 2],
        f"Người nhận {n}",
        "Giấy khen",
        "Đảng ủy Khối",
        reason,
    )


def _without_year(n: int, earlier: bool) -> Cells:
    return (UNITS[n // 2], AUDIENCES[n % 2], str(40 + n), str(30 + n - earlier))


def _report(n: int, earlier: bool) -> Cells:
    """A row of the office report layout by unit code: one row per audience (the workers'
    figure is the one that was different)."""
    return (str(n + 1), UNITS[n], str(5 + n), str(4 + n), thousands(1500 + n), str(1200 - earlier))


KINDS = (
    Kind("participation", "participation", PARTICIPATION_HEADER, _participation),
    Kind(
        "events_without_id",
        "events",
        ("Ngày", "Mã đơn vị", "Hình thức", "Nội dung", "Số người tham dự"),
        _events,
    ),
    Kind(
        "awards_year_from_date",
        "awards",
        (
            "Ngày khen thưởng",
            "Mã đơn vị",
            "Tập thể/Cá nhân",
            "Tên tập thể/cá nhân",
            "Hình thức khen thưởng",
            "Cấp khen",
            "Lý do",
        ),
        _awards,
    ),
    Kind(
        "participation_year_given",
        "participation",
        ("Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập"),
        _without_year,
        ImportOptions(year=2024),
    ),
    Kind(
        "report_layout_by_code",
        "participation",
        ("", "", "Tổng số", "Đã học tập", "Tổng số", "Đã học tập"),
        _report,
        ImportOptions(year=2025),
        above=(("STT", "Mã đơn vị", "Đảng viên", "", "Người lao động", ""),),
        per_row=2,
    ),
)
KIND = {kind.name: kind for kind in KINDS}


# -- stores and imports ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def units_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast-path") / "data"
    units = pd.DataFrame({"unit_id": list(UNITS), "unit_name": [f"Đơn vị {u}" for u in UNITS]})
    Store(root).commit([TableWrite("units", units)], CommitInfo(op="import", source="seed"))
    return root


def store_copy(units_root: Path, target: Path) -> Store:
    """A store of its own holding the units (a copy: cheaper than committing them again)."""
    copy_store(units_root, target)
    return Store(target)


@pytest.fixture
def store(units_root: Path, tmp_path: Path) -> Store:
    return store_copy(units_root, tmp_path / "data")


def plan_one(store: Store, path: Path, options: ImportOptions | None = None) -> FilePlan:
    with plan_import(store, [InputFile(path.name, path)], options) as plan:
        (file_plan,) = plan.files
        return file_plan


def import_one(
    store: Store, path: Path, options: ImportOptions | None = None, *, skip_invalid: bool = False
) -> tuple[FilePlan, CommitResult]:
    with plan_import(store, [InputFile(path.name, path)], options) as plan:
        (file_plan,) = plan.files
        return file_plan, commit_import(store, plan, skip_invalid=skip_invalid)


def fast(file_plan: FilePlan) -> bool:
    """Whether the file took the fast path (its rows were checked by the store at plan time)."""
    return file_plan.checked is not None and file_plan.checked.store_checked is not None


def all_tables(store: Store) -> dict[str, list[Row]]:
    snapshot = store.snapshot()
    return {name: snapshot.rows(f"SELECT * FROM {name} ORDER BY ALL") for name in TABLES}


def problems(file_plan: FilePlan) -> list[Problem]:
    return [
        (issue.row, issue.header, issue.key, issue.value, issue.params)
        for issue in file_plan.issues
    ]


def outcome(file_plan: FilePlan) -> dict[str, Any]:
    """What an import shows its user, warnings aside."""
    checked = file_plan.checked
    assert checked is not None
    return {
        "table": file_plan.table,
        "rows_read": file_plan.rows_read,
        "by_year": file_plan.by_year,
        "problems": problems(file_plan),
        "issue_count": file_plan.issue_count,
        "valid_rows": checked.valid_rows,
        "table_rows": checked.table_rows,
        "absent": checked.absent,
    }


def year_counts(file_plan: FilePlan) -> dict[int | None, tuple[int, int, int, int]]:
    return {c.year: (c.inserted, c.replaced, c.unchanged, c.rejected) for c in file_plan.by_year}


# -- fast and slow agree ---------------------------------------------------------------------

ROWS = 24
EARLIER = (0, 1, 2, 5)  # stored before the import with other figures: replaced
STORED = 12  # the first rows are stored before the import; the others are new


def with_totals(kind: Kind) -> str:
    """The rows and a totals row: the label first, a figure last (with no figure at all, a
    row labelled in a column that is not read, "STT", is a blank row)."""
    return kind.text(ROWS) + csv_lines([(TOTALS, *[""] * (len(kind.header) - 2), "1.234")])


def with_trailing_blank_rows(kind: Kind) -> str:
    return kind.text(ROWS) + csv_lines([("",) * len(kind.header)] * 2)


def with_an_empty_line(kind: Kind) -> str:
    lines = kind.text(ROWS).splitlines(keepends=True)
    return "".join([*lines[:6], "\n", *lines[6:]])  # the streamed reader's way


Warnings = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Variant:
    name: str
    text: Callable[[Kind], str]
    warnings: Callable[[Kind], Warnings]
    fast: bool


VARIANTS = (
    # a totals row is for the row-by-row path only
    Variant(
        "totals_row",
        with_totals,
        lambda kind: [("ingest.totals_row", {"row": kind.header_rows + ROWS + 1})],
        fast=False,
    ),
    Variant(
        "trailing_blank_rows",
        with_trailing_blank_rows,
        lambda kind: [("ingest.blank_rows", {"count": 2})],
        fast=True,
    ),
    Variant(
        "empty_line",
        with_an_empty_line,
        lambda kind: [("ingest.blank_rows", {"count": 1})],
        fast=True,
    ),
)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_clean_file_and_its_variant_import_alike(
    kind: Kind, variant: Variant, units_root: Path, tmp_path: Path
) -> None:
    outcomes: dict[str, tuple[FilePlan, CommitResult, dict[str, list[Row]]]] = {}
    for name, text in (("clean", kind.text(ROWS)), (variant.name, variant.text(kind))):
        store = store_copy(units_root, tmp_path / name)
        earlier = write(tmp_path / f"{name}-earlier.csv", kind.text(STORED, EARLIER))
        assert import_one(store, earlier, kind.options)[1].changed
        file_plan, result = import_one(store, write(tmp_path / f"{name}.csv", text), kind.options)
        outcomes[name] = (file_plan, result, all_tables(store))
    clean, clean_result, clean_tables = outcomes["clean"]
    other, other_result, other_tables = outcomes[variant.name]

    assert (fast(clean), fast(other)) == (True, variant.fast), "not the path this test is for"
    assert clean.ok and clean.warnings == []
    assert other.warnings == variant.warnings(kind)
    assert outcome(other) == outcome(clean)
    assert clean.rows_read == ROWS
    assert clean.total("inserted") == (ROWS - STORED) * kind.per_row
    assert clean.total("replaced") == len(EARLIER)
    assert clean.total("unchanged") == STORED * kind.per_row - len(EARLIER)
    assert other_result.tables == clean_result.tables
    assert other_tables == clean_tables
    assert len(clean_tables[kind.table]) == ROWS * kind.per_row


@pytest.mark.parametrize("label", ["Cộng", "TỔNG CỘNG", "Tổng số:", "Total"])
def test_a_totals_row_under_any_label_is_left_out(label: str, store: Store, tmp_path: Path) -> None:
    kind = KIND["participation"]
    text = kind.text(ROWS) + csv_lines([(label, "", "", "1.234", "1.000", "")])
    file_plan, result = import_one(store, write(tmp_path / "totals.csv", text))

    assert not fast(file_plan)
    assert file_plan.ok and file_plan.rows_read == ROWS
    assert file_plan.warnings == [("ingest.totals_row", {"row": ROWS + 2})]
    assert result.tables["participation"].inserted == ROWS


# -- a clean file that breaks a rule ---------------------------------------------------------


@dataclass(frozen=True)
class RuleCase:
    name: str
    rows: tuple[Cells, ...]
    problems: list[Problem]
    stored: list[Row]  # (unit_id, audience, eligible, completed) after importing the valid rows
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({problem[0] for problem in self.problems})


PM, WK = "party_member", "worker"
RULE_CASES = (
    RuleCase(
        "completed_gt_eligible",
        (
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(2021, "U0002", 0, 12, 13),
            participation_row(2021, "U0003", 0, 8, 8),
        ),
        [(3, "Đã học tập", "check.completed_le_eligible", "13", {})],
        [("U0001", PM, 10, 5), ("U0003", PM, 8, 8)],
    ),
    RuleCase(
        "same_key_other_figures",
        (
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(2021, "U0002", 0, 12, 11),
            participation_row(2021, "U0001", 0, 10, 6),
        ),
        [
            (2, None, "ingest.duplicate_conflict", None, {"rows": "4"}),
            (4, None, "ingest.duplicate_conflict", None, {"rows": "2"}),
        ],
        [("U0002", PM, 12, 11)],
    ),
    RuleCase(
        "identical_copy",
        (
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(2021, "U0002", 0, 12, 11),
            participation_row(2021, "U0001", 0, 10, 5),
        ),
        [],
        [("U0001", PM, 10, 5), ("U0002", PM, 12, 11)],
        [("ingest.identical_duplicates", {"count": 1})],
    ),
    RuleCase(
        "year_out_of_range",
        (
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(1800, "U0002", 0, 12, 11),
        ),
        [(3, "Năm", "check.year_min", "1800", {})],
        [("U0001", PM, 10, 5)],
    ),
    RuleCase(
        "all_at_once",
        (
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(2021, "U0002", 1, 12, 13),
            participation_row(2021, "U0003", 0, 20, 20),
            participation_row(2021, "U0001", 0, 10, 5),
            participation_row(2021, "U0004", 1, 30, 1),
            participation_row(2021, "U0003", 0, 20, 19),
            participation_row(2021, "U0001", 0, 10, 5),
        ),
        [
            (3, "Đã học tập", "check.completed_le_eligible", "13", {}),
            (4, None, "ingest.duplicate_conflict", None, {"rows": "7"}),
            (7, None, "ingest.duplicate_conflict", None, {"rows": "4"}),
        ],
        [("U0001", PM, 10, 5), ("U0004", WK, 30, 1)],
        [("ingest.identical_duplicates", {"count": 2})],
    ),
)


@pytest.mark.parametrize("slow_from_the_start", [False, True], ids=["clean", "with_totals"])
@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.name)
def test_a_clean_file_that_breaks_a_rule_names_the_rows(
    case: RuleCase, slow_from_the_start: bool, store: Store, tmp_path: Path
) -> None:
    """Every value parses, so the fast path is tried; the rule sends the file row by row, and
    the outcome is the one a file that was slow from the start (a totals row) gets."""
    rows = list(case.rows)
    warnings = list(case.warnings)
    if slow_from_the_start:
        rows.append((TOTALS, "", "", "", "", ""))
        warnings.append(("ingest.totals_row", {"row": len(rows) + 1}))
    path = write(tmp_path / "rules.csv", csv_text(PARTICIPATION_HEADER, rows))

    file_plan, result = import_one(store, path, skip_invalid=True)

    assert not fast(file_plan)
    assert problems(file_plan) == case.problems
    assert file_plan.issue_count == len(case.problems)
    assert sorted(file_plan.warnings, key=str) == sorted(warnings, key=str)
    assert file_plan.rows_read == len(case.rows)
    assert file_plan.total("rejected") == case.rejected
    assert file_plan.total("inserted") == len(case.stored)
    assert result.tables["participation"].inserted == len(case.stored)
    stored = store.snapshot().rows(
        "SELECT unit_id, audience, eligible, completed FROM participation ORDER BY ALL"
    )
    assert stored == case.stored


def test_a_clean_events_file_with_one_natural_key_twice_names_both_rows(
    store: Store, tmp_path: Path
) -> None:
    """Two events of one unit, day and title are one event (one derived id): with other
    attendance figures both rows are refused, naming each other."""
    kind = KIND["events_without_id"]
    rows = kind.rows(6)
    rows[4] = (*rows[1][:4], "77")
    path = write(tmp_path / "events.csv", csv_text(kind.header, rows))
    file_plan = plan_one(store, path)
    assert not fast(file_plan)
    assert problems(file_plan) == [
        (3, None, "ingest.duplicate_conflict_events", None, {"rows": "6"}),
        (6, None, "ingest.duplicate_conflict_events", None, {"rows": "3"}),
    ]
    assert year_counts(file_plan) == {2022: (2, 0, 0, 0), 2023: (2, 0, 0, 2)}


@pytest.mark.parametrize(
    ("kind", "column", "cell", "problem"),
    [
        pytest.param("participation", 1, "U9999", ("Mã đơn vị", "ingest.unknown_unit"), id="unit"),
        pytest.param("participation", 4, "năm", ("Đã học tập", "ingest.not_integer"), id="number"),
        pytest.param(
            "participation", 5, "Chuyên\x07đề", ("Chuyên đề", "ingest.control_character"), id="bel"
        ),
        pytest.param(
            "participation", 5, "x" * 1001, ("Chuyên đề", "ingest.text_too_long"), id="long"
        ),
        pytest.param(  # an optional column: the store would take the empty value
            "events_without_id", 4, "nhiều", ("Số người tham dự", "ingest.not_integer"), id="opt"
        ),
        pytest.param(
            "events_without_id", 2, "Dã ngoại", ("Hình thức", "ingest.unknown_code"), id="code"
        ),
        pytest.param(
            "events_without_id", 0, "1/1/1850", ("Ngày", "ingest.date_out_of_range"), id="date"
        ),
    ],
)
def test_one_bad_value_in_an_otherwise_clean_file_is_found(
    kind: str, column: int, cell: str, problem: tuple[str, str], store: Store, tmp_path: Path
) -> None:
    """A value the dictionaries must catch: the store's check of the written rows would not
    (it knows neither units nor how a cell was written)."""
    file_kind = KIND[kind]
    rows = file_kind.rows(4)
    rows[1] = tuple(cell if index == column else text for index, text in enumerate(rows[1]))
    file_plan = plan_one(store, write(tmp_path / "bad.csv", csv_text(file_kind.header, rows)))
    assert not fast(file_plan)
    assert [(issue.row, issue.header, issue.key) for issue in file_plan.issues] == [(3, *problem)]
    assert (file_plan.total("inserted"), file_plan.total("rejected")) == (3, 1)


# -- row numbers -----------------------------------------------------------------------------


def numbered_rows(count: int, topic: str = TOPIC) -> list[Cells]:
    """``count`` distinct clean participation rows, years from 2001 on."""
    per_year = 2 * len(UNITS)
    return [
        participation_row(2001 + n // per_year, UNITS[n % per_year // 2], n % 2, 50, 40, topic)
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("count", "broken", "empty_line_after", "topic"),
    [
        pytest.param(10_000, (5_000,), None, TOPIC, id="10k-rows-plain"),
        pytest.param(10_000, (5_000, 9_999), 100, TOPIC, id="10k-rows-empty-line-at-102"),
        # ~28 MB: more than one chunk of DuckDB's parallel CSV reader
        pytest.param(30_000, (7_777, 20_000, 29_990), None, "x" * 900, id="30k-long-rows"),
    ],
)
def test_a_problem_deep_in_a_clean_file_names_its_file_row(
    count: int,
    broken: tuple[int, ...],
    empty_line_after: int | None,
    topic: str,
    store: Store,
    tmp_path: Path,
) -> None:
    """Data row ``n`` (from 1) is file row ``n + 1`` under the header, one more past an empty
    line; the rows with completed > eligible are named by that number and nothing else."""
    rows = numbered_rows(count, topic)
    for n in broken:
        rows[n - 1] = (*rows[n - 1][:4], "51", topic)
    lines = csv_text(PARTICIPATION_HEADER, rows).splitlines(keepends=True)
    if empty_line_after is not None:
        lines.insert(empty_line_after + 1, "\n")
    file_plan = plan_one(store, write(tmp_path / "big.csv", "".join(lines)))

    def file_row(n: int) -> int:
        return n + 1 + (empty_line_after is not None and n > empty_line_after)

    assert problems(file_plan) == [
        (file_row(n), "Đã học tập", "check.completed_le_eligible", "51", {}) for n in broken
    ]
    assert file_plan.rows_read == count
    assert file_plan.total("inserted") == count - len(broken)


def test_a_duplicate_far_apart_names_both_file_rows(store: Store, tmp_path: Path) -> None:
    rows = numbered_rows(10_000)
    rows[4_999] = (*rows[1][:4], "39", TOPIC)  # data row 5,000 repeats data row 2's key
    file_plan = plan_one(store, write(tmp_path / "dup.csv", csv_text(PARTICIPATION_HEADER, rows)))
    assert problems(file_plan) == [
        (3, None, "ingest.duplicate_conflict", None, {"rows": "5001"}),
        (5_001, None, "ingest.duplicate_conflict", None, {"rows": "3"}),
    ]


# -- CheckedRows -----------------------------------------------------------------------------

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
}
PART_ROWS: tuple[Row, ...] = (
    (2021, "U0001", PM, 10, 5, None),
    (2021, "U0001", WK, 20, 20, "Chuyên đề"),
    (2021, "U0002", PM, 7, 0, None),
)


def write_parquet(path: Path, table_name: str, rows: Sequence[Row]) -> Path:
    """Rows with exactly the contract's columns and types, as the importer writes them."""
    columns = TABLES[table_name].stored_columns
    schema = pa.schema([(c.name, _ARROW_TYPES[c.kind.sql_type]) for c in columns])
    records = [dict(zip((c.name for c in columns), row, strict=True)) for row in rows]
    pq.write_table(pa.Table.from_pylist(records, schema=schema), path)
    return path


def checked(table_name: str, path: Path) -> CheckedRows:
    connection = duckdb.connect(":memory:")
    try:
        return check_rows(connection, table_name, path)
    finally:
        connection.close()


def info() -> CommitInfo:
    return CommitInfo(op="import", source="checked.parquet")


def test_checked_rows_commit_as_they_are(store: Store, tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "rows.parquet", "participation", PART_ROWS)
    rows = checked("participation", path)
    status = path.stat()
    assert rows == CheckedRows(
        "participation", path, ((path.name, status.st_ino, status.st_size, status.st_mtime_ns),)
    )
    assert rows.unchanged()

    result = store.commit([TableWrite("participation", rows)], info())

    assert result.tables["participation"] == TableCounts(inserted=3, rows=3)
    assert store.snapshot().rows("SELECT * FROM participation ORDER BY ALL") == list(PART_ROWS)


BROKEN: dict[str, tuple[tuple[Row, ...], str, str | None]] = {
    "completed_gt_eligible": (
        (*PART_ROWS, (2021, "U0003", PM, 5, 6, None)),
        "store.rule_broken",
        "completed_le_eligible",
    ),
    "negative_figure": (
        (*PART_ROWS, (2021, "U0003", PM, -1, 0, None)),
        "store.rule_broken",
        "eligible_min",
    ),
    "no_unit": (
        (*PART_ROWS, (2021, None, PM, 5, 5, None)),
        "store.rule_broken",
        "required_unit_id",
    ),
    "same_key_twice": (
        (*PART_ROWS, (2021, "U0001", PM, 10, 4, None)),
        "store.duplicate_key",
        None,
    ),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_check_rows_refuses_rows_that_break_a_rule(broken: str, tmp_path: Path) -> None:
    rows, key, rule = BROKEN[broken]
    path = write_parquet(tmp_path / "rows.parquet", "participation", rows)
    with pytest.raises(DataError) as refused:
        checked("participation", path)
    assert refused.value.key == key
    assert refused.value.params.get("rule") == rule


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_checked_rows_changed_since_their_check_are_checked_again(
    broken: str, store: Store, tmp_path: Path
) -> None:
    path = write_parquet(tmp_path / "rows.parquet", "participation", PART_ROWS)
    rows = checked("participation", path)
    bad_rows, key, rule = BROKEN[broken]
    write_parquet(path, "participation", bad_rows)  # same path, a row more: another stamp
    assert not rows.unchanged(), "the rewrite kept the stamp: this test proves nothing"
    before = store_state(store)

    with pytest.raises(DataError) as refused:
        store.commit([TableWrite("participation", rows)], info())

    assert refused.value.key == key
    assert refused.value.params.get("rule") == rule
    assert store_state(store) == before
    assert store.snapshot().scalar("SELECT count(*) FROM participation") == 0


def test_checked_rows_given_stored_values_of_keep_columns_are_checked_again(
    tmp_path: Path,
) -> None:
    """A unit now active from 2015 whose file has no "until" column keeps its stored
    ``active_to`` (2010): the row as it would be stored breaks ``active_range``, though the
    file's rows alone were checked clean."""
    store = Store(tmp_path / "data")
    stored = (
        ("U1", "Một", None, None, None, 2000, 2010),
        ("U2", "Hai", None, None, None, 2000, None),
    )
    store.commit(
        [TableWrite("units", write_parquet(tmp_path / "seed.parquet", "units", stored))], info()
    )
    version = store.version()
    incoming = (("U1", "Một", None, None, None, 2015, None),)
    rows = checked("units", write_parquet(tmp_path / "units.parquet", "units", incoming))

    with pytest.raises(DataError) as refused:
        store.commit([TableWrite("units", rows, keep=("active_to",))], info())

    assert (refused.value.key, refused.value.params["rule"]) == (
        "store.rule_broken",
        "active_range",
    )
    assert store.version() == version
    assert store.snapshot().rows("SELECT * FROM units ORDER BY ALL") == list(stored)


# -- diffs against the stored years ----------------------------------------------------------


def participation_file(path: Path, years: Iterable[int], units: int, changed: int = 0) -> Path:
    """Both audiences of the first ``units`` units for each year; the ``changed`` first rows
    of the last year have one more completed."""
    rows: list[Cells] = []
    for year in years:
        rows.extend(participation_row(year, UNITS[n // 2], n % 2, 60, 40) for n in range(units * 2))
    for n in range(len(rows) - units * 2, len(rows) - units * 2 + changed):
        rows[n] = (*rows[n][:4], "41", TOPIC)
    return write(path, csv_text(PARTICIPATION_HEADER, rows))


PER_YEAR = 40  # rows: 20 units, two audiences


@pytest.fixture
def store_2020_2021(store: Store, tmp_path: Path) -> Store:
    file_plan, result = import_one(
        store, participation_file(tmp_path / "seed.csv", (2020, 2021), 20)
    )
    assert fast(file_plan) and result.changed
    return store


def test_a_new_year_is_all_inserted(store_2020_2021: Store, tmp_path: Path) -> None:
    store = store_2020_2021
    before = store.snapshot().rows("SELECT * FROM participation ORDER BY ALL")
    file_plan, result = import_one(store, participation_file(tmp_path / "2022.csv", (2022,), 20))

    assert file_plan.by_year == [YearCounts(2022, inserted=PER_YEAR)]
    assert result.tables["participation"] == TableCounts(inserted=PER_YEAR, rows=3 * PER_YEAR)
    after = store.snapshot().rows("SELECT * FROM participation WHERE year < 2022 ORDER BY ALL")
    assert after == before


def test_the_same_file_again_is_all_unchanged_and_writes_nothing(
    store_2020_2021: Store, tmp_path: Path
) -> None:
    store = store_2020_2021
    version, files = store.version(), tree(store.root)
    file_plan, result = import_one(
        store, participation_file(tmp_path / "again.csv", (2020, 2021), 20)
    )

    assert file_plan.by_year == [
        YearCounts(2020, unchanged=PER_YEAR),
        YearCounts(2021, unchanged=PER_YEAR),
    ]
    assert result.commit_id is None
    assert result.tables["participation"] == TableCounts(unchanged=2 * PER_YEAR, rows=2 * PER_YEAR)
    assert store.version() == version
    assert tree(store.root) == files


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_of_file_again_changes_nothing(kind: Kind, store: Store, tmp_path: Path) -> None:
    """Derived ids and years from dates come out the same the second time."""
    path = write(tmp_path / "file.csv", kind.text(ROWS))
    first, _ = import_one(store, path, kind.options)
    version = store.version()
    again, result = import_one(store, path, kind.options)

    assert fast(first) and fast(again)
    assert {year: counts[0] for year, counts in year_counts(first).items()} == {
        year: counts[2] for year, counts in year_counts(again).items()
    }
    rows = ROWS * kind.per_row
    assert again.total("unchanged") == rows
    assert result.commit_id is None and store.version() == version
    assert result.tables[kind.table] == TableCounts(unchanged=rows, rows=rows)


def test_one_changed_figure_is_one_replaced_row_of_its_year(
    store_2020_2021: Store, tmp_path: Path
) -> None:
    store = store_2020_2021
    # the rows of 2021 last: its first row is the changed one
    path = participation_file(tmp_path / "change.csv", (2022, 2021), 20, changed=1)
    file_plan, result = import_one(store, path)

    assert file_plan.by_year == [
        YearCounts(2021, replaced=1, unchanged=PER_YEAR - 1),
        YearCounts(2022, inserted=PER_YEAR),
    ]
    assert result.tables["participation"] == TableCounts(
        inserted=PER_YEAR, replaced=1, unchanged=PER_YEAR - 1, rows=3 * PER_YEAR
    )
    assert store.snapshot().rows(
        "SELECT year, unit_id, audience, completed FROM participation WHERE completed = 41"
    ) == [(2021, "U0001", PM, 41)]


def test_a_file_without_a_stored_column_keeps_its_values_and_counts_them_unchanged(
    store_2020_2021: Store, tmp_path: Path
) -> None:
    """The file has no "Chuyên đề": the stored topics stay, and are no change; one changed
    figure is one replaced row, its topic kept (the rows the store filled are checked again)."""
    store = store_2020_2021
    header = PARTICIPATION_HEADER[:-1]
    rows = [participation_row(2021, UNITS[n // 2], n % 2, 60, 40)[:-1] for n in range(PER_YEAR)]
    rows[3] = (*rows[3][:4], "39")
    file_plan, result = import_one(store, write(tmp_path / "no-topic.csv", csv_text(header, rows)))

    assert fast(file_plan)
    assert file_plan.checked is not None and file_plan.checked.absent == ("topic",)
    assert file_plan.by_year == [YearCounts(2021, replaced=1, unchanged=PER_YEAR - 1)]
    assert result.tables["participation"] == TableCounts(
        replaced=1, unchanged=PER_YEAR - 1, rows=2 * PER_YEAR
    )
    topics = store.snapshot().rows("SELECT DISTINCT topic FROM participation")
    assert topics == [(TOPIC,)]


def test_checked_rows_of_new_years_are_added_as_the_check_wrote_them(
    store: Store, tmp_path: Path
) -> None:
    """A clean file is written once, one file per year, when it is checked; a commit that
    adds its rows as they are (new years: nothing to merge) moves those files into the table
    instead of writing the rows again."""
    path = tmp_path / "hai-nam.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Năm", "Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập"])
        for year in (2031, 2032):
            for unit in UNITS[:300]:
                writer.writerow([year, unit, "Đảng viên", 20, 19])
    with plan_import(store, [InputFile(path.name, path)]) as plan:
        assert plan.ok, plan.files[0].issues[:3]
        parts = sorted((plan.workdir / "valid0.parts").glob("*.parquet"))
        assert [part.name.split("-", 1)[0] for part in parts] == ["2031", "2032"]
        written = {part.read_bytes() for part in parts}
        commit_import(store, plan)
    files = store.snapshot().files["participation"]
    assert {file.read_bytes() for file in files} >= written, "the rows were written again"
    assert store.snapshot().scalar("SELECT count(*) FROM participation WHERE year > 2030") == 600
