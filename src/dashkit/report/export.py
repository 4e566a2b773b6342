"""``write_report``: the review report of one year, from a snapshot to a DOCX, XLSX or Markdown
file.

Contract: the content is read once (``build_content``), the tables and the narrative are built
from it, the charts are exported to PNG for the formats that show them (DOCX and Markdown; the
workbook holds the tables) and the file is written whole or not at all (a temporary file beside
it, renamed into place). A chart export that fails leaves a report without images and a note
saying so, never a failed report; a year without data gives a report that says there is none.
A file that cannot be written raises ``DashkitError("report.write_failed")``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dashkit.errors import DashkitError
from dashkit.i18n import Translator
from dashkit.queries import Scope
from dashkit.report.content import build_content
from dashkit.report.docx_writer import docx_bytes
from dashkit.report.figures import report_charts
from dashkit.report.images import render_png
from dashkit.report.markdown_writer import markdown
from dashkit.report.outline import Outline, build_outline
from dashkit.report.tables import report_tables
from dashkit.report.xlsx_writer import xlsx_bytes
from dashkit.store import Snapshot

ReportFormat = Literal["docx", "xlsx", "md"]
FORMATS: tuple[ReportFormat, ...] = ("docx", "xlsx", "md")
WITH_CHARTS: frozenset[str] = frozenset({"docx", "md"})
_SAFE_STEM = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class ReportResult:
    path: Path
    files: tuple[Path, ...]  # everything written: the report and, for Markdown, its images
    charts: int  # chart images in the report
    image_error: str | None  # why the charts are missing, when their export failed
    has_data: bool


def write_report(
    snapshot: Snapshot,
    year: int,
    report_format: ReportFormat,
    path: Path,
    t: Translator,
    *,
    charts: bool = True,
    scope: Scope | None = None,
) -> ReportResult:
    content = build_content(snapshot, year, scope)
    tables = report_tables(content)
    figures = report_charts(content, t) if charts and report_format in WITH_CHARTS else ()
    rendered = render_png([chart.figure for chart in figures])
    notes = [] if rendered.ok else [t("report.images_failed", reason=rendered.error)]
    outline = build_outline(content, tables, t, charts=figures, images=rendered.images, notes=notes)
    files = _write(outline, t, report_format, path)
    return ReportResult(
        path=path,
        files=tuple(files),
        charts=len(rendered.images),
        image_error=rendered.error,
        has_data=content.has_data,
    )


def _write(outline: Outline, t: Translator, report_format: ReportFormat, path: Path) -> list[Path]:
    files: dict[Path, bytes] = {}
    if report_format == "md":
        text, images = markdown(outline, t, _SAFE_STEM.sub("_", path.stem) or "report")
        files.update({path.with_name(name): png for name, png in images.items()})
        files[path] = text.encode("utf-8")
    else:
        files[path] = docx_bytes(outline, t) if report_format == "docx" else xlsx_bytes(outline, t)
    for target, data in files.items():
        _write_atomically(target, data)
    return [path, *(target for target in files if target != path)]


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise DashkitError(
            "report.write_failed", path=str(path), reason=error.strerror or str(error)
        ) from error
