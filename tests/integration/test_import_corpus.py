"""The import corpus: one small file per quirk an office's file has, each with its exact outcome.

Every file in ``tests/fixtures/import`` (written by ``tests/fixtures/make_import_fixtures.py``)
is planned with the real ``plan_import`` against a real store holding the demo data, and the
outcome is compared exactly: the table, the encoding, the rows read, the new / replaced /
unchanged / rejected counts, the (row, column as the file names it, message key) of every
problem and the keys of the warnings. A clean file is then committed and the stored rows are
checked; a refused one must leave the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import dashkit.ingest
from dashkit.demo import write_demo
from dashkit.errors import DataError
from dashkit.i18n import LANGUAGES, catalog_keys
from dashkit.ingest import ImportOptions, ImportPlan, InputFile, Limits, commit_import, plan_import
from dashkit.ingest.transform import DUPLICATE_KEYS
from dashkit.metrics import year_kpis
from dashkit.queries import Scope
from dashkit.schema import TABLES
from dashkit.store import Store, history, undo
from tests.support.stores import copy_store, tree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = FIXTURES / "import"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_import_fixtures", FIXTURES / "make_import_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
NAMES: dict[str, str] = GEN.NAMES
TOPIC: str = GEN.TOPIC
PM, WK = "party_member", "worker"

PART_2019 = (
    "SELECT year, unit_id, audience, eligible, completed, topic FROM participation "
    "WHERE year = 2019 ORDER BY ALL"
)
EVENTS_2019 = (
    "SELECT date, unit_id, event_type, title, audience, attendees FROM events "
    "WHERE year(date) = 2019 ORDER BY ALL"
)
PLAIN_2019 = (
    (2019, "CS001", PM, 6, 6, TOPIC),
    (2019, "CS001", WK, 325, 300, TOPIC),
    (2019, "CS002", PM, 12, 11, TOPIC),
    (2019, "CS002", WK, 270, 251, TOPIC),
)
BY_NAME_2019 = (
    (2019, "CS001", PM, 6, 6, None),
    (2019, "CS002", WK, 270, 251, None),
    (2019, "CS003", PM, 4, 4, None),
)
REPORT_2019 = (
    (2019, "CS001", PM, 6, 6, None),
    (2019, "CS001", WK, 325, 300, None),
    (2019, "CS002", PM, 12, 11, None),
    (2019, "CS002", WK, 270, 251, None),
    (2019, "CS003", PM, 4, 4, None),
    (2019, "CS003", WK, 150, 120, None),
)

Problem = tuple[int | None, str | None, str]  # (row, column as the file names it, message key)


@dataclass(frozen=True)
class Case:
    file: str
    table: str | None
    encoding: str | None
    rows_read: int
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: frozenset[Problem] = frozenset()
    warnings: tuple[str, ...] = ()  # message keys, each as often as it is given (any order)
    stored: tuple[tuple[Any, ...], ...] | None = None  # rows of ``query`` after the commit
    query: str = PART_2019
    limits: Limits | None = None
    id: str | None = None

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def problems(*items: Problem) -> frozenset[Problem]:
    return frozenset(items)


CASES: tuple[Case, ...] = (
    # -- encodings, delimiters, line ends -------------------------------------------------
    Case("utf8_comma_lf.csv", "participation", "utf-8", 4, inserted=4, stored=PLAIN_2019),
    Case(
        "utf8_bom_semicolon_crlf.csv",
        "participation",
        "utf-8-sig",
        4,
        inserted=4,
        stored=PLAIN_2019,
    ),
    Case("utf16_unicode_text.txt", "participation", "utf-16", 4, inserted=4, stored=PLAIN_2019),
    Case(
        "cp1258_names_tab.csv",
        "participation",
        "cp1258",
        2,
        inserted=2,
        stored=((2019, "CS001", PM, 6, 6, TOPIC), (2019, "CS002", WK, 270, 251, TOPIC)),
    ),
    Case(
        "cp1252_western.csv",
        "participation",
        "cp1252",
        2,
        inserted=2,
        stored=(
            (2019, "CS001", PM, 6, 6, "Éducation civique : leçon n° 1 « À côté »"),
            (2019, "CS002", PM, 12, 11, "Économie d’entreprise – façade, crème brûlée"),
        ),
    ),
    Case("pipe_crlf.csv", "participation", "utf-8", 4, inserted=4, stored=PLAIN_2019),
    Case("small.xlsx", "participation", None, 2, inserted=2, stored=PLAIN_2019[:2]),
    Case("trailing_delimiter.csv", "participation", "utf-8", 4, inserted=4, stored=PLAIN_2019),
    # -- title lines and the office report layout -----------------------------------------
    Case("title_lines.csv", "participation", "utf-8", 4, inserted=4, stored=PLAIN_2019),
    Case(
        "report_layout.csv",
        "participation",
        "utf-8-sig",
        3,
        inserted=6,
        warnings=("ingest.totals_row",),
        stored=REPORT_2019,
    ),
    Case(
        "report_layout.xlsx",
        "participation",
        None,
        3,
        inserted=6,
        warnings=("ingest.totals_row",),
        stored=REPORT_2019,
    ),
    # the 2018 figures as stored, without the topics: nothing changes, no topic is erased
    Case("report_layout_2018_same.csv", "participation", "utf-8", 2, unchanged=4, stored=()),
    # -- totals and blank rows ------------------------------------------------------------
    Case(
        "totals_and_blank_rows.csv",
        "participation",
        "utf-8",
        2,
        inserted=2,
        warnings=("ingest.blank_rows", "ingest.totals_row", "ingest.totals_row"),
        stored=(PLAIN_2019[0], PLAIN_2019[2]),
    ),
    # -- units by name; NFD; spacing and case ---------------------------------------------
    Case("units_by_name.csv", "participation", "utf-8", 3, inserted=3, stored=BY_NAME_2019),
    Case("nfd_names.csv", "participation", "utf-8", 3, inserted=3, stored=BY_NAME_2019),
    Case(
        "units_by_name_spacing.csv",
        "participation",
        "utf-8",
        3,
        inserted=3,
        stored=(
            (2019, "CS001", PM, 6, 6, None),
            (2019, "CS002", PM, 12, 11, None),
            (2019, "CS003", PM, 4, 4, None),
        ),
    ),
    # -- Vietnamese numbers and dates -----------------------------------------------------
    Case(
        "vietnamese_numbers.csv",
        "participation",
        "utf-8",
        4,
        inserted=4,
        stored=(
            (2019, "CS001", WK, 1234, 1203, None),
            (2019, "CS002", WK, 2000, 1950, None),
            (2019, "CS003", WK, 40, 39, None),
            (2019, "CS004", WK, 1500, 1125, None),
        ),
    ),
    Case(
        "events_dates.csv",
        "events",
        "utf-8",
        3,
        inserted=3,
        query=EVENTS_2019,
        stored=(
            (
                dt.date(2019, 3, 5),
                "CS002",
                "class",
                "Lớp học tập chuyên đề cho đảng viên",
                None,
                12,
            ),
            (
                dt.date(2019, 5, 15),
                "CS001",
                "conference",
                "Hội nghị quán triệt chuyên đề năm 2019",
                None,
                1234,
            ),
            (dt.date(2019, 6, 1), "CS003", "thematic", "Sinh hoạt chuyên đề quý 2/2019", None, 9),
        ),
    ),
    Case(
        "events_dates.xlsx",
        "events",
        None,
        3,
        inserted=3,
        query=EVENTS_2019,
        stored=(
            (dt.date(2019, 4, 2), "CS001", "final_review", "Tổng kết năm học", None, 40),
            (dt.date(2019, 7, 20), "CS003", "other", "Tọa đàm", None, 12),
            (dt.date(2019, 9, 10), "CS002", "conference", "Hội nghị sơ kết 6 tháng", None, 35),
        ),
    ),
    # -- replacing and keeping earlier figures --------------------------------------------
    Case(
        "replace_2018.csv",
        "participation",
        "utf-8",
        3,
        inserted=1,
        replaced=1,
        unchanged=1,
        stored=((2019, "CS003", PM, 4, 4, TOPIC),),
    ),
    # -- a file with nothing in it: a warning, not a problem ------------------------------
    Case("header_only.csv", "participation", "utf-8", 0, warnings=("ingest.no_data_rows",)),
    # -- problems: refused, each named by row, column and key -----------------------------
    Case(
        "error_unknown_unit_code.csv",
        "participation",
        "utf-8",
        2,
        inserted=1,
        rejected=1,
        problems=problems((3, "Mã đơn vị", "ingest.unknown_unit")),
    ),
    Case(
        "error_unknown_unit_name.csv",
        "participation",
        "utf-8",
        2,
        inserted=1,
        rejected=1,
        problems=problems((3, "Tên đơn vị", "ingest.unknown_unit_name")),
    ),
    Case(
        "error_duplicate_conflict.csv",
        "participation",
        "utf-8",
        4,
        inserted=1,
        rejected=2,
        problems=problems(
            (2, None, "ingest.duplicate_conflict"), (3, None, "ingest.duplicate_conflict")
        ),
        warnings=("ingest.identical_duplicates",),
    ),
    Case(
        "error_completed_gt_eligible.csv",
        "participation",
        "utf-8",
        2,
        inserted=1,
        rejected=1,
        problems=problems((3, "Đã học tập", "check.completed_le_eligible")),
    ),
    Case(
        "error_rate_mismatch.csv",
        "participation",
        "utf-8",
        3,
        inserted=1,
        rejected=2,
        problems=problems(
            (3, "Tỷ lệ (%)", "ingest.rate_mismatch"), (4, "Tỷ lệ (%)", "ingest.rate_mismatch")
        ),
    ),
    Case(
        "error_not_a_number.csv",
        "participation",
        "utf-8",
        3,
        rejected=3,
        problems=problems(
            (2, "Tổng số", "ingest.not_integer"),
            (3, "Đã học tập", "ingest.not_integer"),
            (4, "Tỷ lệ (%)", "ingest.not_number"),
        ),
    ),
    Case(
        "error_ragged_row.csv",
        "participation",
        "utf-8",
        3,
        inserted=2,
        rejected=2,
        problems=problems(
            (6, None, "ingest.wrong_cell_count"), (7, "Mã đơn vị", "ingest.unknown_unit")
        ),
        warnings=("ingest.blank_rows",),
    ),
    Case(
        "new_unit_participation.csv",
        "participation",
        "utf-8",
        2,
        rejected=2,
        problems=problems(
            (2, "Mã đơn vị", "ingest.unknown_unit"), (3, "Mã đơn vị", "ingest.unknown_unit")
        ),
        id="new_unit_participation.csv-alone",
    ),
    Case(
        "error_missing_column.csv",
        "participation",
        "utf-8",
        2,
        rejected=2,
        problems=problems((None, None, "ingest.missing_column")),
    ),
    Case("error_empty.csv", None, None, 0, problems=problems((None, None, "ingest.empty_file"))),
    Case("error_junk_bytes.csv", None, None, 0, problems=problems((None, None, "ingest.not_text"))),
    Case(
        "error_old_excel.xls",
        None,
        None,
        0,
        problems=problems((None, None, "ingest.bad_workbook")),
    ),
    Case(
        "error_truncated.xlsx",
        None,
        None,
        0,
        problems=problems((None, None, "ingest.bad_workbook")),
    ),
    Case(
        "error_dimension_huge.xlsx",
        None,
        None,
        0,
        problems=problems((None, None, "ingest.too_many_rows")),
    ),
    Case(
        "report_layout.xlsx",
        None,
        None,
        0,
        problems=problems((None, None, "ingest.too_many_rows")),
        limits=Limits(max_rows=5),
        id="report_layout.xlsx-max_rows=5",
    ),
    Case(
        "utf8_comma_lf.csv",
        "participation",
        "utf-8",
        0,
        problems=problems((None, None, "ingest.too_many_rows")),
        limits=Limits(max_rows=3),
        id="utf8_comma_lf.csv-max_rows=3",
    ),
)


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_copy_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("import-corpus") / "demo"
    write_demo(Store(root))
    return root


@pytest.fixture
def store(demo_copy_source: Path, tmp_path: Path) -> Store:
    """A store of its own holding the demo data (a copy: cheaper than writing it again)."""
    root = tmp_path / "data"
    copy_store(demo_copy_source, root)
    return Store(root)


def plan(
    store: Store, *names: str, limits: Limits | None = None, table: str | None = None
) -> ImportPlan:
    options = ImportOptions(table=table, limits=limits or Limits())
    return plan_import(store, [InputFile(name, CORPUS / name) for name in names], options)


def outcome(file_plan: Any) -> dict[str, Any]:
    return {
        "table": file_plan.table,
        "encoding": file_plan.encoding,
        "rows_read": file_plan.rows_read,
        "inserted": file_plan.total("inserted"),
        "replaced": file_plan.total("replaced"),
        "unchanged": file_plan.total("unchanged"),
        "rejected": file_plan.total("rejected"),
        "problems": {(issue.row, issue.header, issue.key) for issue in file_plan.issues},
        "problem_count": file_plan.issue_count,
        "warnings": Counter(key for key, _ in file_plan.warnings),
    }


# -- the corpus ------------------------------------------------------------------------------


def content(path: Path) -> object:
    """A file's bytes; a whole workbook's unpacked entries (zlib builds compress differently)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    if path.suffix == ".xlsx":  # the cut workbook: its bytes depend on the compressor
        return ("cut", data[:4])
    return data


def test_the_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = {path.name: content(path) for path in GEN.write_corpus(tmp_path / "again")}
    committed = {path.name: content(path) for path in CORPUS.iterdir()}
    assert sorted(written) == sorted(committed), "run tests/fixtures/make_import_fixtures.py"
    for name, data in written.items():
        assert data == committed[name], f"{name} differs: run make_import_fixtures.py"


def test_the_corpus_names_demo_units() -> None:
    for unit in ("CS001", "CS002", "CS003", "CS004"):
        assert NAMES[unit].startswith(("Chi bộ", "Đảng bộ"))
    assert "CS080" not in NAMES and "CS999" not in NAMES


def test_every_corpus_file_has_a_case() -> None:
    covered = {case.file for case in CASES} | {"new_unit_units.csv"}
    assert covered == {path.name for path in CORPUS.iterdir()}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id or case.file)
def test_corpus_file(case: Case, store: Store) -> None:
    before_version, before_files = store.version(), tree(store.root)
    with plan(store, case.file, limits=case.limits) as planned:
        (file_plan,) = planned.files
        assert outcome(file_plan) == {
            "table": case.table,
            "encoding": case.encoding,
            "rows_read": case.rows_read,
            "inserted": case.inserted,
            "replaced": case.replaced,
            "unchanged": case.unchanged,
            "rejected": case.rejected,
            "problems": set(case.problems),
            "problem_count": len(case.problems),
            "warnings": Counter(case.warnings),
        }
        assert planned.ok is not case.refused
        assert store.version() == before_version  # planning never writes
        if case.refused:
            with pytest.raises(DataError) as refused:
                commit_import(store, planned)
            assert refused.value.key == "ingest.refused"
            assert refused.value.params == {"problems": len(case.problems)}
            assert store.version() == before_version
            assert tree(store.root) == before_files
            return
        result = commit_import(store, planned)
    if case.table is None:
        return
    changed = case.inserted or case.replaced
    assert (result.commit_id is not None) == bool(changed)
    counts = result.tables[case.table]
    if changed:
        assert (counts.inserted, counts.replaced) == (case.inserted, case.replaced)
        assert store.version() == before_version + 1
    else:
        assert store.version() == before_version
        assert tree(store.root) == before_files
    if case.stored is not None:
        assert tuple(store.snapshot().rows(case.query)) == case.stored


def test_problem_details_name_the_value_and_figures(store: Store) -> None:
    with plan(
        store,
        "error_rate_mismatch.csv",
        "error_duplicate_conflict.csv",
        "error_dimension_huge.xlsx",
        "error_ragged_row.csv",
    ) as planned:
        rate, duplicate, huge, ragged = (file_plan.issues for file_plan in planned.files)
    assert [(issue.value, issue.params) for issue in rate] == [
        ("93,5", {"computed": 93.0}),
        ("85", {"computed": 80.0}),
    ]
    assert [issue.params for issue in duplicate] == [{"rows": "3"}, {"rows": "2"}]
    assert [issue.params for issue in huge] == [
        {"file": "error_dimension_huge.xlsx", "limit": 1_048_576}
    ]
    assert ragged[0].params == {"cells": 7, "expected": 6}
    assert ragged[0].value is not None and ragged[0].value.endswith(",thừa")


# -- several files, repeated imports, undo, valid rows only ----------------------------------


def test_a_new_unit_and_its_figures_import_together(store: Store) -> None:
    with plan(store, "new_unit_participation.csv", "new_unit_units.csv") as planned:
        assert planned.ok
        by_file = {file_plan.file: outcome(file_plan) for file_plan in planned.files}
        assert [file_plan.file for file_plan in planned.files] == [
            "new_unit_participation.csv",
            "new_unit_units.csv",
        ]  # reported in the order given, checked units first
        assert by_file["new_unit_units.csv"]["table"] == "units"
        assert by_file["new_unit_units.csv"]["inserted"] == 1
        assert by_file["new_unit_participation.csv"]["inserted"] == 2
        assert by_file["new_unit_participation.csv"]["problems"] == set()
        result = commit_import(store, planned)
    assert result.commit_id is not None
    assert result.tables["units"].inserted == 1
    assert result.tables["participation"].inserted == 2
    snapshot = store.snapshot()
    assert snapshot.rows(
        "SELECT unit_id, unit_name, parent_id, unit_type, active_from FROM units "
        "WHERE unit_id = 'CS080'"
    ) == [("CS080", "Chi bộ Công ty TNHH Cơ khí Sông Hậu", "DU-KCX", "Doanh nghiệp tư nhân", 2019)]
    assert snapshot.rows(
        "SELECT audience, eligible, completed FROM participation WHERE unit_id = 'CS080' "
        "ORDER BY audience"
    ) == [(PM, 5, 5), (WK, 120, 100)]
    entry = history(store)[0]
    assert (entry.commit_id, entry.op) == (result.commit_id, "import")
    assert set(entry.tables) == {"units", "participation"}


def test_the_same_file_twice_changes_nothing_the_second_time(store: Store) -> None:
    with plan(store, "report_layout.xlsx") as first:
        assert commit_import(store, first).commit_id is not None
    version, files = store.version(), tree(store.root)
    with plan(store, "report_layout.xlsx") as second:
        (file_plan,) = second.files
        assert (file_plan.total("inserted"), file_plan.total("unchanged")) == (0, 6)
        assert not second.changes
        result = commit_import(store, second)
    assert result.commit_id is None
    assert store.version() == version
    assert tree(store.root) == files


def test_undo_restores_the_earlier_figures(store: Store) -> None:
    before = year_kpis(store.snapshot(), 2018, Scope()).participation[PM]
    with plan(store, "replace_2018.csv") as planned:
        result = commit_import(store, planned)
    assert result.commit_id is not None
    changed = year_kpis(store.snapshot(), 2018, Scope()).participation[PM]
    assert (changed.eligible, changed.completed) == (before.eligible, before.completed - 3)
    undo(store, result.commit_id)
    after = year_kpis(store.snapshot(), 2018, Scope()).participation[PM]
    assert after == before
    assert store.snapshot().scalar("SELECT count(*) FROM participation WHERE year = 2019") == 0
    assert history(store)[1].undone


def test_skip_invalid_imports_the_valid_rows_only(store: Store) -> None:
    with plan(store, "error_unknown_unit_code.csv", "error_rate_mismatch.csv") as planned:
        assert not planned.ok
        result = commit_import(store, planned, skip_invalid=True)
    assert result.commit_id is not None
    assert store.snapshot().rows(
        "SELECT unit_id, audience, eligible, completed FROM participation WHERE year = 2019 "
        "ORDER BY ALL"
    ) == [("CS001", PM, 6, 6), ("CS001", WK, 325, 300)]
    assert result.tables["participation"].inserted == 2


def test_skip_invalid_with_an_unreadable_file_imports_the_other_files(store: Store) -> None:
    with plan(store, "error_empty.csv", "pipe_crlf.csv") as planned:
        assert [file_plan.ok for file_plan in planned.files] == [False, True]
        with pytest.raises(DataError):
            commit_import(store, planned)
        result = commit_import(store, planned, skip_invalid=True)
    assert result.tables["participation"].inserted == 4
    assert tuple(store.snapshot().rows(PART_2019)) == PLAIN_2019


def test_a_file_with_only_invalid_rows_writes_nothing_even_when_skipping(store: Store) -> None:
    version, files = store.version(), tree(store.root)
    with plan(store, "error_not_a_number.csv") as planned:
        result = commit_import(store, planned, skip_invalid=True)
    assert result.commit_id is None
    assert store.version() == version and tree(store.root) == files


def test_a_forced_table_the_file_does_not_fit_is_refused(store: Store) -> None:
    with plan(store, "events_dates.csv", "utf8_comma_lf.csv", table="events") as planned:
        events, participation = planned.files
        assert events.ok and events.total("inserted") == 3
        assert [(issue.row, issue.column, issue.key) for issue in participation.issues] == [
            (None, "date", "ingest.missing_column"),
            (None, "event_type", "ingest.missing_column"),
            (None, "title", "ingest.missing_column"),
        ]
        assert (participation.rows_read, participation.total("rejected")) == (4, 4)
        assert Counter(key for key, _ in participation.warnings) == {"ingest.column_ignored": 4}
    with plan(store, "events_dates.csv", table="participation") as planned:
        assert [(issue.key, issue.params) for issue in planned.files[0].issues] == [
            (
                "ingest.no_header",
                {
                    "file": "events_dates.csv",
                    "first_row": "Ngày | Mã đơn vị | Hình thức | Nội dung | Số người tham dự",
                },
            )
        ]


def test_every_message_key_the_importer_gives_is_in_both_catalogues() -> None:
    source = Path(dashkit.ingest.__file__).resolve().parent
    keys = {
        match
        for path in source.glob("*.py")
        for match in re.findall(r"""["']((?:ingest|check)\.[a-z_]+)["']""", path.read_text())
    }
    keys |= set(DUPLICATE_KEYS.values())
    keys |= {f"check.{check.name}" for table in TABLES.values() for check in table.range_checks()}
    assert {"ingest.missing_column", "ingest.no_data_rows", "check.completed_le_eligible"} <= keys
    for language in LANGUAGES:
        missing = sorted(key for key in keys if f"error.{key}" not in catalog_keys(language))
        assert not missing, f"{language} lacks {missing}"
