"""Shareable views: a link carries page, year, filters and language; a bad link still opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(demo_dir))
    return AppTest.from_file(APP, default_timeout=60)


def test_a_link_opens_the_same_view(app: AppTest) -> None:
    app.query_params.update(
        {"year": "2017", "group": "Khu công nghiệp Thốt Nốt", "aud": "worker", "lang": "en"}
    )
    app.run()
    assert not app.exception
    assert app.selectbox(key="year").value == 2017
    assert app.multiselect(key="group").value == ["Khu công nghiệp Thốt Nốt"]
    tiles = {metric.label: metric.value for metric in app.metric}
    assert "Workers" in tiles and "Party members" not in tiles
    assert tiles["Units reported"] == "12/12"
    assert not app.toast


def test_choices_are_written_to_the_link(app: AppTest) -> None:
    app.run()
    app.selectbox(key="year").set_value(2016).run()
    app.multiselect(key="unit").set_value(["CS001", "CS002"]).run()
    app.button_group(key="lang").set_value("en").run()
    assert app.query_params["year"] == "2016"
    assert app.query_params["unit"] == ["CS001", "CS002"]
    assert app.query_params["lang"] == "en"


def test_a_link_with_bad_parameters_opens_with_defaults_and_says_so(app: AppTest) -> None:
    app.query_params.update({"year": "1800", "unit": "NO-SUCH-UNIT", "lang": "xx"})
    app.run()
    assert not app.exception
    assert app.selectbox(key="year").value == 2018
    assert app.multiselect(key="unit").value == []
    assert app.title[0].value == "Tổng quan"
    notices = " ".join(toast.value for toast in app.toast)
    assert "year=1800" in notices and "unit=NO-SUCH-UNIT" in notices and "lang=xx" in notices


def test_with_many_units_the_picker_searches_instead_of_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashkit.bench.synthetic import build

    build("city", tmp_path / "city")  # 1,021 units: more than the picker lists
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(tmp_path / "city"))
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert "unit" not in [box.key for box in app.multiselect]  # nothing listed before a search
    app.text_input(key="unit_search").set_value("00012").run()
    assert app.multiselect(key="unit").options == ["Chi bộ cơ sở 00012"]
    app.multiselect(key="unit").set_value(["G00012"]).run()
    assert (
        next(metric.value for metric in app.metric if metric.label == "Đơn vị đã báo cáo") == "1/1"
    )


@pytest.mark.parametrize("page", ["units", "report", "events", "awards", "quality"])
def test_every_filter_survives_a_page_switch(app: AppTest, page: str) -> None:
    """Issue 12, item 2: the year was lost on a page change (the Report then wrote the wrong
    year's report); every filter must stay, on the page and in the link."""
    app.run()
    app.selectbox(key="year").set_value(2016).run()
    app.multiselect(key="group").set_value(["Khu công nghiệp Thốt Nốt"]).run()
    app.multiselect(key="aud").set_value(["worker"]).run()
    app.switch_page(f"src/dashkit/ui/views/{page}.py").run()
    assert not app.exception
    assert app.selectbox(key="year").value == 2016
    assert app.multiselect(key="group").value == ["Khu công nghiệp Thốt Nốt"]
    assert app.multiselect(key="aud").value == ["worker"]
    app.run()  # (AppTest drops what the run after a page switch writes to the link; the browser keeps it)
    assert app.query_params["year"] == "2016"
    assert app.query_params["group"] == "Khu công nghiệp Thốt Nốt"
    app.button_group(key="lang").set_value("en").run()  # and the language switch
    assert app.selectbox(key="year").value == 2016
    assert app.query_params["year"] == "2016"


def test_no_multiselect_offers_the_english_select_all(app: AppTest) -> None:
    """Issue 12, item 4: Streamlit's "Select all" entry is English on a Vietnamese page (and
    selecting everything is what the empty choice, "Tất cả", already shows)."""
    app.run()
    for page in ("overview", "units", "events", "awards", "report", "quality"):
        app.switch_page(f"src/dashkit/ui/views/{page}.py").run()
        assert app.multiselect, page
        for widget in app.multiselect:
            assert widget.proto.select_all == 0, (page, widget.key)


def test_every_group_selected_gives_the_figures_of_all(app: AppTest) -> None:
    """Issue 12: the committee's own rows belong to no group and vanished when every group was
    picked; units without a group have a choice of their own and the totals agree."""
    app.run()
    everything = {metric.label: metric.value for metric in app.metric}
    groups = app.multiselect(key="group")
    assert groups.options[-1] == "Không thuộc khu nào"
    groups.set_value(list(groups.options)).run()  # (set_value takes the options' values)
    assert not app.exception
    assert {metric.label: metric.value for metric in app.metric} == everything


def test_a_long_group_name_is_readable_in_full(app: AppTest) -> None:
    """Issue 12: a chip cuts a long name ("Khu công nghiệp H…"): the chosen names are written
    in full beneath the filter."""
    app.run()
    app.multiselect(key="group").set_value(["Khu công nghiệp Hưng Phú 2A"]).run()
    assert "Đang chọn: Khu công nghiệp Hưng Phú 2A" in [c.value for c in app.sidebar.caption]
