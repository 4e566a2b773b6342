"""Events per month as stacked columns over time."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.bars import SERIES_COLOURS, BarLabels
from dashkit.charts.style import base_layout


def monthly_timeline(frame: pd.DataFrame, *, labels: BarLabels) -> go.Figure:
    """``frame``: month (date), event_type, events. One stacked column per month."""
    figure = go.Figure()
    for index, (code, rows) in enumerate(frame.groupby("event_type", sort=True)):
        name = labels.series_names.get(str(code), str(code))
        figure.add_trace(
            go.Bar(
                x=pd.to_datetime(rows["month"]),
                y=rows["events"],
                name=name,
                marker={"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]},
                hovertemplate="%{x|%m/%Y}: %{y:,}<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(barmode="stack", bargap=0.1)
    figure.update_xaxes(title_text=labels.x_title, tickformat="%m/%Y", dtick="M3")
    figure.update_yaxes(title_text=labels.y_title)
    return base_layout(figure, title=labels.title, separators=labels.separators, height=360)
