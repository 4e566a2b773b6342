"""Hostile input (issue 6): files that are wrong, broken, huge or malicious, imported for real.

Every file is made here at test time (``tests/support/hostile.py``) and imported into a real
store holding the demo data, through ``plan_import`` / ``commit_import`` or the ``dashkit
import`` command in a child process. The contract checked for each:

- a clear message: a catalogue key (so the Vietnamese text exists), rendered in Vietnamese,
  naming the file when the problem is the file's, else the row and the column as the file
  names it;
- nothing is written: the version, the history, each table's snapshot and every file
  are the same after a refused import;
- bounded: the big ones run in a child process whose peak resident memory must stay under
  1 GiB and which must end within a time limit (it is killed past either, so a product that
  blows up fails the test, not the machine);
- what is accepted (a formula-looking unit name, an event title with HTML) is stored as the
  text it is and exported with formulas neutralised;
- readers keep working while a hostile import runs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashkit.demo import write_demo
from dashkit.errors import DataError
from dashkit.i18n import Translator
from dashkit.ingest import ImportOptions, ImportPlan, InputFile, Issue, commit_import, plan_import
from dashkit.ingest.messages import issue_text, warning_text
from dashkit.queries import Scope
from dashkit.queries.activity import event_list
from dashkit.report import safe_csv
from dashkit.store import Store
from tests.support.hostile import (
    DASHKIT,
    EVENTS_HEADER,
    PARTICIPATION_HEADER,
    TOPIC,
    UNITS_HEADER,
    Measured,
    cp1258_bytes,
    csv_text,
    random_bytes,
    rezip,
    run_measured,
    xlsx_bytes,
    zip_bomb,
    zip_of,
)
from tests.support.stores import copy_store, store_state

VI = Translator("vi")
H = PARTICIPATION_HEADER
PM, WK = "Đảng viên", "Người lao động"
MEMORY_LIMIT_MIB = 1024
SMALL_FILE_SECONDS = 15.0  # a child run on a file of a few megabytes, start-up included
BIG_FILE_SECONDS = 30.0
# file-level messages that are about the file as a whole and need not name it (they are shown
# under the file's name)
FILE_SECTION_KEYS = frozenset(
    {"ingest.missing_column", "ingest.no_columns", "ingest.no_year", "ingest.no_unit_column"}
)
FORMULAS = (
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "-1+2",
)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def rows(*body: list[object], header: list[str] = H) -> list[list[object]]:
    return [header, *body]


def part(unit: str, eligible: object, completed: object, *, year: object = 2019) -> list[object]:
    return [year, unit, PM, eligible, completed, TOPIC]


def utf8(rows_: list[list[object]], **kwargs: str) -> bytes:
    return csv_text(rows_, **kwargs).encode("utf-8")


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "demo"
    write_demo(Store(root))
    return root


@pytest.fixture
def data_dir(demo_source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    copy_store(demo_source, root)
    return root


@pytest.fixture
def store(data_dir: Path) -> Store:
    return Store(data_dir)


def history_ids(store: Store) -> list[str]:
    return [manifest.commit_id for manifest in store.history()]


@dataclass
class Before:
    store: Store
    state: dict[str, Any]
    history: list[str]

    def assert_unchanged(self) -> None:
        assert store_state(self.store) == self.state, "a refused import wrote something"
        assert history_ids(self.store) == self.history


def before(store: Store) -> Before:
    return Before(store, store_state(store), history_ids(store))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def plan_one(store: Store, path: Path, table: str | None = None) -> ImportPlan:
    return plan_import(store, [InputFile(path.name, path)], ImportOptions(table=table))


def rendered(issue: Issue) -> str:
    return issue_text(VI, issue)


def assert_clear(issue: Issue, file_name: str) -> str:
    """The message exists in the Vietnamese catalogue and names what it is about: the row and
    the column as the file names it, or the file."""
    assert VI.has(f"error.{issue.key}"), f"no Vietnamese message for {issue.key}"
    text = rendered(issue)
    assert "{" not in text and "Traceback" not in text, text
    if issue.row is not None:
        assert f"Dòng {issue.row}" in text, text
        if issue.header:
            assert f"“{issue.header}”" in text, text
    elif issue.key not in FILE_SECTION_KEYS:
        assert f"“{file_name}”" in text, f"the message does not name the file: {text}"
    return text


def assert_refused(planned: ImportPlan, state: Before) -> None:
    """The plan is refused as a whole and committing it writes nothing."""
    assert not planned.ok
    with pytest.raises(DataError) as refused:
        commit_import(state.store, planned)
    assert refused.value.key == "ingest.refused"
    assert VI.has("error.ingest.refused")
    state.assert_unchanged()


# -- the cases planned in process ------------------------------------------------------------

Problem = tuple[int | None, str | None, str]  # (row, column as the file names it, message key)


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    build: Callable[[], bytes]
    problems: frozenset[Problem] | None = None  # exactly these problems
    file_keys: frozenset[str] | None = None  # one problem with the file, one of these keys
    rows_named: frozenset[int] | None = None  # the problems name exactly these rows
    table: str | None = None
    # the file may instead be read correctly: these (year, unit, audience, eligible,
    # completed) rows, exactly, and nothing refused
    or_reads_as: tuple[tuple[object, ...], ...] | None = None


def problems(*items: Problem) -> frozenset[Problem]:
    return frozenset(items)


def _mixed_encodings(first_bad_row: int) -> bytes:
    """UTF-8 rows, one Windows-1258 row at ``first_bad_row``, UTF-8 again."""
    good = [part("CS001", 6, 6)] * (first_bad_row - 2)
    head = utf8(rows(*good)) if good else utf8([H])
    bad = cp1258_bytes(csv_text([[2019, "CS002", WK, 270, 251, "Lớp học tập chuyên đề"]]))
    tail = utf8([[2019, "CS003", PM, 4, 4, TOPIC]])
    return head + bad + tail


def _formula_cells_workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(UNITS_HEADER)
    sheet.append(["CS901", '=HYPERLINK("http://x","y")', None])
    sheet.append(["CS902", "=1+2", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return rezip(buffer.getvalue())


def _good_workbook() -> bytes:
    return xlsx_bytes(rows(part("CS001", 6, 6)))


PLAIN_READ = ((2019, "CS001", "party_member", 6, 6), (2019, "CS002", "worker", 270, 251))
PLAIN_ROWS = rows(
    [2019, "CS001", PM, 6, 6, TOPIC],
    [2019, "CS002", WK, 270, 251, TOPIC],
)

CASES: tuple[Case, ...] = (
    # -- wrong encodings ------------------------------------------------------------------
    Case(
        "utf16le-without-bom",
        "unicode.csv",
        lambda: csv_text(PLAIN_ROWS, "\t", "\r\n").encode("utf-16-le"),
        file_keys=frozenset({"ingest.not_text", "ingest.unreadable"}),
        or_reads_as=PLAIN_READ,
    ),
    Case(
        "utf16be-without-bom",
        "unicode-be.csv",
        lambda: csv_text(PLAIN_ROWS).encode("utf-16-be"),
        file_keys=frozenset({"ingest.not_text", "ingest.unreadable"}),
        or_reads_as=PLAIN_READ,
    ),
    Case(
        # Shift-JIS is none of the encodings offices here use: refused, at the row it is in
        "shift-jis-labelled-csv",
        "nhat.csv",
        lambda: csv_text(
            [
                ["year", "unit_id", "audience", "eligible", "completed", "topic"],
                [2019, "CS001", "party_member", 6, 6, "日本語の研修"],
            ]
        ).encode("shift_jis"),
        rows_named=frozenset({2}),
    ),
    Case(
        "mixed-utf8-and-cp1258-rows",
        "tron-ma.csv",
        lambda: _mixed_encodings(3),
        rows_named=frozenset({3}),
    ),
    Case(
        # the foreign row past the first 256 KiB that the encoding is detected from
        "mixed-encoding-past-the-sample",
        "tron-ma-xa.csv",
        lambda: _mixed_encodings(4000),
        rows_named=frozenset({4000}),
    ),
    # -- binary junk ----------------------------------------------------------------------
    Case(
        "binary-junk-named-csv",
        "rac.csv",
        lambda: random_bytes(4096, 1),
        file_keys=frozenset({"ingest.not_text"}),
    ),
    Case(
        "binary-junk-without-nul-named-csv",
        "rac-khong-nul.csv",
        lambda: random_bytes(4096, 2, without=b"\x00"),
        file_keys=frozenset({"ingest.not_text", "ingest.unreadable", "ingest.no_header"}),
    ),
    Case(
        "binary-junk-named-xlsx",
        "rac.xlsx",
        lambda: random_bytes(4096, 3),
        file_keys=frozenset(
            {"ingest.not_text", "ingest.bad_workbook", "ingest.unsupported_format"}
        ),
    ),
    Case(
        "old-excel-bytes-named-xlsx",
        "cu.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random_bytes(2048, 4),
        file_keys=frozenset({"ingest.bad_workbook"}),  # an .xls header, then noise
    ),
    # -- truncated and corrupt workbooks --------------------------------------------------
    Case(
        "zip-cut-in-half",
        "cat-doi.xlsx",
        lambda: _good_workbook()[: len(_good_workbook()) // 2],
        file_keys=frozenset({"ingest.bad_workbook"}),
    ),
    Case(
        "zip-without-its-sheet-xml",
        "mat-trang.xlsx",
        lambda: rezip(_good_workbook(), drop=frozenset({"xl/worksheets/sheet1.xml"})),
        file_keys=frozenset({"ingest.bad_workbook"}),
    ),
    Case(
        "zip-that-is-not-a-workbook",
        "khong-phai-excel.xlsx",
        lambda: zip_of({"readme.txt": b"hello", "data.csv": utf8(PLAIN_ROWS)}),
        file_keys=frozenset({"ingest.bad_workbook", "ingest.unsupported_format"}),
    ),
    Case(
        "zip-named-csv",
        "nen.csv",
        lambda: zip_of({"data.csv": utf8(PLAIN_ROWS)}),
        file_keys=frozenset({"ingest.bad_workbook", "ingest.unsupported_format"}),
    ),
    Case(
        "sheet-xml-that-is-not-xml",
        "trang-hong.xlsx",
        lambda: rezip(
            _good_workbook(), replace={"xl/worksheets/sheet1.xml": random_bytes(3000, 5)}
        ),
        file_keys=frozenset({"ingest.bad_workbook"}),
    ),
    # -- empty files ----------------------------------------------------------------------
    Case("empty-0-bytes", "rong.csv", lambda: b"", file_keys=frozenset({"ingest.empty_file"})),
    Case(
        "bom-only", "bom.csv", lambda: b"\xef\xbb\xbf", file_keys=frozenset({"ingest.empty_file"})
    ),
    Case(
        "whitespace-only",
        "trang.csv",
        lambda: b"   \n\t\n  \r\n   ",
        file_keys=frozenset({"ingest.empty_file"}),
    ),
    # -- numbers --------------------------------------------------------------------------
    Case(
        "negative-numbers",
        "am.csv",
        lambda: utf8(rows(part("CS001", -5, -6))),
        problems=problems(
            (2, "Tổng số", "check.eligible_min"), (2, "Đã học tập", "check.completed_min")
        ),
    ),
    Case(
        "huge-numbers",
        "lon.csv",
        lambda: utf8(rows(part("CS001", "1e30", 1), part("CS002", "99999999999999999999", 1))),
        problems=problems(
            (2, "Tổng số", "ingest.not_integer"), (3, "Tổng số", "ingest.not_integer")
        ),
    ),
    Case(
        "nan-and-infinite-numbers",
        "nan.csv",
        lambda: utf8(
            rows(part("CS001", "NaN", 1), part("CS002", "inf", 1), part("CS003", 5, "-inf"))
        ),
        problems=problems(
            (2, "Tổng số", "ingest.not_integer"),
            (3, "Tổng số", "ingest.not_integer"),
            (4, "Đã học tập", "ingest.not_integer"),
        ),
    ),
    Case(
        "nan-infinite-and-huge-rates",
        "chi-tieu.csv",
        lambda: utf8(
            [
                ["Năm", "Đối tượng", "Chỉ tiêu (%)"],
                [2019, PM, "NaN"],
                [2019, WK, "inf"],
                [2020, PM, "1e30"],
                [2020, WK, "-5"],
                [2021, PM, "-inf"],
            ]
        ),
        problems=problems(
            (2, "Chỉ tiêu (%)", "ingest.not_number"),
            (3, "Chỉ tiêu (%)", "ingest.not_number"),
            (4, "Chỉ tiêu (%)", "ingest.not_number"),
            (5, "Chỉ tiêu (%)", "check.target_rate_min"),
            (6, "Chỉ tiêu (%)", "ingest.not_number"),
        ),
    ),
    Case(
        "completed-greater-than-eligible",
        "vuot.csv",
        lambda: utf8(rows(part("CS001", 6, 6), part("CS002", 12, 13))),
        problems=problems((3, "Đã học tập", "check.completed_le_eligible")),
    ),
    Case(
        "formulas-in-number-cells",
        "cong-thuc-so.csv",
        lambda: utf8(
            rows(part("CS001", "=6", 6), part("CS002", "@SUM(A1)", "-1+2"), part("CS003", "+4", 4))
        ),
        problems=problems(
            (2, "Tổng số", "ingest.not_integer"),
            (3, "Tổng số", "ingest.not_integer"),
            (3, "Đã học tập", "ingest.not_integer"),
        ),
    ),
    Case(
        # real formula cells without a cached value: the cell reads as empty, said at its place
        "formula-cells-in-a-workbook",
        "cong-thuc.xlsx",
        _formula_cells_workbook,
        rows_named=frozenset({2, 3}),
    ),
    # -- keys, units, years ---------------------------------------------------------------
    Case(
        "duplicate-keys-different-content",
        "trung.csv",
        lambda: utf8(rows(part("CS001", 6, 6), part("CS001", 6, 5))),
        problems=problems(
            (2, None, "ingest.duplicate_conflict"), (3, None, "ingest.duplicate_conflict")
        ),
    ),
    Case(
        "duplicate-unit-ids-different-names",
        "don-vi-trung.csv",
        lambda: utf8(
            [UNITS_HEADER, ["CS950", "Chi bộ A", ""], ["CS950", "Chi bộ B", ""]],
        ),
        problems=problems(
            (2, None, "ingest.duplicate_conflict_units"),
            (3, None, "ingest.duplicate_conflict_units"),
        ),
    ),
    Case(
        "unknown-unit-codes-with-html",
        "la.csv",
        lambda: utf8(rows(part("CS777", 6, 6), part("<b>CS001</b>", 6, 6))),
        problems=problems(
            (2, "Mã đơn vị", "ingest.unknown_unit"), (3, "Mã đơn vị", "ingest.unknown_unit")
        ),
    ),
    Case(
        "unknown-unit-name-with-script",
        "ten-la.csv",
        lambda: utf8(
            [["Tên đơn vị", "Năm", "Đối tượng", "Tổng số", "Đã học tập"], [SCRIPT, 2019, PM, 5, 5]]
        ),
        problems=problems((2, "Tên đơn vị", "ingest.unknown_unit_name")),
    ),
    Case(
        "unknown-parent-unit",
        "cap-tren-la.csv",
        lambda: utf8([UNITS_HEADER, ["CS951", "Chi bộ C", "KHONG-CO"]]),
        problems=problems((2, "Mã đơn vị cấp trên", "ingest.unknown_parent")),
    ),
    Case(
        "years-out-of-range-and-not-years",
        "nam.csv",
        lambda: utf8(
            rows(
                part("CS001", 6, 6, year=1800),
                part("CS002", 6, 6, year=3000),
                part("CS003", 6, 6, year="20l8"),
            )
        ),
        problems=problems(
            (2, "Năm", "check.year_min"),
            (3, "Năm", "check.year_max"),
            (4, "Năm", "ingest.not_year"),
        ),
    ),
    Case(
        "event-dates-out-of-range-and-impossible",
        "ngay.csv",
        lambda: utf8(
            [
                EVENTS_HEADER,
                ["01/01/1800", "CS001", "Hội nghị", "Hội nghị A", "10"],
                ["31/02/2019", "CS001", "Hội nghị", "Hội nghị B", "10"],
                ["15/05/2019", "CS001", "Không rõ", "Hội nghị C", "-3"],
            ]
        ),
        problems=problems(
            (2, "Ngày", "ingest.date_out_of_range"),
            (3, "Ngày", "ingest.not_date"),
            (4, "Hình thức", "ingest.unknown_code"),
            (4, "Số người tham dự", "check.attendees_min"),
        ),
    ),
    # -- broken text structure ------------------------------------------------------------
    Case(
        "nul-byte-in-the-middle",
        "nul.csv",
        lambda: (
            utf8(rows(part("CS001", 6, 6)))
            + "2019,CS002,Đảng\x00 viên,12,11,\n".encode()
            + utf8([part("CS003", 4, 4)])
        ),
        rows_named=frozenset({3}),
    ),
    Case(
        # the quote opened in row 3 runs to the end of the file and swallows row 4
        "quoted-field-never-closed",
        "ngoac.csv",
        lambda: (
            utf8(rows(part("CS001", 6, 6)))
            + '2019,CS002,Đảng viên,12,11,"never closed\n'.encode()
            + utf8([part("CS003", 4, 4)])
        ),
        rows_named=frozenset({3}),
    ),
    Case(
        "ragged-rows",
        "rach.csv",
        lambda: utf8(
            rows(
                part("CS001", 6, 6),
                [2019, "CS002"],
                [2019, "CS003", PM, 4, 4, TOPIC, "x", "y"],
            )
        ),
        problems=problems(
            (3, None, "ingest.wrong_cell_count"), (4, None, "ingest.wrong_cell_count")
        ),
    ),
    Case(
        "cell-of-10-mb-in-a-workbook",
        "o-lon.xlsx",
        lambda: xlsx_bytes(rows([2019, "CS001", PM, 6, 6, "x" * 10_000_000])),
        problems=problems((2, "Chuyên đề", "ingest.text_too_long")),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_file_is_refused_clearly_and_nothing_is_written(
    case: Case, store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, case.name, case.build())
    state = before(store)
    with plan_one(store, path, case.table) as planned:
        (file_plan,) = planned.files
        state.assert_unchanged()  # planning never writes
        if case.or_reads_as is not None and planned.ok:  # read right: as good as refused
            assert commit_import(store, planned).commit_id is not None
            read = store.snapshot().rows(
                "SELECT year, unit_id, audience, eligible, completed FROM participation "
                "WHERE year = 2019 ORDER BY ALL"
            )
            assert tuple(read) == case.or_reads_as
            return
        issues = file_plan.issues
        assert issues, f"{case.name} was not refused"
        texts = [assert_clear(issue, case.name) for issue in issues]
        if case.problems is not None:
            assert {(i.row, i.header, i.key) for i in issues} == set(case.problems), texts
            assert file_plan.issue_count == len(case.problems)
        if case.file_keys is not None:
            assert [(i.row, i.key in case.file_keys) for i in issues] == [(None, True)], texts
        if case.rows_named is not None:
            assert {i.row for i in issues} == set(case.rows_named), texts
        assert_refused(planned, state)


# -- what must be read, not refused ----------------------------------------------------------


def _commit_file(store: Store, path: Path) -> tuple[ImportPlan, Any]:
    planned = plan_one(store, path)
    try:
        assert planned.ok, [rendered(issue) for f in planned.files for issue in f.issues]
        return planned, commit_import(store, planned)
    finally:
        planned.close()


def test_cr_only_line_endings_are_read(store: Store, tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone."""
    path = write(tmp_path, "mac.csv", utf8(PLAIN_ROWS, newline="\r"))
    _, result = _commit_file(store, path)
    assert result.tables["participation"].inserted == 2
    read = store.snapshot().rows(
        "SELECT year, unit_id, audience, eligible, completed FROM participation "
        "WHERE year = 2019 ORDER BY ALL"
    )
    assert tuple(read) == PLAIN_READ


def test_crlf_and_cp1258_are_read_as_written(store: Store, tmp_path: Path) -> None:
    data = cp1258_bytes(
        csv_text(
            [
                ["Tên đơn vị", "Năm", "Đối tượng", "Tổng số", "Đã học tập", "Chuyên đề"],
                [unit_names(store)["CS001"], 2019, PM, 6, 6, "Học tập chuyên đề"],
            ],
            ";",
            "\r\n",
        )
    )
    path = write(tmp_path, "vn.csv", data)
    planned, result = _commit_file(store, path)
    assert planned.files[0].encoding == "cp1258"
    assert result.tables["participation"].inserted == 1
    assert store.snapshot().rows(
        "SELECT unit_id, audience, topic FROM participation WHERE year = 2019"
    ) == [("CS001", "party_member", "Học tập chuyên đề")]


def unit_names(store: Store) -> dict[str, str]:
    return dict(store.snapshot().rows("SELECT unit_id, unit_name FROM units"))


def test_identical_duplicate_rows_are_imported_once_with_a_warning(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "lap.csv", utf8(rows(part("CS001", 6, 6), part("CS001", 6, 6))))
    planned, result = _commit_file(store, path)
    (file_plan,) = planned.files
    assert [key for key, _ in file_plan.warnings] == ["ingest.identical_duplicates"]
    assert "1 dòng" in warning_text(VI, file_plan.warnings[0])
    assert result.tables["participation"].inserted == 1


def test_a_header_only_file_says_so_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "chi-tieu-de.csv", utf8([H]))
    state = before(store)
    with plan_one(store, path) as planned:
        (file_plan,) = planned.files
        assert planned.ok and file_plan.issues == []
        assert [key for key, _ in file_plan.warnings] == ["ingest.no_data_rows"]
        assert VI.has("error.ingest.no_data_rows")
        result = commit_import(store, planned)
    assert result.commit_id is None
    state.assert_unchanged()


# -- accepted text is stored as text and exported neutralised --------------------------------


def test_formula_looking_unit_names_are_stored_as_text_and_exported_neutralised(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    renamed = dict(zip(("CS001", "CS002", "CS003", "CS004"), FORMULAS, strict=True))
    path = write(
        tmp_path,
        "ten-cong-thuc.csv",
        utf8([UNITS_HEADER[:2], *([unit, name] for unit, name in renamed.items())]),
    )
    _, result = _commit_file(store, path)
    assert result.tables["units"].replaced == 4
    assert unit_names(store) | renamed == unit_names(store)  # stored exactly as written

    # the CSV download of any table: every such name is text for a spreadsheet
    frame = pd.DataFrame({"unit_name": list(renamed.values()), "n": [1, -2, 3, 4]})
    back = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8-sig"))))
    assert [row[0] for row in back[1:]] == ["'" + name for name in renamed.values()]
    assert [row[1] for row in back[1:]] == ["1", "-2", "3", "4"]  # numbers stay numbers

    # the review report's workbook: the units table names them, never as formulas
    target = tmp_path / "bao-cao.xlsx"
    made = subprocess.run(
        [DASHKIT, "report", "--year", "2018", "--format", "xlsx", "--no-charts", "-o", target],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DASHKIT_DATA_DIR": str(data_dir), "DASHKIT_LANG": "vi"},
    )
    assert made.returncode == 0, made.stderr
    from openpyxl import load_workbook

    workbook = load_workbook(target)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {str(cell.value) for cell in cells if cell.value is not None}
    for name in renamed.values():
        assert name not in texts  # never bare
    assert {"'" + name for name in renamed.values()} & texts, "the renamed units are listed"


def test_event_titles_with_html_are_stored_as_text_and_exported_neutralised(
    store: Store, tmp_path: Path
) -> None:
    titles = [SCRIPT, IMG, '=HYPERLINK("http://x","y")']
    path = write(
        tmp_path,
        "hoat-dong.csv",
        utf8(
            [
                EVENTS_HEADER,
                *(
                    [f"1{day}/05/2019", "CS001", "Hội nghị", title, "10"]
                    for day, title in enumerate(titles)
                ),
            ]
        ),
    )
    _, result = _commit_file(store, path)
    assert result.tables["events"].inserted == 3
    listed = event_list(store.snapshot(), 2019, Scope())
    assert sorted(listed["title"]) == sorted(titles)  # as written: not escaped, not stripped
    back = list(csv.reader(io.StringIO(safe_csv(listed).decode("utf-8-sig"))))
    column = back[0].index("title")
    assert sorted(row[column] for row in back[1:]) == sorted(
        [SCRIPT, IMG, "'" + '=HYPERLINK("http://x","y")']
    )


# -- big and slow ones, as a user runs them: a child process, measured -----------------------


def import_measured(
    data_dir: Path,
    tmp_path: Path,
    path: Path,
    *,
    seconds: float = SMALL_FILE_SECONDS,
    extra: tuple[str, ...] = (),
) -> tuple[Measured, dict[str, Any] | None]:
    measured = run_measured(
        ["import", path, "--json", "--data-dir", data_dir, *extra],
        timeout=seconds,
        kill_above_mib=MEMORY_LIMIT_MIB,
        workdir=tmp_path,
    )
    payload = None
    if measured.returncode is not None and measured.stdout.strip():
        payload = json.loads(measured.stdout)
    return measured, payload


def assert_bounded(measured: Measured, seconds: float) -> None:
    assert measured.killed_for is None, (
        f"killed for {measured.killed_for} after {measured.seconds:.1f} s at "
        f"{measured.peak_rss_mib:.0f} MiB"
    )
    assert measured.peak_rss_mib < MEMORY_LIMIT_MIB, f"peak {measured.peak_rss_mib:.0f} MiB"
    assert measured.seconds < seconds, f"took {measured.seconds:.1f} s"
    assert "Traceback" not in measured.stderr, measured.stderr[-3000:]


@dataclass(frozen=True)
class BigCase:
    id: str
    name: str
    build: Callable[[], bytes]
    refused: bool = True
    rows_named: frozenset[int] = frozenset()  # rows the messages must name
    columns_named: frozenset[str] = frozenset()
    file_level: bool = False  # a message naming the file
    seconds: float = SMALL_FILE_SECONDS
    inserted: int | None = None  # when accepted: rows written
    max_warnings: int = 50
    notes: dict[str, Any] = field(default_factory=dict)


def _wide(columns: int) -> list[list[object]]:
    extra = columns - len(H)
    return [
        [*H, *(f"Cột thêm {index}" for index in range(extra))],
        [*part("CS001", 6, 6), *(["v"] * extra)],
    ]


BIG_CASES: tuple[BigCase, ...] = (
    BigCase(
        "zip-bomb-2-gib-declared",
        "bom.xlsx",
        lambda: zip_bomb(2048).data,
        file_level=True,
        seconds=BIG_FILE_SECONDS,
    ),
    BigCase(
        "zip-bomb-2-gib-declaring-1-mib",
        "bom-noi-doi.xlsx",
        lambda: zip_bomb(2048, declared_bytes=2**20).data,
        file_level=True,
        seconds=BIG_FILE_SECONDS,
    ),
    BigCase(
        "zip-bomb-2-gib-declaring-100-mib",
        "bom-noi-doi-100.xlsx",
        lambda: zip_bomb(2048, declared_bytes=100 * 2**20).data,
        file_level=True,
        seconds=BIG_FILE_SECONDS,
    ),
    BigCase(
        # under the 500 MB unpacked limit, so it is read: one cell of 480 MiB must still be
        # refused (text too long, or the file too large) without holding gigabytes
        "workbook-inflating-to-480-mib-in-one-cell",
        "o-480.xlsx",
        lambda: zip_bomb(480).data,
        seconds=BIG_FILE_SECONDS,
    ),
    BigCase(
        "cell-of-10-mb-in-a-csv",
        "o-lon.csv",
        lambda: utf8(rows([2019, "CS001", PM, 6, 6, "x" * 10_000_000])),
        rows_named=frozenset({2}),
        columns_named=frozenset({"Chuyên đề"}),
    ),
    BigCase(
        "cell-of-10-mb-in-a-workbook",
        "o-lon.xlsx",
        lambda: xlsx_bytes(rows([2019, "CS001", PM, 6, 6, "x" * 10_000_000])),
        rows_named=frozenset({2}),
        columns_named=frozenset({"Chuyên đề"}),
    ),
    BigCase(
        # read or refused, but quickly and without 10,000 messages
        "10000-columns-csv",
        "rong-10000.csv",
        lambda: utf8(_wide(10_000)),
        refused=False,
        inserted=1,
    ),
    BigCase(
        "10000-columns-workbook",
        "rong-10000.xlsx",
        lambda: xlsx_bytes(_wide(10_000)),
        refused=False,
        inserted=1,
    ),
    BigCase(
        "a-million-empty-rows",
        "trong-1-trieu.csv",
        lambda: (",".join(H) + "\n").encode() + b",,,,,\n" * 1_000_000,
        refused=False,
        inserted=0,
    ),
    BigCase(
        "extremely-long-line",
        "dong-dai.csv",
        lambda: (
            utf8(rows(part("CS001", 6, 6)))
            + ("2019,CS002,Đảng viên,12,11," + ",".join(["y"] * 2_000_000) + "\n").encode()
        ),
        rows_named=frozenset({3}),
    ),
)


@pytest.mark.parametrize("case", BIG_CASES, ids=lambda case: case.id)
def test_big_hostile_file_is_handled_in_bounded_memory_and_time(
    case: BigCase, data_dir: Path, tmp_path: Path
) -> None:
    path = write(tmp_path, case.name, case.build())
    store = Store(data_dir)
    state = before(store)
    measured, payload = import_measured(data_dir, tmp_path, path, seconds=case.seconds)
    assert_bounded(measured, case.seconds)
    assert payload is not None, measured.stderr[-3000:]
    (entry,) = payload["files"]
    messages = [error["message"] for error in entry["errors"]]
    assert len(entry["warnings"]) <= case.max_warnings, (
        f"{len(entry['warnings'])} warnings: {entry['warnings'][:3]}…"
    )
    if case.refused:
        assert measured.returncode == 1 and payload["ok"] is False, payload
        assert messages, payload
        if case.file_level:
            assert any(f"“{case.name}”" in message for message in messages), messages
        for row in case.rows_named:
            assert any(error["row"] == row for error in entry["errors"]), messages
            assert any(f"Dòng {row}" in message for message in messages), messages
        for column in case.columns_named:
            assert any(error["column"] == column for error in entry["errors"]), messages
            assert any(f"“{column}”" in message for message in messages), messages
        if not (case.file_level or case.rows_named):  # either is clear
            assert any(f"“{case.name}”" in message or "Dòng " in message for message in messages), (
                messages
            )
        state.assert_unchanged()
    else:
        assert measured.returncode == 0, payload
        assert entry["inserted"] == case.inserted, payload
        if not case.inserted:
            state.assert_unchanged()
        else:
            assert len(history_ids(store)) == len(state.history) + 1


# -- the app keeps serving while a hostile import runs ---------------------------------------


def test_readers_are_served_while_a_hostile_import_runs(data_dir: Path, tmp_path: Path) -> None:
    """150,000 malformed rows take the importer a while; meanwhile another process reads the
    same data directory (``dashkit kpis --json``) and gets the figures, again and again."""
    path = write(
        tmp_path, "hong-1-trieu.csv", (",".join(H) + "\n").encode() + b"2019,CS001\n" * 150_000
    )
    kpis = [DASHKIT, "kpis", "--year", "2018", "--json", "--data-dir", str(data_dir)]
    expected = subprocess.run(kpis, capture_output=True, text=True, timeout=60, check=True).stdout
    state = before(Store(data_dir))
    started = time.monotonic()
    out_path, err_path = tmp_path / "import.out", tmp_path / "import.err"
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        importer = subprocess.Popen(
            [DASHKIT, "import", str(path), "--json", "--data-dir", str(data_dir)],
            stdout=out_file,  # a file, not a pipe: its 1,000 messages must not block it
            stderr=err_file,
        )
    served_during = 0
    try:
        while importer.poll() is None and served_during < 2 and time.monotonic() - started < 60:
            read = subprocess.run(kpis, capture_output=True, text=True, timeout=60, check=False)
            running = importer.poll() is None
            assert read.returncode == 0, read.stderr
            assert read.stdout == expected
            served_during += running
        importer.wait(timeout=BIG_FILE_SECONDS)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
    out, err = out_path.read_text(), err_path.read_text()
    assert served_during >= 1, "the import ended before any read could overlap it"
    assert importer.returncode == 1, err
    assert "Traceback" not in err
    payload = json.loads(out)
    (entry,) = payload["files"]
    assert entry["errors"][0]["row"] == 2
    assert entry["errors"][0]["message"].startswith("Dòng 2: có 2 ô")
    state.assert_unchanged()
    after = subprocess.run(kpis, capture_output=True, text=True, timeout=60, check=True)
    assert after.stdout == expected
    assert json.loads(after.stdout)["year"] == 2018
