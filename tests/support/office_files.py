"""Random valid datasets, and the files an office would send for them (hypothesis strategies).

Contract:

- ``datasets()`` draws a valid ``Dataset``: a unit hierarchy of 1-4 levels with Vietnamese
  names, participation figures for several years and both audiences, events and awards with
  and without ids, targets with and without a unit. Every text is NFC and trimmed (what the
  store keeps); keys are unique, and so are the natural keys of the rows without an id.
- ``uploads(dataset)`` draws the files (``OfficeFile``) that together carry exactly that
  dataset, each in a randomly drawn shape: units by code or by name (by name only when the
  units' name keys are unique), ids present or absent, any row and column order, canonical /
  Vietnamese / alias headers, CSV in UTF-8 (with or without BOM), UTF-16, Windows-1258 and
  Windows-1252 (only when the text fits), any delimiter and line end, XLSX, XLS and ODS
  (converted from the XLSX by LibreOffice), title lines, the office report layout,
  totals and blank rows, Vietnamese number, date and rate styles, Excel date cells and
  numbers written as text. Each file knows what the importer should make of it: its table,
  and whether its check may take the clean-file shortcut (``expects_fast``).
- ``write_upload(upload, directory)`` writes the files (one LibreOffice run per target
  format and upload, cached by content) and returns their paths in the upload's order.
- ``expected_rows(dataset)`` are the rows the store must hold once every file is imported
  into an empty store: per table, the contract's stored columns, in a canonical order.
- ``save_case`` / ``load_case``: a regression case on disk, plain files and a ``case.json``
  of the import steps and the expected rows (see ``tests/fixtures/regression/README.md``).

Nothing here imports files or looks at a store: the tests do (``tests/property``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

from hypothesis import strategies as st

from dashkit.ingest.headers import ALIASES, AUDIENCE_BY_FOLD
from dashkit.ingest.text import fold, is_totals_label, name_key
from dashkit.schema import CODE_ALIASES, IGNORED_HEADERS, TABLES, ColumnKind, derive_id

Cell: TypeAlias = "str | int | float | dt.date | PercentCell | None"
Row: TypeAlias = tuple[Any, ...]

SOFFICE = shutil.which("soffice")
# Shapes to leave out, for a run that hunts other bugs while these have a known one:
# "line_breaks" (header and title cells with a line break), "percent_cells" (workbook rates
# typed as percentages), "crowded_report_headers" (a report with more than three shared
# header cells in its top row). Default: none left out.
WITHOUT = frozenset(filter(None, os.environ.get("DASHKIT_ROUNDTRIP_WITHOUT", "").split(",")))
FORMATS_ALL = ("csv", "xlsx", "xls", "ods") if SOFFICE else ("csv", "xlsx")
WORKBOOKS = ("xlsx", "xls", "ods")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "cp1252")
DELIMITERS = (",", ";", "\t", "|")
NEWLINES = ("\n", "\r\n")
FIRST_YEAR, LAST_YEAR = 2016, 2024
EXCEL_EPOCH = dt.date(1899, 12, 30)
# The five Vietnamese tone marks; Windows-1258 writes them as combining characters after the
# base letter (as tests/fixtures/make_import_fixtures.py does).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
TOTALS_WORDS = ("Tổng cộng", "TỔNG CỘNG", "Cộng", "Tổng", "Total")
STT_HEADERS = ("STT", "TT", "Số TT", "Số thứ tự")
NOTES_HEADERS = ("Ghi chú",)
NOTES = ("", "", "Đã báo cáo", "Bổ sung sau", "Số liệu quý IV", "Theo danh sách kèm theo")
ORG_TITLES = (
    "ĐẢNG ỦY CÁC KHU CHẾ XUẤT VÀ CÔNG NGHIỆP CẦN THƠ",
    "ĐẢNG BỘ KHỐI DOANH NGHIỆP",
    "BAN TUYÊN GIÁO",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Cần Thơ, ngày 15 tháng 12",
)
REPORT_TITLES = (
    "BÁO CÁO KẾT QUẢ HỌC TẬP NĂM {year}",
    "Báo cáo kết quả học tập, quán triệt năm {year}",
    "KẾT QUẢ HỌC TẬP CHUYÊN ĐỀ NĂM {year}",
)
PLAIN_TITLES = (
    "DANH SÁCH ĐƠN VỊ",
    "DANH SÁCH HOẠT ĐỘNG",
    "DANH SÁCH KHEN THƯỞNG",
    "CHỈ TIÊU HỌC TẬP",
    "(Kèm theo công văn số 12-CV/ĐU)",
)

# -- text -------------------------------------------------------------------------------------

ONSETS = (
    *("", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh"),
    *("ph", "qu", "s", "t", "th", "tr", "v", "x"),
)
NUCLEI = (
    *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "âu", "ây"),
    *("oa", "oi", "ôi", "ơi", "ua", "ưa", "uy", "ươ", "iê", "uô", "yê"),
)
CODAS = ("", "", "c", "ch", "m", "n", "ng", "nh", "p", "t")
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
UNIT_PREFIXES = (
    *("Chi bộ", "Đảng bộ", "Đảng bộ bộ phận", "Chi bộ Công ty", "Đảng bộ Công ty"),
    *("Chi bộ Trường", "Chi bộ cơ sở", "Tổ đảng"),
)
# Names a Western code page can write (Windows-1252 holds à á â ã è é ê ì í ò ó ô õ ù ú ý):
# an enterprise's name, with English headers and coded values, makes a file that fits it.
LATIN_PREFIXES = ("Công ty", "Công ty TNHH", "Nhà máy")
LATIN_WORDS: tuple[str, ...] = (
    *("Hòa", "Bình", "An", "Phú", "Tân", "Long", "Sài Gòn", "Tây", "Nam", "Lâm", "Châu"),
    *("Mê Kông", "Hà", "Tín", "Thái", "Gia", "Vàm", "Cái", "Bè", "Tú", "Hùng"),
)
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
EVENT_PREFIXES = ("Hội nghị", "Lớp học tập", "Sinh hoạt chuyên đề", "Tọa đàm", "Học tập")
TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nghị quyết Đại hội XIII của Đảng",
    "Chuyên đề năm về xây dựng Đảng",
)
UNIT_TYPES = (
    "Doanh nghiệp nhà nước",
    "Doanh nghiệp tư nhân",
    "Doanh nghiệp có vốn đầu tư nước ngoài",
    "Đơn vị sự nghiệp",
)
UNIT_GROUPS = ("Khu chế xuất Tân Thuận", "Khu công nghiệp Trà Nóc", "Khu A", "Nhóm 2")
AWARD_TYPES = ("Giấy khen", "Bằng khen", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến")
AWARDING_BODIES = ("Đảng ủy Khu", "Ban Thường vụ Thành ủy", "Ủy ban nhân dân Thành phố")

# Every header text of every table, folded: a data cell that reads as one could be taken for
# a header (a row of them would be), so drawn texts never do.
_HEADER_FOLDS = frozenset(key for index in ALIASES.values() for key in index) | frozenset(
    fold(text) for text in IGNORED_HEADERS
)


def _rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True once in ``one_in`` draws; shrinks to False (the simpler file)."""
    return draw(st.integers(1, one_in)) == one_in


def _usable(text: str) -> bool:
    """A drawn text that cannot be read as anything but a value: not a totals label, not a
    header or an audience word, not empty."""
    key = fold(text)
    return (
        bool(key) and not is_totals_label(text) and key not in _HEADER_FOLDS | set(AUDIENCE_BY_FOLD)
    )


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """One Vietnamese syllable with a tone mark (NFC)."""
    onset = draw(st.sampled_from(ONSETS))
    nucleus = draw(st.sampled_from(NUCLEI))
    coda = draw(st.sampled_from(CODAS))
    tone = draw(st.sampled_from(TONES))
    at = 1 if len(nucleus) > 1 and coda else 0
    return unicodedata.normalize("NFC", onset + nucleus[: at + 1] + tone + nucleus[at + 1 :] + coda)


def words(min_size: int = 1, max_size: int = 3) -> st.SearchStrategy[str]:
    """Vietnamese words, each capitalised or not."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        count = draw(st.integers(min_size, max_size))
        parts = []
        for _ in range(count):
            syllable = draw(syllables())
            parts.append(syllable[:1].upper() + syllable[1:] if draw(st.booleans()) else syllable)
        return " ".join(parts)

    return build()


def _prefixed(prefixes: Sequence[str], min_words: int = 1) -> st.SearchStrategy[str]:
    return st.builds(
        lambda prefix, rest: f"{prefix} {rest}", st.sampled_from(prefixes), words(min_words, 3)
    ).filter(_usable)


def latin_names() -> st.SearchStrategy[str]:
    return st.builds(
        lambda prefix, rest: f"{prefix} {' '.join(rest)}",
        st.sampled_from(LATIN_PREFIXES),
        st.lists(st.sampled_from(LATIN_WORDS), min_size=1, max_size=3),
    ).filter(_usable)


def unit_names() -> st.SearchStrategy[str]:
    return st.one_of(_prefixed(UNIT_PREFIXES), latin_names())


def free_texts(listed: Sequence[str]) -> st.SearchStrategy[str]:
    """One of ``listed`` (as offices write them) or random Vietnamese words."""
    return st.one_of(st.sampled_from(listed), words(2, 4).filter(_usable))


def person_names() -> st.SearchStrategy[str]:
    return st.builds(
        lambda family, given: f"{family} {given.title()}",
        st.sampled_from(FAMILY_NAMES),
        words(1, 2),
    ).filter(_usable)


def unit_codes() -> st.SearchStrategy[str]:
    """Codes as offices write them: CS001, DU-KCX.2, cb12, 0042."""
    return st.one_of(
        st.from_regex(r"[A-Z]{1,3}[-_.]?[0-9]{1,4}", fullmatch=True),
        st.from_regex(r"[A-Za-z]{2,4}[0-9]{1,3}", fullmatch=True),
        st.from_regex(r"[0-9]{2,5}", fullmatch=True),
    ).filter(lambda code: not is_totals_label(code))


# -- the dataset ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    unit_id: str
    unit_name: str
    parent_id: str | None = None
    unit_type: str | None = None
    unit_group: str | None = None
    active_from: int | None = None
    active_to: int | None = None
    level: int = 1  # 1 for a root (not stored)


@dataclass(frozen=True)
class Figure:
    year: int
    unit_id: str
    audience: str
    eligible: int
    completed: int
    topic: str | None = None


@dataclass(frozen=True)
class Event:
    event_id: str | None  # None: the file has no id, the importer derives it
    date: dt.date
    unit_id: str
    event_type: str
    title: str
    audience: str | None = None
    attendees: int | None = None

    @property
    def stored_id(self) -> str:
        return self.event_id or derive_id("E", self.date.isoformat(), self.unit_id, self.title)


@dataclass(frozen=True)
class Award:
    award_id: str | None
    year: int
    date: dt.date | None
    unit_id: str
    recipient_type: str
    recipient_name: str
    award_type: str
    awarding_body: str
    reason: str | None = None

    @property
    def stored_id(self) -> str:
        return self.award_id or derive_id(
            "A", self.year, self.recipient_name, self.award_type, self.awarding_body
        )


@dataclass(frozen=True)
class Target:
    year: int
    audience: str
    target_tenths: int  # the rate in tenths of a point: 955 is 95.5 %
    unit_id: str | None = None

    @property
    def target_rate(self) -> float:
        return self.target_tenths / 10


Record: TypeAlias = "Unit | Figure | Event | Award | Target"


@dataclass(frozen=True)
class Dataset:
    units: tuple[Unit, ...]
    participation: tuple[Figure, ...] = ()
    events: tuple[Event, ...] = ()
    awards: tuple[Award, ...] = ()
    targets: tuple[Target, ...] = ()

    @property
    def names_unique(self) -> bool:
        """Whether files may name the units: no two names share a key (NFC, case, spaces)."""
        keys = [name_key(unit.unit_name) for unit in self.units]
        return len(set(keys)) == len(keys)

    def unit(self, unit_id: str) -> Unit:
        return next(unit for unit in self.units if unit.unit_id == unit_id)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({figure.year for figure in self.participation}))


@st.composite
def unit_trees(draw: st.DrawFn, max_units: int = 8) -> tuple[Unit, ...]:
    """1-4 levels; some names differ from another's only by case or spacing (then files may
    not name the units)."""
    depth = draw(st.integers(1, 4))
    count = draw(st.integers(depth, max(depth, max_units)))
    codes = draw(st.lists(unit_codes(), min_size=count, max_size=count, unique=True))
    levels = [*range(1, depth + 1), *(draw(st.integers(1, depth)) for _ in range(count - depth))]
    # sometimes every unit an enterprise with a Western-writable name (files may fit cp1252)
    named = latin_names() if _rarely(draw, 3) else unit_names()
    names = draw(
        st.lists(named, min_size=count, max_size=count, unique_by=name_key)
    )  # unique keys first; twins are made below
    if count > 1 and _rarely(draw, 5):
        source, target = draw(
            st.lists(st.integers(0, count - 1), min_size=2, max_size=2, unique=True)
        )
        twin = draw(
            st.sampled_from(
                (
                    names[source].upper(),
                    names[source].lower(),
                    names[source].replace(" ", "  ", 1),
                )
            )
        )
        names[target] = twin
    units: list[Unit] = []
    by_level: dict[int, list[str]] = {}
    for code, level in zip(codes, levels, strict=True):
        by_level.setdefault(level, []).append(code)
    for code, level, unit_name in zip(codes, levels, names, strict=True):
        parent = draw(st.sampled_from(by_level[level - 1])) if level > 1 else None
        active_from = draw(st.none() | st.integers(1990, 2020))
        active_to = draw(
            st.none() | st.integers(active_from if active_from is not None else 1990, 2030)
        )
        units.append(
            Unit(
                unit_id=code,
                unit_name=unit_name,
                parent_id=parent,
                unit_type=draw(st.none() | free_texts(UNIT_TYPES)),
                unit_group=draw(st.none() | free_texts(UNIT_GROUPS)),
                active_from=active_from,
                active_to=active_to,
                level=level,
            )
        )
    return tuple(units)


def _headcount() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 60), st.integers(60, 5_000), st.integers(5_000, 250_000))


@st.composite
def figures(draw: st.DrawFn, units: Sequence[Unit]) -> tuple[Figure, ...]:
    years = draw(st.lists(st.integers(FIRST_YEAR, LAST_YEAR), min_size=1, max_size=3, unique=True))
    rows: list[Figure] = []
    for year in sorted(years):
        topic = draw(st.none() | free_texts(TOPICS))
        chosen = draw(st.lists(st.sampled_from(units), min_size=1, unique=True, max_size=6))
        for unit in chosen:
            audiences = draw(
                st.sampled_from((("party_member", "worker"), ("party_member",), ("worker",)))
            )
            for audience in audiences:
                eligible = draw(_headcount())
                completed = draw(st.integers(0, eligible))
                own_topic = topic if not _rarely(draw, 6) else draw(st.none() | free_texts(TOPICS))
                rows.append(Figure(year, unit.unit_id, audience, eligible, completed, own_topic))
    return tuple(rows)


@st.composite
def events(draw: st.DrawFn, units: Sequence[Unit]) -> tuple[Event, ...]:
    count = draw(st.integers(0, 5))
    found: list[Event] = []
    ids: set[str] = set()
    natural: set[tuple[Any, ...]] = set()
    for _ in range(count):
        explicit = draw(st.booleans())
        event_id = draw(st.from_regex(r"HD[-.]?[0-9]{1,4}", fullmatch=True)) if explicit else None
        event = Event(
            event_id=event_id,
            date=draw(st.dates(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))),
            unit_id=draw(st.sampled_from(units)).unit_id,
            event_type=draw(st.sampled_from(tuple(CODE_ALIASES["event_type"]))),
            title=draw(_prefixed(EVENT_PREFIXES)),
            audience=draw(st.none() | st.sampled_from(("party_member", "worker"))),
            attendees=draw(st.none() | _headcount()),
        )
        key = (event.date, event.unit_id, event.title)
        if event_id is not None and event_id in ids:
            continue
        if event_id is None and key in natural:
            continue
        if event_id is not None:
            ids.add(event_id)
        else:
            natural.add(key)
        found.append(event)
    return tuple(found)


@st.composite
def awards(draw: st.DrawFn, units: Sequence[Unit]) -> tuple[Award, ...]:
    count = draw(st.integers(0, 5))
    found: list[Award] = []
    ids: set[str] = set()
    natural: set[tuple[Any, ...]] = set()
    for _ in range(count):
        explicit = draw(st.booleans())
        award_id = draw(st.from_regex(r"KT[0-9]{1,4}", fullmatch=True)) if explicit else None
        year = draw(st.integers(FIRST_YEAR, LAST_YEAR))
        date = draw(
            st.none()
            | st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31))
            | st.dates(dt.date(year + 1, 1, 1), dt.date(year + 1, 3, 31))
        )
        recipient_type = draw(st.sampled_from(("collective", "individual")))
        recipient = draw(unit_names() if recipient_type == "collective" else person_names())
        award = Award(
            award_id=award_id,
            year=year,
            date=date,
            unit_id=draw(st.sampled_from(units)).unit_id,
            recipient_type=recipient_type,
            recipient_name=recipient,
            award_type=draw(free_texts(AWARD_TYPES)),
            awarding_body=draw(free_texts(AWARDING_BODIES)),
            reason=draw(st.none() | words(2, 5).filter(_usable)),
        )
        key = (award.year, award.recipient_name, award.award_type, award.awarding_body)
        if award_id is not None and award_id in ids:
            continue
        if award_id is None and key in natural:
            continue
        if award_id is not None:
            ids.add(award_id)
        else:
            natural.add(key)
        found.append(award)
    return tuple(found)


@st.composite
def targets(draw: st.DrawFn, units: Sequence[Unit]) -> tuple[Target, ...]:
    count = draw(st.integers(0, 5))
    found: dict[tuple[Any, ...], Target] = {}
    for _ in range(count):
        target = Target(
            year=draw(st.integers(FIRST_YEAR, LAST_YEAR)),
            audience=draw(st.sampled_from(("party_member", "worker"))),
            target_tenths=draw(st.integers(0, 1000)),
            unit_id=draw(st.none() | st.sampled_from([unit.unit_id for unit in units])),
        )
        found.setdefault((target.year, target.audience, target.unit_id), target)
    return tuple(found.values())


@st.composite
def datasets(draw: st.DrawFn, max_units: int = 8) -> Dataset:
    units = draw(unit_trees(max_units))
    return Dataset(
        units=units,
        participation=draw(figures(units)),
        events=draw(events(units)),
        awards=draw(awards(units)),
        targets=draw(targets(units)),
    )


# -- what the store must hold -----------------------------------------------------------------


def _sort_key(row: Row) -> tuple[Any, ...]:
    return tuple((value is None, str(value)) for value in row)


def canonical(rows: Iterable[Row]) -> list[Row]:
    """Rows in one order (any column may be None), so that two tables compare as lists."""
    return sorted(rows, key=_sort_key)


def record_row(record: Record) -> tuple[str, Row]:
    """(table, the stored row in the contract's column order) of one record."""
    if isinstance(record, Unit):
        return "units", (
            record.unit_id,
            record.unit_name,
            record.parent_id,
            record.unit_type,
            record.unit_group,
            record.active_from,
            record.active_to,
        )
    if isinstance(record, Figure):
        return "participation", (
            record.year,
            record.unit_id,
            record.audience,
            record.eligible,
            record.completed,
            record.topic,
        )
    if isinstance(record, Event):
        return "events", (
            record.stored_id,
            record.date,
            record.unit_id,
            record.event_type,
            record.title,
            record.audience,
            record.attendees,
        )
    if isinstance(record, Award):
        return "awards", (
            record.stored_id,
            record.year,
            record.date,
            record.unit_id,
            record.recipient_type,
            record.recipient_name,
            record.award_type,
            record.awarding_body,
            record.reason,
        )
    return "targets", (record.year, record.audience, record.target_rate, record.unit_id)


def expected_rows(records: Iterable[Record]) -> dict[str, list[Row]]:
    """Per table, the stored rows of ``records`` (every table named, empty ones too)."""
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    for record in records:
        name, row = record_row(record)
        tables[name].append(row)
    return {name: canonical(rows) for name, rows in tables.items()}


def dataset_records(dataset: Dataset) -> list[Record]:
    return [
        *dataset.units,
        *dataset.participation,
        *dataset.events,
        *dataset.awards,
        *dataset.targets,
    ]


for _name, _row in (("units", 7), ("participation", 6), ("events", 7), ("awards", 9)):
    assert len(TABLES[_name].column_names) == _row, f"the contract of {_name} changed"
assert len(TABLES["targets"].column_names) == 4, "the contract of targets changed"


# -- file shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """How one file writes its cells; ``mixed`` styles pick per cell with ``seed``."""

    text: str = "nfc"  # nfc | nfd | padded | mixed
    names: str = "exact"  # units named in a file: exact | nfd | upper | lower | spacing | mixed
    codes: str = "code"  # audiences, event types: code | vietnamese | alias | upper | mixed
    numbers: str = "plain"  # plain | dots | spaces | nbsp | mixed
    dates: str = "iso"  # iso | dmy | dmy_short | … | dmy_hm | cell | datetime… | serial | mixed
    rates: str = "comma"  # comma | dot | percent | fraction | cell | percent_cell | mixed
    cells: str = "typed"  # workbooks: typed (numbers as numbers) | text | mixed
    headers: str = "as_is"  # as_is | upper | lower | nfd | wrapped (a line break in the cell)
    seed: int = 0


@dataclass(frozen=True)
class OfficeFile:
    """One file of an upload: its cells, how it is written, and what it carries."""

    name: str
    table: str
    fmt: str
    grid: tuple[Row, ...]  # CSV: text cells; workbooks: typed cells
    records: tuple[Record, ...]  # what it carries (rows of ``table``)
    encoding: str = "utf-8"
    delimiter: str = ","
    newline: str = "\n"
    quote_all: bool = False  # csv: every filled cell quoted (as some exporters write it)
    merges: tuple[tuple[int, int, int, int], ...] = ()  # (row, col, last row, last col), 0-based
    offset: tuple[int, int] = (0, 0)  # workbooks: empty rows and columns before the first cell
    notes_sheet: bool = False  # workbooks: a small sheet of instructions before the data
    shape: tuple[tuple[str, Any], ...] = ()  # what was drawn, for the reader of a failure
    unit_ref: str = "code"  # code | name | both | none
    with_rate: bool = False
    with_totals: bool = False

    @property
    def expects_fast(self) -> bool:
        """Whether the check may take the clean-file shortcut when the file is the only one of
        its table in its upload: not a units file, no unit names to look up, no rate to
        compare, no totals row."""
        return not (
            self.table == "units" or self.unit_ref == "name" or self.with_rate or self.with_totals
        )

    def describe(self) -> str:
        drawn = ", ".join(f"{key}={value!r}" for key, value in self.shape)
        return f"{self.name} ({self.table}, {len(self.records)} rows): {drawn}"


@dataclass(frozen=True)
class Upload:
    """The files an office sends for a dataset, in the order the office works (units first,
    parents' file before children's), and the year the user picks for year-less files."""

    files: tuple[OfficeFile, ...]
    option_year: int | None = None

    def describe(self) -> str:
        return "\n".join(
            [f"option year: {self.option_year}", *(f"  {f.describe()}" for f in self.files)]
        )


# -- rendering cells --------------------------------------------------------------------------


@dataclass(frozen=True)
class PercentCell:
    """A workbook cell typed as a percentage: it holds the fraction (0.955) and shows 95,5%."""

    fraction: float


class _Renderer:
    """Turns values into the cells of one file, in its styles."""

    def __init__(self, table: str, fmt: str, styles: Styles) -> None:
        self.table = table
        self.fmt = fmt
        self.styles = styles
        self.rng = random.Random(styles.seed)

    @property
    def workbook(self) -> bool:
        return self.fmt in WORKBOOKS

    def _pick(self, style: str, choices: Sequence[str]) -> str:
        return self.rng.choice(list(choices)) if style == "mixed" else style

    def text(self, value: str | None) -> Cell:
        if value is None:
            return None if self.workbook else ""
        style = self._pick(self.styles.text, ("nfc", "nfd", "padded"))
        if style == "nfd":
            return unicodedata.normalize("NFD", value)
        if style == "padded":
            return f" {value}  "
        return value

    def code_text(self, value: str | None) -> Cell:
        """An id or a unit code: as written, at most padded (trimmed on import)."""
        if value is None:
            return None if self.workbook else ""
        return f" {value} " if self.styles.text == "padded" else value

    def unit_name(self, value: str) -> Cell:
        style = self._pick(self.styles.names, ("exact", "nfd", "upper", "lower", "spacing"))
        if style == "nfd":
            return unicodedata.normalize("NFD", value)
        if style == "upper":
            return value.upper()
        if style == "lower":
            return value.lower()
        if style == "spacing":
            return "  " + value.replace(" ", self.rng.choice(("  ", "\u00a0", " \u00a0"))) + " "
        return value

    def code(self, column: str, value: str | None) -> Cell:
        if value is None:
            return None if self.workbook else ""
        aliases = CODE_ALIASES[column][value]
        style = self._pick(self.styles.codes, ("code", "vietnamese", "alias", "upper"))
        if style == "vietnamese":
            return aliases[0]
        if style == "alias":
            return self.rng.choice(list(aliases))
        if style == "upper":
            return aliases[0].upper()
        return value

    def number(self, value: int | None, *, year: bool = False) -> Cell:
        if value is None:
            return None if self.workbook else ""
        if self.workbook and self._pick(self.styles.cells, ("typed", "text")) == "typed":
            return value
        if year:
            return str(value)
        style = self._pick(self.styles.numbers, ("plain", "dots", "spaces", "nbsp"))
        if style == "plain" or value < 1000:
            return str(value)
        grouped = f"{value:,}"
        return grouped.replace(",", {"dots": ".", "spaces": " ", "nbsp": "\u00a0"}[style])

    def date(self, value: dt.date | None) -> Cell:
        if value is None:
            return None if self.workbook else ""
        text_styles = ("iso", "dmy", "dmy_short", "dmy_dash", "dmy_dot", "dmy_yy", "dmy_hm")
        cell_styles = ("cell", "datetime", "datetime_time", "serial") if self.workbook else ()
        style = self._pick(self.styles.dates, (*text_styles, *cell_styles))
        if style == "cell":
            return value
        if style == "datetime":
            return dt.datetime(value.year, value.month, value.day)
        if style == "datetime_time":  # an event's start: the day is what counts
            return dt.datetime(value.year, value.month, value.day, 8, 30)
        if style == "serial":
            return (value - EXCEL_EPOCH).days
        day, month, year = value.day, value.month, value.year
        return {
            "iso": value.isoformat(),
            "dmy": f"{day:02d}/{month:02d}/{year}",
            "dmy_short": f"{day}/{month}/{year}",
            "dmy_dash": f"{day:02d}-{month:02d}-{year}",
            "dmy_dot": f"{day:02d}.{month:02d}.{year}",
            "dmy_yy": f"{day:02d}/{month:02d}/{year % 100:02d}",
            "dmy_hm": f"{day:02d}/{month:02d}/{year} 08:30",
        }[style]

    def rate(self, value: float | None, *, fraction_ok: bool) -> Cell:
        """A percentage with one decimal (a stated rate, or a target)."""
        if value is None:
            return None if self.workbook else ""
        choices = ("comma", "dot", "percent", *(("fraction",) if fraction_ok else ()))
        if self.workbook:
            # A percent cell may sit beside plain numbers in one column (each is read as shown).
            choices = (
                *choices,
                "cell",
                *(("percent_cell",) if "percent_cells" not in WITHOUT else ()),
            )
        style = self._pick(self.styles.rates, choices)
        if style == "fraction" and not fraction_ok:
            style = "comma"
        if style == "cell" and self.workbook:
            return round(value, 1)
        if style == "percent_cell" and self.workbook:
            return PercentCell(round(value / 100, 4))
        if style == "fraction":
            return f"{value / 100:.4f}".replace(".", ",")
        text = f"{value:.1f}"
        if text.endswith(".0") and self.rng.random() < 0.5:
            text = text[:-2]
        if style == "dot":
            return text
        text = text.replace(".", ",")
        return text + "%" if style == "percent" else text

    def header(self, text: str) -> str:
        style = self.styles.headers
        if style == "upper":
            return text.upper()
        if style == "lower":
            return text.lower()
        if style == "nfd":
            return unicodedata.normalize("NFD", text)
        if style == "wrapped" and " " in text:  # Alt+Enter in the header cell
            return text.replace(" ", "\n", 1)
        return text


def _stated_rate(figure: Figure) -> float | None:
    return round(100 * figure.completed / figure.eligible, 1) if figure.eligible else None


# -- headers ----------------------------------------------------------------------------------


def header_choices(table: str, column: str) -> list[str]:
    """Every header text the contract gives ``column`` of ``table`` that the importer maps to
    it: the name, the name with spaces, the aliases (Vietnamese first)."""
    contract = TABLES[table].column(column)
    candidates = [*contract.aliases, contract.name, contract.name.replace("_", " ")]
    seen: list[str] = []
    for text in candidates:
        if ALIASES[table].get(fold(text)) == column and text not in seen:
            seen.append(text)
    assert seen, f"{table}.{column} has no header that maps to it"
    return seen


@st.composite
def header_for(draw: st.DrawFn, table: str, column: str, english: bool = False) -> str:
    """A header for ``column``: Vietnamese, canonical or any alias (``english``: ASCII)."""
    choices = header_choices(table, column)
    vietnamese = choices[0]
    style = "canonical" if english else draw(st.sampled_from(("vietnamese", "canonical", "alias")))
    if style == "vietnamese":
        return vietnamese
    if style == "canonical":
        return draw(st.sampled_from([c for c in choices if c.isascii()] or choices))
    return draw(st.sampled_from(choices))


# -- drawing a file ---------------------------------------------------------------------------


@st.composite
def styles_for(draw: st.DrawFn, fmt: str) -> Styles:
    workbook = fmt in WORKBOOKS
    dates = ["iso", "dmy", "dmy_short", "dmy_dash", "dmy_dot", "dmy_yy", "dmy_hm", "mixed"]
    rates = ["comma", "dot", "percent", "fraction", "mixed"]
    if workbook:
        dates += ["cell", "datetime", "datetime_time", "serial"]
        rates += ["cell", *(() if "percent_cells" in WITHOUT else ("percent_cell",))]
    headers = ["as_is", "as_is", "upper", "lower", "nfd"]
    if "line_breaks" not in WITHOUT:
        headers.append("wrapped")
    return Styles(
        text=draw(st.sampled_from(("nfc", "nfd", "padded", "mixed"))),
        names=draw(st.sampled_from(("exact", "nfd", "upper", "lower", "spacing", "mixed"))),
        codes=draw(st.sampled_from(("code", "vietnamese", "alias", "upper", "mixed"))),
        numbers=draw(st.sampled_from(("plain", "dots", "spaces", "nbsp", "mixed"))),
        dates=draw(st.sampled_from(dates)),
        rates=draw(st.sampled_from(rates)),
        cells=draw(st.sampled_from(("typed", "text", "mixed"))) if workbook else "text",
        headers=draw(st.sampled_from(headers)),
        seed=draw(st.integers(0, 2**16)),
    )


@dataclass
class _Layout:
    """What is drawn about a file before its cells are: shared by every table's writer."""

    fmt: str
    styles: Styles
    titles: list[str]
    blank_after_titles: bool
    blank_before: list[int]  # data row positions a blank row goes before
    blank_kind: str  # csv: empty (an empty line) | cells (delimiters only)
    stt: bool
    notes: bool
    english: bool = False  # every header in English (the contract's names, ASCII aliases)
    wrapped_titles: bool = False  # a title cell with a line break in it
    trailing: bool = False  # csv: a delimiter after the last cell of every data row
    shape: dict[str, Any] = field(default_factory=dict)


def _english(styles: Styles) -> Styles:
    """The styles of a file filled in on the English template: codes as codes, text in NFC
    (a Western code page has no combining marks)."""
    return replace(
        styles,
        codes="code",
        text="nfc" if styles.text in ("nfd", "mixed") else styles.text,
        names="exact" if styles.names in ("nfd", "mixed") else styles.names,
    )


@st.composite
def _layout(
    draw: st.DrawFn,
    formats: Sequence[str],
    rows: int,
    title_year: int | None = None,
    need_title_year: bool = False,
) -> _Layout:
    fmt = draw(st.sampled_from(formats))
    styles = draw(styles_for(fmt))
    english = _rarely(draw, 3)  # the template's English headers, coded values, no titles
    titles = (
        [] if english else draw(st.lists(st.sampled_from(ORG_TITLES + PLAIN_TITLES), max_size=2))
    )
    if title_year is not None and (need_title_year or (not english and draw(st.booleans()))):
        titles.append(draw(st.sampled_from(REPORT_TITLES)).format(year=title_year))
    blank_before = draw(st.lists(st.integers(0, rows), max_size=2))
    layout = _Layout(
        fmt=fmt,
        styles=_english(styles) if english else styles,
        titles=titles,
        blank_after_titles=bool(titles) and draw(st.booleans()),
        blank_before=sorted(blank_before),
        blank_kind=draw(st.sampled_from(("empty", "cells"))),
        stt=_rarely(draw, 4),
        notes=_rarely(draw, 5),
        english=english,
        wrapped_titles=bool(titles) and "line_breaks" not in WITHOUT and _rarely(draw, 4),
        trailing=fmt == "csv" and _rarely(draw, 5),
    )
    layout.shape.update(
        fmt=fmt,
        styles=layout.styles,
        titles=tuple(titles),
        blank_before=tuple(blank_before),
        stt=layout.stt,
        notes=layout.notes,
        english=layout.english,
        wrapped_titles=layout.wrapped_titles,
        trailing=layout.trailing,
    )
    return layout


def _optional(records: Sequence[Any], column: str) -> bool:
    """Whether some record has a value in ``column`` (else the file may leave it out)."""
    return any(getattr(record, column) is not None for record in records)


@st.composite
def _columns(
    draw: st.DrawFn, required: Sequence[str], optional: Sequence[str], records: Sequence[Any]
) -> list[str]:
    """The columns a file writes: the required ones, the optional ones that hold a value, and
    maybe an optional one left empty; in any order."""
    chosen = list(required)
    for column in optional:
        if _optional(records, column) or _rarely(draw, 4):
            chosen.append(column)
    return list(draw(st.permutations(chosen)))


def _unit_columns(unit_ref: str) -> list[str]:
    return {"code": ["unit_id"], "name": ["unit_name"], "both": ["unit_id", "unit_name"]}.get(
        unit_ref, []
    )


@st.composite
def _unit_ref(draw: st.DrawFn, dataset: Dataset) -> str:
    return draw(
        st.sampled_from(("code", "name", "both") if dataset.names_unique else ("code", "both"))
    )


def _blank_row(layout: _Layout, width: int) -> Row:
    if layout.fmt in WORKBOOKS:
        return (None,) * width
    return () if layout.blank_kind == "empty" else ("",) * width


def _title_rows(layout: _Layout, width: int) -> tuple[list[Row], list[tuple[int, int, int, int]]]:
    rows: list[Row] = []
    merges: list[tuple[int, int, int, int]] = []
    for written in layout.titles:
        title = written
        if layout.wrapped_titles and " " in written:  # Alt+Enter in the middle of the title
            parts = written.split(" ")
            middle = len(parts) // 2
            title = " ".join(parts[:middle]) + "\n" + " ".join(parts[middle:])
        if layout.fmt in WORKBOOKS:
            merges.append((len(rows), 0, len(rows), max(width - 1, 0)))
            rows.append((title, *([None] * (width - 1))))
        else:
            rows.append(
                (title,) if width < 2 or len(rows) % 2 == 0 else (title, *[""] * (width - 1))
            )
    if layout.blank_after_titles:
        rows.append(_blank_row(layout, width))
    return rows, merges


def _totals_row(width: int, label_at: int, cells: dict[int, Cell], label: str) -> Row:
    row: list[Cell] = [None] * width
    for position, value in cells.items():
        row[position] = value
    row[label_at] = label
    return tuple(row)


def _fill_csv(row: Row) -> Row:
    return tuple("" if cell is None else cell for cell in row)


def _assemble(
    layout: _Layout,
    header_rows: list[Row],
    header_merges: list[tuple[int, int, int, int]],
    data: list[Row],
    totals: list[tuple[int, Row]],  # (position among data rows, row)
) -> tuple[tuple[Row, ...], tuple[tuple[int, int, int, int], ...]]:
    width = max(len(row) for row in header_rows)
    grid, merges = _title_rows(layout, width)
    top = len(grid)
    grid.extend(header_rows)
    merges.extend((r + top, c, r2 + top, c2) for r, c, r2, c2 in header_merges)
    body: list[Row] = []
    for position in range(len(data) + 1):
        for _ in range(layout.blank_before.count(position)):
            body.append(_blank_row(layout, width))
        body.extend(row for at, row in totals if at == position)
        if position < len(data):
            body.append(data[position])
    if layout.trailing and layout.fmt not in WORKBOOKS:
        body = [(*row, "") if row else row for row in body]  # an empty line stays empty
    grid.extend(body)
    if layout.fmt not in WORKBOOKS:
        grid = [_fill_csv(row) for row in grid]
    return tuple(grid), tuple(merges)


@st.composite
def _plain_file(
    draw: st.DrawFn,
    *,
    table: str,
    records: Sequence[Record],
    columns: list[str],
    cell: Callable[[_Renderer, Record, str], Cell],
    formats: Sequence[str],
    totals_sums: Callable[[Sequence[Record]], dict[str, int]] | None = None,
    with_totals: bool | None = None,
    title_year: int | None = None,
    need_title_year: bool = False,
    unit_ref: str = "none",
    with_rate: bool = False,
    index: int = 1,
    permute: bool = True,
    extra_shape: dict[str, Any] | None = None,
) -> OfficeFile:
    """A file with one header row and one row per record (every table but the report); the
    rows in any order, or in the order given (``permute=False``)."""
    layout = draw(_layout(formats, len(records), title_year, need_title_year))
    renderer = _Renderer(table, layout.fmt, layout.styles)
    ordered = list(draw(st.permutations(records))) if permute else list(records)
    headers = [
        renderer.header(draw(header_for(table, column, layout.english))) for column in columns
    ]
    if layout.stt:
        headers.insert(0, draw(st.sampled_from(STT_HEADERS)))
    if layout.notes:
        headers.append(draw(st.sampled_from(NOTES_HEADERS)))
    data: list[Row] = []
    for number, record in enumerate(ordered, start=1):
        row = [cell(renderer, record, column) for column in columns]
        if layout.stt:
            row.insert(0, renderer.number(number))
        if layout.notes:
            row.append(renderer.text(renderer.rng.choice(NOTES) or None))
        data.append(tuple(row))
    totals: list[tuple[int, Row]] = []
    if with_totals is None:
        with_totals = totals_sums is not None and _rarely(draw, 3)
    if with_totals and totals_sums is not None:
        sums = totals_sums(ordered)
        offset = 1 if layout.stt else 0
        cells = {
            columns.index(column) + offset: renderer.number(value)
            for column, value in sums.items()
            if column in columns
        }
        label = draw(st.sampled_from(TOTALS_WORDS))
        at = draw(st.sampled_from((len(data), len(data), draw(st.integers(0, len(data))))))
        totals.append((at, _totals_row(len(headers), offset, cells, label)))
    grid, merges = _assemble(layout, [tuple(headers)], [], data, totals)
    return draw(
        _finish(
            layout,
            table=table,
            grid=grid,
            merges=merges,
            records=tuple(ordered),
            unit_ref=unit_ref,
            with_rate=with_rate,
            with_totals=with_totals,
            index=index,
            shape={
                **layout.shape,
                "columns": tuple(columns),
                "headers": tuple(headers),
                "totals": with_totals,
                **(extra_shape or {}),
            },
        )
    )


def _fits(text: str, encoding: str) -> bool:
    try:
        encode_text(text, encoding)
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def _finish(
    draw: st.DrawFn,
    layout: _Layout,
    *,
    table: str,
    grid: tuple[Row, ...],
    merges: tuple[tuple[int, int, int, int], ...],
    records: tuple[Record, ...],
    unit_ref: str,
    with_rate: bool,
    with_totals: bool,
    index: int,
    shape: dict[str, Any],
) -> OfficeFile:
    """The file's format details (encoding, delimiter, line end; a workbook's offset)."""
    fmt = layout.fmt
    stem = f"{index:02d}-{table}"
    if fmt == "csv":
        delimiter = draw(st.sampled_from(DELIMITERS))
        newline = draw(st.sampled_from(NEWLINES))
        quote_all = _rarely(draw, 4)
        text = csv_text(grid, delimiter, newline, quote_all=quote_all)
        usable = [encoding for encoding in ENCODINGS if _fits(text, encoding)]
        encoding = draw(st.sampled_from(usable))
        extension = draw(st.sampled_from(("csv", "csv", "txt")))
        shape = {
            **shape,
            "encoding": encoding,
            "delimiter": delimiter,
            "newline": newline,
            "quote_all": quote_all,
        }
        return OfficeFile(
            name=f"{stem}.{extension}",
            table=table,
            fmt=fmt,
            grid=grid,
            records=records,
            encoding=encoding,
            delimiter=delimiter,
            newline=newline,
            quote_all=quote_all,
            shape=tuple(shape.items()),
            unit_ref=unit_ref,
            with_rate=with_rate,
            with_totals=with_totals,
        )
    offset = (draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    notes_sheet = _rarely(draw, 4)
    shape = {**shape, "offset": offset, "notes_sheet": notes_sheet}
    return OfficeFile(
        name=f"{stem}.{fmt}",
        table=table,
        fmt=fmt,
        grid=grid,
        records=records,
        merges=merges,
        offset=offset,
        notes_sheet=notes_sheet,
        shape=tuple(shape.items()),
        unit_ref=unit_ref,
        with_rate=with_rate,
        with_totals=with_totals,
    )


# -- per table --------------------------------------------------------------------------------


def _cell_of(dataset: Dataset) -> Callable[[_Renderer, Record, str], Cell]:
    """The cell of ``column`` for ``record``: the column's kind decides the rendering."""

    def cell(renderer: _Renderer, record: Record, column: str) -> Cell:  # noqa: PLR0911
        if column == "unit_name" and not isinstance(record, Unit):
            unit_id = getattr(record, "unit_id", None)
            if unit_id is None:
                return None if renderer.workbook else ""
            return renderer.unit_name(dataset.unit(unit_id).unit_name)
        if column == "rate":
            assert isinstance(record, Figure)
            return renderer.rate(_stated_rate(record), fraction_ok=True)
        if column == "target_rate":
            assert isinstance(record, Target)
            return renderer.rate(record.target_rate, fraction_ok=False)
        if column in ("event_id", "award_id"):
            return renderer.code_text(getattr(record, column))
        value = getattr(record, column)
        kind = TABLES[renderer.table].column(column).kind
        if column in ("unit_id", "parent_id"):
            return renderer.code_text(value)
        if kind is ColumnKind.CODE and column in CODE_ALIASES:
            return renderer.code(column, value)
        if kind is ColumnKind.INT:
            return renderer.number(value)
        if kind is ColumnKind.YEAR:
            return renderer.number(value, year=True)
        if kind is ColumnKind.DATE:
            return renderer.date(value)
        return renderer.text(value)

    return cell


@st.composite
def units_files(draw: st.DrawFn, dataset: Dataset, formats: Sequence[str]) -> list[OfficeFile]:
    """One units file, or two (the upper levels, then the lower ones: an office adding
    units). Rows in any order: parents before or after their children."""
    units = list(dataset.units)
    depth = max(unit.level for unit in units)
    parts = [units]
    if depth > 1 and _rarely(draw, 3):
        cut = draw(st.integers(2, depth))
        parts = [[u for u in units if u.level < cut], [u for u in units if u.level >= cut]]
    files = []
    for number, drawn in enumerate(parts, start=1):
        order = draw(st.sampled_from(("parents_first", "children_first", "any")))
        part = drawn
        if order == "parents_first":
            part = sorted(drawn, key=lambda unit: unit.level)
        elif order == "children_first":
            part = sorted(drawn, key=lambda unit: -unit.level)
        columns = draw(
            _columns(
                ["unit_id", "unit_name"],
                ["parent_id", "unit_type", "unit_group", "active_from", "active_to"],
                part,
            )
        )
        file = draw(
            _plain_file(
                table="units",
                records=part,
                columns=columns,
                cell=_cell_of(dataset),
                formats=formats,
                index=number,
                permute=order == "any",
                extra_shape={"order": order},
            )
        )
        files.append(file)
    return files


def _figure_sums(records: Sequence[Record]) -> dict[str, int]:
    figures_ = [r for r in records if isinstance(r, Figure)]
    return {
        "eligible": sum(f.eligible for f in figures_),
        "completed": sum(f.completed for f in figures_),
    }


def _attendee_sums(records: Sequence[Record]) -> dict[str, int]:
    return {"attendees": sum(r.attendees or 0 for r in records if isinstance(r, Event))}


@st.composite
def participation_files(
    draw: st.DrawFn, dataset: Dataset, formats: Sequence[str], option_year: int | None
) -> list[OfficeFile]:
    """Per year maybe an office report (a row per unit, a column group per audience), and the
    other figures in plain files: one per year, or one for every year."""
    remaining = list(dataset.participation)
    files: list[OfficeFile] = []
    for year in dataset.years:
        if not draw(st.booleans()):
            continue
        groups = draw(
            st.sampled_from(
                (
                    ("party_member", "worker"),
                    ("worker", "party_member"),
                    ("party_member",),
                    ("worker",),
                )
            )
        )
        candidates = []
        for unit in dataset.units:
            rows = [f for f in remaining if f.year == year and f.unit_id == unit.unit_id]
            by_audience = {f.audience: f for f in rows}
            if all(a in by_audience for a in groups) and (
                len({by_audience[a].topic for a in groups}) == 1
            ):
                candidates.append(tuple(by_audience[a] for a in groups))
        if not candidates:
            continue
        chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, unique=True))
        for group in chosen:
            for figure in group:
                remaining.remove(figure)
        files.append(
            draw(report_file(dataset, year, groups, chosen, formats, option_year, len(files) + 1))
        )
    if remaining:
        years = sorted({f.year for f in remaining})
        per_year = len(years) > 1 and draw(st.booleans())
        parts = [[f for f in remaining if f.year == y] for y in years] if per_year else [remaining]
        for part in parts:
            files.append(
                draw(long_participation_file(dataset, part, formats, option_year, len(files) + 1))
            )
    return files


def _year_source(
    draw: st.DrawFn, years: set[int], option_year: int | None, *, report: bool = False
) -> str:
    """Where a file's year comes from: its column, a title line, or the user's choice; the
    last two only for a file of one year (and the choice only for its year: it wins over a
    title, and applies to every year-less file of the upload)."""
    if len(years) != 1:
        return "column"
    (year,) = years
    sources = ["column"]
    if option_year is None:
        sources.append("title")
    elif option_year == year:
        sources.append("option")
    if report:  # a report usually has no year column
        sources = [s for s in sources if s != "column"] + ["column"]
    return draw(st.sampled_from(sources))


@dataclass(frozen=True)
class Force:
    """Shapes a file must have (None: drawn): its unit reference, a rate column, a totals row."""

    unit_ref: str | None = None
    with_rate: bool | None = None
    with_totals: bool | None = None


@st.composite
def forced(draw: st.DrawFn, dataset: Dataset, fast: bool) -> Force:
    """A shape that surely takes the clean-file road (``fast``), or surely not: units by name,
    a rate column or a totals row (any of them that the dataset allows)."""
    if fast:
        return Force(draw(st.sampled_from(("code", "both"))), False, False)
    reasons = ["rate", "totals", *(["name"] if dataset.names_unique else [])]
    reason = draw(st.sampled_from(reasons))
    return Force(
        "name" if reason == "name" else None,
        True if reason == "rate" else None,
        True if reason == "totals" else None,
    )


@st.composite
def long_participation_file(
    draw: st.DrawFn,
    dataset: Dataset,
    records: Sequence[Figure],
    formats: Sequence[str],
    option_year: int | None,
    index: int,
    force: Force | None = None,
) -> OfficeFile:
    """Figures one row each; ``force`` draws the unit reference, the rate and totals columns."""
    force = force or Force()
    unit_ref = force.unit_ref or draw(_unit_ref(dataset))
    years = {f.year for f in records}
    source = _year_source(draw, years, option_year)
    with_rate = _rarely(draw, 3) if force.with_rate is None else force.with_rate
    required = [*(["year"] if source == "column" else []), *_unit_columns(unit_ref)]
    required += ["audience", "eligible", "completed"]
    columns = draw(_columns(required, ["topic"], records))
    if with_rate:
        columns.insert(draw(st.integers(0, len(columns))), "rate")
    (single,) = years if len(years) == 1 else (None,)
    return draw(
        _plain_file(
            table="participation",
            records=records,
            columns=columns,
            cell=_cell_of(dataset),
            formats=formats,
            totals_sums=_figure_sums,
            with_totals=force.with_totals,
            title_year=single,
            need_title_year=source == "title",
            unit_ref=unit_ref,
            with_rate=with_rate,
            index=index,
            extra_shape={"year_source": source, "unit_ref": unit_ref},
        )
    )


@st.composite
def report_file(
    draw: st.DrawFn,
    dataset: Dataset,
    year: int,
    groups: Sequence[str],
    rows: Sequence[tuple[Figure, ...]],
    formats: Sequence[str],
    option_year: int | None,
    index: int,
) -> OfficeFile:
    """The office report layout: titles, a group row of audiences over "Tổng số | Đã học tập
    | Tỷ lệ (%)", a row per unit (by name or code), maybe a totals row."""
    unit_ref = draw(_unit_ref(dataset))
    source = _year_source(draw, {year}, option_year, report=True)
    layout = draw(_layout(formats, len(rows), year, need_title_year=source == "title"))
    renderer = _Renderer("participation", layout.fmt, layout.styles)
    workbook = layout.fmt in WORKBOOKS
    empty: Cell = None if workbook else ""
    ordered = list(draw(st.permutations(rows)))
    topics = {group[0].topic for group in ordered}
    shared = list(
        draw(
            st.permutations(
                [
                    *_unit_columns(unit_ref),
                    *(["topic"] if topics != {None} or _rarely(draw, 4) else []),
                    *(["year"] if source == "column" else []),
                ]
            )
        )
    )
    with_rate = draw(st.booleans())
    sub = ["eligible", "completed", *(["rate"] if with_rate else [])]
    sub = list(draw(st.permutations(sub))) if _rarely(draw, 4) else sub
    top: list[Cell] = []
    bottom: list[Cell] = []
    merges: list[tuple[int, int, int, int]] = []

    crowded = 0  # shared header cells in the top row that name a column

    def shared_header(text: str, names_column: bool = True) -> None:
        nonlocal crowded
        in_top = draw(st.integers(0, 2)) > 0
        if in_top and names_column and "crowded_report_headers" in WITHOUT and crowded >= 3:
            in_top = False
        crowded += in_top and names_column
        if in_top and workbook:
            merges.append((0, len(top), 1, len(top)))
        top.append(text if in_top else empty)
        bottom.append(empty if in_top else text)

    if layout.stt:
        shared_header(draw(st.sampled_from(STT_HEADERS)), names_column=False)
    for column in shared:
        shared_header(renderer.header(draw(header_for("participation", column, layout.english))))
    group_at: dict[tuple[str, str], int] = {}
    for audience in groups:
        label = draw(
            st.sampled_from(
                (
                    CODE_ALIASES["audience"][audience][0],
                    *CODE_ALIASES["audience"][audience],
                    audience,
                )
            )
        )
        label = renderer.header(label)
        if workbook:
            merges.append((0, len(top), 0, len(top) + len(sub) - 1))
        for position, column in enumerate(sub):
            group_at[(audience, column)] = len(top)
            top.append(label if position == 0 else empty)
            bottom.append(
                renderer.header(draw(header_for("participation", column, layout.english)))
            )
    if layout.notes:
        top.append(draw(st.sampled_from(NOTES_HEADERS)))
        bottom.append(empty)
    width = len(top)
    data: list[Row] = []
    cell = _cell_of(dataset)
    for number, group in enumerate(ordered, start=1):
        row: list[Cell] = [empty] * width
        at = 0
        if layout.stt:
            row[0] = renderer.number(number)
            at = 1
        for column in shared:
            row[at] = cell(renderer, group[0], column)
            at += 1
        for figure in group:
            for column in sub:
                row[group_at[(figure.audience, column)]] = cell(renderer, figure, column)
        if layout.notes:
            row[-1] = renderer.text(renderer.rng.choice(NOTES) or None)
        data.append(tuple(row))
    totals: list[tuple[int, Row]] = []
    with_totals = _rarely(draw, 3)
    if with_totals:
        cells: dict[int, Cell] = {}
        for audience in groups:
            members = [f for group in ordered for f in group if f.audience == audience]
            eligible = sum(f.eligible for f in members)
            completed = sum(f.completed for f in members)
            cells[group_at[(audience, "eligible")]] = renderer.number(eligible)
            cells[group_at[(audience, "completed")]] = renderer.number(completed)
            if with_rate:
                total = Figure(year, "", audience, eligible, completed)
                cells[group_at[(audience, "rate")]] = renderer.rate(
                    _stated_rate(total), fraction_ok=False
                )
        label = draw(st.sampled_from(TOTALS_WORDS))
        totals.append((len(data), _totals_row(width, 1 if layout.stt else 0, cells, label)))
    grid, all_merges = _assemble(layout, [tuple(top), tuple(bottom)], merges, data, totals)
    return draw(
        _finish(
            layout,
            table="participation",
            grid=grid,
            merges=all_merges,
            records=tuple(f for group in ordered for f in group),
            unit_ref=unit_ref,
            with_rate=with_rate,
            with_totals=with_totals,
            index=index,
            shape={
                **layout.shape,
                "layout": "report",
                "year_source": source,
                "unit_ref": unit_ref,
                "groups": tuple(groups),
                "shared": tuple(shared),
                "sub": tuple(sub),
                "totals": with_totals,
            },
        )
    )


@st.composite
def events_files(draw: st.DrawFn, dataset: Dataset, formats: Sequence[str]) -> list[OfficeFile]:
    """Events with ids in one file (an id column), those without in another (ids derived)."""
    files: list[OfficeFile] = []
    for with_ids in (True, False):
        part = [e for e in dataset.events if (e.event_id is not None) == with_ids]
        if not part:
            continue
        unit_ref = draw(_unit_ref(dataset))
        required = [*(["event_id"] if with_ids else []), "date", *_unit_columns(unit_ref)]
        required += ["event_type", "title"]
        columns = draw(_columns(required, ["audience", "attendees"], part))
        files.append(
            draw(
                _plain_file(
                    table="events",
                    records=part,
                    columns=columns,
                    cell=_cell_of(dataset),
                    formats=formats,
                    totals_sums=_attendee_sums,
                    unit_ref=unit_ref,
                    index=len(files) + 1,
                    extra_shape={"ids": with_ids, "unit_ref": unit_ref},
                )
            )
        )
    return files


@st.composite
def awards_files(
    draw: st.DrawFn, dataset: Dataset, formats: Sequence[str], option_year: int | None
) -> list[OfficeFile]:
    """Awards with ids in one file, those without in another; the year column left out when
    every award of the file has a date of its year (and the user picks no year: it would
    apply to the file)."""
    files: list[OfficeFile] = []
    for with_ids in (True, False):
        part = [a for a in dataset.awards if (a.award_id is not None) == with_ids]
        if not part:
            continue
        unit_ref = draw(_unit_ref(dataset))
        dated = all(a.date is not None and a.date.year == a.year for a in part)
        year_column = not (dated and option_year is None and draw(st.booleans()))
        required = [*(["award_id"] if with_ids else []), *(["year"] if year_column else [])]
        required += [*_unit_columns(unit_ref), "recipient_type", "recipient_name"]
        required += ["award_type", "awarding_body"]
        optional = ["reason", *(["date"] if year_column else [])]
        if not year_column:
            required.append("date")
        columns = draw(_columns(required, optional, part))
        files.append(
            draw(
                _plain_file(
                    table="awards",
                    records=part,
                    columns=columns,
                    cell=_cell_of(dataset),
                    formats=formats,
                    unit_ref=unit_ref,
                    index=len(files) + 1,
                    extra_shape={"ids": with_ids, "unit_ref": unit_ref, "year_column": year_column},
                )
            )
        )
    return files


@st.composite
def targets_files(
    draw: st.DrawFn, dataset: Dataset, formats: Sequence[str], option_year: int | None
) -> list[OfficeFile]:
    part = list(dataset.targets)
    if not part:
        return []
    unit_ref = draw(_unit_ref(dataset))
    if not any(t.unit_id for t in part) and draw(st.booleans()):
        unit_ref = "none"  # the organisation's targets only: no unit column at all
    source = _year_source(draw, {t.year for t in part}, option_year)
    required = [*(["year"] if source == "column" else []), "audience", "target_rate"]
    required += _unit_columns(unit_ref)
    columns = list(draw(st.permutations(required)))
    (single,) = {t.year for t in part} if source != "column" else (None,)
    return [
        draw(
            _plain_file(
                table="targets",
                records=part,
                columns=columns,
                cell=_cell_of(dataset),
                formats=formats,
                title_year=single,
                need_title_year=source == "title",
                unit_ref=unit_ref,
                extra_shape={"year_source": source, "unit_ref": unit_ref},
            )
        )
    ]


@st.composite
def uploads(draw: st.DrawFn, dataset: Dataset, formats: Sequence[str] = FORMATS_ALL) -> Upload:
    """The files for ``dataset``: units first, then the other tables' files in any order."""
    years = sorted({f.year for f in dataset.participation} | {t.year for t in dataset.targets})
    option_year = draw(st.none() | st.sampled_from(years)) if years else None
    units = draw(units_files(dataset, formats))
    others = [
        *draw(participation_files(dataset, formats, option_year)),
        *draw(events_files(dataset, formats)),
        *draw(awards_files(dataset, formats, option_year)),
        *draw(targets_files(dataset, formats, option_year)),
    ]
    others = list(draw(st.permutations(others)))
    files = [*units, *others]
    named = [
        replace(file, name=f"{number:02d}-{file.name.split('-', 1)[1]}")
        for number, file in enumerate(files, start=1)
    ]
    return Upload(tuple(named), option_year)


# -- writing ----------------------------------------------------------------------------------


def csv_text(
    rows: Sequence[Sequence[object]],
    delimiter: str = ",",
    newline: str = "\n",
    *,
    quote_all: bool = False,
) -> str:
    """Rows as CSV text; a cell with the delimiter, a quote or a line break is quoted (as
    ``tests/fixtures/make_import_fixtures.py`` writes it), every filled cell with
    ``quote_all``."""
    lines = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(value)
            if (quote_all and text) or any(char in text for char in (delimiter, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    return newline.join(lines) + newline


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 writes it: precomposed vowel marks, separate tone marks (the
    writer of ``tests/fixtures/make_import_fixtures.py``)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in decomposed if mark in TONE_MARKS)
        base = unicodedata.normalize(
            "NFC", "".join(mark for mark in decomposed if mark not in TONE_MARKS)
        )
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def encode_text(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return cp1258_bytes(text)
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


ZIP_TIME = (2019, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _deterministic_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times and "modified" property: a workbook's bytes depend
    on its cells only (so a converted copy can be cached by them)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2019-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return buffer.getvalue()


def xlsx_bytes(file: OfficeFile) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    fixed = dt.datetime(2019, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "dashkit property tests"
    sheet = workbook.active
    if file.notes_sheet:
        sheet.title = "Hướng dẫn"
        sheet["A1"] = "Điền số liệu vào trang sau"
        sheet = workbook.create_sheet("Số liệu")
    else:
        sheet.title = "Báo cáo" if file.table == "participation" else "Sheet1"
    row_offset, column_offset = file.offset
    for r, row in enumerate(file.grid):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            shown = value.fraction if isinstance(value, PercentCell) else value
            target = sheet.cell(row=r + 1 + row_offset, column=c + 1 + column_offset, value=shown)
            if isinstance(value, PercentCell):
                target.number_format = "0.0%"
            elif isinstance(value, dt.datetime):
                target.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, dt.date):
                target.number_format = "dd/mm/yyyy"
            elif isinstance(value, str):
                target.data_type = "s"  # text stays text, even "1.234" or "=..."
    for r, c, r2, c2 in file.merges:
        if (r, c) == (r2, c2):
            continue
        first = f"{get_column_letter(c + 1 + column_offset)}{r + 1 + row_offset}"
        last = f"{get_column_letter(c2 + 1 + column_offset)}{r2 + 1 + row_offset}"
        sheet.merge_cells(f"{first}:{last}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def file_bytes(file: OfficeFile) -> bytes:
    """CSV and XLSX bytes (XLS and ODS: see ``write_upload``)."""
    if file.fmt == "csv":
        text = csv_text(file.grid, file.delimiter, file.newline, quote_all=file.quote_all)
        return encode_text(text, file.encoding)
    return xlsx_bytes(file)


_CACHE = Path(os.environ.get("DASHKIT_SOFFICE_CACHE", tempfile.gettempdir())) / (
    "dashkit-soffice-cache"
)
_profile: Path | None = None


def _soffice_profile() -> Path:
    """A LibreOffice profile of this process's own, so parallel runs never share one."""
    global _profile  # noqa: PLW0603 - one profile per process, made on first use
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="dashkit-soffice-profile-"))
    return _profile


def convert_workbooks(sources: Sequence[bytes], target: str) -> list[bytes]:
    """XLSX contents converted to ``target`` (xls, ods) by LibreOffice: one run for all of
    them, each result cached by its source's bytes."""
    assert SOFFICE is not None, "LibreOffice (soffice) is needed for .xls and .ods files"
    _CACHE.mkdir(parents=True, exist_ok=True)
    digests = [hashlib.sha256(data).hexdigest() for data in sources]
    missing = {
        digest: data
        for digest, data in zip(digests, sources, strict=True)
        if not (_CACHE / f"{digest}.{target}").exists()
    }
    if missing:
        with tempfile.TemporaryDirectory(prefix="dashkit-convert-") as work:
            inputs = []
            for digest, data in missing.items():
                path = Path(work) / f"{digest}.xlsx"
                path.write_bytes(data)
                inputs.append(str(path))
            out = Path(work) / "out"
            done = subprocess.run(
                [
                    SOFFICE,
                    f"-env:UserInstallation={_soffice_profile().as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    target,
                    "--outdir",
                    str(out),
                    *inputs,
                ],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            for digest in missing:
                converted = out / f"{digest}.{target}"
                if not converted.exists():
                    raise RuntimeError(
                        f"soffice did not convert to {target}: {done.stdout}\n{done.stderr}"
                    )
                partial = _CACHE / f"{digest}.{target}.{os.getpid()}.part"
                shutil.copyfile(converted, partial)
                partial.replace(_CACHE / f"{digest}.{target}")
    return [(_CACHE / f"{digest}.{target}").read_bytes() for digest in digests]


def write_upload(upload: Upload | Sequence[OfficeFile], directory: Path) -> list[Path]:
    """Write the files into ``directory``; their paths, in order."""
    files = upload.files if isinstance(upload, Upload) else tuple(upload)
    directory.mkdir(parents=True, exist_ok=True)
    contents: dict[int, bytes] = {}
    for target in ("xls", "ods"):
        wanted = [i for i, file in enumerate(files) if file.fmt == target]
        if wanted:
            converted = convert_workbooks([xlsx_bytes(files[i]) for i in wanted], target)
            contents.update(zip(wanted, converted, strict=True))
    paths = []
    for i, file in enumerate(files):
        path = directory / file.name
        path.write_bytes(contents[i] if i in contents else file_bytes(file))
        paths.append(path)
    return paths


# -- regression cases -------------------------------------------------------------------------

CASE_FILE = "case.json"


@dataclass(frozen=True)
class Step:
    """One import: the files (names in the case's folder) planned together, the user's year;
    optionally the table each file must be read as and whether its check must take the
    clean-file road (None: either)."""

    files: tuple[str, ...]
    year: int | None = None
    tables: tuple[str, ...] = ()
    fast: tuple[bool | None, ...] = ()


@dataclass(frozen=True)
class Case:
    """A replayable import: steps into an empty store, and the rows it must then hold."""

    name: str
    description: str
    steps: tuple[Step, ...]
    expected: dict[str, list[Row]]
    directory: Path

    def paths(self, step: Step) -> list[Path]:
        return [self.directory / name for name in step.files]


def _json_cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_json(table: str, row: Sequence[Any]) -> Row:
    columns = TABLES[table].stored_columns
    return tuple(
        dt.date.fromisoformat(value)
        if value is not None and column.kind is ColumnKind.DATE
        else value
        for column, value in zip(columns, row, strict=True)
    )


def save_case(
    directory: Path,
    *,
    description: str,
    steps: Sequence[Step],
    files: Sequence[tuple[str, Path]],
    expected: dict[str, list[Row]],
) -> Path:
    """Write a regression case: the files as they were imported, and ``case.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, path in files:
        shutil.copyfile(path, directory / name)
    payload = {
        "description": description,
        "steps": [
            {
                "files": list(step.files),
                "year": step.year,
                "tables": list(step.tables),
                "fast": list(step.fast),
            }
            for step in steps
        ],
        "expected": {
            table: [[_json_cell(value) for value in row] for row in rows]
            for table, rows in expected.items()
        },
    }
    (directory / CASE_FILE).write_text(
        json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return directory


def load_case(directory: Path) -> Case:
    payload = json.loads((directory / CASE_FILE).read_text(encoding="utf-8"))
    return Case(
        name=directory.name,
        description=payload["description"],
        steps=tuple(
            Step(
                tuple(step["files"]),
                step.get("year"),
                tuple(step.get("tables", ())),
                tuple(step.get("fast", ())),
            )
            for step in payload["steps"]
        ),
        expected={
            table: canonical(_from_json(table, row) for row in payload["expected"].get(table, []))
            for table in TABLES
        },
        directory=directory,
    )
