"""The questions the pages ask, as DuckDB SQL over a ``Snapshot``.

Contract: every function takes a snapshot (and a ``Scope`` and year where it applies), runs the
heavy work in SQL next to the Parquet files, and returns a small pandas DataFrame or plain
numbers, bounded by units × years × codes, never a table's raw rows. Rates are not computed
here: results carry ``eligible`` and ``completed`` sums, and ``dashkit.metrics`` derives rates
as Σcompleted / Σeligible.
"""

from __future__ import annotations

from dashkit.queries.activity import event_counts
from dashkit.queries.key_figures import KeyFigureRow, key_figure_rows
from dashkit.queries.options import (
    FilterOptions,
    filter_options,
    search_units,
    unit_choices,
    unit_names,
)
from dashkit.queries.participation import (
    lowest_units,
    participation_by_year,
    targets_by_year,
    unit_results,
)
from dashkit.queries.scope import Scope

__all__ = [
    "FilterOptions",
    "KeyFigureRow",
    "Scope",
    "event_counts",
    "filter_options",
    "key_figure_rows",
    "lowest_units",
    "participation_by_year",
    "search_units",
    "targets_by_year",
    "unit_choices",
    "unit_names",
    "unit_results",
]
