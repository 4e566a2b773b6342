"""Problems and warnings as sentences in the user's language.

Takes any translator with ``__call__(key, **params)`` and ``error(key, params)`` (the i18n
``Translator``), so this layer need not import i18n. A problem names its row, the column as
the file names it (else the column's label), the value, and what to do.
"""

from __future__ import annotations

from typing import Any, Protocol

from dashkit.ingest.transform import Issue


class Translate(Protocol):
    def __call__(self, key: str, **params: object) -> str: ...

    def error(self, key: str, params: dict[str, object]) -> str: ...


def column_label(t: Translate, issue: Issue) -> str | None:
    if issue.header:
        return issue.header
    return t(f"column.{issue.column}") if issue.column else None


def issue_text(t: Translate, issue: Issue) -> str:
    params: dict[str, object] = {
        "row": issue.row if issue.row is not None else "–",
        "column": column_label(t, issue) or "–",
        "value": issue.value if issue.value is not None else "",
        **issue.params,
    }
    return t.error(issue.key, params)


def warning_text(t: Translate, warning: tuple[str, dict[str, Any]]) -> str:
    key, params = warning
    return t.error(key, dict(params))
