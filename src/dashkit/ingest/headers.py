"""Finding the header in a file's first rows and matching its columns to a table.

Offices put title lines above the header ("ĐẢNG ỦY …", "BÁO CÁO … NĂM 2019") and often a
two-row header: a group cell ("Đảng viên") over "Tổng số | Đã học tập | Tỷ lệ (%)". The header
is the row (with the row above it, when that row names audiences) whose cells match the most
column names of one table; that table is the file's table unless the caller says otherwise.
A header with audience groups is the office report layout: one row per unit, a group of
columns per audience, read as participation.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from dashkit.errors import DataError
from dashkit.ingest.sources import Head
from dashkit.ingest.text import fold
from dashkit.schema import CODE_ALIASES, IGNORED_HEADERS, PARTICIPATION, TABLES

IGNORE = "__ignore__"
_YEAR_IN_TITLE = re.compile(r"\bnam (\d{4})\b")
MAX_IGNORED_NAMED = 5  # more unmatched columns than this are one warning
MAX_HEADER_CHARS = 300  # longer cells are not headers or titles; they are never folded whole


@functools.lru_cache(maxsize=1 << 16)  # the head's cells are scored once per table
def header_key(cell: str) -> str:
    """``fold`` of a header or title cell; a cell of megabytes is cut first, since folding it
    whole would take minutes and it cannot match anything."""
    return fold(cell[:MAX_HEADER_CHARS])


_IGNORED = frozenset(fold(text) for text in IGNORED_HEADERS)


def _alias_index(table: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in TABLES[table].columns:
        for alias in (column.name, column.name.replace("_", " "), *column.aliases):
            index.setdefault(fold(alias), column.name)
    return index


ALIASES: dict[str, dict[str, str]] = {name: _alias_index(name) for name in TABLES}
AUDIENCE_BY_FOLD: dict[str, str] = {
    fold(alias): code
    for code, aliases in CODE_ALIASES["audience"].items()
    for alias in (code, *aliases)
}


@dataclass(frozen=True)
class ColumnMatch:
    index: int  # the cell's position in a row
    header: str  # as the file writes it ("Đảng viên / Đã học tập" under a group)
    column: str | None  # the contract's column; None when nothing matched
    audience: str | None = None  # the group's audience, in the report layout


@dataclass(frozen=True)
class Layout:
    table: str
    header_index: int  # position in ``Head.rows`` of the last header row
    header_rows: int  # 1, or 2 for a group row above
    columns: tuple[ColumnMatch, ...]
    wide: bool  # the office report layout
    title_lines: tuple[str, ...]
    year_in_title: int | None
    width: int
    warnings: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    @property
    def first_data(self) -> int:
        """How many of the file's rows come before the data."""
        return self.header_index + 1

    @property
    def unmatched(self) -> tuple[ColumnMatch, ...]:
        return tuple(match for match in self.columns if match.column is None)

    def mapped(self, column: str) -> list[ColumnMatch]:
        return [match for match in self.columns if match.column == column]

    @property
    def signature(self) -> str:
        """The headers, folded: files with the same signature get the same manual mapping."""
        return "|".join(header_key(match.header) for match in self.columns)


def find_layout(
    head: Head, file_name: str, table: str | None = None, manual: dict[str, str] | None = None
) -> Layout:
    """The header and column mapping of a file; ``table`` forces the table; ``manual`` maps
    folded header texts to columns (or ``IGNORE``) for columns that match nothing."""
    rows = [[cell.strip() for cell in row] for row in head.rows]
    tables = [table] if table else list(TABLES)
    best: tuple[int, int, str, int] | None = None  # (score, required matched, table, index)
    for index, row in enumerate(rows):
        for name in tables:
            score, required = _score(row, name, rows[index - 1] if index else None)
            candidate = (score, required, name, -index)
            if score and (best is None or candidate > (best[0], best[1], best[2], -best[3])):
                best = (score, required, name, index)
    if best is None or best[0] < min(2, _required_count(tables[0]) if table else 2):
        first = next(
            (" | ".join(cell[:120] for cell in row if cell) for row in rows if any(row)), ""
        )
        raise DataError("ingest.no_header", file=file_name, first_row=first[:120])
    _, _, chosen, index = best
    group_row = rows[index - 1] if index else None
    wide = (
        group_row is not None
        and chosen == PARTICIPATION.name
        and bool(_audience_groups(group_row, len(group_row)))
    )
    width = _width(rows, index, wide)
    groups = _audience_groups(group_row, width) if wide and group_row is not None else {}
    columns = _match_columns(
        rows[index],
        group_row if wide else None,
        groups if wide else {},
        chosen,
        width,
        manual or {},
    )
    titles = tuple(
        " ".join(cell[:MAX_HEADER_CHARS] for cell in row if cell)
        for row in rows[: index - (1 if wide else 0)]
    )
    titles = tuple(line for line in titles if line)
    year = None
    for line in titles:
        found = _YEAR_IN_TITLE.search(header_key(line))
        if found:
            year = int(found.group(1))
    layout = Layout(chosen, index, 2 if wide else 1, columns, wide, titles, year, width)
    unmatched = [match.header for match in layout.unmatched]
    if len(unmatched) > MAX_IGNORED_NAMED:  # one warning, not ten thousand
        shown = ", ".join(f"“{header}”" for header in unmatched[:MAX_IGNORED_NAMED])
        layout.warnings.append(
            ("ingest.columns_ignored", {"count": len(unmatched), "columns": shown})
        )
    else:
        for header in unmatched:
            layout.warnings.append(("ingest.column_ignored", {"column": header}))
    return layout


def _width(rows: list[list[str]], index: int, wide: bool) -> int:
    """How many cells a data row has: the header's count, or the count most data rows in the
    first rows have when that is more (a trailing delimiter on every row). Title lines do not
    count, nor does one ragged row: a row of another count is reported as such."""
    header = max(len(rows[index]), len(rows[index - 1]) if wide else 0)
    lengths = [len(row) for row in rows[index + 1 :] if any(row)]
    if not lengths:
        return header
    common = max(set(lengths), key=lambda length: (lengths.count(length), length))
    # wider than the header only when most data rows say so, not when ragged rows tie
    return common if common > header and lengths.count(common) * 2 > len(lengths) else header


def _required_count(table: str) -> int:
    return sum(1 for column in TABLES[table].columns if column.required)


def _score(row: list[str], table: str, above: list[str] | None) -> tuple[int, int]:
    index = ALIASES[table]
    found = {index[key] for cell in row if (key := header_key(cell)) in index}
    if above is not None and table == PARTICIPATION.name and _audience_groups(above, len(row)):
        # the office report's two-row header: the row above names the audiences, and the
        # columns shared by both rows (merged cells: "Mã đơn vị", "Năm") are written in it
        found.add("audience")
        found |= {index[key] for cell in above if (key := header_key(cell)) in index}
    required = sum(
        1 for column in TABLES[table].columns if column.required and column.name in found
    )
    return len(found), required


def _audience_groups(row: list[str], width: int) -> dict[int, str]:
    """Cell positions → audience, for a group row (merged cells spread to the right)."""
    groups: dict[int, str] = {}
    current: str | None = None
    for position in range(width):
        cell = row[position] if position < len(row) else ""
        if cell:
            current = AUDIENCE_BY_FOLD.get(header_key(cell))
        if current is not None:
            groups[position] = current
    return groups


def _match_columns(
    row: list[str],
    group_row: list[str] | None,
    groups: dict[int, str],
    table: str,
    width: int,
    manual: dict[str, str],
) -> tuple[ColumnMatch, ...]:
    index = ALIASES[table]
    matches: list[ColumnMatch] = []
    for position in range(width):
        cell = row[position] if position < len(row) else ""
        above = group_row[position] if group_row is not None and position < len(group_row) else ""
        if not cell and above and position not in groups:
            cell = above  # a header cell merged across both header rows
        if not cell:
            continue
        audience = groups.get(position)
        header = cell
        if audience is not None:
            group_label = next(
                (
                    group_row[p]
                    for p in range(position, -1, -1)
                    if group_row is not None and p < len(group_row) and group_row[p]
                ),
                "",
            )
            header = f"{group_label} / {cell}"
        key = header_key(cell)
        column = manual.get(header_key(header)) or index.get(key)
        if column == IGNORE or (column is None and key in _IGNORED):
            continue
        matches.append(ColumnMatch(position, header, column, audience))
    return tuple(matches)
