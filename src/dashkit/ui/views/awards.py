"""The Awards page: who was commended, by whom, at which level; per unit; a searchable list."""

from __future__ import annotations

import streamlit as st

from dashkit.charts import BarLabels, count_bars
from dashkit.schema import RECIPIENT_TYPES
from dashkit.ui import data, figures, tables
from dashkit.ui.page import start


def render() -> None:
    page = start("awards.title")
    if page is None:
        return
    t, ref, selection = page.t, page.ref, page.selection
    counts = data.fetch(ref, "award_counts_by_year", selection.scope)
    this_year = counts[counts["year"] == selection.year]
    if this_year.empty:
        st.info(t("awards.none", year=selection.year), icon=":material/info:")
    else:
        columns = st.columns(3)
        columns[0].metric(
            t("awards.total", year=selection.year),
            t.integer(int(this_year["awards"].sum())),
            border=True,
        )
        for column, kind in zip(columns[1:], RECIPIENT_TYPES, strict=True):
            count = int(this_year.loc[this_year["recipient_type"] == kind, "awards"].sum())
            column.metric(t.code("recipient_type", kind), t.integer(count), border=True)
        by_body = this_year.groupby(["awarding_body", "recipient_type"], as_index=False).agg(
            awards=("awards", "sum")
        )
        labels = BarLabels(
            title=t("awards.by_body_title", year=selection.year),
            x_title=t("column.awarding_body"),
            y_title=t("awards.count"),
            separators=t.plotly_separators,
            series_names={kind: t.code("recipient_type", kind) for kind in RECIPIENT_TYPES},
        )
        figures.show(
            count_bars,
            by_body,
            labels,
            "awards_by_body",
            x="awarding_body",
            series="recipient_type",
            value="awards",
            horizontal=True,
        )
    if not counts.empty:
        per_year = counts.groupby(["year", "recipient_type"], as_index=False).agg(
            awards=("awards", "sum")
        )
        labels = BarLabels(
            title=t("awards.by_year_title"),
            x_title=t("charts.year"),
            y_title=t("awards.count"),
            separators=t.plotly_separators,
            series_names={kind: t.code("recipient_type", kind) for kind in RECIPIENT_TYPES},
        )
        figures.show(
            count_bars,
            per_year,
            labels,
            "awards_by_year",
            x="year",
            series="recipient_type",
            value="awards",
            stacked=False,
        )
    st.subheader(t("awards.by_unit", year=selection.year))
    st.caption(t("awards.per_100_help"))
    tables.show(
        data.fetch(ref, "awards_by_unit", selection.year, selection.scope),
        t,
        f"khen-thuong-theo-don-vi-{selection.year}",
        key="awards_units",
        height=300,
    )
    st.subheader(t("awards.list", year=selection.year))
    tables.searchable_list(
        "awards",
        t,
        lambda text: data.fetch(ref, "award_list", selection.year, selection.scope, text),
        f"khen-thuong-{selection.year}",
        codes={"recipient_type": "recipient_type"},
    )


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
