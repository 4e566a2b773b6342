"""The report's charts: the rate trend and, per audience, the units ranked for the year.

Contract: ``report_charts(content, t)`` builds Plotly figures with the dashboard's own chart
builders (``dashkit.charts``) and labels from the catalogue, sized for a printed page. A
ranking shows at most ``RANKING_LIMIT`` units (the lowest rates), since a page cannot hold a
dot per unit of a large organisation; the units table lists them all. No data, no chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from dashkit.charts import TrendLabels, rate_trend, unit_ranking
from dashkit.i18n import Translator
from dashkit.report.chart_labels import ranking_labels
from dashkit.report.content import ReportContent

RANKING_LIMIT = 20
# Drawn at about the width of a printed page's text so that its letters print at a readable
# size (13 px over 720 px across 16 cm is about 8 pt).
WIDTH_PX = 720
FONT_PX = 13
TREND_HEIGHT_PX = 330  # under the key figures' table, on the narrative's page


@dataclass(frozen=True, eq=False)
class Chart:
    name: str  # a file-name-safe id: trend, ranking-1, …
    section: str  # the table whose section shows it: kpis or units
    title: str
    figure: go.Figure
    width: int
    height: int


def report_charts(content: ReportContent, t: Translator) -> tuple[Chart, ...]:
    charts: list[Chart] = []
    if not content.kpis.participation:
        return ()
    if not content.trend.empty:
        labels = TrendLabels(
            title=t("charts.trend_title"),
            x_title=t("charts.year"),
            y_title=t("charts.rate_axis"),
            audience_names={code: t.code("audience", code) for code in content.audiences},
            target_name=t("charts.target_of"),
            separators=t.plotly_separators,
            percent_suffix=t.percent_suffix,
        )
        trend = rate_trend(content.trend, labels=labels)
        trend.update_layout(height=TREND_HEIGHT_PX)
        charts.append(_chart("trend", "kpis", labels.title, trend))
    units = content.units[content.units["rate"].notna()]
    for index, audience in enumerate(content.audiences, start=1):
        rows = units[units["audience"] == audience]
        if rows.empty:
            continue
        name = t.code("audience", audience)
        if len(rows) > RANKING_LIMIT:
            rows = rows.nsmallest(RANKING_LIMIT, "rate")
            title = t(
                "report.ranking_lowest_title", audience=name, count=RANKING_LIMIT, year=content.year
            )
        else:
            title = t("charts.ranking_title", audience=name, year=content.year)
        labels_r = ranking_labels(t, title)
        charts.append(
            _chart(f"ranking-{index}", "units", title, unit_ranking(rows, labels=labels_r))
        )
    return tuple(charts)


def _chart(name: str, section: str, title: str, figure: go.Figure) -> Chart:
    height = int(figure.layout.height or 420)
    figure.update_layout(width=WIDTH_PX, height=height, font={"size": FONT_PX})
    return Chart(
        name=name, section=section, title=title, figure=figure, width=WIDTH_PX, height=height
    )
