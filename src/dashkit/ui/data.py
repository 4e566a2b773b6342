"""Cached access to the store for the pages.

The store is the embedded catalog of the data directory, or the catalog named by
``$DASHKIT_CATALOG`` or by ``catalog`` in the ``[dashkit]`` section of the app's secrets (with
the catalog's own ``PYICEBERG_CATALOG__…`` keys at the secrets' top level, which Streamlit
exports as environment variables). Every cached function takes the store's locator and the data
version as its first arguments, so a new commit, made here or by another server on the same
catalog, is a new cache key at the next rerun: nothing stale is ever served and nothing needs
clearing. One ``Snapshot`` per version is shared by the sessions; each thread queries it
through its own DuckDB cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashkit.metrics import YearKpis, rate_by_year, year_kpis
from dashkit.queries import (
    FilterOptions,
    Scope,
    filter_options,
    lowest_units,
    search_units,
    unit_choices,
    unit_results,
)
from dashkit.queries import activity as activity_q
from dashkit.queries import options as options_q
from dashkit.queries import quality as quality_q
from dashkit.queries import units as units_q
from dashkit.report.export import ReportFormat
from dashkit.store import Snapshot, Store, resolve_data_dir


@dataclass(frozen=True)
class DataRef:
    """Which data a page shows: the store (its locator) and its version at the start of this
    rerun."""

    root: str
    version: int


_stores: dict[str, Store] = {}


def _catalog_from_secrets() -> str | None:
    try:
        section = st.secrets.to_dict().get("dashkit", {})
    except FileNotFoundError:  # no secrets file: the environment or the embedded catalog
        return None
    name = section.get("catalog") if isinstance(section, dict) else None
    return str(name).strip() or None if name else None


def current_store() -> Store:
    """The store this server shows."""
    store = Store(resolve_data_dir(), catalog=_catalog_from_secrets())
    _stores[store.locator] = store
    return store


def store_of(ref: DataRef) -> Store:
    return _stores.get(ref.root) or current_store()


def current() -> DataRef:
    """The store of this server and its current version (read once per rerun: one indexed
    query of the catalog's database)."""
    store = current_store()
    return DataRef(store.locator, store.version())


@st.cache_resource(max_entries=4, show_spinner=False)
def _snapshot(root: str, version: int) -> Snapshot:
    return store_of(DataRef(root, version)).snapshot(version)


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


@st.cache_data(max_entries=512, show_spinner=False)
def unit_names(root: str, version: int, unit_ids: tuple[str, ...]) -> dict[str, str]:
    """The names of these units only: at national scale (50,000 units) every unit's name is
    never loaded for a picker that shows a handful."""
    return options_q.unit_names(_snapshot(root, version), unit_ids)


@st.cache_data(max_entries=64, show_spinner=False)
def units(
    root: str, version: int, unit_groups: tuple[str, ...], unit_types: tuple[str, ...]
) -> dict[str, str]:
    return dict(unit_choices(_snapshot(root, version), unit_groups, unit_types))


_QUERIES: dict[str, Any] = {
    "unit_results": unit_results,
    "unit_history": units_q.unit_history,
    "compliance_by_year": units_q.compliance_by_year,
    "parents": units_q.parents,
    "children_rollup": units_q.children_rollup,
    "missing_reports": units_q.missing_reports,
    "completeness_by_year": units_q.completeness_by_year,
    "rate_jumps": quality_q.rate_jumps,
    "eligible_swings": quality_q.eligible_swings,
    "always_complete": quality_q.always_complete,
    "silent_units": quality_q.silent_units,
    "misdated_awards": quality_q.misdated_awards,
    "misdated_events": quality_q.misdated_events,
    "event_counts": activity_q.event_counts,
    "events_by_month": activity_q.events_by_month,
    "events_by_unit": activity_q.events_by_unit,
    "event_list": activity_q.event_list,
    "awards_by_unit": activity_q.awards_by_unit,
    "award_list": activity_q.award_list,
    "award_counts_by_year": activity_q.award_counts_by_year,
    "lowest_units": lowest_units,
}


@st.cache_data(max_entries=512, show_spinner=False)
def _fetch(root: str, version: int, name: str, args: tuple[Any, ...]) -> pd.DataFrame:
    result: pd.DataFrame = _QUERIES[name](_snapshot(root, version), *args)
    return result


def fetch(ref: DataRef, name: str, *args: Any) -> pd.DataFrame:
    """The (small) result of query ``name`` on the data of ``ref``, cached per data version."""
    return _fetch(ref.root, ref.version, name, args)


@st.cache_data(max_entries=32, show_spinner=False)
def report_narrative(
    root: str, version: int, year: int, scope: Scope, language: str
) -> tuple[str, ...]:
    # The report modules are imported here, not at the top: they pull in python-docx, openpyxl
    # and kaleido, which every other page would otherwise pay for at start-up.
    from dashkit.i18n import translator
    from dashkit.report.content import build_content
    from dashkit.report.narrative import narrative

    return narrative(build_content(_snapshot(root, version), year, scope), translator(language))


@st.cache_data(max_entries=16, show_spinner=False)
def report_file(
    root: str, version: int, year: int, scope: Scope, language: str, report_format: ReportFormat
) -> bytes:
    """The report as one file's bytes (Markdown without its chart images: one download)."""
    import tempfile
    from pathlib import Path

    from dashkit.i18n import translator
    from dashkit.report.export import write_report

    with tempfile.TemporaryDirectory(prefix="dashkit-report-") as folder:
        path = Path(folder) / f"report.{report_format}"
        write_report(
            _snapshot(root, version),
            year,
            report_format,
            path,
            translator(language),
            charts=report_format != "md",
            scope=scope,
        )
        return path.read_bytes()


@st.cache_data(max_entries=256, show_spinner=False)
def unit_search(
    root: str, version: int, text: str, unit_groups: tuple[str, ...], unit_types: tuple[str, ...]
) -> dict[str, str]:
    return dict(search_units(_snapshot(root, version), text, unit_groups, unit_types))
