"""The report as Markdown for the web, its charts as PNG files beside it.

Contract: ``markdown(outline, t, stem)`` returns the document's text and, per chart, a PNG to
be written next to it as ``<stem>-<chart>.png`` (linked relatively, so the folder can be
published as is). Tables are pipe tables, numbers right-aligned, below-target cells in
bold. Every text from the data is neutralised and escaped, so a name can neither run as a
formula when pasted into a spreadsheet nor inject Markdown or HTML.
"""

from __future__ import annotations

import re

from dashkit.i18n import Translator
from dashkit.report import cells
from dashkit.report.model import ReportTable
from dashkit.report.outline import Outline
from dashkit.report.safe import neutralise

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
_LINE_START = ("#", "+", "-", "!", ">", "=")


def escape(text: str) -> str:
    """``text`` as literal inline Markdown on one line: the characters that would format, link
    or open HTML are backslash-escaped, and so is a pipe (a table's cell border). Cells and
    headers arrive neutralised from ``cells``; a formatted number (``+3,4 điểm %``) is ours and
    stays as it is."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def escape_prose(text: str) -> str:
    """Like ``escape``, for a paragraph: a first character that would open a heading, a list or
    a quote is escaped too."""
    escaped = escape(str(neutralise(text)))
    return "\\" + escaped if escaped.startswith(_LINE_START) else escaped


def markdown(outline: Outline, t: Translator, stem: str) -> tuple[str, dict[str, bytes]]:
    """The document's text and its images by file name (``<stem>-<chart>.png``)."""
    images: dict[str, bytes] = {}
    lines = [f"# {escape_prose(outline.title)}", "", f"_{escape_prose(outline.subtitle)}_", ""]
    lines += [f"## {escape(outline.narrative_heading)}", ""]
    for paragraph in outline.narrative:
        lines += [escape_prose(paragraph), ""]
    for note in outline.notes:
        lines += [f"> {escape_prose(note)}", ""]
    for section in outline.sections:
        lines += [f"## {escape(section.heading)}", ""]
        pictures: list[str] = []
        for picture in section.pictures:
            name = f"{stem}-{picture.name}.png"
            images[name] = picture.png
            pictures += [f"![{escape(str(neutralise(picture.title)))}](<{name}>)", ""]
        table = _table(section.table.printed(), t)
        lines += [*pictures, *table] if section.pictures_first else [*table, *pictures]
    return "\n".join(lines), images


def _table(table: ReportTable, t: Translator) -> list[str]:
    if not table.rows:
        return [f"_{escape(t('report.empty_table'))}_", ""]
    header = "| " + " | ".join(escape(cells.header(t, column)) for column in table.columns) + " |"
    rule = (
        "|"
        + "|".join("---:" if cells.is_numeric(column) else "---" for column in table.columns)
        + "|"
    )
    lines = [header, rule]
    for row in table.rows:
        texts = []
        for index, column in enumerate(table.columns):
            text = escape(cells.text(t, column, row.values[index]))
            texts.append(f"**{text}**" if index in row.marked and text else text)
        lines.append("| " + " | ".join(texts) + " |")
    lines.append("")
    if table.legend_key and any(row.marked for row in table.rows):
        lines += [f"_{escape(t(table.legend_key))}_", ""]
    return lines
