"""The sidebar filters shared by the analysis pages: year, unit group, type, units, audience.

Each filter is bound to a URL query parameter (``?year=2017&group=…``), so a copied link opens
the same view; a value in the URL that the data does not have is dropped by Streamlit and the
default is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashkit.i18n import Translator
from dashkit.queries import FilterOptions, Scope
from dashkit.ui import data


@dataclass(frozen=True)
class Selection:
    year: int
    scope: Scope


def show(ref: data.DataRef, options: FilterOptions, t: Translator) -> Selection | None:
    """Render the filters; None when there is no year to choose from."""
    if not options.years:
        return None
    with st.sidebar:
        st.subheader(t("filters.title"))
        years = sorted(options.years, reverse=True)
        year = st.selectbox(t("filters.year"), years, index=0, key="year", bind="query-params")
        groups = _multi(t("filters.unit_group"), options.unit_groups, "group", t)
        types = _multi(t("filters.unit_type"), options.unit_types, "type", t)
        unit_names = data.units(ref.root, ref.version, groups, types)
        picked = _multi(
            t("filters.units"),
            tuple(unit_names),
            "unit",
            t,
            format_func=lambda unit_id: unit_names.get(unit_id, unit_id),
            help_text=t("filters.units_help"),
        )
        audiences = _multi(
            t("filters.audience"),
            options.audiences,
            "aud",
            t,
            format_func=lambda code: t.code("audience", code),
        )
    return Selection(
        year=int(year if year is not None else years[0]),
        scope=Scope(unit_groups=groups, unit_types=types, unit_ids=picked, audiences=audiences),
    )


def _multi(
    label: str,
    choices: tuple[str, ...],
    key: str,
    t: Translator,
    *,
    format_func: Callable[[Any], str] = str,
    help_text: str | None = None,
) -> tuple[str, ...]:
    if not choices:
        return ()
    chosen = st.multiselect(
        label,
        choices,
        key=key,
        bind="query-params",
        placeholder=t("filters.all"),
        format_func=format_func,
        help=help_text,
    )
    return tuple(str(value) for value in chosen)
