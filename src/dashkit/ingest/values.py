"""Parsing values as Vietnamese offices write them, as DuckDB macros (run where the rows are).

- Whole numbers: ``1.234`` and ``1,234`` and ``1 234`` are one thousand two hundred thirty-four
  (three-digit groups); ``12,0`` is twelve; ``1,5`` is not a whole number.
- Decimals and percentages: ``97,5``, ``97,5%`` and ``97.5`` are ninety-seven and a half;
  ``1.234,5`` is Vietnamese, ``1,234.5`` English. A lone comma is a decimal comma.
- Dates: ``15/05/2018``, ``5/3/18``, ``2018-05-15``, ``15-05-2018``, ``15.05.2018`` and Excel
  serial numbers; a day that does not exist (31/02) is not a date.
A value that does not parse is NULL here and reported by the validator with its text.
"""

from __future__ import annotations

import duckdb

from dashkit.ingest.text import SQL_FOLD, SQL_NAME_KEY

MACROS: tuple[str, ...] = (
    # NFC, and no space (any Unicode space: a no-break space copied from Word too), tab or
    # line break at either end, however they alternate
    "CREATE OR REPLACE TEMP MACRO dk_clean(x) AS "
    "nullif(regexp_replace(nfc_normalize(x), '^[\\t\\n\\r\\p{Zs}]+|[\\t\\n\\r\\p{Zs}]+$', '', 'g'), '')",
    f"CREATE OR REPLACE TEMP MACRO dk_fold(x) AS {SQL_FOLD.format(x='x')}",
    f"CREATE OR REPLACE TEMP MACRO dk_name_key(x) AS {SQL_NAME_KEY.format(x='x')}",
    "CREATE OR REPLACE TEMP MACRO dk_compact(x) AS regexp_replace(x, '[\\s\u00a0]', '', 'g')",
    """CREATE OR REPLACE TEMP MACRO dk_int_text(v) AS CASE
        WHEN regexp_full_match(v, '[+-]?\\d{1,3}([.,]\\d{3})+') THEN regexp_replace(v, '[.,]', '', 'g')
        WHEN regexp_full_match(v, '[+-]?\\d+([.,]0+)?') THEN regexp_replace(v, '[.,]0+$', '')
        ELSE NULL END""",
    "CREATE OR REPLACE TEMP MACRO dk_int(x) AS try_cast(dk_int_text(dk_compact(x)) AS BIGINT)",
    """CREATE OR REPLACE TEMP MACRO dk_num_text(v) AS CASE
        WHEN regexp_full_match(v, '[+-]?\\d{1,3}(\\.\\d{3})+(,\\d+)?') THEN replace(replace(v, '.', ''), ',', '.')
        WHEN regexp_full_match(v, '[+-]?\\d+,\\d+') THEN replace(v, ',', '.')
        WHEN regexp_full_match(v, '[+-]?\\d{1,3}(,\\d{3})+(\\.\\d+)?') THEN replace(v, ',', '')
        WHEN regexp_full_match(v, '[+-]?\\d+(\\.\\d+)?') THEN v
        ELSE NULL END""",
    "CREATE OR REPLACE TEMP MACRO dk_num(x) AS try_cast(dk_num_text(replace(dk_compact(x), '%', '')) AS DOUBLE)",
    """CREATE OR REPLACE TEMP MACRO dk_date(x) AS coalesce(
        CASE WHEN regexp_full_match(x, '\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2}')
             THEN try_strptime(regexp_replace(x, '[.-]', '/', 'g'), '%d/%m/%y')::DATE END,
        try_strptime(x, ['%d/%m/%Y', '%Y-%m-%d', '%d-%m-%Y', '%d.%m.%Y', '%Y/%m/%d',
                         '%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M'])::DATE,
        CASE WHEN regexp_full_match(x, '\\d{5}') AND CAST(x AS INTEGER) BETWEEN 1 AND 2958465
             THEN DATE '1899-12-30' + CAST(x AS INTEGER) END)""",
)


def install(connection: duckdb.DuckDBPyConnection) -> None:
    """Define the parsing macros on ``connection``."""
    for macro in MACROS:
        connection.execute(macro).fetchall()
