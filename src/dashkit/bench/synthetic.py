"""Deterministic synthetic data at the bench scales, generated in DuckDB SQL.

Scales:
- ``demo``: the seed's demo data;
- ``city``: 1,000 grassroots units under 20 committees, 10 years;
- ``national``: 63 provinces → 800 committees → 52,000 grassroots units, 10 years, 2 audiences
  (1.04 M participation rows), 500,000 events, 300,000 awards.
Values come from ``hash(seed, row)``, so every run writes the same data.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashkit.demo import write_demo
from dashkit.store import CommitInfo, Store, TableWrite

SEED = 20180515
FIRST_YEAR = 2015


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int
    committees: int
    grassroots: int
    years: int
    events: int
    awards: int

    @property
    def participation_rows(self) -> int:
        return self.grassroots * self.years * 2


SCALES: dict[str, Scale] = {
    "city": Scale("city", 1, 20, 1_000, 10, 10_000, 6_000),
    "national": Scale("national", 63, 800, 52_000, 10, 500_000, 300_000),
}


def build(scale_name: str, root: Path) -> Store:
    """A store under ``root`` holding the data of ``scale_name``."""
    store = Store(root)
    if scale_name == "demo":
        write_demo(store)
        return store
    scale = SCALES[scale_name]
    with tempfile.TemporaryDirectory(prefix="dashkit-bench-") as folder:
        files = _generate(scale, Path(folder))
        store.commit(
            [TableWrite(name, path, mode="replace") for name, path in files.items()],
            CommitInfo(op="demo", source=f"bench:{scale.name}"),
        )
    return store


def _h(*parts: str) -> str:
    """A deterministic pseudo-random integer in SQL from the row's identity."""
    return f"(hash({SEED}, {', '.join(parts)}) % 1000003)::BIGINT"


def _generate(scale: Scale, folder: Path) -> dict[str, Path]:
    connection = duckdb.connect(":memory:")
    paths = {
        name: folder / f"{name}.parquet"
        for name in ("units", "participation", "events", "awards", "targets")
    }
    last_year = FIRST_YEAR + scale.years - 1
    types = (
        "['Doanh nghiệp nhà nước', 'Công ty cổ phần', 'Doanh nghiệp tư nhân', 'Doanh nghiệp FDI']"
    )
    statements = [
        f"""COPY (
            SELECT printf('P%02d', i) AS unit_id, printf('Tỉnh ủy %02d', i) AS unit_name, NULL::VARCHAR AS parent_id,
                   'Tỉnh ủy' AS unit_type, NULL::VARCHAR AS unit_group, {FIRST_YEAR - 1} AS active_from,
                   NULL::INTEGER AS active_to
            FROM range(1, {scale.provinces + 1}) AS r(i)
            UNION ALL
            SELECT printf('C%04d', i), printf('Đảng ủy cấp trên cơ sở %04d', i),
                   printf('P%02d', 1 + i % {scale.provinces}), 'Đảng ủy cấp trên cơ sở',
                   printf('Tỉnh %02d', 1 + i % {scale.provinces}), {FIRST_YEAR - 1}, NULL
            FROM range(1, {scale.committees + 1}) AS r(i)
            UNION ALL
            SELECT printf('G%05d', i), printf('Chi bộ cơ sở %05d', i), printf('C%04d', 1 + i % {scale.committees}),
                   {types}[1 + {_h("i")} % 4], printf('Tỉnh %02d', 1 + (1 + i % {scale.committees}) % {scale.provinces}),
                   {FIRST_YEAR - 1}, NULL
            FROM range(1, {scale.grassroots + 1}) AS r(i)
        ) TO '{paths["units"]}' (FORMAT parquet)""",
        f"""COPY (
            WITH base AS (
                SELECT y AS year, printf('G%05d', i) AS unit_id, a AS audience,
                       CASE WHEN a = 'party_member' THEN 3 + {_h("i", "a")} % 60 ELSE 20 + {_h("i", "a")} % 2000 END AS eligible,
                       (60 + {_h("i", "a", "y")} % 41) / 100.0 AS share
                FROM range(1, {scale.grassroots + 1}) AS r(i),
                     range({FIRST_YEAR}, {last_year + 1}) AS ys(y),
                     (VALUES ('party_member'), ('worker')) AS aud(a)
            )
            SELECT year, unit_id, audience, eligible::BIGINT AS eligible,
                   least(eligible, round(eligible * share))::BIGINT AS completed, NULL::VARCHAR AS topic
            FROM base
        ) TO '{paths["participation"]}' (FORMAT parquet)""",
        f"""COPY (
            SELECT printf('E%07d', i) AS event_id,
                   DATE '{FIRST_YEAR}-01-01' + ({_h("i")} % ({scale.years} * 365))::INTEGER AS date,
                   printf('G%05d', 1 + {_h("i", "'u'")} % {scale.grassroots}) AS unit_id,
                   ['class', 'conference', 'thematic', 'thematic', 'thematic', 'review', 'other'][1 + {_h("i", "'t'")} % 7] AS event_type,
                   printf('Hoạt động %07d', i) AS title, NULL::VARCHAR AS audience,
                   (10 + {_h("i", "'n'")} % 300)::BIGINT AS attendees
            FROM range(1, {scale.events + 1}) AS r(i)
        ) TO '{paths["events"]}' (FORMAT parquet)""",
        f"""COPY (
            SELECT printf('A%07d', i) AS award_id, ({FIRST_YEAR} + {_h("i")} % {scale.years})::INTEGER AS year,
                   NULL::DATE AS date, printf('G%05d', 1 + {_h("i", "'u'")} % {scale.grassroots}) AS unit_id,
                   CASE WHEN {_h("i", "'r'")} % 3 = 0 THEN 'collective' ELSE 'individual' END AS recipient_type,
                   printf('Người nhận %07d', i) AS recipient_name,
                   ['Giấy khen', 'Bằng khen', 'Huy hiệu 30 năm tuổi Đảng'][1 + {_h("i", "'k'")} % 3] AS award_type,
                   ['Ban Thường vụ Đảng ủy', 'Tỉnh ủy', 'Trung ương'][1 + {_h("i", "'b'")} % 3] AS awarding_body,
                   NULL::VARCHAR AS reason
            FROM range(1, {scale.awards + 1}) AS r(i)
        ) TO '{paths["awards"]}' (FORMAT parquet)""",
        f"""COPY (
            SELECT y AS year, a AS audience, CASE WHEN a = 'party_member' THEN 85.0 ELSE 75.0 END AS target_rate,
                   NULL::VARCHAR AS unit_id
            FROM range({FIRST_YEAR}, {last_year + 1}) AS ys(y), (VALUES ('party_member'), ('worker')) AS aud(a)
        ) TO '{paths["targets"]}' (FORMAT parquet)""",
    ]
    for statement in statements:
        connection.execute(statement).fetchall()
    connection.close()
    return paths
