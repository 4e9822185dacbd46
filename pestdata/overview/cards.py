"""The overview's key figures, and for a shared view the rows behind each count card.

Reports this month, this year and in the period, open and overdue cases, finished with
every required step, follow-up in time, time to resolved (`count_units`: the rows)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from pestdata.core.choices import OPEN_STATUSES
from pestdata.core.guidance import followup_step
from pestdata.db.facts import FOLLOWUP_DAYS, INCIDENT_COUNTERS, RESOLVED, days_between, month_of
from pestdata.db.facts import incident_flags as _incident_flags
from pestdata.db.store import Store
from pestdata.db.tables import incidents, report_facts, step_facts, steps_done
from pestdata.incidents.lookup import OVERDUE_DAYS, overdue_flags
from pestdata.overview.filters import Filters, school_year_of, school_year_range
from pestdata.overview.reading import Rows, answer, fact_where, median_from_histogram, summed, total
from pestdata.overview.trends import monthly_trend


def _incident_sums(conn, filters: Filters) -> dict[str, int]:
    """Reports, finished, finished with every required step, and follow-ups within two
    weeks, over the filters' period."""
    f = report_facts.c
    counters = [sa.func.count()] + [
        sa.func.coalesce(sa.func.sum(sa.case((flag, 1), else_=0)), 0)
        for flag in _incident_flags().values()
    ]
    rows = answer(
        conn,
        filters,
        lambda months: [
            conn.execute(
                sa.select(
                    *(sa.func.coalesce(sa.func.sum(f[n]), 0) for n in INCIDENT_COUNTERS)
                ).where(*fact_where(report_facts, filters, months))
            ).one()
        ],
        lambda edge: [conn.execute(sa.select(*counters).where(*edge.conditions())).one()],
    )
    sums = dict.fromkeys(INCIDENT_COUNTERS, 0)
    for row in rows:
        for name, value in zip(INCIDENT_COUNTERS, row, strict=True):
            sums[name] += int(value)
    return sums


def key_figures(
    store: Store, filters: Filters, shared: bool = False, open_then: Rows | None = None
) -> dict[str, float | int | None]:
    """The numbers at the top of the overview.

    'This month' and 'this school year' count up to `filters.today`; open and overdue are as
    of that day; the rest concern the reports in the chosen period. A shared view passes the
    end of the last complete month as today (disclosure.as_of) and `shared`: then 'this
    month' is that whole month, and open and overdue are counted as of that day, over the
    reports of the period only (steps and resolutions after it do not count); `open_then`
    is `open_at`'s answer for these filters, when the caller has it already.
    """
    c, today = incidents.c, filters.today
    year_start, _ = school_year_range(school_year_of(today))
    everywhere = filters.without_period()
    due_end = today - timedelta(days=FOLLOWUP_DAYS)
    flags = overdue_flags(today)
    open_incident = c.status.in_([s.value for s in OPEN_STATUSES])
    if shared and open_then is None:
        open_then = open_at(store, filters)
    with store.reading() as conn:
        period = _incident_sums(conn, filters)
        month = _incident_sums(conn, everywhere.between(today.replace(day=1), today))
        year = _incident_sums(conn, everywhere.between(year_start, today))
        due = _incident_sums(
            conn, filters.between(filters.start, min(filters.end or due_end, due_end))
        )
        if shared:
            open_incidents, overdue = total(open_then, "open"), total(open_then, "overdue")
        else:
            open_incidents, overdue = conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(sa.case((flags.any, 1), else_=0)), 0),
                ).where(*everywhere.conditions(), open_incident)
            ).one()
        resolved = _days_histogram(conn, filters, today if shared else None)
    return {
        "reports_this_month": month["reports"],
        "reports_this_school_year": year["reports"],
        "reports_in_period": period["reports"],
        "open_cases": int(open_incidents),
        "overdue_cases": int(overdue),
        "finished_cases": period["finished"],
        "finished_with_all_required": period["finished_all_required"],
        "followup_due_cases": due["reports"],
        "followup_within_two_weeks": due["followup_in_time"],
        "resolved_cases": total(resolved),
        "median_days_to_resolved": median_from_histogram((r["days"], r["count"]) for r in resolved),
    }


def open_at(store: Store, filters: Filters) -> Rows:
    """Reports of the period (up to `filters.today`) open on that day, and of those how many
    were overdue then, per school, group and month reported (rows of school, group, month,
    open, overdue): no step for OVERDUE_DAYS, or the follow-up not done within its term. Only
    steps done and resolutions up to that day count, so the answer does not change after it."""
    day = filters.today
    c, s = incidents.c, steps_done.c
    followup = followup_step()
    still_open = sa.or_(c.status.in_([st.value for st in OPEN_STATUSES]), c.resolved_on > day)
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
    query = (
        sa.select(
            c.school,
            c.group_name,
            month,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((sa.or_(stale, late), 1), else_=0)), 0),
        )
        .where(*where, still_open)
        .group_by(c.school, c.group_name, month)
    )
    with store.reading() as conn:
        rows = conn.execute(query).all()
    return [
        {"school": school, "group": group, "month": month, "open": int(n), "overdue": int(late)}
        for school, group, month, n, late in rows
    ]


def count_units(
    store: Store,
    filters: Filters,
    open_then: Rows | None = None,
    in_period: Rows | None = None,
) -> dict[str, Rows]:
    """A shared view's count cards, each as the rows behind it (school, group, month, count),
    so each can be checked against its parts (`splits`, disclosure.gives_away). The same
    periods and days as `key_figures` with `shared`. A caller that has `open_at`'s answer
    or the period's reports per age band with units (monthly_trend) passes them in."""
    today = filters.today
    year_start, _ = school_year_range(school_year_of(today))
    everywhere = filters.without_period()

    def incident_counts(f: Filters) -> Rows:
        return monthly_trend(store, f, by="age_band", units=True)

    open_then = open_at(store, filters) if open_then is None else open_then
    return {
        "reports_this_month": incident_counts(everywhere.between(today.replace(day=1), today)),
        "reports_this_school_year": incident_counts(everywhere.between(year_start, today)),
        "reports_in_period": incident_counts(filters) if in_period is None else in_period,
        "open_cases": _counting(open_then, "open"),
        "overdue_cases": _counting(open_then, "overdue"),
    }


def _counting(rows: Rows, column: str) -> Rows:
    """open_at's rows with one of its counts as the unit's `count`."""
    return [
        {"school": r["school"], "group": r["group"], "month": r["month"], "count": r[column]}
        for r in rows
    ]


def _days_histogram(conn, filters: Filters, until: date | None = None) -> Rows:
    """Days from report to resolved → number of cases, for reports in the period (resolved
    by `until`, when given: then from the raw tables, so later days change nothing)."""
    s, c = step_facts.c, incidents.c
    days = days_between(c.reported_on, c.resolved_on)
    rows = answer(
        conn,
        filters,
        lambda months: conn.execute(
            sa.select(s.days, sa.func.sum(s.done))
            .where(*fact_where(step_facts, filters, months), s.step_id == RESOLVED)
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
    return summed(rows, ["days", "count"], "count")
