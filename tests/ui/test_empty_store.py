"""A new office's empty data directory: the pages say where to start (the Import page, its
templates) and offer the demo data in one click, never a command line (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashkit.store import Store, history

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_the_notice_points_to_the_import_page_not_a_command(empty_app: AppTest) -> None:
    notice = empty_app.info[0].value
    assert "Nhập dữ liệu" in notice and "mẫu nhập liệu" in notice
    assert "dashkit" not in notice and "`" not in notice
    links = [element for element in empty_app.main if element.type == "page_link"]
    assert [link.proto.label for link in links] == ["Đến trang Nhập dữ liệu"]


def test_the_demo_loads_in_one_click_and_can_be_undone(empty_app: AppTest, tmp_path: Path) -> None:
    empty_app.button(key="load_demo").click().run()
    assert not empty_app.exception
    tiles = {metric.label: metric.value for metric in empty_app.metric}
    assert tiles["Đảng viên"] == "97,0 %"
    entries = history(Store(tmp_path / "data"))
    assert [entry.op for entry in entries] == ["demo"]


def test_a_viewer_is_not_offered_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui.conftest import set_server_address

    set_server_address("0.0.0.0")  # reachable from other machines, no login: read-only
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert not [button for button in at.button if button.key == "load_demo"]


def test_without_targets_the_ranking_says_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: with no target in the store the ranking said "0 of 11 units below target"."""
    from dashkit.ingest import InputFile, commit_import, plan_import

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "first_files"
    store = Store(tmp_path / "data")
    with plan_import(
        store, [InputFile(n, fixtures / n) for n in ("units.csv", "report_2019.csv")]
    ) as planned:
        commit_import(store, planned)
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    captions = " ".join(caption.value for caption in at.caption)
    assert "Năm 2019 chưa có chỉ tiêu" in captions
    assert "chưa đạt chỉ tiêu." not in captions
    at.switch_page("src/dashkit/ui/views/units.py").run()
    assert not at.exception
    assert "Năm 2019 chưa có chỉ tiêu" in " ".join(caption.value for caption in at.caption)
