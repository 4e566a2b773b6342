"""Formula neutralisation for exported cells (OWASP's CSV-injection advice)."""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would evaluate, prefixed with an apostrophe; anything else as is.
    Numbers stay numbers (a negative number is not text and is not touched)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for Excel: UTF-8 with a byte-order mark, formulas neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(name)) for name in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")
