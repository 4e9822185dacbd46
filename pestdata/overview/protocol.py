"""Protocol completion: per step how many cases had it done and how fast, and per quarter
for the heat map."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pestdata.core.guidance import load_protocol
from pestdata.db.facts import RESOLVED, days_between, month_of
from pestdata.db.store import Store
from pestdata.db.tables import incidents, report_facts, step_facts, steps_done
from pestdata.overview.filters import Filters, quarter_of
from pestdata.overview.reading import Rows, answer, fact_where, median_from_histogram, summed, total


@dataclass(frozen=True)
class StepCounts:
    """The protocol's counts for a filter: reports per month; steps done per step and days
    after the report (for medians and terms); and steps done per month of the report."""

    incidents: Rows  # month, cases
    by_days: Rows  # step_id, days, count
    by_month: Rows  # month, step_id, count


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


def step_completion(store: Store, filters: Filters, counts: StepCounts | None = None) -> Rows:
    """Per protocol step: cases in the period, how many had the step done, how fast.

    Columns: step_id, title, required, term_days, cases, done, share_done, median_days,
    on_time (share of done steps within the protocol's term).
    """
    counts = counts or step_counts(store, filters)
    incidents = total(counts.incidents, "cases")
    rows = []
    for step in load_protocol():
        histogram = [(r["days"], r["count"]) for r in counts.by_days if r["step_id"] == step.id]
        done = sum(count for _, count in histogram)
        on_time = sum(count for days, count in histogram if days <= step.deadline_days)
        rows.append(
            {
                "step_id": step.id,
                "title": step.title,
                "required": step.required,
                "term_days": step.deadline_days,
                "cases": incidents,
                "done": done,
                "share_done": done / incidents if incidents else None,
                "median_days": median_from_histogram(histogram),
                "on_time": on_time / done if done else None,
            }
        )
    return rows


def step_completion_by_quarter(
    store: Store, filters: Filters, counts: StepCounts | None = None
) -> Rows:
    """Share of cases with each step done, per quarter of reporting: step_id, title, quarter,
    cases, done, share_done; each step in the protocol's order, its quarters in time order.
    Empty when there are no cases."""
    counts = counts or step_counts(store, filters)
    cases = summed(
        ((quarter_of(r["month"]), r["cases"]) for r in counts.incidents),
        ["quarter", "cases"],
        "cases",
    )
    done = summed(
        ((quarter_of(r["month"]), r["step_id"], r["count"]) for r in counts.by_month),
        ["quarter", "step_id", "done"],
        "done",
    )
    done_in = {(r["quarter"], r["step_id"]): r["done"] for r in done}
    rows = []
    for step in load_protocol():
        for q in cases:
            n = done_in.get((q["quarter"], step.id), 0)
            rows.append(
                {
                    "step_id": step.id,
                    "title": step.title,
                    "quarter": q["quarter"],
                    "cases": q["cases"],
                    "done": n,
                    "share_done": n / q["cases"] if q["cases"] else None,
                }
            )
    return rows
