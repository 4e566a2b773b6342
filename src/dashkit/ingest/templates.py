"""Blank templates an office fills in: one per table, and the office report layout.

Headers are passed in already translated (the caller's language), so a template written in
Vietnamese is read back by the importer (its labels are among the accepted headers). CSV is
written UTF-8 with a byte-order mark, which Excel needs to show Vietnamese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashkit.schema import AUDIENCES, TABLES

REPORT = "participation-report"
TEMPLATES: tuple[str, ...] = (*TABLES, REPORT)
REPORT_FIELDS = ("eligible", "completed", "rate")


@dataclass(frozen=True)
class TemplateLabels:
    columns: Mapping[str, str]  # column → header
    audiences: Mapping[str, str]  # audience code → group header
    report_title: str  # a title line with a year to fill in, e.g. "BÁO CÁO … NĂM ……"


def template_rows(name: str, labels: TemplateLabels) -> list[list[str]]:
    """The template's rows: the header (two rows and a title for the report layout)."""
    if name == REPORT:
        groups = ["", ""]
        fields = [labels.columns["unit_id"], labels.columns["unit_name"]]
        for audience in AUDIENCES:
            groups += [labels.audiences[audience], "", ""]
            fields += [labels.columns[field] for field in REPORT_FIELDS]
        return [[labels.report_title], groups, fields]
    table = TABLES[name]
    derived = {table.key[0]} if table.natural_key else set()
    return [[labels.columns[column.name] for column in table.columns if column.name not in derived]]


def template_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(rows: Sequence[Sequence[str]], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(list(row))
    header_rows = len(rows)
    for row in sheet.iter_rows(min_row=max(1, header_rows - 1), max_row=header_rows):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if len(rows) == 3:  # the report layout: merge each audience's group cell over its fields
        for start in range(3, len(rows[2]) + 1, len(REPORT_FIELDS)):
            sheet.merge_cells(start_row=2, start_column=start, end_row=2, end_column=start + 2)
        sheet["A1"].font = Font(bold=True, size=13)
    for index in range(1, len(rows[-1]) + 1):
        sheet.column_dimensions[sheet.cell(row=header_rows, column=index).column_letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
