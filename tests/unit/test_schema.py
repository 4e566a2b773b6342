"""The data contract is coherent: keys are columns, labels exist, ids are stable."""

from __future__ import annotations

import pytest

from dashkit.i18n import LANGUAGES, translator
from dashkit.ingest.headers import ALIASES
from dashkit.ingest.text import fold
from dashkit.schema import TABLES, ColumnKind, derive_id


@pytest.mark.parametrize("name", sorted(TABLES))
def test_keys_and_sort_columns_are_stored_columns(name: str) -> None:
    table = TABLES[name]
    for column in (*table.key, *table.natural_key, *table.sort_by):
        assert column in table.column_names, f"{name}.{column}"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_has_a_label_in_every_language(name: str) -> None:
    for language in LANGUAGES:
        t = translator(language)
        for column in TABLES[name].columns:
            assert t.has(f"column.{column.name}"), f"{language}: column.{column.name}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_language_label_is_an_accepted_header(name: str, language: str) -> None:
    # A template written in either language must be readable back: ask the importer's own index.
    t = translator(language)
    for column in TABLES[name].columns:
        label = t(f"column.{column.name}")
        assert ALIASES[name].get(fold(label)) == column.name, (
            f"{language}: {name}.{column.name} ← {label}"
        )


def test_derive_id_is_stable_and_distinguishes_parts() -> None:
    assert derive_id("E", "2018-05-15", "DU", "Hội nghị") == derive_id(
        "E", "2018-05-15", "DU", "Hội nghị"
    )
    assert derive_id("E", "a", "bc") != derive_id("E", "ab", "c")
    assert derive_id("E", None) != derive_id("E", "None")


def test_rate_is_checked_but_never_stored() -> None:
    participation = TABLES["participation"]
    assert participation.column("rate").kind is ColumnKind.RATE
    assert "rate" not in participation.column_names


def test_range_checks_cover_bounds_codes_and_row_rules() -> None:
    names = {check.name for check in TABLES["participation"].range_checks()}
    assert {
        "year_min",
        "year_max",
        "eligible_min",
        "completed_min",
        "completed_le_eligible",
    } <= names
    event_checks = {check.name: check.sql for check in TABLES["events"].range_checks()}
    assert "'class'" in event_checks["event_type_code"]
