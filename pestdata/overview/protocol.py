"""Protocol completion: per step how many cases had it done and how fast, and per quarter
for the heat map."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from pestdata.core.guidance import load_protocol
from pestdata.db.facts import RESOLVED, days_between, month_of
from pestdata.db.store import Store
from pestdata.db.tables import incidents, report_facts, step_facts, steps_done
from pestdata.overview.filters import Filters, quarter_of
from pestdata.overview.reading import answer, fact_where, median_from_histogram, summed


@dataclass(frozen=True)
class StepCounts:
    """The protocol's counts for a filter: reports per month; steps done per step and days
    after the report (for medians and terms); and steps done per month of the report."""

    incidents: pd.DataFrame  # month, cases
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
        where = [*fact_where(step_facts, filters, months), *steps_facts]
        yield from ((0, r) for r in conn.execute(
            sa.select(f.month, sa.func.sum(f.reports))
            .where(*fact_where(report_facts, filters, months))
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
    reported, by_days, by_month = ([r for t, r in tagged if t == tag] for tag in (0, 1, 2))
    return StepCounts(
        summed(reported, ["month", "cases"], "cases"),
        summed(by_days, ["step_id", "days", "count"], "count"),
        summed(by_month, ["month", "step_id", "count"], "count"),
    )


def step_completion(
    store: Store, filters: Filters, counts: StepCounts | None = None
) -> pd.DataFrame:
    """Per protocol step: cases in the period, how many had the step done, how fast.

    Columns: step_id, title, required, term_days, cases, done, share_done, median_days,
    on_time (share of done steps within the protocol's term).
    """
    counts = counts or step_counts(store, filters)
    incidents = int(counts.incidents["cases"].sum())
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
                "cases": incidents,
                "done": done,
                "share_done": done / incidents if incidents else None,
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
    if counts.incidents.empty:
        return pd.DataFrame(columns=["step_id", "title", "quarter", "cases", "done", "share_done"])
    per_month, done = counts.incidents.copy(), counts.by_month.copy()
    per_month["quarter"] = per_month["month"].map(quarter_of)
    done["quarter"] = done["month"].map(quarter_of)
    incidents = per_month.groupby("quarter", as_index=False)["cases"].sum()
    steps = pd.DataFrame([(s.id, s.title) for s in load_protocol()], columns=["step_id", "title"])
    grid = steps.merge(incidents, how="cross")
    totals = done.groupby(["quarter", "step_id"], as_index=False)["count"].sum()
    totals = totals.rename(columns={"count": "done"})
    grid = grid.merge(totals, on=["quarter", "step_id"], how="left").fillna({"done": 0})
    grid["done"] = grid["done"].astype(int)
    grid["share_done"] = grid["done"] / grid["cases"]
    return grid[["step_id", "title", "quarter", "cases", "done", "share_done"]]
