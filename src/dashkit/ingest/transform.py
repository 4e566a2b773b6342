"""From a staged grid to typed, validated rows of one table, in DuckDB.

Steps, all in SQL over the staged Parquet (so a million rows never enter Python):
1. drop blank rows and totals rows ("Tổng cộng", "Cộng", "Total": warned about, never data);
2. parse every value as Vietnamese offices write it (``values``) and map coded words to codes,
   once per distinct text of a column (a dictionary joined back to the rows);
3. reshape the office report layout (a column group per audience) into one row per audience;
4. resolve units by code, or by name when the file has no code column; an unknown unit is an
   error that names it (units are never created silently);
5. check every rule of the contract and collect every problem, each with the row number the
   user sees, the column as the file names it, the value and a message key;
6. write the rows with no problem to a Parquet file with exactly the table's stored columns
   (those the file does not have are NULL and named in ``Checked.absent``).
A ``rate`` column is checked against completed/eligible (±0.5 points) and dropped. A file with
no data rows (a blank template) is not a problem, only a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashkit.errors import DataError
from dashkit.ingest.headers import ColumnMatch, Layout
from dashkit.ingest.sources import ROW_COLUMN, Staged
from dashkit.ingest.text import TOTALS_LABELS, fold
from dashkit.schema import CODE_ALIASES, YEAR_MAX, YEAR_MIN, ColumnKind, Table, table
from dashkit.store import CheckedRows, check_rows, read_parquet_sql
from dashkit.store.merge import write_by_partition

MAX_ISSUES = 10_000
MAX_TEXT = 1_000  # characters in one cell: a name or a title, not a document
RATE_TOLERANCE_PP = 0.5
# RE2: never in a cell's text: the C0 controls but tab and line breaks, DEL, and the two
# non-characters XML cannot hold (a workbook or a Word report could not be written with them)
CONTROL_CHARACTERS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x{fffe}\\x{ffff}]"
TOTALS_COLUMNS = 3  # the first columns a totals label is looked for in
PLAIN_ASCII = "[!-~]([ -~]*[!-~])?"  # RE2: printable ASCII, no space at either end
# Rows with the same key and different content: the message says what "the same" means.
DUPLICATE_KEYS = {
    "participation": "ingest.duplicate_conflict",
    "units": "ingest.duplicate_conflict_units",
    "events": "ingest.duplicate_conflict_events",
    "awards": "ingest.duplicate_conflict_awards",
    "targets": "ingest.duplicate_conflict_targets",
}
_PARSE = {
    ColumnKind.INT: ("dk_int({x})", "ingest.not_integer"),
    ColumnKind.YEAR: ("CAST(dk_int({x}) AS INTEGER)", "ingest.not_year"),
    ColumnKind.RATE: ("dk_num({x})", "ingest.not_number"),
    ColumnKind.DATE: ("dk_date({x})", "ingest.not_date"),
    ColumnKind.TEXT: ("{x}", ""),
    ColumnKind.CODE: ("{x}", ""),
}


@dataclass(frozen=True)
class Issue:
    """One problem in one row (or in the file, when ``row`` is None)."""

    row: int | None
    column: str | None  # the contract's column
    header: str | None  # the column as the file names it
    value: str | None
    key: str  # catalogue key of the message
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checked:
    table: str
    rows_read: int  # the file's data rows, without blank and totals rows
    table_rows: int  # rows of the table they make (two per unit in the report layout)
    valid_rows: int
    rejected_rows: int
    valid_path: Path
    issues: list[Issue]
    issue_count: int
    warnings: list[tuple[str, dict[str, Any]]]
    absent: tuple[str, ...] = ()  # stored columns the file does not have (left NULL here)
    store_checked: CheckedRows | None = None  # the valid rows, when the store checked them
    headers: dict[str, str] = field(default_factory=dict)  # column → as the file names it


def check_file(
    connection: duckdb.DuckDBPyConnection,
    layout: Layout,
    staged: Staged,
    target: Path,
    *,
    prefix: str,
    year: int | None,
    known_units: str,
    one_by_one: bool = False,
) -> Checked:
    """Validate one staged file. ``known_units`` names a relation (unit_id, unit_name) of the
    units that exist (the store's and those imported alongside), and ``<known_units>_named``
    one of (unit_id, name_key) over it; ``prefix`` keeps this file's
    temporary tables apart from other files' in the same connection. ``one_by_one``: keep
    the typed rows (``<prefix>_typed``) even of a clean file, for the checks that span the
    files of an upload."""
    checker = _Checker(connection, layout, staged, target, prefix, year, known_units)
    checker.one_by_one = one_by_one
    return checker.run()


class _Checker:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        layout: Layout,
        staged: Staged,
        target: Path,
        prefix: str,
        year: int | None,
        known_units: str,
    ) -> None:
        self.db = connection
        self.layout = layout
        self.table: Table = table(layout.table)
        self.staged = staged
        self.target = target
        self.p = prefix
        self.year = year if year is not None else layout.year_in_title
        self.known_units = known_units
        self.warnings: list[tuple[str, dict[str, Any]]] = list(layout.warnings)
        self.file_issues: list[Issue] = []
        self.headers: dict[tuple[str, str | None], str] = {}
        self.present: set[str] = set()
        self.by_name = False  # unit codes found from units' names
        self.filled: set[str] = set()  # columns the file lacks whose values were derived
        self.derived_id = False  # the id column made from the natural key
        self.rows_read = 0  # data rows of the file: neither blank nor totals
        self.identical_copies = 0  # later copies of identical rows, kept once
        self.indexes: dict[tuple[str, str | None], int] = {}  # (column, group) → cell position
        self.with_control: set[int] = set()  # columns read that hold a control character
        self.plain: set[int] = set()  # columns read whose texts need no cleaning
        self.never_empty: set[int] = set()  # columns read without an empty cell
        self.missing_if_rows: list[Issue] = []  # the file's problems if it has data rows
        self.fills: list[str] = []  # how the columns the file leaves out are filled
        self.one_by_one = False  # the typed rows are needed whatever the file holds

    # -- helpers --------------------------------------------------------------------------

    def sql(self, statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.db.execute(statement, params).fetchall()

    def header(self, column: str, audience: str | None = None) -> str | None:
        return self.headers.get((column, audience)) or self.headers.get((column, None))

    # -- the steps ------------------------------------------------------------------------

    def run(self) -> Checked:
        groups = self._column_groups()
        mapped, scanned = self._read_columns(groups)
        self._plan_fills()
        # A file whose every distinct value is clean, and whose written rows keep every rule
        # of the table, is done: no row needs to be looked at one by one.
        typed = self._filled(self._typed_select(groups, mapped, scanned))
        clean = (
            self._write_if_clean(typed, len(groups))
            if self._clean_values(mapped, scanned)
            else None
        )
        if clean is None:  # the rows one by one, to name every problem's row and column
            self.sql(f"CREATE OR REPLACE TEMP TABLE {self.p}_typed AS {typed}")
        for index in scanned:
            self.sql(f"DROP TABLE {self.p}_d{index}")
        if clean is not None:
            return clean
        self._drop_blank_and_totals(len(groups))
        self._fill_from_names()
        issues_table = self._collect_issues()
        return self._finish(issues_table)

    def _column_groups(self) -> list[tuple[str | None, dict[str, ColumnMatch]]]:
        """(audience, column → cell) per row variant: one for a plain file, one per audience
        group for the office report layout; shared columns are in every group."""
        shared: dict[str, ColumnMatch] = {}
        grouped: dict[str, dict[str, ColumnMatch]] = {}
        for match in self.layout.columns:
            if match.column is None:
                continue
            target = grouped.setdefault(match.audience, {}) if match.audience else shared
            if match.column in target:
                self.warnings.append(("ingest.duplicate_column", {"column": match.header}))
                continue
            target[match.column] = match
            self.headers.setdefault((match.column, match.audience), match.header)
        if not grouped:
            return [(None, shared)]
        return [(audience, {**shared, **columns}) for audience, columns in grouped.items()]

    def _read_columns(
        self, groups: list[tuple[str | None, dict[str, ColumnMatch]]]
    ) -> tuple[dict[int, ColumnMatch], list[int]]:
        """The cells read (``{p}_raw``) and one dictionary per column of them: returns the
        columns mapped to the table's, and every column read (those plus the leading ones a
        totals label may sit in)."""
        mapped = {m.index: m for _, columns in groups for m in columns.values()}
        if not mapped:
            self.file_issues.append(Issue(None, None, None, None, "ingest.no_columns", {}))
        # A totals row is labelled in its first filled cell ("Tổng cộng", "Cộng", "Total"),
        # which may sit in a column we do not read (an "STT" column, say): the columns up to
        # the first one read (at least three) are looked at, not every one of a wide file.
        leading = max(TOTALS_COLUMNS, min(mapped, default=0) + 1)  # and any before the first read
        scanned = sorted(set(mapped) | set(range(min(self.staged.width, leading))))
        needed = ", ".join([ROW_COLUMN, *(f"c{i}" for i in scanned)])  # not 10,000 columns
        self.sql(
            f"CREATE OR REPLACE TEMP VIEW {self.p}_raw AS SELECT {needed} FROM {self.staged.relation}"
        )
        self.with_control, self.plain = self._dictionaries(mapped, scanned)
        self.present = {name for _, columns in groups for name in columns}
        if any(audience for audience, _ in groups):
            self.present.add("audience")
        return mapped, scanned

    def _typed_select(
        self,
        groups: list[tuple[str | None, dict[str, ColumnMatch]]],
        mapped: dict[int, ColumnMatch],
        scanned: list[int],
    ) -> str:
        """The rows joined to the dictionaries of their cells (each *distinct* text of a column
        is cleaned and parsed once: a million rows of a yearly file hold a few thousand
        distinct numbers and names), typed, with each cell's text kept beside a value that did
        not parse; blank rows left out, totals rows marked (``__totals``)."""
        p = self.p
        with_control, plain = self.with_control, self.plain

        def ref(index: int, field: str) -> str:
            if index not in plain:
                return f"d{index}.{field}"
            return f"nullif(r.c{index}, '')" if field in ("t", "p") else "false"

        joins = " ".join(
            f"LEFT JOIN {p}_d{i} AS d{i} ON d{i}.v = r.c{i}" for i in scanned if i not in plain
        )
        blank = (  # no row is blank when a column read has no empty cell
            " AND ".join(f"{ref(i, 't')} IS NULL" for i in sorted(mapped))
            if mapped and not self.never_empty & set(mapped)
            else "FALSE"
        )
        first_filled_is_total: list[str] = []
        earlier_blank: list[str] = []
        for i in scanned:
            first_filled_is_total.append(
                " AND ".join([*earlier_blank, f"coalesce({ref(i, 'total')}, false)"])
            )
            earlier_blank.append(f"{ref(i, 't')} IS NULL")
        is_total = " OR ".join(f"({part})" for part in first_filled_is_total) or "FALSE"
        selects = []
        for audience, columns in groups:
            parts = [
                f"r.{ROW_COLUMN} AS __row",
                f"'{audience}' AS __group" if audience else "NULL::VARCHAR AS __group",
            ]
            for column in self.table.columns:
                match = columns.get(column.name)
                if match is not None:
                    self.indexes[(column.name, audience)] = match.index
                    value = ref(match.index, "p")
                    # the text only where it is needed: beside a value that did not parse
                    text = (
                        value
                        if column.kind is ColumnKind.TEXT
                        else f"CASE WHEN {value} IS NULL THEN {ref(match.index, 't')} END"
                    )
                elif column.name == "audience" and audience:
                    text = value = f"'{audience}'"
                else:
                    text = value = "NULL"
                parts.append(f"CAST({text} AS VARCHAR) AS t_{column.name}")
                parts.append(f"CAST({value} AS {column.kind.sql_type}) AS {column.name}")
            parts.append(f"({is_total}) AS __totals")
            # which columns of the row hold a control character (a NUL, say): one bit each
            bits = [
                f"CASE WHEN {ref(match.index, 'control')} THEN {1 << position} ELSE 0 END"
                for position, column in enumerate(self.table.columns)
                if (match := columns.get(column.name)) is not None and match.index in with_control
            ]
            parts.append(f"({' + '.join(bits) or '0'}) AS __control")
            selects.append(
                f"SELECT {', '.join(parts)} FROM {p}_raw AS r {joins} WHERE NOT ({blank})"
            )
        return " UNION ALL ".join(selects)

    def _drop_blank_and_totals(self, groups: int) -> None:
        """Warn of the blank rows (left out already) and the totals rows, and drop the latter."""
        p = self.p
        # every group makes one row of each non-blank row of the file
        kept = self.sql(f"SELECT count(*) FROM {p}_typed")[0][0] // groups
        self._warn_of_blank_rows(kept)
        totals_rows = self.sql(f"SELECT DISTINCT __row FROM {p}_typed WHERE __totals ORDER BY 1")
        for (row,) in totals_rows:
            self.warnings.append(("ingest.totals_row", {"row": row}))
        self.rows_read = kept - len(totals_rows)
        self.sql(f"DELETE FROM {p}_typed WHERE __totals")
        self.sql(f"ALTER TABLE {p}_typed DROP COLUMN __totals")

    def _dictionaries(
        self, mapped: dict[int, ColumnMatch], scanned: list[int]
    ) -> tuple[set[int], set[int]]:
        """One table per column read: each distinct text, cleaned (``t``), parsed (``p``), and
        whether it is a totals label or holds a control character. Returns the columns with a
        control character, and the "plain" columns: text columns whose every text already is
        its clean value, which need no dictionary join at all (codes of units, say)."""
        p = self.p
        totals = ", ".join(f"'{label}'" for label in sorted(TOTALS_LABELS))
        # no label has a digit, and folding keeps digits: numbers and codes are not folded
        is_total = (
            f"CASE WHEN regexp_matches(t, '[0-9]') THEN false ELSE dk_fold(t) IN ({totals}) END"
        )
        for index in scanned:
            parsed = self._parse_sql(mapped[index]) if index in mapped else "NULL"
            # Printable ASCII that neither starts nor ends with a space (a code, a number) is
            # already clean and holds no control character: only the rest is cleaned.
            self.sql(
                f"""CREATE OR REPLACE TEMP TABLE {p}_d{index} AS
                    SELECT v, t, {parsed} AS p, {is_total} AS total,
                           CASE WHEN ascii THEN false
                                ELSE regexp_matches(v, '{CONTROL_CHARACTERS}') END AS control
                    FROM (SELECT v, ascii, CASE WHEN ascii THEN v ELSE dk_clean(v) END AS t
                          FROM (SELECT v, regexp_full_match(v, '{PLAIN_ASCII}') AS ascii
                                FROM (SELECT DISTINCT c{index} AS v FROM {p}_raw)))"""
            )
        summaries = (
            self.sql(
                " UNION ALL ".join(
                    f"SELECT {index}, count(*) FILTER (WHERE control), count(*) FILTER (WHERE total "
                    f"OR control OR NOT (t IS NOT DISTINCT FROM v OR v = '')), "
                    f"count(*) FILTER (WHERE t IS NULL) FROM {p}_d{index}"
                    for index in scanned
                )
            )
            if scanned
            else []
        )
        with_control: set[int] = set()
        plain: set[int] = set()  # columns whose every text is its own clean value: no join
        for index, control, changed, empty in summaries:
            if not empty:
                self.never_empty.add(index)
            if control and index in mapped:
                with_control.add(index)
            text_only = (
                index not in mapped
                or self.table.column(str(mapped[index].column)).kind is ColumnKind.TEXT
            )
            if not changed and text_only:
                plain.add(index)
        return with_control, plain

    def _parse_sql(self, match: ColumnMatch) -> str:
        """The SQL that reads the cleaned text ``t`` of ``match``'s column as its kind."""
        assert match.column is not None
        column = self.table.column(match.column)
        if column.kind is ColumnKind.CODE:
            by_key = {
                fold(alias): (alias, code)
                for code, names in CODE_ALIASES.get(column.name, {}).items()
                for alias in (code, *names)
            }  # spellings that fold alike ("Cán bộ, đảng viên" / "Cán bộ đảng viên") once: map keys are unique
            entries = ", ".join(
                f"(dk_fold('{alias.replace(chr(39), chr(39) * 2)}'), '{code}')"
                for alias, code in by_key.values()
            )
            fallback = "t" if column.open_codes else "NULL"
            return f"coalesce(map_from_entries([{entries}])[dk_fold(t)], {fallback})"
        return f"CAST({_PARSE[column.kind][0].format(x='t')} AS {column.kind.sql_type})"

    def _plan_fills(self) -> None:
        """How the columns a file may leave out are filled (``fills``, applied by ``_filled``):
        the year (from the caller or the title), an award's year (from its date), the derived
        ids. A required column the file lacks and that cannot be filled is the file's problem
        when it has data rows (``missing_if_rows``); a unit found by its name is filled on the
        materialised rows (``by_name``)."""
        names = set(self.table.column_names)
        missing: list[Issue] = []
        if "year" in names and "year" not in self.present:
            if self.year is not None and YEAR_MIN <= self.year <= YEAR_MAX:
                self.fills.append(f"REPLACE (CAST({int(self.year)} AS INTEGER) AS year)")
                self.filled.add("year")
            elif self.table.column("year").required and not (
                self.table.name == "awards" and "date" in self.present
            ):
                missing.append(Issue(None, "year", None, None, "ingest.no_year", {}))
        if self.table.name == "awards":
            self.filled.add("year")
            self.fills.append(
                "REPLACE (CAST(CASE WHEN year IS NULL AND t_year IS NULL "
                "THEN year(date) ELSE year END AS INTEGER) AS year)"
            )
        if self.table.natural_key and self.table.key[0] not in self.present:
            self.fills.append(f"REPLACE ({self._derived_id()} AS {self.table.key[0]})")
            self.present.add(self.table.key[0])
            self.derived_id = True
        if "unit_id" in names and "unit_id" not in self.present and self.table.name != "units":
            if "unit_name" in self.present:
                self.by_name = True
                self.filled.add("unit_id")
            elif self.table.column("unit_id").required:
                missing.append(Issue(None, "unit_id", None, None, "ingest.no_unit_column", {}))
        # A required column the file does not have at all: one problem for the file, not an
        # empty cell in every row (nor rows that pass here and fail when stored).
        reported = {issue.column for issue in [*self.file_issues, *missing]}
        for column in self.table.stored_columns:
            if column.required and column.name not in self.present | self.filled | reported:
                missing.append(Issue(None, column.name, None, None, "ingest.missing_column", {}))
        self.missing_if_rows = missing

    def _derived_id(self) -> str:
        """SQL: the id derived from the row's natural key (``schema.derive_id`` in SQL), NULL
        while a part of it is."""
        parts = ", ".join(
            f"strftime({name}, '%Y-%m-%d')"
            if self.table.column(name).kind is ColumnKind.DATE
            else f"CAST({name} AS VARCHAR)"
            for name in self.table.natural_key
        )
        prefix = "E" if self.table.name == "events" else "A"
        nulls = " OR ".join(f"{name} IS NULL" for name in self.table.natural_key)
        return (
            f"CASE WHEN NOT ({nulls}) THEN '{prefix}-' || "
            f"substr(sha1(concat_ws(chr(31), {parts})), 1, 16) END"
        )

    def _filled(self, typed: str) -> str:
        """``typed`` with the columns the file leaves out filled, as ``_plan_fills`` decided."""
        for fill in self.fills:
            typed = f"SELECT * {fill} FROM ({typed})"
        return typed

    def _fill_from_names(self) -> None:
        """On the materialised rows: the unit code of a file that names its units instead,
        and the file's missing columns, when it has data rows (a blank template has no row a
        missing column could spoil)."""
        if self.by_name:
            self.sql(
                f"""UPDATE {self.p}_typed AS t SET unit_id = k.unit_id
                    FROM (SELECT name_key, min(unit_id) AS unit_id, count(*) AS n
                          FROM {self.known_units}_named GROUP BY name_key) AS k
                    WHERE k.n = 1 AND k.name_key = dk_name_key(t_unit_name)"""
            )
            if self.derived_id and "unit_id" in self.table.natural_key:
                # the id was derived before the unit was known (an event's key holds its unit)
                self.sql(f"UPDATE {self.p}_typed SET {self.table.key[0]} = {self._derived_id()}")
        if self.missing_if_rows and self.sql(f"SELECT count(*) FROM {self.p}_typed")[0][0]:
            self.file_issues.extend(self.missing_if_rows)

    def _clean_values(self, mapped: dict[int, ColumnMatch], scanned: list[int]) -> bool:
        """Whether the dictionaries prove that no cell has a problem of its own (a value that
        does not parse, an unknown code or unit, a control character, a text too long, a date
        out of range) and that there is no totals row; and whether the file has nothing that
        needs its rows one by one (a missing column, units found by name, a rate to compare,
        units that may be each other's parents)."""
        if (
            self.one_by_one
            or self.file_issues
            or self.missing_if_rows
            or self.by_name
            or "rate" in self.present
            or self.table.name == "units"
        ):
            return False
        counts = []
        for index in scanned:
            bad = ["total"]
            if index in mapped:
                column = self.table.column(str(mapped[index].column))
                bad.append("control")
                if _PARSE[column.kind][1] or (
                    column.kind is ColumnKind.CODE and not column.open_codes
                ):
                    bad.append("(t IS NOT NULL AND p IS NULL)")
                if column.kind is ColumnKind.TEXT:
                    bad.append(f"length(t) > {MAX_TEXT}")
                if column.kind is ColumnKind.DATE:
                    bad.append(f"NOT (year(p) BETWEEN {YEAR_MIN} AND {YEAR_MAX})")
                if column.name == "unit_id":
                    bad.append(f"p NOT IN (SELECT unit_id FROM {self.known_units})")
            counts.append(f"(SELECT count(*) FROM {self.p}_d{index} WHERE {' OR '.join(bad)})")
        return not any(self.sql(f"SELECT {', '.join(counts) or '0'}")[0])

    def _write_if_clean(self, typed: str, groups: int) -> Checked | None:
        """Write every row, then check the table's rules over the written rows in one pass
        (required values, bounds, a key no two rows share); the result when none is broken,
        else None (and the rows are then checked one by one, which overwrites the file)."""
        stored = ", ".join(self.table.column_names)
        # written as the store keeps them, one file per year: a commit that adds these rows
        # as they are moves the files in instead of writing them again
        parts = self.target.with_suffix(".parts")
        files = write_by_partition(
            self.db,
            self.table,
            f"SELECT {stored} FROM ({typed})",
            parts,
            compression="snappy",
            sort=False,
        )
        valid_path = parts / "*.parquet"
        if not files:  # no rows: one empty file with the columns, as before
            target = str(self.target).replace("'", "''")
            self.sql(
                f"COPY (SELECT {stored} FROM ({typed})) TO '{target}' (FORMAT parquet, COMPRESSION snappy)"
            )
            valid_path = self.target
        (written,) = self.sql(f"SELECT count(*) FROM {read_parquet_sql(valid_path)}")[0]
        try:  # the store's own check, which a commit of these rows then need not repeat
            store_checked = check_rows(
                self.db, self.table.name, valid_path, by_partition=bool(files)
            )
        except DataError:
            return None
        self.rows_read = written // groups  # every group makes one row of each data row
        self._warn_of_blank_rows(self.rows_read)
        self._warn_if_no_data_rows()
        return Checked(
            table=self.table.name,
            rows_read=self.rows_read,
            table_rows=written,
            valid_rows=written,
            rejected_rows=0,
            valid_path=valid_path,
            issues=[],
            issue_count=0,
            warnings=self.warnings,
            absent=self._absent(),
            headers={column: header for (column, _), header in self.headers.items()},
            store_checked=store_checked,
        )

    def _collect_issues(self) -> str:
        p = self.p
        selects: list[str] = []

        def add(
            where: str, column: str, key: str, value: str | None = None, params: str = "NULL"
        ) -> None:
            shown = value or f"t_{column}"  # NULL for a value that parsed: filled in below
            selects.append(
                f"SELECT __row AS row, __group AS grp, '{column}' AS col, CAST({shown} AS VARCHAR) AS value, "
                f"'{key}' AS key, {params} AS params FROM {p}_typed WHERE {where}"
            )

        # an id derived from a natural key the file lacks a column of: that column is the
        # file's problem (``missing_column``), not an empty id in every row
        underivable = self.derived_id and not set(self.table.natural_key) <= (
            self.present | self.filled
        )
        for position, column in enumerate(self.table.columns):
            name = column.name
            if underivable and name == self.table.key[0]:
                continue
            # a derived id is empty only where a part of its natural key is, which is that
            # part's problem (reported on its own column), not a second one on a column the
            # file does not have
            derived_here = self.derived_id and name == self.table.key[0]
            if column.required and name in self.present and name != "unit_id" and not derived_here:
                add(f"{name} IS NULL AND t_{name} IS NULL", name, "ingest.required")
            parse_key = _PARSE[column.kind][1]
            if parse_key:
                add(f"t_{name} IS NOT NULL AND {name} IS NULL", name, parse_key)
            if column.kind is ColumnKind.CODE and not column.open_codes:
                add(f"t_{name} IS NOT NULL AND {name} IS NULL", name, "ingest.unknown_code")
            add(
                f"__control & {1 << position} <> 0",
                name,
                "ingest.control_character",
                value=f"regexp_replace(coalesce(t_{name}, CAST({name} AS VARCHAR)), '{CONTROL_CHARACTERS}', '�', 'g')",
            )
            if column.kind is ColumnKind.TEXT:
                add(
                    f"length(t_{name}) > {MAX_TEXT}",
                    name,
                    "ingest.text_too_long",
                    value=f"left(t_{name}, 60) || '…'",
                    params=f"json_object('limit', {MAX_TEXT})",
                )
            if column.kind is ColumnKind.DATE:
                add(
                    f"{name} IS NOT NULL AND NOT (year({name}) BETWEEN {YEAR_MIN} AND {YEAR_MAX})",
                    name,
                    "ingest.date_out_of_range",
                )
        for check in self.table.range_checks():
            add(f"NOT ({check.sql})", check.columns[0], f"check.{check.name}")
        self._unit_issues(add)
        if self.table.name == "participation" and "rate" in self.present:
            stated = "rate"
            actual = "100.0 * completed / eligible"
            add(
                f"rate IS NOT NULL AND eligible > 0 AND completed IS NOT NULL AND completed <= eligible "
                f"AND abs({stated} - {actual}) > {RATE_TOLERANCE_PP} "
                f"AND NOT ({stated} <= 1 AND abs({stated} * 100 - {actual}) <= {RATE_TOLERANCE_PP})",
                "rate",
                "ingest.rate_mismatch",
                params=f"json_object('computed', round({actual}, 1))",
            )
        self._duplicate_issues(selects)
        union = (
            " UNION ALL ".join(selects)
            if selects
            else (
                "SELECT NULL::BIGINT AS row, NULL AS grp, NULL AS col, NULL AS value, NULL AS key, NULL AS params LIMIT 0"
            )
        )
        self.sql(f"CREATE OR REPLACE TEMP TABLE {p}_issues AS {union}")
        self._show_cell_text(f"{p}_issues")
        return f"{p}_issues"

    def _show_cell_text(self, issues_table: str) -> None:
        """A problem with a value that parsed shows the cell as the file writes it ("1.715"):
        the typed rows keep a cell's text only where it did not parse, so it is read back
        from the staged file for the rows with a problem."""
        cases = [
            f"WHEN i.col = '{column}' AND i.grp IS NOT DISTINCT FROM "
            f"{'NULL' if audience is None else repr(audience)} THEN r.c{index}"
            for (column, audience), index in self.indexes.items()
        ]
        if (
            not cases
            or not self.sql(
                f"SELECT count(*) FROM {issues_table} WHERE value IS NULL AND col IS NOT NULL"
            )[0][0]
        ):
            return
        self.sql(
            f"""UPDATE {issues_table} AS i SET value = dk_clean(CASE {" ".join(cases)} END)
                FROM {self.p}_raw AS r
                WHERE i.value IS NULL AND i.col IS NOT NULL AND r.{ROW_COLUMN} = i.row"""
        )

    def _unit_issues(self, add: Any) -> None:
        names = set(self.table.column_names)
        if "unit_id" not in names:
            return
        known = self.known_units
        if self.table.name == "units":  # parents: across the upload's files (``across``)
            add("unit_id IS NULL AND t_unit_id IS NULL", "unit_id", "ingest.required")
            return
        if "unit_id" in self.present:
            add(
                f"unit_id IS NOT NULL AND unit_id NOT IN (SELECT unit_id FROM {known})",
                "unit_id",
                "ingest.unknown_unit",
            )
            if self.table.column("unit_id").required:
                add("unit_id IS NULL AND t_unit_id IS NULL", "unit_id", "ingest.required")
        elif self.by_name:
            add(
                f"unit_id IS NULL AND t_unit_name IS NOT NULL AND dk_name_key(t_unit_name) "
                f"IN (SELECT name_key FROM {known}_named GROUP BY name_key HAVING count(*) > 1)",
                "unit_name",
                "ingest.ambiguous_unit_name",
            )
            add(
                f"unit_id IS NULL AND t_unit_name IS NOT NULL AND dk_name_key(t_unit_name) "
                f"NOT IN (SELECT name_key FROM {known}_named)",
                "unit_name",
                "ingest.unknown_unit_name",
            )
            if self.table.column("unit_id").required:  # a target may be the whole organisation's
                add("unit_id IS NULL AND t_unit_name IS NULL", "unit_name", "ingest.required")

    def _duplicate_issues(self, selects: list[str]) -> None:
        """Rows with the same key: identical ones are kept once (a warning); different ones
        are all errors, each naming the others. Only repeated keys are looked at closely."""
        p = self.p
        key = ", ".join(self.table.key)
        required_keys = (
            " AND ".join(
                f"{k} IS NOT NULL" for k in self.table.key if self.table.column(k).required
            )
            or "TRUE"
        )
        match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM k.{k}" for k in self.table.key)
        self.sql(
            f"""CREATE OR REPLACE TEMP TABLE {p}_dups AS
                WITH repeated_keys AS (  -- cheap first: most files repeat no key at all
                    SELECT {key} FROM {p}_typed WHERE {required_keys} GROUP BY ALL HAVING count(*) > 1),
                repeated AS (
                    SELECT {", ".join("t." + k for k in self.table.key)},
                           count(DISTINCT ({", ".join("t." + c for c in self.table.column_names)})) AS variants,
                           list(t.__row ORDER BY t.__row) AS rows_with_key
                    FROM {p}_typed AS t JOIN repeated_keys AS r ON {match.replace("k.", "r.")}
                    GROUP BY ALL)
                SELECT t.__row, t.__group, k.variants, k.rows_with_key,
                       row_number() OVER (PARTITION BY {", ".join("t." + c for c in self.table.column_names)}
                                          ORDER BY t.__row) AS copy
                FROM {p}_typed AS t JOIN repeated AS k ON {match}"""
        )
        selects.append(
            f"SELECT __row AS row, __group AS grp, NULL AS col, NULL AS value, "  # the whole row
            f"'{DUPLICATE_KEYS.get(self.table.name, 'ingest.duplicate_conflict')}' AS key, "
            f"json_object('rows', array_to_string(list_filter(rows_with_key, lambda r: r <> __row), ', ')) AS params "
            f"FROM {p}_dups WHERE variants > 1"
        )
        repeated = self.sql(f"SELECT count(*) FROM {p}_dups WHERE variants = 1 AND copy > 1")[0][0]
        self.identical_copies = repeated
        if repeated:
            self.warnings.append(("ingest.identical_duplicates", {"count": repeated}))

    def _finish(self, issues_table: str) -> Checked:
        p = self.p
        issues = list(self.file_issues)
        grouped = sorted({column for column, audience in self.headers if audience is not None})
        per_group = (
            f"CASE WHEN col IN ({', '.join(repr(column) for column in grouped)}) THEN grp END"
            if grouped
            else "NULL"
        )
        total = self.sql(
            f"SELECT count(*) FROM (SELECT DISTINCT row, col, {per_group}, value, key "
            f"FROM {issues_table})"
        )[0][0] + len(issues)
        rows = self.sql(
            f"SELECT row, grp, col, value, key, params FROM {issues_table} "
            f"ORDER BY row, col LIMIT {MAX_ISSUES}"
        )
        seen: set[tuple[Any, ...]] = set()
        for row, group, column, value, key, params in rows:
            header = self.header(column, group)
            if (row, header, value, key) in seen:  # a shared column, once per audience group
                continue
            seen.add((row, header, value, key))
            issues.append(
                Issue(
                    row=row,
                    column=column,
                    header=header,
                    value=value,
                    key=key,
                    params=json.loads(params) if params else {},
                )
            )
        rows_read = self.rows_read
        table_rows = self.sql(f"SELECT count(*) FROM {p}_typed")[0][0]
        self._warn_if_no_data_rows()
        if self.file_issues:
            rejected = table_rows
            valid_filter = "FALSE"
        else:
            rejected = self.sql(
                f"SELECT count(*) FROM (SELECT DISTINCT row, grp FROM {issues_table})"
            )[0][0]
            valid_filter = (
                f"NOT EXISTS (SELECT 1 FROM {issues_table} AS i "
                f"WHERE i.row = __row AND i.grp IS NOT DISTINCT FROM __group)"
            )
        stored = ", ".join(self.table.column_names)
        target = str(self.target).replace("'", "''")
        filters = [valid_filter] if rejected or self.file_issues else []
        if self.identical_copies:
            # identical rows are kept once: the first *valid* copy (a copy rejected for a column
            # that is not stored, a wrong rate say, must not take the others with it)
            valid_here = valid_filter.replace("__row", "t.__row").replace("__group", "t.__group")
            filters.append(
                f"""NOT EXISTS (SELECT 1 FROM (
                        SELECT t.__row, t.__group, row_number() OVER (
                            PARTITION BY {", ".join("t." + c for c in self.table.column_names)}
                            ORDER BY t.__row) AS copy
                        FROM {p}_typed AS t JOIN {p}_dups AS d
                          ON d.__row = t.__row AND d.__group IS NOT DISTINCT FROM t.__group
                        WHERE {valid_here if filters else "TRUE"}) AS later
                    WHERE later.copy > 1 AND later.__row = t.__row
                      AND later.__group IS NOT DISTINCT FROM t.__group)"""
            )
        # In the file's order, not sorted: the file becomes a segment of the table as it is
        # (rows of a year usually come together in a file, so row groups still skip by year).
        (valid,) = self.sql(  # COPY answers with the number of rows it wrote
            f"""COPY (SELECT {stored} FROM {p}_typed AS t WHERE {" AND ".join(filters) or "TRUE"})
                TO '{target}' (FORMAT parquet, COMPRESSION snappy)"""
        )[0]
        return Checked(
            table=self.table.name,
            rows_read=rows_read,
            table_rows=table_rows,
            valid_rows=valid,
            rejected_rows=rejected,
            valid_path=self.target,
            issues=issues,
            issue_count=total,
            warnings=self.warnings,
            absent=self._absent(),
            headers={column: header for (column, _), header in self.headers.items()},
        )

    def _warn_of_blank_rows(self, kept: int) -> None:
        """``kept``: the file's rows that are not blank (totals rows included)."""
        if self.staged.rows - kept:
            self.warnings.append(("ingest.blank_rows", {"count": self.staged.rows - kept}))

    def _warn_if_no_data_rows(self) -> None:
        """A blank template is worth a word; not a file refused as a whole (a missing column)
        or whose rows could not be read (an open quote, say)."""
        if not self.rows_read and not self.file_issues and not self.staged.bad_row_count:
            self.warnings.append(("ingest.no_data_rows", {}))

    def _absent(self) -> tuple[str, ...]:
        return tuple(
            name
            for name in self.table.column_names
            if name not in self.present | self.filled and name not in self.table.key
        )
