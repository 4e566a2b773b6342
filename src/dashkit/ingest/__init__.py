"""Getting the units' files in: read any CSV or spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods) an office sends, check it, plan, commit.

Contract: ``plan_import`` never writes; it returns per file the detected table, encoding and
column mapping, the preview (new / replaced / unchanged / rejected rows per year) and every
problem with its row, column, value and a catalogue key. ``commit_import`` writes all files'
valid rows as one undoable commit, or nothing. Heavy work runs in DuckDB over staged Parquet.
"""

from __future__ import annotations

from dashkit.ingest.plan import (
    FilePlan,
    ImportOptions,
    ImportPlan,
    InputFile,
    YearCounts,
    commit_import,
    plan_import,
)
from dashkit.ingest.sources import Limits
from dashkit.ingest.transform import Issue
from dashkit.ingest.workbooks import TEXT_EXTENSIONS, WORKBOOK_EXTENSIONS

__all__ = [
    "TEXT_EXTENSIONS",
    "WORKBOOK_EXTENSIONS",
    "FilePlan",
    "ImportOptions",
    "ImportPlan",
    "InputFile",
    "Issue",
    "Limits",
    "YearCounts",
    "commit_import",
    "plan_import",
]
