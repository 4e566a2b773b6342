"""Who may import, under AppTest, without login: a server on localhost edits, one reachable from
other machines is read-only and refuses writes; the settings' error and login prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashkit.store import Store, history
from tests.support.stores import copy_store
from tests.ui.conftest import set_server_address

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
IMPORT_PAGE = "src/dashkit/ui/views/import_page.py"
FILE_2018 = "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n2018;CS001;Đảng viên;50;0\n".encode()
# Login configured: the provider is never contacted unless someone presses "Đăng nhập".
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "dashkit",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def data(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    copy_store(demo_dir, data)
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(data))
    return data


def open_import(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page(IMPORT_PAGE).run()


def texts(at: AppTest) -> str:
    parts = [*at.warning, *at.info, *at.error, *at.markdown, *at.caption]
    return "\n".join(str(part.value) for part in parts)


def test_on_localhost_without_login_the_import_page_imports_and_records_who(data: Path) -> None:
    at = open_import(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    at.file_uploader[0].set_value(("don-vi-2018.csv", FILE_2018, "text/csv")).run()
    at.button(key="import_commit").click().run()
    assert not at.exception
    assert "Đã nhập xong" in at.success[0].value
    latest = history(Store(data))[0]
    assert latest.file == "don-vi-2018.csv"
    assert latest.user is None  # not the server's login name ("root"): nobody logged in
    shown = at.dataframe[0].value
    assert shown["Người thực hiện"].tolist()[0] == "Trên máy này, không đăng nhập"


@pytest.mark.parametrize("address", ["0.0.0.0", ""])
def test_reachable_from_other_machines_without_login_is_read_only(data: Path, address: str) -> None:
    set_server_address(address)
    at = open_import(AppTest.from_file(APP, default_timeout=60))
    assert not at.exception
    assert "chế độ chỉ xem" in texts(at)
    assert "dashkit serve" in texts(at) and "[dashkit]" in texts(at)  # how to enable editing
    assert not at.file_uploader  # nothing to upload, no history, no undo
    assert not at.dataframe


def test_a_commit_is_refused_when_the_server_is_no_longer_local(data: Path) -> None:
    at = open_import(AppTest.from_file(APP, default_timeout=60))
    at.file_uploader[0].set_value(("don-vi-2018.csv", FILE_2018, "text/csv")).run()
    before = Store(data).version()
    set_server_address("0.0.0.0")
    at.button(key="import_commit").click().run()
    assert not at.exception
    assert Store(data).version() == before
    assert "chế độ chỉ xem" in texts(at)


def guarded_write() -> None:
    import streamlit as st

    from dashkit.i18n import translator
    from dashkit.ui import auth

    if auth.require_editor(translator("vi")):
        st.write("written")


@pytest.mark.parametrize(("address", "allowed"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_the_write_check_refuses_a_viewer_with_the_catalogue_message(
    address: str, allowed: bool
) -> None:
    set_server_address(address)
    at = AppTest.from_function(guarded_write, default_timeout=30).run()
    assert not at.exception
    assert bool(at.markdown and at.markdown[0].value == "written") is allowed
    if not allowed:
        assert at.error[0].value.startswith("Không thực hiện được: bạn không có quyền")


def test_anonymous_visitors_see_only_a_login_prompt_when_anonymous_view_is_off(
    data: Path,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["dashkit"] = {"editors": ["chanh.vp@example.vn"], "anonymous_view": False}
    at.run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Đăng nhập"]
    assert not at.metric
    assert [button.label for button in at.button] == ["Đăng nhập"]


def test_anonymous_visitors_view_and_the_import_page_asks_them_to_log_in(data: Path) -> None:
    set_server_address("0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["dashkit"] = {"editors": ["@example.vn"]}  # anonymous_view defaults to true
    at.run()
    assert not at.exception
    assert at.metric  # the Overview
    assert "Đăng nhập" in [button.label for button in at.sidebar.button]
    at.switch_page(IMPORT_PAGE).run()
    assert "được giao quyền mới nhập được số liệu" in texts(at)
    assert not at.file_uploader


def test_a_malformed_setting_is_an_error_and_nothing_is_served(data: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["dashkit"] = {"editors": ["chanh.vp@example.vn", "not an address"]}
    at.run()
    assert not at.exception
    assert "“not an address”" in at.error[0].value
    assert not at.metric


def test_without_login_anonymous_view_off_on_a_shared_server_shows_nothing(data: Path) -> None:
    set_server_address("0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["dashkit"] = {"anonymous_view": False}
    at.run()
    assert not at.exception
    assert "chưa cấu hình đăng nhập" in at.warning[0].value
    assert not at.metric
