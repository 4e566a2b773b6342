"""Charts drawn from a cache: each figure is built once for its data and labels.

Contract: ``show(chart, frame, labels, key, **options)`` draws ``chart(frame, labels=labels,
**options)`` (a builder of ``dashkit.charts``, named in ``CHARTS``) with ``st.plotly_chart``
under ``key``. The figure is built through Plotly's object model only when this frame, these
labels and options were not drawn before; then its dict is kept (``st.cache_data``, keyed by
the frame's content) and handed to ``st.plotly_chart`` as it is. Building a figure validates
every property it sets, and was about 70 % of an Overview rerun (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashkit.charts import count_bars, monthly_timeline, rate_heatmap, rate_trend, unit_ranking

CHARTS: dict[str, Callable[..., go.Figure]] = {
    "count_bars": count_bars,
    "monthly_timeline": monthly_timeline,
    "rate_heatmap": rate_heatmap,
    "rate_trend": rate_trend,
    "unit_ranking": unit_ranking,
}


@st.cache_data(max_entries=512, show_spinner=False)
def _figure(
    chart: str, frame: pd.DataFrame, labels: Any, options: dict[str, Any]
) -> dict[str, Any]:
    figure: dict[str, Any] = CHARTS[chart](frame, labels=labels, **options).to_plotly_json()
    # Plotly's default template (7 kB) would be validated again on every rerun and sent to
    # the browser, where Streamlit's theme replaces it anyway.
    figure["layout"].pop("template", None)
    return figure


def show(
    chart: Callable[..., go.Figure], frame: pd.DataFrame, labels: Any, key: str, **options: Any
) -> None:
    name = chart.__name__
    if CHARTS.get(name) is not chart:
        raise KeyError(f"{name} is not in dashkit.ui.figures.CHARTS")
    st.plotly_chart(_figure(name, frame, labels, options), key=key)
