"""Signals across cases, for the care team only: pupils who keep coming back, and with whom.

Signals across cases, for the care team only: a pupil targeted again and again, a pupil
who bullies again and again, a pupil who is both, and pupils who keep appearing together.

Every incident system records cases one at a time; the pupil numbers with their roles per
case are already here, so the pattern is one query away. What leaves the care team is at
most a suppressed count (`repeatedly_targeted`), never a number or a link.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from pestdata.core import settings
from pestdata.core.choices import Role
from pestdata.db.store import Store
from pestdata.db.tables import incident_pupils, incidents

MOST_TOGETHER = 8  # pupils per case looked at for groups (C(8, 3) = 56 triples at most)


def min_incidents() -> int:
    """From how many cases a pattern is a signal (setting PESTDATA_SIGNAL_MIN_CASES)."""
    return settings.integer("PESTDATA_SIGNAL_MIN_CASES", at_least=2)


@dataclass(frozen=True)
class Appearance:
    """One pupil in one case."""

    incident_id: int
    reported_on: date
    role: str
    group: str


@dataclass(frozen=True)
class Signals:
    targeted: list[tuple[str, list[Appearance]]]  # pupil, the cases as target
    bullying: list[tuple[str, list[Appearance]]]  # pupil, the cases as bully
    both: list[tuple[str, list[Appearance]]]  # bully-victims: every case of theirs
    together: list[tuple[tuple[str, ...], list[int]]]  # pupils, the cases they share

    @property
    def incident_ids(self) -> list[int]:
        """Every case a signal points at, newest first: what the care team may open."""
        ids = {a.incident_id for part in (self.targeted, self.bullying, self.both)
               for _, seen in part for a in seen}  # fmt: skip
        ids |= {i for _, incidents in self.together for i in incidents}
        return sorted(ids, reverse=True)


TARGET, BULLY = Role.TARGET.value, Role.BULLY.value


def _period(query, start: date | None, end: date | None, schools=(), groups=()):
    c = incidents.c
    if start:
        query = query.where(c.reported_on >= start)
    if end:
        query = query.where(c.reported_on <= end)
    if schools:
        query = query.where(c.school.in_(schools))
    if groups:
        query = query.where(c.group_name.in_(groups))
    return query


def _appearing(start, end, schools=(), groups=(), role: str | None = None, at_least: int = 2):
    """The pupils in at least `at_least` cases of the period (in `role`, if given)."""
    c, p = incidents.c, incident_pupils.c
    query = sa.select(p.pupil_number).join(incidents, c.id == p.incident_id)
    if role:
        query = query.where(p.role == role)
    query = _period(query, start, end, schools, groups)
    return query.group_by(p.pupil_number).having(sa.func.count() >= at_least)


def _rows(store: Store, start: date | None, end: date | None, schools=(), groups=()):
    """(pupil, case, date, role, group) of the period, oldest first."""
    c, p = incidents.c, incident_pupils.c
    query = sa.select(p.pupil_number, c.id, c.reported_on, p.role, c.group_name).join(
        incidents, c.id == p.incident_id
    )
    with store.reading() as conn:
        return conn.execute(
            _period(query, start, end, schools, groups).order_by(c.reported_on, c.id)
        ).all()


def find(
    store: Store,
    start: date | None = None,
    end: date | None = None,
    minimum: int | None = None,
    schools=(),
) -> Signals:
    """The signals of reports between start and end (inclusive): each pattern in at least
    `minimum` cases, the most cases first."""
    minimum = minimum or min_incidents()
    seen: dict[str, list[Appearance]] = defaultdict(list)
    per_incident: dict[int, list[str]] = defaultdict(list)
    rows = _rows(store, start, end, schools)
    # No signal needs a pupil seen once, and most pupils are: only the others become
    # objects (a year of a 100,000-report register: ~80,000 rows, a few thousand kept).
    times = Counter(row[0] for row in rows)
    for pupil, incident_id, reported_on, role, group in rows:
        if times[pupil] < 2:
            continue
        seen[pupil].append(Appearance(incident_id, reported_on, role, group))
        per_incident[incident_id].append(pupil)

    def repeated(role: str):
        found = [(p, [a for a in s if a.role == role]) for p, s in seen.items()]
        return _most_first([(p, a) for p, a in found if len(a) >= minimum])

    both = _most_first(
        [
            (pupil, incidents)
            for pupil, incidents in seen.items()
            if {TARGET, BULLY} <= {a.role for a in incidents}
        ]
    )
    return Signals(repeated(TARGET), repeated(BULLY), both, _together(per_incident, minimum))


def _most_first(found):
    return sorted(found, key=lambda item: (-len(item[1]), item[0]))


def _together(per_incident: dict[int, list[str]], minimum: int):
    """Pairs and threes of pupils in at least `minimum` shared cases; a pair that only ever
    appears inside one of the threes listed is not listed again."""
    shared: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for incident_id, pupils in per_incident.items():
        pupils = sorted(set(pupils))[:MOST_TOGETHER]
        for size in (2, 3):
            for combination in itertools.combinations(pupils, size):
                shared[combination].append(incident_id)
    frequent = {k: v for k, v in shared.items() if len(v) >= minimum}
    threes = [k for k in frequent if len(k) == 3]
    kept = [
        (k, sorted(v))
        for k, v in frequent.items()
        if len(k) == 3 or not any(set(k) <= set(t) and len(frequent[t]) == len(v) for t in threes)
    ]
    return sorted(kept, key=lambda item: (-len(item[1]), -len(item[0]), item[0]))


def other_incidents(store: Store, incident_id: int) -> list[tuple[str, list[Appearance]]]:
    """For each pupil of this case, every other case they appear in (any time), newest
    first: 'deze leerling komt voor in N andere meldingen'."""
    p = incident_pupils.c
    with store.reading() as conn:
        pupils = list(
            conn.execute(
                sa.select(p.pupil_number)
                .where(p.incident_id == incident_id)
                .order_by(p.pupil_number)
            ).scalars()
        )
        c = incidents.c
        rows = conn.execute(
            sa.select(p.pupil_number, c.id, c.reported_on, p.role, c.group_name)
            .join(incidents, c.id == p.incident_id)
            .where(p.pupil_number.in_(pupils), c.id != incident_id)
            .order_by(c.reported_on.desc(), c.id.desc())
        ).all()
    found: dict[str, list[Appearance]] = {pupil: [] for pupil in pupils}
    for pupil, other_id, reported_on, role, group in rows:
        found[pupil].append(Appearance(other_id, reported_on, role, group))
    return list(found.items())


def network(store: Store, group: str, start: date | None = None, end: date | None = None):
    """The pupils of one group or class linked through shared cases: (nodes, links) with
    nodes = {pupil: role} ('target', 'bully', 'both' or 'bystander') and links =
    {(a, b): shared cases}."""
    roles: dict[str, set[str]] = defaultdict(set)
    per_incident: dict[int, set[str]] = defaultdict(set)
    for pupil, incident_id, _, role, _ in _rows(store, start, end, groups=(group,)):
        roles[pupil].add(role)
        per_incident[incident_id].add(pupil)
    links: Counter = Counter()
    for pupils in per_incident.values():
        links.update(itertools.combinations(sorted(pupils), 2))

    def kind(seen: set[str]) -> str:
        if {TARGET, BULLY} <= seen:
            return "both"
        for role in (TARGET, BULLY):
            if role in seen:
                return role
        return Role.BYSTANDER.value

    return {pupil: kind(seen) for pupil, seen in sorted(roles.items())}, dict(links)


def repeatedly_targeted(store: Store, start: date | None, end: date | None, schools=()) -> int:
    """How many pupils were targeted in at least `min_cases()` cases: the only signal a
    shared view may show, only as a published count (disclosure.show_count) and, for
    leaders, only per school year up to the last complete month (ui.overview), so a grid of
    month ranges cannot date one pupil's second report. One query: the overview asks it on
    every filter change."""
    found = _appearing(start, end, schools, role=TARGET, at_least=min_incidents()).subquery()
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(found)).scalar_one()
