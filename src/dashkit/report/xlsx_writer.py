"""The report as an Excel workbook (openpyxl): one sheet per table, and the narrative.

Contract: ``xlsx_bytes(outline, t)`` returns a workbook with the sheets narrative, kpis, units, awards and
events (names from the catalogue), each with its header in row 1 (frozen, with a filter) and
every column, spreadsheet-only ones included. Numbers are numbers with a number format (rates
and targets as percentages, changes in points), so the office can compute with them; codes
appear by their names; every text cell goes through ``neutralise``, so no cell is ever a
formula. Below-target cells are bold red.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashkit.i18n import Translator
from dashkit.report import cells
from dashkit.report.model import Column, Kind, ReportTable
from dashkit.report.outline import Outline
from dashkit.report.safe import neutralise

NUMBER_FORMATS = {
    Kind.INTEGER: "#,##0",
    Kind.RATE: "0.0%",
    Kind.POINTS: "+0.0;-0.0;0.0",
    Kind.TARGET: "0.0%",
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
MARK_FONT = Font(bold=True, color="B01E2D")
CHARS_PER_WIDTH = 14
SHEET_NAME_LIMIT = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(outline: Outline, t: Translator) -> bytes:
    workbook = Workbook()
    narrative = workbook.active
    narrative.title = sheet_name(t("report.sheet.narrative"))
    _narrative(narrative, outline, t)
    for section in outline.sections:
        sheet = workbook.create_sheet(sheet_name(t(f"report.sheet.{section.name}")))
        _table(sheet, section.table, t)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_name(text: str) -> str:
    cleaned = _NOT_IN_SHEET_NAMES.sub(" ", text).strip("' ")
    return cleaned[:SHEET_NAME_LIMIT] or "Sheet"


def _narrative(sheet: Any, outline: Outline, t: Translator) -> None:
    sheet.append([neutralise(outline.title)])
    sheet.append([neutralise(outline.subtitle)])
    sheet.append([])
    sheet.append([neutralise(t("report.col.paragraph"))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A4"].font = HEADER_FONT
    sheet["A4"].fill = HEADER_FILL
    for text in (*outline.narrative, *outline.notes):
        sheet.append([neutralise(text)])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
    sheet.column_dimensions["A"].width = 120


def _table(sheet: Any, table: ReportTable, t: Translator) -> None:
    sheet.append([cells.header(t, column) for column in table.columns])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        sheet.append(
            [
                _value(t, column, value)
                for column, value in zip(table.columns, row.values, strict=True)
            ]
        )
        written = sheet[sheet.max_row]
        for index, column in enumerate(table.columns):
            number_format = NUMBER_FORMATS.get(column.kind)
            if number_format is not None:
                written[index].number_format = number_format
            if index in row.marked:
                written[index].font = MARK_FONT
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            10, column.width * CHARS_PER_WIDTH
        )
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
    if table.legend_key and any(row.marked for row in table.rows):
        sheet.append([])
        sheet.append([neutralise(t(table.legend_key))])


def _value(t: Translator, column: Column, value: Any) -> Any:
    """A number as a number, a target 0..100 as the fraction a percent format shows, anything
    else as neutralised text."""
    if value is None:
        return None
    if column.kind is Kind.TARGET:
        return float(value) / 100
    if column.kind in NUMBER_FORMATS:
        return value
    return neutralise(cells.text(t, column, value))
