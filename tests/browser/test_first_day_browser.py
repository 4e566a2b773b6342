"""A new office's first day in headless Chromium: an empty data directory, the four first
files uploaded one after the other through the Import page (units with their parent, a
Windows-1258 report with the two-row header, an events workbook with title rows that names its
units, a UTF-16 awards file), each previewed and committed, then the Overview shows their
figures. Screenshots of each step go to ``$DASHKIT_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from playwright.sync_api import Page, expect

from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIRST = FIXTURES / "first_files"
FOUR = ["units.csv", "report_2019.csv", "events_2019.xlsx", "awards_2019.txt"]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_first_files", FIXTURES / "make_first_files.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _module()


def _rate(completed: int, eligible: int) -> str:
    return f"{100 * completed / eligible:.1f} %".replace(".", ",")


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_demo(tmp_path_factory.mktemp("first-day"), demo=False) as app:
        yield app


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("DASHKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_first_files_of_a_new_office_go_in_through_the_page(
    empty_app: ServedApp, page: Page
) -> None:
    page.goto(empty_app.base_url)
    # an empty store: the Overview says there is no data yet, and no error
    expect(page.get_by_test_id("stAlert")).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _shot(page, "first-day-0-empty")
    page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu").click()
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput").first
    for number, name in enumerate(FOUR, start=1):
        uploader.set_input_files(str(FIRST / name))
        commit = page.get_by_role("button", name=re.compile(r"^Nhập [\d.]+ dòng"))
        expect(commit).to_be_enabled(timeout=FIRST_RUN)
        expect(page.get_by_text("Tệp hợp lệ, không có lỗi.")).to_be_visible()
        _shot(page, f"first-day-{number}-preview-{Path(name).stem}")
        commit.click()
        expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        _shot(page, f"first-day-{number}-committed-{Path(name).stem}")
        # the rerun after the commit has settled: the uploader is back, empty, and the
        # committed file's preview is gone
        expect(commit).to_have_count(0, timeout=FIRST_RUN)
        expect(page.get_by_test_id("stFileUploaderDropzone")).to_be_visible(timeout=FIRST_RUN)
        expect(page.get_by_test_id("stFileUploaderFile")).to_have_count(0)
    _shot(page, "first-day-5-history")

    page.get_by_test_id("stSidebarNav").get_by_text("Tổng quan").click()
    pe, pc, we, wc = (sum(figures[i] for figures in GEN.FIGURES) for i in range(4))
    tiles = page.get_by_test_id("stMetric")
    party = tiles.filter(has_text="Đảng viên").get_by_test_id("stMetricValue")
    workers = tiles.filter(has_text="Người lao động").get_by_test_id("stMetricValue")
    expect(party).to_have_text(_rate(pc, pe), timeout=FIRST_RUN)
    expect(workers).to_have_text(_rate(wc, we))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(1500)  # the charts draw
    _shot(page, "first-day-6-overview")
