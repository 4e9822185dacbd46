"""The leadership overview's widgets: they draw an OverviewState and send it each change.

Each change of a control gives the next state (state.py decides what is shown)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import ipywidgets as w

from pestdata.core import privacy
from pestdata.core.choices import Status
from pestdata.core.clock import nl_date
from pestdata.db.store import Store
from pestdata.ui import preheat
from pestdata.ui.common import css, download_link, esc, kernel_store
from pestdata.ui.overview.state import OverviewState
from pestdata.ui.overview.values import ChartShown, OverdueShown
from pestdata.ui.plots import Chart, paint_first, show_empty, show_figure
from pestdata.ui.school_actions import checklist_html

FILTER = {"description_width": "110px"}
BUSY = "<span class='pd-hint'>Bijwerken…</span>"


class Overview(w.VBox):
    """Filters on top; every part is drawn from the state, and redrawn when a change of
    filter gives a new one. Controls, charts and sections are addressed by name."""

    def __init__(self, store: Store, today: date | None = None):
        self.state = state = OverviewState(store, today)
        options = state.options()

        def dropdown(name: str, description: str) -> w.Dropdown:
            return css(
                w.Dropdown(style=FILTER, description=description, options=options[name]),
                f"pd-filter-{name}",
            )

        self.year = dropdown("year", "Schooljaar")
        self.start = css(w.DatePicker(style=FILTER, description="Van"), "pd-filter-start")
        self.end = css(w.DatePicker(style=FILTER, description="Tot en met"), "pd-filter-end")
        self.school = dropdown("school", "School")
        self.who = dropdown("who", "Leeftijd/groep")
        self.platform = dropdown("platform", "Platform")
        self.form = dropdown("form", "Vorm")
        self.shared = css(
            w.Checkbox(
                indent=False,
                description=f"Deelbare weergave (aantallen onder {privacy.threshold()} verborgen)",
                # Off the care team's server there is no other view: no switch at all.
                layout=w.Layout(display="" if state.exact_allowed else "none"),
                disabled=not state.exact_allowed,
            ),
            "pd-filter-shared",
        )
        self.split = css(w.ToggleButtons(options=options["split"]), "pd-split-platform-form")
        self.split_age = css(w.ToggleButtons(options=options["split_age"]), "pd-split-age-group")
        # Every control by the name of its choice (values.Choices).
        self.controls: dict[str, w.ValueWidget] = {
            "year": self.year,
            "start": self.start,
            "end": self.end,
            "school": self.school,
            "who": self.who,
            "platform": self.platform,
            "form": self.form,
            "shared": self.shared,
            "split": self.split,
            "split_age": self.split_age,
        }
        self.busy = css(w.HTML(), "pd-busy")
        self.report = css(w.Button(description="Jaarverslag als PDF"), "pd-year-report")
        self.report_link = css(w.HTML(), "pd-year-report-link")
        self.figures = css(w.HTML(), "pd-key-figures")
        self.trend_chart = css(Chart(), "pd-chart-trend")
        self.trend_note = css(w.HTML(), "pd-trend-note")
        self.age_chart = css(Chart(), "pd-chart-age")
        self.steps_chart = css(Chart(), "pd-chart-steps")
        self.heatmap_chart = css(Chart(), "pd-chart-steps-quarter")
        # Every chart by the name the state gives it.
        self.charts = {
            "trend": self.trend_chart,
            "age": self.age_chart,
            "steps": self.steps_chart,
            "heatmap": self.heatmap_chart,
        }
        for name, chart in self.charts.items():  # its figure's name in the first paint
            chart.first_paint = name
        self.overdue = css(w.HTML(), "pd-overdue")
        self.actions = css(w.HTML(), "pd-school-actions")
        # The page's sections, top to bottom, by name.
        self.sections: dict[str, w.Widget] = {
            "intro": w.HTML(
                "<h2>Overzicht online pesten</h2><p class='pd-hint'>Voor de schoolleiding "
                "en de MR: trends, het protocol en wat nog openstaat. Zonder "
                "leerlingnummers en zonder vrije tekst.</p>"
            ),
            "filters": w.VBox(
                [
                    w.HBox([self.year, self.start, self.end]),
                    w.HBox([self.school, self.who]),
                    w.HBox([self.platform, self.form]),
                    w.HBox([self.shared, self.report, self.report_link]),
                    self.busy,
                ]
            ),
            "figures": w.VBox([w.HTML("<h3>Kerncijfers</h3>"), self.figures]),
            "trend": w.VBox(
                [
                    w.HTML("<h3>Trend</h3>"),
                    self.split,
                    self.trend_chart,
                    self.trend_note,
                    self.split_age,
                    self.age_chart,
                ]
            ),
            "protocol": w.VBox([w.HTML("<h3>Protocol</h3>"), self.steps_chart, self.heatmap_chart]),
            "overdue": w.VBox([w.HTML("<h3>Achterstallige meldingen</h3>"), self.overdue]),
            "actions": w.VBox([w.HTML("<h3>Schoolbrede acties</h3>"), self.actions]),
        }
        super().__init__(list(self.sections.values()))
        self.add_class("pd-overview")
        self._following = False  # the controls are being set to the state's choices
        self._drawn: OverviewState | None = None
        self.show(state)
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self.chosen(name, change["new"]), "value")
        self.report.on_click(lambda _: self.make_report())

    # --- intents --------------------------------------------------------------------------

    def chosen(self, name: str, value) -> None:
        """A control changed: show the state that choice gives."""
        if self._following:
            return
        self.busy.value = BUSY
        self.show(self.state.choose(**{name: value}))

    def make_report(self) -> None:
        """The MR's yearly report for the chosen school year and school, to download."""
        name, pdf = self.state.year_report()
        self.report_link.value = download_link(pdf, name, "application/pdf", f"{name} opslaan")

    # --- drawing --------------------------------------------------------------------------

    @contextmanager
    def _follow(self):
        self._following = True
        try:
            yield
        finally:
            self._following = False

    def show(self, state: OverviewState) -> None:
        """Draw `state`; a part the state did not change is left as it is."""
        before, self._drawn, self.state = self._drawn, state, state
        with self._follow():  # the controls say what the state was asked for
            for name, control in self.controls.items():
                control.value = getattr(state.choices, name)
        for name, chart in self.charts.items():
            if before is None or before.charts[name] is not state.charts[name]:
                draw(chart, state.charts[name])
        note = state.charts["trend"].note
        self.trend_note.value = f"<p class='pd-hint'>{esc(note)}</p>" if note else ""
        self.figures.value = cards_html(state)
        self.overdue.value = overdue_html(state.overdue)
        self.actions.value = "" if state.actions is None else checklist_html(state.actions)
        problem = f"<span class='pd-error'>{state.problem}</span>"  # our own words
        self.busy.value = problem if state.problem else ""


def draw(chart: Chart, shown: ChartShown) -> None:
    if shown.figure is None:
        show_empty(chart, shown.empty)
    else:
        show_figure(chart, shown.figure)


def cards_html(state: OverviewState) -> str:
    """The key figures as cards, with the sentence why there is no breakdown."""
    if not state.cards:
        return f"<div class='pd-empty pd-hint'>{esc(state.empty)}</div>"
    base = f"<p class='pd-hint pd-base-note'>{esc(state.base_note)}</p>" if state.base_note else ""
    return (
        "<div class='pd-cards'>"
        + "".join(
            f"<div class='pd-card pd-figure'><div class='pd-figure-value'>{esc(card.value)}</div>"
            f"<div class='pd-hint'>{esc(card.label)}</div></div>"
            for card in state.cards
        )
        + "</div>"
        + base
    )


def overdue_html(shown: OverdueShown) -> str:
    if shown.incidents is not None:
        return overdue_table(shown.incidents)
    if not shown.sentence:
        return ""
    kind = "pd-empty pd-hint" if shown.none else "pd-hint"
    return f"<div class='{kind}'>{shown.sentence}</div>"  # our own words


def overdue_table(incidents: list[dict]) -> str:
    """The overdue cases (overview.lists.overdue_incidents) as an HTML table; every value
    escaped."""
    rows = "".join(
        f"<tr><td>#{r['id']}</td><td>{esc(r['school'])}</td><td>{esc(r['group'])}</td>"
        f"<td>{nl_date(r['reported_on'])}</td><td>{esc(Status(r['status']).label)}</td>"
        f"<td>{esc(r['handler'])}</td><td>{r['days_without_step']}</td>"
        f"<td>{'nazorg nodig' if r['followup_due'] else ''}</td></tr>"
        for r in incidents
    )
    return (
        "<table class='pd-timeline'><tr><th>Melding</th><th>School</th><th>Groep</th>"
        "<th>Gemeld</th><th>Status</th><th>Behandelaar</th><th>Dagen zonder stap</th>"
        f"<th></th></tr>{rows}</table>"
    )


def overzicht_app(store: Store | None = None) -> Overview:
    """Build the leadership page; the notebook only displays what this returns.

    In a preheated kernel the overview is first built once on made-up data (preheat.warm_up),
    before kernel_store() waits for the page request; the school's data is read after it.
    Its charts go out first as an output of their own (plots.paint_first), drawn before the
    widgets connect."""
    if store is None and preheat.preheated():
        preheat.warm_up(Overview)
    overview = Overview(store or kernel_store())
    paint_first(overview.charts.values())
    return overview
