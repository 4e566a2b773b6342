"""Import cases found in review: each failed before its fix, with real files and a real store.

- identical rows of which the first is rejected (for a column that is not stored): the valid
  copy is still imported;
- an unclosed quote after an earlier malformed one is still found, on its row;
- a UTF-16 line that does not decode is reported on its own row;
- a totals label in an unread column left of the first column read is a totals row;
- a units file that repeats a stored unit does not make its name ambiguous for a file, imported
  with it, that names its units.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from dashkit.ingest import InputFile, commit_import, plan_import
from dashkit.ingest.sources import CsvSource, Limits
from dashkit.store import CommitInfo, Store, TableWrite

HEADER = "Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập\n"
ROWS = "".join(f"2020,U{i},Người lao động,10,5\n" for i in range(20))


def _store(root: Path) -> Store:
    store = Store(root)
    units = pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["Một", "Hai"]})
    store.commit([TableWrite("units", units)], CommitInfo(op="import", source="seed"))
    return store


def test_an_identical_copy_whose_first_is_rejected_is_still_imported(tmp_path: Path) -> None:
    store = _store(tmp_path / "data")
    path = tmp_path / "p.csv"
    path.write_text(
        "Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập,Tỷ lệ (%)\n"
        "2020,U1,Người lao động,10,5,90\n"  # the stated rate is wrong: this row is rejected
        "2020,U1,Người lao động,10,5,50\n"
        "2020,U2,Người lao động,10,5,50\n",
        encoding="utf-8",
    )
    with plan_import(store, [InputFile(path.name, path)]) as plan:
        assert [(issue.row, issue.key) for issue in plan.files[0].issues] == [
            (2, "ingest.rate_mismatch")
        ]
        commit_import(store, plan, skip_invalid=True)
    stored = store.snapshot().rows("SELECT unit_id FROM participation ORDER BY 1")
    assert stored == [("U1",), ("U2",)]


def _stage(path: Path, text: str, encoding: str) -> list[tuple[int | None, str]]:
    path.write_bytes(text.encode(encoding))
    source = CsvSource(path, path.name, Limits())
    head = source.head()
    staged = source.stage(head, 1, 5, path.with_suffix(".parquet"), duckdb.connect(":memory:"))
    return [(bad.row, bad.key) for bad in staged.bad_rows]


def test_an_unclosed_quote_after_a_malformed_one_is_found_on_its_row(tmp_path: Path) -> None:
    text = HEADER + '2020,"U1"x,Người lao động,10,5\n' + ROWS + '2020,"U99,worker,10,5\n' + ROWS
    assert _stage(tmp_path / "q.csv", text, "utf-8") == [(23, "ingest.unclosed_quote")]


def test_a_utf16_line_that_does_not_decode_is_reported_on_its_row(tmp_path: Path) -> None:
    good = HEADER + "".join(f"2020,U{i},worker,10,5\n" for i in range(5))
    path = tmp_path / "u16.csv"
    data = good.encode("utf-16") + "2020,U9,".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    data += ",10,5\n2020,U10,worker,10,5\n".encode("utf-16-le")
    path.write_bytes(data)
    source = CsvSource(path, path.name, Limits())
    head = source.head()
    staged = source.stage(head, 1, 5, tmp_path / "u16.parquet", duckdb.connect(":memory:"))
    assert [(bad.row, bad.key) for bad in staged.bad_rows] == [(7, "ingest.undecodable_row")]


def test_a_totals_label_left_of_the_first_column_read_is_a_totals_row(tmp_path: Path) -> None:
    store = _store(tmp_path / "data")
    path = tmp_path / "t.csv"
    path.write_text(
        "STT,Ghi chú,Khu,X,Năm,Mã đơn vị,Đối tượng,Tổng số,Đã học tập\n"
        "1,,,,2020,U1,Người lao động,10,5\n"
        ",,,Tổng cộng,,,,10,5\n",
        encoding="utf-8",
    )
    with plan_import(store, [InputFile(path.name, path)]) as plan:
        file_plan = plan.files[0]
        assert file_plan.issues == []
        assert ("ingest.totals_row", {"row": 3}) in file_plan.warnings


def test_files_of_one_import_keep_stored_values_only_in_columns_they_lack(tmp_path: Path) -> None:
    """File A has "Chuyên đề" and leaves it empty for U1 (that empties it); file B has no such
    column (U2 keeps its stored topic). Imported together, each file keeps its own meaning."""
    store = Store(tmp_path / "data")
    store.commit(
        [
            TableWrite("units", pd.DataFrame({"unit_id": ["U1", "U2"], "unit_name": ["A", "B"]})),
            TableWrite(
                "participation",
                pd.DataFrame(
                    {
                        "year": [2020, 2020],
                        "unit_id": ["U1", "U2"],
                        "audience": ["worker", "worker"],
                        "eligible": [10, 10],
                        "completed": [5, 5],
                        "topic": ["Chuyên đề cũ", "Chuyên đề cũ"],
                    }
                ),
            ),
        ],
        CommitInfo(op="import", source="seed"),
    )
    with_topic = tmp_path / "a.csv"
    with_topic.write_text(HEADER.replace("\n", ",Chuyên đề\n") + "2020,U1,Người lao động,10,6,\n")
    without_topic = tmp_path / "b.csv"
    without_topic.write_text(HEADER + "2020,U2,Người lao động,10,7\n")
    files = [InputFile(path.name, path) for path in (with_topic, without_topic)]
    with plan_import(store, files) as plan:
        assert plan.ok
        commit_import(store, plan)
    rows = store.snapshot().rows("SELECT unit_id, completed, topic FROM participation ORDER BY 1")
    assert rows == [("U1", 6, None), ("U2", 7, "Chuyên đề cũ")]


def test_a_file_refused_for_an_open_quote_is_not_called_empty(tmp_path: Path) -> None:
    """Seen in the browser: the refusal came with "the file has no data rows" beside it."""
    store = _store(tmp_path / "data")
    path = tmp_path / "q.csv"
    path.write_text(HEADER + '2020,U1,Người lao động,10,"5\n2020,U2,Người lao động,10,5\n')
    with plan_import(store, [InputFile(path.name, path)]) as plan:
        file_plan = plan.files[0]
        assert [(issue.row, issue.key) for issue in file_plan.issues] == [
            (2, "ingest.unclosed_quote")
        ]
        assert "ingest.no_data_rows" not in [key for key, _ in file_plan.warnings]


def test_the_key_figures_come_out_in_the_same_order_every_time(demo_store: Store) -> None:
    """Found by the hostile-input suite: the one-query key figures listed event types in
    whatever order DuckDB's parallel grouping produced, so ``kpis --json`` changed between
    runs. Types and bodies are now in their codes' order."""
    from dashkit.metrics import year_kpis
    from dashkit.queries import Scope

    kpis = year_kpis(demo_store.snapshot(), 2018, Scope())
    assert list(kpis.events_by_type) == sorted(kpis.events_by_type)
    assert list(kpis.awards_by_body) == sorted(kpis.awards_by_body)


def test_a_unit_repeated_by_a_units_file_is_still_found_by_its_name(tmp_path: Path) -> None:
    store = _store(tmp_path / "data")
    units = tmp_path / "don-vi.csv"
    units.write_text("Mã đơn vị,Tên đơn vị\nU1,Một\n", encoding="utf-8")
    figures = tmp_path / "ket-qua.csv"
    figures.write_text(
        "Năm,Tên đơn vị,Đối tượng,Tổng số,Đã học tập\n2020,Một,Người lao động,10,5\n",
        encoding="utf-8",
    )
    with plan_import(
        store, [InputFile(units.name, units), InputFile(figures.name, figures)]
    ) as plan:
        assert [file.issues for file in plan.files] == [[], []]
        commit_import(store, plan)
    assert store.snapshot().rows("SELECT unit_id, completed FROM participation") == [("U1", 5)]
