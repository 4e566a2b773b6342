"""Two ``dashkit serve`` processes on one shared catalog (real PostgreSQL, real SeaweedFS S3),
each with a data directory of its own for its local copies: what one server imports, the
other shows at its next rerun; six imports at once, through both servers' pages and through
the command line, all land, once each."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dashkit.store import Store, history
from tests.browser.conftest import VIEWPORT
from tests.support.served import ServedApp, served_demo
from tests.support.services import Postgres, SeaweedS3, SharedCatalog, catalog_environment
from tests.support.writers import dashkit_command

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000


@pytest.fixture(scope="module")
def two_servers(
    shared_services: tuple[Postgres, SeaweedS3], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SharedCatalog, ServedApp, ServedApp]]:
    catalog = SharedCatalog.fresh(*shared_services)
    with contextlib.ExitStack() as stack:
        stack.enter_context(catalog_environment(catalog))  # the servers and the test's stores
        first = stack.enter_context(served_demo(tmp_path_factory.mktemp("server-a")))
        second = stack.enter_context(served_demo(tmp_path_factory.mktemp("server-b"), demo=False))
        yield catalog, first, second


def participation_file(path: Path, unit: str, year: int, number: int) -> Path:
    path.write_text(
        "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n"
        f"{year};{unit};Đảng viên;{40 + number};{30 + number}\n",
        encoding="utf-8",
    )
    return path


def open_import(page: Page, app: ServedApp) -> None:
    page.goto(app.base_url)
    page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu").click()


def store_of(catalog: SharedCatalog, app: ServedApp) -> Store:
    return Store(app.data_dir, catalog=catalog.name)


def test_an_import_through_one_server_shows_on_the_other(
    two_servers: tuple[SharedCatalog, ServedApp, ServedApp], browser: Browser, tmp_path: Path
) -> None:
    catalog, first, second = two_servers
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    try:
        other = context.new_page()
        other.goto(f"{second.base_url}/?year=2040")
        expect(other.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN)
        year = other.get_by_role("combobox", name="Năm")
        expect(year).to_have_value("2018")  # no 2040 yet: the latest year instead

        page = context.new_page()
        open_import(page, first)
        upload = participation_file(tmp_path / "nam-2040.csv", "CS001", 2040, 1)
        page.locator("input[type=file]").set_input_files(str(upload))
        button = page.get_by_role("button", name="Nhập 1 dòng")
        expect(button).to_be_enabled(timeout=FIRST_RUN)
        button.click()
        expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)

        other.goto(f"{second.base_url}/?year=2040")  # the other server, its next run
        expect(other.get_by_role("combobox", name="Năm")).to_have_value("2040", timeout=FIRST_RUN)
        expect(other.get_by_test_id("stException")).to_have_count(0)
    finally:
        context.close()
    assert history(store_of(catalog, second))[0].file == "nam-2040.csv"


def test_six_imports_at_once_through_both_servers_and_the_command_line_all_land(
    two_servers: tuple[SharedCatalog, ServedApp, ServedApp], browser: Browser, tmp_path: Path
) -> None:
    catalog, first, second = two_servers
    store = store_of(catalog, first)
    before = [entry.commit_id for entry in history(store)]
    units = ("CS001", "CS002", "CS003", "CS004", "CS005", "CS006")
    files = [
        participation_file(tmp_path / f"dong-thoi-{n}-{unit}.csv", unit, 2041, n)
        for n, unit in enumerate(units, start=1)
    ]
    servers = (first, first, second, second)
    contexts = [browser.new_context(viewport=VIEWPORT, locale="vi-VN") for _ in servers]
    processes: list[subprocess.Popen[str]] = []
    try:
        pages = [context.new_page() for context in contexts]
        for page, app, upload in zip(pages, servers, files, strict=False):
            open_import(page, app)
            page.locator("input[type=file]").set_input_files(str(upload))
        buttons = [page.get_by_role("button", name="Nhập 1 dòng") for page in pages]
        for button in buttons:
            expect(button).to_be_enabled(timeout=FIRST_RUN)
        for number, upload in enumerate(files[len(pages) :]):
            processes.append(
                subprocess.Popen(
                    dashkit_command(
                        "import", "--data-dir", tmp_path / f"cli-{number}", "--json", upload
                    ),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for button in buttons:  # as close together as one driver can click
            button.click(no_wait_after=True)
        for page in pages:
            expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)
            expect(page.get_by_test_id("stException")).to_have_count(0)
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
    finally:
        for context in contexts:
            context.close()
        for process in processes:
            if process.poll() is None:
                process.kill()

    entries = history(store)
    new = entries[: len(entries) - len(before)]
    assert [entry.commit_id for entry in entries[len(new) :]] == before
    assert sorted(entry.file or "" for entry in new) == sorted(path.name for path in files)
    assert len({entry.commit_id for entry in new}) == len(files)
    rows = store.snapshot().rows(
        "SELECT unit_id, eligible FROM participation WHERE year = 2041 ORDER BY unit_id"
    )
    assert rows == [(unit, 40 + n) for n, unit in enumerate(units, start=1)]
