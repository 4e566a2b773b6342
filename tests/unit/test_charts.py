"""Chart builders, tested as data: traces, colours, order and labels, nothing rendered."""

from __future__ import annotations

import pandas as pd

from dashkit.charts import RankingLabels, TrendLabels, rate_trend, unit_ranking
from dashkit.charts.style import BELOW_COLOUR, MET_COLOUR


def trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2016, 2017, 2018, 2016, 2017, 2018],
            "audience": ["party_member"] * 3 + ["worker"] * 3,
            "rate": [0.90, 0.94, 0.97, 0.74, 0.80, 0.86],
            "target_rate": [90.0, 92.0, 95.0, 70.0, 75.0, None],
        }
    )


def test_trend_has_a_line_and_a_dashed_target_per_audience() -> None:
    labels = TrendLabels(
        title="Tỷ lệ",
        x_title="Năm",
        y_title="%",
        audience_names={"party_member": "Đảng viên"},
        target_name="Chỉ tiêu – {audience}",
        separators=",.",
    )
    figure = rate_trend(trend_frame(), labels=labels)
    names = [trace.name for trace in figure.data]
    assert names == ["Đảng viên", "Chỉ tiêu – Đảng viên", "worker", "Chỉ tiêu – worker"]
    assert list(figure.data[0].y) == [90.0, 94.0, 97.0]
    assert figure.data[1].line.dash == "dash"
    assert figure.layout.separators == ",."
    assert figure.layout.xaxis.title.text == "Năm"
    assert figure.layout.title.text == "Tỷ lệ"


def test_ranking_puts_the_lowest_unit_on_top_and_marks_units_below_target() -> None:
    frame = pd.DataFrame(
        {
            "unit_name": ["A", "B", "C"],
            "rate": [0.99, 0.80, 0.90],
            "completed": [99, 80, 90],
            "eligible": [100, 100, 100],
            "target_rate": [95.0, 95.0, 85.0],
            "below": [False, True, False],
        }
    )
    labels = RankingLabels(
        title="t", x_title="x", met_name="Đạt", below_name="Dưới", target_name="Chỉ tiêu"
    )
    figure = unit_ranking(frame, labels=labels)
    met, below, target = figure.data
    assert (met.name, met.marker.color) == ("Đạt", MET_COLOUR)
    assert (below.name, list(below.y), below.marker.color) == ("Dưới", ["B"], BELOW_COLOUR)
    assert target.name == "Chỉ tiêu"
    # Plotly draws the first category at the bottom: the lowest rate comes last, on top.
    assert list(figure.layout.yaxis.categoryarray) == ["A", "C", "B"]
    assert figure.layout.height >= 260


def test_a_single_target_is_one_dashed_line_behind_the_dots() -> None:
    frame = pd.DataFrame(
        {
            "unit_name": ["A", "B"],
            "rate": [0.99, 0.80],
            "completed": [99, 80],
            "eligible": [100, 100],
            "target_rate": [95.0, 95.0],
            "below": [False, True],
        }
    )
    labels = RankingLabels(
        title="t",
        x_title="x",
        met_name="Đạt",
        below_name="Dưới",
        target_name="Chỉ tiêu",
        percent_suffix=" %",
    )
    figure = unit_ranking(frame, labels=labels)
    (line,) = figure.layout.shapes
    assert (line.x0, line.x1, line.line.dash, line.layer) == (95.0, 95.0, "dash", "below")
    assert [trace.name for trace in figure.data] == ["Đạt", "Dưới", "Chỉ tiêu"]
    assert figure.layout.xaxis.ticksuffix == " %"
    # Labels point away from the target line: left of dots below it, right of those above.
    assert (figure.data[0].textposition, figure.data[1].textposition) == (
        "middle right",
        "middle left",
    )
    assert figure.layout.xaxis.range[0] == 70  # starts near the data, not at zero
    assert figure.layout.xaxis.range[1] == 100  # and ends where a rate ends (issue 12: 102 %)
    assert all(trace.cliponaxis is False for trace in figure.data[:2])  # 100,0 is not cut off


def test_a_year_without_figures_is_a_gap_in_the_line_not_hidden() -> None:
    frame = pd.DataFrame(
        {"year": [2016, 2017, 2020], "audience": ["worker"] * 3, "rate": [0.7, 0.8, 0.9]}
    )
    labels = TrendLabels(title="", x_title="", y_title="", audience_names={}, target_name="")
    line = rate_trend(frame, labels=labels).data[0]
    assert list(line.x) == ["2016", "2017", "2018", "2019", "2020"]
    assert [None if pd.isna(value) else round(value) for value in line.y] == [
        70,
        80,
        None,
        None,
        90,
    ]
