"""The app's entry: page config, language, navigation. ``streamlit run`` executes this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashkit.access import Access, Reason
from dashkit.errors import DashkitError
from dashkit.i18n import Translator
from dashkit.ui import auth, language

PAGES = Path(__file__).resolve().parent / "views"


def run() -> None:
    st.set_page_config(page_title="dashkit", page_icon=":material/school:", layout="wide")
    t = language.current()
    try:
        access_settings = auth.settings()
        access = auth.current(access_settings)
    except DashkitError as error:  # a malformed setting: serve nothing until it is fixed
        st.error(t.error(error.key, error.params), icon=":material/error:")
        st.stop()
    if not access.can_view:
        page = st.navigation(
            [st.Page(auth.login_page, title=t("access.login_title"), default=True)],
            position="hidden",
        )
        language.switch()
        page.run()
        return
    page = st.navigation(_pages(t, access), position="sidebar")
    language.switch()
    auth.sidebar(access, access_settings, t)
    page.run()


def _pages(t: Translator, access: Access) -> list[st.Page]:
    # A viewer's navigation has no Import page, but its URL still leads to it, so a viewer who
    # follows a link there reads why they cannot import rather than a "page not found".
    # Without login on a shared server everyone is in the same case, and the page says how to
    # enable editing, so it stays in the menu.
    import_visible = access.can_edit or access.reason is Reason.NO_LOGIN
    return [
        st.Page(
            PAGES / "overview.py",
            title=t("nav.overview"),
            icon=":material/dashboard:",
            default=True,
        ),
        st.Page(
            PAGES / "units.py",
            title=t("nav.units"),
            icon=":material/account_tree:",
            url_path="units",
        ),
        st.Page(
            PAGES / "events.py", title=t("nav.events"), icon=":material/event:", url_path="events"
        ),
        st.Page(
            PAGES / "awards.py",
            title=t("nav.awards"),
            icon=":material/military_tech:",
            url_path="awards",
        ),
        st.Page(
            PAGES / "report.py",
            title=t("nav.report"),
            icon=":material/summarize:",
            url_path="report",
        ),
        st.Page(
            PAGES / "quality.py",
            title=t("nav.quality"),
            icon=":material/fact_check:",
            url_path="quality",
        ),
        st.Page(
            PAGES / "import_page.py",
            title=t("nav.import"),
            icon=":material/upload_file:",
            url_path="import",
            visibility="visible" if import_visible else "hidden",
        ),
    ]


if __name__ == "__main__":
    run()
