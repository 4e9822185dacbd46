"""What a school does as a whole: the school-wide checklist and the lessons given.

What a school does as a whole: the "Heb je de acties uitgevoerd?" checklist and the lessons
given, each write in one transaction with its audit row."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa

from pestdata.core.choices import age_band
from pestdata.core.guidance import load_guidance
from pestdata.core.model import InvalidInput, LessonGiven, SchoolActionDone
from pestdata.db.store import Store, audit_row, now
from pestdata.db.tables import audit, lessons_given
from pestdata.db.tables import school_actions_done as actions_done
from pestdata.school import school_names


def record_school_action(store: Store, done: SchoolActionDone, actor: str) -> None:
    """Tick a school-wide action for one school ("Ja, dat heb ik gedaan")."""
    titles = {a.id: a.title for a in load_guidance().school_actions}
    if done.action_id not in titles:
        raise InvalidInput({"action_id": f"'{done.action_id}' staat niet in de checklist"})
    with store.writing() as conn:
        already = conn.execute(
            sa.select(actions_done.c.id).where(
                actions_done.c.school == done.school,
                actions_done.c.action_id == done.action_id,
            )
        ).first()
        if already:
            raise InvalidInput({"action_id": f"'{titles[done.action_id]}' is al afgevinkt"})
        school_names.register(conn, [done.school], actor)
        conn.execute(actions_done.insert(), {**done.model_dump(), "recorded_at": now()})
        conn.execute(
            audit.insert(),
            audit_row(
                actor,
                "school_action_done",
                None,
                done.action_id,
                None,
                json.dumps(done.model_dump(mode="json"), ensure_ascii=False),
            ),
        )


def undo_school_action(store: Store, school: str, action_id: str, actor: str) -> None:
    with store.writing() as conn:
        row = conn.execute(
            sa.select(actions_done).where(
                actions_done.c.school == school,
                actions_done.c.action_id == action_id,
            )
        ).first()
        if row is None:
            raise InvalidInput({"action_id": "deze actie was niet afgevinkt"})
        conn.execute(actions_done.delete().where(actions_done.c.id == row.id))
        old = {k: str(v) for k, v in row._asdict().items() if k not in ("id", "recorded_at")}
        conn.execute(
            audit.insert(),
            audit_row(
                actor,
                "school_action_undone",
                None,
                action_id,
                json.dumps(old, ensure_ascii=False),
                None,
            ),
        )


def school_actions_done(store: Store, schools: Iterable[str] = ()) -> list[dict]:
    """Ticked school-wide actions, for the given schools (all when empty)."""
    schools = list(schools)
    query = sa.select(actions_done).order_by(actions_done.c.done_on)
    if schools:
        query = query.where(actions_done.c.school.in_(schools))
    with store.reading() as conn:
        return [r._asdict() for r in conn.execute(query)]


def log_lesson(store: Store, lesson: LessonGiven, actor: str) -> int:
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
    with store.writing() as conn:
        school_names.register(conn, [lesson.school], actor)
        lesson_id = conn.execute(
            lessons_given.insert().returning(lessons_given.c.id), row
        ).scalar_one()
        conn.execute(
            audit.insert(),
            audit_row(
                actor,
                "lesson_given",
                None,
                lesson.material_id,
                None,
                json.dumps(lesson.model_dump(mode="json"), ensure_ascii=False),
            ),
        )
    return lesson_id
