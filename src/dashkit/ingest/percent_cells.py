"""Which columns of a workbook's sheet show their numbers as percentages.

Contract: ``percent_columns(path, kind, sheet_name, first_column)`` returns the 0-based
positions (counted from ``first_column``, where calamine's grid of the sheet starts) of the
columns that have a cell formatted as a percentage among the sheet's first ``SCANNED_ROWS``
rows. calamine gives such a cell's stored value (0.955), while the file shows 95,5 %, and cells
are read as the file shows them. Found from the workbook's XML, read as a stream: for .xlsx the
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

SCANNED_ROWS = 1_000
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_QUOTED = re.compile(r'"[^"]*"|\\.')
_CELL_REF = re.compile(r"([A-Z]+)")


def percent_columns(path: Path, kind: str, sheet_name: str, first_column: int) -> set[int]:
    try:
        if kind == "xls":
            found = _xls_percent_columns(path, sheet_name)
            return {column - first_column for column in found if column >= first_column}
        with zipfile.ZipFile(path) as archive:
            if kind == "xlsx":
                found = _xlsx_percent_columns(archive, sheet_name)
            elif kind == "ods":
                found = _ods_percent_columns(archive, sheet_name)
            else:
                return set()
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError, XLRDError):
        return set()  # the sheet is read all the same; only the percentages stay as stored
    return {column - first_column for column in found if column >= first_column}


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


def _xlsx_percent_columns(archive: zipfile.ZipFile, sheet_name: str) -> set[int]:
    percent_styles = _xlsx_percent_styles(archive)
    part = _xlsx_sheet_part(archive, sheet_name) if percent_styles else None
    if part is None:
        return set()
    found: set[int] = set()
    rows = 0
    with archive.open(part) as sheet:
        for event, element in _events(sheet):
            if event != "end":
                continue
            if element.tag == f"{_MAIN}c" and int(element.get("s", "0")) in percent_styles:
                match = _CELL_REF.match(element.get("r", ""))
                if match:
                    found.add(_column_number(match.group(1)))
            elif element.tag == f"{_MAIN}row":
                element.clear()
                rows += 1
                if rows >= SCANNED_ROWS:
                    break
    return found


def _ods_percent_columns(archive: zipfile.ZipFile, sheet_name: str) -> set[int]:
    found: set[int] = set()
    in_sheet = False
    rows = column = 0
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
            if element.tag == f"{_TABLE}table-row" and event == "start":
                column = 0
            elif element.tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                if event == "start":
                    repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                    if element.get(f"{_OFFICE}value-type") == "percentage":
                        found.update(range(column, column + min(repeat, 1_024)))
                    column += repeat
            elif element.tag == f"{_TABLE}table-row" and event == "end":
                element.clear()
                rows += 1
                if rows >= SCANNED_ROWS:
                    break
    return found


def _xls_percent_columns(path: Path, sheet_name: str) -> set[int]:
    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        sheet = book.sheet_by_name(sheet_name)
        found: set[int] = set()
        for row in range(min(sheet.nrows, SCANNED_ROWS)):
            for column in range(sheet.ncols):
                if column in found or sheet.cell_type(row, column) != xlrd.XL_CELL_NUMBER:
                    continue
                style = book.xf_list[sheet.cell_xf_index(row, column)]
                number_format = book.format_map.get(style.format_key)
                if number_format and "%" in _QUOTED.sub("", number_format.format_str):
                    found.add(column)
        return found
    finally:
        book.release_resources()
