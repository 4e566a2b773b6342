"""The data contract: the five tables, their columns, keys and rules.

This is the bottom layer: standard library only. Everything that reads or writes data (the
store, the importers, the demo generator, the queries) takes column names, types and keys from
here, so a column is renamed in one place. Display labels live in the i18n catalogues under
``column.<name>``; the ``aliases`` here are the header spellings an importer accepts.
"""

from __future__ import annotations

from dashkit.schema.codes import CODE_ALIASES, IGNORED_HEADERS
from dashkit.schema.tables import (
    AUDIENCES,
    AWARDS,
    EVENT_TYPES,
    EVENTS,
    PARTICIPATION,
    RECIPIENT_TYPES,
    TABLES,
    TARGETS,
    UNITS,
    YEAR_MAX,
    YEAR_MIN,
    Check,
    Column,
    ColumnKind,
    Table,
    derive_id,
    table,
)

__all__ = [
    "AUDIENCES",
    "AWARDS",
    "CODE_ALIASES",
    "EVENTS",
    "EVENT_TYPES",
    "IGNORED_HEADERS",
    "PARTICIPATION",
    "RECIPIENT_TYPES",
    "TABLES",
    "TARGETS",
    "UNITS",
    "YEAR_MAX",
    "YEAR_MIN",
    "Check",
    "Column",
    "ColumnKind",
    "Table",
    "derive_id",
    "table",
]
