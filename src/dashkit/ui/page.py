"""What every analysis page starts with: language, data, the sidebar filters, the title, and
the "no data yet" message when there is nothing to show."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashkit.i18n import Translator
from dashkit.queries import FilterOptions
from dashkit.ui import data, filters, language


@dataclass(frozen=True)
class PageContext:
    t: Translator
    ref: data.DataRef
    options: FilterOptions
    selection: filters.Selection


def start(title_key: str, intro_key: str | None = None) -> PageContext | None:
    """Draw the page's frame; None (after saying so) when the store has no data yet."""
    t = language.current()
    ref = data.current()
    options = data.options(ref.root, ref.version)
    selection = filters.show(ref, options, t)
    st.title(t(title_key))
    if intro_key:
        st.caption(t(intro_key))
    if selection is None:
        st.info(t("overview.empty"), icon=":material/inbox:")
        return None
    return PageContext(t, ref, options, selection)


def audience_picker(audiences: list[str], key: str, t: Translator) -> str:
    """One audience at a time, for the charts that show one (the first by default)."""
    chosen = st.segmented_control(
        t("overview.ranking_audience"),
        audiences,
        default=audiences[0],
        required=True,
        format_func=lambda code: t.code("audience", code),
        key=key,
    )
    return str(chosen) if chosen else audiences[0]
