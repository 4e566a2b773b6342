"""A new office's first day, from an empty data directory.

The files in ``tests/fixtures/first_files`` (``make_first_files.py``; the ``.xls`` and ``.ods``
ones saved by LibreOffice) go in one at a time, as an office works, and all at once; a units
list holds its parents before or after their children; units are named instead of coded; every
spreadsheet format gives the same figures; the rules that span the files of one upload are
checked while planning, so the preview is what the commit does.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from dashkit.ingest import InputFile, commit_import, plan_import
from dashkit.ingest.plan import ImportPlan
from dashkit.schema.tables import derive_id
from dashkit.store import Store

# Every test runs on the embedded catalog and on a shared one (PostgreSQL + S3).
pytestmark = pytest.mark.usefixtures("catalog_kind")


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIRST = FIXTURES / "first_files"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_first_files", FIXTURES / "make_first_files.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _module()
YEAR: int = GEN.YEAR
CODES = {name: code for code, name, _, _ in GEN.UNITS} | {GEN.COMMITTEE[1]: GEN.COMMITTEE[0]}


def plan(store: Store, *paths: Path) -> ImportPlan:
    return plan_import(store, [InputFile(path.name, path) for path in paths])


def import_ok(store: Store, *paths: Path) -> ImportPlan:
    """Import ``paths`` as one upload, checking that the preview is what the commit did."""
    planned = plan(store, *paths)
    with planned:
        problems = [(f.file, i.row, i.key, i.params) for f in planned.files for i in f.issues]
        assert planned.ok, problems
        result = commit_import(store, planned)
        for table in {f.table for f in planned.files}:
            files = [f for f in planned.files if f.table == table]
            counts = result.tables[str(table)]
            assert counts.inserted == sum(f.total("inserted") for f in files), table
            assert counts.replaced == sum(f.total("replaced") for f in files), table
    return planned


def table_rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.snapshot().rows(sql)


def expected_participation() -> list[tuple[object, ...]]:
    rows = []
    for (code, _, _, _), (pe, pc, we, wc) in zip(GEN.UNITS, GEN.FIGURES, strict=True):
        rows += [(YEAR, code, "party_member", pe, pc), (YEAR, code, "worker", we, wc)]
    return sorted(rows)


def expected_events() -> list[tuple[object, ...]]:
    codes = {"Hội nghị": "conference", "Học tập": "class", "Sinh hoạt chuyên đề": "thematic"}
    codes |= {"Sơ kết": "review", "Tổng kết": "final_review"}
    return sorted(
        (
            derive_id("E", day.isoformat(), CODES[unit], title),
            day,
            CODES[unit],
            codes[kind],
            title,
            people,
        )
        for day, unit, kind, title, people in GEN.EVENTS
    )


PARTICIPATION = (
    "SELECT year, unit_id, audience, eligible, completed FROM participation ORDER BY ALL"
)
EVENTS = "SELECT event_id, date, unit_id, event_type, title, attendees FROM events ORDER BY ALL"
AWARDS = (
    "SELECT year, unit_id, recipient_type, recipient_name, award_type, awarding_body FROM awards "
    "ORDER BY ALL"
)


def check_first_day(store: Store) -> None:
    units = table_rows(store, "SELECT unit_id, unit_name, parent_id FROM units ORDER BY 1")
    assert units[0] == (*GEN.COMMITTEE, None)
    assert units[1:] == [(code, name, GEN.COMMITTEE[0]) for code, name, _, _ in GEN.UNITS]
    assert table_rows(store, PARTICIPATION) == expected_participation()
    assert table_rows(store, EVENTS) == expected_events()
    kinds = {"Tập thể": "collective", "Cá nhân": "individual"}
    assert table_rows(store, AWARDS) == sorted(
        (YEAR, CODES[unit], kinds[kind], name, award, body)
        for unit, kind, name, award, body in GEN.AWARDS
    )


FOUR = ["units.csv", "report_2019.csv", "events_2019.xlsx", "awards_2019.txt"]


def test_the_four_first_files_land_one_at_a_time_on_an_empty_store(empty_store: Store) -> None:
    for name in FOUR:
        import_ok(empty_store, FIRST / name)
    check_first_day(empty_store)
    again = plan(empty_store, *(FIRST / name for name in FOUR))
    with again:  # the same files again change nothing
        assert again.ok and not again.changes
        assert commit_import(empty_store, again).commit_id is None


def test_the_four_first_files_land_in_one_upload(empty_store: Store) -> None:
    # the units file last: it is still checked first, since the others name its units
    import_ok(empty_store, *(FIRST / name for name in reversed(FOUR)))
    check_first_day(empty_store)


@pytest.mark.parametrize("suffix", ["xls", "ods", "csv"])
def test_every_format_of_the_report_gives_the_figures_of_the_xlsx(
    empty_store: Store, tmp_path: Path, suffix: str
) -> None:
    import_ok(empty_store, FIRST / "units.csv")
    import_ok(empty_store, FIRST / "report_2019.xlsx")
    from_xlsx = table_rows(empty_store, PARTICIPATION)
    assert from_xlsx == expected_participation()
    other = Store(tmp_path / "other")
    import_ok(other, FIRST / "units.csv")
    planned = import_ok(other, FIRST / f"report_2019.{suffix}")
    assert planned.files[0].kind == ("csv" if suffix == "csv" else suffix)
    assert table_rows(other, PARTICIPATION) == from_xlsx


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_every_format_of_the_events_workbook_gives_the_rows_of_the_xlsx(
    empty_store: Store, suffix: str
) -> None:
    import_ok(empty_store, FIRST / "units.csv", FIRST / f"events_2019.{suffix}")
    assert table_rows(empty_store, EVENTS) == expected_events()


def test_a_workbook_is_read_by_its_content_whatever_its_name(
    empty_store: Store, tmp_path: Path
) -> None:
    misnamed = tmp_path / "events_2019.xlsx"  # an .ods saved under the wrong name
    shutil.copy(FIRST / "events_2019.ods", misnamed)
    planned = import_ok(empty_store, FIRST / "units.csv", misnamed)
    assert planned.files[1].kind == "ods"
    assert table_rows(empty_store, EVENTS) == expected_events()


def test_an_xlsb_is_read_by_calamine(empty_store: Store) -> None:
    # the only .xlsb at hand (python-calamine's own test file) holds no table: it must be read
    # and found to have no header, not refused as a format the importer does not know
    planned = plan(empty_store, FIXTURES / "third_party" / "calamine_base.xlsb")
    with planned:
        assert planned.files[0].kind == "xlsb"
        assert [issue.key for issue in planned.files[0].issues] == ["ingest.no_header"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


UNITS_HEADER = "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\n"


def test_children_before_their_parents_several_levels_deep(
    empty_store: Store, tmp_path: Path
) -> None:
    units = write(
        tmp_path / "units.csv",
        UNITS_HEADER + "C-111,Tổ 1,C-11\nC-11,Chi bộ 1,C-1\nC-1,Đảng bộ 1,C\nC,Đảng ủy,\n",
    )
    import_ok(empty_store, units)
    assert table_rows(empty_store, "SELECT unit_id, parent_id FROM units ORDER BY 1") == [
        ("C", None),
        ("C-1", "C"),
        ("C-11", "C-1"),
        ("C-111", "C-11"),
    ]


def test_parents_in_another_file_of_the_same_upload(empty_store: Store, tmp_path: Path) -> None:
    children = write(tmp_path / "children.csv", UNITS_HEADER + "C-1,Chi bộ 1,C\nC-2,Chi bộ 2,C\n")
    parent = write(tmp_path / "parent.csv", UNITS_HEADER + "C,Đảng ủy,\n")
    import_ok(empty_store, children, parent)
    assert table_rows(empty_store, "SELECT count(*) FROM units") == [(3,)]


def test_a_cycle_is_refused_naming_its_rows(empty_store: Store, tmp_path: Path) -> None:
    units = write(
        tmp_path / "units.csv",
        UNITS_HEADER + "R,Gốc,\nA,Một,C\nB,Hai,A\nC,Ba,B\nD,Dưới vòng,C\n",
    )
    planned = plan(empty_store, units)
    with planned:
        issues = {(issue.row, issue.key): issue for issue in planned.files[0].issues}
        assert set(issues) == {
            (3, "ingest.parent_cycle"),
            (4, "ingest.parent_cycle"),
            (5, "ingest.parent_cycle"),
            (6, "ingest.parent_refused"),
        }
        assert issues[(3, "ingest.parent_cycle")].params["rows"] == "3, 5, 4"
        assert planned.files[0].total("inserted") == 1
        assert planned.files[0].total("rejected") == 4
        result = commit_import(empty_store, planned, skip_invalid=True)
        assert result.tables["units"].inserted == 1
    assert table_rows(empty_store, "SELECT unit_id FROM units") == [("R",)]


def test_a_cycle_through_stored_units_is_refused(empty_store: Store, tmp_path: Path) -> None:
    import_ok(empty_store, write(tmp_path / "a.csv", UNITS_HEADER + "A,Một,\nB,Hai,A\n"))
    planned = plan(empty_store, write(tmp_path / "b.csv", UNITS_HEADER + "A,Một,B\n"))
    with planned:
        assert [issue.key for issue in planned.files[0].issues] == ["ingest.parent_cycle"]


def test_a_child_of_a_refused_or_missing_parent_is_refused(
    empty_store: Store, tmp_path: Path
) -> None:
    units = write(
        tmp_path / "units.csv",
        UNITS_HEADER + "P,,\nP-1,Chi bộ 1,P\nQ-1,Chi bộ 2,Q\nQ-11,Tổ 1,Q-1\n",
    )
    planned = plan(empty_store, units)
    with planned:
        keys = sorted((issue.row or 0, issue.key) for issue in planned.files[0].issues)
        assert keys == [
            (2, "ingest.required"),  # P has no name
            (3, "ingest.parent_refused"),
            (4, "ingest.unknown_parent"),
            (5, "ingest.parent_refused"),
        ]
        assert planned.files[0].total("inserted") == 0


EVENTS_BY_NAME = (
    "Ngày,Đơn vị,Hình thức,Nội dung\n20/02/2019,Đảng ủy Khối,Hội nghị,Quán triệt\n"
    "21/02/2019,Chi bộ Một,Học tập,Lớp học\n"
)


def test_events_naming_their_units_without_ids(empty_store: Store, tmp_path: Path) -> None:
    units = write(
        tmp_path / "units.csv", UNITS_HEADER + "HO-00,Đảng ủy Khối,\nHO-01,Chi bộ Một,HO-00\n"
    )
    events = write(tmp_path / "events.csv", EVENTS_BY_NAME)
    import_ok(empty_store, units)
    import_ok(empty_store, events)
    assert table_rows(empty_store, "SELECT event_id, unit_id FROM events ORDER BY 2") == [
        (derive_id("E", "2019-02-20", "HO-00", "Quán triệt"), "HO-00"),
        (derive_id("E", "2019-02-21", "HO-01", "Lớp học"), "HO-01"),
    ]
    again = plan(empty_store, events)
    with again:
        assert again.files[0].total("unchanged") == 2 and not again.changes


def test_a_target_by_unit_name_and_one_for_the_whole_organisation(
    empty_store: Store, tmp_path: Path
) -> None:
    units = write(tmp_path / "units.csv", UNITS_HEADER + "HO-00,Đảng ủy Khối,\n")
    targets = write(
        tmp_path / "targets.csv",
        "Năm,Đối tượng,Chỉ tiêu (%),Tên đơn vị\n2019,Đảng viên,95,\n2019,Đảng viên,97,Đảng ủy Khối\n",
    )
    import_ok(empty_store, units, targets)
    assert table_rows(
        empty_store, "SELECT unit_id, target_rate FROM targets ORDER BY 1 NULLS FIRST"
    ) == [(None, 95.0), ("HO-00", 97.0)]


def test_two_files_giving_one_key_different_figures_are_refused_at_preview(
    empty_store: Store, tmp_path: Path
) -> None:
    units = write(tmp_path / "units.csv", UNITS_HEADER + "A,Một,\n")
    header = "Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập\n"
    first = write(tmp_path / "first.csv", header + "2019,A,Đảng viên,10,9\n")
    second = write(tmp_path / "second.csv", header + "2019,A,Đảng viên,10,8\n")
    same = write(tmp_path / "same.csv", header + "2019,A,Đảng viên,10,9\n")
    planned = plan(empty_store, units, first, second)
    with planned:
        keys = [(f.file, [i.key for i in f.issues]) for f in planned.files]
        assert keys == [
            ("units.csv", []),
            ("first.csv", ["ingest.conflict_across_files"]),
            ("second.csv", ["ingest.conflict_across_files"]),
        ]
        assert planned.files[1].issues[0].params["others"] == "second.csv (2)"
    import_ok(empty_store, units, first, same)  # the same figures twice are one row
    assert table_rows(empty_store, PARTICIPATION) == [(2019, "A", "party_member", 10, 9)]


def test_a_workbook_problem_names_the_row_excel_shows(empty_store: Store, tmp_path: Path) -> None:
    """Row numbers in messages are the sheet's own, title rows included (the round trip of
    valid files cannot see them)."""
    from openpyxl import load_workbook

    workbook = load_workbook(FIRST / "events_2019.xlsx")
    sheet = workbook.active
    assert sheet is not None
    sheet["D8"] = "Không rõ"  # "Hình thức" of the fourth event, Excel row 8
    broken = tmp_path / "events_2019.xlsx"
    workbook.save(broken)
    import_ok(empty_store, FIRST / "units.csv")
    planned = plan(empty_store, broken)
    with planned:
        assert [(issue.row, issue.key) for issue in planned.files[0].issues] == [
            (8, "ingest.unknown_code")
        ]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_each_cell_is_read_as_its_own_format_shows_it_past_the_first_thousand_rows(
    empty_store: Store, tmp_path: Path, kind: str
) -> None:
    """A target column of plain numbers (95, 0.5) with percent-formatted cells (0.955 shown
    as 95.5 %) among them, the last one far below the first thousand rows."""
    from openpyxl import Workbook

    from tests.support.office_files import convert_workbooks

    codes = [f"U{number:04d}" for number in range(1_500)]
    units = write(
        tmp_path / "units.csv", UNITS_HEADER + "".join(f"{c},Chi bộ {c},\n" for c in codes)
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Năm", "Mã đơn vị", "Đối tượng", "Chỉ tiêu (%)"])
    shown: dict[str, float] = {}
    for number, code in enumerate(codes):
        percent = number % 7 == 3 or number == 1_400
        value = 0.955 if percent else (0.5 if number % 2 else 95)
        sheet.append([2019, code, "Đảng viên", value])
        if percent:
            sheet.cell(row=number + 2, column=4).number_format = "0.0%"
        shown[code] = 95.5 if percent else float(value)
    xlsx = tmp_path / "targets.xlsx"
    workbook.save(xlsx)
    path = xlsx
    if kind != "xlsx":
        path = tmp_path / f"targets.{kind}"
        path.write_bytes(convert_workbooks([xlsx.read_bytes()], kind)[0])
    import_ok(empty_store, units, path)
    stored = dict(table_rows(empty_store, "SELECT unit_id, target_rate FROM targets"))
    assert stored == pytest.approx(shown)
