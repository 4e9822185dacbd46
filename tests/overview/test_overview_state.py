"""The overview's state in-process (no widgets): what the filters, the shared view and the
period decide about every card, chart and list. tests/ui/test_overview_ui.py checks that the
page draws a state; the browser tests check what only a browser shows."""

from __future__ import annotations

import json
from datetime import date

from helpers import demo_store, six_reports

from pestdata.core import disclosure
from pestdata.db.store import Store
from pestdata.ui.overview.state import NO_FIGURES, OverviewState

TODAY = date(2026, 3, 15)


def outputs_text(shown) -> str:
    """A chart as published: its sentence and its figure."""
    return f"{shown.empty} {json.dumps(shown.figure) if shown.figure else {}}"


def plotted(shown) -> list:
    assert shown.empty == "" and shown.figure is not None
    return [(trace["name"], list(trace["y"])) for trace in shown.figure["data"]]


def cards(state: OverviewState) -> dict[str, str]:
    return {card.label: card.value for card in state.cards}


def test_empty_database_shows_friendly_empty_states(tmp_path):
    state = OverviewState(Store(f"sqlite:///{tmp_path}/empty.sqlite").ensure_schema(), TODAY)
    # Shared, no reports reads as 1 to 9 do: below the base, nothing says "none".
    assert state.minimum
    for name in ("trend", "age", "steps"):
        assert disclosure.base_note() in outputs_text(state.charts[name])
        assert "Geen meldingen" not in outputs_text(state.charts[name])
        assert state.charts[name].figure is None
    assert "De lijst staat niet in de deelbare weergave" in state.overdue.sentence
    assert "Geen achterstallige meldingen" not in state.overdue.sentence
    assert state.actions == []  # no school known yet
    assert state.choices.year == "2025-2026"
    state = state.choose(shared=False)  # the care team's own view says so
    for name in ("trend", "age", "steps"):
        assert "Geen meldingen bij deze filters" in outputs_text(state.charts[name])
        assert state.charts[name].figure is None
    assert "Geen achterstallige meldingen" in state.overdue.sentence and state.overdue.none


def test_a_shared_selection_without_overdue_cases_reads_as_one_with_them(tmp_path):
    state = OverviewState(demo_store(tmp_path, 600, TODAY), TODAY)
    with_overdue = state.overdue
    state = state.choose(shared=False)
    assert state.overdue.incidents is not None and len(
        state.overdue.incidents
    )  # all schools: overdue
    state = state.choose(school="De Regenboog", who="group:groep 3", platform="x")
    assert "Geen achterstallige meldingen" in state.overdue.sentence  # narrowed: none
    state = state.choose(shared=True)
    assert state.overdue == with_overdue  # shared: the same sentence for both


def test_filters_change_the_plotted_data_and_figures(tmp_path):
    state = OverviewState(demo_store(tmp_path, 3000, TODAY), TODAY)
    before, figures = plotted(state.charts["trend"]), state.cards
    state = state.choose(school="De Regenboog")
    assert plotted(state.charts["trend"]) != before
    assert state.cards != figures
    state = state.choose(split="form")
    names = [name for name, _ in plotted(state.charts["trend"])]
    assert "Roddelen" in names and "WhatsApp" not in names
    state = state.choose(year="")  # all years: more months on the axis
    assert len(plotted(state.charts["trend"])[0][1]) > 12


def test_a_split_redraws_its_own_chart_only(tmp_path):
    state = OverviewState(demo_store(tmp_path, 600, TODAY), TODAY)
    split = state.choose(split="form")
    assert split.charts["trend"] is not state.charts["trend"]
    assert all(split.charts[name] is state.charts[name] for name in ("age", "steps", "heatmap"))
    assert split.cards is state.cards and split.choose(split="form") is split
    assert split.choose(split="platform").charts["trend"].figure == (state.charts["trend"].figure)


def test_shared_view_hides_small_counts_and_the_overdue_list(tmp_path):
    state = OverviewState(demo_store(tmp_path, 600, TODAY), TODAY)
    assert state.choices.shared is True
    for name in ("trend", "age"):
        for _, values in plotted(state.charts[name]):
            assert all(v is None or v >= 5 for v in values)
    assert state.overdue.incidents is None
    state = state.choose(shared=False)  # the internal view shows the cases themselves
    assert state.overdue.incidents is not None and len(state.overdue.incidents)
    small = [v for _, ys in plotted(state.charts["trend"]) for v in ys if v and v < 5]
    assert small, "the demo data should have some small cells to hide"


def test_period_in_the_wrong_order_is_refused_in_dutch_and_hides_the_old_figures(tmp_path):
    state = OverviewState(demo_store(tmp_path, 200, TODAY), TODAY)
    assert plotted(state.charts["trend"]) and state.cards
    state = state.choose(start=date(2026, 3, 1), end=date(2026, 2, 1))
    assert "'Van' ligt na 'Tot en met'" in state.problem
    # Nothing from the last good period stays up as if it were this one's answer.
    assert state.empty == NO_FIGURES == "Geen cijfers: kies eerst een geldige periode."
    assert state.cards == ()
    for name in ("trend", "age", "steps", "heatmap"):
        assert state.charts[name].figure is None
    assert state.charts["trend"].empty == NO_FIGURES
    assert state.overdue.incidents is None and state.overdue.sentence == ""
    assert state.actions is None and state.charts["trend"].note == ""
    state = state.choose(start=None, end=None)  # the school year again: figures again
    assert state.problem == "" and plotted(state.charts["trend"])
    assert state.cards


def test_the_platform_bars_say_why_they_add_up_to_more_than_the_reports(tmp_path):
    state = OverviewState(demo_store(tmp_path, 200, TODAY), TODAY)
    assert "telt bij elk platform één keer mee" in state.charts["trend"].note
    state = state.choose(split="form")
    assert "telt bij elke vorm één keer mee" in state.charts["trend"].note


def test_a_date_in_the_year_1_is_refused_in_dutch_not_a_hang(tmp_path):
    state = OverviewState(demo_store(tmp_path, 200, TODAY), TODAY)
    state = state.choose(start=date(1, 1, 3))  # 03-01-0001, typed in the date field
    assert "kies data tussen 01-01-2000" in state.problem
    state = state.choose(start=date(2025, 8, 1))  # a sound date (the school year) draws again
    assert state.problem == ""


def test_the_shared_view_counts_whole_months_and_rounds(tmp_path, monkeypatch):
    """Before: 1 Aug - 11 Nov showed 5 reports, 1 Aug - 12 Nov 6: one report isolated.
    The shared view counts whole months and rounds, so both ranges show the same."""
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    state = OverviewState(six_reports(tmp_path), date(2025, 12, 1))
    shown = []
    for end in (date(2025, 11, 11), date(2025, 11, 12)):
        state = state.choose(start=date(2025, 8, 1), end=end)
        assert state.filters.end == date(2025, 11, 30)
        shown.append((state.cards, state.base_note, outputs_text(state.charts["trend"])))
    assert shown[0] == shown[1]
    assert cards(state)["Meldingen in de gekozen periode"] == "5"
    assert "6" not in cards(state).values()
    # 6 reports (published 5) is below the base of 10: no chart, only the sentence why.
    assert state.charts["trend"].figure is None
    assert disclosure.base_note() in outputs_text(state.charts["trend"])

    monkeypatch.setenv("PESTDATA_ROLE", "zorgteam")  # the care team's own view: exact days
    state = OverviewState(six_reports(tmp_path / "b"), date(2025, 12, 1))
    state = state.choose(shared=False, start=date(2025, 8, 1), end=date(2025, 11, 11))
    assert cards(state)["Meldingen in de gekozen periode"] == "5"
