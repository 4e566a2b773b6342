"""``dashkit import``, ``history``, ``undo`` and ``template`` as a user runs them: real processes
on a real data directory holding the demo data, fed files of the import corpus."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashkit.demo import write_demo
from dashkit.store import Store
from tests.support.stores import copy_store, tree

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


DASHKIT = str(Path(sys.executable).parent / "dashkit")
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "import"
IMPORT_ID = re.compile(r"^\d{14}-[0-9a-f]{6}$")
FILE_KEYS = [
    "file",
    "table",
    "format",
    "encoding",
    "rows_read",
    "inserted",
    "replaced",
    "unchanged",
    "rejected",
    "errors",
    "warnings",
]


def dashkit(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DASHKIT_LANG"}
    return subprocess.run(
        [DASHKIT, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def corpus(name: str) -> str:
    return str(CORPUS / name)


def summary(**fields: Any) -> dict[str, Any]:
    """A file's JSON entry: the defaults of a clean file, with ``fields`` changed."""
    entry: dict[str, Any] = {
        "file": None,
        "table": "participation",
        "format": "csv",
        "encoding": "utf-8",
        "rows_read": 0,
        "inserted": 0,
        "replaced": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
        "warnings": [],
    }
    entry.update(fields)
    return entry


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("import-cli") / "demo"
    write_demo(Store(root))
    return root


@pytest.fixture
def data_dir(demo_source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    copy_store(demo_source, root)
    return root


def import_json(data_dir: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = dashkit("import", *args, "--json", "--data-dir", data_dir)
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)


# -- import ----------------------------------------------------------------------------------


def test_import_json_has_the_stable_shape(data_dir: Path) -> None:
    code, payload = import_json(data_dir, corpus("utf8_comma_lf.csv"))
    assert code == 0
    assert list(payload) == ["ok", "dry_run", "import_id", "files"]
    assert list(payload["files"][0]) == FILE_KEYS
    import_id = payload.pop("import_id")
    assert isinstance(import_id, str) and IMPORT_ID.match(import_id)
    assert payload == {
        "ok": True,
        "dry_run": False,
        "files": [summary(file="utf8_comma_lf.csv", rows_read=4, inserted=4)],
    }
    assert Store(data_dir).history()[0].commit_id == import_id


def test_a_refused_import_exits_1_names_every_problem_in_vietnamese_and_writes_nothing(
    data_dir: Path,
) -> None:
    before = tree(data_dir)
    code, payload = import_json(
        data_dir,
        corpus("error_rate_mismatch.csv"),
        corpus("error_empty.csv"),
        corpus("error_missing_column.csv"),
        corpus("header_only.csv"),
    )
    assert code == 1
    assert payload == {
        "ok": False,
        "dry_run": False,
        "import_id": None,
        "files": [
            summary(
                file="error_rate_mismatch.csv",
                rows_read=3,
                inserted=1,
                rejected=2,
                errors=[
                    {
                        "row": 3,
                        "column": "Tỷ lệ (%)",
                        "value": "93,5",
                        "message": "Dòng 3, cột “Tỷ lệ (%)”: tỷ lệ ghi là 93,5 nhưng tính từ số "
                        "liệu được 93,0. Hãy kiểm tra lại “Tổng số” và “Đã học tập” (tỷ lệ luôn "
                        "được tính lại, không lấy theo tệp).",
                    },
                    {
                        "row": 4,
                        "column": "Tỷ lệ (%)",
                        "value": "85",
                        "message": "Dòng 4, cột “Tỷ lệ (%)”: tỷ lệ ghi là 85 nhưng tính từ số "
                        "liệu được 80,0. Hãy kiểm tra lại “Tổng số” và “Đã học tập” (tỷ lệ luôn "
                        "được tính lại, không lấy theo tệp).",
                    },
                ],
            ),
            summary(
                file="error_empty.csv",
                table=None,
                format=None,
                encoding=None,
                errors=[
                    {
                        "row": None,
                        "column": None,
                        "value": None,
                        "message": "Tệp “error_empty.csv” trống, không có dữ liệu. Hãy kiểm tra "
                        "lại tệp đã chọn.",
                    }
                ],
            ),
            summary(
                file="error_missing_column.csv",
                rows_read=2,
                rejected=2,
                errors=[
                    {
                        "row": None,
                        "column": "Đã học tập",
                        "value": None,
                        "message": "Tệp không có cột “Đã học tập”, là cột bắt buộc của bảng dữ "
                        "liệu này. Hãy thêm cột này (xem mẫu nhập liệu) rồi nhập lại.",
                    }
                ],
            ),
            summary(
                file="header_only.csv",
                warnings=[
                    "Tệp không có dòng số liệu nào dưới dòng tiêu đề cột nên không có gì để nhập."
                ],
            ),
        ],
    }
    assert tree(data_dir) == before


def test_messages_are_in_english_with_lang_en(data_dir: Path) -> None:
    result = dashkit(
        "--lang",
        "en",
        "import",
        corpus("error_duplicate_conflict.csv"),
        corpus("error_dimension_huge.xlsx"),
        "--json",
        "--data-dir",
        data_dir,
    )
    assert result.returncode == 1
    files = json.loads(result.stdout)["files"]
    assert [error["message"] for error in files[0]["errors"]] == [
        "Row 2: same unit, year and audience as row 3 but different figures. "
        "Keep the one correct row.",
        "Row 3: same unit, year and audience as row 2 but different figures. "
        "Keep the one correct row.",
    ]
    assert files[0]["warnings"] == ["1 row(s) repeat another row exactly; each is imported once."]
    assert [error["message"] for error in files[1]["errors"]] == [
        "“error_dimension_huge.xlsx” has more than 1,048,576 rows, over the limit for one "
        "import. Split it by year or by group."
    ]


def test_text_output_is_vietnamese_by_default_and_english_on_request(data_dir: Path) -> None:
    vietnamese = dashkit("import", corpus("report_layout.xlsx"), "--data-dir", data_dir)
    assert vietnamese.returncode == 0, vietnamese.stderr
    lines = vietnamese.stdout.splitlines()
    assert lines[:3] == [
        "report_layout.xlsx: bảng Kết quả học tập, Excel (.xlsx), 3 dòng dữ liệu",
        "  thêm mới 6, thay thế 0, không đổi 0, bị từ chối 0",
        "  · Bỏ qua dòng 9 vì là dòng tổng cộng.",
    ]
    assert lines[3].startswith("Đã nhập xong. Mã lần nhập: ")
    english = dashkit(
        "--lang", "en", "import", corpus("report_layout.xlsx"), "--data-dir", data_dir
    )
    assert english.returncode == 0, english.stderr
    assert english.stdout.splitlines() == [
        "report_layout.xlsx: table Participation, Excel (.xlsx), 3 data rows",
        "  new 0, replaced 0, unchanged 6, rejected 0",
        "  · Row 9 was skipped: it is a totals row.",
        "Nothing changed: the file's data is already there.",
    ]


def test_dry_run_writes_nothing(data_dir: Path) -> None:
    before = tree(data_dir)
    code, payload = import_json(data_dir, corpus("pipe_crlf.csv"), "--dry-run")
    assert (code, payload) == (
        0,
        {
            "ok": True,
            "dry_run": True,
            "import_id": None,
            "files": [summary(file="pipe_crlf.csv", rows_read=4, inserted=4)],
        },
    )
    code, payload = import_json(data_dir, corpus("error_unknown_unit_code.csv"), "--dry-run")
    assert (code, payload["ok"], payload["dry_run"]) == (1, False, True)
    assert tree(data_dir) == before


def test_skip_invalid_imports_the_valid_rows(data_dir: Path) -> None:
    code, payload = import_json(data_dir, corpus("error_unknown_unit_code.csv"), "--skip-invalid")
    assert code == 0
    assert payload["ok"] is True and IMPORT_ID.match(payload["import_id"])
    (entry,) = payload["files"]
    assert (entry["inserted"], entry["rejected"]) == (1, 1)
    assert [(error["row"], error["column"], error["value"]) for error in entry["errors"]] == [
        (3, "Mã đơn vị", "CS999")
    ]
    rows = (
        Store(data_dir)
        .snapshot()
        .rows("SELECT unit_id, audience FROM participation WHERE year = 2019")
    )
    assert rows == [("CS001", "party_member")]


def test_usage_errors_exit_2(data_dir: Path, tmp_path: Path) -> None:
    before = tree(data_dir)
    missing = dashkit("import", tmp_path / "nowhere.csv", "--data-dir", data_dir)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"Không có tệp “{tmp_path / 'nowhere.csv'}”."
    bad_table = dashkit(
        "import", corpus("utf8_comma_lf.csv"), "--table", "people", "--data-dir", data_dir
    )
    assert bad_table.returncode == 2
    assert "--table" in bad_table.stderr
    assert tree(data_dir) == before


# -- history and undo ------------------------------------------------------------------------


def history_json(data_dir: Path) -> list[dict[str, Any]]:
    result = dashkit("history", "--json", "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_history_is_newest_first_and_undo_rolls_back_later_imports(data_dir: Path) -> None:
    _, first = import_json(data_dir, corpus("utf8_comma_lf.csv"))
    _, second = import_json(data_dir, corpus("replace_2018.csv"))
    entries = history_json(data_dir)
    assert [
        (e["import_id"], e["op"], e["file"], e["table"], e["inserted"], e["replaced"], e["undone"])
        for e in entries[:2]
    ] == [
        (second["import_id"], "import", "replace_2018.csv", "participation", 1, 1, False),
        (first["import_id"], "import", "utf8_comma_lf.csv", "participation", 4, 0, False),
    ]
    assert [(e["op"], e["undone"]) for e in entries[2:]] == [("demo", False)]
    assert set(entries[0]) == {
        "import_id",
        "time",
        "file",
        "table",
        "inserted",
        "replaced",
        "unchanged",
        "undone",
        "op",
        "user",
        "undoes",
    }

    undone = dashkit("undo", first["import_id"], "--data-dir", data_dir)
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.splitlines() == [
        f"Đã hoàn tác lần nhập {first['import_id']}; dữ liệu hiện ở phiên bản 4.",
        f"  Cũng hoàn tác lần nhập sau đó: {second['import_id']} (replace_2018.csv)",
    ]
    entries = history_json(data_dir)
    assert [(e["op"], e["undoes"], e["undone"]) for e in entries] == [
        ("undo", first["import_id"], False),
        ("import", None, True),
        ("import", None, True),
        ("demo", None, False),
    ]
    snapshot = Store(data_dir).snapshot()
    assert snapshot.scalar("SELECT count(*) FROM participation WHERE year = 2019") == 0
    assert (
        snapshot.scalar(
            "SELECT completed FROM participation WHERE year = 2018 AND unit_id = 'CS001' "
            "AND audience = 'party_member'"
        )
        == 6
    )

    again = dashkit("undo", first["import_id"], "--data-dir", data_dir)
    assert again.returncode == 1
    assert again.stderr.strip() == f"Lần nhập “{first['import_id']}” đã được hoàn tác rồi."


# -- templates -------------------------------------------------------------------------------

TEMPLATES = (
    ("participation", "csv", "participation"),
    ("participation", "xlsx", "participation"),
    ("participation-report", "xlsx", "participation"),
    ("events", "csv", "events"),
)


def test_templates_import_back_as_files_without_data_rows(data_dir: Path, tmp_path: Path) -> None:
    """A blank template is a well-formed file with nothing in it: its header is recognised
    (table and columns), nothing is refused, nothing is written, and the user is told that the
    file has no data rows. (The report template's title has no year yet; with no rows that is
    not a problem.)"""
    paths = []
    for name, file_format, _ in TEMPLATES:
        path = tmp_path / f"{name}.{file_format}"
        made = dashkit("template", name, "--format", file_format, "-o", path)
        assert made.returncode == 0, made.stderr
        assert made.stdout.strip() == f"Đã tạo tệp mẫu {path}."
        paths.append(str(path))
    before = tree(data_dir)
    code, payload = import_json(data_dir, *paths)
    assert code == 0
    assert payload == {
        "ok": True,
        "dry_run": False,
        "import_id": None,
        "files": [
            summary(
                file=Path(path).name,
                table=table,
                format="csv" if path.endswith(".csv") else "xlsx",
                encoding="utf-8-sig" if path.endswith(".csv") else None,
                warnings=[
                    "Tệp không có dòng số liệu nào dưới dòng tiêu đề cột nên không có gì để nhập."
                ],
            )
            for path, (_, _, table) in zip(paths, TEMPLATES, strict=True)
        ],
    }
    assert tree(data_dir) == before
