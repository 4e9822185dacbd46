"""The overview's widgets in the kernel (no browser): the page draws its state, and a change
of a control gives the next state. What the state decides is in
tests/overview/test_overview_state.py."""

from __future__ import annotations

from datetime import date

from helpers import demo_store, six_reports

from pestdata.core import disclosure
from pestdata.db.store import Store
from pestdata.ui.overview.page import Overview
from pestdata.ui.plots import FIRST_PAINT, first_paint

TODAY = date(2026, 3, 15)


def outputs_text(chart) -> str:
    return f"{chart.empty} {chart.spec}"


def plotted(chart) -> list:
    assert chart.empty == ""
    return [(trace.get("name"), trace.get("y")) for trace in chart.spec["data"]]


def test_empty_database_shows_friendly_empty_states(tmp_path):
    view = Overview(Store(f"sqlite:///{tmp_path}/empty.sqlite").ensure_schema(), today=TODAY)
    for chart in (view.trend_chart, view.age_chart, view.steps_chart):
        assert disclosure.base_note() in outputs_text(chart)
        assert "Geen meldingen" not in outputs_text(chart)
        assert chart.spec == {}
    assert "De lijst staat niet in de deelbare weergave" in view.overdue.value
    assert "Geen achterstallige meldingen" not in view.overdue.value
    assert "Nog geen schoolbrede acties" in view.actions.value
    assert view.year.value == "2025-2026"
    view.shared.value = False  # the care team's own view says so
    for chart in (view.trend_chart, view.age_chart, view.steps_chart):
        assert "Geen meldingen bij deze filters" in outputs_text(chart)
        assert chart.spec == {}
    assert "Geen achterstallige meldingen" in view.overdue.value


def test_the_page_draws_its_state_and_each_control_sends_its_choice(tmp_path):
    view = Overview(demo_store(tmp_path, 600, TODAY), today=TODAY)
    state = view.state
    cards = view.figures.value
    for card in state.cards:
        assert f">{card.value}</div><div class='pd-hint'>{card.label}<" in cards.replace(
            "&lt;", "<"
        )
    assert plotted(view.trend_chart) and view.trend_chart.table
    assert "telt bij elk platform één keer mee" in view.trend_note.value
    view.school.value = "De Regenboog"  # an intent: the page shows the state it gives
    assert view.state is not state and view.state.choices.school == "De Regenboog"
    assert view.figures.value != cards and view.busy.value == ""
    view.split.value = "form"
    assert view.state.choices.split == "form"
    names = [name for name, _ in plotted(view.trend_chart)]
    assert "Roddelen" in names and "WhatsApp" not in names
    assert "telt bij elke vorm één keer mee" in view.trend_note.value
    view.shared.value = False
    assert "<table" in view.overdue.value  # the internal view shows the cases themselves
    shown = view.state.choose(school="", split="platform", shared=True)
    view.show(shown)  # a state made elsewhere: the controls follow it
    assert (view.school.value, view.split.value, view.shared.value) == ("", "platform", True)
    assert view.state is shown and "<table" not in view.overdue.value


def test_period_in_the_wrong_order_is_refused_in_dutch_and_hides_the_old_figures(tmp_path):
    view = Overview(demo_store(tmp_path, 200, TODAY), today=TODAY)
    before = view.figures.value
    assert plotted(view.trend_chart) and "pd-figure-value" in before
    view.start.value, view.end.value = date(2026, 3, 1), date(2026, 2, 1)
    assert "'Van' ligt na 'Tot en met'" in view.busy.value
    # Nothing from the last good period stays up as if it were this one's answer.
    assert "Geen cijfers: kies eerst een geldige periode." in view.figures.value
    assert "pd-figure-value" not in view.figures.value
    for chart in (view.trend_chart, view.age_chart, view.steps_chart, view.heatmap_chart):
        assert chart.spec == {}
    assert view.trend_chart.empty == "Geen cijfers: kies eerst een geldige periode."
    assert view.overdue.value == view.actions.value == view.trend_note.value == ""
    view.start.value, view.end.value = None, None  # the school year again: figures again
    assert view.busy.value == "" and plotted(view.trend_chart)
    assert "pd-figure-value" in view.figures.value


def test_outside_a_preheated_kernel_nothing_waits(monkeypatch):
    from pestdata.ui import preheat

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    preheat.wait_for_page()  # nbval, scripts: returns at once
    monkeypatch.setenv("VOILA_PREHEAT", "False")  # a normal Voilà page kernel
    preheat.wait_for_page()
    assert not preheat.preheated()


def test_warm_up_reads_no_school_data_and_leaves_no_widgets(monkeypatch, tmp_path):
    from ipywidgets.widgets.widget import _instances

    from pestdata.ui.preheat import warm_up

    school_db = tmp_path / "school.sqlite"
    monkeypatch.setenv("PESTDATA_DB", f"sqlite:///{school_db}")
    warm_up(Overview)
    assert not school_db.exists()  # the school's database was never opened
    assert len(_instances) == 0  # no widget of the warm-up reaches the page


def test_a_date_in_the_year_1_is_refused_in_dutch_not_a_hang(tmp_path):
    view = Overview(demo_store(tmp_path, 200, TODAY), today=TODAY)
    view.start.value = date(1, 1, 3)  # 03-01-0001, typed in the date field
    assert "kies data tussen 01-01-2000" in view.busy.value
    assert "Bijwerken" not in view.busy.value
    view.start.value = date(2025, 8, 1)  # a sound date (the school year) draws again
    assert view.busy.value == ""


def test_on_the_leadership_server_the_shared_view_is_the_only_view(tmp_path, monkeypatch):
    """A leader's page has no switch, and a client that sends the hidden switch's value
    (comm messages are whatever the browser sends) still gets suppressed counts only."""
    from pestdata.web.serve import voila_env

    assert voila_env("sqlite:////x.sqlite", "leiding")["PESTDATA_ROLE"] == "leiding"
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    view = Overview(demo_store(tmp_path, 600, TODAY), today=TODAY)
    assert view.shared.layout.display == "none" and view.shared.disabled
    view.shared.value = False  # as a curious leader's browser could send it
    assert view.state.minimum == 5
    assert "<table" not in view.overdue.value  # no case numbers, groups or handlers
    assert "Zet 'Deelbare weergave' uit" not in view.overdue.value
    small = [v for _, ys in plotted(view.trend_chart) for v in ys if v and v < 5]
    assert small == []  # nothing below the threshold is plotted


def test_the_page_shows_the_whole_months_it_counts(tmp_path, monkeypatch):
    """The cards as HTML: the shared count of the issue's probe (6 reports: '5')."""
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    view = Overview(six_reports(tmp_path), today=date(2025, 12, 1))
    view.start.value, view.end.value = date(2025, 8, 1), date(2025, 11, 12)
    assert ">5</div><div class='pd-hint'>Meldingen in de gekozen periode" in view.figures.value
    assert ">6<" not in view.figures.value
    assert view.trend_chart.spec == {}
    assert disclosure.base_note() in outputs_text(view.trend_chart)
    assert disclosure.base_note() in view.figures.value  # under the cards, the reason


def test_the_first_paint_holds_exactly_the_charts_that_have_a_figure(tmp_path):
    """The output the template draws before the widgets connect: each chart's own figure,
    under the name its widget removes it by; an empty chart is left out."""
    view = Overview(demo_store(tmp_path, 600, TODAY), today=TODAY)
    bundle = first_paint(view.charts.values())
    assert bundle["text/plain"] == ""  # Voilà shows nothing where the output stands
    figures = {figure["name"]: figure["spec"] for figure in bundle[FIRST_PAINT]}
    assert list(figures) == [name for name, chart in view.charts.items() if chart.spec]  # in order
    assert {"trend", "steps"} <= set(figures)
    for name, chart in view.charts.items():
        assert chart.first_paint == name  # the name its widget removes its first paint by
        if chart.spec:
            assert figures[name] == chart.spec and figures[name]["data"]
    empty = Overview(Store(f"sqlite:///{tmp_path}/empty.sqlite").ensure_schema(), today=TODAY)
    assert first_paint(empty.charts.values())[FIRST_PAINT] == []
    assert all(chart.first_paint for chart in empty.charts.values())  # named, nothing sent
