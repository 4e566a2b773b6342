"""The Overview page under Streamlit's AppTest, on the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(demo_dir))
    return AppTest.from_file(APP, default_timeout=60)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {metric.label: (metric.value, metric.delta) for metric in at.metric}


def test_the_2018_tiles_read_the_seed_figures(app: AppTest) -> None:
    app.run()
    assert not app.exception
    tiles = metrics(app)
    value, delta = tiles["Đảng viên"]
    assert value == "97,0 %" and delta.startswith("+") and delta.endswith("điểm %")
    value, delta = tiles["Người lao động"]
    assert value == "86,0 %" and delta.startswith("+")
    assert tiles["Đơn vị đã báo cáo"][0] == "79/79"
    assert tiles["Khen thưởng"][0] == "33"
    captions = " ".join(caption.value for caption in app.caption)
    assert "14 tập thể · 19 cá nhân" in captions
    assert "Lũy kế 2016–2018: 4 lớp" in captions
    assert "Chỉ tiêu 95,0 %: đạt" in captions
    assert "Năm 2017: 93,6 %" in captions
    assert len(app.get("plotly_chart")) == 2


def test_choosing_an_earlier_year_changes_the_tiles(app: AppTest) -> None:
    app.run()
    app.selectbox(key="year").set_value(2016).run()
    assert not app.exception
    value, delta = metrics(app)["Đảng viên"]
    assert value == "90,5 %"
    assert delta == ""  # no 2015 to compare with


def test_english_is_one_click_away(app: AppTest) -> None:
    app.run()
    app.button_group(key="lang").set_value("en").run()
    assert not app.exception
    tiles = metrics(app)
    assert tiles["Party members"][0] == "97.0%"
    assert tiles["Units reported"][0] == "79/79"


def test_a_unit_group_filter_narrows_every_tile(app: AppTest) -> None:
    app.run()
    app.multiselect(key="group").set_value(["Khu công nghiệp Thốt Nốt"]).run()
    assert not app.exception
    reported = metrics(app)["Đơn vị đã báo cáo"][0]
    assert reported == "12/12"


def test_an_empty_data_directory_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(tmp_path / "nothing-here"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Nhập dữ liệu" in at.info[0].value  # the Import page, not a command line
    assert not at.metric
