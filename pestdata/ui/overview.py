"""The leadership overview: key figures, trends, protocol completion, overdue cases.

No pupil numbers and no free text reach this page: analytics returns counts, and the overdue
list carries only a case number, school, group, dates, status and handler. In the shareable
view (on by default) counts below the threshold show as "< 5" and are not plotted.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import ipywidgets as w
import pandas as pd

from pestdata.cases import signals
from pestdata.core import clock, disclosure, privacy
from pestdata.core.choices import AGE_BANDS, ALL, GROUPS, Form, Platform, Status
from pestdata.core.clock import MONTHS, SchoolYear, nl_date
from pestdata.db.store import Store
from pestdata.documents import charts
from pestdata.overview.cards import count_units, key_figures
from pestdata.overview.filters import Filters, months_between, school_year_of, school_year_range
from pestdata.overview.lists import overdue_cases, school_action_status
from pestdata.overview.protocol import (
    StepCounts,
    step_completion,
    step_completion_by_quarter,
    step_counts,
)
from pestdata.overview.reading import filter_options
from pestdata.overview.suppression import given_away, hidden_cells, hide_step_shares
from pestdata.overview.trends import monthly_trend
from pestdata.ui import preheat
from pestdata.ui.common import css, download_link, esc, kernel_store
from pestdata.ui.plots import Chart, show_empty, show_figure
from pestdata.ui.school_actions import checklist_html

NO_DATA = "Geen meldingen bij deze filters."
FILTER = {"description_width": "110px"}


class Overview(w.VBox):
    """Filters on top; every part redraws when a filter changes."""

    def __init__(self, store: Store, today: date | None = None):
        self.store = store
        self.today = today or clock.today()
        options = filter_options(store)
        self.schools = options["schools"]
        self.hidden_cards: set[str] = set()  # count cards hidden across views (refresh)
        current = school_year_of(self.today)
        years = options["school_years"] or [current]
        self.year = css(
            w.Dropdown(
                style=FILTER,
                description="Schooljaar",
                options=[*((y, y) for y in years), ("Alle jaren", ALL)],
                value=current if current in years else years[0],
            ),
            "pd-filter-year",
        )
        self.start = css(w.DatePicker(style=FILTER, description="Van"), "pd-filter-start")
        self.end = css(w.DatePicker(style=FILTER, description="Tot en met"), "pd-filter-end")
        self.school = css(
            w.Dropdown(
                style=FILTER,
                description="School",
                options=[("Alle scholen", ALL), *((s, s) for s in options["schools"])],
                value=ALL,
            ),
            "pd-filter-school",
        )
        self.who = css(
            w.Dropdown(
                style=FILTER,
                description="Leeftijd/groep",
                options=[("Alle", ALL)]
                + [(f"Leeftijd {b}", f"band:{b}") for b in AGE_BANDS]
                + [(g, f"group:{g}") for g in GROUPS],
                value=ALL,
            ),
            "pd-filter-who",
        )
        self.platform = css(
            w.Dropdown(
                style=FILTER,
                description="Platform",
                options=[("Alle", ALL), *Platform.choices()],
                value=ALL,
            ),
            "pd-filter-platform",
        )
        self.form = css(
            w.Dropdown(
                style=FILTER,
                description="Vorm",
                options=[("Alle", ALL), *Form.choices()],
                value=ALL,
            ),
            "pd-filter-form",
        )
        self.exact_allowed = privacy.exact_counts_allowed()
        self.shared = css(
            w.Checkbox(
                value=True,
                indent=False,
                description=f"Deelbare weergave (aantallen onder {privacy.threshold()} verborgen)",
                # Off the care team's server there is no other view: no switch at all.
                layout=w.Layout(display="" if self.exact_allowed else "none"),
                disabled=not self.exact_allowed,
            ),
            "pd-filter-shared",
        )
        self.busy = css(w.HTML(), "pd-busy")
        self.report = css(w.Button(description="Jaarverslag als PDF"), "pd-year-report")
        self.report_link = css(w.HTML(), "pd-year-report-link")
        self.report.on_click(lambda _: self.make_report())
        self.figures = css(w.HTML(), "pd-key-figures")
        self.split = css(
            w.ToggleButtons(
                options=[("Per platform", "platform"), ("Per vorm", "form")], value="platform"
            ),
            "pd-split-platform-form",
        )
        self.split_age = css(
            w.ToggleButtons(
                options=[
                    ("Per leeftijd", "age_band"),
                    ("Per groep", "group"),
                    ("Per motief", "motive"),
                ],
                value="age_band",
            ),
            "pd-split-age-group",
        )
        self.trend_chart = css(Chart(), "pd-chart-trend")
        self.trend_note = css(w.HTML(), "pd-trend-note")
        self.age_chart = css(Chart(), "pd-chart-age")
        self.steps_chart = css(Chart(), "pd-chart-steps")
        self.heatmap_chart = css(Chart(), "pd-chart-steps-quarter")
        self.overdue = css(w.HTML(), "pd-overdue")
        self.actions = css(w.HTML(), "pd-school-actions")

        for control in (
            self.year,
            self.start,
            self.end,
            self.school,
            self.who,
            self.platform,
            self.form,
            self.shared,
        ):
            control.observe(lambda _: self.refresh(), "value")
        self.split.observe(lambda _: self._draw_trend(self.split, self.trend_chart), "value")
        self.split_age.observe(lambda _: self._draw_trend(self.split_age, self.age_chart), "value")
        super().__init__(
            [
                w.HTML(
                    "<h2>Overzicht online pesten</h2><p class='pd-hint'>Voor de schoolleiding "
                    "en de MR: trends, het protocol en wat nog openstaat. Zonder "
                    "leerlingnummers en zonder vrije tekst.</p>"
                ),
                w.HBox([self.year, self.start, self.end]),
                w.HBox([self.school, self.who]),
                w.HBox([self.platform, self.form]),
                w.HBox([self.shared, self.report, self.report_link]),
                self.busy,
                w.HTML("<h3>Kerncijfers</h3>"),
                self.figures,
                w.HTML("<h3>Trend</h3>"),
                self.split,
                self.trend_chart,
                self.trend_note,
                self.split_age,
                self.age_chart,
                w.HTML("<h3>Protocol</h3>"),
                self.steps_chart,
                self.heatmap_chart,
                w.HTML("<h3>Achterstallige meldingen</h3>"),
                self.overdue,
                w.HTML("<h3>Schoolbrede acties</h3>"),
                self.actions,
            ]
        )
        self.add_class("pd-overview")
        self.base_met = True  # the selection may be broken down (disclosure.base_met)
        self.month_totals: dict[str, int] = {}
        self.refresh()

    # --- state ----------------------------------------------------------------------------

    @property
    def minimum(self) -> int | None:
        """The suppression threshold, or None in the internal (not shared) view, which only
        the care team's server has (a value a client sends for the hidden switch counts not)."""
        if self.shared.value or not self.exact_allowed:
            return privacy.threshold()
        return None

    def filters(self) -> Filters:
        start = end = None
        if self.year.value:
            start, end = school_year_range(self.year.value)
        start, end = self.start.value or start, self.end.value or end
        # Shared: whole months up to the last complete one, and counted as of its end
        # (disclosure.py), so ranges a day apart or a look each morning isolate no report.
        start, end = disclosure.shared_period(start, end, self.today, self.minimum)
        who = self.who.value
        return Filters(
            start=start,
            end=end,
            schools=(self.school.value,) if self.school.value else (),
            age_bands=(who[5:],) if who.startswith("band:") else (),
            groups=(who[6:],) if who.startswith("group:") else (),
            platforms=(self.platform.value,) if self.platform.value else (),
            forms=(self.form.value,) if self.form.value else (),
            today=disclosure.as_of(self.today, self.minimum),
        )

    def make_report(self) -> None:
        """The MR's yearly report for the chosen school year and school (small counts hidden)."""
        from pestdata.documents.year_report import (
            year_report_pdf,  # reportlab loads only when a PDF is asked for
        )

        year = self.year.value or school_year_of(self.today)
        school = self.school.value or None
        pdf = year_report_pdf(
            self.store, year, school, minimum=privacy.threshold(), today=self.today
        )
        self.report_link.value = download_link(
            pdf, f"jaarverslag-{year}.pdf", "application/pdf", f"jaarverslag-{year}.pdf opslaan"
        )

    def refresh(self) -> None:
        self.busy.value = "<span class='pd-hint'>Bijwerken…</span>"
        filters = self.filters()
        earliest, latest = date(2000, 1, 1), self.today + timedelta(days=366)
        problem = ""
        chosen = self.start.value, self.end.value
        if chosen[0] and chosen[1] and chosen[0] > chosen[1]:
            problem = "Periode: 'Van' ligt na 'Tot en met'."
        elif not disclosure.complete(filters.start, filters.end):
            problem = (
                f"Deze periode is {disclosure.NOT_COMPLETE}: de deelbare weergave toont alleen "
                "hele maanden die al voorbij zijn."
            )
        elif any(d and not earliest <= d <= latest for d in (filters.start, filters.end)):
            problem = f"Periode: kies data tussen 01-01-2000 en {nl_date(latest)}."
        elif self.minimum and not disclosure.period_allowed(filters.start, filters.end, self.today):
            problem = disclosure.PERIOD_NOTE
        if problem:
            self.busy.value = f"<span class='pd-error'>{problem}</span>"  # our own words
            self._show_nothing()
            return
        # The questions are independent; SQLite answers them side by side (it releases the GIL
        # while it works). Each part is drawn as soon as its answer is in, the charts first.
        store = self.store
        store.ensure_facts_current()  # the protocol file may have changed since the page opened
        with ThreadPoolExecutor(max_workers=3) as pool:
            units = bool(self.minimum)  # shared: each count checked against its parts
            trend = pool.submit(monthly_trend, store, filters, self.split.value, units)
            age = pool.submit(monthly_trend, store, filters, self.split_age.value, units)
            counts = pool.submit(step_counts, store, filters)
            figures = pool.submit(key_figures, store, filters, bool(self.minimum))
            overdue = pool.submit(overdue_cases, store, filters)
            repeated = pool.submit(
                signals.repeatedly_targeted, store, *self._signal_period(filters), filters.schools
            )
            actions = pool.submit(school_action_status, store, filters.schools)
            cards = pool.submit(count_units, store, filters) if units else None
            key = figures.result()
            self.hidden_cards = set()
            if units:
                self.hidden_cards = self._hidden_cards(cards.result(), filters)
                if not filters.schools and self._repeat_gives_away(repeated.result(), filters):
                    self.hidden_cards.add("repeatedly_targeted")
            self.base_met = disclosure.base_met(key["reports_in_period"], self.minimum)
            # Reports per month (one age band, group and motive per report): the total each
            # month's published cells are read against.
            self.month_totals = age.result().groupby("month")["count"].sum().to_dict()
            self._show_trend(self.split, self.trend_chart, trend.result())
            self._show_trend(self.split_age, self.age_chart, age.result())
            self._draw_steps(filters, counts.result())
            self._draw_figures({**key, "repeatedly_targeted": repeated.result()}, filters.today)
            self._draw_overdue(overdue.result())
            self.actions.value = checklist_html(actions.result())
        self.busy.value = ""

    # --- parts ----------------------------------------------------------------------------

    def _show_nothing(self) -> None:
        """No figures for a period that cannot be: the last ones would look like its answer."""
        text = "Geen cijfers: kies eerst een geldige periode."
        self.figures.value = f"<div class='pd-empty pd-hint'>{esc(text)}</div>"
        for chart in (self.trend_chart, self.age_chart, self.steps_chart, self.heatmap_chart):
            show_empty(chart, text if chart is self.trend_chart else "")
        self.trend_note.value = self.overdue.value = self.actions.value = ""

    def _signal_period(self, filters: Filters) -> tuple[date | None, date | None]:
        """The leaders' repeat-target count: for the care team the chosen period; shared,
        only per school year (the one the period ends in) up to the last complete month, so
        a grid of month ranges cannot date one pupil's second report."""
        if not self.minimum:
            return filters.start, filters.end
        year = SchoolYear.of(filters.end or filters.today)
        return year.start, min(year.end, filters.today)

    def _draw_figures(self, k: dict, as_of: date) -> None:
        minimum = self.minimum

        def count(name):
            if name in self.hidden_cards:  # it would give a small part away
                return disclosure.HIDDEN
            return disclosure.show_count(k[name], minimum)

        def share(part, whole):
            return disclosure.show_share(part, whole, minimum) if self.base_met else "—"

        median_text = (
            disclosure.show_median(k["median_days_to_resolved"], k["resolved_cases"], minimum)
            if self.base_met
            else "—"
        )
        month, now = "deze maand", "nu"
        if minimum:  # counted up to the end of the last complete month (disclosure.as_of)
            month = f"in {MONTHS[as_of.month - 1]} {as_of.year}"
            now = f"eind {MONTHS[as_of.month - 1]} {as_of.year}"
        repeated = "Leerlingen herhaaldelijk gemeld als gepest"
        if minimum:
            repeated += f" (schooljaar {SchoolYear.of(as_of).label})"
        cards = [
            (f"Nieuwe meldingen {month}", count("reports_this_month")),
            ("Nieuwe meldingen dit schooljaar", count("reports_this_school_year")),
            ("Meldingen in de gekozen periode", count("reports_in_period")),
            (f"Open meldingen {now}", count("open_cases")),
            (f"Achterstallig {now}", count("overdue_cases")),
            ("Mediaan tot opgelost" if minimum else "Mediaan dagen tot opgelost", median_text),
            (repeated, count("repeatedly_targeted")),
            (
                "Afgeronde meldingen met alle verplichte stappen",
                share(k["finished_with_all_required"], k["finished_cases"]),
            ),
            (
                "Nazorg binnen twee weken",
                share(k["followup_within_two_weeks"], k["followup_due_cases"]),
            ),
        ]
        base = (
            ""
            if self.base_met
            else f"<p class='pd-hint pd-base-note'>{esc(disclosure.base_note())}</p>"
        )
        self.figures.value = (
            "<div class='pd-cards'>"
            + "".join(
                f"<div class='pd-card pd-figure'><div class='pd-figure-value'>{esc(v)}</div>"
                f"<div class='pd-hint'>{esc(label)}</div></div>"
                for label, v in cards
            )
            + "</div>"
            + base
        )

    def _note(self) -> str:
        if not self.minimum:
            return ""
        return disclosure.rounded_note(self.minimum)

    def _draw_trend(
        self, toggle: w.ToggleButtons, output: Chart, filters: Filters | None = None
    ) -> None:
        frame = monthly_trend(
            self.store, filters or self.filters(), by=toggle.value, units=bool(self.minimum)
        )
        self._show_trend(toggle, output, frame)

    def _show_trend(self, toggle: w.ToggleButtons, output: Chart, frame) -> None:
        if not self.base_met:
            show_empty(output, disclosure.base_note())
            frame = frame.iloc[0:0]
        elif self.minimum:  # every label and month listed, each cell published
            filters = self.filters()
            months = months_between(filters.start, filters.end, frame)
            show_figure(
                output,
                charts.trend(
                    frame,
                    toggle.value,
                    note=self._note(),
                    minimum=self.minimum,
                    months=months,
                    totals=self.month_totals,
                    hidden=hidden_cells(frame, toggle.value, filters, self.schools, self.minimum),
                ),
            )
        elif frame.empty:
            show_empty(output, NO_DATA)
        else:
            show_figure(output, charts.trend(frame, toggle.value, note=self._note()))
        if output is self.trend_chart:
            counted = "" if frame.empty else charts.COUNTED_IN_EACH.get(toggle.value, "")
            self.trend_note.value = f"<p class='pd-hint'>{esc(counted)}</p>" if counted else ""

    def _repeat_gives_away(self, total: int, filters: Filters) -> bool:
        """The repeat-target count for all schools beside each school's (a pupil belongs to
        one school): hidden where it would give a small school's count away."""
        period = self._signal_period(filters)
        parts = [signals.repeatedly_targeted(self.store, *period, (s,)) for s in self.schools]
        return disclosure.gives_away(total, parts, self.minimum)

    def _hidden_cards(self, units: dict, filters: Filters) -> set[str]:
        """The count cards a shared view hides ("x"): those that, beside their parts
        published elsewhere (each school, age band, group, month), would give a small part
        away (disclosure.gives_away)."""
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
                units[name],
                own,
                self.schools,
                self.minimum,
                months_between(*period, units[name]) if period else None,
            )
        }

    def _draw_steps(self, filters: Filters, counts: StepCounts) -> None:
        steps = hide_step_shares(step_completion(self.store, filters, counts), counts, self.minimum)
        quarters = hide_step_shares(
            step_completion_by_quarter(self.store, filters, counts),
            counts,
            self.minimum,
            per_quarter=True,
        )
        # Shared, no cases says what 1 to 9 say: below the base (zero looks like 1-4).
        if not self.base_met:
            show_empty(self.steps_chart, disclosure.base_note())
            show_empty(self.heatmap_chart, "")
            return
        if steps.empty or not steps["cases"].iloc[0]:
            show_empty(self.steps_chart, NO_DATA)
            show_empty(self.heatmap_chart, "")
            return
        minimum = self.minimum
        show_figure(
            self.steps_chart, charts.step_completion(steps, note=self._note(), minimum=minimum)
        )
        show_figure(
            self.heatmap_chart, charts.step_heatmap(quarters, note=self._note(), minimum=minimum)
        )

    def _draw_overdue(self, frame: pd.DataFrame) -> None:
        # Shared, the same sentence with or without overdue cases: "none" would tell a
        # narrowed selection's zero from 1-4 (the card says "< 5" for both).
        if frame.empty and not self.minimum:
            self.overdue.value = (
                "<div class='pd-empty pd-hint'>Geen achterstallige meldingen.</div>"
            )
            return
        if self.minimum:
            switch = (
                " Zet 'Deelbare weergave' uit om de meldingen te zien."
                if (self.exact_allowed)
                else ""
            )
            self.overdue.value = (
                f"<div class='pd-hint'>De lijst staat niet in de deelbare weergave.{switch}</div>"
            )
            return
        self.overdue.value = overdue_table(frame)


def overdue_table(frame: pd.DataFrame) -> str:
    """The overdue cases as an HTML table; every value escaped."""
    rows = "".join(
        f"<tr><td>#{r.id}</td><td>{esc(r.school)}</td><td>{esc(r.group)}</td>"
        f"<td>{nl_date(r.reported_on)}</td><td>{esc(Status(r.status).label)}</td>"
        f"<td>{esc(r.handler)}</td><td>{r.days_without_step}</td>"
        f"<td>{'nazorg nodig' if r.followup_due else ''}</td></tr>"
        for r in frame.itertuples()
    )
    return (
        "<table class='pd-timeline'><tr><th>Melding</th><th>School</th><th>Groep</th>"
        "<th>Gemeld</th><th>Status</th><th>Behandelaar</th><th>Dagen zonder stap</th>"
        f"<th></th></tr>{rows}</table>"
    )


def overzicht_app(store: Store | None = None) -> Overview:
    """Build the leadership page; the notebook only displays what this returns.

    In a preheated kernel the overview is first built once on made-up data (preheat.warm_up),
    before kernel_store() waits for the page request; the school's data is read after it."""
    if store is None and preheat.preheated():
        preheat.warm_up(Overview)
    return Overview(store or kernel_store())
