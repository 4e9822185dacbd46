"""The overview's widgets in the kernel (no browser): empty states, filters, privacy."""

from __future__ import annotations

from datetime import date

from pestdata.cases import incident_log
from pestdata.core import disclosure
from pestdata.db.store import Store
from pestdata.school import demo
from pestdata.ui.overview import Overview

TODAY = date(2026, 3, 15)


def outputs_text(chart) -> str:
    return f"{chart.empty} {chart.spec}"


def test_empty_database_shows_friendly_empty_states(tmp_path):
    view = Overview(Store(f"sqlite:///{tmp_path}/empty.sqlite").ensure_schema(), today=TODAY)
    # Shared, no reports reads as 1 to 9 do: below the base, nothing says "none".
    assert view.minimum
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


def test_a_shared_selection_without_overdue_cases_reads_as_one_with_them(tmp_path):
    view = Overview(filled(tmp_path, 600), today=TODAY)
    with_overdue = view.overdue.value
    view.shared.value = False
    assert "<table" in view.overdue.value  # all schools: overdue cases
    view.school.value, view.who.value, view.platform.value = "De Regenboog", "group:groep 3", "x"
    assert "Geen achterstallige meldingen" in view.overdue.value  # narrowed: none
    view.shared.value = True
    assert view.overdue.value == with_overdue  # shared: the same sentence for both


def filled(tmp_path, count=3000) -> Store:
    store = Store(f"sqlite:///{tmp_path}/demo.sqlite").ensure_schema()
    incident_log.add_incidents(store, demo.generate(count, seed=5, today=TODAY), actor="demo")
    return store


def plotted(chart) -> list:
    assert chart.empty == ""
    return [(trace.get("name"), trace.get("y")) for trace in chart.spec["data"]]


def test_filters_change_the_plotted_data_and_figures(tmp_path):
    view = Overview(filled(tmp_path), today=TODAY)
    before, figures = plotted(view.trend_chart), view.figures.value
    view.school.value = "De Regenboog"
    assert plotted(view.trend_chart) != before
    assert view.figures.value != figures
    view.split.value = "form"
    names = [name for name, _ in plotted(view.trend_chart)]
    assert "Roddelen" in names and "WhatsApp" not in names
    view.year.value = ""  # all years: more months on the axis
    assert len(plotted(view.trend_chart)[0][1]) > 12


def test_shared_view_hides_small_counts_and_the_overdue_list(tmp_path):
    view = Overview(filled(tmp_path, 600), today=TODAY)
    assert view.shared.value is True
    for output in (view.trend_chart, view.age_chart):
        for _, values in plotted(output):
            assert all(v is None or v >= 5 for v in values)
    assert "<table" not in view.overdue.value
    view.shared.value = False  # the internal view shows the cases themselves
    assert "<table" in view.overdue.value
    small = [v for o in (view.trend_chart,) for _, ys in plotted(o) for v in ys if v and v < 5]
    assert small, "the demo data should have some small cells to hide"


def test_period_in_the_wrong_order_is_refused_in_dutch_and_hides_the_old_figures(tmp_path):
    view = Overview(filled(tmp_path, 200), today=TODAY)
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


def test_the_platform_bars_say_why_they_add_up_to_more_than_the_reports(tmp_path):
    view = Overview(filled(tmp_path, 200), today=TODAY)
    assert "telt bij elk platform één keer mee" in view.trend_note.value
    view.split.value = "form"
    assert "telt bij elke vorm één keer mee" in view.trend_note.value


def test_outside_a_preheated_kernel_nothing_waits(monkeypatch):
    from pestdata.ui import preheat

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    preheat.wait_for_page()  # nbval, scripts: returns at once
    monkeypatch.setenv("VOILA_PREHEAT", "False")  # a normal Voilà page kernel
    preheat.wait_for_page()
    assert not preheat.preheated()


def test_warm_up_reads_no_school_data_and_leaves_no_widgets(monkeypatch, tmp_path):
    from ipywidgets.widgets.widget import _instances

    from pestdata.ui.overview import Overview
    from pestdata.ui.preheat import warm_up

    school_db = tmp_path / "school.sqlite"
    monkeypatch.setenv("PESTDATA_DB", f"sqlite:///{school_db}")
    warm_up(Overview)
    assert not school_db.exists()  # the school's database was never opened
    assert len(_instances) == 0  # no widget of the warm-up reaches the page


def test_a_date_in_the_year_1_is_refused_in_dutch_not_a_hang(tmp_path):
    view = Overview(filled(tmp_path, 200), today=TODAY)
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
    view = Overview(filled(tmp_path, 600), today=TODAY)
    assert view.shared.layout.display == "none" and view.shared.disabled
    view.shared.value = False  # as a curious leader's browser could send it
    assert view.minimum == 5
    assert "<table" not in view.overdue.value  # no case numbers, groups or handlers
    assert "Zet 'Deelbare weergave' uit" not in view.overdue.value
    small = [v for _, ys in plotted(view.trend_chart) for v in ys if v and v < 5]
    assert small == []  # nothing below the threshold is plotted


def six_reports(tmp_path) -> Store:
    """The issue's probe: 5 reports in October, the sixth on 12 November."""
    from conftest import valid_incident_data
    from pestdata.core.model import validate_incident

    store = Store(f"sqlite:///{tmp_path}/zes.sqlite").ensure_schema()
    for day in (*(date(2025, 10, d) for d in (1, 2, 3, 6, 7)), date(2025, 11, 12)):
        incident = validate_incident(valid_incident_data(reported_on=day, happened_on=None))
        incident_log.add_incident(store, incident, actor="t")
    return store


def test_the_shared_view_counts_whole_months_and_rounds(tmp_path, monkeypatch):
    """Before: 1 Aug - 11 Nov showed 5 reports, 1 Aug - 12 Nov 6: one report isolated.
    The shared view counts whole months and rounds, so both ranges show the same."""
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    view = Overview(six_reports(tmp_path), today=date(2025, 12, 1))
    shown = []
    for end in (date(2025, 11, 11), date(2025, 11, 12)):
        view.start.value, view.end.value = date(2025, 8, 1), end
        view.refresh()
        assert view.filters().end == date(2025, 11, 30)
        shown.append((view.figures.value, outputs_text(view.trend_chart)))
    assert shown[0] == shown[1]
    assert ">5</div><div class='pd-hint'>Meldingen in de gekozen periode" in shown[0][0]
    assert ">6<" not in shown[0][0]
    # 6 reports (published 5) is below the base of 10: no chart, only the sentence why.
    assert view.trend_chart.spec == {}
    assert disclosure.base_note() in outputs_text(view.trend_chart)

    monkeypatch.setenv("PESTDATA_ROLE", "zorgteam")  # the care team's own view: exact days
    view = Overview(six_reports(tmp_path / "b"), today=date(2025, 12, 1))
    view.shared.value = False
    view.start.value, view.end.value = date(2025, 8, 1), date(2025, 11, 11)
    view.refresh()
    assert ">5</div><div class='pd-hint'>Meldingen in de gekozen periode" in view.figures.value
