"""The incident log: every change to a report, each in one transaction with its audit row and
its monthly counts.

Adding reports (one, many, an import), changing the status, adding to the description,
ticking and unticking protocol steps. The monthly counts (facts.py) change in the same
transaction as the report, so the overview never disagrees with the log; so does the audit
(audit_rows.py: what each change leaves there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pestdata.core import clock
from pestdata.core.choices import Status
from pestdata.core.guidance import load_protocol
from pestdata.core.model import (
    Incident,
    InvalidInput,
    StepDone,
    check_description_addition,
    check_transition,
    step_date_problem,
)
from pestdata.db import facts
from pestdata.db.store import NotFound, Store, now
from pestdata.db.tables import (
    audit,
    descriptions,
    incident_fingerprints,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    steps_done,
)
from pestdata.incidents import audit_rows
from pestdata.school import school_names


def add_incident(
    store: Store, incident: Incident, actor: str, *, possible_name: bool = False
) -> int:
    """Store a validated report with its pupils, platforms, forms and first description.
    `possible_name`: saved after the name warning (names.py); the audit says so."""
    with store.writing() as conn:
        incident_id = _insert_incidents(conn, [(incident, [])], actor)[0]
        if possible_name:
            audit_rows.possible_name(conn, actor, incident_id, "description")
        return incident_id


def add_incidents(
    store: Store, records: Iterable[tuple[Incident, list[StepDone]]], actor: str, batch: int = 5000
) -> int:
    """Bulk-load reports with their steps (demo data, imports) in one transaction."""
    count = 0
    with store.writing() as conn:
        chunk: list[tuple[Incident, list[StepDone]]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                count += len(_insert_incidents(conn, chunk, actor))
                chunk = []
        if chunk:
            count += len(_insert_incidents(conn, chunk, actor))
    return count


def known_fingerprints(store: Store, fingerprints: Iterable[str]) -> set[str]:
    """Which of these report fingerprints are already in the database."""
    with store.reading() as conn:
        return _known(conn, list(fingerprints))


def _known(conn: Connection, fingerprints: list[str]) -> set[str]:
    known: set[str] = set()
    column = incident_fingerprints.c.fingerprint
    for start in range(0, len(fingerprints), 500):
        chunk = fingerprints[start : start + 500]
        known |= set(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
    return known


@dataclass(frozen=True)
class Stored:
    """What an import may correct in a stored report (import --update)."""

    id: int
    status: str
    severity: str
    resolved_on: date | None


def stored_incidents(store: Store, fingerprints: Iterable[str]) -> dict[str, Stored]:
    """The stored reports with these fingerprints, by fingerprint (for a dry run)."""
    with store.reading() as conn:
        return _stored(conn, list(fingerprints))


def _stored(conn: Connection, fingerprints: list[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    c, f = incidents.c, incident_fingerprints.c
    for start in range(0, len(fingerprints), 500):
        chunk = fingerprints[start : start + 500]
        query = (
            sa.select(f.fingerprint, c.id, c.status, c.severity, c.resolved_on)
            .join(incidents, c.id == f.incident_id)
            .where(f.fingerprint.in_(chunk))
        )
        for row in conn.execute(query):
            found[row.fingerprint] = Stored(row.id, row.status, row.severity, row.resolved_on)
    return found


IMPORT_FIELDS = ("status", "severity", "resolved_on")  # what an import may correct


def _update_imported(
    conn: Connection, changes: list[tuple[int, dict[str, tuple]]], actor: str
) -> None:
    """Correct stored reports from a school's corrected file: each changed field in its
    report, with one audit row per change ('import_update', the field, old and new)."""
    ids = [incident_id for incident_id, _ in changes]
    stamp = now()
    with facts.recounting(conn, ids):
        for incident_id, fields in changes:
            conn.execute(
                incidents.update()
                .where(incidents.c.id == incident_id)
                .values({name: new for name, (_, new) in fields.items()})
            )
    audit_rows.import_updates(conn, actor, changes, stamp)


def import_incidents(
    store: Store, rows: list[tuple[Incident, list[StepDone]]], source: str, actor: str
) -> tuple[int, int]:
    """Store imported reports in one transaction, skipping reports already stored.

    Returns (added, skipped). The check runs inside the writing transaction, so two
    imports of the same file at once still add each report once.
    """
    with importing(store, source, actor) as batch:
        seen = batch.known([incident.fingerprint for incident, _ in rows])
        new = []
        for incident, steps in rows:
            if incident.fingerprint not in seen:
                seen.add(incident.fingerprint)
                new.append((incident, steps))
        batch.add(new)
    return len(new), len(rows) - len(new)


class Importing:
    """One import, fed in chunks inside one writing transaction (a large file is never
    held whole): which reports are stored already, and storing the new ones."""

    def __init__(self, conn: Connection, actor: str):
        self.conn, self.actor, self.added, self.updated = conn, actor, 0, 0

    def known(self, fingerprints: list[str]) -> set[str]:
        return _known(self.conn, fingerprints)

    def stored(self, fingerprints: list[str]) -> dict[str, Stored]:
        return _stored(self.conn, fingerprints)

    def update(self, changes: list[tuple[int, dict[str, tuple]]]) -> None:
        """Corrections from the file (import --update): field -> (old, new) per report."""
        if changes:
            _update_imported(self.conn, changes, self.actor)
            self.updated += len(changes)

    def add(self, records: list[tuple[Incident, list[StepDone]]]) -> None:
        for start in range(0, len(records), 5000):
            _insert_incidents(self.conn, records[start : start + 5000], self.actor)
        self.added += len(records)


@contextmanager
def importing(store: Store, source: str, actor: str) -> Iterator[Importing]:
    """The transaction of one import: everything added in it is stored, with one audit
    entry for the file, or nothing is."""
    with store.writing() as conn:
        batch = Importing(conn, actor)
        yield batch
        if batch.added or batch.updated:
            audit_rows.file_imported(conn, actor, source, batch.added, batch.updated)


def _insert_incidents(
    conn: Connection, records: list[tuple[Incident, list[StepDone]]], actor: str
) -> list[int]:
    stamp = now()
    school_names.register(
        conn,
        {i.school for i, _ in records},
        actor,
        groups=((i.school, i.group) for i, _ in records),
    )
    rows = [
        {
            "school": i.school,
            "reported_on": i.reported_on,
            "happened_on": i.happened_on,
            "reporter": i.reporter.value,
            "group_name": i.group,
            "age_band": i.age_band,
            "severity": i.severity.value,
            "motive": i.motive.value,
            "status": i.status.value,
            "resolved_on": i.resolved_on,
            "handler": i.handler,
            "created_at": stamp,
        }
        for i, _ in records
    ]
    result = conn.execute(
        incidents.insert().returning(incidents.c.id, sort_by_parameter_order=True), rows
    )
    ids = [row.id for row in result]
    pupils, platforms, forms, texts, steps, log, prints = [], [], [], [], [], [], []
    for incident_id, (i, done) in zip(ids, records, strict=True):
        pupils += [
            {"incident_id": incident_id, "pupil_number": p.pupil_number, "role": p.role.value}
            for p in i.pupils
        ]
        platforms += [{"incident_id": incident_id, "platform": p.value} for p in i.platforms]
        forms += [{"incident_id": incident_id, "form": f.value} for f in i.forms]
        texts.append(
            {
                "incident_id": incident_id,
                "written_at": stamp,
                "written_by": actor,
                "text": i.description,
            }
        )
        # One audit row per report; steps loaded with it are named in that row.
        log.append(audit_rows.created(actor, incident_id, i, [s.step_id for s in done], stamp))
        steps += [_step_row(incident_id, step, stamp) for step in done]
        prints.append({"incident_id": incident_id, "fingerprint": i.fingerprint})
    for table, values in (
        (incident_pupils, pupils),
        (incident_platforms, platforms),
        (incident_forms, forms),
        (descriptions, texts),
        (steps_done, steps),
        (audit, log),
        (incident_fingerprints, prints),
    ):
        if values:
            conn.execute(table.insert(), values)
    facts.add(conn, ids)
    return ids


def change_status(store: Store, incident_id: int, new: Status | str, actor: str) -> None:
    with store.writing() as conn:
        current = _status(conn, incident_id)
        new = check_transition(current, new)
        values: dict = {"status": new.value}
        if new in (Status.RESOLVED, Status.CLOSED):  # finished: keep the first finish date
            values["resolved_on"] = sa.func.coalesce(incidents.c.resolved_on, clock.today())
        else:  # taken up again
            values["resolved_on"] = None
        with facts.recounting(conn, [incident_id]):
            conn.execute(incidents.update().where(incidents.c.id == incident_id).values(values))
        audit_rows.status_changed(conn, actor, incident_id, current, new.value)


def append_description(
    store: Store, incident_id: int, text: str, actor: str, *, possible_name: bool = False
) -> None:
    """Add to the description; earlier text is never overwritten."""
    text = check_description_addition(text)
    with store.writing() as conn:
        _status(conn, incident_id)
        conn.execute(
            descriptions.insert(),
            {
                "incident_id": incident_id,
                "written_at": now(),
                "written_by": actor,
                "text": text,
            },
        )
        audit_rows.description_added(conn, actor, incident_id, text)
        if possible_name:
            audit_rows.possible_name(conn, actor, incident_id, "description")


def record_step(
    store: Store, incident_id: int, step: StepDone, actor: str, *, possible_name: bool = False
) -> None:
    """Tick a protocol step ("Ja, dat heb ik gedaan") for an incident."""
    definitions = {s.id: s for s in load_protocol()}
    definition = definitions.get(step.step_id)
    if definition is None:
        raise InvalidInput({"step_id": f"'{step.step_id}' staat niet in het protocol"})
    if step.outcome and not definition.asks_outcome:
        raise InvalidInput({"outcome": "deze stap heeft geen uitkomst"})
    with store.writing() as conn:
        reported_on = conn.execute(
            sa.select(incidents.c.reported_on).where(incidents.c.id == incident_id)
        ).scalar()
        if reported_on is None:
            raise NotFound(incident_id)
        if problem := step_date_problem(step, reported_on):
            raise InvalidInput({"done_on": problem})
        already = conn.execute(
            sa.select(steps_done.c.id).where(
                steps_done.c.incident_id == incident_id, steps_done.c.step_id == step.step_id
            )
        ).first()
        if already:
            raise InvalidInput({"step_id": f"'{definition.title}' is al afgevinkt"})
        with facts.recounting(conn, [incident_id]):
            conn.execute(steps_done.insert(), _step_row(incident_id, step, now()))
        audit_rows.step_done(conn, actor, incident_id, step)
        if possible_name:
            audit_rows.possible_name(conn, actor, incident_id, step.step_id)


def undo_step(store: Store, incident_id: int, step_id: str, actor: str) -> None:
    """Untick a step; the audit keeps what it was."""
    with store.writing() as conn:
        _status(conn, incident_id)
        row = conn.execute(
            sa.select(steps_done).where(
                steps_done.c.incident_id == incident_id, steps_done.c.step_id == step_id
            )
        ).first()
        if row is None:
            raise InvalidInput({"step_id": "deze stap was niet afgevinkt"})
        with facts.recounting(conn, [incident_id]):
            conn.execute(steps_done.delete().where(steps_done.c.id == row.id))
        was = StepDone.model_construct(**row._asdict())
        audit_rows.step_undone(conn, actor, incident_id, step_id, was)


def _status(conn: Connection, incident_id: int) -> str:
    status = conn.execute(
        sa.select(incidents.c.status).where(incidents.c.id == incident_id)
    ).scalar()
    if status is None:
        raise NotFound(incident_id)
    return status


def _step_row(incident_id: int, step: StepDone, stamp: datetime) -> dict:
    return {
        "incident_id": incident_id,
        "step_id": step.step_id,
        "done_on": step.done_on,
        "done_by": step.done_by,
        "note": step.note,
        "outcome": step.outcome.value if step.outcome else None,
        "recorded_at": stamp,
    }
