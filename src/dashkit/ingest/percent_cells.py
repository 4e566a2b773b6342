"""Which cells of a workbook's sheet show their numbers as percentages.

Contract: ``percent_cells(path, kind, sheet_name, start)`` returns the 0-based (row, column)
positions, counted from ``start`` (where calamine's grid of the sheet begins), of the cells
formatted as a percentage, over the whole sheet. calamine gives such a cell's stored value
(0.955), while the file shows 95,5 %, and cells are read as the file shows them; a plain number
beside them in the same column stays as it is. Found from the workbook's XML, read as a stream
(and only when the workbook has a percent format at all): for .xlsx the
cell styles whose number format is a percentage (built-in 9 and 10, or a format with ``%``
outside quotes); for .ods the cells whose ``office:value-type`` is ``percentage``; for .xls
the cells whose format has a ``%``, read by xlrd (BIFF records; the format bounds a sheet).
.xlsb (binary records calamine alone reads) gives none, a limit docs/architecture.md names.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import Element, XMLPullParser, fromstring

import xlrd
from xlrd.biffh import XLRDError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_QUOTED = re.compile(r'"[^"]*"|\\.')
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")
_ODS_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
_ODS_PERCENT = b'value-type="percentage"'
_MAX_REPEAT = 1_024  # a repeated cell is a styled run to the sheet's edge, not data
Cell = tuple[int, int]


def percent_cells(path: Path, kind: str, sheet_name: str, start: Cell) -> set[Cell]:
    try:
        if kind == "xls":
            found = _xls_percent_cells(path, sheet_name)
        else:
            with zipfile.ZipFile(path) as archive:
                if kind == "xlsx":
                    found = _xlsx_percent_cells(archive, sheet_name)
                elif kind == "ods":
                    found = _ods_percent_cells(archive, sheet_name)
                else:
                    return set()
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError, XLRDError):
        return set()  # the sheet is read all the same; only the percentages stay as stored
    first_row, first_column = start
    return {
        (row - first_row, column - first_column)
        for row, column in found
        if row >= first_row and column >= first_column
    }


def _events(stream: object) -> Iterator[tuple[str, Element]]:
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    for block in iter(lambda: stream.read(1 << 20), b""):  # type: ignore[attr-defined]
        parser.feed(block)
        yield from cast(Iterator[tuple[str, Element]], parser.read_events())


def _xlsx_percent_styles(archive: zipfile.ZipFile) -> set[int]:
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = fromstring(archive.read("xl/styles.xml"))
    formats = {9: "0%", 10: "0.00%"}
    for number_format in styles.iter(f"{_MAIN}numFmt"):
        formats[int(number_format.get("numFmtId", "-1"))] = number_format.get("formatCode", "")
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    if cell_formats is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_formats.iter(f"{_MAIN}xf"))
        if "%" in _QUOTED.sub("", formats.get(int(xf.get("numFmtId", "0")), ""))
    }


def _xlsx_sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = fromstring(archive.read("xl/workbook.xml"))
    relation = next(
        (
            sheet.get(f"{_REL}id")
            for sheet in workbook.iter(f"{_MAIN}sheet")
            if sheet.get("name") == sheet_name
        ),
        None,
    )
    relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for entry in relations.iter(f"{_PKG_REL}Relationship"):
        if entry.get("Id") == relation:
            target = entry.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _xlsx_percent_cells(archive: zipfile.ZipFile, sheet_name: str) -> set[Cell]:
    percent_styles = _xlsx_percent_styles(archive)
    part = _xlsx_sheet_part(archive, sheet_name) if percent_styles else None
    if part is None:
        return set()
    found: set[Cell] = set()
    row = column = -1
    with archive.open(part) as sheet:
        for event, element in _events(sheet):
            if event != "start":
                if element.tag == f"{_MAIN}row":
                    element.clear()
                continue
            if element.tag == f"{_MAIN}row":  # "r" is optional: a writer may leave it out
                row = int(element.get("r", row + 2)) - 1
                column = -1
            elif element.tag == f"{_MAIN}c":
                match = _CELL_REF.match(element.get("r", ""))
                column = _column_number(match.group(1)) if match else column + 1
                if int(element.get("s", "0")) in percent_styles:
                    found.add((int(match.group(2)) - 1 if match else row, column))
    return found


def _has_ods_percentage(archive: zipfile.ZipFile) -> bool:
    """Whether content.xml holds a percentage cell at all, found by bytes before any parsing."""
    tail = b""
    with archive.open("content.xml") as content:
        for block in iter(lambda: content.read(1 << 20), b""):
            if _ODS_PERCENT in tail + block:
                return True
            tail = block[-len(_ODS_PERCENT) :]
    return False


def _ods_percent_cells(archive: zipfile.ZipFile, sheet_name: str) -> set[Cell]:
    if not _has_ods_percentage(archive):
        return set()
    found: set[Cell] = set()
    in_sheet = False
    row = column = 0
    row_repeat = 1
    with archive.open("content.xml") as content:
        for event, element in _events(content):
            if element.tag == f"{_TABLE}table":
                if event == "start":
                    in_sheet = element.get(f"{_TABLE}name") == sheet_name
                elif in_sheet:
                    break
                continue
            if not in_sheet:
                continue
            if element.tag == f"{_TABLE}table-row":
                if event == "start":
                    column = 0
                    row_repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                else:
                    element.clear()
                    row += row_repeat
            elif event == "start" and element.tag in _ODS_CELLS:
                repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                if element.get(f"{_OFFICE}value-type") == "percentage":
                    found.update(
                        (row + down, column + across)
                        for down in range(min(row_repeat, _MAX_REPEAT))
                        for across in range(min(repeat, _MAX_REPEAT))
                    )
                column += repeat
    return found


def _xls_percent_cells(path: Path, sheet_name: str) -> set[Cell]:
    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        percent_formats = {
            key
            for key, number_format in book.format_map.items()
            if "%" in _QUOTED.sub("", number_format.format_str or "")
        }
        percent_styles = {
            index for index, style in enumerate(book.xf_list) if style.format_key in percent_formats
        }
        if not percent_styles:
            return set()
        sheet = book.sheet_by_name(sheet_name)
        return {
            (row, column)
            for row in range(sheet.nrows)
            for column in range(sheet.row_len(row))
            if sheet.cell_xf_index(row, column) in percent_styles
            and sheet.cell_type(row, column) == xlrd.XL_CELL_NUMBER
        }
    finally:
        book.release_resources()
