"""The app's entry: page config, language, navigation. ``streamlit run`` executes this file."""

from __future__ import annotations

import streamlit as st

from dashkit.ui import language
from dashkit.ui.pages import overview


def run() -> None:
    st.set_page_config(page_title="dashkit", page_icon=":material/school:", layout="wide")
    t = language.current()
    pages = [
        st.Page(
            overview.render,
            title=t("nav.overview"),
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
    ]
    page = st.navigation(pages, position="sidebar")
    language.switch()
    page.run()


if __name__ == "__main__":
    run()
