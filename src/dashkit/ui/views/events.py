"""The Events page: what was held, when, by whom, for how many people; a searchable list."""

from __future__ import annotations

import streamlit as st

from dashkit.charts import BarLabels, count_bars, monthly_timeline
from dashkit.schema import EVENT_TYPES
from dashkit.ui import data, figures, tables
from dashkit.ui.page import start


def render() -> None:
    page = start("events.title")
    if page is None:
        return
    t, ref, selection = page.t, page.ref, page.selection
    counts = data.fetch(ref, "event_counts", selection.scope)
    if counts.empty:
        st.info(t("events.none"), icon=":material/event_busy:")
        return
    names = {code: t.code("event_type", code) for code in EVENT_TYPES}
    this_year = counts[counts["year"] == selection.year]
    columns = st.columns(4)
    columns[0].metric(
        t("events.total", year=selection.year),
        t.integer(int(this_year["events"].sum())),
        border=True,
    )
    columns[1].metric(
        t.code("event_type", "class"),
        t.integer(int(this_year.loc[this_year["event_type"] == "class", "events"].sum())),
        border=True,
    )
    columns[2].metric(
        t.code("event_type", "conference"),
        t.integer(int(this_year.loc[this_year["event_type"] == "conference", "events"].sum())),
        border=True,
    )
    columns[3].metric(
        t("events.attendees"), t.integer(int(this_year["attendees"].fillna(0).sum())), border=True
    )
    left, right = st.columns(2)
    with left:
        labels = BarLabels(
            title=t("events.by_type_title"),
            x_title=t("charts.year"),
            y_title=t("events.count"),
            series_names=names,
            separators=t.plotly_separators,
        )
        figures.show(
            count_bars,
            counts,
            labels,
            "events_by_type",
            x="year",
            series="event_type",
            value="events",
        )
    with right:
        months = data.fetch(ref, "events_by_month", selection.year, selection.scope)
        labels = BarLabels(
            title=t("events.timeline_title", year=selection.year),
            x_title=t("events.month"),
            y_title=t("events.count"),
            series_names=names,
            separators=t.plotly_separators,
        )
        figures.show(monthly_timeline, months, labels, "events_timeline")
    st.subheader(t("events.by_unit", year=selection.year))
    tables.show(
        data.fetch(ref, "events_by_unit", selection.year, selection.scope),
        t,
        f"hoat-dong-theo-don-vi-{selection.year}",
        key="events_units",
        height=300,
    )
    st.subheader(t("events.list", year=selection.year))
    tables.searchable_list(
        "events",
        t,
        lambda text: data.fetch(ref, "event_list", selection.year, selection.scope, text),
        f"hoat-dong-{selection.year}",
        codes={"event_type": "event_type", "audience": "audience"},
    )


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
