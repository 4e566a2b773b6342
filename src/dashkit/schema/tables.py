"""The five tables of record and their rules, as plain data.

A ``Table`` names its columns in storage order, its key, and the row checks that the store and
the importers enforce. Checks are SQL predicates over one row (true = the row is valid) so that
validation runs in DuckDB next to the data, at any size; each names the catalogue key of its
message (``check.<name>``).

Tables with an optional id column (events, awards) derive the id from their natural key when a
file has none, so the stored key is always a single column and importing the same file twice
finds the same rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

YEAR_MIN = 1900
YEAR_MAX = 2100

AUDIENCES: tuple[str, ...] = ("party_member", "worker")
"""Audiences with a name in the catalogues; other codes are allowed and shown as written."""

EVENT_TYPES: tuple[str, ...] = (
    "class",
    "conference",
    "review",
    "final_review",
    "thematic",
    "other",
)
RECIPIENT_TYPES: tuple[str, ...] = ("collective", "individual")


class ColumnKind(Enum):
    """What a column holds; decides its storage type and how importers parse it."""

    TEXT = "text"
    CODE = "code"  # a value from ``Column.codes`` (or any code when ``open_codes``)
    INT = "int"
    YEAR = "year"
    DATE = "date"
    RATE = "rate"  # a percentage 0..100 as people write it

    @property
    def sql_type(self) -> str:
        return _SQL_TYPES[self]


_SQL_TYPES = {
    ColumnKind.TEXT: "VARCHAR",
    ColumnKind.CODE: "VARCHAR",
    ColumnKind.INT: "BIGINT",
    ColumnKind.YEAR: "INTEGER",
    ColumnKind.DATE: "DATE",
    ColumnKind.RATE: "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    required: bool = False
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    open_codes: bool = False
    minimum: float | None = None
    maximum: float | None = None
    stored: bool = True  # False: read and checked on import, never stored (e.g. a stated rate)


@dataclass(frozen=True)
class Check:
    """A rule over one row: ``sql`` is true for a valid row. Nulls pass (``required`` covers them)."""

    name: str
    sql: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    natural_key: tuple[str, ...] = ()  # derives ``key[0]`` when a file has no id column
    sort_by: tuple[str, ...] = ()
    checks: tuple[Check, ...] = field(default=())

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.stored)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.stored_columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def key_match(self, left: str, right: str) -> str:
        """SQL: rows ``left`` and ``right`` have the same key. Required key columns compare
        with ``=``, which lets DuckDB skip the stored row groups whose keys cannot match (a new
        year's rows read no other year); the others with IS NOT DISTINCT FROM."""
        return " AND ".join(
            f"{left}.{name} = {right}.{name}"
            if self.column(name).required
            else f"{left}.{name} IS NOT DISTINCT FROM {right}.{name}"
            for name in self.key
        )

    def key_candidates(self, stored: str, incoming: str) -> str:
        """SQL: the rows of ``stored`` (a SELECT) that may share a key with a row of
        ``incoming`` (a relation). When the key holds the year, only the stored rows of the
        years ``incoming`` has: DuckDB then reads none of the other years' row groups, and a
        new year's rows are compared with nothing instead of with every stored row."""
        if "year" in self.key and self.column("year").required:
            return f"SELECT * FROM ({stored}) WHERE year IN (SELECT DISTINCT year FROM {incoming})"
        return stored

    def range_checks(self) -> tuple[Check, ...]:
        """The bounds and code lists of the columns, as checks, followed by the table's own."""
        derived: list[Check] = []
        for column in self.stored_columns:
            if column.minimum is not None:
                derived.append(
                    Check(
                        f"{column.name}_min", f"{column.name} >= {column.minimum:g}", (column.name,)
                    )
                )
            if column.maximum is not None:
                derived.append(
                    Check(
                        f"{column.name}_max", f"{column.name} <= {column.maximum:g}", (column.name,)
                    )
                )
            if column.codes and not column.open_codes:
                codes = ", ".join(f"'{code}'" for code in column.codes)
                derived.append(
                    Check(f"{column.name}_code", f"{column.name} IN ({codes})", (column.name,))
                )
        return (*derived, *self.checks)


def derive_id(prefix: str, *parts: object) -> str:
    """A stable id from a natural key: the same parts always give the same id."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:16]}"


_YEAR = Column(
    "year", ColumnKind.YEAR, required=True, aliases=("Năm",), minimum=YEAR_MIN, maximum=YEAR_MAX
)
_UNIT_ID = Column(
    "unit_id", ColumnKind.TEXT, required=True, aliases=("Mã đơn vị", "Mã", "Unit code")
)
_UNIT_NAME_ALIASES = (
    "Tên đơn vị",
    "Đơn vị",
    "Tổ chức cơ sở đảng",
    "Chi bộ, đảng bộ cơ sở",
    "Unit name",
)
# Files that name units instead of giving their codes: read to find the code, never stored.
_UNIT_NAME_INPUT = Column("unit_name", ColumnKind.TEXT, aliases=_UNIT_NAME_ALIASES, stored=False)
_AUDIENCE_REQUIRED = Column(
    "audience",
    ColumnKind.CODE,
    required=True,
    aliases=("Đối tượng",),
    codes=AUDIENCES,
    open_codes=True,
)
_AUDIENCE = Column(
    "audience", ColumnKind.CODE, aliases=("Đối tượng",), codes=AUDIENCES, open_codes=True
)

UNITS = Table(
    name="units",
    columns=(
        _UNIT_ID,
        Column(
            "unit_name",
            ColumnKind.TEXT,
            required=True,
            aliases=_UNIT_NAME_ALIASES,
        ),
        Column("parent_id", ColumnKind.TEXT, aliases=("Mã đơn vị cấp trên", "Parent unit code")),
        Column(
            "unit_type", ColumnKind.TEXT, aliases=("Loại hình đơn vị", "Loại đơn vị", "Loại hình")
        ),
        Column(
            "unit_group", ColumnKind.TEXT, aliases=("Khu / nhóm", "Khu", "Nhóm", "Group / zone")
        ),
        Column(
            "active_from",
            ColumnKind.YEAR,
            aliases=("Hoạt động từ năm", "Từ năm", "Active from year"),
            minimum=YEAR_MIN,
            maximum=YEAR_MAX,
        ),
        Column(
            "active_to",
            ColumnKind.YEAR,
            aliases=("Hoạt động đến năm", "Đến năm", "Active until year"),
            minimum=YEAR_MIN,
            maximum=YEAR_MAX,
        ),
    ),
    key=("unit_id",),
    sort_by=("unit_id",),
    checks=(
        Check("active_range", "active_from <= active_to", ("active_from", "active_to")),
        Check("parent_not_self", "parent_id <> unit_id", ("parent_id",)),
    ),
)

PARTICIPATION = Table(
    name="participation",
    columns=(
        _YEAR,
        _UNIT_ID,
        _UNIT_NAME_INPUT,
        _AUDIENCE_REQUIRED,
        Column(
            "eligible",
            ColumnKind.INT,
            required=True,
            aliases=("Tổng số", "Số lượng", "Total"),
            minimum=0,
        ),
        Column(
            "completed",
            ColumnKind.INT,
            required=True,
            aliases=("Đã học tập", "Số đã học tập", "Số tham gia học tập"),
            minimum=0,
        ),
        Column("topic", ColumnKind.TEXT, aliases=("Chuyên đề",)),
        Column(
            "rate",
            ColumnKind.RATE,
            aliases=("Tỷ lệ", "Tỷ lệ (%)", "Rate (%)"),
            minimum=0,
            maximum=100,
            stored=False,
        ),
    ),
    key=("year", "unit_id", "audience"),
    sort_by=("year", "unit_id", "audience"),
    checks=(Check("completed_le_eligible", "completed <= eligible", ("completed", "eligible")),),
)

EVENTS = Table(
    name="events",
    columns=(
        Column("event_id", ColumnKind.TEXT, required=True, aliases=("Mã hoạt động", "Event code")),
        Column("date", ColumnKind.DATE, required=True, aliases=("Ngày", "Thời gian")),
        Column(
            "unit_id",
            ColumnKind.TEXT,
            required=True,
            aliases=("Mã đơn vị", "Mã đơn vị tổ chức", "Unit code"),
        ),
        Column(
            "unit_name",
            ColumnKind.TEXT,
            aliases=("Đơn vị tổ chức", *_UNIT_NAME_ALIASES),
            stored=False,
        ),
        Column(
            "event_type",
            ColumnKind.CODE,
            required=True,
            aliases=("Hình thức", "Loại hoạt động"),
            codes=EVENT_TYPES,
        ),
        Column("title", ColumnKind.TEXT, required=True, aliases=("Nội dung", "Tên hoạt động")),
        _AUDIENCE,
        Column("attendees", ColumnKind.INT, aliases=("Số người tham dự",), minimum=0),
    ),
    key=("event_id",),
    natural_key=("date", "unit_id", "title"),
    sort_by=("date", "unit_id"),
)

AWARDS = Table(
    name="awards",
    columns=(
        Column(
            "award_id", ColumnKind.TEXT, required=True, aliases=("Mã khen thưởng", "Award code")
        ),
        _YEAR,
        Column("date", ColumnKind.DATE, aliases=("Ngày", "Ngày khen thưởng")),
        _UNIT_ID,
        _UNIT_NAME_INPUT,
        Column(
            "recipient_type",
            ColumnKind.CODE,
            required=True,
            aliases=("Tập thể/Cá nhân", "Collective/Individual", "Đối tượng khen"),
            codes=RECIPIENT_TYPES,
        ),
        Column(
            "recipient_name",
            ColumnKind.TEXT,
            required=True,
            aliases=("Tên tập thể/cá nhân", "Recipient", "Họ và tên"),
        ),
        Column(
            "award_type",
            ColumnKind.TEXT,
            required=True,
            aliases=("Hình thức khen thưởng", "Danh hiệu"),
        ),
        Column(
            "awarding_body",
            ColumnKind.TEXT,
            required=True,
            aliases=("Cấp khen", "Cơ quan khen thưởng"),
        ),
        Column("reason", ColumnKind.TEXT, aliases=("Lý do", "Thành tích")),
    ),
    key=("award_id",),
    natural_key=("year", "recipient_name", "award_type", "awarding_body"),
    sort_by=("year", "unit_id"),
)

TARGETS = Table(
    name="targets",
    columns=(
        _YEAR,
        _AUDIENCE_REQUIRED,
        Column(
            "target_rate",
            ColumnKind.RATE,
            required=True,
            aliases=("Chỉ tiêu", "Chỉ tiêu (%)", "Target (%)"),
            minimum=0,
            maximum=100,
        ),
        Column("unit_id", ColumnKind.TEXT, aliases=("Mã đơn vị", "Unit code")),
        _UNIT_NAME_INPUT,
    ),
    key=("year", "audience", "unit_id"),
    sort_by=("year", "audience", "unit_id"),
)

TABLES: dict[str, Table] = {t.name: t for t in (UNITS, PARTICIPATION, EVENTS, AWARDS, TARGETS)}


def table(name: str) -> Table:
    """The table called ``name``; ``KeyError`` for a name the contract does not have."""
    return TABLES[name]
