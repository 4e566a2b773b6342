"""A file refused as a whole (binary bytes named .csv, an empty file, a truncated workbook) is
explained on the Import page in headless Chromium: the message is there as text, the browser
shows no error of its own, and nothing offers to import "only the valid rows" of a file that has
none (issue 12, item 1: the problem table crashed in the browser on a row label that was
missing)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.served import ServedApp

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _binary(path: Path) -> Path:
    rng = random.Random(7)  # a photo's bytes, say, saved under a .csv name
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _truncated(path: Path) -> Path:
    whole = (FIXTURES / "first_files" / "events_2019.xlsx").read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


CASES = [
    ("anh-chup.csv", _binary, "không phải tệp văn bản CSV"),
    ("trong.csv", _empty, "trống, không có dữ liệu"),
    ("hong.xlsx", _truncated, "bị hỏng hoặc không đọc được"),
]


@pytest.mark.parametrize(("name", "make", "says"), CASES, ids=[case[0] for case in CASES])
def test_a_refused_file_is_explained_without_a_browser_error(
    served_app: ServedApp, page: Page, tmp_path: Path, name: str, make: object, says: str
) -> None:
    assert callable(make)
    upload = make(tmp_path / name)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served_app.base_url}/import")
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput").first
    expect(uploader).to_be_attached(timeout=FIRST_RUN)
    uploader.set_input_files(str(upload))
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text(says, timeout=FIRST_RUN)
    expect(table).not_to_contain_text("TypeError")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Chỉ nhập các dòng hợp lệ", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Nhập 0 dòng")).to_be_disabled()
    assert errors == []
