"""The report as the writers see it: title, narrative, sections of a table and its pictures.

Contract: ``Outline`` is the one structure every writer renders, already in the report's
language (headings, notes, narrative) but with its tables still raw (``ReportTable``), so the
DOCX, XLSX and Markdown files say the same thing in the same order: the narrative, then the
key figures (with the trend chart), the units (with the rankings), the awards and the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashkit.i18n import Translator
from dashkit.report.content import ReportContent
from dashkit.report.figures import Chart
from dashkit.report.model import ReportTable
from dashkit.report.narrative import narrative, organisation_name

SECTION_ORDER = ("kpis", "units", "awards", "events")
# A long table goes after its charts (they would be pages away below it); a short one first.
PICTURES_FIRST = frozenset({"units"})


@dataclass(frozen=True)
class Picture:
    name: str  # file-name-safe id
    title: str
    png: bytes
    width: int  # CSS pixels of the figure (the PNG has SCALE times as many)
    height: int


@dataclass(frozen=True)
class Section:
    name: str  # kpis, units, awards, events
    heading: str
    table: ReportTable
    pictures: tuple[Picture, ...] = ()
    pictures_first: bool = False


@dataclass(frozen=True)
class Outline:
    language: str
    year: int
    title: str
    subtitle: str
    narrative_heading: str
    narrative: tuple[str, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()  # said once, after the narrative (e.g. why there are no charts)


def build_outline(
    content: ReportContent,
    tables: Sequence[ReportTable],
    t: Translator,
    *,
    charts: Sequence[Chart] = (),
    images: Sequence[bytes] = (),
    notes: Sequence[str] = (),
) -> Outline:
    """``images`` are the PNGs of ``charts``, in order (none when the export failed)."""
    pictures = [
        Picture(chart.name, chart.title, png, chart.width, chart.height)
        for chart, png in zip(charts, images, strict=False)
    ]
    section_of = {chart.name: chart.section for chart in charts}
    by_name = {table.name: table for table in tables}
    sections = tuple(
        Section(
            name=name,
            heading=t(f"report.heading.{name}"),
            table=by_name[name],
            pictures=tuple(p for p in pictures if section_of[p.name] == name),
            pictures_first=name in PICTURES_FIRST,
        )
        for name in SECTION_ORDER
        if name in by_name
    )
    return Outline(
        language=t.language,
        year=content.year,
        title=t("report.title", year=content.year),
        subtitle=t(
            "report.subtitle", organisation=organisation_name(content, t), version=content.version
        ),
        narrative_heading=t("report.heading.narrative"),
        narrative=narrative(content, t),
        sections=sections,
        notes=tuple(notes),
    )
