"""Units ranked by their rate for one audience and year, as a dot plot, those below target marked.

A dot plot rather than bars: rates cluster near the top of the scale, and bars (whose length
must start at zero to be honest) would squash the differences that matter. Labels sit on the
side of each dot away from the target line, so the line never crosses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.style import BELOW_COLOUR, MET_COLOUR, TARGET_COLOUR, base_layout

ROW_HEIGHT_PX = 22


@dataclass(frozen=True)
class RankingLabels:
    title: str
    x_title: str
    met_name: str
    below_name: str
    target_name: str
    separators: str = ".,"
    percent_suffix: str = "%"


def unit_ranking(frame: pd.DataFrame, *, labels: RankingLabels) -> go.Figure:
    """Dots of ``rate`` (0..1) per ``unit_name``, lowest at the top, ``below`` ones in the
    warning colour; the target (``target_rate``, 0..100) as a dashed line, or a tick per unit
    when units have different targets. Hover shows ``completed``/``eligible``."""
    ordered = frame.sort_values(["rate", "unit_name"], ascending=[False, True])
    suffix = labels.percent_suffix
    figure = go.Figure()
    for below, name, colour, side in (
        (False, labels.met_name, MET_COLOUR, "middle right"),
        (True, labels.below_name, BELOW_COLOUR, "middle left"),
    ):
        rows = ordered[ordered["below"] == below]
        if rows.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=rows["rate"] * 100,
                y=rows["unit_name"],
                mode="markers+text",
                name=name,
                marker={"color": colour, "size": 11},
                texttemplate="%{x:.1f}",
                textposition=side,
                textfont={"size": 11},
                cliponaxis=False,  # a label beside 100 % draws past the axis, not cut off
                customdata=rows[["completed", "eligible"]].to_numpy(),
                hovertemplate="<b>%{y}</b><br>%{x:.1f}"
                + suffix
                + " (%{customdata[0]:,}/%{customdata[1]:,})<extra></extra>",
            )
        )
    _add_targets(figure, ordered, labels)
    lowest = min(ordered["rate"].min() * 100, ordered["target_rate"].min(skipna=True))
    start = 0.0 if math.isnan(lowest) else max(0.0, math.floor((lowest - 6) / 5) * 5)
    figure.update_yaxes(
        categoryorder="array",
        categoryarray=list(ordered["unit_name"]),
        automargin=True,
        showgrid=True,
        gridcolor="#f0f0f0",
    )
    # a rate is never above 100 %: the axis ends there, and the margin holds the labels
    figure.update_xaxes(title_text=labels.x_title, ticksuffix=suffix, range=[start, 100])
    height = max(260, 130 + ROW_HEIGHT_PX * len(ordered))
    laid_out = base_layout(figure, title=labels.title, separators=labels.separators, height=height)
    laid_out.update_layout(margin={"r": 48})
    return laid_out


def _add_targets(figure: go.Figure, ordered: pd.DataFrame, labels: RankingLabels) -> None:
    targets = ordered["target_rate"].dropna().unique()
    if len(targets) == 1:
        figure.add_vline(
            x=float(targets[0]),
            line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            layer="below",
        )
        # A legend entry for the line (shapes have none of their own).
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=labels.target_name,
                line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            )
        )
    elif len(targets) > 1:
        rows = ordered[ordered["target_rate"].notna()]
        figure.add_trace(
            go.Scatter(
                x=rows["target_rate"],
                y=rows["unit_name"],
                mode="markers",
                name=labels.target_name,
                marker={
                    "symbol": "line-ns",
                    "size": 14,
                    "line": {"width": 2, "color": TARGET_COLOUR},
                },
                hovertemplate="%{y}: %{x:.1f}"
                + labels.percent_suffix
                + "<extra>"
                + labels.target_name
                + "</extra>",
            )
        )
