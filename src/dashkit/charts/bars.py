"""Counts by category and series as grouped or stacked bars (events by type, awards by body)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.style import FALLBACK_COLOURS, base_layout

SERIES_COLOURS = ("#1f6f8b", "#c0392b", "#2a9d8f", "#e9a03b", "#7d5ba6", "#5c677d")


@dataclass(frozen=True)
class BarLabels:
    title: str
    x_title: str
    y_title: str
    series_names: Mapping[str, str] = field(default_factory=dict)  # code → shown name
    separators: str = ".,"


def count_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    series: str,
    value: str,
    labels: BarLabels,
    stacked: bool = True,
    horizontal: bool = False,
) -> go.Figure:
    """One bar trace per ``series`` value, ``value`` by ``x`` (shown as categories)."""
    figure = go.Figure()
    for index, (code, rows) in enumerate(frame.groupby(series, sort=True)):
        name = labels.series_names.get(str(code), str(code))
        colour = (
            SERIES_COLOURS[index] if index < len(SERIES_COLOURS) else FALLBACK_COLOURS[index % 4]
        )
        categories = rows[x].astype(str)
        figure.add_trace(
            go.Bar(
                x=rows[value] if horizontal else categories,
                y=categories if horizontal else rows[value],
                orientation="h" if horizontal else "v",
                name=name,
                marker={"color": colour},
                hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>"
                if not horizontal
                else "%{y}: %{x:,}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(barmode="stack" if stacked else "group")
    category_axis = figure.update_yaxes if horizontal else figure.update_xaxes
    value_axis = figure.update_xaxes if horizontal else figure.update_yaxes
    category_axis(title_text=labels.x_title, type="category", automargin=True)
    value_axis(title_text=labels.y_title, separatethousands=True)
    height = max(340, 120 + 26 * frame[x].nunique()) if horizontal else 380
    return base_layout(figure, title=labels.title, separators=labels.separators, height=height)
