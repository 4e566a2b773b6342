"""Problems and warnings as sentences in the user's language.

Takes any translator with ``__call__(key, **params)``, ``error(key, params)`` and the number
formatters ``integer`` / ``decimal`` (the i18n ``Translator``), so this layer need not import
i18n. A problem names its row, the column as the file names it (else the column's label), the
value, and what to do. Numbers among the parameters are written the language's way (``93,5``
and ``1.048.576`` in Vietnamese); row numbers stay as the spreadsheet shows them.
"""

from __future__ import annotations

from typing import Any, Protocol

from dashkit.ingest.transform import Issue

_ROW_PARAMS = frozenset({"row", "parent_row"})


class Translate(Protocol):
    def __call__(self, key: str, **params: object) -> str: ...

    def error(self, key: str, params: dict[str, object]) -> str: ...

    def integer(self, value: int | float | None) -> str: ...

    def decimal(self, value: float | None, digits: int = 1) -> str: ...


def column_label(t: Translate, issue: Issue) -> str | None:
    if issue.header:
        return issue.header
    return t(f"column.{issue.column}") if issue.column else None


def issue_text(t: Translate, issue: Issue) -> str:
    params: dict[str, object] = {
        "row": issue.row if issue.row is not None else "–",
        "column": column_label(t, issue) or "–",
        "value": issue.value if issue.value is not None else "",
        **_formatted(t, issue.params),
    }
    return t.error(issue.key, params)


def warning_text(t: Translate, warning: tuple[str, dict[str, Any]]) -> str:
    key, params = warning
    return t.error(key, _formatted(t, params))


def _formatted(t: Translate, params: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, bool) or name in _ROW_PARAMS:
            out[name] = value
        elif isinstance(value, float):
            out[name] = t.decimal(value, 1)
        elif isinstance(value, int):
            out[name] = t.integer(value)
        else:
            out[name] = value
    return out
