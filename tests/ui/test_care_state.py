"""The care team's list without widgets (pestdata/ui/care_state.py), on a real SQLite store:
search, filters, pages and the incident kept open. The widgets that draw it:
tests/incidents/test_lookup.py (in-process) and tests/ui/test_browser.py (Chromium)."""

from __future__ import annotations

from pestdata.core.choices import ALL
from pestdata.core.markup import number
from pestdata.core.model import validate_incident
from pestdata.incidents import incident_log
from pestdata.ui.care_state import OPEN, SHOWN, CareState


def ids(listing) -> list[int]:
    return [value for _, value in listing.options]


def test_a_pupil_number_finds_all_their_incidents_among_5000(five_thousand_store):
    store, mine = five_thousand_store
    state = CareState()
    state.choose(search="777001")
    shown = state.read(store)
    assert sorted(ids(shown)) == sorted(mine)
    assert "3 meldingen voor ‘777001’" in shown.count_html  # the closed one too
    state.choose(search=f"#{mine[1]}")
    assert ids(state.read(store)) == [mine[1]]
    state.choose(search="bestaat-niet")
    shown = state.read(store)
    assert shown.options == [] and "geen meldingen" in shown.count_html


def test_pages_never_go_past_either_end_and_a_new_choice_starts_at_the_first(
    five_thousand_store,
):
    store, _ = five_thousand_store
    state = CareState()
    state.choose(status=ALL)
    first = state.read(store)
    assert first.previous_disabled and not first.next_disabled
    assert not state.turn(-SHOWN)  # before the first page: nothing changes
    assert state.turn(SHOWN) and state.offset == SHOWN
    second = state.read(store)
    assert not second.previous_disabled and not set(ids(first)) & set(ids(second))
    while state.turn(SHOWN):
        pass
    last = state.read(store)
    assert last.next_disabled and state.offset == state.total - state.total % SHOWN
    assert f"van {number(state.total)} meldingen" in last.count_html
    state.choose(school="De Regenboog")
    assert state.offset == 0 and state.read(store).previous_disabled


def test_the_open_incident_stays_listed_when_it_leaves_the_filter(store, valid_incident_data):
    """Taking the open incident in hand takes it out of 'Nieuw', yet the list keeps it, marked,
    until the user opens another; the count says so and counts only the matching ones."""
    added = [
        incident_log.add_incident(store, validate_incident(valid_incident_data()), actor="t")
        for _ in range(3)
    ]
    state = CareState()
    assert state.choices.status == OPEN
    state.choose(status="new")
    assert state.open(added[0]) and not state.open(added[0])  # the same one: no new choice
    incident_log.change_status(store, added[0], "in_progress", actor="t")
    shown = state.read(store)
    assert sorted(ids(shown)) == sorted(added) and shown.selected == added[0]
    label = dict((value, label) for label, value in shown.options)[added[0]]
    assert label.endswith("(geopend, buiten de filters)")
    assert f"melding #{added[0]} blijft geopend" in shown.count_html
    assert shown.count_html.startswith("<b>2 meldingen</b>")
    assert state.open(added[1])
    assert sorted(ids(state.read(store))) == sorted(added[1:])  # the one in hand is gone now


def test_a_page_beyond_a_shrunken_list_falls_back_to_the_first(store, valid_incident_data):
    """Another person took incidents in hand meanwhile: the page past the new end of 'Nieuw'
    shows page one."""
    added = [
        incident_log.add_incident(store, validate_incident(valid_incident_data()), actor="t")
        for _ in range(SHOWN + 2)
    ]
    state = CareState()
    state.choose(status="new")
    state.read(store)
    assert state.turn(SHOWN) and len(ids(state.read(store))) == 2
    for incident_id in added[:5]:
        incident_log.change_status(store, incident_id, "in_progress", actor="t")
    shown = state.read(store)
    assert state.offset == 0 and len(ids(shown)) == SHOWN - 3 and shown.previous_disabled
