"""csv-spectrum's RFC 4180 cases as unit names and event titles, imported for real into an
empty store.

The cases are the npm package ``csv-spectrum`` 2.0.0, checked in unchanged under
``tests/fixtures/csv-spectrum`` (``csvs/`` the files, ``json/`` what a parser must read from
them): commas and escaped quotes inside quoted cells, line breaks inside quoted cells (LF and
CRLF), CRLF and LF line ends, a missing last line break, empty quoted cells, UTF-8. The
contract checked:

- Written by Python's csv module the RFC 4180 way (a cell holding a comma, a quote, CR or LF
  quoted, quotes doubled), with CRLF and with LF line ends, quoting where needed and quoting
  every cell, the cells at the top of the file (where the importer finds the header and picks
  its reader) and after more rows than it reads first: every JSON cell value used as a unit
  name and as an event title is stored exactly as ``cleaned(v)`` (NFC, trimmed at both ends of
  spaces of every kind, tabs, CR and LF). A line break inside a cell is not at either end: it is
  kept as written, LF or CRLF. An empty cell is refused on its row (``ingest.required``); no
  other problem, no warning. The CSV export of the events (``safe_csv``) gives every title back.
- The spectrum's own files: every RFC 4180 file's records kept byte for byte (their quoting,
  their line ends, a missing last line break), the header renamed to dashkit's and the cells
  dashkit needs put in front of each record; each column in turn is the unit names of a units
  file and the titles of an events file. Stored as the file's JSON says (cleaned); an empty cell
  refused as ``ingest.required`` on its record's row (the record's position in the file, which
  is the row Excel shows). ``location_coordinates`` is left out here: a quote inside an unquoted
  cell is not RFC 4180, and its JSON disagrees with its CSV; its cell values are used above.
- Padding: line breaks, tabs and spaces (no-break and ideographic too), in any mix, at either end
  of a quoted cell are trimmed; the line breaks inside it are kept.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dashkit.ingest import ImportPlan, InputFile, Issue, commit_import, plan_import
from dashkit.queries import Scope
from dashkit.queries.activity import event_list
from dashkit.report import safe_csv
from dashkit.store import Store

SPECTRUM = Path(__file__).resolve().parents[1] / "fixtures" / "csv-spectrum"
RFC_4180_CASES = (
    "comma_in_quotes",
    "empty",
    "empty_crlf",
    "escaped_quotes",
    "json",
    "newlines",
    "newlines_crlf",
    "quotes_and_newlines",
    "simple",
    "simple_crlf",
    "utf8",
)
NOT_RFC_4180 = ("location_coordinates",)
YEAR = 2019
SAFE_UNIT = ("SAFE", "Chi bộ Văn phòng")
UNITS_HEADER = ("Mã đơn vị", "Tên đơn vị")
EVENTS_HEADER = ("Mã hoạt động", "Ngày", "Mã đơn vị", "Hình thức", "Nội dung")
EVENT_CELLS = (f"15/05/{YEAR}", SAFE_UNIT[0], "Hội nghị")  # date, organiser, type
EDGE = "".join(c for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs") + "\t\n\r"
HEAD_ROWS = 40  # dashkit.ingest.sources.HEAD_ROWS: the rows read to find the header and reader
REQUIRED = "ingest.required"


def cleaned(text: str) -> str:
    """What the importer stores for ``text``: NFC, trimmed of spaces, tabs, CR and LF."""
    return unicodedata.normalize("NFC", text).strip(EDGE)


def json_records(case: str) -> list[dict[str, str]]:
    data: Any = json.loads((SPECTRUM / "json" / f"{case}.json").read_text(encoding="utf-8"))
    records = data if isinstance(data, list) else [data]
    assert all(isinstance(v, str) for record in records for v in record.values())
    return records


def spectrum_values() -> tuple[str, ...]:
    """Every cell value the spectrum's JSON files hold, each once, in their order."""
    values = [
        value
        for case in (*RFC_4180_CASES, *NOT_RFC_4180)
        for record in json_records(case)
        for value in record.values()
    ]
    return tuple(dict.fromkeys(values))


VALUES = spectrum_values()


def test_the_checked_in_spectrum_is_whole() -> None:
    for case in (*RFC_4180_CASES, *NOT_RFC_4180):
        assert (SPECTRUM / "csvs" / f"{case}.csv").is_file()
        assert json_records(case)
    assert (SPECTRUM / "LICENSE").is_file()
    # the cases this suite is about are there, as bytes: git must not have rewritten them
    assert b"\r\n" in (SPECTRUM / "csvs" / "newlines_crlf.csv").read_bytes()
    assert b"\r" not in (SPECTRUM / "csvs" / "newlines.csv").read_bytes()
    assert "Once upon \r\na time" in VALUES and "Once upon \na time" in VALUES
    assert 'ha "ha" ha' in VALUES and "Anytown, WW" in VALUES and "" in VALUES


# -- importing -------------------------------------------------------------------------------


@dataclass
class Result:
    stored: dict[str, dict[str, str]]  # table → key → the stored unit name or title
    issues: dict[str, list[Issue]]  # file name → its problems
    warnings: dict[str, list[str]]  # file name → its warnings' keys
    store: Store


def import_files(folder: Path, files: Sequence[tuple[str, bytes]]) -> Result:
    """The files planned together into an empty store, their valid rows committed."""
    store = Store(folder / "data")
    inputs = []
    for name, data in files:
        path = folder / name
        path.write_bytes(data)
        inputs.append(InputFile(name, path))
    planned: ImportPlan = plan_import(store, inputs)
    try:
        commit_import(store, planned, skip_invalid=True)
    finally:
        planned.close()
    snapshot = store.snapshot()
    return Result(
        stored={
            "units": dict(snapshot.rows("SELECT unit_id, unit_name FROM units")),
            "events": dict(snapshot.rows("SELECT event_id, title FROM events")),
        },
        issues={plan.file: plan.issues for plan in planned.files},
        warnings={plan.file: [key for key, _ in plan.warnings] for plan in planned.files},
        store=store,
    )


def written(rows: Sequence[Sequence[object]], terminator: str, *, quote_all: bool = False) -> bytes:
    """RFC 4180 as Python's csv module writes it, in UTF-8."""
    buffer = io.StringIO(newline="")
    if quote_all:
        csv.writer(buffer, lineterminator=terminator, quoting=csv.QUOTE_ALL).writerows(rows)
    else:
        csv.writer(buffer, lineterminator=terminator).writerows(rows)  # quoted where needed
    return buffer.getvalue().encode("utf-8")


def check(
    result: Result, table: str, file_name: str, expected: dict[str, tuple[int, str]]
) -> list[str]:
    """``expected``: key → (row, raw cell value). Returns what is wrong, all of it."""
    issues = result.issues[file_name]
    whole = [(issue.key, issue.params) for issue in issues if issue.row is None]
    failures = [f"{file_name} refused as a whole: {whole}"] if whole else []
    for key, (row, value) in expected.items():
        got = result.stored[table].get(key)
        on_row = [(issue.row, issue.key) for issue in issues if issue.row == row]
        if cleaned(value):
            if got != cleaned(value):
                failures.append(f"{table} row {row}: {value!r} stored as {got!r} ({on_row})")
        elif got is not None or on_row != [(row, REQUIRED)]:
            failures.append(f"{table} row {row}: empty {value!r} gave {got!r} and {on_row}")
    refused_rows = {row for row, value in expected.values() if not cleaned(value)}
    stray = [(i.row, i.key, i.value) for i in issues if i.row not in {*refused_rows, None}]
    if stray:
        failures.append(f"{file_name}: problems on no empty cell's row: {stray}")
    return failures


TERMINATORS = {"crlf": "\r\n", "lf": "\n"}
QUOTING = {"quoted-where-needed": False, "all-quoted": True}
FILLERS = {"at-the-top": 0, "past-the-head": HEAD_ROWS + 20}


@pytest.mark.parametrize("filler", FILLERS, ids=str)
@pytest.mark.parametrize("quoting", QUOTING, ids=str)
@pytest.mark.parametrize("terminator", TERMINATORS, ids=str)
def test_spectrum_cells_written_by_the_csv_module_are_stored_exactly(
    terminator: str, quoting: str, filler: str, tmp_path: Path
) -> None:
    count = FILLERS[filler]
    first = count + 3  # the first value's row: after the header and SAFE and the fillers
    fillers = [(f"F{k:03d}", f"Chi bộ số {k}") for k in range(count)]
    units = [UNITS_HEADER, SAFE_UNIT, *fillers, *((f"S{i:02d}", v) for i, v in enumerate(VALUES))]
    events = [
        EVENTS_HEADER,
        *((f"F{k:03d}", *EVENT_CELLS, f"Hội nghị số {k}") for k in range(count + 1)),
        *((f"E{i:02d}", *EVENT_CELLS, v) for i, v in enumerate(VALUES)),
    ]
    eol, quote_all = TERMINATORS[terminator], QUOTING[quoting]
    result = import_files(
        tmp_path,
        [
            ("don-vi.csv", written(units, eol, quote_all=quote_all)),
            ("hoat-dong.csv", written(events, eol, quote_all=quote_all)),
        ],
    )
    rows = {i: (first + i, v) for i, v in enumerate(VALUES)}
    failures = check(result, "units", "don-vi.csv", {f"S{i:02d}": c for i, c in rows.items()})
    failures += check(result, "events", "hoat-dong.csv", {f"E{i:02d}": c for i, c in rows.items()})
    if result.warnings != {"don-vi.csv": [], "hoat-dong.csv": []}:
        failures.append(f"warnings: {result.warnings}")
    # and the CSV export gives every title back as it is stored
    listed = event_list(result.store.snapshot(), YEAR, Scope())
    back = list(csv.reader(io.StringIO(safe_csv(listed).decode("utf-8-sig"), newline="")))
    column = back[0].index("title")
    exported = {row[column] for row in back[1:]}
    missing = {cleaned(v) for v in VALUES if cleaned(v)} - exported
    if missing:
        failures.append(f"not in the CSV export: {sorted(missing)}")
    assert not failures, "\n".join(failures)


# -- the spectrum's own files ----------------------------------------------------------------


def records(data: bytes) -> list[bytes]:
    """The records of an RFC 4180 file, each with its line end as written (the last may have
    none): a line break inside quotes is part of its record."""
    found: list[bytes] = []
    start = 0
    quoted = False
    index = 0
    while index < len(data):
        byte = data[index : index + 1]
        if byte == b'"':
            quoted = not quoted
        elif byte in (b"\r", b"\n") and not quoted:
            end = index + (2 if data[index : index + 2] == b"\r\n" else 1)
            found.append(data[start:end])
            start = index = end
            continue
        index += 1
    if start < len(data):
        found.append(data[start:])
    return found


def raw_case_columns() -> list[tuple[str, int]]:
    return [
        (case, position)
        for case in RFC_4180_CASES
        for position in range(len(json_records(case)[0]))
    ]


@pytest.mark.parametrize(("case", "position"), raw_case_columns(), ids=str)
def test_spectrum_files_with_their_own_quoting_are_read_as_their_json_says(
    case: str, position: int, tmp_path: Path
) -> None:
    raw = (SPECTRUM / "csvs" / f"{case}.csv").read_bytes()
    header, *body = records(raw)
    line_end = header[len(header.rstrip(b"\r\n")) :]
    names = next(csv.reader([header.decode("utf-8")]))
    expected = json_records(case)
    assert names == list(expected[0]) and len(body) == len(expected), "the spectrum's own JSON"

    def renamed(target: str) -> list[str]:
        return [target if index == position else f"Cột {name}" for index, name in enumerate(names)]

    units_head = ",".join([UNITS_HEADER[0], *renamed(UNITS_HEADER[1])]).encode() + line_end
    units = units_head + b"".join(f"S{n},".encode() + record for n, record in enumerate(body))
    events_head = ",".join([*EVENTS_HEADER[:-1], *renamed(EVENTS_HEADER[-1])]).encode() + line_end
    prefix = ",".join(EVENT_CELLS).encode()
    events = events_head + b"".join(
        f"E{n},".encode() + prefix + b"," + record for n, record in enumerate(body)
    )
    safe = written([UNITS_HEADER, SAFE_UNIT], "\r\n")
    result = import_files(
        tmp_path, [("safe.csv", safe), (f"{case}-units.csv", units), (f"{case}-events.csv", events)]
    )
    key = names[position]
    cells = {n: (n + 2, record[key]) for n, record in enumerate(expected)}  # header = row 1
    failures = check(result, "units", f"{case}-units.csv", {f"S{n}": c for n, c in cells.items()})
    failures += check(
        result, "events", f"{case}-events.csv", {f"E{n}": c for n, c in cells.items()}
    )
    ignored = {"ingest.column_ignored", "ingest.columns_ignored"}
    assert all(set(keys) <= ignored for keys in result.warnings.values()), result.warnings
    assert not failures, "\n".join(failures)


# -- padding around line breaks --------------------------------------------------------------

PADDING = (" \t\n", "\r\n \t", "\n\n", "\t \r\n ", "\u00a0\n", "\u3000\r\n\t", " \r \n ")
INNER_BREAKS = tuple(v for v in VALUES if "\n" in v.strip())


@pytest.mark.parametrize("filler", FILLERS, ids=str)
@pytest.mark.parametrize("terminator", TERMINATORS, ids=str)
def test_line_breaks_at_the_ends_of_a_quoted_cell_are_trimmed_and_those_inside_kept(
    terminator: str, filler: str, tmp_path: Path
) -> None:
    """Every mix of padding before and after the spectrum's cells with line breaks inside
    (and a plain name); at the top of the file, and after more rows than the head."""
    assert INNER_BREAKS, "the spectrum has cells with line breaks inside"
    padded = [
        before + value + after
        for value in (*INNER_BREAKS, "Chi bộ 1")
        for before in PADDING
        for after in (*PADDING, "")
    ]
    count = FILLERS[filler]
    fillers = [(f"F{k:03d}", f"Chi bộ số {k}") for k in range(count)]
    units = [UNITS_HEADER, SAFE_UNIT, *fillers, *((f"P{i:03d}", v) for i, v in enumerate(padded))]
    events = [
        EVENTS_HEADER,
        *((f"F{k:03d}", *EVENT_CELLS, f"Hội nghị số {k}") for k in range(count + 1)),
        *((f"P{i:03d}", *EVENT_CELLS, v) for i, v in enumerate(padded)),
    ]
    eol = TERMINATORS[terminator]
    result = import_files(
        tmp_path,
        [
            ("don-vi.csv", written(units, eol)),
            ("hoat-dong.csv", written(events, eol)),
        ],
    )
    expected = {f"P{i:03d}": (count + 3 + i, v) for i, v in enumerate(padded)}
    failures = check(result, "units", "don-vi.csv", expected)
    failures += check(result, "events", "hoat-dong.csv", expected)
    assert not failures, f"{len(failures)} wrong:\n" + "\n".join(failures[:20])


# -- what a quoted cell holds never decides the delimiter ------------------------------------


@pytest.mark.parametrize("inside", ["\t", "; ", " | "], ids=["tab", "semicolon", "pipe"])
def test_a_comma_file_is_read_with_commas_whatever_its_multi_line_cells_hold(
    inside: str, tmp_path: Path
) -> None:
    """A quoted cell of several lines, each holding a tab, a semicolon or a pipe (a title
    pasted from Word with indented lines, a list "a; b"): its lines are not records, so they
    must not outvote the commas of the real ones."""
    name = "Once upon \na time"  # the spectrum's newlines case
    lines = [f"Tổ {k}{inside}Nhóm {k}" for k in range(6)]
    value = name + "\r\n" + "\r\n".join(lines)
    units = [UNITS_HEADER, SAFE_UNIT, ("S01", value)]
    events = [EVENTS_HEADER, ("E01", *EVENT_CELLS, value)]
    result = import_files(
        tmp_path,
        [
            ("don-vi.csv", written(units, "\r\n")),
            ("hoat-dong.csv", written(events, "\r\n")),
        ],
    )
    failures = check(result, "units", "don-vi.csv", {"S01": (3, value)})
    failures += check(result, "events", "hoat-dong.csv", {"E01": (2, value)})
    assert not failures, "\n".join(failures) + f"\n{result.issues}"
