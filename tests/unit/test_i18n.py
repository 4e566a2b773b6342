"""Catalogues are complete in every language, and numbers read the way each language writes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dashkit.i18n import LANGUAGES, catalog_keys, translator

SOURCE = Path(__file__).resolve().parents[2] / "src" / "dashkit"
# t("some.key" …) and t.code("family", …) as written in the code.
KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
FSTRING_KEY = re.compile(r"""\bt\(\s*f["']([a-z_.]+)\{""")
# StoreError("store.locked", …) and the like: translated as "error.<key>"
ERROR_RAISED = re.compile(r"""\b[A-Z][A-Za-z]*Error\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_language_has_the_same_keys() -> None:
    reference = catalog_keys("vi")
    for language in LANGUAGES:
        keys = catalog_keys(language)
        assert keys == reference, (
            f"{language}: missing {sorted(reference - keys)}, extra {sorted(keys - reference)}"
        )


def test_every_key_the_code_uses_is_in_the_catalogues() -> None:
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 30, "the scan found too few keys: the pattern is broken"
    for language in LANGUAGES:
        missing = sorted(used - catalog_keys(language))
        assert not missing, f"{language} lacks {missing}"


def test_every_error_the_code_raises_has_a_message() -> None:
    raised: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        raised |= set(ERROR_RAISED.findall(path.read_text(encoding="utf-8")))
    assert {"store.locked", "store.unavailable"} <= raised, "the scan is broken"
    for language in LANGUAGES:
        missing = sorted(
            f"error.{key}" for key in raised if f"error.{key}" not in catalog_keys(language)
        )
        assert not missing, f"{language} lacks {missing}"


def test_every_prefix_used_with_a_computed_suffix_exists() -> None:
    prefixes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        prefixes |= set(FSTRING_KEY.findall(path.read_text(encoding="utf-8")))
    for language in LANGUAGES:
        keys = catalog_keys(language)
        for prefix in prefixes:
            assert any(key.startswith(prefix) for key in keys), f"{language}: {prefix}*"


@pytest.mark.parametrize(
    ("language", "call", "expected"),
    [
        ("vi", lambda t: t.integer(1234), "1.234"),
        ("en", lambda t: t.integer(1234), "1,234"),
        ("vi", lambda t: t.percent(0.97), "97,0 %"),
        ("en", lambda t: t.percent(0.97), "97.0%"),
        ("vi", lambda t: t.percent(0.975), "97,5 %"),
        ("vi", lambda t: t.percent(None), "–"),
        ("vi", lambda t: t.points(3.37), "+3,4 điểm %"),
        ("vi", lambda t: t.points(-1.25), "-1,2 điểm %"),
        ("en", lambda t: t.points(-1.26), "-1.3 pp"),
        ("vi", lambda t: t.points(0.0), "±0,0 điểm %"),
        ("vi", lambda t: t.points(-0.01), "±0,0 điểm %"),  # not "-0,0" with a red arrow
        ("en", lambda t: t.points(0.04), "±0.0 pp"),
        ("vi", lambda t: t.date(dt.date(2018, 5, 15)), "15/05/2018"),
        ("vi", lambda t: t.code("audience", "party_member"), "Đảng viên"),
        ("en", lambda t: t.code("audience", "worker"), "Workers"),
        ("vi", lambda t: t.code("audience", "youth_union"), "youth_union"),
        ("vi", lambda t: t.decimal(1234.5, 1), "1.234,5"),
    ],
)
def test_formatting(language: str, call, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert call(translator(language)) == expected


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert translator("xx").language == "vi"
    assert translator(None).language == "vi"
