"""The leadership overview's state: what the page shows for the choices made.

Decided without widgets, so a test can ask it in-process (page.py draws it).

No pupil numbers and no free text reach this page: the overview's questions return counts,
and the overdue list carries only a case number, school, group, dates, status and handler. In
the shared view (on by default, the only view off the care team's server) every number is
published by disclosure.py: counts below the threshold read "< 5" and are not plotted.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

from pestdata.core import clock, disclosure, privacy
from pestdata.core.choices import AGE_BANDS, ALL, GROUPS, Form, Platform
from pestdata.core.clock import MONTHS, SchoolYear, nl_date
from pestdata.db.store import Store
from pestdata.documents import charts
from pestdata.incidents import signals
from pestdata.overview.cards import count_units, key_figures, open_at
from pestdata.overview.filters import Filters, months_between, school_year_of, school_year_range
from pestdata.overview.lists import overdue_incidents, school_action_status
from pestdata.overview.protocol import (
    StepCounts,
    step_completion,
    step_completion_by_quarter,
    step_counts,
)
from pestdata.overview.reading import Rows, filter_options, total_per
from pestdata.overview.suppression import hidden_cards, hidden_cells, hide_step_shares
from pestdata.overview.trends import monthly_trend
from pestdata.ui.overview.values import Card, ChartShown, Choices, OverdueShown

NO_DATA = "Geen meldingen bij deze filters."
NO_FIGURES = "Geen cijfers: kies eerst een geldige periode."
# The two trend charts, each with the choice that splits it.
SPLITS = {"trend": "split", "age": "split_age"}


class OverviewState:
    """Everything the overview shows for one set of choices: filters and period, each card,
    chart and list with its published values. A changed choice gives a new state (`choose`)."""

    def __init__(
        self,
        store: Store,
        today: date | None = None,
        choices: Choices | None = None,
        options: dict[str, list[str]] | None = None,
    ):
        self.store = store
        self.today = today or clock.today()
        self.found = options or filter_options(store)  # the schools and school years in the data
        self.schools = self.found["schools"]
        current = school_year_of(self.today)
        self.school_years = self.found["school_years"] or [current]
        self.exact_allowed = privacy.exact_counts_allowed()
        self.choices = choices or Choices(
            year=current if current in self.school_years else self.school_years[0]
        )
        self._decide()

    # --- intents --------------------------------------------------------------------------

    def choose(self, **changes) -> OverviewState:
        """The state after the leader changed choices (names of `Choices`): a chart's split
        redraws that chart only; any other change asks every question again."""
        choices = replace(self.choices, **changes)
        changed = {name for name, value in changes.items() if getattr(self.choices, name) != value}
        if not changed:
            return self
        new = copy.copy(self)
        new.choices = choices
        if changed <= set(SPLITS.values()) and not self.problem:
            new.charts = dict(self.charts)
            for name, choice in SPLITS.items():
                if choice in changed:
                    by = getattr(choices, choice)
                    rows = monthly_trend(self.store, self.filters, by, bool(self.minimum))
                    new.charts[name] = new._trend(by, rows)
            return new
        new._decide()
        return new

    def on(self, today: date) -> OverviewState:
        """The same choices, looked at on another day."""
        return OverviewState(self.store, today, self.choices, self.found)

    # --- what the page offers -------------------------------------------------------------

    def options(self) -> dict[str, list[tuple[str, str]]]:
        """Per choice with a list, its (label, value) pairs."""
        return {
            "year": [*((y, y) for y in self.school_years), ("Alle jaren", ALL)],
            "school": [("Alle scholen", ALL), *((s, s) for s in self.schools)],
            "who": [("Alle", ALL)]
            + [(f"Leeftijd {b}", f"band:{b}") for b in AGE_BANDS]
            + [(g, f"group:{g}") for g in GROUPS],
            "platform": [("Alle", ALL), *Platform.choices()],
            "form": [("Alle", ALL), *Form.choices()],
            "split": [("Per platform", "platform"), ("Per vorm", "form")],
            "split_age": [
                ("Per leeftijd", "age_band"),
                ("Per groep", "group"),
                ("Per motief", "motive"),
            ],
        }

    @property
    def minimum(self) -> int | None:
        """The suppression threshold, or None in the internal (not shared) view, which only
        the care team's server has (a value a client sends for the hidden switch counts not)."""
        if self.choices.shared or not self.exact_allowed:
            return privacy.threshold()
        return None

    # --- the decisions --------------------------------------------------------------------

    def _filters(self) -> Filters:
        c = self.choices
        start = end = None
        if c.year:
            start, end = school_year_range(c.year)
        start, end = c.start or start, c.end or end
        # Shared: whole months up to the last complete one, and counted as of its end
        # (disclosure.py), so ranges a day apart or a look each morning isolate no report.
        start, end = disclosure.shared_period(start, end, self.today, self.minimum)
        return Filters(
            start=start,
            end=end,
            schools=(c.school,) if c.school else (),
            age_bands=(c.who[5:],) if c.who.startswith("band:") else (),
            groups=(c.who[6:],) if c.who.startswith("group:") else (),
            platforms=(c.platform,) if c.platform else (),
            forms=(c.form,) if c.form else (),
            today=disclosure.as_of(self.today, self.minimum),
        )

    def _problem(self) -> str:
        """Why the chosen period cannot be shown, in Dutch; '' when it can."""
        start, end = self.filters.start, self.filters.end
        latest = self.today + timedelta(days=366)
        chosen = self.choices.start, self.choices.end
        if chosen[0] and chosen[1] and chosen[0] > chosen[1]:
            return "Periode: 'Van' ligt na 'Tot en met'."
        if not disclosure.complete(start, end):
            return (
                f"Deze periode is {disclosure.NOT_COMPLETE}: de deelbare weergave toont alleen "
                "hele maanden die al voorbij zijn."
            )
        if any(d and not date(2000, 1, 1) <= d <= latest for d in (start, end)):
            return f"Periode: kies data tussen 01-01-2000 en {nl_date(latest)}."
        if self.minimum and not disclosure.period_allowed(start, end, self.today):
            return disclosure.PERIOD_NOTE
        return ""

    @property
    def signal_period(self) -> tuple[date | None, date | None]:
        """The leaders' repeat-target count: for the care team the chosen period; shared,
        only per school year (the one the period ends in) up to the last complete month, so
        a grid of month ranges cannot date one pupil's second report."""
        filters = self.filters
        if not self.minimum:
            return filters.start, filters.end
        year = SchoolYear.of(filters.end or filters.today)
        return year.start, min(year.end, filters.today)

    def _decide(self) -> None:
        self.filters = self._filters()
        self.problem = self._problem()
        self.hidden_cards: frozenset[str] = frozenset()
        self.base_met = True  # the selection may be broken down (disclosure.base_met)
        self.month_totals: dict[str, int] = {}
        if self.problem:
            # No figures for a period that cannot be: the last ones would look like its answer.
            self.cards, self.empty, self.base_note = (), NO_FIGURES, ""
            self.charts = {name: ChartShown() for name in ("trend", "age", "steps", "heatmap")}
            self.charts["trend"] = ChartShown(empty=NO_FIGURES)
            self.overdue, self.actions = OverdueShown(), None
            return
        self._read()

    def _read(self) -> None:
        """Ask every question. They are independent; SQLite answers them side by side (it
        releases the GIL while it works)."""
        store, filters, minimum = self.store, self.filters, self.minimum
        units = bool(minimum)  # shared: each count checked against its parts
        store.ensure_facts_current()  # the protocol file may have changed since the page opened
        c = self.choices
        with ThreadPoolExecutor(max_workers=3) as pool:
            # Shared, the open cases as of the day serve both the cards and their parts;
            # submitted first, so the two that wait on it find it running or done.
            opened = pool.submit(open_at, store, filters) if units else None
            trend = pool.submit(monthly_trend, store, filters, c.split, units)
            age = pool.submit(monthly_trend, store, filters, c.split_age, units)
            counts = pool.submit(step_counts, store, filters)
            figures = pool.submit(
                lambda: key_figures(store, filters, units, opened and opened.result())
            )
            # The list itself is not in the shared view (_overdue): not asked for there.
            overdue = None if minimum else pool.submit(overdue_incidents, store, filters)
            repeated = pool.submit(
                signals.repeatedly_targeted, store, *self.signal_period, filters.schools
            )
            actions = pool.submit(school_action_status, store, filters.schools)
            # The period's reports per age band with units: the age chart's own answer.
            in_period = age if c.split_age == "age_band" else None
            parts = (
                pool.submit(
                    lambda: count_units(
                        store, filters, opened.result(), in_period and in_period.result()
                    )
                )
                if units
                else None
            )
            key = {**figures.result(), "repeatedly_targeted": repeated.result()}
            hidden = set()
            if units:
                hidden = hidden_cards(parts.result(), filters, self.schools, minimum)
                if not filters.schools and self._repeat_gives_away(key["repeatedly_targeted"]):
                    hidden.add("repeatedly_targeted")
            self.hidden_cards = frozenset(hidden)
            self.base_met = disclosure.base_met(key["reports_in_period"], minimum)
            # Reports per month (one age band, group and motive per report): the total each
            # month's published cells are read against.
            self.month_totals = total_per(age.result(), "month")
            self.charts = {
                "trend": self._trend(c.split, trend.result()),
                "age": self._trend(c.split_age, age.result()),
                **self._steps(counts.result()),
            }
            self.cards, self.empty = self._cards(key), ""
            self.base_note = "" if self.base_met else disclosure.base_note()
            self.overdue = self._overdue(overdue and overdue.result())
            self.actions = actions.result()

    def _repeat_gives_away(self, total: int) -> bool:
        """The repeat-target count for all schools beside each school's (a pupil belongs to
        one school): hidden where it would give a small school's count away."""
        parts = [
            signals.repeatedly_targeted(self.store, *self.signal_period, (s,)) for s in self.schools
        ]
        return disclosure.gives_away(total, parts, self.minimum)

    def _cards(self, k: dict) -> tuple[Card, ...]:
        minimum, as_of = self.minimum, self.filters.today

        def count(name):
            if name in self.hidden_cards:  # it would give a small part away
                return disclosure.HIDDEN
            return disclosure.show_count(k[name], minimum)

        def share(part, whole):
            return disclosure.show_share(k[part], k[whole], minimum) if self.base_met else "—"

        median = (
            disclosure.show_median(k["median_days_to_resolved"], k["resolved_cases"], minimum)
            if self.base_met
            else "—"
        )
        month, now = "deze maand", "nu"
        repeated = "Leerlingen herhaaldelijk gemeld als gepest"
        if minimum:  # counted up to the end of the last complete month (disclosure.as_of)
            month = f"in {MONTHS[as_of.month - 1]} {as_of.year}"
            now = f"eind {MONTHS[as_of.month - 1]} {as_of.year}"
            repeated += f" (schooljaar {SchoolYear.of(as_of).label})"
        median_label = "Mediaan tot opgelost" if minimum else "Mediaan dagen tot opgelost"
        shown = [  # name, label, published value
            ("reports_this_month", f"Nieuwe meldingen {month}", count),
            ("reports_this_school_year", "Nieuwe meldingen dit schooljaar", count),
            ("reports_in_period", "Meldingen in de gekozen periode", count),
            ("open_cases", f"Open meldingen {now}", count),
            ("overdue_cases", f"Achterstallig {now}", count),
            ("median_days_to_resolved", median_label, lambda _: median),
            ("repeatedly_targeted", repeated, count),
            ("finished_with_all_required", "Afgeronde meldingen met alle verplichte stappen",
             lambda name: share(name, "finished_cases")),
            ("followup_within_two_weeks", "Nazorg binnen twee weken",
             lambda name: share(name, "followup_due_cases")),
        ]  # fmt: skip
        return tuple(Card(name, label, value(name)) for name, label, value in shown)

    def _note(self) -> str:
        return disclosure.rounded_note(self.minimum) if self.minimum else ""

    def _trend(self, by: str, rows: Rows) -> ChartShown:
        """A trend chart split `by`, from monthly_trend's rows."""
        counted = charts.COUNTED_IN_EACH.get(by, "")
        if not self.base_met:
            return ChartShown(empty=disclosure.base_note())
        if self.minimum:  # every label and month listed, each cell published
            filters = self.filters
            figure = charts.trend(
                rows,
                by,
                note=self._note(),
                minimum=self.minimum,
                months=months_between(filters.start, filters.end, rows),
                totals=self.month_totals,
                hidden=hidden_cells(rows, by, filters, self.schools, self.minimum),
            )
            return ChartShown(figure, note=counted if rows else "")
        if not rows:
            return ChartShown(empty=NO_DATA)
        return ChartShown(charts.trend(rows, by, note=self._note()), note=counted)

    def _steps(self, counts: StepCounts) -> dict[str, ChartShown]:
        """The protocol's charts: per step, and per step and quarter (the heat map)."""
        store, filters, minimum = self.store, self.filters, self.minimum
        steps = hide_step_shares(step_completion(store, filters, counts), counts, minimum)
        quarters = hide_step_shares(
            step_completion_by_quarter(store, filters, counts), counts, minimum, per_quarter=True
        )
        # Shared, no cases says what 1 to 9 say: below the base (zero looks like 1-4).
        if not self.base_met:
            return {"steps": ChartShown(empty=disclosure.base_note()), "heatmap": ChartShown()}
        if not steps or not steps[0]["cases"]:
            return {"steps": ChartShown(empty=NO_DATA), "heatmap": ChartShown()}
        return {
            "steps": ChartShown(charts.step_completion(steps, note=self._note(), minimum=minimum)),
            "heatmap": ChartShown(
                charts.step_heatmap(quarters, note=self._note(), minimum=minimum)
            ),
        }

    def _overdue(self, incidents: Rows | None) -> OverdueShown:
        # Shared, the same sentence with or without overdue cases: "none" would tell a
        # narrowed selection's zero from 1-4 (the card says "< 5" for both).
        if self.minimum:
            switch = " Zet 'Deelbare weergave' uit om de meldingen te zien."
            return OverdueShown(
                sentence="De lijst staat niet in de deelbare weergave."
                + (switch if self.exact_allowed else "")
            )
        if not incidents:
            return OverdueShown(sentence="Geen achterstallige meldingen.", none=True)
        return OverdueShown(incidents=incidents)

    # --- on request -----------------------------------------------------------------------

    def year_report(self) -> tuple[str, bytes]:
        """The MR's yearly report for the chosen school year and school (small counts
        hidden): its file name and the PDF."""
        from pestdata.documents.year_report import (
            year_report_pdf,  # reportlab loads only when a PDF is asked for
        )

        year = self.choices.year or school_year_of(self.today)
        pdf = year_report_pdf(
            self.store,
            year,
            self.choices.school or None,
            minimum=privacy.threshold(),
            today=self.today,
        )
        return f"jaarverslag-{year}.pdf", pdf
