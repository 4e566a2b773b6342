"""Login end to end: Streamlit's own ``st.login`` against a real OpenID Connect provider
(oidc-provider-mock, built on Authlib's server side) on loopback, in headless Chromium.

An editor logs in and imports (and the history records their address); a viewer logs in and
cannot (no Import page in the menu, and its URL says why); a visitor who has not logged in
sees the pages when ``anonymous_view`` is true, and only a login prompt when it is false.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import pytest
from playwright.sync_api import Browser, Page, expect

from dashkit.store import Store, history
from tests.support.served import ServedApp, served_demo

pytestmark = pytest.mark.browser
FIRST_RUN = 60_000
ROOT = Path(__file__).resolve().parents[2]
EDITOR = "chanh.vp@vpthanhuy.example.vn"
VIEWER = "dan@example.com"
UPLOAD = "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n2018;CS001;Đảng viên;50;0\n"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on loopback: any client id and secret, a login form."""
    users = [
        oidc_provider_mock.User(
            sub=EDITOR, claims={"email": EDITOR, "email_verified": True, "name": "Chánh VP"}
        ),
        oidc_provider_mock.User(sub=VIEWER, claims={"email": VIEWER, "email_verified": True}),
    ]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def serve_with_login(root: Path, provider: str, *, anonymous_view: bool) -> Iterator[ServedApp]:
    """``dashkit serve`` in a working directory whose .streamlit/ configures login."""
    streamlit_dir = root / "cwd" / ".streamlit"
    streamlit_dir.mkdir(parents=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", streamlit_dir / "config.toml")
    (streamlit_dir / "secrets.toml").write_text(
        f"""[auth]
redirect_uri = "http://localhost:{{port}}/oauth2callback"
cookie_secret = "a-cookie-secret-for-the-browser-tests-only"
client_id = "dashkit"
client_secret = "dashkit-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[dashkit]
editors = ["@vpthanhuy.example.vn", "someone.else@example.com"]
anonymous_view = {"true" if anonymous_view else "false"}
""",
        encoding="utf-8",
    )
    with served_demo(root, cwd=root / "cwd", url_host="localhost") as app:
        yield app


@pytest.fixture(scope="module")
def open_app(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[ServedApp]:
    yield from serve_with_login(
        tmp_path_factory.mktemp("login-open"), provider, anonymous_view=True
    )


@pytest.fixture(scope="module")
def closed_app(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[ServedApp]:
    yield from serve_with_login(
        tmp_path_factory.mktemp("login-closed"), provider, anonymous_view=False
    )


@pytest.fixture
def fresh_page(browser: Browser) -> Iterator[Page]:
    """A browser context of its own: no identity cookie from another test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Page, who: str) -> None:
    """Press the sidebar's "Đăng nhập", choose ``who`` on the provider's form, come back."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng nhập").click()
    page.get_by_placeholder("sub").fill(who)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(f"Đã đăng nhập: {who}", exact=False)).to_be_visible(timeout=FIRST_RUN)


def test_an_editor_logs_in_and_imports(
    open_app: ServedApp, fresh_page: Page, tmp_path: Path
) -> None:
    page = fresh_page
    upload = tmp_path / "bao-cao-CS001-2018.csv"
    upload.write_text(UPLOAD, encoding="utf-8")
    page.goto(open_app.base_url)
    log_in(page, EDITOR)
    expect(page.get_by_text("được nhập số liệu", exact=False)).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu").click()
    page.locator("input[type=file]").set_input_files(str(upload))
    commit = page.get_by_role("button", name="Nhập 1 dòng")
    expect(commit).to_be_enabled(timeout=FIRST_RUN)
    commit.click()
    expect(page.get_by_text("Đã nhập xong", exact=False)).to_be_visible(timeout=FIRST_RUN)
    latest = history(Store(open_app.data_dir))[0]
    assert (latest.op, latest.file, latest.user) == ("import", upload.name, EDITOR)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_viewer_logs_in_and_cannot_import(open_app: ServedApp, fresh_page: Page) -> None:
    page = fresh_page
    page.goto(open_app.base_url)
    log_in(page, VIEWER)
    expect(page.get_by_text("chỉ xem", exact=False).first).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Tổng quan")).to_be_visible()
    expect(nav.get_by_text("Nhập dữ liệu")).to_have_count(0)

    page.goto(f"{open_app.base_url}/import")
    expect(page.get_by_text("Bạn chỉ có quyền xem", exact=False)).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_text(VIEWER, exact=False).first).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="End session").click()  # the provider's own logout
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng nhập")).to_be_visible(
        timeout=FIRST_RUN
    )


def test_a_visitor_sees_the_pages_when_anonymous_view_is_on(
    open_app: ServedApp, fresh_page: Page
) -> None:
    page = fresh_page
    page.goto(open_app.base_url)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN)
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Nhập dữ liệu")).to_have_count(0)
    page.goto(f"{open_app.base_url}/import")
    expect(page.get_by_text("được giao quyền mới nhập được số liệu", exact=False)).to_be_visible(
        timeout=FIRST_RUN
    )
    expect(page.locator("input[type=file]")).to_have_count(0)


def test_a_visitor_sees_only_a_login_prompt_when_anonymous_view_is_off(
    closed_app: ServedApp, fresh_page: Page
) -> None:
    page = fresh_page
    for path in ("", "/units", "/import"):
        page.goto(f"{closed_app.base_url}{path}")
        expect(page.get_by_text("chỉ dành cho người đã đăng nhập", exact=False)).to_be_visible(
            timeout=FIRST_RUN
        )
        expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_placeholder("sub").fill(VIEWER)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN)
