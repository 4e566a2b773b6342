"""Names and titles carrying HTML or script, imported through the served page, are shown as
text on every page that shows them and never run (issue 6: no ``unsafe_allow_html`` with user
data)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.hostile import EVENTS_HEADER, csv_text
from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
UNIT_NAME = f"{IMG} Chi bộ thử"
TITLE = f"{SCRIPT} Hội nghị thử"


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """A server of its own: this test changes the data."""
    with served_demo(tmp_path_factory.mktemp("hostile-served")) as app:
        yield app


def pwned(page: Page) -> object:
    return page.evaluate("() => window.__pwned")


PAGE_TEXT = (
    "() => document.body.innerText + '\\n' + Array.from("
    "document.querySelectorAll('[data-testid=stDataFrame] td, [role=gridcell], svg text'))"
    ".map(c => c.textContent).join('\\n')"
)


def shows_literally(page: Page, text: str) -> None:
    """Wait until ``text`` is on the page as text: in its visible text, the data grids' cells
    (the grids draw on a canvas and keep their cells in an accessible table) or a chart's
    labels."""
    page.wait_for_function(
        f"(needle) => ({PAGE_TEXT})().includes(needle)", arg=text, timeout=FIRST_RUN
    )


def test_html_and_script_in_names_are_shown_as_text_and_never_run(
    hostile_app: ServedApp, page: Page, tmp_path: Path
) -> None:
    units = tmp_path / "don-vi.csv"
    units.write_text(csv_text([["Mã đơn vị", "Tên đơn vị"], ["CS001", UNIT_NAME]]), "utf-8")
    events = tmp_path / "hoat-dong.csv"
    events.write_text(
        csv_text([EVENTS_HEADER, ["15/05/2018", "CS001", "Hội nghị", TITLE, "12"]]), "utf-8"
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{hostile_app.base_url}/import")
    page.locator("input[type=file]").set_input_files([str(units), str(events)])
    commit = page.get_by_role("button", name=re.compile(r"Nhập 2 dòng"))
    expect(commit).to_be_enabled(timeout=FIRST_RUN)
    commit.click()
    expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)
    assert pwned(page) is None

    # the events list: the title as written, in the grid and in the search
    page.goto(f"{hostile_app.base_url}/events?year=2018")
    expect(page.get_by_role("heading", level=1).filter(has_text="Hoạt động")).to_be_visible(
        timeout=FIRST_RUN
    )
    page.get_by_label("Tìm theo nội dung hoặc đơn vị").fill("Hội nghị thử")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=FIRST_RUN)
    shows_literally(page, TITLE)
    assert page.locator("script:text('window.__pwned')").count() == 0
    assert pwned(page) is None

    # the units page: the unit's name in the ranking, the tables and the pickers
    page.goto(f"{hostile_app.base_url}/units?year=2018")
    expect(page.get_by_role("heading", level=1).filter(has_text="Đơn vị")).to_be_visible(
        timeout=FIRST_RUN
    )
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=FIRST_RUN)
    shows_literally(page, UNIT_NAME)
    assert page.locator("img[src=x]").count() == 0
    assert pwned(page) is None

    # the overview, whose ranking names units: nothing runs there either
    page.goto(f"{hostile_app.base_url}/?year=2018")
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=FIRST_RUN)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN)
    assert page.locator("img[src=x]").count() == 0
    assert pwned(page) is None
    assert dialogs == []
    expect(page.get_by_test_id("stException")).to_have_count(0)
