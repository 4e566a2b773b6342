"""Numbers in the pages' tables are written in the dashboard's language, not the browser's."""

from __future__ import annotations

import pandas as pd

from dashkit.i18n import translator
from dashkit.ui.tables import _number_format, with_numbers_in_language


def test_whole_numbers_get_the_languages_thousands_separator() -> None:
    column = pd.Series([1510, 971])
    assert _number_format(column, translator("vi"))(1510) == "1.510"
    assert _number_format(column, translator("en"))(1510) == "1,510"


def test_a_float_column_of_whole_values_is_written_without_decimals() -> None:
    column = pd.Series([1510.0, None])
    assert _number_format(column, translator("vi"))(1510.0) == "1.510"


def test_fractions_keep_one_decimal_with_the_languages_mark() -> None:
    column = pd.Series([2.5, 1234.26])
    assert _number_format(column, translator("vi"))(1234.26) == "1.234,3"
    assert _number_format(column, translator("en"))(2.5) == "2.5"


def test_a_whole_frame_is_written_in_the_dashboards_language() -> None:
    frame = pd.DataFrame({"Năm": ["2030"], "Thêm mới": [104000], "Tỷ lệ": [97.26]})
    vietnamese = with_numbers_in_language(frame, translator("vi")).to_string()
    english = with_numbers_in_language(frame, translator("en")).to_string()
    assert "104.000" in vietnamese and "97,3" in vietnamese and "2030" in vietnamese
    assert "104,000" in english and "97.3" in english
