"""Which totals and shares a shared view hides ("x") so their parts give no small count away.

Disclosure control applied to the overview's figures: beside their parts published
elsewhere they would give a small count away (pestdata/core/disclosure.py decides each
number)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from functools import cache

from pestdata.core import disclosure
from pestdata.core.choices import AGE_BANDS, GROUPS, age_band
from pestdata.core.clock import SchoolYear
from pestdata.db.store import Store
from pestdata.overview.filters import Filters, months_between, quarter_of, school_year_of
from pestdata.overview.protocol import StepCounts
from pestdata.overview.reading import Rows, filter_options

# A count's reports as tuples (school, group, month, count): a shared overview checks
# thousands of small cells.
Unit = tuple[str, str, str, int]
UNIT_COLUMNS = ["school", "group", "month", "count"]


def unit_rows(rows: Rows, keys: tuple[str, ...] = ()) -> list[tuple]:
    """Rows of units (cards.count_units, monthly_trend with units) as tuples: the `keys`
    columns first, then the Unit."""
    return [tuple(row[column] for column in (*keys, *UNIT_COLUMNS)) for row in rows]


def splits(
    units: list[Unit], filters: Filters, schools: list[str], months: list[str] | None = None
) -> list[list[int]]:
    """The parts a reader can split one published count into, each also published in a view
    of its own: per school (all schools), per age band and per group (all pupils), per group
    (an age band), per month and per school year (a longer period). `units`: the count's
    reports (`unit_rows`); `filters`: the count's own (the care team's view has no parts)."""

    def per(key_of, values) -> list[int]:
        sums = Counter()
        for unit in units:
            sums[key_of(unit)] += unit[3]
        return [sums[value] for value in values]

    parts = []
    if not filters.schools:
        parts.append(per(lambda unit: unit[0], schools))
    if not filters.groups:
        bands = list(filters.age_bands) or AGE_BANDS
        if not filters.age_bands:
            parts.append(per(lambda unit: age_band(unit[1]), bands))
        parts.append(per(lambda unit: unit[1], [g for g in GROUPS if age_band(g) in bands]))
    if months and len(months) > 1:
        parts.append(per(lambda unit: unit[2], months))
        every = sorted({_school_year(month) for month in months})
        if len(every) > 1:  # all years: each school year is published too
            parts.append(per(lambda unit: _school_year(unit[2]), every))
    return parts


@cache
def _school_year(month: str) -> str:
    return school_year_of(date.fromisoformat(f"{month}-01"))


def given_away(
    units: list[Unit],
    filters: Filters,
    schools: list[str],
    minimum: int | None,
    months: list[str] | None = None,
) -> bool:
    """Must a shared view hide this count ("x")? Yes when, beside any of its parts
    (`splits`), it would give a small part away (disclosure.gives_away)."""
    total = sum(unit[3] for unit in units)
    return any(
        disclosure.gives_away(total, parts, minimum)
        for parts in splits(units, filters, schools, months)
    )


def hidden_cells(
    rows: Rows,
    by: str,
    filters: Filters,
    schools: list[str],
    minimum: int | None,
    keys: tuple[str, ...] = ("month", "category"),
    months: list[str] | None = None,
) -> frozenset:
    """The cells of `monthly_trend(..., units=True)` rows, per `keys`, that a shared view
    hides (`given_away`); a category that is an age band or a group narrows the cell's own
    filters. `months`: the months a cell spans, when it spans several (per category)."""
    if not minimum:
        return frozenset()
    cells: dict[tuple, list[Unit]] = defaultdict(list)
    for row in unit_rows(rows, keys):
        cells[row[: len(keys)]].append(row[len(keys) :])
    hidden = set()
    for key, units in cells.items():
        cell = dict(zip(keys, key, strict=True))
        own = filters
        if by == "age_band" and "category" in cell:
            own = replace(filters, age_bands=(cell["category"],))
        elif by == "group" and "category" in cell:
            own = replace(filters, groups=(cell["category"],))
        if given_away(units, own, schools, minimum, months):
            hidden.add(key if len(keys) > 1 else key[0])
    return frozenset(hidden)


def hidden_cards(
    units: dict[str, Rows], filters: Filters, schools: list[str], minimum: int | None
) -> set[str]:
    """The overview's count cards a shared view hides ("x"): those that, beside their parts
    published elsewhere (each school, age band, group, month), would give a small part away.
    `units`: the rows behind each card (cards.count_units)."""
    today = filters.today
    year = SchoolYear.of(today)
    everywhere = filters.without_period()
    periods = {
        "reports_this_month": (everywhere, None),
        "reports_this_school_year": (everywhere, (year.start, today)),
        "reports_in_period": (filters, (filters.start, filters.end)),
        "open_cases": (filters, (filters.start, filters.end)),
        "overdue_cases": (filters, (filters.start, filters.end)),
    }
    return {
        name
        for name, (own, period) in periods.items()
        if given_away(
            unit_rows(units[name]),
            own,
            schools,
            minimum,
            months_between(*period, units[name]) if period else None,
        )
    }


def hidden_in_summary(
    store: Store, filters: Filters, trends: dict[str, Rows], minimum: int | None
) -> dict:
    """What a shared summary of a period (the yearly report, the board's export, the parent
    evening) hides across views, as the overview hides the same cells: "total" (bool), the
    "months" and, per dimension of `trends` (monthly_trend rows with units; "age_band"
    gives the months), the categories whose period total would give a part away."""
    if not minimum:
        return {}
    schools = filter_options(store)["schools"]
    per_incident = trends["age_band"]
    months = months_between(filters.start, filters.end, per_incident)
    return {
        "total": given_away(unit_rows(per_incident), filters, schools, minimum, months),
        "months": hidden_cells(per_incident, "age_band", filters, schools, minimum, ("month",)),
        **{
            by: hidden_cells(rows, by, filters, schools, minimum, ("category",), months)
            for by, rows in trends.items()
        },
    }


def hide_step_shares(
    rows: Rows, counts: StepCounts, minimum: int | None, per_quarter: bool = False
) -> Rows:
    """The protocol's shares (`step_completion` or, `per_quarter`, `_by_quarter`) with a
    column `hidden`: shared, True where the share beside its months' shares would give a
    month's small count away (disclosure.share_gives_away), as the overview and the yearly
    report hide the same cell."""
    if not minimum:
        return [{**row, "hidden": False} for row in rows]
    incidents = {r["month"]: r["cases"] for r in counts.incidents}
    done = Counter()
    for r in counts.by_month:
        done[r["step_id"], r["month"]] += r["count"]
    shown = []
    for row in rows:
        quarter = row["quarter"] if per_quarter else None
        months = [m for m in incidents if not per_quarter or quarter_of(m) == quarter]
        parts = [(done[row["step_id"], m], incidents[m]) for m in months]
        total = (row["done"], row["cases"])
        shown.append({**row, "hidden": disclosure.share_gives_away(total, parts, minimum)})
    return shown
