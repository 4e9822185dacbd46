"""The parent evening's figures: the only door from the database to the slides.

Privacy by construction: `aggregate_figures` gives counts keyed by labels from our own enums
and guidance (never a pupil number, a staff name or free text), published by disclosure.py
like every shared view: counts rounded to 5, 0 to 4 alike "< 5", every platform and form
listed, whole months up to the last complete one, and no breakdown at all below the base of
10 reports. The slides (parent_evening.py) are laid out from these figures alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pestdata.core import clock, disclosure, privacy
from pestdata.core.choices import AGE_BANDS, Form, Platform
from pestdata.core.clock import SchoolYear
from pestdata.db.store import Store
from pestdata.documents.charts import month_label
from pestdata.overview.filters import Filters
from pestdata.overview.lists import lesson_coverage, school_action_status
from pestdata.overview.reading import total_per
from pestdata.overview.suppression import hidden_in_summary
from pestdata.overview.trends import monthly_trend

Count = int | str  # a published cell: a number, "< 5" or "x" (disclosure.published_row)


@dataclass(frozen=True)
class EveningFigures:
    """Everything numeric the slides may show; nothing that could identify a child."""

    school: str
    school_year: str
    minimum: int
    total: int
    breakdown: bool  # False when the total is too small to split up
    by_platform: tuple[tuple[str, Count], ...]
    by_form: tuple[tuple[str, Count], ...]
    by_month: tuple[tuple[str, Count, Count], ...]  # month, this year, the year before
    actions_done: tuple[str, ...]
    actions_open: tuple[str, ...]
    lessons_by_band: tuple[tuple[str, int], ...]

    total_hidden: bool = False  # the total would give a part away (disclosure.gives_away)

    def shown(self, count: int) -> str:
        """The total as the slides show it: '< 5' when small, else rounded to 5."""
        if self.total_hidden:
            return disclosure.HIDDEN
        return disclosure.show_count(count, self.minimum)


def aggregate_figures(
    store: Store, school: str, today: date | None = None, minimum: int | None = None
) -> EveningFigures:
    """The only door from the database to the slides: counts as every shared view publishes
    them (disclosure.py: the school year's whole months up to the last complete one, every
    label listed, a month hidden where a small one could be worked out, every count rounded
    to 5; the same cell as in the overview, the yearly report and the board's export)."""
    today = today or clock.today()
    minimum = minimum or privacy.threshold()
    school_year = SchoolYear.of(today)
    year = school_year.label
    as_of = disclosure.as_of(today, minimum)
    start, end = disclosure.shared_period(school_year.start, school_year.end, today, minimum)
    this = Filters(start=start, end=end, schools=(school,), today=as_of)
    before = Filters.for_school_year(school_year.previous.label, schools=(school,), today=as_of)

    def trends(filters, dimensions):
        return {by: monthly_trend(store, filters, by, units=True) for by in dimensions}

    def per_month(rows, hidden):
        """Reports per month and the months hidden across views, keyed by position in the
        school year (aug = 0) so two years line up."""
        sums = total_per(rows, "month")
        return {SchoolYear.month_index(int(m[5:])): n for m, n in sums.items()}, {
            SchoolYear.month_index(int(m[5:])) for m in hidden.get("months", ())
        }

    complete = disclosure.complete(start, end)
    now = trends(this, ("age_band", "platform", "form")) if complete else {}
    then = trends(before, ("age_band",))
    hidden_now = hidden_in_summary(store, this, now, minimum) if complete else {}
    hidden_then = hidden_in_summary(store, before, then, minimum)
    months_now, across_now = per_month(now["age_band"], hidden_now) if complete else ({}, set())
    months_before, across_before = per_month(then["age_band"], hidden_then)
    total = sum(months_now.values())
    breakdown = disclosure.base_met(total, minimum)
    platforms = total_per(now["platform"], "category") if complete else {}
    forms = total_per(now["form"], "category") if complete else {}

    def labelled(pairs, dimension):
        across = {label for value, label in pairs if value in hidden_now.get(dimension, ())}
        counts = platforms if dimension == "platform" else forms
        return tuple(
            disclosure.breakdown(
                [(label, counts.get(value, 0)) for value, label in pairs], minimum, total, across
            )
        )

    status = [
        a
        for a in school_action_status(store, (school,))
        if not is_this_evening(a.action_id, a.title)
    ]
    lessons: dict[str, int] = {}
    for g in lesson_coverage(store, this):
        lessons[g.age_band] = lessons.get(g.age_band, 0) + g.lessons
    start_month = school_year.first
    # Months of this year still running or to come have no value ("—"): not counted yet.
    counted = 0 if not complete else SchoolYear.month_index(end.month) + 1
    now_row = disclosure.published_row(
        [months_now.get(i, 0) for i in range(counted)], minimum, hidden=across_now
    )
    now_row += [None] * (12 - counted)
    before_row = disclosure.published_row(
        [months_before.get(i, 0) for i in range(12)], minimum, hidden=across_before
    )
    return EveningFigures(
        school=school,
        school_year=year,
        minimum=minimum,
        total=total,
        breakdown=breakdown,
        total_hidden=bool(hidden_now.get("total")),
        by_platform=labelled([(p.value, p.label) for p in Platform], "platform")
        if breakdown
        else (),
        by_form=labelled([(f.value, f.label) for f in Form], "form") if breakdown else (),
        by_month=tuple(
            (
                month_label(f"{start_month + (i + 7) // 12}-{(i + 7) % 12 + 1:02d}")[:3],
                now_row[i],
                before_row[i],
            )
            for i in range(12)
        )
        if breakdown
        else (),
        actions_done=tuple(a.title for a in status if a.done),
        actions_open=tuple(a.title for a in status if not a.done),
        lessons_by_band=tuple((band, lessons[band]) for band in AGE_BANDS if band in lessons),
    )


def is_this_evening(action_id: str, title: str) -> bool:
    """Is this school action the parent evening itself ("Ouderavond over kinderen en sociale
    media gehouden")? The slides leave it out: shown during the evening it would read as
    still to do, or as done before it was. By its id or its title, so a school's own
    checklist (PESTDATA_DATA) that names it otherwise is read the same way."""
    return "ouderavond" in f"{action_id} {title}".lower()
