"""The completion rate by year, one line per audience, with its target as a dashed line."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.style import audience_colour, base_layout


@dataclass(frozen=True)
class TrendLabels:
    title: str
    x_title: str
    y_title: str
    audience_names: Mapping[str, str]
    target_name: str  # "{audience}" is replaced by the audience's name
    separators: str = ".,"
    percent_suffix: str = "%"


def rate_trend(frame: pd.DataFrame, *, labels: TrendLabels) -> go.Figure:
    """Lines of ``rate`` (0..1) by ``year`` per ``audience``; ``target_rate`` (0..100) dashed.

    The value axis spans the data (a line needs no zero baseline), from a multiple of ten below
    the lowest value to just above 100 so the value labels fit. Every year from the first to
    the last has its place on the axis: a year without figures is a gap in the line, not two
    distant years drawn side by side."""
    figure = go.Figure()
    years = (
        pd.RangeIndex(int(frame["year"].min()), int(frame["year"].max()) + 1, name="year")
        if not frame.empty
        else pd.RangeIndex(0, name="year")
    )
    for index, (audience, found) in enumerate(
        frame.sort_values("year").groupby("audience", sort=False)
    ):
        rows = found.drop(columns="audience").set_index("year").reindex(years).reset_index()
        code = str(audience)
        name = labels.audience_names.get(code, code)
        colour = audience_colour(code, index)
        figure.add_trace(
            go.Scatter(
                x=rows["year"].astype(str),
                y=rows["rate"] * 100,
                name=name,
                mode="lines+markers+text",
                line={"color": colour, "width": 3},
                marker={"size": 9},
                textposition="top center",
                texttemplate="%{y:.1f}",
                hovertemplate="%{x}: %{y:.1f}"
                + labels.percent_suffix
                + "<extra>"
                + name
                + "</extra>",
            )
        )
        if "target_rate" in rows and rows["target_rate"].notna().any():
            target_name = labels.target_name.format(audience=name)
            figure.add_trace(
                go.Scatter(
                    x=rows["year"].astype(str),
                    y=rows["target_rate"],
                    name=target_name,
                    mode="lines",
                    line={"color": colour, "width": 1.5, "dash": "dash"},
                    hovertemplate="%{x}: %{y:.1f}"
                    + labels.percent_suffix
                    + "<extra>"
                    + target_name
                    + "</extra>",
                )
            )
    figure.update_xaxes(title_text=labels.x_title, type="category")
    figure.update_yaxes(
        title_text=labels.y_title, ticksuffix=labels.percent_suffix, range=_value_range(frame)
    )
    return base_layout(figure, title=labels.title, separators=labels.separators, height=380)


def _value_range(frame: pd.DataFrame) -> list[float]:
    values = pd.concat([frame["rate"] * 100, frame.get("target_rate", pd.Series(dtype=float))])
    lowest = values.min(skipna=True)
    start = 0.0 if pd.isna(lowest) else max(0.0, math.floor((float(lowest) - 5) / 10) * 10)
    return [start, 104.0]
