"""Exported cells never run as spreadsheet formulas."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashkit.report import neutralise, safe_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\tcmd", "'\tcmd"),
        ("Chi bộ Công ty A", "Chi bộ Công ty A"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        (-5, -5),
        (97.5, 97.5),
        (None, None),
    ],
)
def test_neutralise(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_safe_csv_neutralises_cells_and_headers_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"=name": ["=1+1", "Đơn vị B"], "count": [-3, 4]})
    text = safe_csv(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["'=name", "count"]
    assert list(back["'=name"]) == ["'=1+1", "Đơn vị B"]
    assert list(back["count"]) == [-3, 4]
