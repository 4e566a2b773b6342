"""``dashkit report``, run as a user runs it: real processes, real files read back with
python-docx and openpyxl, charts exported by Kaleido through the installed Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from dashkit.i18n import translator
from dashkit.store import CommitInfo, Store, TableWrite
from tests.support.stores import copy_store

DASHKIT = str(Path(sys.executable).parent / "dashkit")
FORMULA = '=HYPERLINK("http://example.com/x","bấm vào đây")'
VI = translator("vi")


def dashkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DASHKIT, *args], capture_output=True, text=True, timeout=180, env=env, check=False
    )


def report(data_dir: Path, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = dashkit("report", "--data-dir", str(data_dir), "-o", str(output), *args)
    assert result.returncode == 0, result.stderr
    assert output.exists()
    return result


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def docx_2018(demo_dir: Path, out: Path) -> Path:
    path = out / "bao-cao-2018.docx"
    report(demo_dir, path, "--year", "2018", "--format", "docx")
    return path


@pytest.fixture(scope="module")
def xlsx_2018(demo_dir: Path, out: Path) -> Path:
    path = out / "bao-cao-2018.xlsx"
    report(demo_dir, path, "--year", "2018", "--format", "xlsx")
    return path


def test_the_docx_carries_the_seed_figures_and_the_charts(docx_2018: Path) -> None:
    text = docx_text(docx_2018)
    # The article: 97 % of members and 86 % of workers, 79 units, 13 collectives and 16
    # individuals commended by the Standing Committee, 04 classes over 2016–2018.
    for figure in ("97,0 %", "86,0 %", "79", "13 tập thể", "16 cá nhân", "04 lớp", "01 tập thể"):
        assert figure in text, figure
    assert "Năm 2018, Đảng ủy các Khu chế xuất và Công nghiệp Cần Thơ" in text
    assert "tăng 3,4 điểm phần trăm so với năm 2017" in text
    for key in ("report.heading.kpis", "report.heading.units", "report.heading.awards"):
        assert VI(key) in text
    document = docx.Document(str(docx_2018))
    assert len(document.tables) == 4
    assert len(document.inline_shapes) == 3  # the trend and one ranking per audience
    assert VI("report.images_failed", reason="x").split("(")[0] not in text
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header[:4] == [VI("report.col.audience"), "Tổng số", "Đã học tập", "Tỷ lệ"]


def test_the_report_numbers_are_those_of_dashkit_kpis(
    demo_dir: Path, docx_2018: Path, xlsx_2018: Path
) -> None:
    kpis = dashkit("kpis", "--year", "2018", "--data-dir", str(demo_dir), "--json")
    payload = json.loads(kpis.stdout)
    sheet = openpyxl.load_workbook(xlsx_2018)[VI("report.sheet.kpis")]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(rows) == {VI.code("audience", code) for code in payload["participation"]}
    text = docx_text(docx_2018)
    for code, figures in payload["participation"].items():
        _, eligible, completed, rate, delta, *_ = rows[VI.code("audience", code)]
        assert (eligible, completed) == (figures["eligible"], figures["completed"])
        assert rate == pytest.approx(figures["rate"])
        assert delta == pytest.approx(figures["delta_pp"])
        # The document shows the same figures, as Vietnamese writes them.
        assert f"{VI.integer(completed)}/{VI.integer(eligible)} người" in text
        assert VI.percent(figures["rate"]) in text
    units = payload["units"]
    assert f"Tất cả {units['expected']} đơn vị đã báo cáo kết quả" in text
    awards = payload["awards"]["by_body"]
    assert f"tặng Giấy khen cho {awards['Ban Thường vụ Đảng ủy']['collective']} tập thể" in text


def test_the_workbook_has_one_sheet_per_table(xlsx_2018: Path) -> None:
    workbook = openpyxl.load_workbook(xlsx_2018)
    names = ("narrative", "kpis", "units", "awards", "events")
    assert workbook.sheetnames == [VI(f"report.sheet.{name}") for name in names]
    units = workbook[VI("report.sheet.units")]
    assert units.max_row - 1 >= 79  # a row per unit (and the legend under them)
    assert units.cell(row=2, column=2).value == "CS001"
    awards = workbook[VI("report.sheet.awards")]
    assert sum(1 for row in awards.iter_rows(min_row=2, values_only=True) if row[0]) == 33
    narrative = [cell.value for cell in workbook[VI("report.sheet.narrative")]["A"]]
    assert any(isinstance(text, str) and text.startswith("Năm 2018,") for text in narrative)


def test_markdown_has_the_narrative_the_tables_and_its_images(demo_dir: Path, out: Path) -> None:
    path = out / "web" / "report.md"
    result = report(demo_dir, path, "--year", "2018", "--format", "md")
    text = path.read_text(encoding="utf-8")
    assert "\nNăm 2018, Đảng ủy các Khu chế xuất và Công nghiệp Cần Thơ triển khai" in text
    assert "đạt 97,0 % (811/836 người)" in text  # as the tiles write it
    assert "| Đối tượng | Tổng số | Đã học tập | Tỷ lệ |" in text
    assert "| Đảng viên | 836 | 811 | 97,0 % | +3,4 điểm % |" in text
    images = sorted(path.parent.glob("report-*.png"))
    assert [image.name for image in images] == [
        "report-ranking-1.png",
        "report-ranking-2.png",
        "report-trend.png",
    ]
    for image in images:
        assert image.read_bytes().startswith(b"\x89PNG")
        assert f"](<{image.name}>)" in text
        assert image.name in result.stdout


def test_english_on_request(demo_dir: Path, out: Path) -> None:
    path = out / "report-en.md"
    result = report(
        demo_dir, path, "--lang", "en", "--year", "2018", "--format", "md", "--no-charts"
    )
    text = path.read_text(encoding="utf-8")
    assert "# Study campaign report, 2018" in text
    assert "As a result, 97.0% of party members completed the study (811 of 836)" in text
    assert "workers reached 86.0%" in text
    assert "| Party members | 836 | 811 | 97.0% | +3.4 pp |" in text
    assert "Kết quả" not in text and "Tỷ lệ" not in text
    assert "Wrote the 2018 report" in result.stdout
    assert not list(out.glob("report-en-*.png"))


def test_a_year_without_data_still_writes_a_report_that_says_so(demo_dir: Path, out: Path) -> None:
    path = out / "2030.docx"
    result = report(demo_dir, path, "--year", "2030", "--format", "docx")
    text = docx_text(path)
    assert VI("report.no_data", year=2030) in text
    assert VI("report.empty_table") in text
    assert VI("cli.report_no_data", year=2030) in result.stderr


def test_a_failed_chart_export_leaves_a_report_without_images_and_a_note(
    demo_dir: Path, out: Path
) -> None:
    path = out / "no-browser.docx"
    env = {**os.environ, "DASHKIT_BROWSER": str(out / "no-such-browser")}
    result = dashkit(
        "report", "--data-dir", str(demo_dir), "-o", str(path), "--year", "2018", env=env
    )
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 0
    note = VI("report.images_failed", reason="@").split("(")[0]
    assert note in docx_text(path)
    assert note in result.stderr
    assert "97,0 %" in docx_text(path)


@pytest.fixture(scope="module")
def formula_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo data where unit CS001 (which has awards too) is called a formula."""
    root = tmp_path_factory.mktemp("formula") / "data"
    copy_store(demo_dir, root)
    store = Store(root)
    unit = store.snapshot().frame("SELECT * FROM units WHERE unit_id = 'CS001'")
    unit["unit_name"] = FORMULA
    result = store.commit([TableWrite("units", unit)], CommitInfo(op="import", source="test"))
    assert result.changed
    return root


def test_a_formula_in_the_data_is_text_in_the_workbook(formula_dir: Path, out: Path) -> None:
    path = out / "formula.xlsx"
    report(formula_dir, path, "--year", "2018", "--format", "xlsx")
    found = []
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.value == "'" + FORMULA
                    found.append(sheet.title)
    assert VI("report.sheet.units") in found


def test_a_formula_in_the_data_is_text_in_the_document_and_the_markdown(
    formula_dir: Path, out: Path
) -> None:
    path = out / "formula.docx"
    report(formula_dir, path, "--year", "2018", "--format", "docx", "--no-charts")
    cells = [
        cell.text
        for table in docx.Document(str(path)).tables
        for row in table.rows
        for cell in row.cells
        if "HYPERLINK" in cell.text
    ]
    assert cells and all(text == "'" + FORMULA for text in cells)
    markdown = out / "formula.md"
    report(formula_dir, markdown, "--year", "2018", "--format", "md", "--no-charts")
    lines = [
        line for line in markdown.read_text(encoding="utf-8").splitlines() if "HYPERLINK" in line
    ]
    assert lines
    for line in lines:
        assert "| '=HYPERLINK(" in line
        assert "| =HYPERLINK" not in line
