"""Text as offices write it: NFC, trimmed, and folded for matching.

``fold`` is the matching key for headers and codes: diacritics, case, spacing and punctuation
do not matter ("Mã đơn vị", "MA DON VI" and "ma-don-vi" are one key). Names of units are matched
less loosely (``name_key``: NFC, case and spacing only), since "Phước" and "Phuoc" may be two
different enterprises.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z%]+")
_SPACES = re.compile(r"\s+")
TOTALS_LABELS = frozenset({"tong cong", "cong", "total", "tong", "tong so", "grand total", "sum"})


def nfc(text: str) -> str:
    """NFC and trimmed: Windows-1258 and some Macs store tone marks as combining characters."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """The loose matching key: no diacritics (đ → d), lower case, words joined by one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", bare.casefold()).strip()


def name_key(text: str) -> str:
    """The key a unit's name is matched by: NFC, case and spacing folded, diacritics kept."""
    return _SPACES.sub(" ", nfc(text)).casefold()


def is_totals_label(text: str) -> bool:
    """True for the label of a totals row ("Tổng cộng", "Cộng", "Total")."""
    return fold(text) in TOTALS_LABELS


# The same two keys in DuckDB SQL, for matching millions of rows where they are.
SQL_FOLD = (
    "trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize({x}), 'đ', 'd'), 'Đ', 'D'))),"
    " '[^0-9a-z%]+', ' ', 'g'))"
)
# RE2's \s is ASCII only: the no-break spaces that names copied from Word or the web carry are
# listed too, as Python's \s (in ``name_key``) matches them.
SQL_NAME_KEY = "lower(trim(regexp_replace(nfc_normalize({x}), '[\\s\u00a0\u202f]+', ' ', 'g')))"
