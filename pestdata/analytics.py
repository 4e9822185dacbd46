"""The questions the leadership overview asks, answered in SQL where the data is.

Every function takes the store and a `Filters`, runs GROUP BY queries (SQLite and
PostgreSQL alike) and returns a small tidy DataFrame: its size follows the number of
months, steps or categories, never the number of incidents. Medians come from a histogram
of day counts, since SQLite has no median function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .guidance import load_guidance, load_protocol
from .model import GROUPS, OPEN_STATUSES, Status, age_band
from .store import (
    Store,
    incident_forms,
    incident_platforms,
    incidents,
    lessons_given,
    overdue_flags,
    steps_done,
)

FINISHED = (Status.RESOLVED.value, Status.CLOSED.value)
FOLLOWUP_DAYS = 14


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


# --- filters ---------------------------------------------------------------------------------


def school_year_of(day: date) -> str:
    """A Dutch school year runs from 1 August to 31 July: '2025-2026'."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_range(year: str) -> tuple[date, date]:
    start = int(year.split("-")[0])
    return date(start, 8, 1), date(start + 1, 7, 31)


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

    @classmethod
    def for_school_year(cls, year: str, **kwargs) -> Filters:
        start, end = school_year_range(year)
        return cls(start=start, end=end, **kwargs)

    def without_period(self) -> Filters:
        """The same filters over all dates (for 'this month', 'open now')."""
        return Filters(
            schools=self.schools,
            groups=self.groups,
            age_bands=self.age_bands,
            platforms=self.platforms,
            forms=self.forms,
            today=self.today,
        )

    def period_conditions(self) -> list[sa.ColumnElement]:
        c = incidents.c
        return [
            *([c.reported_on >= self.start] if self.start else []),
            *([c.reported_on <= self.end] if self.end else []),
        ]

    def conditions(self) -> list[sa.ColumnElement]:
        """WHERE conditions on `incidents`."""
        c = incidents.c
        where = self.period_conditions()
        for column, values in (
            (c.school, self.schools),
            (c.group_name, self.groups),
            (c.age_band, self.age_bands),
        ):
            if values:
                where.append(column.in_(values))
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


def _count(store: Store, *where) -> int:
    query = sa.select(sa.func.count()).select_from(incidents).where(*where)
    with store.reading() as conn:
        return conn.execute(query).scalar_one()


def median_from_histogram(values: pd.Series, counts: pd.Series) -> float | None:
    """Median of a distribution given as value → count (the lower median for even totals)."""
    total = int(counts.sum())
    if total == 0:
        return None
    order = values.argsort()
    cumulative = counts.iloc[order].cumsum().to_numpy()
    position = (total + 1) // 2
    return float(values.iloc[order].to_numpy()[(cumulative >= position).argmax()])


# --- the questions ---------------------------------------------------------------------------


def filter_options(store: Store) -> dict[str, list[str]]:
    """Schools and school years present in the data (for the filter dropdowns)."""
    c = incidents.c
    with store.reading() as conn:
        schools = list(conn.execute(sa.select(c.school).distinct().order_by(c.school)).scalars())
        first, last = conn.execute(
            sa.select(sa.func.min(c.reported_on), sa.func.max(c.reported_on))
        ).one()
    years = []
    if first is not None:
        first, last = (date.fromisoformat(d) if isinstance(d, str) else d for d in (first, last))
        start, end = int(school_year_of(first)[:4]), int(school_year_of(last)[:4])
        years = [f"{y}-{y + 1}" for y in range(end, start - 1, -1)]
    return {"schools": schools, "school_years": years}


def key_figures(store: Store, filters: Filters) -> dict[str, float | int | None]:
    """The numbers at the top of the overview, from one scan plus one small histogram.

    'This month' and 'this school year' count from today; open and overdue are as of today;
    the rest concern the reports in the chosen period.
    """
    c, today = incidents.c, filters.today
    year_start, _ = school_year_range(school_year_of(today))
    in_period = sa.and_(sa.true(), *filters.period_conditions())
    finished = sa.and_(in_period, c.status.in_(FINISHED))
    required = [s.id for s in load_protocol() if s.verplicht]
    all_required_done = (
        sa.select(sa.func.count(steps_done.c.step_id))
        .where(steps_done.c.incident_id == c.id, steps_done.c.step_id.in_(required))
        .scalar_subquery()
    ) == len(required)
    followup = next((s for s in load_protocol() if s.vraagt_uitkomst), None)
    due = sa.and_(in_period, c.reported_on <= today - timedelta(days=FOLLOWUP_DAYS))
    followup_in_time = sa.exists().where(
        steps_done.c.incident_id == c.id,
        steps_done.c.step_id == (followup.id if followup else ""),
        days_between(c.reported_on, steps_done.c.done_on) <= FOLLOWUP_DAYS,
    )
    counted = {
        "reports_this_month": sa.and_(
            c.reported_on >= today.replace(day=1), c.reported_on <= today
        ),
        "reports_this_school_year": sa.and_(c.reported_on >= year_start, c.reported_on <= today),
        "reports_in_period": in_period,
        "open_cases": c.status.in_([s.value for s in OPEN_STATUSES]),
        "overdue_cases": overdue_flags(today).any,
        "finished_cases": finished,
        "finished_with_all_required": sa.and_(finished, all_required_done),
        "followup_due_cases": due,
        "followup_within_two_weeks": sa.and_(due, followup_in_time),
    }
    query = sa.select(
        *(
            sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0).label(name)
            for name, condition in counted.items()
        )
    ).where(*filters.without_period().conditions())
    with store.reading() as conn:
        figures: dict[str, float | int | None] = dict(conn.execute(query).one()._mapping)

    days = days_between(c.reported_on, c.resolved_on)
    resolved = _frame(
        store,
        sa.select(days, sa.func.count())
        .where(*filters.conditions(), c.resolved_on.is_not(None))
        .group_by(days),
        ["days", "count"],
    )
    figures["resolved_cases"] = int(resolved["count"].sum())
    figures["median_days_to_resolved"] = median_from_histogram(resolved["days"], resolved["count"])
    return figures


TREND_DIMENSIONS = ("platform", "form", "age_band", "group")


def monthly_trend(store: Store, filters: Filters, by: str = "platform") -> pd.DataFrame:
    """Reports per month per platform, form, age band or group: columns month, category, count.

    A report on two platforms (or with two forms) counts once for each.
    """
    month = month_of(incidents.c.reported_on)
    if by == "platform":
        category, source = incident_platforms.c.platform, incidents.join(incident_platforms)
    elif by == "form":
        category, source = incident_forms.c.form, incidents.join(incident_forms)
    elif by == "age_band":
        category, source = incidents.c.age_band, incidents
    elif by == "group":
        category, source = incidents.c.group_name, incidents
    else:
        raise ValueError(f"onbekende indeling: {by}")
    query = (
        sa.select(month.label("month"), category.label("category"), sa.func.count())
        .select_from(source)
        .where(*filters.conditions())
        .group_by(month, category)
        .order_by(month, category)
    )
    return _frame(store, query, ["month", "category", "count"])


@dataclass(frozen=True)
class StepCounts:
    """The protocol's raw counts for a filter, from two GROUP BY queries: reports per month,
    and steps done per (month of the report, step, days after the report)."""

    cases: pd.DataFrame  # month, cases
    done: pd.DataFrame  # month, step_id, days, count


def step_counts(store: Store, filters: Filters) -> StepCounts:
    month = month_of(incidents.c.reported_on)
    days = days_between(incidents.c.reported_on, steps_done.c.done_on)
    with store.reading() as conn:
        cases = pd.DataFrame(
            conn.execute(
                sa.select(month, sa.func.count()).where(*filters.conditions()).group_by(month)
            ).all(),
            columns=["month", "cases"],
        )
        done = pd.DataFrame(
            conn.execute(
                sa.select(month, steps_done.c.step_id, days, sa.func.count())
                .select_from(steps_done.join(incidents))
                .where(*filters.conditions())
                .group_by(month, steps_done.c.step_id, days)
            ).all(),
            columns=["month", "step_id", "days", "count"],
        )
    return StepCounts(cases, done)


def step_completion(
    store: Store, filters: Filters, counts: StepCounts | None = None
) -> pd.DataFrame:
    """Per protocol step: cases in the period, how many had the step done, how fast.

    Columns: step_id, title, required, term_days, cases, done, share_done, median_days,
    on_time (share of done steps within the protocol's term).
    """
    counts = counts or step_counts(store, filters)
    cases = int(counts.cases["cases"].sum())
    histogram = counts.done.groupby(["step_id", "days"], as_index=False)["count"].sum()
    rows = []
    for step in load_protocol():
        mine = histogram[histogram["step_id"] == step.id]
        done = int(mine["count"].sum())
        on_time = int(mine.loc[mine["days"] <= step.termijn_dagen, "count"].sum())
        rows.append(
            {
                "step_id": step.id,
                "title": step.titel,
                "required": step.verplicht,
                "term_days": step.termijn_dagen,
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
    per_month, done = counts.cases.copy(), counts.done.copy()
    per_month["quarter"] = per_month["month"].map(quarter_of)
    done["quarter"] = done["month"].map(quarter_of)
    cases = per_month.groupby("quarter", as_index=False)["cases"].sum()
    steps = pd.DataFrame([(s.id, s.titel) for s in load_protocol()], columns=["step_id", "title"])
    grid = steps.merge(cases, how="cross")
    totals = done.groupby(["quarter", "step_id"], as_index=False)["count"].sum()
    totals = totals.rename(columns={"count": "done"})
    grid = grid.merge(totals, on=["quarter", "step_id"], how="left").fillna({"done": 0})
    grid["done"] = grid["done"].astype(int)
    grid["share_done"] = grid["done"] / grid["cases"]
    return grid[["step_id", "title", "quarter", "cases", "done", "share_done"]]


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
    done = store.school_actions_done(schools)
    if not schools:
        schools = tuple(sorted(set(store.schools()) | {d["school"] for d in done}))
    ticked = {(d["school"], d["action_id"]): d for d in done}
    rows = []
    for school in schools:
        for action in load_guidance().school_actions:
            d = ticked.get((school, action.id))
            rows.append(
                {
                    "school": school,
                    "action_id": action.id,
                    "title": action.titel,
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
        kinds_query = sa.select(incidents.c.group_name).distinct()
        if filters.schools:
            kinds_query = kinds_query.where(incidents.c.school.in_(filters.schools))
        used = set(conn.execute(kinds_query).scalars()) | set(counts)
    # Show the groups of the kinds the school has (primary, secondary or both).
    kinds = {g.split()[0] for g in used} or {"groep", "klas"}
    groups = [g for g in GROUPS if g.split()[0] in kinds]
    return pd.DataFrame(
        [{"group": g, "age_band": age_band(g), "lessons": counts.get(g, 0)} for g in groups],
        columns=["group", "age_band", "lessons"],
    )
