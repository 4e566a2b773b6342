"""Units × years: each cell the unit's rate that year, coloured, the value written in it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.style import base_layout

ROW_HEIGHT_PX = 24


@dataclass(frozen=True)
class HeatmapLabels:
    title: str
    x_title: str
    colour_title: str
    separators: str = ".,"
    percent_suffix: str = "%"


def rate_heatmap(frame: pd.DataFrame, *, labels: HeatmapLabels) -> go.Figure:
    """``frame``: unit_name, year, rate (0..1). Rows in the order the frame gives them."""
    order = list(dict.fromkeys(frame["unit_name"]))
    years = sorted(frame["year"].unique())
    grid = frame.pivot_table(index="unit_name", columns="year", values="rate", aggfunc="first")
    grid = grid.reindex(index=order, columns=years) * 100
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[str(year) for year in years],
            y=order,
            colorscale="RdYlGn",
            zmin=max(0.0, float(grid.min().min()) - 1) if grid.size else 0,
            zmax=100,
            texttemplate="%{z:.1f}",
            textfont={"size": 10},
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": labels.colour_title}, "ticksuffix": labels.percent_suffix},
            hovertemplate="<b>%{y}</b><br>%{x}: %{z:.1f}"
            + labels.percent_suffix
            + "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(title_text=labels.x_title, type="category", side="top")
    height = max(280, 140 + ROW_HEIGHT_PX * len(order))
    return base_layout(figure, title=labels.title, separators=labels.separators, height=height)
