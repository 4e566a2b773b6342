"""Units ranked by their rate for one audience and year, those below target marked."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashkit.charts.style import BELOW_COLOUR, MET_COLOUR, TARGET_COLOUR, base_layout

BAR_HEIGHT_PX = 22


@dataclass(frozen=True)
class RankingLabels:
    title: str
    x_title: str
    met_name: str
    below_name: str
    target_name: str
    separators: str = ".,"


def unit_ranking(frame: pd.DataFrame, *, labels: RankingLabels) -> go.Figure:
    """Horizontal bars of ``rate`` (0..1) per ``unit_name``, lowest at the top; bars with
    ``below`` true in the warning colour; each unit's ``target_rate`` (0..100) as a tick."""
    ordered = frame.sort_values(["rate", "unit_name"], ascending=[False, True])
    figure = go.Figure()
    for below, name, colour in (
        (False, labels.met_name, MET_COLOUR),
        (True, labels.below_name, BELOW_COLOUR),
    ):
        rows = ordered[ordered["below"] == below]
        if rows.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=rows["rate"] * 100,
                y=rows["unit_name"],
                orientation="h",
                name=name,
                marker={"color": colour},
                texttemplate="%{x:.1f}",
                textposition="outside",
                customdata=rows[["completed", "eligible"]].to_numpy(),
                hovertemplate="<b>%{y}</b><br>%{x:.1f} % (%{customdata[0]:,}/%{customdata[1]:,})"
                "<extra></extra>",
            )
        )
    targets = ordered[ordered["target_rate"].notna()]
    if not targets.empty:
        figure.add_trace(
            go.Scatter(
                x=targets["target_rate"],
                y=targets["unit_name"],
                mode="markers",
                name=labels.target_name,
                marker={
                    "symbol": "line-ns",
                    "size": 14,
                    "line": {"width": 2, "color": TARGET_COLOUR},
                },
                hovertemplate="%{y}: %{x:.1f} %<extra>" + labels.target_name + "</extra>",
            )
        )
    figure.update_yaxes(
        categoryorder="array", categoryarray=list(ordered["unit_name"]), automargin=True
    )
    figure.update_xaxes(title_text=labels.x_title, ticksuffix=" %", range=[0, 108])
    height = max(260, 120 + BAR_HEIGHT_PX * len(ordered))
    figure.update_layout(barmode="overlay", bargap=0.25)
    return base_layout(figure, title=labels.title, separators=labels.separators, height=height)
