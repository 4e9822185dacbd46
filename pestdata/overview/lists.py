"""The overview's lists beside its figures: overdue cases, the school-wide checklist and the
lessons given per group.

Plain rows, as every overview answer (overview/reading.py): the guidance page shows the
checklist and the lessons too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from pestdata.core.choices import ALL, GROUPS, age_band
from pestdata.core.guidance import load_guidance
from pestdata.db.store import Store
from pestdata.db.tables import incidents, lessons_given, report_facts
from pestdata.incidents.lookup import overdue_flags
from pestdata.overview.filters import Filters
from pestdata.overview.reading import Rows
from pestdata.school import school_names, school_records


@dataclass(frozen=True)
class ActionStatus:
    """One school-wide action at one school: done (when, by whom) or still open."""

    school: str
    action_id: str
    title: str
    done: bool
    done_on: date | None
    done_by: str


@dataclass(frozen=True)
class LessonsInGroup:
    group: str
    age_band: str
    lessons: int


def overdue_incidents(store: Store, filters: Filters, limit: int = 100) -> Rows:
    """Overdue open cases as of today, oldest first, without pupil numbers or free text:
    id, school, group, reported_on, status, handler, last_activity, followup_due and
    days_without_step."""
    flags = overdue_flags(filters.today)
    c = incidents.c
    query = (
        sa.select(
            c.id,
            c.school,
            c.group_name.label("group"),
            c.reported_on,
            c.status,
            c.handler,
            flags.last_activity.label("last_activity"),
            sa.case((flags.followup_due, 1), else_=0).label("followup_due"),
        )
        .where(*filters.without_period().conditions(), flags.any)
        .order_by(c.reported_on, c.id)
        .limit(limit)
    )
    with store.reading() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        for column in ("reported_on", "last_activity"):  # a computed date: text in SQLite
            row[column] = date.fromisoformat(str(row[column])[:10])
        row["days_without_step"] = (filters.today - row["last_activity"]).days
    return rows


def school_action_status(store: Store, schools: tuple[str, ...] = ()) -> list[ActionStatus]:
    """The school-wide checklist: every action per school (in the guidance's order), done
    (date, who) or still open. Schools are those asked for, else every school known from
    reports or ticked actions, sorted.
    """
    done = school_records.school_actions_done(store, schools)
    if not schools:
        schools = tuple(sorted(set(school_names.names(store)) | {d["school"] for d in done}))
    ticked = {(d["school"], d["action_id"]): d for d in done}
    return [
        ActionStatus(
            school=school,
            action_id=action.id,
            title=action.title,
            done=tick is not None,
            done_on=tick["done_on"] if tick else None,
            done_by=tick["done_by"] if tick else "",
        )
        for school in schools
        for action in load_guidance().school_actions
        for tick in [ticked.get((school, action.id))]
    ]


def per_school(status: list[ActionStatus]) -> dict[str, list[ActionStatus]]:
    """The checklist's rows by school, schools sorted, actions in the guidance's order."""
    schools: dict[str, list[ActionStatus]] = {}
    for action in sorted(status, key=lambda a: a.school):  # stable: keeps the actions' order
        schools.setdefault(action.school, []).append(action)
    return schools


def lesson_coverage(store: Store, filters: Filters) -> list[LessonsInGroup]:
    """Lessons given per group in the period, with every group of the school's kind listed
    (zero where none was reached)."""
    c = lessons_given.c
    query = sa.select(c.group_name, sa.func.count()).group_by(c.group_name)
    if filters.start:
        query = query.where(c.given_on >= filters.start)
    if filters.end:
        query = query.where(c.given_on <= filters.end)
    if filters.schools:
        query = query.where(c.school.in_(filters.schools))
    with store.reading() as conn:
        counts = dict(conn.execute(query).all())
        f = report_facts.c
        kinds_query = sa.select(f.group_name).where(f.platform == ALL, f.form == ALL).distinct()
        if filters.schools:
            kinds_query = kinds_query.where(f.school.in_(filters.schools))
        used = set(conn.execute(kinds_query).scalars()) | set(counts)
    # Show the groups of the kinds the school has (primary, secondary or both).
    kinds = {g.split()[0] for g in used} or {"groep", "klas"}
    groups = [g for g in GROUPS if g.split()[0] in kinds]
    return [LessonsInGroup(g, age_band(g), counts.get(g, 0)) for g in groups]
