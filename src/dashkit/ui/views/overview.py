"""The Overview: the year's rates against targets, reporting, classes and awards at a glance."""

from __future__ import annotations

import streamlit as st

from dashkit.charts import TrendLabels, rate_trend, unit_ranking
from dashkit.i18n import Translator
from dashkit.metrics import YearKpis
from dashkit.report.chart_labels import ranking_labels
from dashkit.ui import data, figures, filters, tiles
from dashkit.ui.page import audience_picker, start

RANKING_MODES = ("lowest", "below", "all")
LOWEST_COUNT = 20
NAMED_ORGANISATIONS = 3  # the caption names this many top-level units, then counts the rest
MAX_BARS = 200


def render() -> None:
    page = start("overview.title")
    if page is None:
        return
    t, ref, options, selection = page.t, page.ref, page.options, page.selection
    named = options.root_names[:NAMED_ORGANISATIONS]
    organisations = ", ".join(named)
    if len(options.root_names) > len(named):  # a national dataset has 63 provinces
        organisations = t(
            "overview.more_organisations",
            names=organisations,
            count=t.integer(len(options.root_names) - len(named)),
        )
    st.caption(
        t("overview.caption", organisation=organisations, year=selection.year, version=ref.version)
    )
    kpis = data.kpis(ref.root, ref.version, selection.year, selection.scope)
    if not kpis.participation:
        st.warning(t("overview.no_participation", year=selection.year), icon=":material/info:")
    tiles.show(kpis, t)
    _trend(ref, selection, t)
    _ranking(ref, selection, kpis, t)


def _trend(ref: data.DataRef, selection: filters.Selection, t: Translator) -> None:
    frame = data.trend(ref.root, ref.version, selection.scope)
    if frame.empty:
        return
    labels = TrendLabels(
        title=t("charts.trend_title"),
        x_title=t("charts.year"),
        y_title=t("charts.rate_axis"),
        audience_names={code: t.code("audience", code) for code in frame["audience"].unique()},
        target_name=t("charts.target_of"),
        separators=t.plotly_separators,
        percent_suffix=t.percent_suffix,
    )
    figures.show(rate_trend, frame, labels, "trend_chart")


def _ranking(
    ref: data.DataRef, selection: filters.Selection, kpis: YearKpis, t: Translator
) -> None:
    audiences = [code for code, kpi in kpis.participation.items() if kpi.units_with_figures]
    if not audiences:
        return
    st.subheader(t("overview.ranking_heading", year=selection.year))
    left, right = st.columns(2)
    with left:
        audience = audience_picker(audiences, "ranking_audience", t)
    with right:
        mode = (
            st.segmented_control(
                t("overview.ranking_mode"),
                RANKING_MODES,
                default="lowest",
                required=True,
                format_func=lambda value: t(f"overview.ranking_{value}", count=LOWEST_COUNT),
                key="ranking_mode",
            )
            or "lowest"
        )
    kpi = kpis.participation[audience]
    st.caption(
        t(
            "overview.ranking_caption",
            below=t.integer(kpi.units_below_target),
            total=t.integer(kpi.units_with_figures),
        )
        if kpi.units_with_target
        else t("overview.ranking_no_target", year=selection.year)
    )
    shown = {
        "lowest": LOWEST_COUNT,
        "below": kpi.units_below_target,
        "all": kpi.units_with_figures,
    }[mode]
    if shown > MAX_BARS:
        st.caption(t("overview.ranking_capped", count=MAX_BARS))
    rows = data.fetch(
        ref,
        "lowest_units",
        selection.year,
        selection.scope,
        audience,
        mode == "below",
        min(shown, MAX_BARS),
    )
    if rows.empty:
        st.success(t("overview.none_below"), icon=":material/check_circle:")
        return
    labels = ranking_labels(
        t, t("charts.ranking_title", audience=t.code("audience", audience), year=selection.year)
    )
    figures.show(unit_ranking, rows, labels, "ranking_chart")


if __name__ == "__main__":  # run by st.navigation as a page script
    render()
