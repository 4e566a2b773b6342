"""The Import page under AppTest: upload → preview → commit → the Overview changes; undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.stores import copy_store

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
IMPORT_PAGE = "src/dashkit/ui/views/import_page.py"
OVERVIEW_PAGE = "src/dashkit/ui/views/overview.py"
# CS001's 2018 party members: 50 eligible, none completed — the committee's rate must drop.
FILE_2018 = "Năm;Mã đơn vị;Đối tượng;Tổng số;Đã học tập\n2018;CS001;Đảng viên;50;0\n".encode()
BAD_FILE = (
    "Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập\n2018,CS001,Đảng viên,10,12\n2018,XX9,NLĐ,5,1\n"
    "2019,CS002,NLĐ,40,30\n"
).encode()


@pytest.fixture
def app(demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    data = tmp_path / "data"
    copy_store(demo_dir, data)
    monkeypatch.setenv("DASHKIT_DATA_DIR", str(data))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def party_tile(at: AppTest) -> str:
    return next(metric.value for metric in at.metric if metric.label == "Đảng viên")


def test_upload_preview_commit_changes_the_overview_and_undo_restores_it(app: AppTest) -> None:
    before = party_tile(app)
    assert before == "97,0 %"
    app.switch_page(IMPORT_PAGE).run()
    assert not app.exception
    app.file_uploader[0].set_value(("don-vi-2018.csv", FILE_2018, "text/csv")).run()
    assert not app.exception
    preview = app.dataframe[1].value
    assert preview.to_dict("records") == [
        {"Năm": "2018", "Thêm mới": 0, "Thay thế": 1, "Không đổi": 0, "Bị từ chối": 0}
    ]
    assert any("Bảng: Kết quả học tập" in caption.value for caption in app.caption)
    app.button(key="import_commit").click().run()
    assert not app.exception
    assert "Đã nhập xong" in app.success[0].value

    app.switch_page(OVERVIEW_PAGE).run()
    after = party_tile(app)
    assert after != before

    app.switch_page(IMPORT_PAGE).run()
    history = app.dataframe[0].value
    assert list(history["Tệp"]) == ["don-vi-2018.csv", "demo"]
    app.selectbox(key="undo_pick").set_value(history["Mã"].iloc[0]).run()
    app.checkbox(key="undo_confirm").check().run()
    app.button(key="undo_button").click().run()
    assert not app.exception
    app.switch_page(OVERVIEW_PAGE).run()
    assert party_tile(app) == before


def test_a_file_with_problems_lists_them_and_cannot_be_committed(app: AppTest) -> None:
    app.switch_page(IMPORT_PAGE).run()
    app.file_uploader[0].set_value(("loi.csv", BAD_FILE, "text/csv")).run()
    assert not app.exception
    assert "Có 2 lỗi" in app.error[0].value
    problems = app.table[0].value
    assert list(problems.index) == ["2", "3"]  # row labels as text: a file-level problem has "–"
    messages = list(problems["Lỗi và cách sửa"])
    assert messages[0].startswith("Dòng 2, cột “Đã học tập”: số đã học tập (12) lớn hơn tổng số.")
    assert "XX9" in messages[1]
    assert app.button(key="import_commit").disabled
    app.checkbox(key="import_skip_invalid").check().run()
    commit = app.button(key="import_commit")
    assert not commit.disabled and commit.label == "Nhập 1 dòng"


def test_an_unmatched_column_can_be_mapped_by_hand_and_is_remembered(app: AppTest) -> None:
    odd = "Năm,Mã đơn vị,Đối tượng,Tổng số,SL tham gia\n2019,CS001,Đảng viên,10,9\n".encode()
    app.switch_page(IMPORT_PAGE).run()
    app.file_uploader[0].set_value(("la.csv", odd, "text/csv")).run()
    assert "Có 1 lỗi" in app.error[0].value  # "Đã học tập" missing: the column is not recognised
    mapping = next(box for box in app.selectbox if box.label == "SL tham gia")
    mapping.set_value("completed").run()
    app.button(
        key=next(b.key for b in app.button if b.key and b.key.startswith("remember_"))
    ).click().run()
    assert not app.exception
    assert not app.error
    assert app.button(key="import_commit").label == "Nhập 1 dòng"
    # A later file with the same headers is read the same way without asking.
    app.file_uploader[0].set_value(("la-2.csv", odd.replace(b"2019", b"2020"), "text/csv")).run()
    assert not app.error
