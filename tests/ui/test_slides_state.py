"""The parent-evening deck's state in-process (no widgets, no browser): moving through the
slides, hiding slides and the count it publishes, for a school's real slides. The last tests
check that the widget shows what the state publishes and that the state needs no widgets."""

from __future__ import annotations

import pytest
from helpers import loaded_by

from pestdata.db.store import Store
from pestdata.documents.evening_figures import aggregate_figures
from pestdata.documents.parent_evening import build_slides
from pestdata.school import school_names
from pestdata.ui.slides import SlideShow, ouderavond_app
from pestdata.ui.slides_state import Deck

KEYS = ["titel", "wat_is", "cijfers", "vormen", "trend", "school", "ouders", "materiaal", "hulp"]


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    """The slides of the demo's busiest school, from a real SQLite file."""
    from pestdata.incidents import incident_log
    from pestdata.school import demo

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('deck') / 'pest.db'}").ensure_schema()
    incident_log.add_incidents(store, demo.generate(300, seed=5), actor="demo")
    school = school_names.names(store)[0]
    return build_slides(aggregate_figures(store, school)), school


def title(deck: Deck) -> str:
    return deck.current.title


def test_forward_and_back_stop_at_the_ends(slides):
    made, school = slides
    deck = Deck(tuple(made))
    assert [s.key for s in deck.slides] == KEYS
    assert deck.position == "1 / 9" and title(deck) == school
    assert deck.previous().index == 0
    assert deck.next().next().position == "3 / 9"
    assert deck.last().position == "9 / 9" and deck.last().next().index == 8
    assert deck.last().first().index == 0
    assert deck.go(-3).index == 0 and deck.go(100).index == 8
    assert deck.text_html.startswith(f"<h1>{school}</h1>")


def test_hidden_slides_are_skipped_both_ways(slides):
    deck = Deck(tuple(slides[0])).hide("trend").hide("vormen")
    assert deck.hidden == {"trend", "vormen"} and deck.position == "1 / 7"
    forward = [title(deck.go(i)) for i in range(7)]
    assert "De trend" not in forward and "Welke vormen?" not in forward
    at = deck.go(2)  # De cijfers; next is Wat doet de school?
    assert at.current.key == "cijfers" and at.next().current.key == "school"
    assert at.next().previous().current.key == "cijfers"
    assert [label for _, label, ticked in deck.choices if not ticked] == [
        "4. Welke vormen?",
        "5. De trend",
    ]
    back = deck.hide("trend", hidden=False)
    assert back.position == "1 / 8" and back.go(3).current.key == "trend"


def test_hiding_the_current_slide_moves_on(slides):
    deck = Deck(tuple(slides[0])).go(4)
    assert deck.current.key == "trend"
    moved = deck.hide("trend")
    assert moved.current.key == "school" and moved.position == "5 / 8"
    last = Deck(tuple(slides[0])).last().hide("hulp")  # at the end: the one before
    assert last.current.key == "materiaal" and last.position == "8 / 8"


def test_the_last_slide_shown_cannot_be_hidden(slides):
    deck = Deck(tuple(slides[0]))
    for key in KEYS[1:]:
        deck = deck.hide(key)
    assert deck.position == "1 / 1" and deck.note == ""
    refused = deck.hide("titel")
    assert refused.hidden == deck.hidden and "minstens één dia" in refused.note
    assert refused.hide("hulp", hidden=False).note == ""


def test_another_school_starts_at_its_title_and_keeps_the_hidden(slides):
    deck = Deck(tuple(slides[0])).hide("trend").go(5)
    other = deck.for_slides(slides[0])
    assert other.index == 0 and other.hidden == {"trend"}


def test_the_widget_shows_what_the_state_publishes(slides):
    made, school = slides
    show = SlideShow(lambda _: made, [school], school)
    show.next.click()
    show.next.click()
    assert show.state.index == 2
    assert show.position.value == show.state.position == "3 / 9"
    assert show.text.value == show.state.text_html
    assert show.chart.spec["data"]  # the figures slide's chart
    box = next(c for c in show.choices.children if "pd-slide-choice-trend" in c._dom_classes)
    box.value = False
    assert show.state.hidden == {"trend"} and show.position.value == "3 / 8"
    assert [c.description for c in show.choices.children] == [
        label for _, label, _ in show.state.choices
    ]


def test_the_state_needs_no_widgets():
    assert loaded_by(["pestdata.ui.slides_state"], ["ipywidgets"]) == []
    assert ouderavond_app  # the page's own entry point stays in slides.py
