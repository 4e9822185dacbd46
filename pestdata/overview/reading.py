"""Where the overview reads a question: whole months from the fact tables, the rest raw.

Whole months are read from the fact tables (pestdata/db/facts.py); the days of a partial month
at either end of a period, and filters the facts cannot answer (two platforms at once), are
read from the raw tables with the same definitions. `plan()` makes that split, `answer()`
follows it, and `summed()` adds the rows of both up. Medians come from a histogram of day
counts, since SQLite has no median function.

An answer is a list of plain rows (`Rows`: one dict per row, the columns as keys), not a
pandas DataFrame: the overview's answers are a few hundred rows at most, on which pandas'
cost per operation was most of a read, and a page kernel that runs pandas copies ~5 MiB of
the memory it shares with its siblings (web/kernel_forks.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from pestdata.core.choices import ALL
from pestdata.core.clock import SchoolYear
from pestdata.db.store import Store
from pestdata.db.tables import incidents, report_facts
from pestdata.overview.filters import Filters

Rows = list[dict]  # an answer: one dict per row, the same columns in each


def median_from_histogram(histogram: Iterable[tuple[int, int]]) -> float | None:
    """Median of a distribution given as (value, count) pairs (the lower median for even
    totals)."""
    pairs = sorted((int(value), int(count)) for value, count in histogram)
    position = (sum(count for _, count in pairs) + 1) // 2
    if position == 0:
        return None
    seen = 0
    for value, count in pairs:
        seen += count
        if seen >= position:
            return float(value)
    return None  # not reached: `position` is at most the total


def summed(rows: Iterable, columns: list[str], value: str) -> Rows:
    """Rows from the facts and from partial months, added up per key, in key order. A row
    with an empty key (a report without a group, say) is left out: no chart, card or table
    has a place for it."""
    keys = [c for c in columns if c != value]
    totals: Counter = Counter()
    for row in rows:
        *key, count = row
        if None not in key:
            totals[tuple(key)] += int(count)
    return [{**dict(zip(keys, key, strict=True)), value: totals[key]} for key in sorted(totals)]


def total(rows: Rows, column: str = "count") -> int:
    """The sum of one column."""
    return sum(row[column] for row in rows)


def total_per(rows: Rows, key: str, column: str = "count") -> dict:
    """The sum of one column per value of `key`, in the order the values first come."""
    sums: dict = {}
    for row in rows:
        sums[row[key]] = sums.get(row[key], 0) + row[column]
    return sums


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_end(day: date) -> date:
    later = day.replace(day=28) + timedelta(days=4)
    return later - timedelta(days=later.day)


@dataclass(frozen=True)
class Plan:
    """Whole months (first, last; None is open) read from the facts, or None for no fact
    rows; and the day ranges read from the raw tables."""

    months: tuple[str | None, str | None] | None
    edges: tuple[tuple[date | None, date | None], ...]


def facts_answer(filters: Filters, steps: bool = False) -> bool:
    """Whether the fact tables can answer this filter: one platform and one form at most,
    and for steps not both (step facts have no platform × form pairs)."""
    single = len(filters.platforms) <= 1 and len(filters.forms) <= 1
    return single and not filters.raw and not (steps and filters.platforms and filters.forms)


def incident_dates(conn) -> tuple[date | None, date | None]:
    """The first and last report date (None, None without reports)."""
    # Two subqueries: SQLite answers a lone min() or max() from the index, not both at once.
    first, last = conn.execute(
        sa.select(
            sa.select(sa.func.min(incidents.c.reported_on)).scalar_subquery(),
            sa.select(sa.func.max(incidents.c.reported_on)).scalar_subquery(),
        )
    ).one()
    if first is None:
        return None, None
    return date.fromisoformat(str(first)), date.fromisoformat(str(last))


def plan(conn, start: date | None, end: date | None, use_facts: bool = True) -> Plan:
    """Split a period into whole months and the partial months at its ends.

    An end beyond the last report (or a start before the first) is opened up, since no
    report lies there: 'this school year up to today' then reads only whole months.
    """
    if not use_facts:
        return Plan(None, ((start, end),))
    first_day, last_day = incident_dates(conn)
    if first_day is None:
        return Plan(None, ())
    start = None if start and start <= first_day else start
    end = None if end and end >= last_day else end
    if start and end and start > end:
        return Plan(None, ())
    first = None if start is None else _month(start)
    if start and start.day != 1:
        first = _month(_month_end(start) + timedelta(days=1))
    last = None if end is None else _month(end)
    if end and end != _month_end(end):
        last = _month(end.replace(day=1) - timedelta(days=1))
    if first and last and first > last:  # no whole month inside
        return Plan(None, ((start, end),))
    edges = []
    if start and start.day != 1:
        edges.append((start, _month_end(start)))
    if end and end != _month_end(end):
        edges.append((end.replace(day=1), end))
    return Plan((first, last), tuple(edges))


def answer(
    conn,
    filters: Filters,
    from_facts: Callable[[tuple], Iterable],
    from_raw: Callable[[Filters], Iterable],
    steps: bool = False,
    use_facts: bool = True,
) -> list:
    """The one way the overview reads a period (`plan`): its whole months from the fact
    tables (`from_facts(months)`), the partial months at its ends from the raw tables
    (`from_raw(the filters over that edge)`); the rows of both, to be added up per key."""
    use_facts = use_facts and facts_answer(filters, steps)
    where = plan(conn, filters.start, filters.end, use_facts)
    rows = list(from_facts(where.months)) if where.months else []
    for start, end in where.edges:
        rows += list(from_raw(filters.between(start, end)))
    return rows


def fact_where(
    table: sa.Table, filters: Filters, months: tuple, split_by: str | None = None
) -> list[sa.ColumnElement]:
    """WHERE conditions on a fact table: months, school, group, age band, and the slice of
    platform and form ('' = all; a chosen one; or every one when the answer is per platform
    or per form)."""
    c = table.c
    first, last = months
    where = [*([c.month >= first] if first else []), *([c.month <= last] if last else [])]
    where += filters.narrowing(c)
    for column, values in ((c.platform, filters.platforms), (c.form, filters.forms)):
        if values:
            where.append(column == values[0])
        elif split_by == column.name:
            where.append(column != ALL)
        else:
            where.append(column == ALL)
    return where


def filter_options(store: Store) -> dict[str, list[str]]:
    """Schools and school years present in the data (for the filter dropdowns)."""
    f = report_facts.c
    with store.reading() as conn:
        schools = list(
            conn.execute(
                sa.select(f.school)
                .where(f.platform == ALL, f.form == ALL)
                .distinct()
                .order_by(f.school)
            ).scalars()
        )
        first, last = incident_dates(conn)
    years = []
    if first is not None:
        start, end = SchoolYear.of(first).first, SchoolYear.of(last).first
        years = [SchoolYear(y).label for y in range(end, start - 1, -1)]
    return {"schools": schools, "school_years": years}
