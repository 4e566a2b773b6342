"""Spreadsheets as grids of text cells: .xlsx, .xlsm, .xlsb, .xls and .ods, all read by calamine.

Contract (as ``sources`` for CSV):
- The format is told by the file's bytes, not its name (``workbook_kind``): a zip holding
  ``xl/workbook.xml`` is .xlsx/.xlsm, ``xl/workbook.bin`` .xlsb, an OpenDocument spreadsheet
  .ods; an OLE2 compound file is Excel 97–2003 (.xls). Another zip or a PDF is refused.
- The sheet with the most filled cells among its first rows is read; cells become the text a
  person would type for them (decimal comma, ISO dates); row numbers are the sheet's own.
- Size is bounded before a sheet is loaded: every file by ``Limits.max_bytes``; .xlsx and .ods
  also by what they unpack to, the longest cell text, and the rows their XML declares (an
  .ods row or cell repeated a million times is counted as what it expands to); .xlsb by what it
  unpacks to; .xls by its format (65,536 rows × 256 columns a sheet, 32,767 characters a cell).
  Every sheet's row count is checked again once loaded, before it is turned into Python values.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast
from xml.etree.ElementTree import Element, XMLPullParser

import duckdb
import numpy as np
import pyarrow as pa

from dashkit.errors import DataError
from dashkit.ingest.percent_cells import percent_cells
from dashkit.ingest.sources import (
    BATCH_ROWS,
    HEAD_ROWS,
    ROW_COLUMN,
    Head,
    Limits,
    Source,
    Staged,
    column_names,
    write_batches,
)

# What the uploader offers: the names offices save under (the format itself is read from the bytes).
TEXT_EXTENSIONS = ("csv", "txt", "tsv")
WORKBOOK_EXTENSIONS = ("xlsx", "xlsm", "xlsb", "xls", "ods")
EXCEL_MAX_ROWS = 1_048_576
MAX_CELL_BYTES = 32 * 2**20  # a workbook cell longer than this is refused before loading
MAX_CELLS = 20_000_000  # an .ods sheet's cells once its repeats are expanded
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ROW = f"{{{_TABLE_NS}}}table-row"
_CELL = f"{{{_TABLE_NS}}}table-cell"
_COVERED = f"{{{_TABLE_NS}}}covered-table-cell"
_TABLE = f"{{{_TABLE_NS}}}table"
_ROWS_REPEATED = f"{{{_TABLE_NS}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
_VALUE_TYPE = f"{{{_OFFICE_NS}}}value-type"


def workbook_kind(path: Path, name: str) -> str | None:
    """ "xlsx", "xlsb", "xls" or "ods" for a workbook, None for a text file (a CSV); refuses
    any other binary format it recognises (a Word file, a PDF, an unknown zip)."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(OLE2_MAGIC):
        return "xls"
    if magic.startswith(b"%PDF"):
        raise DataError("ingest.unsupported_format", file=name)
    if not magic.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if "content.xml" in names and "word/document.xml" not in names:
                return "ods"  # an OpenDocument file without its mimetype entry
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
        raise DataError("ingest.bad_workbook", file=name, detail=str(error)[:200]) from error
    raise DataError("ingest.unsupported_format", file=name)


class WorkbookSource(Source):
    def __init__(self, path: Path, name: str, limits: Limits, kind: str) -> None:
        super().__init__(path, name, limits)
        self.kind = kind
        self._sheet: Any = None
        self._percent: set[tuple[int, int]] = set()  # cells whose numbers show as percentages

    @property
    def _max_rows(self) -> int:
        return min(self.limits.max_rows, EXCEL_MAX_ROWS)

    def _check_size(self) -> None:
        """Refuse a workbook that is not one, or that would be too large, before it is loaded."""
        if self.kind == "xls":  # the format bounds a sheet; the file's size was checked
            return
        try:
            with zipfile.ZipFile(self.path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
                if unpacked > self.limits.max_bytes:
                    raise DataError(
                        "ingest.workbook_too_large",
                        file=self.name,
                        size_mb=unpacked // 2**20,
                        limit_mb=self.limits.max_bytes // 2**20,
                    )
                if self.kind == "xlsx":
                    self._check_xlsx(archive, unpacked)
                elif self.kind == "ods":
                    self._check_ods(archive, unpacked)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
            raise DataError(
                "ingest.bad_workbook", file=self.name, detail=str(error)[:200]
            ) from error

    def _check_cell_sizes(self, archive: zipfile.ZipFile, unpacked: int) -> None:
        if unpacked <= MAX_CELL_BYTES:  # only then can one cell be too big to load
            return
        for info in archive.infolist():
            if info.filename.endswith(".xml") and info.file_size > MAX_CELL_BYTES:
                with archive.open(info) as part:
                    if _longest_text(part) > MAX_CELL_BYTES:
                        raise DataError(
                            "ingest.workbook_cell_too_large",
                            file=self.name,
                            limit_mb=MAX_CELL_BYTES // 2**20,
                        )

    def _check_xlsx(self, archive: zipfile.ZipFile, unpacked: int) -> None:
        self._check_cell_sizes(archive, unpacked)
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as sheet:
                    match = _DIMENSION.search(sheet.read(4096))
                rows = int(match.group(1)) if match and match.group(1) else 0
                if rows > self._max_rows:
                    raise DataError("ingest.too_many_rows", file=self.name, limit=self._max_rows)

    def _check_ods(self, archive: zipfile.ZipFile, unpacked: int) -> None:
        self._check_cell_sizes(archive, unpacked)
        if "content.xml" not in archive.namelist():
            raise DataError("ingest.bad_workbook", file=self.name, detail="content.xml")
        with archive.open("content.xml") as content:
            rows, cells = _ods_extent(content)
        if rows > self._max_rows:
            raise DataError("ingest.too_many_rows", file=self.name, limit=self._max_rows)
        if cells > MAX_CELLS:
            raise DataError("ingest.too_many_cells", file=self.name, limit=MAX_CELLS)

    def _open(self, workbook_class: Any) -> Any:
        """calamine picks its reader by the file's extension when given a path, by the bytes
        when given the file: a path while the two agree (read without a copy in memory)."""
        suffix = self.path.suffix.lower().lstrip(".")
        if suffix == self.kind or (self.kind == "xlsx" and suffix == "xlsm"):
            return workbook_class.from_path(str(self.path))
        with self.path.open("rb") as handle:
            return workbook_class.from_filelike(handle)

    def head(self) -> Head:
        from python_calamine import CalamineWorkbook

        self._check_size()
        try:
            workbook = self._open(CalamineWorkbook)
            best: tuple[int, str, Any] | None = None
            for name in workbook.sheet_names:
                sheet = workbook.get_sheet_by_name(name)
                if sheet.height > self._max_rows:
                    raise DataError("ingest.too_many_rows", file=self.name, limit=self._max_rows)
                filled = sum(
                    1
                    for row in sheet.to_python(nrows=HEAD_ROWS)
                    for cell in row
                    if cell not in ("", None)
                )
                if best is None or filled > best[0]:
                    best = (filled, name, sheet)
        except DataError:
            raise
        except Exception as error:  # calamine raises its own error kinds for broken files
            raise DataError(
                "ingest.bad_workbook", file=self.name, detail=str(error)[:200]
            ) from error
        if best is None or best[0] == 0:
            raise DataError("ingest.empty_file", file=self.name)
        _, name, sheet = best
        self._sheet = sheet
        offset = sheet.start[0] if sheet.start else 0  # a sheet whose first rows are empty
        self._percent = percent_cells(
            self.path, self.kind, name, tuple(sheet.start) if sheet.start else (0, 0)
        )
        rows = [
            [_cell_text(cell, (r, i) in self._percent) for i, cell in enumerate(row)]
            for r, row in enumerate(sheet.to_python(nrows=HEAD_ROWS))
        ]
        numbers = [offset + index + 1 for index in range(len(rows))]
        return Head(self.kind, rows, numbers, sheet=name)

    def stage(
        self,
        head: Head,
        first_data: int,
        width: int,
        target: Path,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> Staged:
        names = column_names(width)
        offset = head.numbers[0] - 1 if head.numbers else 0
        rows = self._sheet.to_python()

        def batches() -> Iterator[pa.RecordBatch]:
            for start in range(first_data, len(rows), BATCH_ROWS):
                chunk = rows[start : start + BATCH_ROWS]
                columns = [
                    pa.array(
                        [
                            _cell_text(row[i], (start + r, i) in self._percent)
                            if i < len(row)
                            else ""
                            for r, row in enumerate(chunk)
                        ],
                        pa.string(),
                    )
                    for i in range(width)
                ]
                numbers = pa.array(
                    range(offset + start + 1, offset + start + 1 + len(chunk)), pa.int64()
                )
                yield pa.RecordBatch.from_arrays([*columns, numbers], [*names, ROW_COLUMN])

        return write_batches(batches(), names, target, self.limits, self.name, [])


def _ods_extent(content: IO[bytes]) -> tuple[int, int]:
    """The most rows, and cells, any sheet of an .ods ``content.xml`` holds once its repeated
    rows and cells are expanded, counting only up to the last filled row and cell (LibreOffice
    writes the empty rest of a sheet as one row repeated a million times, which no reader
    expands). Read as a stream: memory holds one row at a time."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    sheets: list[_SheetExtent] = []
    open_elements: list[Element] = []  # a row read is removed from its parent: nothing piles up
    for block in iter(lambda: content.read(1 << 20), b""):
        parser.feed(block)
        for event, element in cast(Iterator[tuple[str, Element]], parser.read_events()):
            if event == "start":
                open_elements.append(element)
                if element.tag == _TABLE:
                    sheets.append(_SheetExtent())
                continue
            open_elements.pop()
            if element.tag == _ROW and sheets:
                sheets[-1].add_row(element)
            if element.tag in (_ROW, _TABLE) and open_elements:
                open_elements[-1].remove(element)
    return max((s.rows for s in sheets), default=0), max((s.cells for s in sheets), default=0)


class _SheetExtent:
    """Rows and cells of one .ods sheet up to its last filled row."""

    def __init__(self) -> None:
        self.rows = self.cells = 0
        self.pending_rows = 0  # empty rows since the last filled one

    def add_row(self, row: Element) -> None:
        repeat = int(row.get(_ROWS_REPEATED, "1"))
        width = filled_width = 0
        for cell in row:
            if cell.tag not in (_CELL, _COVERED):
                continue
            width += int(cell.get(_COLUMNS_REPEATED, "1"))
            if cell.get(_VALUE_TYPE) is not None or len(cell):
                filled_width = width
        if filled_width:
            self.rows += self.pending_rows + repeat
            self.cells += repeat * filled_width
            self.pending_rows = 0
        else:
            self.pending_rows += repeat


def _longest_text(stream: Any) -> int:
    """The longest run of bytes between two XML tags in ``stream``, read in blocks (a cell's
    text is such a run): found with numpy, without holding the part in memory."""
    longest = run = 0  # ``run``: the bytes since the last '<', carried across blocks
    for block in iter(lambda: stream.read(8 * 2**20), b""):
        tags = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("<"))
        if len(tags) == 0:
            run += len(block)
        else:
            longest = max(longest, run + int(tags[0]))
            if len(tags) > 1:
                longest = max(longest, int(np.diff(tags).max()) - 1)
            run = len(block) - int(tags[-1]) - 1
        longest = max(longest, run)
    return longest


def _cell_text(value: Any, percent: bool = False) -> str:  # noqa: PLR0911 - one per type
    """A workbook cell as the text a person would type for it (decimal comma, ISO dates; a
    number shown as a percentage as that percentage: 0.955 shown as 95,5 % is "95,5")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if percent and isinstance(value, int | float):
        value = round(float(value) * 100, 10)  # 0.955 * 100 is 95.49999999999999
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
