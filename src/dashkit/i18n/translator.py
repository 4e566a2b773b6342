"""``Translator``: messages and formatted numbers and dates in one language.

A missing key returns the key itself rather than failing a page: the catalogue test is what
keeps the catalogues complete.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache

from babel.dates import format_date
from babel.numbers import format_decimal

from dashkit.i18n.catalog import DEFAULT_LANGUAGE, LANGUAGES, load_catalog


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, key: str, **params: object) -> str:
        message = load_catalog(self.language).get(key, key)
        return message.format(**params) if params else message

    def has(self, key: str) -> bool:
        return key in load_catalog(self.language)

    def code(self, family: str, code: str | None) -> str:
        """The name of a code (``audience``, ``event_type``, …); an unknown code as written."""
        if code is None:
            return self("common.none")
        key = f"{family}.{code}"
        return self(key) if self.has(key) else code

    def error(self, key: str, params: dict[str, object]) -> str:
        return self(f"error.{key}", **params) if self.has(f"error.{key}") else f"{key}: {params}"

    # -- numbers and dates ------------------------------------------------------------------

    def integer(self, value: int | float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("common.no_value")
        return format_decimal(round(value), format="#,##0", locale=self.language)

    def decimal(self, value: float | None, digits: int = 1) -> str:
        if value is None or math.isnan(value):
            return self("common.no_value")
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def percent(self, rate: float | None, digits: int = 1) -> str:
        """A rate in 0..1 as a percentage: ``97,0 %`` in Vietnamese, ``97.0%`` in English."""
        if rate is None or math.isnan(rate):
            return self("common.no_value")
        return self("format.percent", value=self.decimal(rate * 100, digits))

    def points(self, delta_pp: float | None, digits: int = 1) -> str:
        """A change in percentage points with its sign: ``+2,1 điểm %`` (ASCII minus: Streamlit
        reads the sign of a metric delta from its first character). A change too small to show
        at ``digits`` is ``±0,0``, not ``-0,0``."""
        if delta_pp is None or math.isnan(delta_pp):
            return self("common.no_value")
        shown = self.decimal(abs(delta_pp), digits)
        flat = shown == self.decimal(0.0, digits)
        sign = "±" if flat else ("+" if delta_pp > 0 else "-")
        return self("format.points", value=sign + shown)

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return self("common.no_value")
        return format_date(value, format=self("format.date_pattern"), locale=self.language)

    @property
    def percent_suffix(self) -> str:
        """What follows a number on a percent axis: `` %`` in Vietnamese, ``%`` in English."""
        return self("format.percent_suffix")

    @property
    def plotly_separators(self) -> str:
        """Plotly's ``layout.separators``: the decimal mark, then the thousands mark."""
        return self("format.plotly_separators")


@cache
def translator(language: str | None = None) -> Translator:
    """The translator for ``language``; the default language for None or an unknown one."""
    return Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
