"""Three browser sessions of one served dashboard import different files at the same time.

Each session is its own Chromium context (its own cookies, its own Streamlit session); all
three upload their file and get to the commit button, then the three buttons are clicked one
right after the other, so the server commits them concurrently (one thread per session).
Afterwards every import is in the data and in the history, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dashkit.store import Store, history
from tests.browser.conftest import VIEWPORT
from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
UNITS = ("CS001", "CS002", "CS003")


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """A server of its own: this test changes the data."""
    with served_demo(tmp_path_factory.mktemp("concurrent-served")) as app:
        yield app


def test_three_sessions_importing_at_once_all_land(
    shared_app: ServedApp, browser: Browser, tmp_path: Path
) -> None:
    uploads = []
    expected_rows = set()
    for number, unit in enumerate(UNITS, start=1):
        path = tmp_path / f"phien-{number}-{unit}-2030.csv"
        path.write_text(
            "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n"
            f"2030;{unit};Đảng viên;{40 + number};{30 + number}\n"
            f"2030;{unit};Người lao động;{100 + number};{90 + number}\n",
            encoding="utf-8",
        )
        uploads.append(path)
        expected_rows |= {
            (2030, unit, "party_member", 40 + number, 30 + number),
            (2030, unit, "worker", 100 + number, 90 + number),
        }
    store = Store(shared_app.data_dir)
    before = [entry.commit_id for entry in history(store)]

    contexts = [browser.new_context(viewport=VIEWPORT, locale="vi-VN") for _ in uploads]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(shared_app.base_url)
            page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu").click()
        for page, upload in zip(pages, uploads, strict=True):
            page.locator("input[type=file]").set_input_files(str(upload))
        buttons = [page.get_by_role("button", name="Nhập 2 dòng") for page in pages]
        for page, button in zip(pages, buttons, strict=True):
            expect(button).to_be_enabled(timeout=FIRST_RUN)
            expect(page.get_by_text("Tệp hợp lệ, không có lỗi.")).to_be_visible()

        for button in buttons:  # as close together as one driver can click
            button.click(no_wait_after=True)

        for page in pages:
            expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)
            expect(page.get_by_test_id("stException")).to_have_count(0)
    finally:
        for context in contexts:
            context.close()

    entries = history(Store(shared_app.data_dir))
    new = entries[: len(entries) - len(before)]
    assert [entry.commit_id for entry in entries[len(new) :]] == before
    assert sorted(entry.file or "" for entry in new) == sorted(path.name for path in uploads)
    assert all(entry.op == "import" and not entry.undone for entry in new)
    assert len({entry.commit_id for entry in new}) == len(uploads)
    rows = (
        Store(shared_app.data_dir)
        .snapshot()
        .rows(
            "SELECT year, unit_id, audience, eligible, completed FROM participation WHERE year = 2030"
        )
    )
    assert set(rows) == expected_rows
