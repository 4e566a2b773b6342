"""The import measured against its floor: ``dashkit import`` of a big participation CSV (plan and
commit into a copy of the store) and DuckDB's ``read_csv`` of the same file ``COPY``'d to Parquet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from dashkit.ingest import InputFile, commit_import, plan_import
from dashkit.schema import YEAR_MAX
from dashkit.store import CommitInfo, Store, read_parquet_sql
from dashkit.store.transfer import copy_current


def write_csv(store: Store, path: Path, rows: int, year: int = 2030) -> int:
    """A participation CSV of about ``rows`` rows for the store's grassroots units, written the
    way offices write it (Vietnamese headers and audience words, thousands with dots)."""
    connection = duckdb.connect(":memory:")
    units = read_parquet_sql(store.snapshot().files["units"])
    connection.execute(
        f"""COPY (
            WITH units AS (SELECT unit_id FROM {units}
                           WHERE unit_id NOT IN (SELECT parent_id FROM {units}
                                                 WHERE parent_id IS NOT NULL)),
            grid AS (SELECT y AS "Năm", unit_id AS "Mã đơn vị", a AS "Đối tượng",
                            (20 + hash(unit_id, y, a) % 2000)::BIGINT AS total
                     FROM units, range({year}, {YEAR_MAX} + 1) AS ys(y),
                          (VALUES ('Đảng viên'), ('Người lao động')) AS aud(a))
            SELECT "Năm", "Mã đơn vị", "Đối tượng", replace(format('{{:,}}', total), ',', '.') AS "Tổng số",
                   (total * 9 // 10)::BIGINT AS "Đã học tập"
            FROM grid ORDER BY "Năm", "Mã đơn vị", "Đối tượng" LIMIT {rows}
        ) TO '{path}' (HEADER, DELIMITER ',')"""
    ).fetchall()
    count = int(connection.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()[0][0])
    connection.close()
    return count


def fresh_copy(store_root: Path, scratch: Path) -> None:
    """A fresh copy of the store at ``store_root`` to import into (set-up, not timed). The
    copy is flushed to disk here, so that its writing does not go on during the timed import."""
    shutil.rmtree(scratch, ignore_errors=True)
    copy_current(Store(store_root), Store(scratch), CommitInfo(op="demo", source="bench copy"))
    os.sync()


def project(scratch: Path, csv: Path) -> None:
    """Plan and commit ``csv`` into the store at ``scratch``, as ``dashkit import`` does."""
    store = Store(scratch)
    with plan_import(store, [InputFile(csv.name, csv)]) as plan:
        if not plan.ok:
            raise RuntimeError(f"bench import refused: {plan.files[0].issues[:3]}")
        commit_import(store, plan)


def duckdb_floor(csv: Path, target: Path) -> None:
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{target}' (FORMAT parquet)")
