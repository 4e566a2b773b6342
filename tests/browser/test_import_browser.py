"""Importing through the served page in headless Chromium changes the Overview's tiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """A server of its own: this test changes the data."""
    with served_demo(tmp_path_factory.mktemp("import-served")) as app:
        yield app


def test_uploading_a_file_changes_the_overview(
    writable_app: ServedApp, page: Page, tmp_path: Path
) -> None:
    upload = tmp_path / "bao-cao-CS001-2018.csv"
    upload.write_text(
        "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n2018;CS001;Đảng viên;50;0\n", encoding="utf-8"
    )

    page.goto(writable_app.base_url)
    party = (
        page.get_by_test_id("stMetric").filter(has_text="Đảng viên").get_by_test_id("stMetricValue")
    )
    expect(party).to_have_text("97,0 %", timeout=FIRST_RUN)

    page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu").click()
    page.locator("input[type=file]").set_input_files(str(upload))
    commit = page.get_by_role("button", name="Nhập 1 dòng")
    expect(commit).to_be_enabled(timeout=FIRST_RUN)
    expect(page.get_by_text("Tệp hợp lệ, không có lỗi.")).to_be_visible()
    commit.click()
    expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)

    page.get_by_test_id("stSidebarNav").get_by_text("Tổng quan").click()
    expect(party).not_to_have_text("97,0 %", timeout=FIRST_RUN)
    expect(party).to_have_text("91,5 %")  # (811 - CS001's 6) / (836 - its 6 + 50)
    expect(page.get_by_test_id("stException")).to_have_count(0)
