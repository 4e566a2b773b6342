"""One builder per chart: ``(frame, *, labels) -> go.Figure``.

Contract: builders take a small, already aggregated DataFrame and translated labels (they never
translate, query or format numbers themselves beyond Plotly's own formatting with the
language's separators), and return a figure that can be tested as data.
"""

from __future__ import annotations

from dashkit.charts.bars import BarLabels, count_bars
from dashkit.charts.heatmap import HeatmapLabels, rate_heatmap
from dashkit.charts.ranking import RankingLabels, unit_ranking
from dashkit.charts.timeline import monthly_timeline
from dashkit.charts.trend import TrendLabels, rate_trend

__all__ = [
    "BarLabels",
    "HeatmapLabels",
    "RankingLabels",
    "TrendLabels",
    "count_bars",
    "monthly_timeline",
    "rate_heatmap",
    "rate_trend",
    "unit_ranking",
]
