"""The report's tables as data: columns with a kind, rows of raw values.

Contract: a ``ReportTable`` holds values as the data has them (counts, rates as fractions
0..1, changes in percentage points, targets 0..100, codes, text) and catalogue keys for its
headers; never translated or formatted text. Each writer formats the same values its own way:
numbers stay numbers in XLSX, and read the way the language writes them in DOCX and Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"  # text from the data: neutralised in every export
    INTEGER = "integer"
    RATE = "rate"  # a fraction 0..1
    POINTS = "points"  # a change in percentage points
    TARGET = "target"  # a target rate 0..100
    CODE = "code"  # a code of ``family``, shown by its name
    CODES = "codes"  # a tuple of codes of ``family``, shown as a list of names
    STATUS = "status"  # True met / False missed / None no target


@dataclass(frozen=True)
class Column:
    key: str  # catalogue key of the header
    kind: Kind
    family: str | None = None  # for CODE and CODES: the code family (``audience``, …)
    audience: str | None = None  # an audience code the header names (``{audience}``)
    width: float = 1.0  # relative width
    detail: bool = False  # spreadsheets only: too fine for a printed page


@dataclass(frozen=True)
class Row:
    values: tuple[Any, ...]
    marked: frozenset[int] = frozenset()  # indexes of cells to emphasise (below target)


@dataclass(frozen=True)
class ReportTable:
    name: str  # kpis, units, awards, events: also the sheet's and the heading's key
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    legend_key: str | None = None  # what a marked cell means, when the table marks any

    def printed(self) -> ReportTable:
        """The table without its spreadsheet-only columns."""
        keep = [index for index, column in enumerate(self.columns) if not column.detail]
        renumber = {old: new for new, old in enumerate(keep)}
        return ReportTable(
            name=self.name,
            columns=tuple(self.columns[index] for index in keep),
            rows=tuple(
                Row(
                    values=tuple(row.values[index] for index in keep),
                    marked=frozenset(renumber[i] for i in row.marked if i in renumber),
                )
                for row in self.rows
            ),
            legend_key=self.legend_key,
        )
