"""The only module that talks to the database (SQLAlchemy Core).

Every write is one transaction and leaves an audit row beside the change. On SQLite each
Voilà page is its own writer process, so connections use WAL, a busy timeout set before WAL,
synchronous=FULL, foreign keys, and BEGIN IMMEDIATE for writing transactions (a deferred
read-then-write transaction ignores the busy timeout). The schema is owned by Alembic.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from . import clock, facts
from .guidance import followup_step, load_guidance, load_protocol
from .model import (
    OPEN_STATUSES,
    Incident,
    InvalidInput,
    LessonGiven,
    SchoolActionDone,
    Status,
    StepDone,
    age_band,
    check_description_addition,
    check_transition,
)

# Tables are re-exported: callers import them from here.
from .tables import (  # noqa: F401
    audit,
    descriptions,
    incident_fingerprints,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    lessons_given,
    metadata,
    report_facts,
    retained_counts,
    school_actions_done,
    step_facts,
    steps_done,
)

DEFAULT_DB_PATH = Path(__file__).resolve().parent.parent / "data" / "pestdata.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
OVERDUE_DAYS = 7
HEAD_REVISION = "0007"  # the newest file in migrations/versions


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
    open_case = incidents.c.status.in_([s.value for s in OPEN_STATUSES])
    last_step = (
        sa.select(sa.func.max(steps_done.c.done_on))
        .where(steps_done.c.incident_id == incidents.c.id)
        .scalar_subquery()
    )
    last_activity = sa.func.coalesce(last_step, incidents.c.reported_on)
    followup_due = sa.false()
    if followup:
        followup_due = sa.and_(
            open_case,
            incidents.c.reported_on < today - timedelta(days=followup.termijn_dagen),
            ~sa.exists().where(
                steps_done.c.incident_id == incidents.c.id, steps_done.c.step_id == followup.id
            ),
        )
    return OverdueFlags(
        last_activity=last_activity,
        stale=sa.and_(open_case, last_activity < today - timedelta(days=overdue_days)),
        followup_due=followup_due,
        followup_title=followup.titel if followup else "",
    )


class NotFound(LookupError):
    """No incident with that number."""


def database_url(url: str | None = None) -> str:
    """--db URL, else PESTDATA_DB, else the SQLite file under data/."""
    return url or os.environ.get("PESTDATA_DB") or f"sqlite:///{DEFAULT_DB_PATH}"


now = clock.now_utc  # the moment every write stores


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control away from pysqlite; the "begin" event emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 60000")  # before WAL: switching may wait on a lock
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    writing = connection.get_execution_options().get("pestdata_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@dataclass(frozen=True)
class CaseRow:
    """One line in the care team's list of cases."""

    id: int
    reported_on: date
    group: str
    status: str
    severity: str
    handler: str
    platforms: tuple[str, ...]
    last_activity: date
    overdue_reason: str
    outside_filter: bool = False  # listed only because it is the case open on screen


class Store:
    """The pestdata database. Open one per process; it is safe beside other writers."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        self.engine = make_engine(self.url)

    # --- transactions and schema --------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One writing transaction: everything in it is stored, or nothing is."""
        with self.engine.connect().execution_options(pestdata_write=True) as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _alembic_config(self, conn: Connection):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        return config

    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema; concurrent callers queue on the write lock."""
        from alembic import command

        with self.writing() as conn:
            command.upgrade(self._alembic_config(conn), revision)
            if self._revision(conn) == HEAD_REVISION:
                facts.ensure_current(conn)  # new fact tables, or counted with another protocol

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self.writing() as conn:
            command.downgrade(self._alembic_config(conn), revision)

    def schema_revision(self) -> str | None:
        with self.reading() as conn:
            return self._revision(conn)

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    def ensure_schema(self, on_recount: Callable[[], None] | None = None) -> Store:
        """Migrate when the database is not at HEAD_REVISION, and recount the overview's
        monthly counts when the protocol file changed since they were made (`on_recount` is
        called first: the CLI says so); two cheap queries when neither is needed.

        HEAD_REVISION saves every page load from importing Alembic (~0.15 s); a test keeps it
        equal to the newest migration.
        """
        with self.reading() as conn:
            at_head = self._revision(conn) == HEAD_REVISION
            counted = at_head and facts.is_current(conn)
        if not at_head:
            self.migrate()  # recounts as well
        elif not counted:
            if on_recount:
                on_recount()
            self.ensure_facts_current()
        return self

    def ensure_facts_current(self) -> bool:
        """Recount the monthly counts if they were made with another protocol; True if so.
        Concurrent callers queue on the write lock and the later ones find nothing to do."""
        with self.reading() as conn:
            if facts.is_current(conn):
                return False
        with self.writing() as conn:
            return facts.ensure_current(conn)

    # --- writing ------------------------------------------------------------------------

    def add_incident(self, incident: Incident, actor: str) -> int:
        """Store a validated report with its pupils, platforms, forms and first description."""
        with self.writing() as conn:
            return self._insert_incidents(conn, [(incident, [])], actor)[0]

    def add_incidents(
        self, reports: Iterable[tuple[Incident, list[StepDone]]], actor: str, batch: int = 5000
    ) -> int:
        """Bulk-load reports with their steps (demo data, imports) in one transaction."""
        count = 0
        with self.writing() as conn:
            chunk: list[tuple[Incident, list[StepDone]]] = []
            for report in reports:
                chunk.append(report)
                if len(chunk) >= batch:
                    count += len(self._insert_incidents(conn, chunk, actor))
                    chunk = []
            if chunk:
                count += len(self._insert_incidents(conn, chunk, actor))
        return count

    def known_fingerprints(self, fingerprints: Iterable[str]) -> set[str]:
        """Which of these report fingerprints are already in the database."""
        with self.reading() as conn:
            return self._known(conn, list(fingerprints))

    def _known(self, conn: Connection, fingerprints: list[str]) -> set[str]:
        known: set[str] = set()
        column = incident_fingerprints.c.fingerprint
        for start in range(0, len(fingerprints), 500):
            chunk = fingerprints[start : start + 500]
            known |= set(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
        return known

    def import_reports(
        self, rows: list[tuple[Incident, list[StepDone]]], source: str, actor: str
    ) -> tuple[int, int]:
        """Store imported reports in one transaction, skipping reports already stored.

        Returns (added, skipped). The check runs inside the writing transaction, so two
        imports of the same file at once still add each report once.
        """
        with self.writing() as conn:
            seen = self._known(conn, [incident.fingerprint for incident, _ in rows])
            new = []
            for incident, steps in rows:
                if incident.fingerprint not in seen:
                    seen.add(incident.fingerprint)
                    new.append((incident, steps))
            for start in range(0, len(new), 5000):
                self._insert_incidents(conn, new[start : start + 5000], actor)
            if new:
                summary = json.dumps({"source": source, "added": len(new)}, ensure_ascii=False)
                conn.execute(
                    audit.insert(), _audit_row(actor, "import", None, "file", None, summary)
                )
        return len(new), len(rows) - len(new)

    def _insert_incidents(
        self, conn: Connection, reports: list[tuple[Incident, list[StepDone]]], actor: str
    ) -> list[int]:
        stamp = now()
        rows = [
            {
                "school": i.school,
                "reported_on": i.reported_on,
                "happened_on": i.happened_on,
                "reporter": i.reporter.value,
                "group_name": i.group,
                "age_band": i.age_band,
                "severity": i.severity.value,
                "status": i.status.value,
                "resolved_on": i.resolved_on,
                "handler": i.handler,
                "created_at": stamp,
            }
            for i, _ in reports
        ]
        result = conn.execute(
            incidents.insert().returning(incidents.c.id, sort_by_parameter_order=True), rows
        )
        ids = [row.id for row in result]
        pupils, platforms, forms, texts, steps, log, prints = [], [], [], [], [], [], []
        for incident_id, (i, done) in zip(ids, reports, strict=True):
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
            summary = _summary(i, [s.step_id for s in done])
            log.append(_audit_row(actor, "create", incident_id, None, None, summary, stamp))
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

    def change_status(self, incident_id: int, new: Status | str, actor: str) -> None:
        with self.writing() as conn:
            current = self._status(conn, incident_id)
            new = check_transition(current, new)
            values: dict = {"status": new.value}
            if new in (Status.RESOLVED, Status.CLOSED):  # finished: keep the first finish date
                values["resolved_on"] = sa.func.coalesce(incidents.c.resolved_on, clock.today())
            else:  # taken up again
                values["resolved_on"] = None
            facts.remove(conn, [incident_id])
            conn.execute(incidents.update().where(incidents.c.id == incident_id).values(values))
            facts.add(conn, [incident_id])
            conn.execute(
                audit.insert(),
                _audit_row(actor, "status", incident_id, "status", current, new.value),
            )

    def append_description(self, incident_id: int, text: str, actor: str) -> None:
        """Add to the description; earlier text is never overwritten."""
        text = check_description_addition(text)
        with self.writing() as conn:
            self._status(conn, incident_id)
            conn.execute(
                descriptions.insert(),
                {
                    "incident_id": incident_id,
                    "written_at": now(),
                    "written_by": actor,
                    "text": text,
                },
            )
            conn.execute(
                audit.insert(),
                _audit_row(actor, "description_added", incident_id, "description", None, text),
            )

    def record_step(self, incident_id: int, step: StepDone, actor: str) -> None:
        """Tick a protocol step ("Ja, dat heb ik gedaan") for an incident."""
        definitions = {s.id: s for s in load_protocol()}
        definition = definitions.get(step.step_id)
        if definition is None:
            raise InvalidInput({"step_id": f"'{step.step_id}' staat niet in het protocol"})
        if step.outcome and not definition.vraagt_uitkomst:
            raise InvalidInput({"outcome": "deze stap heeft geen uitkomst"})
        with self.writing() as conn:
            reported_on = conn.execute(
                sa.select(incidents.c.reported_on).where(incidents.c.id == incident_id)
            ).scalar()
            if reported_on is None:
                raise NotFound(incident_id)
            if step.done_on < reported_on:
                raise InvalidInput({"done_on": "ligt vóór de datum van de melding"})
            already = conn.execute(
                sa.select(steps_done.c.id).where(
                    steps_done.c.incident_id == incident_id, steps_done.c.step_id == step.step_id
                )
            ).first()
            if already:
                raise InvalidInput({"step_id": f"'{definition.titel}' is al afgevinkt"})
            facts.remove(conn, [incident_id])
            conn.execute(steps_done.insert(), _step_row(incident_id, step, now()))
            facts.add(conn, [incident_id])
            conn.execute(
                audit.insert(),
                _audit_row(
                    actor, "step_done", incident_id, step.step_id, None, _step_summary(step)
                ),
            )

    def undo_step(self, incident_id: int, step_id: str, actor: str) -> None:
        """Untick a step; the audit keeps what it was."""
        with self.writing() as conn:
            self._status(conn, incident_id)
            row = conn.execute(
                sa.select(steps_done).where(
                    steps_done.c.incident_id == incident_id, steps_done.c.step_id == step_id
                )
            ).first()
            if row is None:
                raise InvalidInput({"step_id": "deze stap was niet afgevinkt"})
            facts.remove(conn, [incident_id])
            conn.execute(steps_done.delete().where(steps_done.c.id == row.id))
            facts.add(conn, [incident_id])
            old = _step_summary(StepDone.model_construct(**row._asdict()))
            conn.execute(
                audit.insert(), _audit_row(actor, "step_undone", incident_id, step_id, old, None)
            )

    # --- the school-wide checklist and lessons given ------------------------------------

    def record_school_action(self, done: SchoolActionDone, actor: str) -> None:
        """Tick a school-wide action for one school ("Ja, dat heb ik gedaan")."""
        titles = {a.id: a.titel for a in load_guidance().school_actions}
        if done.action_id not in titles:
            raise InvalidInput({"action_id": f"'{done.action_id}' staat niet in de checklist"})
        with self.writing() as conn:
            already = conn.execute(
                sa.select(school_actions_done.c.id).where(
                    school_actions_done.c.school == done.school,
                    school_actions_done.c.action_id == done.action_id,
                )
            ).first()
            if already:
                raise InvalidInput({"action_id": f"'{titles[done.action_id]}' is al afgevinkt"})
            conn.execute(school_actions_done.insert(), {**done.model_dump(), "recorded_at": now()})
            conn.execute(
                audit.insert(),
                _audit_row(
                    actor,
                    "school_action_done",
                    None,
                    done.action_id,
                    None,
                    json.dumps(done.model_dump(mode="json"), ensure_ascii=False),
                ),
            )

    def undo_school_action(self, school: str, action_id: str, actor: str) -> None:
        with self.writing() as conn:
            row = conn.execute(
                sa.select(school_actions_done).where(
                    school_actions_done.c.school == school,
                    school_actions_done.c.action_id == action_id,
                )
            ).first()
            if row is None:
                raise InvalidInput({"action_id": "deze actie was niet afgevinkt"})
            conn.execute(school_actions_done.delete().where(school_actions_done.c.id == row.id))
            old = {k: str(v) for k, v in row._asdict().items() if k not in ("id", "recorded_at")}
            conn.execute(
                audit.insert(),
                _audit_row(
                    actor,
                    "school_action_undone",
                    None,
                    action_id,
                    json.dumps(old, ensure_ascii=False),
                    None,
                ),
            )

    def school_actions_done(self, schools: Iterable[str] = ()) -> list[dict]:
        """Ticked school-wide actions, for the given schools (all when empty)."""
        schools = list(schools)
        query = sa.select(school_actions_done).order_by(school_actions_done.c.done_on)
        if schools:
            query = query.where(school_actions_done.c.school.in_(schools))
        with self.reading() as conn:
            return [r._asdict() for r in conn.execute(query)]

    def log_lesson(self, lesson: LessonGiven, actor: str) -> int:
        """Record that a material was used in a group or class on a date."""
        if lesson.material_id not in {m.id for m in load_guidance().materials}:
            raise InvalidInput({"material_id": "kies een materiaal uit de lijst"})
        row = {
            "school": lesson.school,
            "material_id": lesson.material_id,
            "group_name": lesson.group,
            "age_band": age_band(lesson.group),
            "given_on": lesson.given_on,
            "given_by": lesson.given_by,
            "recorded_at": now(),
        }
        with self.writing() as conn:
            lesson_id = conn.execute(
                lessons_given.insert().returning(lessons_given.c.id), row
            ).scalar_one()
            conn.execute(
                audit.insert(),
                _audit_row(
                    actor,
                    "lesson_given",
                    None,
                    lesson.material_id,
                    None,
                    json.dumps(lesson.model_dump(mode="json"), ensure_ascii=False),
                ),
            )
        return lesson_id

    def _status(self, conn: Connection, incident_id: int) -> str:
        status = conn.execute(
            sa.select(incidents.c.status).where(incidents.c.id == incident_id)
        ).scalar()
        if status is None:
            raise NotFound(incident_id)
        return status

    # --- reading ------------------------------------------------------------------------

    def count_incidents(self) -> int:
        with self.reading() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one()

    def get_incident(self, incident_id: int) -> dict:
        """One case with everything the care team sees: fields, pupils, texts, steps."""
        with self.reading() as conn:
            row = conn.execute(sa.select(incidents).where(incidents.c.id == incident_id)).first()
            if row is None:
                raise NotFound(incident_id)
            case = row._asdict()

            def values(table, column):
                return [
                    r[0]
                    for r in conn.execute(
                        sa.select(table.c[column])
                        .where(table.c.incident_id == incident_id)
                        .order_by(table.c[column])
                    )
                ]

            case["platforms"] = values(incident_platforms, "platform")
            case["forms"] = values(incident_forms, "form")
            case["pupils"] = [
                r._asdict()
                for r in conn.execute(
                    sa.select(incident_pupils.c.pupil_number, incident_pupils.c.role)
                    .where(incident_pupils.c.incident_id == incident_id)
                    .order_by(incident_pupils.c.role, incident_pupils.c.pupil_number)
                )
            ]
            case["descriptions"] = [
                r._asdict()
                for r in conn.execute(
                    sa.select(
                        descriptions.c.written_at, descriptions.c.written_by, descriptions.c.text
                    )
                    .where(descriptions.c.incident_id == incident_id)
                    .order_by(descriptions.c.id)
                )
            ]
            case["steps"] = {
                r.step_id: r._asdict()
                for r in conn.execute(
                    sa.select(steps_done).where(steps_done.c.incident_id == incident_id)
                )
            }
            return case

    def audit_entries(self, incident_id: int) -> list[dict]:
        with self.reading() as conn:
            return [
                r._asdict()
                for r in conn.execute(
                    sa.select(audit).where(audit.c.incident_id == incident_id).order_by(audit.c.id)
                )
            ]

    def list_cases(
        self,
        *,
        statuses: Iterable[str] | None = None,
        group: str | None = None,
        platform: str | None = None,
        overdue_only: bool = False,
        today: date | None = None,
        overdue_days: int = OVERDUE_DAYS,
        limit: int = 200,
        keep: int | None = None,
    ) -> tuple[list[CaseRow], int]:
        """Cases newest first, filtered; returns (at most `limit` rows, number matching).

        Overdue means an open case with no step for `overdue_days`, or whose follow-up step
        is past its term and not done. `keep` (the case open on screen) is listed first when
        it does not match: a case does not vanish from under the user's hands.
        """
        today = today or clock.today()
        statuses = list(statuses) if statuses else [s.value for s in OPEN_STATUSES]
        flags = overdue_flags(today, overdue_days)
        conditions = [incidents.c.status.in_(statuses)]
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
        )
        count = sa.select(sa.func.count()).select_from(incidents).where(*conditions)
        with self.reading() as conn:
            rows = conn.execute(query).all()
            total = conn.execute(count).scalar_one()
            matching = {r.id for r in rows}
            if keep is not None and keep not in matching:
                rows = conn.execute(columns.where(incidents.c.id == keep)).all() + rows
            platforms: dict[int, list[str]] = {}
            if rows:
                for incident_id, name in conn.execute(
                    sa.select(
                        incident_platforms.c.incident_id, incident_platforms.c.platform
                    ).where(incident_platforms.c.incident_id.in_([r.id for r in rows]))
                ):
                    platforms.setdefault(incident_id, []).append(name)
        cases = []
        for r in rows:
            last = r.last_activity
            if isinstance(last, str):  # SQLite returns COALESCE over dates as text
                last = date.fromisoformat(last)
            reasons = []
            if r.stale:
                reasons.append(f"geen stap in {(today - last).days} dagen")
            if r.followup_due:
                reasons.append(f"{flags.followup_title.lower()} is nodig")
            cases.append(
                CaseRow(
                    id=r.id,
                    reported_on=r.reported_on,
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
        return cases, total

    def schools(self) -> list[str]:
        """Schools in the log, the busiest first (the form's default is the first).

        Counted from the monthly facts: a few thousand rows, not every report."""
        f = report_facts.c
        with self.reading() as conn:
            return list(
                conn.execute(
                    sa.select(f.school)
                    .where(f.platform == facts.ALL, f.form == facts.ALL)
                    .group_by(f.school)
                    .order_by(sa.func.sum(f.reports).desc(), f.school)
                ).scalars()
            )


def _audit_row(actor, action, incident_id, field, old, new, at: datetime | None = None) -> dict:
    return {
        "at": at or now(),
        "actor": actor,
        "action": action,
        "incident_id": incident_id,
        "field": field,
        "old_value": old,
        "new_value": new,
    }


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


def _summary(incident: Incident, steps: list[str]) -> str:
    """The audit's 'new' value for a created report: every field but the description."""
    fields = incident.model_dump(mode="json", exclude={"description"}, warnings=False)
    if steps:
        fields["steps"] = steps
    return json.dumps(fields, ensure_ascii=False)


def _step_summary(step: StepDone) -> str:
    outcome = getattr(step, "outcome", None)
    return json.dumps(
        {
            "done_on": str(step.done_on),
            "done_by": step.done_by,
            "note": step.note,
            "outcome": outcome.value if hasattr(outcome, "value") else outcome,
        },
        ensure_ascii=False,
    )
