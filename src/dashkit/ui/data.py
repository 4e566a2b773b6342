"""Cached access to the store for the pages.

Every cached function takes the data directory and the data version as its first arguments, so
a new commit is a new cache key: nothing stale is ever served and nothing needs clearing. One
``Snapshot`` per version is shared by the sessions; each thread queries it through its own
DuckDB cursor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashkit.metrics import YearKpis, rate_by_year, unit_ranking_table, year_kpis
from dashkit.queries import FilterOptions, Scope, filter_options, unit_choices
from dashkit.store import Snapshot, Store, resolve_data_dir


@dataclass(frozen=True)
class DataRef:
    """Which data a page shows: the directory and its version at the start of this rerun."""

    root: str
    version: int


def current() -> DataRef:
    """The data directory of this server and its current version (read once per rerun)."""
    root = resolve_data_dir()
    return DataRef(str(root), Store(root).version())


@st.cache_resource(max_entries=4, show_spinner=False)
def _snapshot(root: str, version: int) -> Snapshot:
    from pathlib import Path

    return Store(Path(root)).snapshot(version)


def snapshot(ref: DataRef) -> Snapshot:
    return _snapshot(ref.root, ref.version)


@st.cache_data(max_entries=16, show_spinner=False)
def options(root: str, version: int) -> FilterOptions:
    return filter_options(_snapshot(root, version))


@st.cache_data(max_entries=256, show_spinner=False)
def kpis(root: str, version: int, year: int, scope: Scope) -> YearKpis:
    return year_kpis(_snapshot(root, version), year, scope)


@st.cache_data(max_entries=256, show_spinner=False)
def trend(root: str, version: int, scope: Scope) -> pd.DataFrame:
    return rate_by_year(_snapshot(root, version), scope)


@st.cache_data(max_entries=256, show_spinner=False)
def ranking(root: str, version: int, year: int, scope: Scope) -> pd.DataFrame:
    return unit_ranking_table(_snapshot(root, version), year, scope)


@st.cache_data(max_entries=64, show_spinner=False)
def units(
    root: str, version: int, unit_groups: tuple[str, ...], unit_types: tuple[str, ...]
) -> dict[str, str]:
    return dict(unit_choices(_snapshot(root, version), unit_groups, unit_types))
