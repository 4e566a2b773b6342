"""The app's entry: page config, language, navigation. ``streamlit run`` executes this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashkit.access import Access, Reason
from dashkit.errors import DashkitError, StoreError
from dashkit.i18n import Translator
from dashkit.ui import auth, language

PAGES = Path(__file__).resolve().parent / "views"
RETRY_SECONDS = 5  # how often a page that could not reach the store asks again


# (script, title key, icon, URL path); the first is the default page.
PAGE_TABLE = (
    ("overview.py", "nav.overview", ":material/dashboard:", "overview"),
    ("units.py", "nav.units", ":material/account_tree:", "units"),
    ("events.py", "nav.events", ":material/event:", "events"),
    ("awards.py", "nav.awards", ":material/military_tech:", "awards"),
    ("report.py", "nav.report", ":material/summarize:", "report"),
    ("quality.py", "nav.quality", ":material/fact_check:", "quality"),
    ("import_page.py", "nav.import", ":material/upload_file:", "import"),
)


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
        # Every page's URL leads to the login prompt, and there is no menu to show.
        page = st.navigation(_login_pages(t), position="hidden")
        language.switch()
    else:
        page = st.navigation(_pages(t, access), position="sidebar")
        language.switch()
        auth.sidebar(access, access_settings, t)
    try:
        page.run()
    except StoreError as error:  # the catalog or the file storage cannot be reached
        st.error(t.error(error.key, error.params), icon=":material/cloud_off:")
        st.caption(t("app.retrying"))
        _retry_when_the_store_is_back()


@st.fragment(run_every=RETRY_SECONDS)
def _retry_when_the_store_is_back() -> None:
    """Ask the store again every few seconds; once it answers, the whole page runs again."""
    from dashkit.ui import data

    try:
        data.current_store().version()
    except StoreError:
        return
    st.rerun(scope="app")


def _pages(t: Translator, access: Access) -> list[st.Page]:
    # A viewer's navigation has no Import page, but its URL still leads to it, so a viewer who
    # follows a link there reads why they cannot import rather than a "page not found".
    # Without login on a shared server everyone is in the same case, and the page says how to
    # enable editing, so it stays in the menu.
    import_visible = access.can_edit or access.reason is Reason.NO_LOGIN
    return [
        st.Page(
            PAGES / script,
            title=t(title),
            icon=icon,
            url_path=None if number == 0 else url_path,
            default=number == 0,
            visibility="visible" if script != "import_page.py" or import_visible else "hidden",
        )
        for number, (script, title, icon, url_path) in enumerate(PAGE_TABLE)
    ]


def _login_pages(t: Translator) -> list[st.Page]:
    return [
        st.Page(
            auth.login_page, title=t("access.login_title"), url_path=url_path, default=number == 0
        )
        for number, (_, _, _, url_path) in enumerate(PAGE_TABLE)
    ]


if __name__ == "__main__":
    run()
