"""Realistic demo data: reports over several school years for a primary and a secondary school.

Shapes that matter for the dashboards are built in: more reports on school days than in
holidays and weekends, a platform mix that shifts with age, most cases handled by protocol,
old cases closed and some open ones overdue. Pupil numbers are random codes, never names.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from datetime import date, timedelta

from pestdata.core import clock
from pestdata.core.choices import (
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Role,
    Severity,
    Status,
    age_band,
)
from pestdata.core.guidance import load_protocol
from pestdata.core.model import Incident, InvolvedPupil, StepDone
from pestdata.db.store import Store

SCHOOLS = {
    "De Regenboog": [f"groep {n}" for n in range(1, 9)],
    "Het Baken College": [f"klas {n}" for n in range(1, 7)],
}
GROUP_WEIGHTS = {
    **{f"groep {n}": w for n, w in zip(range(1, 9), (1, 1, 2, 3, 5, 8, 10, 10), strict=True)},
    **{f"klas {n}": w for n, w in zip(range(1, 7), (12, 12, 9, 6, 4, 3), strict=True)},
}
PLATFORMS_BY_BAND = {
    "4-7 jaar": {
        Platform.GAME_CHAT: 5,
        Platform.YOUTUBE: 4,
        Platform.WHATSAPP: 2,
        Platform.SCHOOL_PLATFORM: 1,
        Platform.OTHER: 1,
    },
    "8-11 jaar": {
        Platform.WHATSAPP: 8,
        Platform.GAME_CHAT: 6,
        Platform.TIKTOK: 5,
        Platform.YOUTUBE: 3,
        Platform.SNAPCHAT: 2,
        Platform.SCHOOL_PLATFORM: 1,
        Platform.OTHER: 1,
    },
    "12-14 jaar": {
        Platform.WHATSAPP: 8,
        Platform.SNAPCHAT: 7,
        Platform.TIKTOK: 7,
        Platform.INSTAGRAM: 5,
        Platform.DISCORD: 2,
        Platform.GAME_CHAT: 2,
        Platform.OTHER: 1,
    },
    "15-18 jaar": {
        Platform.SNAPCHAT: 7,
        Platform.INSTAGRAM: 7,
        Platform.WHATSAPP: 6,
        Platform.TIKTOK: 5,
        Platform.X: 2,
        Platform.DISCORD: 2,
        Platform.FACEBOOK: 1,
        Platform.OTHER: 1,
    },
}
FORMS = {
    Form.GOSSIP: 10,
    Form.EXCLUSION: 9,
    Form.RIDICULE: 9,
    Form.SHARING_IMAGES: 6,
    Form.THREATS: 3,
    Form.IMPERSONATION: 3,
    Form.HATE_CAMPAIGN: 2,
    Form.SEXTORTION: 1,
    Form.OTHER: 1,
}
# About one in three bullied Dutch children is bullied for who they are; often it is unknown.
MOTIVES = {
    Motive.UNKNOWN: 40,
    Motive.APPEARANCE: 14,
    Motive.ORIGIN: 7,
    Motive.DISABILITY: 5,
    Motive.SEXUAL_ORIENTATION: 3,
    Motive.RELIGION: 3,
    Motive.GENDER_IDENTITY: 2,
    Motive.OTHER: 6,
}
HANDLERS = [
    "mevr. De Jong (IB)",
    "dhr. Bakker (mentor)",
    "mevr. Yilmaz (anti-pestcoördinator)",
    "dhr. Visser (zorgcoördinator)",
    "mevr. Bouali (mentor)",
]
# The form is a noun phrase ("bedreiging", "foto's of filmpjes delen zonder toestemming"),
# so every story names it after a colon, never inside a sentence of its own.
STORIES = [
    "In een groep van de klas op {platform} gebeurt het volgende: {form}.",
    "Een ouder meldt dat het kind via {platform} te maken heeft met: {form}.",
    "De mentor zag berichten op {platform}; het gaat om: {form}. De leerling is erg aangeslagen.",
    "Klasgenoten sturen elkaar op {platform} berichten over de leerling. Vorm: {form}.",
]


def school_holidays(year: int) -> list[tuple[date, date]]:
    """Approximate Dutch holidays of the school year starting in `year` (region midden)."""
    return [
        (date(year, 10, 17), date(year, 10, 25)),  # herfstvakantie
        (date(year, 12, 20), date(year + 1, 1, 4)),  # kerstvakantie
        (date(year + 1, 2, 14), date(year + 1, 2, 22)),  # voorjaarsvakantie
        (date(year + 1, 4, 25), date(year + 1, 5, 5)),  # meivakantie
        (date(year + 1, 7, 18), date(year + 1, 8, 31)),  # zomervakantie
    ]


def day_weights(start: date, end: date) -> tuple[list[date], list[float]]:
    """Reports come in on school days; far fewer in weekends and holidays."""
    holidays = [h for y in range(start.year - 1, end.year + 1) for h in school_holidays(y)]
    days, weights = [], []
    day = start
    while day <= end:
        if any(a <= day <= b for a, b in holidays):
            weight = 0.15
        elif day.weekday() >= 5:
            weight = 0.2
        else:
            weight = 1.0
        days.append(day)
        weights.append(weight)
        day += timedelta(days=1)
    return days, weights


def _pick(rng: random.Random, weighted: dict, k: int = 1) -> list:
    options, weights = list(weighted), list(weighted.values())
    chosen: list = []
    while len(chosen) < k:
        choice = rng.choices(options, weights)[0]
        if choice not in chosen:
            chosen.append(choice)
    return chosen


def _status(rng: random.Random, age_days: int) -> Status:
    if age_days < 7:
        return rng.choice([Status.NEW, Status.IN_PROGRESS, Status.IN_PROGRESS])
    if age_days < 45:
        return rng.choices(
            [Status.IN_PROGRESS, Status.REFERRED, Status.RESOLVED, Status.CLOSED], [5, 1, 3, 1]
        )[0]
    return rng.choices(
        [Status.IN_PROGRESS, Status.REFERRED, Status.RESOLVED, Status.CLOSED], [0.4, 0.6, 19, 80]
    )[0]


def generate(
    count: int, seed: int = 1, today: date | None = None, years: int = 3
) -> Iterator[tuple[Incident, list[StepDone]]]:
    """Yield `count` reports with their protocol steps, reproducible for a given seed."""
    rng = random.Random(seed)
    motives = random.Random(seed + 1_000)  # its own sequence: the other fields stay as they were
    today = today or clock.today()
    first_year = clock.SchoolYear.of(today).first - (years - 1)
    days, weights = day_weights(date(first_year, 8, 20), today)
    protocol = load_protocol()
    group_of_school = {g: s for s, groups in SCHOOLS.items() for g in groups}
    groups, group_weights = list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values())
    reported_days = sorted(rng.choices(days, weights, k=count))
    for number, reported_on in enumerate(reported_days):
        group = rng.choices(groups, group_weights)[0]
        band = age_band(group)
        platforms = _pick(rng, PLATFORMS_BY_BAND[band], 1 if rng.random() < 0.75 else 2)
        forms = _pick(rng, FORMS, 1 if rng.random() < 0.7 else 2)
        age_days = (today - reported_on).days
        status = _status(rng, age_days)
        pupils = [
            InvolvedPupil.model_construct(
                pupil_number=f"{100000 + number * 7 % 900000}", role=Role.TARGET
            )
        ]
        for role, chance in ((Role.BULLY, 0.7), (Role.BULLY, 0.3), (Role.BYSTANDER, 0.3)):
            if rng.random() < chance:
                code = f"{rng.randrange(100000, 999999)}"
                if all(p.pupil_number != code for p in pupils):
                    pupils.append(InvolvedPupil.model_construct(pupil_number=code, role=role))
        story = rng.choice(STORIES).format(platform=platforms[0].label, form=forms[0].label.lower())
        severity = (
            Severity.HIGH
            if set(forms) & {Form.THREATS, Form.SEXTORTION}
            else (rng.choices([Severity.LOW, Severity.MEDIUM, Severity.HIGH], [5, 4, 1])[0])
        )
        steps = _steps(rng, protocol, reported_on, today, status)
        resolved_on = None
        if status in (Status.RESOLVED, Status.CLOSED):
            last = max((st.done_on for st in steps), default=reported_on)
            resolved_on = min(today, last + timedelta(days=rng.randint(0, 10)))
        incident = Incident.model_construct(
            school=group_of_school[group],
            reported_on=reported_on,
            happened_on=reported_on - timedelta(days=rng.choice([0, 0, 1, 2, 5])),
            reporter=rng.choices(list(Reporter), [6, 4, 3, 2, 1, 1])[0],
            pupils=pupils,
            group=group,
            platforms=platforms,
            forms=forms,
            severity=severity,
            motive=motives.choices(list(MOTIVES), list(MOTIVES.values()))[0],
            status=status,
            resolved_on=resolved_on,
            handler=rng.choice(HANDLERS),
            description=story,
        )
        yield incident, steps


def _steps(rng, protocol, reported_on: date, today: date, status: Status) -> list[StepDone]:
    finished = status in (Status.RESOLVED, Status.CLOSED)
    done = []
    for step in protocol:
        chance = (0.92 if step.required else 0.5) if finished else 0.6
        # Most steps on time, some late: the overview shows how fast the protocol is followed.
        delay = int(rng.triangular(0, step.deadline_days * 2 + 1, step.deadline_days * 0.6))
        if step.asks_outcome:
            delay = rng.randint(7, 21)
        elif not finished and rng.random() < 0.5:
            delay = rng.randint(0, (today - reported_on).days)  # open cases move on lately too
        done_on = reported_on + timedelta(days=delay)
        if done_on > today or rng.random() > chance:
            continue
        outcome = None
        if step.asks_outcome:
            outcome = rng.choices(list(Outcome), [55, 30, 15])[0]
        done.append(
            StepDone.model_construct(
                step_id=step.id,
                done_on=done_on,
                done_by=rng.choice(HANDLERS),
                note="",
                outcome=outcome,
            )
        )
    return done


DEMO_ROLES = ("zorgteam", "leiding", "leerkracht", "presentator")  # demo-zorgteam, …


def add_demo_accounts(store: Store) -> str | None:
    """A database without accounts gets one demo account per role of DEMO_ROLES, all with one
    new password, returned to be shown once: enough to try every dashboard. None (and
    nothing added) when it has accounts."""
    from pestdata.people.accounts import add, listed

    if listed(store):
        return None
    password = secrets.token_urlsafe(9)
    for role in DEMO_ROLES:
        add(store, f"demo-{role}", role, password, actor="demo")
    return password
