"""Reading a file as a grid of text cells: the first rows for finding the header, then the
data rows streamed to a staging Parquet file with their spreadsheet row numbers.

Contract:
- Cells are text exactly as the file shows them (XLSX numbers written with a decimal comma so
  that Vietnamese parsing reads them right, dates as ISO); nothing is typed here.
- Row numbers are the ones the user sees: the record's 1-based position in the file (a CSV line;
  an Excel row number), so an error message can send them to the right row.
- Memory is bounded: CSV is streamed in blocks; a workbook's size is read from its XML before it
  is loaded, and one that is larger than the limits is refused unread.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dashkit.errors import DataError
from dashkit.ingest.encoding import detect_encoding
from dashkit.store import read_parquet_sql

HEAD_ROWS = 40
HEAD_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
ROW_COLUMN = "__row"
BATCH_ROWS = 65_536
MAX_BAD_ROWS = 1_000  # malformed rows described one by one; the rest are counted
MAX_LINE_BYTES = 4 * 2**20  # longer lines are read by the streamed reader
BLOCK_SIZES = (4 * 2**20, 64 * 2**20, 512 * 2**20)  # tried in turn: a cell must fit in one
_counting = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashkit-lines")


@dataclass(frozen=True)
class Limits:
    max_rows: int = 2_000_000
    max_bytes: int = 500 * 1024 * 1024  # of a file, and of a workbook's unpacked sheets


@dataclass
class Head:
    """The first rows of a file, enough to find its header and title lines."""

    kind: str  # "csv", or the workbook's format: "xlsx", "xlsb", "xls", "ods"
    rows: list[list[str]]
    numbers: list[int]  # the spreadsheet row number of each of ``rows``
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class BadRow:
    row: int | None
    cells: int
    expected: int
    text: str
    key: str = "ingest.wrong_cell_count"  # what is wrong with it


@dataclass(frozen=True)
class Staged:
    """Data rows with columns c0..c{width-1} (text) and ``__row``: a Parquet file at ``path``,
    or, from the fast CSV path, a temporary table (``table``) of the connection given to
    ``stage``. ``relation`` names either in SQL."""

    path: Path
    rows: int
    width: int
    bad_rows: tuple[BadRow, ...]  # the first MAX_BAD_ROWS of them
    bad_row_count: int = 0
    table: str | None = None

    @property
    def relation(self) -> str:
        if self.table is not None:
            return self.table
        return read_parquet_sql(self.path)


def column_names(width: int) -> list[str]:
    return [f"c{index}" for index in range(width)]


class Source:
    """A file to import. ``head()`` first, then ``stage(head, first_data_index, width, target,
    connection)``: the rows go to ``target`` (Parquet), or straight into a temporary table of
    ``connection`` where DuckDB can read the file itself."""

    def __init__(self, path: Path, name: str, limits: Limits) -> None:
        self.path = path
        self.name = name
        self.limits = limits

    def head(self) -> Head:
        raise NotImplementedError

    def other_heads(self, head: Head) -> Iterator[Head]:
        """The file's first rows read in the other ways that could be meant (a CSV's other
        delimiters, most likely first), for when no header is found in ``head``."""
        return iter(())

    def stage(
        self,
        head: Head,
        first_data: int,
        width: int,
        target: Path,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> Staged:
        raise NotImplementedError


def open_source(path: Path, name: str, limits: Limits | None = None) -> Source:
    """The reader for ``path`` (``name`` is what the user called the file), chosen by content."""
    limits = limits or Limits()
    size = path.stat().st_size
    if size == 0:
        raise DataError("ingest.empty_file", file=name)
    if size > limits.max_bytes:
        raise DataError(
            "ingest.file_too_large",
            file=name,
            size_mb=size // 2**20,
            limit_mb=limits.max_bytes // 2**20,
        )
    from dashkit.ingest.workbooks import WorkbookSource, workbook_kind

    kind = workbook_kind(path, name)
    if kind is not None:
        return WorkbookSource(path, name, limits, kind)
    return CsvSource(path, name, limits)


# -- CSV ------------------------------------------------------------------------------------


class CsvSource(Source):
    def head(self, delimiter: str | None = None) -> Head:
        """The first rows; the delimiter is sniffed unless given."""
        with self.path.open("rb") as handle:
            sample = handle.read(HEAD_BYTES)
        encoding = detect_encoding(sample)
        if b"\x00" in sample and not encoding.startswith("utf-16") and not _is_text(sample):
            raise DataError("ingest.not_text", file=self.name)
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
        if len(sample) == HEAD_BYTES and "\n" in text:
            text = text[: text.rfind("\n") + 1]  # whole lines only
        lines = text.splitlines()
        if not any(line.strip() for line in lines):
            raise DataError("ingest.empty_file", file=self.name)
        delimiter = delimiter or _sniff_delimiter(text)
        rows: list[list[str]] = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                rows.append(row)
                if len(rows) >= HEAD_ROWS:
                    break
        except csv.Error as error:
            raise DataError("ingest.unreadable", file=self.name, detail=str(error)) from error
        return Head(
            "csv", rows, list(range(1, len(rows) + 1)), encoding=encoding, delimiter=delimiter
        )

    def other_heads(self, head: Head) -> Iterator[Head]:
        for delimiter in DELIMITERS:
            if delimiter != head.delimiter:
                yield self.head(delimiter)

    def stage(
        self,
        head: Head,
        first_data: int,
        width: int,
        target: Path,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> Staged:
        staged = self._stage_plain(head, first_data, width, target, connection)
        return (
            staged if staged is not None else self._stage_streamed(head, first_data, width, target)
        )

    def _stage_plain(
        self,
        head: Head,
        first_data: int,
        width: int,
        target: Path,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> Staged | None:
        """The fast path for a plain UTF-8 file whose every record is one line: DuckDB's
        parallel reader, each row numbered by its position, into a temporary table of
        ``connection`` (else of its own, then written to ``target``). None when the file is
        not plain (another encoding, a malformed row, a line break inside a cell, an empty
        line): then the streamed reader, which numbers rows around such lines, reads it."""
        if head.encoding not in ("utf-8", "utf-8-sig", "ascii") or first_data < 1 or width < 1:
            return None
        if any("\n" in cell or "\r" in cell for row in head.rows for cell in row):
            return None
        names = column_names(width)
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in names)
        path = str(self.path).replace("'", "''")
        delimiter = (head.delimiter or ",").replace("'", "''")
        table = "staged_" + re.sub(r"\W", "_", target.stem)
        own = connection is None
        database = duckdb.connect(":memory:") if connection is None else connection
        try:
            # the lines are counted beside DuckDB's read (DuckDB lets go of the interpreter
            # lock while it reads)
            lines = _counting.submit(_line_count, self.path)
            ((rows,),) = database.execute(  # a CREATE TABLE AS answers with its row count
                f"""CREATE OR REPLACE TEMP TABLE {table}_cells AS
                    SELECT * FROM read_csv('{path}', delim='{delimiter}', quote='"', escape='"',
                                  header=false, skip={first_data}, columns={{{columns}}},
                                  auto_detect=false, strict_mode=true, null_padding=false,
                                  max_line_size={MAX_LINE_BYTES})"""
            ).fetchall()
            # A row's number is its position: the table keeps the file's order (DuckDB's
            # insertion order), so ``rowid`` numbers the rows without WITH ORDINALITY, which
            # costs the parallel reader half its speed.
            database.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {', '.join(names)}, "
                f"{first_data + 1} + rowid AS {ROW_COLUMN} FROM {table}_cells"
            ).fetchall()
            plain = lines.result() == first_data + rows  # no empty line, no cell over lines
            if plain and own:
                written = str(target).replace("'", "''")
                database.execute(
                    f"COPY (SELECT * FROM {table}) TO '{written}' (FORMAT parquet, COMPRESSION zstd)"
                ).fetchall()
        except duckdb.Error:
            plain = False
        finally:
            if own:
                database.close()
        if not plain:
            if not own:
                database.execute(f"DROP VIEW IF EXISTS {table}").fetchall()
                database.execute(f"DROP TABLE IF EXISTS {table}_cells").fetchall()
            return None
        if rows > self.limits.max_rows:
            raise DataError("ingest.too_many_rows", file=self.name, limit=self.limits.max_rows)
        return Staged(target, rows, width, (), table=None if own else table)

    def _stage_streamed(self, head: Head, first_data: int, width: int, target: Path) -> Staged:
        """pyarrow's streaming reader, in one thread so that rows keep their numbers. A cell
        bigger than a read block is retried with bigger blocks; text that does not decode, or
        a quote left open to the end of the file, is reported on the rows where it is."""
        encoding = "utf-8" if head.encoding in ("utf-8", "utf-8-sig") else head.encoding
        encoding = encoding or "utf-8"
        for block_size in BLOCK_SIZES:
            try:
                return self._read_streamed(head, first_data, width, target, encoding, block_size)
            except pa.ArrowInvalid as error:
                if "straddle" in str(error) and block_size != BLOCK_SIZES[-1]:
                    continue  # one cell is bigger than a block
                undecodable = _undecodable_rows(self.path, encoding, first_data)
                if undecodable:
                    return _refused(target, width, undecodable)
                open_quote = _open_quote_row(self.path, encoding, first_data, head.delimiter)
                if open_quote:
                    return _refused(target, width, open_quote)
                raise DataError(
                    "ingest.unreadable", file=self.name, detail=str(error)[:200]
                ) from error
            except UnicodeDecodeError as error:
                undecodable = _undecodable_rows(self.path, encoding, first_data)
                if undecodable:
                    return _refused(target, width, undecodable)
                raise DataError(
                    "ingest.unreadable", file=self.name, detail=str(error)[:200]
                ) from error
        raise AssertionError("unreachable: the last block size re-raises")

    def _read_streamed(
        self,
        head: Head,
        first_data: int,
        width: int,
        target: Path,
        encoding: str,
        block_size: int,
    ) -> Staged:
        bad: list[BadRow] = []
        skipped: list[int] = []  # every malformed row's number, to keep the others' numbers right

        def on_bad_row(row: Any) -> str:
            if row.number is not None:
                skipped.append(row.number)
            if len(bad) < MAX_BAD_ROWS:
                bad.append(
                    BadRow(row.number, row.actual_columns, row.expected_columns, row.text[:200])
                )
            return "skip"

        names = column_names(width)
        try:
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(
                    # records, not lines: a header or title cell may hold a line break
                    skip_rows_after_names=first_data,
                    column_names=names,
                    use_threads=False,
                    encoding=encoding,
                    block_size=block_size,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=head.delimiter or ",",
                    newlines_in_values=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=on_bad_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as error:
            if "Empty CSV file" in str(error):
                return write_batches(iter(()), names, target, self.limits, self.name, bad)
            raise
        numbered = _number_rows(reader, first_data + 1, skipped)
        staged = write_batches(numbered, names, target, self.limits, self.name, bad)
        open_quote = _open_quote_row(self.path, encoding, first_data, head.delimiter)
        if open_quote:  # the quote swallowed every row after it: none of them can be trusted
            return _refused(target, width, open_quote)
        return Staged(
            staged.path, staged.rows, staged.width, staged.bad_rows, bad_row_count=len(skipped)
        )


def _is_text(sample: bytes) -> bool:
    """A sample with a stray NUL byte that is otherwise UTF-8 text (a binary file is not)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample.replace(b"\x00", b""), final=False)
    except UnicodeDecodeError:
        return False
    return True


def _refused(target: Path, width: int, bad_rows: list[BadRow]) -> Staged:
    """No rows, only the rows that make the file unreadable as it is."""
    names = column_names(width)
    staged = write_batches(iter(()), names, target, Limits(), "", [])
    return Staged(staged.path, 0, width, tuple(bad_rows), bad_row_count=len(bad_rows))


def _undecodable_rows(path: Path, encoding: str, first_data: int) -> list[BadRow]:
    """The lines (after the header) that are not text in ``encoding``: at most MAX_BAD_ROWS."""
    if encoding.startswith(("utf-16", "utf-32")):  # a b"\n" byte may sit inside a character
        return _undecodable_wide_rows(path, encoding, first_data)
    found: list[BadRow] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number <= first_data:
                continue
            try:
                line.decode(encoding)
            except UnicodeDecodeError:  # shown as far as it surely reads: its plain ASCII start
                start = _ASCII_START.match(line)
                text = (start.group().decode("ascii")[:200] if start else "") + "…"
                found.append(BadRow(number, 0, 0, text, key="ingest.undecodable_row"))
                if len(found) >= MAX_BAD_ROWS:
                    break
    return found


def _undecodable_wide_rows(path: Path, encoding: str, first_data: int) -> list[BadRow]:
    """The same for UTF-16 and UTF-32, whose lines are found after decoding (what does not
    decode becomes U+FFFD, which marks the row)."""
    found: list[BadRow] = []
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if number > first_data and "\ufffd" in line:
                text = line.split("\ufffd", 1)[0][:200] + "…"
                found.append(BadRow(number, 0, 0, text, key="ingest.undecodable_row"))
                if len(found) >= MAX_BAD_ROWS:
                    break
    return found


def _open_quote_row(
    path: Path, encoding: str, first_data: int, delimiter: str | None
) -> list[BadRow]:
    """The row whose quoted cell is never closed (it would swallow the rest of the file).
    Cheap first: an even number of quote characters cannot leave one open."""
    quotes = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            quotes += block.count(b'"')
    if quotes % 2 == 0:
        return []
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter or ",", strict=True)
        start = 1
        while True:
            try:
                next(reader)
            except StopIteration:
                return []
            except csv.Error as error:  # a malformed quote earlier on: read on past it
                if "unexpected end of data" in str(error):
                    if start > first_data:
                        return [BadRow(start, 0, 0, "", key="ingest.unclosed_quote")]
                    return []
            start = reader.line_num + 1


def _line_count(path: Path) -> int:
    """Lines in the file, counting a last line without a line break."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first records into the same number (> 1) of
    cells. Records as the CSV reader finds them with that delimiter: a quoted cell's commas,
    tabs and line breaks are inside the cell, not between cells."""

    def score(delimiter: str) -> tuple[int, int]:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            counts = [
                len(record) - 1
                for record in itertools.islice(records, HEAD_ROWS)
                if any(cell.strip() for cell in record)
            ]
        except csv.Error:
            return (0, 0)
        positive = [count for count in counts if count > 0]
        if not positive:
            return (0, 0)
        mode = max(set(positive), key=positive.count)
        return (positive.count(mode), mode)

    return max(DELIMITERS, key=score)


def _number_rows(reader: Any, first_number: int, skipped: list[int]) -> Iterator[pa.RecordBatch]:
    """Attach each row's number; rows the parser skipped as malformed keep their numbers.

    ``skipped`` grows in file order while the parser reads a block, before that block's batch
    arrives (single-threaded reading). A batch of n rows covers the numbers from the next one
    up, less the skipped numbers among them: found by bisection, numbered with numpy.
    """
    next_number = first_number
    for batch in reader:
        count = batch.num_rows
        low = bisect.bisect_left(skipped, next_number)
        gaps = 0  # skipped numbers inside this batch's span (the span widens with each one)
        while (found := bisect.bisect_left(skipped, next_number + count + gaps) - low) != gaps:
            gaps = found
        numbers = np.arange(next_number, next_number + count + gaps, dtype=np.int64)
        if gaps:
            numbers = numbers[
                ~np.isin(numbers, np.asarray(skipped[low : low + gaps], dtype=np.int64))
            ]
        next_number += count + gaps
        yield batch.append_column(ROW_COLUMN, pa.array(numbers, pa.int64()))


def write_batches(
    batches: Iterator[pa.RecordBatch],
    names: list[str],
    target: Path,
    limits: Limits,
    file_name: str,
    bad: list[BadRow],
) -> Staged:
    schema = pa.schema([*[(name, pa.string()) for name in names], (ROW_COLUMN, pa.int64())])
    rows = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for batch in batches:
            rows += batch.num_rows
            if rows > limits.max_rows:
                raise DataError("ingest.too_many_rows", file=file_name, limit=limits.max_rows)
            writer.write_batch(batch)
    return Staged(target, rows, len(names), tuple(bad), bad_row_count=len(bad))


_ASCII_START = re.compile(rb"[\x20-\x7e]*")
