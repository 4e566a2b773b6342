"""Languages: the vi and en catalogues and number/date formatting.

Contract: every string a user sees comes from ``locales/<lang>.toml`` through a ``Translator``;
numbers, percentages and dates are formatted per language with Babel (Vietnamese writes
``1.234`` and ``97,0 %``). Vietnamese is the default. This package imports nothing of dashkit.
"""

from __future__ import annotations

from dashkit.i18n.catalog import DEFAULT_LANGUAGE, LANGUAGES, catalog_keys, load_catalog
from dashkit.i18n.translator import Translator, translator

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Translator",
    "catalog_keys",
    "load_catalog",
    "translator",
]
