"""Every analysis page under AppTest on the demo data: no exception, the key figures present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VIEWS = "src/dashkit/ui/views"


@pytest.fixture
def app(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(demo_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def open_page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"{VIEWS}/{name}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_units_page_ranks_units_and_lists_the_lagging(app: AppTest) -> None:
    open_page(app, "units")
    assert app.title[0].value == "Đơn vị"
    assert any("15 trên 79 đơn vị chưa đạt chỉ tiêu" in c.value for c in app.caption)
    assert len(app.get("plotly_chart")) == 2  # the ranking and the heatmap
    lagging = next(frame.value for frame in app.dataframe if "Mã đơn vị" in frame.value.columns)
    assert len(lagging) == 15
    hierarchy = next(frame.value for frame in app.dataframe if "Số đơn vị" in frame.value.columns)
    assert hierarchy["Số đơn vị"].sum() == 79 * 2  # every grassroots unit, once per audience


def test_units_page_threshold_changes_the_lagging_list(app: AppTest) -> None:
    open_page(app, "units")
    app.toggle(key="lagging_by_target").set_value(False).run()
    app.slider(key="lagging_threshold").set_value(100).run()
    assert not app.exception
    assert any("đơn vị (Đảng viên) năm 2018" in c.value for c in app.caption)


def test_events_page_counts_the_year(app: AppTest) -> None:
    open_page(app, "events")
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["Hoạt động năm 2018"] == "328"
    assert tiles["Lớp học tập"] == "1"
    app.text_input(key="events_search").set_value("sơ kết").run()
    listing = app.dataframe[-1].value
    assert list(listing["Nội dung"]) == ["Hội nghị sơ kết 02 năm thực hiện Chỉ thị 05-CT/TW"]


def test_awards_page_shows_the_seed_awards(app: AppTest) -> None:
    open_page(app, "awards")
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles == {"Khen thưởng năm 2018": "33", "Tập thể": "14", "Cá nhân": "19"}
    app.text_input(key="awards_search").set_value("Huy hiệu").run()
    listing = app.dataframe[-1].value
    assert len(listing) == 2 and set(listing["Tập thể/Cá nhân"]) == {"Cá nhân"}


def test_quality_page_lists_its_flags(app: AppTest) -> None:
    open_page(app, "quality")
    titles = [expander.label for expander in app.expander]
    assert len(titles) == 6
    assert any(title.startswith("Đạt 100 % tất cả các năm") for title in titles)


def test_report_page_reads_the_narrative_and_makes_the_workbook(app: AppTest) -> None:
    open_page(app, "report")
    text = " ".join(element.value for element in app.text)
    assert (
        "97,0 %" in text and "86,0 %" in text
    )  # one format: the tiles' and "13 tập thể" in text and "16 cá nhân" in text
    app.button(key="make_xlsx").click().run()
    assert not app.exception
    assert app.get("download_button")


def test_events_by_month_shows_the_chosen_year_and_says_so(app: AppTest) -> None:
    """Issue 12: the monthly chart showed every year while a year was chosen."""
    open_page(app, "events")
    app.selectbox(key="year").set_value(2017).run()
    chart = next(c for c in app.get("plotly_chart") if c.proto.id.endswith("events_timeline"))
    spec = json.loads(chart.proto.spec)
    assert "Hoạt động theo tháng năm 2017" in json.dumps(
        spec["layout"]["title"], ensure_ascii=False
    )
    months = {str(x)[:4] for trace in spec["data"] for x in trace.get("x", [])}
    assert months == {"2017"}


@pytest.mark.parametrize(
    ("page", "key"), [("overview", "ranking_audience"), ("units", "units_audience")]
)
def test_one_audience_in_the_sidebar_leaves_no_second_audience_control(
    app: AppTest, page: str, key: str
) -> None:
    """Issue 12: the sidebar's "Đối tượng" and the page's own toggle on one page."""
    open_page(app, page)
    toggles = [widget for widget in app.get("button_group") if widget.key == key]
    assert toggles and toggles[0].label != "Đối tượng"  # two audiences: a choice, named apart
    app.multiselect(key="aud").set_value(["worker"]).run()
    assert not app.exception
    assert not [widget for widget in app.get("button_group") if widget.key == key]


@pytest.mark.parametrize(
    "name", ["overview", "units", "events", "awards", "quality", "import_page"]
)
def test_every_table_writes_a_missing_value_as_a_dash(app: AppTest, name: str) -> None:
    """Issue 12: the committee's row on the Awards page read "None" (the grid's default for a
    missing value) under "Số đảng viên"."""
    open_page(app, name)
    for table in app.dataframe:
        assert table.proto.placeholder == "–"
