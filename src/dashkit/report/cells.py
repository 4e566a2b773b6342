"""Headers and cells of a ``ReportTable`` as text, for the DOCX and Markdown writers.

Contract: numbers read the way the language writes them (the ``Translator``'s formats); codes
appear by their names; every piece of text that came from the data (names, titles, codes
shown as written) is passed through ``neutralise``, so a cell copied from the document into a
spreadsheet can never run as a formula. A change is written with a true minus sign (−).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashkit.i18n import Translator
from dashkit.report.model import Column, Kind
from dashkit.report.safe import neutralise

MINUS = "\u2212"


def header(t: Translator, column: Column) -> str:
    if column.audience is not None:
        return str(neutralise(t(column.key, audience=t.code("audience", column.audience))))
    return str(neutralise(t(column.key)))


def code_name(t: Translator, family: str | None, code: Any) -> str:
    return str(neutralise(t.code(family or "", None if code is None else str(code))))


def target_percent(t: Translator, target: float) -> str:
    """A target rate 0..100 as a percentage, without decimals when it is whole."""
    return t.percent(target / 100, digits=0 if float(target).is_integer() else 1)


def _points(t: Translator, value: Any) -> str:
    written = t.points(value)
    return MINUS + written[1:] if written.startswith("-") else written


_FORMATS: dict[Kind, Callable[[Translator, Column, Any], str]] = {
    Kind.INTEGER: lambda t, column, value: t.integer(value),
    Kind.RATE: lambda t, column, value: t.percent(value),
    Kind.POINTS: lambda t, column, value: _points(t, value),
    Kind.TARGET: lambda t, column, value: target_percent(t, value),
    Kind.CODE: lambda t, column, value: code_name(t, column.family, value),
    Kind.CODES: lambda t, column, value: ", ".join(
        code_name(t, column.family, code) for code in value
    ),
    Kind.STATUS: lambda t, column, value: t(
        "report.status_met" if value else "report.status_missed"
    ),
}


def text(t: Translator, column: Column, value: Any) -> str:
    """The cell as text; an empty string for no value."""
    if value is None:
        return ""
    format_cell = _FORMATS.get(column.kind)
    if format_cell is None:
        return str(neutralise(str(value)))
    return format_cell(t, column, value)


def is_numeric(column: Column) -> bool:
    return column.kind in {Kind.INTEGER, Kind.RATE, Kind.POINTS, Kind.TARGET}
