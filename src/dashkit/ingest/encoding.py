"""Which text encoding a file is in, decided from its bytes (the user is never asked).

Order: a byte-order mark (UTF-8, UTF-16 LE/BE) decides; else text that decodes as UTF-8 is
UTF-8 (so is text whose lines mostly do: the others are reported on their rows); else charset-normalizer chooses among the legacy code pages, with one correction it gets
wrong on short files: Windows-1258 (Vietnamese) and Windows-1252 (Western) share most bytes, so
the two decodings are compared on how much of the text reads as Vietnamese or Western letters.
Text that decodes the same in both (no Vietnamese-only byte in it) is Windows-1252.
"""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256 * 1024
UTF8 = "utf-8"
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("cp1258", "cp1252")
# Letters of Vietnamese beyond ASCII, in NFC (both cases).
_VIETNAMESE = frozenset(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)


def detect_encoding(sample: bytes) -> str:
    """The Python codec name for text whose first bytes are ``sample``."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if _is_utf8(sample) or _mostly_utf8(sample):
        return UTF8  # a few foreign lines in a UTF-8 file are reported on their rows
    guess = from_bytes(sample[:SAMPLE_BYTES], cp_isolation=[*_LEGACY, "utf_8"]).best()
    if guess is not None and guess.encoding not in _LEGACY and guess.encoding != "utf_8":
        return str(guess.encoding)
    if sample.decode("cp1258", errors="replace") == sample.decode("cp1252", errors="replace"):
        return "cp1252"  # no byte where the two differ: Western text, no Vietnamese letter
    return min(_LEGACY, key=lambda name: (_oddness(sample, name), _LEGACY.index(name)))


def _is_utf8(sample: bytes) -> bool:
    decoder = codecs.getincrementaldecoder(UTF8)()
    try:
        decoder.decode(sample, final=False)  # a sample may end inside a multi-byte character
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(sample: bytes) -> bool:
    """True when most lines with non-ASCII bytes are UTF-8: a UTF-8 file with a few lines
    pasted from elsewhere, not a legacy code page (whose letters are rarely valid UTF-8)."""
    valid = invalid = 0
    for line in sample.splitlines()[:-1]:  # the last line may be cut inside a character
        if line.isascii():
            continue
        try:
            line.decode(UTF8)
            valid += 1
        except UnicodeDecodeError:
            invalid += 1
    return valid >= 2 and valid >= 2 * invalid


def _oddness(sample: bytes, encoding: str) -> int:
    """How many non-ASCII characters of the decoded text are neither Vietnamese letters nor
    common Western letters and punctuation: fewer means a likelier encoding."""
    text = unicodedata.normalize("NFC", sample.decode(encoding, errors="replace"))
    odd = 0
    for char in text:
        if char.isascii():
            continue
        if char in _VIETNAMESE:
            continue
        if unicodedata.combining(char) or char == "\ufffd":
            odd += 3  # a tone mark left uncombined, or undecodable: a wrong guess
        elif encoding == "cp1252" and char in "ÐðÞþ":
            odd += 2  # Icelandic letters: in Vietnamese text these are Đ/đ and tone marks
        elif not (char.isalpha() or unicodedata.category(char).startswith(("P", "S", "Z"))):
            odd += 1
    return odd
