"""The Report page: the year's review report as text to read, and as DOCX, XLSX or Markdown."""

from __future__ import annotations

import streamlit as st

from dashkit.report.export import FORMATS
from dashkit.ui import data
from dashkit.ui.page import start

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
}


def render() -> None:
    page = start("report_page.title", "report_page.intro")
    if page is None:
        return
    t, ref, selection = page.t, page.ref, page.selection
    if selection.scope.limits_units or selection.scope.audiences:
        st.info(t("report_page.filtered"), icon=":material/filter_alt:")
    paragraphs = data.report_narrative(
        ref.root, ref.version, selection.year, selection.scope, t.language
    )
    with st.container(border=True):
        st.subheader(t("report_page.narrative", year=selection.year))
        for paragraph in paragraphs:
            st.text(paragraph)  # text, not Markdown: names from files are shown as written
    st.subheader(t("report_page.download"))
    columns = st.columns(3)
    for column, report_format in zip(columns, FORMATS, strict=True):
        with column, st.container(border=True, height="stretch"):
            st.markdown(f"**{t(f'report_page.{report_format}')}**")
            st.caption(t(f"report_page.{report_format}_help"))
            if st.button(
                t("report_page.make"), key=f"make_{report_format}", icon=":material/description:"
            ):
                with st.spinner(t("report_page.making")):
                    st.session_state[f"report_{report_format}"] = data.report_file(
                        ref.root,
                        ref.version,
                        selection.year,
                        selection.scope,
                        t.language,
                        report_format,
                    )
            made = st.session_state.get(f"report_{report_format}")
            if made:
                st.download_button(
                    t("report_page.save"),
                    made,
                    f"bao-cao-{selection.year}.{report_format}",
                    mime=MIME[report_format],
                    key=f"save_{report_format}",
                    icon=":material/download:",
                    type="primary",
                )


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
