"""The Units page: who lags and since when; the hierarchy; who has not reported."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashkit.charts import HeatmapLabels, rate_heatmap, unit_ranking
from dashkit.i18n import Translator
from dashkit.metrics import below_target, rate_changes, with_rates
from dashkit.report.chart_labels import ranking_labels
from dashkit.ui import data, figures, tables
from dashkit.ui.filters import Selection
from dashkit.ui.page import audience_picker, start

MAX_ROWS_DRAWN = 60
MOVERS = 10


def render() -> None:
    page = start("units.title")
    if page is None:
        return
    t, ref, options, selection = page.t, page.ref, page.options, page.selection
    # One year of units (and the year before, for the changes): never every unit × every year.
    year_rows = data.fetch(ref, "unit_results", selection.year, selection.scope)
    if year_rows.empty:
        st.warning(t("overview.no_participation", year=selection.year), icon=":material/info:")
        return
    audiences = list(dict.fromkeys(year_rows["audience"]))
    audience = audience_picker(audiences, "units_audience", t)
    of_audience = year_rows[year_rows["audience"] == audience]
    previous = data.fetch(ref, "unit_results", selection.year - 1, selection.scope)
    previous = previous[previous["audience"] == audience]
    ranking, by_year, hierarchy, reporting, lagging = st.tabs(
        [
            t("units.tab_ranking"),
            t("units.tab_years"),
            t("units.tab_hierarchy"),
            t("units.tab_reporting"),
            t("units.tab_lagging"),
        ]
    )
    with ranking:
        _ranking(of_audience, previous, selection, audience, t)
    with by_year:
        _heatmap(ref, selection, audience, len(of_audience), t)
    with hierarchy:
        _hierarchy(ref, selection, t)
    with reporting:
        _reporting(ref, selection, options.years, t)
    with lagging:
        _lagging(of_audience, selection, audience, t)


def _ranking(
    frame: pd.DataFrame, previous: pd.DataFrame, selection: Selection, audience: str, t: Translator
) -> None:
    year_rows = with_rates(frame)
    if year_rows.empty:
        st.caption(t("overview.no_participation", year=selection.year))
        return
    year_rows["below"] = below_target(year_rows)
    st.caption(
        t(
            "overview.ranking_caption",
            below=t.integer(int(year_rows["below"].sum())),
            total=t.integer(len(year_rows)),
        )
        if year_rows["target_rate"].notna().any()
        else t("overview.ranking_no_target", year=selection.year)
    )
    drawn = year_rows.nsmallest(MAX_ROWS_DRAWN, "rate")
    if len(year_rows) > MAX_ROWS_DRAWN:
        st.caption(t("units.lowest_drawn", count=MAX_ROWS_DRAWN))
    labels = ranking_labels(
        t, t("charts.ranking_title", audience=t.code("audience", audience), year=selection.year)
    )
    figures.show(unit_ranking, drawn, labels, "units_ranking_chart")
    changes = rate_changes(pd.concat([frame, previous], ignore_index=True), selection.year)
    if changes.empty:
        st.caption(t("units.no_previous", year=selection.year - 1))
        return
    st.subheader(t("units.movers", year=selection.year, previous=selection.year - 1))
    columns = ["unit_name", "previous_rate", "rate", "delta_pp"]
    for title, movers, none_key in (
        (
            t("units.improved"),
            changes[changes["delta_pp"] > 0].nlargest(MOVERS, "delta_pp"),
            "units.none_improved",
        ),
        (
            t("units.declined"),
            changes[changes["delta_pp"] < 0].nsmallest(MOVERS, "delta_pp"),
            "units.none_declined",
        ),
    ):
        st.markdown(f"**{title}**")
        if movers.empty:
            st.caption(t(none_key))
            continue
        st.dataframe(
            _points(tables.labelled(movers[columns], t), t),
            hide_index=True,
            width="stretch",
            placeholder=tables.EMPTY_CELL,
        )


def _points(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    label = t("column.delta_pp")
    frame[label] = frame[label].map(t.points)
    return frame


def _heatmap(
    ref: data.DataRef, selection: Selection, audience: str, units: int, t: Translator
) -> None:
    if units > MAX_ROWS_DRAWN:
        st.caption(t("units.heatmap_capped", count=MAX_ROWS_DRAWN, year=selection.year))
    lowest = data.fetch(
        ref, "lowest_units", selection.year, selection.scope, audience, False, MAX_ROWS_DRAWN
    )
    order = list(lowest["unit_id"])
    shown = with_rates(data.fetch(ref, "unit_history", tuple(order), audience))
    shown["order"] = shown["unit_id"].map({unit: index for index, unit in enumerate(order)})
    shown = shown.sort_values(["order", "year"])
    labels = HeatmapLabels(
        title=t("units.heatmap_title", audience=t.code("audience", audience)),
        x_title=t("charts.year"),
        colour_title=t("charts.rate_axis"),
        separators=t.plotly_separators,
        percent_suffix=t.percent_suffix,
    )
    figures.show(rate_heatmap, shown, labels, "units_heatmap")


def _hierarchy(ref: data.DataRef, selection: Selection, t: Translator) -> None:
    parents = data.fetch(ref, "parents")
    if parents.empty:
        st.caption(t("units.no_hierarchy"))
        return
    names = dict(zip(parents["unit_id"], parents["unit_name"], strict=True))
    parent = st.selectbox(
        t("units.parent"), list(names), format_func=lambda unit: names[unit], key="units_parent"
    )
    rollup = data.fetch(ref, "children_rollup", parent, selection.year, selection.scope)
    st.caption(t("units.hierarchy_help"))
    if rollup.empty:
        st.caption(t("overview.no_participation", year=selection.year))
        return
    rated = with_rates(rollup)[["unit_name", "audience", "units", "eligible", "completed", "rate"]]
    tables.show(
        rated, t, f"truc-thuoc-{selection.year}", key="hierarchy", codes={"audience": "audience"}
    )


def _reporting(
    ref: data.DataRef,
    selection: Selection,
    years: tuple[int, ...],
    t: Translator,
) -> None:
    missing = data.fetch(ref, "missing_reports", selection.year, selection.scope)
    if missing.empty:
        st.success(t("tiles.all_reported"), icon=":material/check_circle:")
    else:
        st.warning(
            t("units.missing", count=t.integer(len(missing)), year=selection.year),
            icon=":material/warning:",
        )
        tables.show(missing, t, f"chua-bao-cao-{selection.year}", key="missing")
    st.subheader(t("units.completeness"))
    completeness = data.fetch(ref, "completeness_by_year", years, selection.scope)
    st.dataframe(
        tables.labelled(completeness, t),
        hide_index=True,
        width="content",
        placeholder=tables.EMPTY_CELL,
    )
    st.subheader(t("units.compliance"))
    st.caption(t("units.compliance_help"))
    compliance = data.fetch(ref, "compliance_by_year", selection.scope)
    st.dataframe(
        tables.labelled(compliance, t, {"audience": "audience"}),
        hide_index=True,
        width="content",
        placeholder=tables.EMPTY_CELL,
    )


def _lagging(frame: pd.DataFrame, selection: Selection, audience: str, t: Translator) -> None:
    year_rows = with_rates(frame)
    use_target = st.toggle(t("units.lagging_by_target"), value=True, key="lagging_by_target")
    if use_target:
        lagging = year_rows[below_target(year_rows)]
    else:
        threshold = st.slider(
            t("units.threshold"), 0, 100, 90, key="lagging_threshold", format="%d%%"
        )
        lagging = year_rows[year_rows["rate"] < threshold / 100]
    lagging = lagging.sort_values("rate")[
        ["unit_id", "unit_name", "eligible", "completed", "rate", "target_rate"]
    ]
    st.caption(
        t(
            "units.lagging_count",
            count=t.integer(len(lagging)),
            audience=t.code("audience", audience),
            year=selection.year,
        )
    )
    tables.show(lagging, t, f"don-vi-cham-{audience}-{selection.year}", key="lagging")


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
