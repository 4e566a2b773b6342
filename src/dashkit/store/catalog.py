"""Which Apache Iceberg catalog holds the data of record, and the tables in it.

Contract:
- ``CatalogChoice``: the embedded default (a SQLite catalog ``catalog.db`` and a warehouse
  folder ``warehouse/`` inside the data directory) or a catalog configured the way pyiceberg
  users write it (``.pyiceberg.yaml`` or ``PYICEBERG_CATALOG__<NAME>__*``), picked by name.
- ``open_catalog`` loads it; dashkit needs a SQL catalog (SQLite or PostgreSQL through
  SQLAlchemy), because its commit log and writers' lock live in the catalog's own database.
- The five contract tables live in the ``dashkit`` namespace with Iceberg types taken from the
  contract, a name mapping (data files written by DuckDB carry no field ids), and a partition
  by year where a table has one (``year``, or the year of ``date`` for events).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC, PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table as IcebergTable
from pyiceberg.table.name_mapping import create_mapping_from_schema
from pyiceberg.transforms import IdentityTransform, YearTransform
from pyiceberg.types import (
    DateType,
    DoubleType,
    IcebergType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
)
from pyiceberg.utils.config import Config
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from dashkit.errors import StoreError
from dashkit.schema import TABLES, Table
from dashkit.schema.tables import ColumnKind

CATALOG_ENV = "DASHKIT_CATALOG"
NAMESPACE = "dashkit"
EMBEDDED_NAME = "dashkit-embedded"
EMBEDDED_DATABASE = "catalog.db"
EMBEDDED_WAREHOUSE = "warehouse"
# The partition of each table: the SQL of a row's partition value (DuckDB), the source column
# and the Iceberg transform. Units have no year: one partition.
PARTITIONS: dict[str, tuple[str, str, type[IdentityTransform[Any]] | type[YearTransform[Any]]]] = {
    "participation": ("year", "year", IdentityTransform),
    "awards": ("year", "year", IdentityTransform),
    "targets": ("year", "year", IdentityTransform),
    "events": ("year(date)", "date", YearTransform),
}

_CREATE_ATTEMPTS = 5
CatalogType = TypeVar("CatalogType", bound=Catalog)

_ICEBERG_TYPES: dict[ColumnKind, IcebergType] = {
    ColumnKind.TEXT: StringType(),
    ColumnKind.CODE: StringType(),
    ColumnKind.INT: LongType(),
    ColumnKind.YEAR: IntegerType(),
    ColumnKind.DATE: DateType(),
    ColumnKind.RATE: DoubleType(),
}


@dataclass(frozen=True)
class CatalogChoice:
    """The embedded catalog of ``data_dir`` (``name`` None) or the configured catalog ``name``.
    ``data_dir`` is always local: the embedded catalog, and for any catalog the cache of data
    files and the staging folder of commits."""

    data_dir: Path
    name: str | None = None

    @property
    def embedded(self) -> bool:
        return self.name is None

    @property
    def locator(self) -> str:
        """One string naming the store, for cache keys and messages."""
        return str(self.data_dir) if self.name is None else f"catalog:{self.name}@{self.data_dir}"

    @property
    def database(self) -> Path:
        return self.data_dir / EMBEDDED_DATABASE

    def exists(self) -> bool:
        """Whether there may be data: a named catalog always may; the embedded one once its
        database file exists (reading an empty data directory creates nothing)."""
        if self.name is not None:
            return True
        try:
            self.database.stat()
        except FileNotFoundError:
            return False
        except OSError as error:  # below a file, or a folder no one may read
            raise StoreError(
                "store.unreadable", path=str(self.data_dir), reason=error.strerror or str(error)
            ) from error
        return True

    def describe(self) -> str:
        return str(self.data_dir) if self.name is None else self.name


def choose_catalog(data_dir: Path, name: str | None = None) -> CatalogChoice:
    """``name`` if given, else ``$DASHKIT_CATALOG``, else the embedded catalog of ``data_dir``
    (which ``name=""`` also asks for, whatever the environment says)."""
    chosen = name if name is not None else os.environ.get(CATALOG_ENV)
    return CatalogChoice(data_dir=data_dir, name=chosen.strip() or None if chosen else None)


def open_catalog(choice: CatalogChoice) -> SqlCatalog:
    """The catalog itself (the embedded one is created on first use)."""
    if choice.name is None:
        choice.data_dir.mkdir(parents=True, exist_ok=True)
        warehouse = choice.data_dir / EMBEDDED_WAREHOUSE
        warehouse.mkdir(exist_ok=True)
        embedded = {"uri": f"sqlite:///{choice.database}", "warehouse": warehouse.as_uri()}
        return _while_tables_are_made(lambda: SqlCatalog(EMBEDDED_NAME, **embedded))
    # read the configuration now, not when pyiceberg was imported: a server's secrets may have
    # set the PYICEBERG_CATALOG__… variables after that
    properties = Config().get_catalog_config(choice.name)
    if not properties:
        raise StoreError("store.no_catalog", name=choice.name, reason="no settings")
    settings = {str(key): str(value) for key, value in properties.items()}
    name = choice.name
    try:
        catalog: Catalog = _while_tables_are_made(lambda: load_catalog(name, **settings))
    except (ValueError, ImportError) as error:  # a property missing, a driver not installed
        raise StoreError("store.no_catalog", name=choice.name, reason=str(error)) from error
    if not isinstance(catalog, SqlCatalog):
        raise StoreError("store.catalog_not_sql", name=choice.name, kind=type(catalog).__name__)
    return catalog


def _while_tables_are_made(make: Callable[[], CatalogType]) -> CatalogType:
    """``make()``, tried again while another process or thread creates pyiceberg's tables in a
    new database at the same moment (the loser's CREATE TABLE fails, or finds SQLite's file
    locked: the tables are there, or will be, a moment later)."""
    for attempt in range(_CREATE_ATTEMPTS):
        try:
            return make()
        except (IntegrityError, ProgrammingError, OperationalError) as error:
            text = str(error).lower()
            if attempt + 1 == _CREATE_ATTEMPTS or not ("exist" in text or "locked" in text):
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def iceberg_schema(table: Table) -> Schema:
    """The contract's stored columns as an Iceberg schema. Every field is optional: the
    contract's own checks decide what is required, with messages people can read."""
    return Schema(
        *(
            NestedField(number, column.name, _ICEBERG_TYPES[column.kind], required=False)
            for number, column in enumerate(table.stored_columns, start=1)
        )
    )


def partition_spec(table: Table, schema: Schema) -> PartitionSpec:
    if table.name not in PARTITIONS:
        return UNPARTITIONED_PARTITION_SPEC
    _, source, transform = PARTITIONS[table.name]
    field = schema.find_field(source)
    return PartitionSpec(
        PartitionField(
            source_id=field.field_id, field_id=1000, transform=transform(), name=f"{source}_part"
        )
    )


def partition_sql(table_name: str) -> str:
    """SQL of a row's partition value (a constant for an unpartitioned table)."""
    return PARTITIONS[table_name][0] if table_name in PARTITIONS else "0"


def identifier(table_name: str) -> str:
    return f"{NAMESPACE}.{table_name}"


def load_tables(catalog: Catalog, *, create: bool) -> dict[str, IcebergTable | None]:
    """The contract's tables (None for one not created yet, unless ``create``)."""
    if create:
        catalog.create_namespace_if_not_exists(NAMESPACE)
    found: dict[str, IcebergTable | None] = {}
    for name, table in TABLES.items():
        try:
            found[name] = catalog.load_table(identifier(name))
        except NoSuchTableError:
            found[name] = _create(catalog, table) if create else None
    return found


def _create(catalog: Catalog, table: Table) -> IcebergTable:
    schema = iceberg_schema(table)
    return catalog.create_table_if_not_exists(
        identifier(table.name),
        schema,
        partition_spec=partition_spec(table, schema),
        properties={
            "format-version": "2",
            "schema.name-mapping.default": create_mapping_from_schema(schema).model_dump_json(),
            "write.parquet.compression-codec": "zstd",
            # dashkit keeps the history it needs by pinning snapshots; ``dashkit maintain``
            # expires the others, so no metadata is dropped behind the history's back
            "write.metadata.delete-after-commit.enabled": "false",
        },
    )
