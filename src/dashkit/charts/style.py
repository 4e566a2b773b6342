"""Shared look: colours per audience and status, and the common layout."""

from __future__ import annotations

import plotly.graph_objects as go

AUDIENCE_COLOURS: dict[str, str] = {"party_member": "#c0392b", "worker": "#1f6f8b"}
FALLBACK_COLOURS: tuple[str, ...] = ("#7d5ba6", "#2a9d8f", "#e9a03b", "#5c677d")
MET_COLOUR = "#2a9d8f"
BELOW_COLOUR = "#d1495b"
TARGET_COLOUR = "#33415c"


def audience_colour(audience: str, index: int) -> str:
    return AUDIENCE_COLOURS.get(audience, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def base_layout(figure: go.Figure, *, title: str, separators: str, height: int) -> go.Figure:
    # The title at the very top, the legend on its own line(s) under it, then the plot: a narrow
    # chart's legend wraps onto two rows without running into the title.
    figure.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "font": {"size": 16},
            "y": 0.98,
            "yanchor": "top",
            "yref": "container",
        },
        separators=separators,
        height=height,
        margin={"l": 10, "r": 10, "t": 96, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        plot_bgcolor="white",
        hoverlabel={"namelength": -1},
    )
    figure.update_xaxes(showgrid=False, linecolor="#cccccc")
    figure.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return figure
