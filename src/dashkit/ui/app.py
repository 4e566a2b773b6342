"""The app's entry: page config, language, navigation. ``streamlit run`` executes this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashkit.ui import language

PAGES = Path(__file__).resolve().parent / "views"


def run() -> None:
    st.set_page_config(page_title="dashkit", page_icon=":material/school:", layout="wide")
    t = language.current()
    pages = [
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
        ),
    ]
    page = st.navigation(pages, position="sidebar")
    language.switch()
    page.run()


if __name__ == "__main__":
    run()
