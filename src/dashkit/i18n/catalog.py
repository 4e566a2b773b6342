"""Loading the message catalogues: TOML files whose nested tables flatten to dotted keys."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def _flatten(prefix: str, node: dict[str, Any], into: dict[str, str]) -> None:
    for name, value in node.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            _flatten(key, value, into)
        else:
            into[key] = str(value)


@cache
def load_catalog(language: str) -> dict[str, str]:
    """The flat ``key -> message`` mapping of ``language``; KeyError for a language we lack."""
    if language not in LANGUAGES:
        raise KeyError(language)
    text = (
        resources.files("dashkit.i18n").joinpath("locales", f"{language}.toml").read_text("utf-8")
    )
    flat: dict[str, str] = {}
    _flatten("", tomllib.loads(text), flat)
    return flat


def catalog_keys(language: str) -> frozenset[str]:
    return frozenset(load_catalog(language))
