"""One builder per chart: ``(frame, *, labels) -> go.Figure``.

Contract: builders take a small, already aggregated DataFrame and translated labels (they never
translate, query or format numbers themselves beyond Plotly's own formatting with the
language's separators), and return a figure that can be tested as data.
"""

from __future__ import annotations

from dashkit.charts.ranking import RankingLabels, unit_ranking
from dashkit.charts.trend import TrendLabels, rate_trend

__all__ = ["RankingLabels", "TrendLabels", "rate_trend", "unit_ranking"]
