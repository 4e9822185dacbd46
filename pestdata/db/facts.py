"""Monthly fact tables: the overview's counts, kept in step with every write.

The overview asks a few GROUP BY questions on every filter change; over a million reports
each takes seconds. `report_facts` and `step_facts` (tables.py) hold their answers per
platform × form × month × school × group, with '' meaning "all platforms" or "all forms",
so a question reads a few thousand rows instead of millions.

The invariant: the fact tables hold exactly `report_rows()` and `step_rows()` over all
reports. A write that changes or removes reports does it inside `recounting(conn, ids)`,
which takes their counts away before and adds them again after; a write that adds reports
calls `add()`; both in the write's own transaction, so a reader never sees the facts
disagree with the reports. Steps get no platform × form pairs (there would be more
of them than steps); a filter on a platform and a form together reads the raw tables.

The counts depend on the school's protocol (which steps are required, which is the
follow-up). `facts_basis` records the protocol they were counted with; when the file has
changed, `ensure_current` recounts before anything reads or changes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from pestdata.core.choices import ALL, Status
from pestdata.core.guidance import followup_step, required_steps
from pestdata.db.tables import (
    FACT_KEY,
    conflict_insert,
    facts_basis,
    incident_forms,
    incident_platforms,
    incidents,
    report_facts,
    step_facts,
    steps_done,
)

RESOLVED = "_opgelost"  # step_facts.step_id of the days from report to resolved
FINISHED = (Status.RESOLVED.value, Status.CLOSED.value)
FOLLOWUP_DAYS = 14
CHUNK = 1000  # reports per statement when adding or removing facts

INCIDENT_COUNTERS = ("reports", "finished", "finished_all_required", "followup_in_time")


# --- portable SQL pieces ---------------------------------------------------------------------


class month_of(FunctionElement):
    """'YYYY-MM' of a date column."""

    type = sa.String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of)
def _month_default(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class days_between(FunctionElement):
    """Whole days from the first date to the second."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(days_between)
def _days_default(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


# --- what one report contributes ------------------------------------------------------------


def incident_flags() -> dict[str, sa.ColumnElement]:
    """Per report (a row of `incidents`): the conditions the report counters count.

    The one definition, used for the facts and for the raw queries on partial months.
    """
    c = incidents.c
    finished = c.status.in_(FINISHED)
    required = required_steps()
    all_required_done = (
        sa.select(sa.func.count(steps_done.c.step_id))
        .where(steps_done.c.incident_id == c.id, steps_done.c.step_id.in_(required))
        .scalar_subquery()
    ) == len(required)
    followup = followup_step()
    in_time = sa.exists().where(
        steps_done.c.incident_id == c.id,
        steps_done.c.step_id == (followup.id if followup else ""),
        days_between(c.reported_on, steps_done.c.done_on) <= FOLLOWUP_DAYS,
    )
    return {
        "finished": finished,
        "finished_all_required": sa.and_(finished, all_required_done),
        "followup_in_time": in_time,
    }


# The reports a query covers: a list of ids, IDS (bound when run), or None for all.
Reports = list[int] | sa.BindParameter | None


def _choices(table: sa.Table, column: str, ids: Reports) -> sa.Subquery:
    """Per report: each of its platforms (or forms), and '' for the rows that count all."""
    own = sa.select(table.c.incident_id, table.c[column].label("value"))
    every = sa.select(
        incidents.c.id.label("incident_id"), sa.literal(ALL, sa.String).label("value")
    )
    if ids is not None:
        own = own.where(table.c.incident_id.in_(ids))
        every = every.where(incidents.c.id.in_(ids))
    return sa.union_all(own, every).subquery()


def _keyed(ids: Reports, source):
    """The fact key columns of `source` joined with every platform and form choice."""
    c = incidents.c
    platform = _choices(incident_platforms, "platform", ids)
    form = _choices(incident_forms, "form", ids)
    source = source.join(platform, platform.c.incident_id == c.id).join(
        form, form.c.incident_id == c.id
    )
    key = [
        platform.c.value.label("platform"),
        form.c.value.label("form"),
        month_of(c.reported_on).label("month"),
        c.school.label("school"),
        c.group_name.label("group_name"),
        c.age_band.label("age_band"),
    ]
    return source, key, platform, form


def incident_rows(ids: Reports = None, sign: int | sa.BindParameter = 1) -> sa.Select:
    """What the reports `ids` (None: all; a list or IDS) add to report_facts; sign -1 (or
    SIGN) takes it away."""
    source, key, _, _ = _keyed(ids, incidents)
    counters = [(sa.func.count() * sign).label("reports")] + [
        (sa.func.sum(sa.case((flag, 1), else_=0)) * sign).label(name)
        for name, flag in incident_flags().items()
    ]
    query = sa.select(*key, *counters).select_from(source).where(sa.true())
    if ids is not None:
        query = query.where(incidents.c.id.in_(ids))
    return query.group_by(*key).order_by(*key)


def step_rows(ids: Reports = None, sign: int | sa.BindParameter = 1) -> list[sa.Select]:
    """What the reports `ids` add to step_facts: days from report to each step done, and
    (as step RESOLVED) to resolved. Two statements, each in key order."""
    c = incidents.c
    queries = []
    for source, step, done_on, where in (
        (steps_done.join(incidents), steps_done.c.step_id, steps_done.c.done_on, sa.true()),
        (incidents, sa.literal(RESOLVED, sa.String), c.resolved_on, c.resolved_on.is_not(None)),
    ):
        joined, key, platform, form = _keyed(ids, source)
        key += [step.label("step_id"), days_between(c.reported_on, done_on).label("days")]
        query = (
            sa.select(*key, (sa.func.count() * sign).label("done"))
            .select_from(joined)
            .where(where, sa.or_(platform.c.value == ALL, form.c.value == ALL))
        )
        if ids is not None:
            query = query.where(c.id.in_(ids))
        queries.append(query.group_by(*key).order_by(*key))
    return queries


# --- keeping the tables ----------------------------------------------------------------------


def upsert(dialect: str, table: sa.Table, rows: sa.Select | list[dict], counters: Iterable[str]):
    """Add `rows` (a query, or values) to a table of counts, summing the counters where the
    key is already there: the one upsert of pestdata, the same on SQLite and PostgreSQL."""
    statement = conflict_insert(dialect)(table)
    if isinstance(rows, sa.Select):
        statement = statement.from_select([c.name for c in rows.selected_columns], rows)
    else:
        statement = statement.values(rows)
    key = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=key,
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )


def add_counts(
    conn: Connection, table: sa.Table, rows: sa.Select | list[dict], counters: Iterable[str]
) -> None:
    """`upsert` on this connection."""
    conn.execute(upsert(conn.dialect.name, table, rows, counters))


def protocol_basis() -> str:
    """A fingerprint of what the counts take from the protocol: the required steps, the
    follow-up step and its term. Another title or explanation does not change it."""
    followup = followup_step()
    basis = {
        "verplicht": sorted(required_steps()),
        "nazorg": followup.id if followup else "",
        "nazorg_dagen": FOLLOWUP_DAYS,
    }
    blob = json.dumps(basis, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def counted_with(conn: Connection) -> str | None:
    """The protocol fingerprint the stored counts were made with (None: never recorded)."""
    return conn.execute(
        sa.select(facts_basis.c.value).where(facts_basis.c.name == "protocol")
    ).scalar()


def is_current(conn: Connection) -> bool:
    return counted_with(conn) == protocol_basis()


def ensure_current(conn: Connection) -> bool:
    """Recount everything when the counts were made with another protocol (in the caller's
    writing transaction); True when it recounted."""
    if is_current(conn):
        return False
    rebuild(conn)
    return True


IDS = sa.bindparam("ids", expanding=True)  # the reports a write touches
SIGN = sa.bindparam("sign", type_=sa.Integer)  # 1: add their counts, -1: take them away


class _Counting(NamedTuple):
    add: list  # upserts: the reports' counts, times SIGN
    prune: list  # deletes: rows of the touched keys that now count nothing


@lru_cache(maxsize=8)
def _counting(basis: str, dialect: str) -> _Counting:
    """The statements of `_apply`, built once per protocol and database kind: building them
    (and SQLAlchemy's cache key of each) was most of a write's time; a step ticked took
    53.5 ms, now 10.7 (bench/writes.py). `basis` is protocol_basis(): incident_flags
    depends on the protocol."""
    add = [upsert(dialect, report_facts, incident_rows(IDS, SIGN), INCIDENT_COUNTERS)]
    add += [upsert(dialect, step_facts, rows, ["done"]) for rows in step_rows(IDS, SIGN)]
    touched = [c for c in incident_rows(IDS).subquery().c if c.name in FACT_KEY]
    prune = [
        report_facts.delete().where(
            report_facts.c.reports == 0,
            sa.tuple_(*(report_facts.c[k] for k in FACT_KEY)).in_(sa.select(*touched)),
        )
    ]
    key = [*FACT_KEY, "step_id", "days"]
    for rows in step_rows(IDS):
        touched = [c for c in rows.subquery().c if c.name in key]
        prune.append(
            step_facts.delete().where(
                step_facts.c.done == 0,
                sa.tuple_(*(step_facts.c[k] for k in key)).in_(sa.select(*touched)),
            )
        )
    return _Counting(add, prune)


def _apply(conn: Connection, ids: list[int], sign: int) -> None:
    # Counts made with another protocol: recount first. The recount already holds reports
    # just inserted (sign 1), so there is nothing left to add; before a change (sign -1)
    # the report's old contribution is then taken away as usual.
    if ensure_current(conn) and sign > 0:
        return
    counting = _counting(protocol_basis(), conn.dialect.name)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for statement in counting.add:
            conn.execute(statement, {"ids": chunk, "sign": sign})
        if sign < 0:  # drop the rows that now count nothing, among the keys just touched
            for statement in counting.prune:
                conn.execute(statement, {"ids": chunk})


def add(conn: Connection, ids: Iterable[int]) -> None:
    """Count these newly inserted reports in the facts."""
    _apply(conn, list(ids), 1)


@contextmanager
def recounting(conn: Connection, ids: Iterable[int]) -> Iterator[None]:
    """Around a change to the reports `ids` (status, steps, a deletion): their counts leave
    the facts before it and come back, as they are then, after it."""
    ids = list(ids)
    _apply(conn, ids, -1)
    yield
    _apply(conn, ids, 1)


def rebuild(conn: Connection) -> None:
    """Recount every fact from the reports (after a migration that changed the facts, or
    an edit of the protocol), and record the protocol they were counted with."""
    conn.execute(report_facts.delete())
    conn.execute(step_facts.delete())
    add_counts(conn, report_facts, incident_rows(), INCIDENT_COUNTERS)
    for rows in step_rows():
        add_counts(conn, step_facts, rows, ["done"])
    conn.execute(facts_basis.delete().where(facts_basis.c.name == "protocol"))
    conn.execute(facts_basis.insert().values(name="protocol", value=protocol_basis()))


def differences(conn: Connection) -> dict[str, int]:
    """Rows where the stored facts and a fresh count disagree, per table (0 when in step)."""
    found = {}
    for table, fresh in (
        (report_facts, [incident_rows()]),
        (step_facts, step_rows()),
    ):
        stored = {tuple(row) for row in conn.execute(sa.select(*table.c))}
        counted = {tuple(row) for query in fresh for row in conn.execute(query)}
        found[table.name] = len(stored ^ counted)
    return found
