"""Screenshots of the Overview on the demo data: ``python scripts/screenshots.py OUT_DIR``.

Writes ``OUT_DIR/overview.png`` (Vietnamese, the default) and ``OUT_DIR/overview-en.png``
(English, chosen with the sidebar switch), full page at a 1440x900 viewport, in headless
Debian Chromium (``/usr/bin/chromium``; never a browser downloaded by Playwright).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support
from tests.support.served import CHROMIUM, served_demo

from dashkit.bench.browser import CHROMIUM_ARGS

VIEWPORT = {"width": 1440, "height": 900}
FIRST_RUN = 60_000  # ms
PLOTLY_SETTLE = 1_500  # ms: Plotly animates its first draw
METRICS = 5
CHARTS = 2


def _wait_rendered(page: Page) -> None:
    expect(page.get_by_test_id("stMetric")).to_have_count(METRICS, timeout=FIRST_RUN)
    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    expect(charts).to_have_count(CHARTS, timeout=FIRST_RUN)
    for index in range(CHARTS):
        expect(charts.nth(index).locator(".main-svg").first).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=FIRST_RUN)
    page.wait_for_timeout(PLOTLY_SETTLE)


def _full_page_screenshot(page: Page, path: Path) -> None:
    """Streamlit scrolls inside its main container, not the document, so ``full_page`` alone
    captures just the viewport: grow the viewport to the content's height first."""
    height = page.evaluate(
        """() => {
            const main = document.querySelector("[data-testid='stMain']");
            return Math.ceil(main ? main.scrollHeight : document.body.scrollHeight);
        }"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.mouse.move(VIEWPORT["width"] - 1, 1)  # no hover effects (the sidebar's collapse button)
    page.wait_for_timeout(PLOTLY_SETTLE)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(VIEWPORT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install Debian's chromium (`apt-get install chromium`).")
        return 1
    out_dir: Path = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="dashkit-shots-") as tmp,
        served_demo(Path(tmp)) as app,
        sync_playwright() as playwright,
    ):
        base_url = app.base_url
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
            page = context.new_page()
            page.goto(base_url)
            _wait_rendered(page)
            _full_page_screenshot(page, out_dir / "overview.png")

            page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
            expect(page.get_by_test_id("stMetricLabel").first).to_have_text(
                "Party members", timeout=FIRST_RUN
            )
            _wait_rendered(page)
            _full_page_screenshot(page, out_dir / "overview-en.png")
            context.close()
        finally:
            browser.close()
    for name in ("overview.png", "overview-en.png"):
        print(out_dir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
