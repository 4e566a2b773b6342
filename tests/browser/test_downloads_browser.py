"""A table's download in headless Chromium: the CSV is written when the button is clicked (not
on every run of the page), and holds every row the button promises, with the page's
Vietnamese headers and names, formulas neutralised, in UTF-8 with a byte-order mark."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from dashkit.i18n import translator
from dashkit.schema import EVENT_TYPES
from tests.support.served import ServedApp

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000


def test_the_events_list_downloads_every_row_in_vietnamese(
    served_app: ServedApp, page: Page
) -> None:
    page.goto(f"{served_app.base_url}/events?year=2018")
    button = page.locator(".st-key-download_events_list button")
    expect(button).to_be_visible(timeout=FIRST_RUN)
    # the run that drew the button must be over: a button of a run that goes on is replaced,
    # and its click's function with it
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=FIRST_RUN
    )
    page.wait_for_timeout(500)  # and no rerun follows it (the filters write the URL)
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=FIRST_RUN
    )
    promised = re.search(r"Tải ([\d.]+) dòng", button.inner_text())
    assert promised is not None, button.inner_text()
    with page.expect_download(timeout=FIRST_RUN) as download:
        button.click()
    assert download.value.suggested_filename == "hoat-dong-2018.csv"
    path = download.value.path()
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == int(promised.group(1).replace(".", ""))
    assert "Ngày" in header and "Hình thức" in header, header
    kinds = {row[header.index("Hình thức")] for row in body}
    vietnamese = translator("vi")
    assert kinds and kinds <= {vietnamese.code("event_type", code) for code in EVENT_TYPES}, kinds
