"""The sidebar filters shared by the analysis pages: year, unit group, type, units, audience.

Every filter lives in the URL (``?year=2017&group=…&unit=CS001&aud=worker``), so a copied link
opens the same view. The URL is read once per session, before the widgets are drawn; values
the data does not have are dropped, the default is used and a notice says which. The widgets'
values are written back to the URL on every run (codes, not labels: links stay short).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashkit.i18n import Translator
from dashkit.queries import FilterOptions, Scope
from dashkit.queries.scope import NO_VALUE
from dashkit.ui import data

MULTI_KEYS = ("group", "type", "unit", "aud")
LISTED_UNITS = 300  # more units than this are searched for, not listed
LOADED = "_filters_from_url"
CHIP_CHARACTERS = 18


@dataclass(frozen=True)
class Selection:
    year: int
    scope: Scope


def show(ref: data.DataRef, options: FilterOptions, t: Translator) -> Selection | None:
    """Render the filters; None when there is no year to choose from."""
    if not options.years:
        return None
    _load_from_url(ref, options, t)
    with st.sidebar:
        st.subheader(t("filters.title"))
        years = sorted(options.years, reverse=True)
        if st.session_state.get("year") not in years:
            st.session_state["year"] = years[0]
        # kept for the whole session (a page switch would drop it): the URL is written from it
        year = st.selectbox(t("filters.year"), years, key="year", persist_state="session")
        groups = _multi(
            t("filters.unit_group"),
            options.unit_groups,
            "group",
            t,
            format_func=lambda value: t("filters.no_group") if value == NO_VALUE else value,
        )
        types = _multi(
            t("filters.unit_type"),
            options.unit_types,
            "type",
            t,
            format_func=lambda value: t("filters.no_type") if value == NO_VALUE else value,
        )
        picked = _unit_picker(ref, options, groups, types, t)
        audiences = _multi(
            t("filters.audience"),
            options.audiences,
            "aud",
            t,
            format_func=lambda code: t.code("audience", code),
        )
    _write_to_url(
        year if year != years[0] else None,
        {"group": groups, "type": types, "unit": picked, "aud": audiences},
    )
    return Selection(
        year=int(year if year is not None else years[0]),
        scope=Scope(unit_groups=groups, unit_types=types, unit_ids=picked, audiences=audiences),
    )


def _unit_picker(
    ref: data.DataRef,
    options: FilterOptions,
    groups: tuple[str, ...],
    types: tuple[str, ...],
    t: Translator,
) -> tuple[str, ...]:
    """All units in the list when there are few; past ``LISTED_UNITS``, a search box whose
    matches (and the units already picked) are the list, so the browser never gets 50,000."""
    if options.unit_count <= LISTED_UNITS:
        names = data.units(ref.root, ref.version, groups, types)
        offered = tuple(names)
    else:
        text = st.text_input(
            t("filters.unit_search"), key="unit_search", placeholder=t("filters.unit_search_hint")
        )
        found = (
            data.unit_search(ref.root, ref.version, text.strip(), groups, types)
            if text.strip()
            else {}
        )
        offered = tuple(dict.fromkeys([*st.session_state.get("unit", []), *found]))
        names = data.unit_names(ref.root, ref.version, offered)
    return _multi(
        t("filters.units"),
        offered,
        "unit",
        t,
        format_func=lambda unit_id: names.get(unit_id, unit_id),
        help_text=t("filters.units_help"),
    )


def _load_from_url(ref: data.DataRef, options: FilterOptions, t: Translator) -> None:
    if st.session_state.get(LOADED):
        return
    st.session_state[LOADED] = True
    rejected: list[str] = []
    year = st.query_params.get("year")
    if year is not None:
        if year.isdigit() and int(year) in options.years:
            st.session_state["year"] = int(year)
        else:
            rejected.append(f"year={year}")
    allowed: dict[str, Sequence[str]] = {
        "group": options.unit_groups,
        "type": options.unit_types,
        "unit": tuple(
            data.unit_names(ref.root, ref.version, tuple(st.query_params.get_all("unit")))
        ),
        "aud": options.audiences,
    }
    for key in MULTI_KEYS:
        values = st.query_params.get_all(key)
        good = [value for value in values if value in allowed[key]]
        rejected += [f"{key}={value}" for value in values if value not in allowed[key]]
        if good:
            st.session_state[key] = good
    if rejected:
        st.toast(t("filters.bad_link", params=", ".join(rejected)), icon=":material/link_off:")


def _write_to_url(year: int | None, multi: dict[str, tuple[str, ...]]) -> None:
    if year is None:
        st.query_params.pop("year", None)
    else:
        st.query_params["year"] = str(year)
    for key, values in multi.items():
        if values:
            st.query_params[key] = list(values)
        else:
            st.query_params.pop(key, None)


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
    if key in st.session_state:  # values from the URL or an earlier run that are no longer offered
        st.session_state[key] = [value for value in st.session_state[key] if value in choices]
    chosen = st.multiselect(
        label,
        choices,
        key=key,
        placeholder=t("filters.all"),
        format_func=format_func,
        help=help_text,
        persist_state="session",
        # no "Select all": everything selected is what "all" (nothing selected) already shows
        select_all=False,
    )
    shown = [format_func(value) for value in chosen]
    if any(len(label) > CHIP_CHARACTERS for label in shown):
        # a chip shows about this many characters of a name: the chosen ones in full beneath
        st.caption(t("filters.chosen", names="; ".join(shown)))
    return tuple(str(value) for value in chosen)
