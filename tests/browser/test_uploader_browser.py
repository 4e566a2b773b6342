"""The Import page's file uploader speaks the user's language in headless Chromium: its button,
its size-and-formats line and its drag overlay (texts Streamlit draws in English, issue 12 item
4), and a file of a format the importer does not take is refused in that language too (the
uploader no longer filters by extension, which Streamlit would explain in English)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.served import ServedApp

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
FORMATS = "CSV, TXT, TSV, XLSX, XLSM, XLSB, XLS, ODS"
SHOWN = """(selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    if (getComputedStyle(element).fontSize !== "0px") return element.textContent;
    const drawn = getComputedStyle(element, "::after").content;
    return drawn.startsWith('"') ? JSON.parse(drawn) : null;
}"""
DROPZONE = "[data-testid='stFileUploaderDropzone']"
BUTTON = f"{DROPZONE} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'] p"
LIMITS = f"{DROPZONE} > [data-testid='stFileUploaderDropzoneInstructions'] span"
OVERLAY = f"{DROPZONE} > div:not([data-testid]) > span"


def shown(page: Page, selector: str, expected: str) -> str:
    """The text a reader sees in the element (its own, unless it is hidden and drawn over),
    once it is ``expected`` or after a few seconds (the page may still be on its first run)."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"(expected) => ({SHOWN})({selector!r}) === expected", arg=expected, timeout=10_000
        )
    return str(page.evaluate(SHOWN, selector))


@pytest.mark.parametrize(
    ("language", "browse", "limits", "drop"),
    [
        ("vi", "Chọn tệp", f"Tối đa 500 MB mỗi tệp • {FORMATS}", "Thả tệp vào đây"),
        ("en", "Browse files", f"Up to 500 MB per file • {FORMATS}", "Drop the files here"),
    ],
)
def test_the_uploader_texts_are_in_the_chosen_language(
    served_app: ServedApp, page: Page, language: str, browse: str, limits: str, drop: str
) -> None:
    page.goto(f"{served_app.base_url}/import?lang={language}")
    expect(page.locator(BUTTON)).to_be_visible(timeout=FIRST_RUN)
    assert shown(page, BUTTON, browse) == browse
    assert shown(page, LIMITS, limits) == limits
    dragged = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['a'], 'a.csv', {type: 'text/csv'})); return d; }"
    )
    page.dispatch_event(DROPZONE, "dragenter", {"dataTransfer": dragged})
    expect(page.locator(OVERLAY)).to_be_attached()
    assert shown(page, OVERLAY, drop) == drop


def test_a_file_of_another_format_is_refused_in_vietnamese(
    served_app: ServedApp, page: Page, tmp_path: Path
) -> None:
    document = tmp_path / "bao-cao.pdf"
    document.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    page.goto(f"{served_app.base_url}/import")
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput").first
    expect(uploader).to_be_attached(timeout=FIRST_RUN)
    uploader.set_input_files(str(document))
    expect(page.get_by_test_id("stTable")).to_contain_text(
        "“bao-cao.pdf” không phải bảng tính", timeout=FIRST_RUN
    )
    expect(page.get_by_text("files are not allowed")).to_have_count(0)
