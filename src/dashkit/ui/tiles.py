"""The KPI tiles of the Overview: one per audience, units reported, classes, awards."""

from __future__ import annotations

import streamlit as st

from dashkit.i18n import Translator
from dashkit.metrics import AudienceKpi, YearKpis

CLASS_EVENT = "class"


def show(kpis: YearKpis, t: Translator) -> None:
    audiences = list(kpis.participation.values())
    # Audience tiles carry three lines of context: give them more room than the counts.
    columns = st.columns([1.4] * len(audiences) + [1.15, 1, 1])
    for column, kpi in zip(columns, audiences, strict=False):
        with column:
            _audience_tile(kpi, kpis.year, t)
    with columns[len(audiences)]:
        _reporting_tile(kpis, t)
    with columns[len(audiences) + 1]:
        _classes_tile(kpis, t)
    with columns[len(audiences) + 2]:
        _awards_tile(kpis, t)


def _audience_tile(kpi: AudienceKpi, year: int, t: Translator) -> None:
    with st.container(border=True, height="stretch"):
        delta = t.points(kpi.delta_pp) if kpi.delta_pp is not None else None
        flat = delta is not None and delta.startswith("±")  # no change worth an arrow
        st.metric(
            t.code("audience", kpi.audience),
            t.percent(kpi.rate),
            delta=delta,
            delta_color="off" if flat else "normal",
            delta_arrow="off" if flat else "auto",
            help=t("tiles.rate_help"),
        )
        completed, eligible = t.integer(kpi.completed), t.integer(kpi.eligible)
        lines = [t("tiles.people", completed=completed, eligible=eligible)]
        if kpi.previous_rate is not None:
            lines.append(t("tiles.previous", year=year - 1, rate=t.percent(kpi.previous_rate)))
        if kpi.target_rate is not None:
            status = t("tiles.target_met") if kpi.meets_target else t("tiles.target_missed")
            lines.append(t("tiles.target", target=t.percent(kpi.target_rate / 100), status=status))
            below, total = t.integer(kpi.units_below_target), t.integer(kpi.units_with_figures)
            lines.append(t("tiles.units_below", count=below, total=total))
        st.caption("  \n".join(lines))


MANY_UNITS = 1_000  # from here on the tile shows a share, and the counts below it


def _reporting_tile(kpis: YearKpis, t: Translator) -> None:
    with st.container(border=True, height="stretch"):
        part, whole = t.integer(kpis.reported_units), t.integer(kpis.expected_units)
        many = kpis.expected_units >= MANY_UNITS  # "52.000/52.000" does not fit in a tile
        st.metric(
            t("tiles.reported_label"),
            t.percent(kpis.reported_units / kpis.expected_units)
            if many
            else t("tiles.fraction", part=part, whole=whole),
        )
        missing = kpis.expected_units - kpis.reported_units
        lines = [t("tiles.units_fraction", part=part, whole=whole)] if many else []
        lines.append(
            t("tiles.all_reported")
            if missing <= 0
            else t("tiles.missing", count=t.integer(missing))
        )
        st.caption("  \n".join(lines))


def _classes_tile(kpis: YearKpis, t: Translator) -> None:
    with st.container(border=True, height="stretch"):
        st.metric(t("tiles.classes_label"), t.integer(kpis.events_by_type.get(CLASS_EVENT, 0)))
        to_date = kpis.events_to_date_by_type.get(CLASS_EVENT, 0)
        if kpis.first_event_year is not None and kpis.first_event_year < kpis.year:
            st.caption(
                t(
                    "tiles.classes_to_date",
                    first=kpis.first_event_year,
                    year=kpis.year,
                    count=t.integer(to_date),
                )
            )


def _awards_tile(kpis: YearKpis, t: Translator) -> None:
    with st.container(border=True, height="stretch"):
        st.metric(t("tiles.awards_label"), t.integer(kpis.awards_total))
        st.caption(
            t(
                "tiles.awards_split",
                collective=t.integer(kpis.awards_by_recipient_type.get("collective", 0)),
                individual=t.integer(kpis.awards_by_recipient_type.get("individual", 0)),
            )
        )
