"""The Overview served by ``dashkit serve`` and read in headless Chromium, as a user sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.served import ServedApp

pytestmark = pytest.mark.browser

FIRST_RUN = 60_000  # ms: the first script run loads the store and builds the charts
SETTLED = 20_000


def tile(page: Page, label: str) -> Locator:
    """The ``st.metric`` whose label reads exactly ``label``."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )


def wait_for_overview(page: Page) -> None:
    expect(page.get_by_test_id("stMetric")).to_have_count(5, timeout=FIRST_RUN)
    expect(page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")).to_have_count(
        2, timeout=FIRST_RUN
    )


def test_the_overview_shows_the_2018_tiles_and_charts(served_app: ServedApp, page: Page) -> None:
    page.goto(served_app.base_url)
    wait_for_overview(page)

    party = tile(page, "Đảng viên")
    expect(party.get_by_test_id("stMetricValue")).to_have_text("97,0 %", timeout=SETTLED)
    expect(party.get_by_test_id("stMetricDelta")).to_contain_text("+3,4 điểm %")
    workers = tile(page, "Người lao động")
    expect(workers.get_by_test_id("stMetricValue")).to_have_text("86,0 %")
    for audience in (party, workers):
        delta = audience.get_by_test_id("stMetricDelta")
        expect(delta).to_contain_text(re.compile(r"^\s*\+\d"))
        expect(delta.get_by_test_id("stMetricDeltaIcon-Up")).to_be_visible()
    expect(tile(page, "Đơn vị đã báo cáo").get_by_test_id("stMetricValue")).to_have_text("79/79")
    expect(tile(page, "Lớp học tập")).to_be_visible()
    expect(tile(page, "Khen thưởng").get_by_test_id("stMetricValue")).to_have_text("33")

    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.locator(".js-plotly-plot").count() >= 2


def assert_english_tiles(page: Page) -> None:
    party = tile(page, "Party members")
    expect(
        party.get_by_test_id("stMetricValue"),
        f"no English tile 'Party members' reading 97.0% at {page.url}",
    ).to_have_text("97.0%", timeout=SETTLED)
    expect(tile(page, "Workers")).to_be_visible()
    expect(tile(page, "Units reported").get_by_test_id("stMetricValue")).to_have_text("79/79")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_lang_en_in_the_url_switches_to_english(served_app: ServedApp, page: Page) -> None:
    page.goto(f"{served_app.base_url}/?lang=en")
    expect(page.get_by_test_id("stMetric")).to_have_count(5, timeout=FIRST_RUN)
    assert_english_tiles(page)


def test_the_sidebar_switch_changes_to_english(served_app: ServedApp, page: Page) -> None:
    page.goto(served_app.base_url)
    expect(page.get_by_test_id("stMetric")).to_have_count(5, timeout=FIRST_RUN)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    assert_english_tiles(page)
    # The choice is in the link a user copies (page.url lags behind replaceState; ask the page).
    assert page.evaluate("window.location.search") == "?lang=en"
