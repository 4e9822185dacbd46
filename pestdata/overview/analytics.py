"""The questions the leadership overview asks, answered in SQL where the data is.

Every function takes the store and a `Filters`, runs GROUP BY queries (SQLite and
PostgreSQL alike) and returns a small tidy DataFrame: its size follows the number of
months, steps or categories, never the number of incidents. Medians come from a histogram
of day counts, since SQLite has no median function.

Whole months are read from the fact tables (pestdata/db/facts.py); the days of a partial month
at either end of a period, and filters the facts cannot answer (two platforms at once), are
read from the raw tables with the same definitions. `plan()` makes that split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from pestdata.cases.caseload import OVERDUE_DAYS, overdue_flags
from pestdata.core import disclosure
from pestdata.core.choices import AGE_BANDS, GROUPS, OPEN_STATUSES, age_band
from pestdata.core.clock import SchoolYear
from pestdata.core.guidance import followup_step, load_guidance, load_protocol
from pestdata.db.facts import ALL, FOLLOWUP_DAYS, REPORT_COUNTERS, RESOLVED, days_between, month_of
from pestdata.db.facts import report_flags as _report_flags
from pestdata.db.store import Store
from pestdata.db.tables import (
    incident_forms,
    incident_platforms,
    incidents,
    lessons_given,
    report_facts,
    step_facts,
    steps_done,
)
from pestdata.school import school_names, school_records

# --- filters ---------------------------------------------------------------------------------


def school_year_of(day: date) -> str:
    """The school year of a day, as the options show it: '2025-2026' (clock.SchoolYear)."""
    return SchoolYear.of(day).label


def school_year_range(year: str) -> tuple[date, date]:
    """First and last day of '2025-2026'."""
    school_year = SchoolYear.parse(year)
    return school_year.start, school_year.end


@dataclass(frozen=True)
class Filters:
    """What the overview is narrowed to; empty tuples mean 'all'."""

    start: date | None = None
    end: date | None = None
    schools: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    today: date = field(default_factory=date.today)
    raw: bool = False  # read only the raw tables (to check the facts, and in benchmarks)

    @classmethod
    def for_school_year(cls, year: str, **kwargs) -> Filters:
        start, end = school_year_range(year)
        return cls(start=start, end=end, **kwargs)

    def between(self, start: date | None, end: date | None) -> Filters:
        """The same filters over another period."""
        return replace(self, start=start, end=end)

    def without_period(self) -> Filters:
        """The same filters over all dates (for 'this month', 'open now')."""
        return self.between(None, None)

    def period_conditions(self) -> list[sa.ColumnElement]:
        c = incidents.c
        return [
            *([c.reported_on >= self.start] if self.start else []),
            *([c.reported_on <= self.end] if self.end else []),
        ]

    def narrowing(self, c) -> list[sa.ColumnElement]:
        """School, group and age band as IN conditions on the columns `c` of `incidents` or
        of a fact table (they share these names)."""
        return [
            column.in_(values)
            for column, values in (
                (c.school, self.schools),
                (c.group_name, self.groups),
                (c.age_band, self.age_bands),
            )
            if values
        ]

    def conditions(self) -> list[sa.ColumnElement]:
        """WHERE conditions on `incidents`."""
        c = incidents.c
        where = self.period_conditions() + self.narrowing(c)
        for table, column, values in (
            (incident_platforms, "platform", self.platforms),
            (incident_forms, "form", self.forms),
        ):
            if values:
                # An alias, so this EXISTS stays whole when the outer query joins the table too.
                other = table.alias()
                where.append(
                    sa.exists().where(other.c.incident_id == c.id, other.c[column].in_(values))
                )
        return where


def _frame(store: Store, query, columns: list[str]) -> pd.DataFrame:
    with store.reading() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=columns)


def median_from_histogram(values: pd.Series, counts: pd.Series) -> float | None:
    """Median of a distribution given as value → count (the lower median for even totals)."""
    total = int(counts.sum())
    if total == 0:
        return None
    order = values.argsort()
    cumulative = counts.iloc[order].cumsum().to_numpy()
    position = (total + 1) // 2
    return float(values.iloc[order].to_numpy()[(cumulative >= position).argmax()])


def _summed(rows: list, columns: list[str], value: str) -> pd.DataFrame:
    """Rows from the facts and from partial months, added up per key, in key order."""
    frame = pd.DataFrame(rows, columns=columns)
    keys = [c for c in columns if c != value]
    frame[value] = frame[value].astype("int64")
    return frame.groupby(keys, as_index=False, sort=True)[value].sum()


# --- where a question reads: fact tables or raw tables ---------------------------------------


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


def report_dates(conn) -> tuple[date | None, date | None]:
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
    first_day, last_day = report_dates(conn)
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


def _fact_where(
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


# --- the questions ---------------------------------------------------------------------------


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
        first, last = report_dates(conn)
    years = []
    if first is not None:
        start, end = SchoolYear.of(first).first, SchoolYear.of(last).first
        years = [SchoolYear(y).label for y in range(end, start - 1, -1)]
    return {"schools": schools, "school_years": years}


def _report_sums(conn, filters: Filters) -> dict[str, int]:
    """Reports, finished, finished with every required step, and follow-ups within two
    weeks, over the filters' period."""
    f = report_facts.c
    counters = [sa.func.count()] + [
        sa.func.coalesce(sa.func.sum(sa.case((flag, 1), else_=0)), 0)
        for flag in _report_flags().values()
    ]
    rows = answer(
        conn,
        filters,
        lambda months: [
            conn.execute(
                sa.select(*(sa.func.coalesce(sa.func.sum(f[n]), 0) for n in REPORT_COUNTERS)).where(
                    *_fact_where(report_facts, filters, months)
                )
            ).one()
        ],
        lambda edge: [conn.execute(sa.select(*counters).where(*edge.conditions())).one()],
    )
    sums = dict.fromkeys(REPORT_COUNTERS, 0)
    for row in rows:
        for name, value in zip(REPORT_COUNTERS, row, strict=True):
            sums[name] += int(value)
    return sums


def key_figures(
    store: Store, filters: Filters, shared: bool = False
) -> dict[str, float | int | None]:
    """The numbers at the top of the overview.

    'This month' and 'this school year' count up to `filters.today`; open and overdue are as
    of that day; the rest concern the reports in the chosen period. A shared view passes the
    end of the last complete month as today (disclosure.as_of) and `shared`: then 'this
    month' is that whole month, and open and overdue are counted as of that day, over the
    reports of the period only (steps and resolutions after it do not count).
    """
    c, today = incidents.c, filters.today
    year_start, _ = school_year_range(school_year_of(today))
    everywhere = filters.without_period()
    due_end = today - timedelta(days=FOLLOWUP_DAYS)
    flags = overdue_flags(today)
    open_case = c.status.in_([s.value for s in OPEN_STATUSES])
    with store.reading() as conn:
        period = _report_sums(conn, filters)
        month = _report_sums(conn, everywhere.between(today.replace(day=1), today))
        year = _report_sums(conn, everywhere.between(year_start, today))
        due = _report_sums(
            conn, filters.between(filters.start, min(filters.end or due_end, due_end))
        )
        if shared:
            open_then = _open_at(conn, filters, today)
            open_cases, overdue = open_then["open"].sum(), open_then["overdue"].sum()
        else:
            open_cases, overdue = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(sa.case((flags.any, 1), else_=0)), 0),
                ).where(*everywhere.conditions(), open_case)
            ).one()
        resolved = _days_histogram(conn, filters, today if shared else None)
    return {
        "reports_this_month": month["reports"],
        "reports_this_school_year": year["reports"],
        "reports_in_period": period["reports"],
        "open_cases": int(open_cases),
        "overdue_cases": int(overdue),
        "finished_cases": period["finished"],
        "finished_with_all_required": period["finished_all_required"],
        "followup_due_cases": due["reports"],
        "followup_within_two_weeks": due["followup_in_time"],
        "resolved_cases": int(resolved["count"].sum()),
        "median_days_to_resolved": median_from_histogram(resolved["days"], resolved["count"]),
    }


def _open_at(conn, filters: Filters, day: date) -> pd.DataFrame:
    """Reports of the period (up to `day`) open on `day`, and of those how many were overdue
    then, per school, group and month reported (columns school, group, month, open,
    overdue): no step for OVERDUE_DAYS, or the follow-up not done within its term. Only steps
    done and resolutions up to `day` count, so the answer does not change after it."""
    c, s = incidents.c, steps_done.c
    followup = followup_step()
    open_then = sa.or_(c.status.in_([st.value for st in OPEN_STATUSES]), c.resolved_on > day)
    last_step = (
        sa.select(sa.func.max(s.done_on))
        .where(s.incident_id == c.id, s.done_on <= day)
        .scalar_subquery()
    )
    stale = sa.func.coalesce(last_step, c.reported_on) < day - timedelta(days=OVERDUE_DAYS)
    late = sa.false()
    if followup:
        late = sa.and_(
            c.reported_on < day - timedelta(days=followup.deadline_days),
            ~sa.exists().where(s.incident_id == c.id, s.step_id == followup.id, s.done_on <= day),
        )
    end = min(filters.end or day, day)
    where = filters.between(filters.start, end).conditions()
    month = month_of(c.reported_on)
    rows = conn.execute(
        sa.select(
            c.school,
            c.group_name,
            month,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((sa.or_(stale, late), 1), else_=0)), 0),
        )
        .where(*where, open_then)
        .group_by(c.school, c.group_name, month)
    ).all()
    return pd.DataFrame(rows, columns=["school", "group", "month", "open", "overdue"]).astype(
        {"open": "int64", "overdue": "int64"}
    )


def count_units(store: Store, filters: Filters) -> dict[str, pd.DataFrame]:
    """A shared view's count cards, each as the rows behind it (school, group, month, count),
    so each can be checked against its parts (`splits`, disclosure.gives_away). The same
    periods and days as `key_figures` with `shared`."""
    today = filters.today
    year_start, _ = school_year_range(school_year_of(today))
    everywhere = filters.without_period()

    def reports(f: Filters) -> pd.DataFrame:
        return monthly_trend(store, f, by="age_band", units=True)

    with store.reading() as conn:
        open_then = _open_at(conn, filters, today)
    return {
        "reports_this_month": reports(everywhere.between(today.replace(day=1), today)),
        "reports_this_school_year": reports(everywhere.between(year_start, today)),
        "reports_in_period": reports(filters),
        "open_cases": open_then.rename(columns={"open": "count"}),
        "overdue_cases": open_then.rename(columns={"overdue": "count"}),
    }


def _days_histogram(conn, filters: Filters, until: date | None = None) -> pd.DataFrame:
    """Days from report to resolved → number of cases, for reports in the period (resolved
    by `until`, when given: then from the raw tables, so later days change nothing)."""
    s, c = step_facts.c, incidents.c
    days = days_between(c.reported_on, c.resolved_on)
    rows = answer(
        conn,
        filters,
        lambda months: conn.execute(
            sa.select(s.days, sa.func.sum(s.done))
            .where(*_fact_where(step_facts, filters, months), s.step_id == RESOLVED)
            .group_by(s.days)
        ).all(),
        lambda edge: conn.execute(
            sa.select(days, sa.func.count())
            .where(
                *edge.conditions(),
                c.resolved_on.is_not(None),
                *([c.resolved_on <= until] if until is not None else []),
            )
            .group_by(days)
        ).all(),
        steps=True,
        use_facts=until is None,  # resolved by a day: the raw tables, so later days count not
    )
    return _summed(rows, ["days", "count"], "count")


TREND_DIMENSIONS = ("platform", "form", "age_band", "group", "motive")


def monthly_trend(
    store: Store, filters: Filters, by: str = "platform", units: bool = False
) -> pd.DataFrame:
    """Reports per month per platform, form, age band, group or motive: columns month,
    category, count (and school and group with `units`: the parts a shared view checks
    each published count against, `splits`).

    A report on two platforms (or with two forms) counts once for each. Filtered on a
    platform and split per platform, only the chosen platform is counted. The motive is not
    in the monthly facts: it is counted from the reports (one column, one GROUP BY).
    """
    if by not in TREND_DIMENSIONS:
        raise ValueError(f"onbekende indeling: {by}")
    columns = ["month", "category", *(["school", "group"] if units else []), "count"]
    if by == "motive":
        with store.reading() as conn:
            rows = conn.execute(_raw_trend(filters, by, units)).all()
        return _summed(rows, columns, "count")
    f = report_facts.c
    keys = [f.month, f["group_name" if by == "group" else by]]
    keys += [f.school, f.group_name] if units else []
    with store.reading() as conn:
        rows = answer(
            conn,
            filters,
            lambda months: conn.execute(
                sa.select(*keys, sa.func.sum(f.reports))
                .where(*_fact_where(report_facts, filters, months, split_by=by))
                .group_by(*keys)
            ).all(),
            lambda edge: conn.execute(_raw_trend(edge, by, units)).all(),
        )
    return _summed(rows, columns, "count")


def splits(
    units: pd.DataFrame, filters: Filters, schools: list[str], months: list[str] | None = None
) -> list[list[int]]:
    """The parts a reader can split one published count into, each also published in a view
    of its own: per school (all schools), per age band and per group (all pupils), per group
    (an age band), per month and per school year (a longer period). `units`: the count's
    reports as rows school, group, month, count; `filters`: the count's own (the care team's
    view has no parts)."""
    parts = []
    if not len(units):
        units = pd.DataFrame(columns=["school", "group", "month", "count"])

    def per(key, values):
        sums = units.groupby(key)["count"].sum() if len(units) else {}
        return [int(sums.get(v, 0)) for v in values]

    if not filters.schools:
        parts.append(per("school", schools))
    if not filters.groups:
        bands = list(filters.age_bands) or AGE_BANDS
        if not filters.age_bands:
            parts.append(per(units["group"].map(age_band) if len(units) else "group", bands))
        parts.append(per("group", [g for g in GROUPS if age_band(g) in bands]))
    if months and len(months) > 1:
        parts.append(per("month", months))
        years = units["month"].map(lambda m: school_year_of(date.fromisoformat(f"{m}-01")))
        every = sorted({school_year_of(date.fromisoformat(f"{m}-01")) for m in months})
        if len(every) > 1:  # all years: each school year is published too
            parts.append(per(years if len(units) else "month", every))
    return parts


def given_away(
    units: pd.DataFrame,
    filters: Filters,
    schools: list[str],
    minimum: int | None,
    months: list[str] | None = None,
) -> bool:
    """Must a shared view hide this count ("x")? Yes when, beside any of its parts
    (`splits`), it would give a small part away (disclosure.gives_away)."""
    total = int(units["count"].sum()) if len(units) else 0
    return any(
        disclosure.gives_away(total, parts, minimum)
        for parts in splits(units, filters, schools, months)
    )


def hidden_cells(
    frame: pd.DataFrame,
    by: str,
    filters: Filters,
    schools: list[str],
    minimum: int | None,
    keys: tuple[str, ...] = ("month", "category"),
    months: list[str] | None = None,
) -> frozenset:
    """The cells of a `monthly_trend(..., units=True)` frame, per `keys`, that a shared view
    hides (`given_away`); a category that is an age band or a group narrows the cell's own
    filters. `months`: the months a cell spans, when it spans several (per category)."""
    if not minimum or not len(frame):
        return frozenset()
    hidden = set()
    for key, units in frame.groupby(list(keys)):
        cell = dict(zip(keys, key, strict=True))
        own = filters
        if by == "age_band" and "category" in cell:
            own = replace(filters, age_bands=(cell["category"],))
        elif by == "group" and "category" in cell:
            own = replace(filters, groups=(cell["category"],))
        if given_away(units, own, schools, minimum, months):
            hidden.add(key if len(keys) > 1 else key[0])
    return frozenset(hidden)


def months_between(start, end, frame: pd.DataFrame) -> list[str]:
    """Every month 'YYYY-MM' from start to end (open ends: the frame's first or last)."""
    known = sorted(frame["month"].unique()) if len(frame) else []
    first = f"{start:%Y-%m}" if start else (known[0] if known else None)
    last = f"{end:%Y-%m}" if end else (known[-1] if known else None)
    if not first or not last:
        return []
    months, (year, month) = [], map(int, first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def hidden_in_summary(
    store: Store, filters: Filters, trends: dict[str, pd.DataFrame], minimum: int | None
) -> dict:
    """What a shared summary of a period (the yearly report, the board's export, the parent
    evening) hides across views, as the overview hides the same cells: "total" (bool), the
    "months" and, per dimension of `trends` (monthly_trend frames with units; "age_band"
    gives the months), the categories whose period total would give a part away."""
    if not minimum:
        return {}
    schools = filter_options(store)["schools"]
    per_report = trends["age_band"]
    months = months_between(filters.start, filters.end, per_report)
    return {
        "total": given_away(per_report, filters, schools, minimum, months),
        "months": hidden_cells(per_report, "age_band", filters, schools, minimum, ("month",)),
        **{
            by: hidden_cells(frame, by, filters, schools, minimum, ("category",), months)
            for by, frame in trends.items()
        },
    }


def _raw_trend(filters: Filters, by: str, units: bool = False) -> sa.Select:
    month = month_of(incidents.c.reported_on)
    where = filters.conditions()
    if by == "platform":
        category, source = incident_platforms.c.platform, incidents.join(incident_platforms)
        if filters.platforms:
            where.append(category.in_(filters.platforms))
    elif by == "form":
        category, source = incident_forms.c.form, incidents.join(incident_forms)
        if filters.forms:
            where.append(category.in_(filters.forms))
    else:
        category = incidents.c[{"group": "group_name"}.get(by, by)]  # age_band, motive
        source = incidents
    keys = [month, category, *([incidents.c.school, incidents.c.group_name] if units else [])]
    return sa.select(*keys, sa.func.count()).select_from(source).where(*where).group_by(*keys)


@dataclass(frozen=True)
class StepCounts:
    """The protocol's counts for a filter: reports per month; steps done per step and days
    after the report (for medians and terms); and steps done per month of the report."""

    cases: pd.DataFrame  # month, cases
    by_days: pd.DataFrame  # step_id, days, count
    by_month: pd.DataFrame  # month, step_id, count


def step_counts(store: Store, filters: Filters) -> StepCounts:
    c, s = incidents.c, step_facts.c
    month = month_of(c.reported_on)
    days = days_between(c.reported_on, steps_done.c.done_on)
    steps_facts = [s.step_id != RESOLVED]
    by_days_keys, by_month_keys = (s.step_id, s.days), (s.month, s.step_id)
    raw_keys = ((steps_done.c.step_id, days), (month, steps_done.c.step_id))

    def from_facts(months):  # rows tagged with what they count: 0 cases, 1 by days, 2 by month
        f = report_facts.c
        where = [*_fact_where(step_facts, filters, months), *steps_facts]
        yield from ((0, r) for r in conn.execute(
            sa.select(f.month, sa.func.sum(f.reports))
            .where(*_fact_where(report_facts, filters, months))
            .group_by(f.month)
        ))  # fmt: skip
        for tag, key in ((1, by_days_keys), (2, by_month_keys)):
            query = sa.select(*key, sa.func.sum(s.done)).where(*where).group_by(*key)
            yield from ((tag, r) for r in conn.execute(query))

    def from_raw(edge):
        where = edge.conditions()
        yield from ((0, r) for r in conn.execute(
            sa.select(month, sa.func.count()).where(*where).group_by(month)
        ))  # fmt: skip
        for tag, key in zip((1, 2), raw_keys, strict=True):
            query = (
                sa.select(*key, sa.func.count())
                .select_from(steps_done.join(incidents))
                .where(*where)
                .group_by(*key)
            )
            yield from ((tag, r) for r in conn.execute(query))

    with store.reading() as conn:
        tagged = answer(conn, filters, from_facts, from_raw, steps=True)
    cases, by_days, by_month = ([r for t, r in tagged if t == tag] for tag in (0, 1, 2))
    return StepCounts(
        _summed(cases, ["month", "cases"], "cases"),
        _summed(by_days, ["step_id", "days", "count"], "count"),
        _summed(by_month, ["month", "step_id", "count"], "count"),
    )


def step_completion(
    store: Store, filters: Filters, counts: StepCounts | None = None
) -> pd.DataFrame:
    """Per protocol step: cases in the period, how many had the step done, how fast.

    Columns: step_id, title, required, term_days, cases, done, share_done, median_days,
    on_time (share of done steps within the protocol's term).
    """
    counts = counts or step_counts(store, filters)
    cases = int(counts.cases["cases"].sum())
    histogram = counts.by_days
    rows = []
    for step in load_protocol():
        mine = histogram[histogram["step_id"] == step.id]
        done = int(mine["count"].sum())
        on_time = int(mine.loc[mine["days"] <= step.deadline_days, "count"].sum())
        rows.append(
            {
                "step_id": step.id,
                "title": step.title,
                "required": step.required,
                "term_days": step.deadline_days,
                "cases": cases,
                "done": done,
                "share_done": done / cases if cases else None,
                "median_days": median_from_histogram(mine["days"], mine["count"]),
                "on_time": on_time / done if done else None,
            }
        )
    return pd.DataFrame(rows)


def step_completion_by_quarter(
    store: Store, filters: Filters, counts: StepCounts | None = None
) -> pd.DataFrame:
    """Share of cases with each step done, per quarter of reporting: step_id, title, quarter,
    cases, done, share_done. Empty when there are no cases."""
    counts = counts or step_counts(store, filters)
    if counts.cases.empty:
        return pd.DataFrame(columns=["step_id", "title", "quarter", "cases", "done", "share_done"])
    per_month, done = counts.cases.copy(), counts.by_month.copy()
    per_month["quarter"] = per_month["month"].map(quarter_of)
    done["quarter"] = done["month"].map(quarter_of)
    cases = per_month.groupby("quarter", as_index=False)["cases"].sum()
    steps = pd.DataFrame([(s.id, s.title) for s in load_protocol()], columns=["step_id", "title"])
    grid = steps.merge(cases, how="cross")
    totals = done.groupby(["quarter", "step_id"], as_index=False)["count"].sum()
    totals = totals.rename(columns={"count": "done"})
    grid = grid.merge(totals, on=["quarter", "step_id"], how="left").fillna({"done": 0})
    grid["done"] = grid["done"].astype(int)
    grid["share_done"] = grid["done"] / grid["cases"]
    return grid[["step_id", "title", "quarter", "cases", "done", "share_done"]]


def hide_step_shares(
    frame: pd.DataFrame, counts: StepCounts, minimum: int | None, per_quarter: bool = False
) -> pd.DataFrame:
    """The protocol's shares (`step_completion` or, `per_quarter`, `_by_quarter`) with a
    column `hidden`: shared, True where the share beside its months' shares would give a
    month's small count away (disclosure.share_gives_away), as the overview and the yearly
    report hide the same cell."""
    frame = frame.copy()
    frame["hidden"] = False
    if not minimum or frame.empty:
        return frame
    cases = counts.cases.set_index("month")["cases"]
    done = counts.by_month.groupby(["step_id", "month"])["count"].sum()
    for index, row in frame.iterrows():
        months = [m for m in cases.index if not per_quarter or quarter_of(m) == row["quarter"]]
        parts = [(int(done.get((row["step_id"], m), 0)), int(cases[m])) for m in months]
        total = (int(row["done"]), int(row["cases"]))
        frame.loc[index, "hidden"] = disclosure.share_gives_away(total, parts, minimum)
    return frame


def quarter_of(month: str) -> str:
    """'2025-11' -> '2025 K4'."""
    year, number = month.split("-")
    return f"{year} K{(int(number) - 1) // 3 + 1}"


def overdue_cases(store: Store, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """Overdue open cases as of today, oldest first, without pupil numbers or free text."""
    flags = overdue_flags(filters.today)
    c = incidents.c
    query = (
        sa.select(
            c.id,
            c.school,
            c.group_name,
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
    frame = _frame(
        store,
        query,
        [
            "id",
            "school",
            "group",
            "reported_on",
            "status",
            "handler",
            "last_activity",
            "followup_due",
        ],
    )
    for column in ("reported_on", "last_activity"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["days_without_step"] = [(filters.today - d).days for d in frame["last_activity"]]
    return frame


def school_action_status(store: Store, schools: tuple[str, ...] = ()) -> pd.DataFrame:
    """The school-wide checklist: every action per school, done (date, who) or still open.

    Columns: school, action_id, title, done, done_on, done_by. Schools are those asked for,
    else every school known from reports or ticked actions.
    """
    done = school_records.school_actions_done(store, schools)
    if not schools:
        schools = tuple(sorted(set(school_names.names(store)) | {d["school"] for d in done}))
    ticked = {(d["school"], d["action_id"]): d for d in done}
    rows = []
    for school in schools:
        for action in load_guidance().school_actions:
            d = ticked.get((school, action.id))
            rows.append(
                {
                    "school": school,
                    "action_id": action.id,
                    "title": action.title,
                    "done": d is not None,
                    "done_on": d["done_on"] if d else None,
                    "done_by": d["done_by"] if d else "",
                }
            )
    return pd.DataFrame(
        rows, columns=["school", "action_id", "title", "done", "done_on", "done_by"]
    )


def lesson_coverage(store: Store, filters: Filters) -> pd.DataFrame:
    """Lessons given per group in the period, with every group of the school's kind listed
    (zero where none was reached). Columns: group, age_band, lessons."""
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
    return pd.DataFrame(
        [{"group": g, "age_band": age_band(g), "lessons": counts.get(g, 0)} for g in groups],
        columns=["group", "age_band", "lessons"],
    )
