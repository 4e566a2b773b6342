"""The floor of ``dashkit bench --browser``: the least a Streamlit page like the Overview costs.

One selectbox (the year), four ``st.metric`` tiles and one Plotly line chart the size of the
Overview's trend (two audiences over the years, 380 px high), computed from the choice with
no data behind it. Served with the same hardened settings as the dashboard, it is what
Streamlit itself allows on this machine and browser: the dashboard's pages are measured beside
it in the same run. ``streamlit run bench_floor.py -- YEARS`` (default 10); the texts are
fixed figures and names, not product texts, and the page is never shown to users.
"""

from __future__ import annotations

import sys

import plotly.graph_objects as go
import streamlit as st

FIRST_YEAR = 2015


def _years() -> list[int]:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    return list(range(FIRST_YEAR, FIRST_YEAR + max(count, 2)))


def main() -> None:
    years = _years()
    year = st.selectbox("year", years, index=len(years) - 1, key="year")
    offset = years.index(year)
    for column, number in zip(st.columns(4), range(4), strict=True):
        column.metric(f"m{number}", f"{90 + number + offset / 10:.1f}", f"{number - 1.5:+.1f}")
    figure = go.Figure(
        [
            go.Scatter(
                x=years,
                y=[80 + (position * (2 + line) + offset) % 20 for position in range(len(years))],
                mode="lines+markers",
                name=f"line {line}",
            )
            for line in range(2)
        ]
    )
    figure.update_layout(height=380)
    st.plotly_chart(figure, key="trend_chart")


main()
