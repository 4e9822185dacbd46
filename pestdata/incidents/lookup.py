"""The care team's reads: one incident with its audit and timeline, and the list of them.

One incident with everything about it, its audit entries and timeline; the list with what
is overdue. (The schools: school_names.py.) Reads only. The incident view
(ui/incident_view.py) and the printed file (incident_file.py) both tell an incident through
`timeline`, so the screen and the paper tell the same story."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from pestdata.core import clock
from pestdata.core.choices import (
    OPEN_STATUSES,
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Role,
    Severity,
    Status,
)
from pestdata.core.guidance import followup_step, load_protocol
from pestdata.core.markup import counted
from pestdata.core.model import FIELD_LABELS
from pestdata.db.store import NotFound, Store
from pestdata.db.tables import (
    audit,
    descriptions,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    steps_done,
)

OVERDUE_DAYS = 7

POLICE_ADVICE = (
    "Let op: bij bedreiging, seksueel beeldmateriaal of afpersing kan er sprake zijn van een "
    "strafbaar feit. Beoordeel samen of de politie erbij moet (zie www.meldknop.nl: wanneer "
    "stap je naar de politie). Laat bewijs bewaren met schermafbeeldingen, maar stuur seksuele "
    "beelden van minderjarigen nooit door, ook niet naar collega's."
)


@dataclass(frozen=True)
class OverdueFlags:
    """SQL expressions over `incidents` that say whether, and why, an open case is overdue."""

    last_activity: sa.ColumnElement  # date of the latest step, else of the report
    stale: sa.ColumnElement  # open, and no step for `overdue_days`
    followup_due: sa.ColumnElement  # open, and the follow-up step is past its term
    followup_title: str

    @property
    def any(self) -> sa.ColumnElement:
        return sa.or_(self.stale, self.followup_due)


def overdue_flags(today: date, overdue_days: int = OVERDUE_DAYS) -> OverdueFlags:
    """The one definition of 'overdue', shared by the care team's list and the overview.

    Correlated subqueries, so only open cases (found by the status index) are looked into.
    """
    followup = followup_step()
    open_incident = incidents.c.status.in_([s.value for s in OPEN_STATUSES])
    last_step = (
        sa.select(sa.func.max(steps_done.c.done_on))
        .where(steps_done.c.incident_id == incidents.c.id)
        .scalar_subquery()
    )
    last_activity = sa.func.coalesce(last_step, incidents.c.reported_on)
    followup_due = sa.false()
    if followup:
        followup_due = sa.and_(
            open_incident,
            incidents.c.reported_on < today - timedelta(days=followup.deadline_days),
            ~sa.exists().where(
                steps_done.c.incident_id == incidents.c.id, steps_done.c.step_id == followup.id
            ),
        )
    return OverdueFlags(
        last_activity=last_activity,
        stale=sa.and_(open_incident, last_activity < today - timedelta(days=overdue_days)),
        followup_due=followup_due,
        followup_title=followup.title if followup else "",
    )


@dataclass(frozen=True)
class IncidentRow:
    """One line in the care team's list of cases."""

    id: int
    reported_on: date
    school: str
    group: str
    status: str
    severity: str
    handler: str
    platforms: tuple[str, ...]
    last_activity: date
    overdue_reason: str
    outside_filter: bool = False  # listed only because it is the case open on screen


def count_incidents(store: Store) -> int:
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one()


def get_incident(store: Store, incident_id: int) -> dict:
    """One case with everything the care team sees: fields, pupils, texts, steps."""
    with store.reading() as conn:
        row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).first()
        if row is None:
            raise NotFound(incident_id)
        incident = row._asdict()

        def values(table, column):
            return [
                r[0]
                for r in conn.execute(
                    sa.select(table.c[column])
                    .where(table.c.incident_id == incident_id)
                    .order_by(table.c[column])
                )
            ]

        incident["platforms"] = values(incident_platforms, "platform")
        incident["forms"] = values(incident_forms, "form")
        incident["pupils"] = [
            r._asdict()
            for r in conn.execute(
                sa.select(incident_pupils.c.pupil_number, incident_pupils.c.role)
                .where(incident_pupils.c.incident_id == incident_id)
                .order_by(incident_pupils.c.role, incident_pupils.c.pupil_number)
            )
        ]
        incident["descriptions"] = [
            r._asdict()
            for r in conn.execute(
                sa.select(descriptions.c.written_at, descriptions.c.written_by, descriptions.c.text)
                .where(descriptions.c.incident_id == incident_id)
                .order_by(descriptions.c.id)
            )
        ]
        incident["steps"] = {
            r.step_id: r._asdict()
            for r in conn.execute(
                sa.select(steps_done).where(steps_done.c.incident_id == incident_id)
            )
        }
        return incident


def audit_entries(store: Store, incident_id: int) -> list[dict]:
    with store.reading() as conn:
        return [
            r._asdict()
            for r in conn.execute(
                sa.select(audit).where(audit.c.incident_id == incident_id).order_by(audit.c.id)
            )
        ]


def _found(wanted: str):
    """Cases whose number is `wanted`, or in which a pupil with that number appears."""
    pupil = sa.exists().where(
        incident_pupils.c.incident_id == incidents.c.id,
        incident_pupils.c.pupil_number == wanted,
    )
    if wanted.isdigit() and len(wanted) <= 9:  # a case number fits an integer column
        return sa.or_(incidents.c.id == int(wanted), pupil)
    return pupil


def list_incidents(
    store: Store,
    *,
    statuses: Iterable[str] | None = None,
    group: str | None = None,
    platform: str | None = None,
    overdue_only: bool = False,
    school: str | None = None,
    search: str = "",
    today: date | None = None,
    overdue_days: int = OVERDUE_DAYS,
    limit: int = 200,
    offset: int = 0,
    keep: int | None = None,
) -> tuple[list[IncidentRow], int]:
    """Cases newest first, filtered; returns (at most `limit` rows from `offset`, number
    matching).

    `search` is a case number ('123' or '#123') or a pupil number, looked up in every
    case whatever the other filters say (a pupil's closed cases count too). Overdue means
    an open case with no step for `overdue_days`, or whose follow-up step is past its term
    and not done. `keep` (the case open on screen) is listed first when it does not match:
    a case does not vanish from under the user's hands.
    """
    today = today or clock.today()
    statuses = list(statuses) if statuses else [s.value for s in OPEN_STATUSES]
    flags = overdue_flags(today, overdue_days)
    wanted = search.strip().removeprefix("#").strip()
    if wanted:
        conditions = [_found(wanted)]
        group = platform = school = None
        overdue_only = False
    else:
        conditions = [incidents.c.status.in_(statuses)]
    if school:
        conditions.append(incidents.c.school == school)
    if group:
        conditions.append(incidents.c.group_name == group)
    if platform:
        conditions.append(
            sa.exists().where(
                incident_platforms.c.incident_id == incidents.c.id,
                incident_platforms.c.platform == platform,
            )
        )
    if overdue_only:
        conditions.append(flags.any)

    columns = sa.select(
        incidents.c.id,
        incidents.c.reported_on,
        incidents.c.school,
        incidents.c.group_name,
        incidents.c.status,
        incidents.c.severity,
        incidents.c.handler,
        flags.last_activity.label("last_activity"),
        sa.case((flags.stale, 1), else_=0).label("stale"),
        sa.case((flags.followup_due, 1), else_=0).label("followup_due"),
    )
    query = (
        columns.where(*conditions)
        .order_by(incidents.c.reported_on.desc(), incidents.c.id.desc())
        .limit(limit)
        .offset(max(0, offset))
    )
    count = sa.select(sa.func.count()).select_from(incidents).where(*conditions)
    with store.reading() as conn:
        rows = conn.execute(query).all()
        total = conn.execute(count).scalar_one()
        matching = {r.id for r in rows}
        if keep is not None and keep not in matching:
            rows = conn.execute(columns.where(incidents.c.id == keep)).all() + rows
        platforms: dict[int, list[str]] = {}
        if rows:
            for incident_id, name in conn.execute(
                sa.select(incident_platforms.c.incident_id, incident_platforms.c.platform).where(
                    incident_platforms.c.incident_id.in_([r.id for r in rows])
                )
            ):
                platforms.setdefault(incident_id, []).append(name)
    listed = []
    for r in rows:
        last = r.last_activity
        if isinstance(last, str):  # SQLite returns COALESCE over dates as text
            last = date.fromisoformat(last)
        reasons = []
        if r.stale:
            reasons.append(f"geen stap in {counted((today - last).days, 'dag', 'dagen')}")
        if r.followup_due:
            reasons.append(f"{flags.followup_title.lower()} is nodig")
        listed.append(
            IncidentRow(
                id=r.id,
                reported_on=r.reported_on,
                school=r.school,
                group=r.group_name,
                status=r.status,
                severity=r.severity,
                handler=r.handler,
                platforms=tuple(sorted(platforms.get(r.id, []))),
                last_activity=last,
                overdue_reason="; ".join(reasons),
                outside_filter=r.id not in matching,
            )
        )
    return listed, total


@dataclass(frozen=True)
class TimelineEntry:
    when: date | datetime  # a step's date, or the moment (UTC) of another action
    what: str
    who: str
    first: bool = False  # the report itself leads its day, before steps dated that day
    recorded: datetime | None = None  # when it was entered: orders a day's entries

    @property
    def day(self) -> date:
        """The local day the entry belongs to."""
        return clock.local(self.when).date() if isinstance(self.when, datetime) else self.when

    def order(self) -> tuple:
        moment = self.recorded or (self.when if isinstance(self.when, datetime) else None)
        return (self.day, not self.first, moment or datetime.min)


def incident_details(incident: dict) -> list[tuple[str, list[str]]]:
    """The facts of one case as the care team reads them, label by label, each value as its
    lines of plain text (the caller joins and escapes): the case view and the printed file
    show the same table."""

    def lines(*values) -> list[str]:
        return [v for v in values if v] or ["—"]

    return [
        (FIELD_LABELS["school"], lines(incident["school"])),
        (FIELD_LABELS["group"], lines(incident["group_name"])),
        (FIELD_LABELS["reported_on"], lines(clock.nl_date(incident["reported_on"]))),
        (FIELD_LABELS["happened_on"], lines(clock.nl_date(incident["happened_on"]))),
        (FIELD_LABELS["reporter"], lines(Reporter(incident["reporter"]).label)),
        (
            FIELD_LABELS["pupils"],
            lines(
                *(
                    f"{p['pupil_number']} ({Role(p['role']).label.lower()})"
                    for p in incident["pupils"]
                )
            ),
        ),
        (FIELD_LABELS["platforms"], lines(*(Platform(p).label for p in incident["platforms"]))),
        (FIELD_LABELS["forms"], lines(*(Form(f).label for f in incident["forms"]))),
        (FIELD_LABELS["severity"], lines(Severity(incident["severity"]).label)),
        (FIELD_LABELS["motive"], lines(Motive(incident["motive"]).label)),
        (FIELD_LABELS["status"], lines(Status(incident["status"]).label)),
        (FIELD_LABELS["resolved_on"], lines(clock.nl_date(incident["resolved_on"]))),
        (FIELD_LABELS["handler"], lines(incident["handler"])),
    ]


def _shown(field: str, value: str | None) -> str:
    """A stored status, severity or date as the timeline says it."""
    if not value:
        return "—"
    if field == "status":
        return Status(value).label
    if field == "severity":
        return Severity(value).label
    return clock.nl_date(value)


def timeline(incident: dict, audit_entries: list[dict]) -> list[TimelineEntry]:
    """Steps by the date they were done, plus every other audit entry, oldest first; on one
    day the report first, then everything in the order it was entered.

    Steps come from the steps table (their audit rows would say the same thing twice).
    """
    titles = {s.id: s.title for s in load_protocol()}
    entries = [
        TimelineEntry(
            step["done_on"],
            f"Stap gedaan: {titles.get(step_id, step_id)}"
            + (f" (uitkomst: {Outcome(step['outcome']).label})" if step["outcome"] else "")
            + (f" — {step['note']}" if step["note"] else ""),
            step["done_by"],
            recorded=step["recorded_at"],
        )
        for step_id, step in incident["steps"].items()
    ]
    for entry in audit_entries:
        action, at, who = entry["action"], entry["at"], entry["actor"]
        if action == "create":
            entries.append(TimelineEntry(at, "Melding vastgelegd", who, first=True))
        elif action == "status":
            old, new = Status(entry["old_value"]).label, Status(entry["new_value"]).label
            entries.append(TimelineEntry(at, f"Status: {old} → {new}", who))
        elif action == "description_added":
            entries.append(TimelineEntry(at, "Beschrijving aangevuld", who))
        elif action == "import_update":  # a corrected register imported (import --update)
            what = f"Bijgewerkt uit import: {FIELD_LABELS.get(entry['field'], entry['field'])}"
            old, new = (_shown(entry["field"], entry[k]) for k in ("old_value", "new_value"))
            entries.append(TimelineEntry(at, f"{what}: {old} → {new}", who))
        elif action == "step_undone":
            old = json.loads(entry["old_value"] or "{}")
            title = titles.get(entry["field"], entry["field"])
            entries.append(
                TimelineEntry(
                    at,
                    f"Stap teruggezet: {title} (was gedaan op {clock.nl_date(old.get('done_on'))})",
                    who,
                )
            )
    return sorted(entries, key=TimelineEntry.order)
