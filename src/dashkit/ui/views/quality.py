"""The Data quality page: the checks an office makes before a figure goes into a report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashkit.i18n import Translator
from dashkit.ui import data, tables
from dashkit.ui.page import start


def render() -> None:
    page = start("quality.title", "quality.intro")
    if page is None:
        return
    t, ref, options, selection = page.t, page.ref, page.options, page.selection
    points = st.slider(t("quality.points"), 5, 50, 15, step=5, key="quality_points", format="%d")
    scope = selection.scope
    flags = [
        (
            "rate_jumps",
            t("quality.rate_jumps", points=points),
            data.fetch(ref, "rate_jumps", scope, float(points)),
        ),
        (
            "eligible_swings",
            t("quality.eligible_swings"),
            data.fetch(ref, "eligible_swings", scope, 0.5),
        ),
        (
            "always_complete",
            t("quality.always_complete"),
            data.fetch(ref, "always_complete", scope, 3),
        ),
        (
            "silent_units",
            t("quality.silent_units"),
            data.fetch(ref, "silent_units", options.years, scope),
        ),
        (
            "misdated_events",
            t("quality.misdated_events"),
            data.fetch(ref, "misdated_events", scope),
        ),
        (
            "misdated_awards",
            t("quality.misdated_awards"),
            data.fetch(ref, "misdated_awards", scope),
        ),
    ]
    raised = sum(1 for _, _, rows in flags if not rows.empty)
    if raised:
        st.warning(t("quality.summary", count=raised, total=len(flags)), icon=":material/flag:")
    else:
        st.success(t("quality.all_clear"), icon=":material/verified:")
    for key, title, rows in flags:
        _flag(key, title, rows, t)


def _flag(key: str, title: str, rows: pd.DataFrame, t: Translator) -> None:
    icon = ":material/flag:" if not rows.empty else ":material/check:"
    with st.expander(f"{title} ({t.integer(len(rows))})", icon=icon, expanded=False):
        if rows.empty:
            st.caption(t("quality.none"))
            return
        tables.show(
            rows, t, f"kiem-tra-{key}", key=f"quality_{key}", codes={"audience": "audience"}
        )


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
