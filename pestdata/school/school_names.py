"""The list of schools: added on purpose, chosen from a list in the form and the import.

A school used to be free text, so a typo became a new school in every filter, checklist
and presentation. Now a name is added once (the form's "School toevoegen", `pestdata
schools add`); a name in an imported file is matched to the list; and spellings that
already differ (from before the list, migration 0009) are merged only when someone asks
(`pestdata schools merge`).

Each school has a type (SchoolType): primary, secondary or both. It says which groups fit
the school (groep 1–8 or klas 1–6), so that an import asks before it puts 'groep 7' at a
secondary school or a register of klassen at a primary school. A school added on purpose
gets the type the person chooses; a school that arrives with data (the demo, a script) the
type its groups show; a school listed before types existed got the type of its history
(migration 0013). 'both' asks nothing: it is also what a school without any history gets.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection

from pestdata.core.choices import ALL
from pestdata.core.model import MAX_NAME, InvalidInput
from pestdata.core.recognise import normalise
from pestdata.db import facts
from pestdata.db.store import Store, audit_row, now
from pestdata.db.tables import (
    audit,
    conflict_insert,
    incidents,
    lessons_given,
    report_facts,
    retained_counts,
    school_actions_done,
)
from pestdata.db.tables import schools as school_table

TYPO_SCORE = 90  # rapidfuzz ratio (0–100) from which a spelling is a typo of a listed name
LOOKALIKE_SCORE = 85  # from here two listed names are shown as possibly the same school


class SchoolType(StrEnum):
    """Which groups a school has: primary groep 1–8, secondary klas 1–6, or both."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    BOTH = "both"

    @property
    def label(self) -> str:
        return TYPE_LABELS[self]

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of group that fit: 'groep', 'klas' or both."""
        return {
            SchoolType.PRIMARY: frozenset({"groep"}),
            SchoolType.SECONDARY: frozenset({"klas"}),
        }.get(self, frozenset({"groep", "klas"}))

    def fits(self, group: str) -> bool:
        """Whether a group ('groep 7', 'klas 2') belongs at a school of this type."""
        return group.split(" ", 1)[0] in self.kinds

    @classmethod
    def parse(cls, text: str | SchoolType) -> SchoolType:
        """'basisonderwijs', 'basis', 'po', 'vo', 'voortgezet onderwijs', 'beide', … (Dutch
        words as people write them, or our own codes); InvalidInput in Dutch otherwise."""
        if isinstance(text, SchoolType):
            return text
        found = TYPE_WORDS.get(normalise(str(text or "")))
        if found is None:
            raise InvalidInput({"school": f"onbekende soort school '{text}'; {TYPE_CHOICE}"})
        return found

    @classmethod
    def of_groups(cls, kinds: Iterable[str]) -> SchoolType:
        """The type that a school's groups show: only groepen is primary, only klassen
        secondary; both, or none, is both (nothing to go on)."""
        kinds = {k.split(" ", 1)[0] for k in kinds}
        if kinds == {"groep"}:
            return cls.PRIMARY
        if kinds == {"klas"}:
            return cls.SECONDARY
        return cls.BOTH


TYPE_LABELS = {
    SchoolType.PRIMARY: "basisonderwijs",
    SchoolType.SECONDARY: "voortgezet onderwijs",
    SchoolType.BOTH: "basis- en voortgezet onderwijs",
}
TYPE_GROUPS = {  # what a type's groups are, for the questions of an import
    SchoolType.PRIMARY: "groep 1 t/m 8",
    SchoolType.SECONDARY: "klas 1 t/m 6",
    SchoolType.BOTH: "groep 1 t/m 8 en klas 1 t/m 6",
}
TYPE_WORDS = {
    **{normalise(t.value): t for t in SchoolType},
    **{normalise(label): t for t, label in TYPE_LABELS.items()},
    **{w: SchoolType.PRIMARY for w in ("basis", "basisschool", "po", "bo", "primair")},
    **{w: SchoolType.PRIMARY for w in ("primair onderwijs", "basis onderwijs")},
    **{w: SchoolType.SECONDARY for w in ("vo", "voortgezet", "middelbaar", "middelbare school")},
    **{w: SchoolType.SECONDARY for w in ("voortgezet onderwijs", "secundair")},
    **{w: SchoolType.BOTH for w in ("beide", "allebei", "po en vo", "basis en vo")},
}
TYPE_CHOICE = "kies basisonderwijs, voortgezet onderwijs of beide"


def names(store: Store) -> list[str]:
    """Every listed school, the busiest first (the form's default), then by name.

    Counted from the monthly facts: a few thousand rows, not every report."""
    f = report_facts.c
    busy = (
        sa.select(f.school, sa.func.sum(f.reports).label("reports"))
        .where(f.platform == ALL, f.form == ALL)
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


def types(store: Store) -> dict[str, SchoolType]:
    """Every listed school's type, by name."""
    query = sa.select(school_table.c.name, school_table.c.school_type)
    with store.reading() as conn:
        return {name: SchoolType(kind) for name, kind in conn.execute(query)}


def add(
    store: Store, name: str, actor: str, school_type: str | SchoolType = SchoolType.BOTH
) -> str:
    """Put a school on the list on purpose, with its type; the stored name. InvalidInput
    (Dutch) when the name is empty, too long, or already listed in another spelling."""
    school_type = SchoolType.parse(school_type)
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
        register(conn, [name], actor, chosen={name: school_type})
    return name


def set_type(store: Store, name: str, school_type: str | SchoolType, actor: str) -> SchoolType:
    """Change a listed school's type on purpose (in the audit); the type set."""
    school_type = SchoolType.parse(school_type)
    with store.writing() as conn:
        known = list(conn.execute(sa.select(school_table.c.name)).scalars())
        if tidy(name) not in known:
            raise InvalidInput({"school": unknown_school(name, sorted(known))})
        set_types(conn, {tidy(name): school_type}, actor)
    return school_type


def set_types(conn: Connection, chosen: Mapping[str, SchoolType], actor: str) -> None:
    """Give listed schools a type (an import's new schools once all their rows are read);
    each change is an audit row. Names not on the list are left alone."""
    s = school_table.c
    for name, school_type in chosen.items():
        old = conn.execute(sa.select(s.school_type).where(s.name == name)).scalar()
        if old is None or old == school_type.value:
            continue
        conn.execute(
            school_table.update().where(s.name == name).values(school_type=school_type.value)
        )
        conn.execute(
            audit.insert(),
            audit_row(
                actor,
                "school_type",
                None,
                "school_type",
                f"{name}: {old}",
                f"{name}: {school_type.value}",
            ),
        )


def register(
    conn: Connection,
    used: Iterable[str],
    actor: str,
    groups: Iterable[tuple[str, str]] = (),
    chosen: Mapping[str, SchoolType] | None = None,
) -> None:
    """Keep every school that has data on the list (new schools of an import that asked for
    them, reports loaded by a script, the demo); each one added is in the audit. The form
    and the import choose from the list before they get here. Writers that meet a new
    school at the same moment add it once (INSERT … ON CONFLICT DO NOTHING).

    A new school's type is the one `chosen` for it, else what its `groups` ((school, group)
    of the data that brings it) show (SchoolType.of_groups)."""
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
    kinds: dict[str, set[str]] = {n: set() for n in new}
    for school, group in groups:
        if school in kinds:
            kinds[school].add(group.split(" ", 1)[0])
    chosen = chosen or {}
    insert = conflict_insert(conn.dialect.name)
    stamp = now()
    values = [
        {
            "name": n,
            "added_at": stamp,
            "added_by": actor,
            "school_type": chosen.get(n, SchoolType.of_groups(kinds[n])).value,
        }
        for n in new
    ]
    added = (
        conn.execute(
            insert(school_table)
            .values(values)
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
