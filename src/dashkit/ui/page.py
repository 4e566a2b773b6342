"""What every analysis page starts with: language, data, the sidebar filters, the title, and
the "no data yet" message when there is nothing to show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashkit.demo import write_demo
from dashkit.i18n import Translator
from dashkit.queries import FilterOptions
from dashkit.ui import auth, data, filters, language

IMPORT_PAGE = Path(__file__).resolve().parent / "views" / "import_page.py"


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
        empty_store_notice(ref, t)
        return None
    return PageContext(t, ref, options, selection)


def empty_store_notice(ref: data.DataRef, t: Translator) -> None:
    """No data yet: where the office's files go (the Import page and its templates), and, for
    someone who may change the data, the demo data in one click to try the tool (undoable)."""
    st.info(t("overview.empty"), icon=":material/inbox:")
    st.page_link(IMPORT_PAGE, label=t("overview.empty_import"), icon=":material/upload_file:")
    if not auth.current().can_edit:
        return
    if st.button(t("overview.empty_demo"), icon=":material/science:", key="load_demo"):
        if not auth.require_editor(t):
            return
        with st.spinner(t("overview.empty_demo_loading")):
            write_demo(data.store_of(ref), user=auth.user_name())
        st.rerun()
    st.caption(t("overview.empty_demo_help"))


def audience_picker(audiences: list[str], key: str, t: Translator) -> str:
    """One audience at a time, for the charts that show one (the first by default). The choice
    is among the audiences the sidebar's filter leaves; with one left there is nothing to
    choose, and no second "Đối tượng" control beside the sidebar's."""
    if len(audiences) == 1:
        return audiences[0]
    chosen = st.segmented_control(
        t("overview.ranking_audience"),
        audiences,
        default=audiences[0],
        required=True,
        format_func=lambda code: t.code("audience", code),
        key=key,
    )
    return str(chosen) if chosen else audiences[0]
