"""Every page in a real browser: it renders without an exception; a copied link reopens a view."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.served import ServedApp

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
PAGES = {
    "": "Tổng quan",  # the default page lives at the root
    "units": "Đơn vị",
    "events": "Hoạt động",
    "awards": "Khen thưởng",
    "quality": "Kiểm tra số liệu",
    "report": "Báo cáo sơ kết, tổng kết",
    "import": "Nhập dữ liệu",
}


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_every_page_renders(served_app: ServedApp, page: Page, path: str, title: str) -> None:
    page.goto(f"{served_app.base_url}/{path}")
    expect(page.get_by_role("heading", level=1).filter(has_text=title)).to_be_visible(
        timeout=FIRST_RUN
    )
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=FIRST_RUN)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_copied_link_reopens_the_view(served_app: ServedApp, page: Page) -> None:
    page.goto(f"{served_app.base_url}/awards?year=2017&lang=en")
    expect(page.get_by_role("heading", level=1).filter(has_text="Awards")).to_be_visible(
        timeout=FIRST_RUN
    )
    total = (
        page.get_by_test_id("stMetric")
        .filter(has_text="Awards in 2017")
        .get_by_test_id("stMetricValue")
    )
    expect(total).to_have_text("20")
