"""Fixtures for the browser tests: the app served on demo data, and headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dashkit.bench.browser import CHROMIUM_ARGS
from tests.support.served import CHROMIUM, ServedApp, ServeError, served_demo

VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture(scope="session")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """``dashkit serve`` on freshly written demo data, on a free local port."""
    try:
        with served_demo(tmp_path_factory.mktemp("served")) as app:
            yield app
    except ServeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium. Missing Chromium is a failure, not a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium. "
            "Install it with `apt-get install chromium` (never `playwright install`)."
        )
    # Playwright gives each launch a fresh temporary profile of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
