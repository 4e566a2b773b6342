"""Showing a table the way the pages do: translated headers, the first rows on screen, all rows
in a download (formulas neutralised). User text is shown as text, never as HTML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashkit.i18n import Translator
from dashkit.report import safe_csv

SHOWN_ROWS = 500
EMPTY_CELL = "–"  # what a missing value reads as (the browser's grid would write "None")
RATE_COLUMNS = frozenset({"rate", "previous_rate", "share_met"})
DATE_COLUMNS = frozenset({"date", "month"})


def labelled(
    frame: pd.DataFrame, t: Translator, codes: dict[str, str] | None = None
) -> pd.DataFrame:
    """``frame`` with its columns named in the user's language, coded values (``codes``:
    column → code family) shown by their names, and rates (0..1) as percentages."""
    shown = frame.copy()
    for column, family in (codes or {}).items():
        if column in shown:
            shown[column] = shown[column].map(lambda code, f=family: t.code(f, code))
    for column in shown.columns:
        if column in RATE_COLUMNS:
            shown[column] = shown[column].map(lambda value: t.percent(_number(value)))
        elif column in DATE_COLUMNS:
            shown[column] = shown[column].map(lambda value: t.date(_day(value)))
        elif shown[column].dtype == object and shown[column].map(_is_number_or_none).all():
            shown[column] = pd.to_numeric(shown[column], errors="coerce")  # None → an empty cell
    shown.columns = [t(f"column.{column}") for column in shown.columns]
    return shown


def with_numbers_in_language(frame: pd.DataFrame, t: Translator) -> Styler:
    """``frame`` with its numbers written the way the dashboard's language writes them
    (1.234,5 in Vietnamese), whatever the browser's locale; the cells stay numbers, so
    sorting stays numeric."""
    formats: dict[Any, str | Callable[[object], str] | None] = {
        column: _number_format(frame[column], t)
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column])
    }
    return frame.style.format(formats, na_rep=EMPTY_CELL)


def _number_format(column: pd.Series, t: Translator) -> Callable[[object], str]:
    """Whole numbers without decimals, others with one, in the language's separators."""
    values = column.dropna()
    whole = pd.api.types.is_integer_dtype(column) or bool((values == values.round()).all())
    if whole:
        return lambda value: t.integer(_number(value))
    return lambda value: t.decimal(_number(value), 1)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _day(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _is_number_or_none(value: object) -> bool:
    return value is None or isinstance(value, int | float)


def show(
    frame: pd.DataFrame,
    t: Translator,
    file_name: str,
    *,
    key: str,
    codes: dict[str, str] | None = None,
    height: int | None = None,
) -> None:
    """The table (first ``SHOWN_ROWS`` rows) and a download of every row (its CSV is written
    when the button is clicked)."""
    if frame.empty:
        st.caption(t("tables.empty"))
        return
    first = labelled(frame.head(SHOWN_ROWS), t, codes)
    st.dataframe(
        with_numbers_in_language(first, t),
        hide_index=True,
        width="stretch",
        height=height or "auto",
        placeholder=EMPTY_CELL,
    )
    if len(frame) > SHOWN_ROWS:
        st.caption(t("tables.capped", shown=t.integer(SHOWN_ROWS), total=t.integer(len(frame))))
    st.download_button(
        t("tables.download", rows=t.integer(len(frame))),
        # written when the button is clicked, not on every run of the page
        lambda: safe_csv(labelled(frame, t, codes)),
        f"{file_name}.csv",
        mime="text/csv",
        key=f"download_{key}",
        icon=":material/download:",
    )


def searchable_list(
    prefix: str,
    t: Translator,
    rows_for: Callable[[str], pd.DataFrame],
    file_name: str,
    *,
    codes: dict[str, str] | None = None,
) -> None:
    """A search box (``<prefix>.search`` / ``<prefix>.search_hint``) over a list whose rows
    ``rows_for(text)`` gives, shown with ``show``: the Events and Awards pages' lists."""
    search = st.text_input(
        t(f"{prefix}.search"), key=f"{prefix}_search", placeholder=t(f"{prefix}.search_hint")
    )
    show(rows_for(search.strip()), t, file_name, key=f"{prefix}_list", codes=codes)
