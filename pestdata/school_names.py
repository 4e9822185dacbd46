"""The list of schools: added on purpose, chosen from a list in the form and the import.

A school used to be free text, so a typo became a new school in every filter, checklist
and presentation. Now a name is added once (the form's "School toevoegen", `pestdata
schools add`); a name in an imported file is matched to the list; and spellings that
already differ (from before the list, migration 0009) are merged only when someone asks
(`pestdata schools merge`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from . import facts
from .model import MAX_NAME, InvalidInput
from .recognise import normalise
from .store import Store, audit_row, now
from .tables import (
    audit,
    incidents,
    lessons_given,
    report_facts,
    retained_counts,
    school_actions_done,
)
from .tables import schools as school_table

TYPO_SCORE = 90  # rapidfuzz ratio (0–100) from which a spelling is a typo of a listed name
LOOKALIKE_SCORE = 85  # from here two listed names are shown as possibly the same school


def names(store: Store) -> list[str]:
    """Every listed school, the busiest first (the form's default), then by name.

    Counted from the monthly facts: a few thousand rows, not every report."""
    f = report_facts.c
    busy = (
        sa.select(f.school, sa.func.sum(f.reports).label("reports"))
        .where(f.platform == facts.ALL, f.form == facts.ALL)
        .group_by(f.school)
        .subquery()
    )
    query = (
        sa.select(school_table.c.name)
        .outerjoin(busy, busy.c.school == school_table.c.name)
        .order_by(sa.func.coalesce(busy.c.reports, 0).desc(), school_table.c.name)
    )
    with store.reading() as conn:
        return list(conn.execute(query).scalars())


def tidy(name: str) -> str:
    """The name as it is stored: spaces collapsed, none around it."""
    return re.sub(r"\s+", " ", str(name or "")).strip()


def same_name(name: str, known: Iterable[str]) -> str | None:
    """The listed name this one is, apart from capitals, accents and punctuation."""
    wanted = normalise(name)
    return next((k for k in known if normalise(k) == wanted), None)


def match(name: str, known: list[str]) -> tuple[str | None, bool]:
    """(the listed school this name means, whether it was spelled differently), or
    (None, False).

    A typo counts only when one listed name fits clearly better than every other, so
    'De Regenbog' is De Regenboog, but 'Het Baken' is not Het Baken College."""
    exact = same_name(name, known)
    if exact is not None:
        return exact, exact != tidy(name)
    found = process.extract(
        normalise(name), {k: normalise(k) for k in known}, scorer=fuzz.ratio, limit=2
    )
    if not found or found[0][1] < TYPO_SCORE:
        return None, False
    if len(found) > 1 and found[1][1] >= found[0][1] - 3:
        return None, False  # two names fit about as well: not ours to choose
    return found[0][2], True


def unknown_school(name: str, known: list[str]) -> str:
    """The Dutch reason a name that is not on the list is refused."""
    listed = ", ".join(known) if known else "nog geen"
    return (
        f"onbekende school '{tidy(name)}' (bekend: {listed}); voeg een nieuwe school eerst "
        "toe met 'School toevoegen' bij een nieuwe melding of 'pestdata schools add'"
    )


def add(store: Store, name: str, actor: str) -> str:
    """Put a school on the list on purpose; the stored name. InvalidInput (Dutch) when the
    name is empty, too long, or already listed in another spelling."""
    name = tidy(name)
    if not name:
        raise InvalidInput({"school": "vul de naam van de school in"})
    if len(name) > MAX_NAME:
        raise InvalidInput({"school": f"hoogstens {MAX_NAME} tekens"})
    with store.writing() as conn:
        known = list(conn.execute(sa.select(school_table.c.name)).scalars())
        existing = same_name(name, known)
        if existing is not None:
            raise InvalidInput({"school": f"deze school staat er al, als '{existing}'"})
        register(conn, [name], actor)
    return name


def register(conn: Connection, used: Iterable[str], actor: str) -> None:
    """Keep every school that has data on the list (new schools of an import that asked for
    them, reports loaded by a script, the demo); each one added is in the audit. The form
    and the import choose from the list before they get here. Writers that meet a new
    school at the same moment add it once (INSERT … ON CONFLICT DO NOTHING)."""
    used = set(used)
    if not used:
        return
    listed = set(
        conn.execute(sa.select(school_table.c.name).where(school_table.c.name.in_(used)))
        .scalars()
        .all()
    )
    new = sorted(used - listed)
    if not new:
        return
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[conn.dialect.name]
    stamp = now()
    added = (
        conn.execute(
            insert(school_table)
            .values([{"name": n, "added_at": stamp, "added_by": actor} for n in new])
            .on_conflict_do_nothing(index_elements=["name"])
            .returning(school_table.c.name)
        )
        .scalars()
        .all()
    )
    if added:
        conn.execute(
            audit.insert(),
            [audit_row(actor, "school_added", None, "school", None, n) for n in sorted(added)],
        )


def lookalikes(store: Store) -> list[tuple[str, str]]:
    """Pairs of listed names that may be one school ('De Regenboog', 'de regenbog'):
    for the person who decides to merge them; never merged by themselves."""
    with store.reading() as conn:
        known = list(conn.execute(sa.select(school_table.c.name)).scalars())
    return [
        (a, b)
        for a, b in itertools.combinations(sorted(known), 2)
        if fuzz.ratio(normalise(a), normalise(b)) >= LOOKALIKE_SCORE
    ]


def merge(store: Store, old: str, into: str, actor: str) -> int:
    """Move everything of `old` (reports, counts, ticked actions, lessons) to `into` and
    take `old` off the list, in one transaction and in the audit; the reports moved."""
    old, into = tidy(old), tidy(into)
    if old == into:
        raise InvalidInput({"school": "kies twee verschillende scholen om samen te voegen"})
    with store.writing() as conn:
        known = set(conn.execute(sa.select(school_table.c.name)).scalars())
        for name in (old, into):
            if name not in known:
                raise InvalidInput({"school": unknown_school(name, sorted(known))})
        moving = sa.select(incidents.c.id).where(incidents.c.school == old)
        ids = list(conn.execute(moving).scalars())
        with facts.recounting(conn, ids):
            conn.execute(incidents.update().where(incidents.c.school == old).values(school=into))
        for table in (school_actions_done, lessons_given):
            conn.execute(table.update().where(table.c.school == old).values(school=into))
        _merge_retained(conn, old, into)
        conn.execute(school_table.delete().where(school_table.c.name == old))
        summary = json.dumps({"naar": into, "meldingen": len(ids)}, ensure_ascii=False)
        conn.execute(
            audit.insert(), audit_row(actor, "school_merged", None, "school", old, summary)
        )
    return len(ids)


def _merge_retained(conn: Connection, old: str, into: str) -> None:
    """Counts kept after old reports were removed: added to the other school's own."""
    r = retained_counts.c
    for row in conn.execute(sa.select(retained_counts).where(r.school == old)).mappings().all():
        same = (
            (r.month == row["month"])
            & (r.dimension == row["dimension"])
            & (r.category == row["category"])
        )
        added = conn.execute(
            retained_counts.update()
            .where(same & (r.school == into))
            .values(count=r.count + row["count"])
        ).rowcount
        if added:
            conn.execute(retained_counts.delete().where(same & (r.school == old)))
        else:
            conn.execute(
                retained_counts.update().where(same & (r.school == old)).values(school=into)
            )
