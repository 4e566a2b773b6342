"""The report's narrative: paragraphs in the register of a committee's review, from the figures.

Contract: ``narrative(content, t)`` returns the paragraphs in ``t``'s language. Every sentence
is a catalogue template (``report.*``) filled with the content's figures and names; nothing
here names an organisation, a body or a number. Counts follow the catalogue's ``report.count``
(Vietnamese writes counts under ten with a leading zero: "04 lớp", "01 tập thể"), percentages
as the tiles and tables write them ("97,0 %"), and a noun after a count takes
the catalogue's ``_one`` or ``_other`` form. A year without data gives one paragraph that says
so.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashkit.i18n import Translator
from dashkit.metrics import AudienceKpi
from dashkit.report.content import ReportContent
from dashkit.schema import EVENT_TYPES, RECIPIENT_TYPES

CLASS = "class"
SAME_POINTS = 0.05  # a change that rounds to 0,0 points is "the same as"


def narrative(content: ReportContent, t: Translator) -> tuple[str, ...]:
    if not content.has_data:
        return (t("report.no_data", year=content.year),)
    organisation = organisation_name(content, t)
    paragraphs = (
        _opening(content, t, organisation),
        _results(content, t),
        _units(content, t),
        _activities(content, t),
        _awards(content, t),
    )
    return tuple(paragraph for paragraph in paragraphs if paragraph)


# -- words and numbers ----------------------------------------------------------------------


def organisation_name(content: ReportContent, t: Translator) -> str:
    return join(t, list(content.organisations)) or t("report.organisation_fallback")


def count(t: Translator, value: int) -> str:
    return t("report.count", value=t.integer(value))


def counted(t: Translator, key: str, value: int, **params: object) -> str:
    """``key``'s singular or plural form with the count filled in."""
    form = "one" if value == 1 else "other"
    return t(f"{key}_{form}", count=count(t, value), **params)


def percent(t: Translator, rate: float) -> str:
    """A rate 0..1 as the tiles and tables write it (one format everywhere): ``97,0 %``."""
    return t.percent(rate, 1)


def join(t: Translator, items: Sequence[str]) -> str:
    """``a, b và c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return t("report.list_sep").join(items[:-1]) + t("report.list_last") + items[-1]


def audience_words(t: Translator, code: str) -> str:
    """An audience as it reads inside a sentence (``đảng viên``); an unknown code as written."""
    key = f"report.audience.{code}"
    return t(key) if t.has(key) else t.code("audience", code)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# -- paragraphs -----------------------------------------------------------------------------


def _opening(content: ReportContent, t: Translator, organisation: str) -> str:
    sentences: list[str] = []
    participation = content.kpis.participation
    audiences = join(
        t, [audience_words(t, code) for code in content.audiences if code in participation]
    )
    if audiences:
        key = "report.intro_topic" if content.topic else "report.intro"
        sentences.append(
            t(
                key,
                year=content.year,
                organisation=organisation,
                topic=content.topic or "",
                audiences=audiences,
            )
        )
    classes = _classes(content, t)
    if classes:
        sentences.append(classes)
    return " ".join(sentences)


def _classes(content: ReportContent, t: Translator) -> str:
    kpis = content.kpis
    this_year = sum(content.classes.values())
    to_date = kpis.events_to_date_by_type.get(CLASS, 0)
    cumulative = ""
    first = kpis.first_event_year
    if first is not None and first < content.year and to_date > this_year:
        cumulative = counted(t, "report.classes_to_date", to_date, first=first, year=content.year)
    if this_year == 0:
        return t("report.no_classes", to_date=cumulative) if cumulative else ""
    phrases = [
        counted(t, "report.classes_for", number, audience=audience_words(t, audience))
        for audience, number in content.classes.items()
        if audience is not None
    ]
    if None in content.classes:
        phrases.append(counted(t, "report.classes", content.classes[None]))
    return t("report.classes_held", classes=join(t, phrases), to_date=cumulative)


def _results(content: ReportContent, t: Translator) -> str:
    participation = content.kpis.participation
    if not participation:
        return t("report.no_results", year=content.year)
    clauses = [
        _rate_clause(t, kpi, content.year, first=index == 0)
        for index, kpi in enumerate(
            participation[code] for code in content.audiences if code in participation
        )
    ]
    return t("report.results", clauses=t("report.clause_sep").join(clauses))


def _rate_clause(t: Translator, kpi: AudienceKpi, year: int, *, first: bool) -> str:
    if kpi.rate is None:
        return t("report.rate_none", audience=audience_words(t, kpi.audience))
    clause = t(
        "report.rate_first" if first else "report.rate_next",
        audience=audience_words(t, kpi.audience),
        rate=percent(t, kpi.rate),
        completed=count(t, kpi.completed),
        eligible=count(t, kpi.eligible),
    )
    if kpi.delta_pp is not None:
        points = t.decimal(abs(kpi.delta_pp), 1)
        if abs(kpi.delta_pp) < SAME_POINTS:
            clause += t("report.change_same", previous=year - 1)
        elif kpi.delta_pp > 0:
            clause += t("report.change_up", points=points, previous=year - 1)
        else:
            clause += t("report.change_down", points=points, previous=year - 1)
    if kpi.target_rate is not None:
        target = percent(t, kpi.target_rate / 100)
        if kpi.meets_target is False:
            clause += t("report.target_below", target=target)
        elif kpi.rate * 100 - kpi.target_rate >= SAME_POINTS:
            clause += t("report.target_above", target=target)
        else:
            clause += t("report.target_met", target=target)
    return clause


def _units(content: ReportContent, t: Translator) -> str:
    kpis = content.kpis
    clauses: list[str] = []
    if kpis.expected_units > 0:
        if kpis.reported_units >= kpis.expected_units:
            clauses.append(t("report.units_reported_all", expected=count(t, kpis.expected_units)))
        else:
            clauses.append(
                t(
                    "report.units_reported",
                    reported=count(t, kpis.reported_units),
                    expected=count(t, kpis.expected_units),
                    missing=count(t, kpis.expected_units - kpis.reported_units),
                )
            )
    if content.units_rated > 0:
        if content.units_below > 0:
            details = [
                t(
                    "report.units_below_detail",
                    audience=audience_words(t, code),
                    count=count(t, kpis.participation[code].units_below_target),
                )
                for code in content.audiences
                if code in kpis.participation and kpis.participation[code].units_below_target > 0
            ]
            clauses.append(
                t(
                    "report.units_below",
                    below=count(t, content.units_below),
                    total=count(t, content.units_rated),
                    detail=t("report.list_sep").join(details),
                )
            )
        else:
            clauses.append(t("report.units_all_met"))
    return sentence(t("report.clause_sep").join(clauses)) + "." if clauses else ""


def _activities(content: ReportContent, t: Translator) -> str:
    sentences = [
        t(
            "report.milestone",
            date=t.date(milestone.date),
            unit=milestone.unit_name,
            title=milestone.title,
        )
        for milestone in content.milestones
    ]
    by_type = content.kpis.events_by_type
    order = [code for code in EVENT_TYPES if code in by_type] + sorted(
        set(by_type) - set(EVENT_TYPES)
    )
    items = [_event_phrase(t, code, by_type[code]) for code in order if code != CLASS]
    if items:
        sentences.append(t("report.events_held", items=join(t, items)))
    return " ".join(sentences)


def _event_phrase(t: Translator, code: str, number: int) -> str:
    if t.has(f"report.event.{code}_one"):
        return counted(t, f"report.event.{code}", number)
    return t("report.event_other_type", count=count(t, number), name=t.code("event_type", code))


def _awards(content: ReportContent, t: Translator) -> str:
    awards = content.awards
    if awards.empty:
        return ""
    clauses = []
    for body, of_body in awards.groupby("awarding_body", sort=False):
        types = list(dict.fromkeys(of_body["award_type"].astype(str)))
        recipients = _recipients(t, of_body["recipient_type"].astype(str).tolist())
        if len(types) == 1:
            clauses.append(
                t("report.award_single", body=body, award_type=types[0], recipients=recipients)
            )
            continue
        details = [
            t(
                "report.award_detail",
                award_type=award_type,
                recipients=_recipients(
                    t,
                    of_body[of_body["award_type"] == award_type]["recipient_type"]
                    .astype(str)
                    .tolist(),
                ),
            )
            for award_type in types
        ]
        clauses.append(
            t(
                "report.award_multi",
                body=body,
                recipients=recipients,
                detail=t("report.clause_sep").join(details),
            )
        )
    return t("report.awards", clauses=t("report.clause_sep").join(clauses))


def _recipients(t: Translator, kinds: list[str]) -> str:
    order = [kind for kind in RECIPIENT_TYPES if kind in kinds] + sorted(
        set(kinds) - set(RECIPIENT_TYPES)
    )
    phrases = []
    for kind in order:
        number = kinds.count(kind)
        if t.has(f"report.recipient.{kind}_one"):
            phrases.append(counted(t, f"report.recipient.{kind}", number))
        else:
            phrases.append(
                t(
                    "report.recipient_other_type",
                    count=count(t, number),
                    name=t.code("recipient_type", kind),
                )
            )
    return join(t, phrases)
