"""The two CSV readers stage the same rows: DuckDB's parallel reader (the fast path for plain
UTF-8 files whose every record is one line) and the streamed pyarrow reader (everything else).

Every CSV of the import corpus, plus files made to sit on the edge between the two, is staged
both ways; where the fast path takes a file, its rows and row numbers must equal the streamed
reader's (an empty cell may be NULL on one side and "" on the other: both are blank).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashkit.errors import DataError
from dashkit.ingest.headers import find_layout
from dashkit.ingest.sources import CsvSource, Limits, open_source

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "import"
HEADER = "Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập\n"
EDGE_FILES = {
    "plain.csv": HEADER + "2019,DV01,Đảng viên,10,9\n2019,DV02,Đảng viên,1.234,1000\n",
    "no_final_newline.csv": HEADER + "2019,DV01,Đảng viên,10,9\n2019,DV02,Đảng viên,12,11",
    "empty_line_inside.csv": HEADER + "2019,DV01,Đảng viên,10,9\n\n2019,DV02,Đảng viên,12,11\n",
    "cell_over_two_lines.csv": HEADER + '2019,DV01,"Đảng\nviên",10,9\n2019,DV02,Đảng viên,12,11\n',
    "crlf.csv": (HEADER + "2019,DV01,Đảng viên,10,9\n").replace("\n", "\r\n"),
    "short_row.csv": HEADER + "2019,DV01,Đảng viên,10\n2019,DV02,Đảng viên,12,11\n",
    "empty_cells.csv": HEADER + '2019,DV01,,"",9\n,,,,\n',
    "title_then_header.csv": "BÁO CÁO NĂM 2019\n\n" + HEADER + "2019,DV01,Đảng viên,10,9\n",
}


def _csv_files(tmp_path: Path) -> list[tuple[str, Path]]:
    files = [(path.name, path) for path in sorted(CORPUS.glob("*.csv"))]
    for name, text in EDGE_FILES.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        files.append((name, path))
    return files


def _rows(path: Path) -> list[tuple[object, ...]]:
    connection = duckdb.connect(":memory:")
    try:
        columns = [
            row[0]
            for row in connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{path}')"
            ).fetchall()
        ]
        cells = ", ".join(f"coalesce({name}, '')" if name != "__row" else name for name in columns)
        return connection.execute(
            f"SELECT {cells} FROM read_parquet('{path}') ORDER BY __row"
        ).fetchall()
    finally:
        connection.close()


def test_the_fast_reader_stages_what_the_streamed_reader_stages(tmp_path: Path) -> None:
    taken = []
    for name, path in _csv_files(tmp_path):
        try:
            source = open_source(path, name, Limits())
            if not isinstance(source, CsvSource):
                continue
            head = source.head()
            layout = find_layout(head, name)
        except DataError:  # refused before staging: not about staging
            continue
        fast = source._stage_plain(head, layout.first_data, layout.width, tmp_path / f"{name}.fast")
        streamed = source._stage_streamed(
            head, layout.first_data, layout.width, tmp_path / f"{name}.streamed"
        )
        if fast is None:
            continue
        taken.append(name)
        assert streamed.bad_row_count == 0, name
        assert (fast.rows, fast.width) == (streamed.rows, streamed.width), name
        assert _rows(fast.path) == _rows(streamed.path), name
    # the plain files go the fast way; the edge cases the streamed way
    assert {"plain.csv", "no_final_newline.csv", "crlf.csv", "empty_cells.csv"} <= set(taken)
    assert "title_then_header.csv" in taken
    for name in ("empty_line_inside.csv", "cell_over_two_lines.csv", "short_row.csv"):
        assert name not in taken, name


@pytest.mark.parametrize("name", ["empty_line_inside.csv", "cell_over_two_lines.csv"])
def test_rows_after_an_irregular_line_keep_their_line_numbers(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(EDGE_FILES[name].encode("utf-8"))
    source = open_source(path, name, Limits())
    head = source.head()
    layout = find_layout(head, name)
    staged = source.stage(head, layout.first_data, layout.width, tmp_path / "staged.parquet")
    numbers = [row[-1] for row in _rows(staged.path)]
    assert numbers[-1] == (4 if name == "empty_line_inside.csv" else 3)
