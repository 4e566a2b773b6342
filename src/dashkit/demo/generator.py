"""Builds the demo tables deterministically from a fixed seed.

The yearly totals are set first (the seed's 97 % and 86 % for 2018, rising from 2016) and the
units' figures are drawn around them, then nudged one person at a time until the weighted rate
of the whole committee hits the total exactly. That keeps units' own rates varied (some below
target, a few at 100 %) while the headline figures are the article's.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pandas as pd

from dashkit.demo import names
from dashkit.schema import AWARDS, EVENTS, PARTICIPATION, TARGETS, UNITS, derive_id


@dataclass(frozen=True)
class DemoSpec:
    years: tuple[int, ...] = (2016, 2017, 2018)
    # The committee-wide share of each audience that completed the year's study.
    member_rates: tuple[float, ...] = (0.905, 0.936, 0.970)
    worker_rates: tuple[float, ...] = (0.742, 0.803, 0.860)
    member_targets: tuple[float, ...] = (90.0, 92.0, 95.0)
    worker_targets: tuple[float, ...] = (70.0, 75.0, 80.0)
    seed: int = 2018


@dataclass(frozen=True)
class _Unit:
    unit_id: str
    name: str
    zone: str
    ownership: str
    workers: int
    members: int
    member_effect: float
    worker_effect: float


def build_demo(spec: DemoSpec | None = None) -> dict[str, pd.DataFrame]:
    """The five tables of the demo, as DataFrames with the contract's column names."""
    spec = spec or DemoSpec()
    rng = random.Random(spec.seed)
    units = _make_units(rng)
    return {
        UNITS.name: _units_frame(units, spec),
        PARTICIPATION.name: _participation_frame(units, spec, rng),
        EVENTS.name: _events_frame(units, spec, rng),
        AWARDS.name: _awards_frame(units, rng),
        TARGETS.name: _targets_frame(spec),
    }


def _make_units(rng: random.Random) -> list[_Unit]:
    units: list[_Unit] = []
    used: set[str] = set()
    for zone, count in names.ZONES:
        for _ in range(count):
            number = len(units) + 1
            ownership = rng.choice(tuple(names.OWNERSHIP_TYPES))
            name = _company_name(rng, used, names.OWNERSHIP_TYPES[ownership])
            workers = int(min(3000, max(40, rng.lognormvariate(5.4, 0.8))))
            members = max(3, round(workers * rng.uniform(0.015, 0.05)))
            kind = "Đảng bộ" if members >= 30 else "Chi bộ"
            units.append(
                _Unit(
                    unit_id=f"CS{number:03d}",
                    name=f"{kind} {name}",
                    zone=zone,
                    ownership=ownership,
                    workers=workers,
                    members=members,
                    member_effect=rng.gauss(0.0, 0.035),
                    worker_effect=rng.gauss(0.0, 0.07),
                )
            )
    return units


def _company_name(rng: random.Random, used: set[str], form: str) -> str:
    while True:
        name = f"{form} {rng.choice(names.SECTORS)} {rng.choice(names.BRANDS)}"
        if name not in used:
            used.add(name)
            return name


def _units_frame(units: list[_Unit], spec: DemoSpec) -> pd.DataFrame:
    first_year = spec.years[0] - 1
    rows = [
        {
            "unit_id": names.COMMITTEE_ID,
            "unit_name": names.COMMITTEE_NAME,
            "parent_id": None,
            "unit_type": names.COMMITTEE_TYPE,
            "unit_group": None,
            "active_from": first_year,
            "active_to": None,
        }
    ]
    rows += [
        {
            "unit_id": unit.unit_id,
            "unit_name": unit.name,
            "parent_id": names.COMMITTEE_ID,
            "unit_type": unit.ownership,
            "unit_group": unit.zone,
            "active_from": first_year,
            "active_to": None,
        }
        for unit in units
    ]
    return pd.DataFrame(rows, columns=list(UNITS.column_names))


def _participation_frame(units: list[_Unit], spec: DemoSpec, rng: random.Random) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for index, year in enumerate(spec.years):
        growth = 1 + 0.03 * index
        for audience, total_rate, attribute, effect in (
            ("party_member", spec.member_rates[index], "members", "member_effect"),
            ("worker", spec.worker_rates[index], "workers", "worker_effect"),
        ):
            eligible = [
                max(1, round(getattr(u, attribute) * growth * rng.uniform(0.96, 1.04)))
                for u in units
            ]
            rates = [
                min(1.0, max(0.45, total_rate + getattr(u, effect) + rng.gauss(0, 0.01)))
                for u in units
            ]
            completed = [round(e * r) for e, r in zip(eligible, rates, strict=True)]
            _hit_total(completed, eligible, round(total_rate * sum(eligible)))
            rows += [
                {
                    "year": year,
                    "unit_id": unit.unit_id,
                    "audience": audience,
                    "eligible": e,
                    "completed": c,
                    "topic": names.TOPICS.get(year),
                }
                for unit, e, c in zip(units, eligible, completed, strict=True)
            ]
    return pd.DataFrame(rows, columns=list(PARTICIPATION.column_names))


def _hit_total(completed: list[int], eligible: list[int], wanted: int) -> None:
    """Nudge completed counts one person at a time, largest units first (where one person moves
    the unit's rate least), until they add up to ``wanted``."""
    order = sorted(range(len(completed)), key=lambda i: -eligible[i])
    gap = wanted - sum(completed)
    while gap != 0:
        step = 1 if gap > 0 else -1
        moved = False
        for i in order:
            if gap == 0:
                break
            if 0 <= completed[i] + step <= eligible[i]:
                completed[i] += step
                gap -= step
                moved = True
        if not moved:
            raise ValueError(f"cannot reach {wanted} completions within the units' sizes")


def _event(
    day: dt.date, unit_id: str, kind: str, title: str, audience: str | None, attendees: int
) -> dict[str, object]:
    return {
        "event_id": derive_id("E", day.isoformat(), unit_id, title),
        "date": day,
        "unit_id": unit_id,
        "event_type": kind,
        "title": title,
        "audience": audience,
        "attendees": attendees,
    }


def _events_frame(units: list[_Unit], spec: DemoSpec, rng: random.Random) -> pd.DataFrame:
    committee = names.COMMITTEE_ID
    class_dates = {
        2016: [dt.date(2016, 9, 20)],
        2017: [dt.date(2017, 3, 15), dt.date(2017, 8, 24)],
        2018: [dt.date(2018, 3, 28)],
    }
    rows: list[dict[str, object]] = []
    for year in spec.years:
        rows.append(
            _event(
                dt.date(year, 2 if year > 2016 else 7, 23),
                committee,
                "conference",
                f"Hội nghị quán triệt, triển khai chuyên đề năm {year}",
                None,
                rng.randint(140, 220),
            )
        )
        for number, day in enumerate(class_dates.get(year, []), start=1):
            suffix = f" (đợt {number})" if len(class_dates[year]) > 1 else ""
            rows.append(
                _event(
                    day,
                    committee,
                    "class",
                    f"Lớp học tập chuyên đề năm {year} cho đảng viên{suffix}",
                    "party_member",
                    rng.randint(120, 260),
                )
            )
        for unit in units:
            start_month = 8 if year == 2016 else 3
            rows.append(
                _event(
                    dt.date(year, start_month, rng.randint(1, 28)),
                    unit.unit_id,
                    "conference",
                    f"Quán triệt chuyên đề năm {year} đến người lao động",
                    "worker",
                    max(10, round(unit.workers * rng.uniform(0.6, 0.95))),
                )
            )
            for quarter in range(1 if year > 2016 else 3, 5):
                if rng.random() < 0.75:
                    day = dt.date(year, quarter * 3 - rng.randint(0, 2), rng.randint(1, 28))
                    rows.append(
                        _event(
                            day,
                            unit.unit_id,
                            "thematic",
                            f"Sinh hoạt chuyên đề quý {quarter}/{year}",
                            "party_member",
                            max(2, round(unit.members * rng.uniform(0.8, 1.0))),
                        )
                    )
    rows.append(_event(dt.date(2018, 5, 15), committee, "review", names.REVIEW_TITLE, None, 150))
    return pd.DataFrame(rows, columns=list(EVENTS.column_names))


def _person(rng: random.Random, used: set[str]) -> str:
    while True:
        name = (
            f"{rng.choice(names.SURNAMES)} {rng.choice(names.MIDDLE_NAMES)} "
            f"{rng.choice(names.GIVEN_NAMES)}"
        )
        if name not in used:
            used.add(name)
            return name


def _award(
    year: int, day: dt.date, unit_id: str, kind: str, recipient: str, award_type: str, body: str
) -> dict[str, object]:
    return {
        "award_id": derive_id("A", year, recipient, award_type, body),
        "year": year,
        "date": day,
        "unit_id": unit_id,
        "recipient_type": kind,
        "recipient_name": recipient,
        "award_type": award_type,
        "awarding_body": body,
        "reason": names.AWARD_REASON,
    }


def _awards_frame(units: list[_Unit], rng: random.Random) -> pd.DataFrame:
    """2016–2017 a few Giấy khen; 2018 exactly the article's awards."""
    people: set[str] = set()
    rows: list[dict[str, object]] = []
    plan = (
        (2016, dt.date(2016, 12, 20), names.STANDING_COMMITTEE, "Giấy khen", 5, 7),
        (2017, dt.date(2017, 12, 22), names.STANDING_COMMITTEE, "Giấy khen", 9, 11),
        (2018, dt.date(2018, 5, 15), names.STANDING_COMMITTEE, "Giấy khen", 13, 16),
    )
    for year, day, body, award_type, collectives, individuals in plan:
        for unit in rng.sample(units, collectives):
            rows.append(_award(year, day, unit.unit_id, "collective", unit.name, award_type, body))
        for unit in rng.sample(units, individuals):
            rows.append(
                _award(
                    year, day, unit.unit_id, "individual", _person(rng, people), award_type, body
                )
            )
    review = dt.date(2018, 5, 15)
    rows.append(
        _award(
            2018,
            review,
            names.COMMITTEE_ID,
            "collective",
            names.COMMITTEE_NAME,
            "Giấy khen",
            names.CITY_COMMITTEE,
        )
    )
    rows.append(
        _award(
            2018,
            review,
            names.COMMITTEE_ID,
            "individual",
            _person(rng, people),
            "Giấy khen",
            names.CITY_COMMITTEE,
        )
    )
    for unit in rng.sample(units, 2):
        rows.append(
            _award(
                2018,
                review,
                unit.unit_id,
                "individual",
                _person(rng, people),
                "Huy hiệu 30 năm tuổi Đảng",
                names.CITY_COMMITTEE,
            )
        )
    return pd.DataFrame(rows, columns=list(AWARDS.column_names))


def _targets_frame(spec: DemoSpec) -> pd.DataFrame:
    rows = []
    for index, year in enumerate(spec.years):
        rows.append(
            {
                "year": year,
                "audience": "party_member",
                "target_rate": spec.member_targets[index],
                "unit_id": None,
            }
        )
        rows.append(
            {
                "year": year,
                "audience": "worker",
                "target_rate": spec.worker_targets[index],
                "unit_id": None,
            }
        )
    return pd.DataFrame(rows, columns=list(TARGETS.column_names))
