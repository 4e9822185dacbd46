"""Signals across cases (pestdata/incidents/signals.py) on hand-made cases: a repeat target over a
period boundary, a bully-victim, three pupils in three cases; none of it in a shared view."""

from __future__ import annotations

from datetime import date

import pytest

from pestdata.core.model import validate_incident
from pestdata.incidents import incident_log, signals
from pestdata.web import serve

SCHOOL = "De Regenboog"


@pytest.fixture
def store(any_store):
    return any_store


def incident(store, day: date, group: str = "groep 7", **roles: str) -> int:
    """A report with pupils given as number=role (P100='target')."""
    record = validate_incident(
        {
            "school": SCHOOL,
            "reported_on": day,
            "reporter": "pupil",
            "pupils": [{"pupil_number": n, "role": r} for n, r in roles.items()],
            "group": group,
            "platforms": ["whatsapp"],
            "forms": ["gossip"],
            "severity": "medium",
            "handler": "ib",
            "description": "x",
        }
    )
    return incident_log.add_incident(store, record, actor="t")


@pytest.fixture
def incidents(store):
    ids = {
        "a1": incident(store, date(2025, 7, 10), P100001="target", P100009="bully"),
        "a2": incident(store, date(2025, 8, 25), P100001="target", P200002="bully"),
        "b": incident(store, date(2025, 9, 3), P200002="target", P300003="bully"),
        "g1": incident(
            store, date(2025, 10, 1), P400004="bully", P500005="bully", P600006="target"
        ),
        "g2": incident(
            store, date(2025, 10, 8), P400004="bully", P500005="bully", P600006="target"
        ),
        "g3": incident(
            store, date(2025, 11, 2), P400004="bully", P500005="bully", P600006="target"
        ),
        "x": incident(store, date(2025, 11, 3), group="klas 2", P700007="target"),
    }
    return ids


def test_a_repeat_target_counts_within_the_period_not_across_its_boundary(store, incidents):
    whole = signals.find(store, date(2025, 7, 1), date(2025, 12, 31))
    targeted = dict(whole.targeted)
    assert [a.incident_id for a in targeted["P100001"]] == [incidents["a1"], incidents["a2"]]
    assert [a.incident_id for a in targeted["P600006"]] == [
        incidents["g1"],
        incidents["g2"],
        incidents["g3"],
    ]
    assert "P700007" not in targeted  # one case is not a pattern
    # The overview's one query counts the same pupils.
    assert signals.repeatedly_targeted(store, date(2025, 7, 1), date(2025, 12, 31)) == 2
    assert signals.repeatedly_targeted(store, date(2025, 8, 1), date(2025, 12, 31)) == 1
    from_august = signals.find(store, date(2025, 8, 1), date(2025, 12, 31))
    assert "P100001" not in dict(from_august.targeted)  # its first case is before the period
    assert [p for p, _ in whole.targeted] == ["P600006", "P100001"]  # the most cases first
    assert dict(signals.find(store, date(2025, 7, 1), None, minimum=3).targeted).keys() == {
        "P600006"
    }


def test_a_bully_victim_and_a_group_of_three_in_three_cases(store, incidents):
    found = signals.find(store, date(2025, 7, 1), date(2025, 12, 31))
    both = dict(found.both)
    assert set(both) == {"P200002"}  # bully in a2, target in b
    assert [(a.incident_id, a.role) for a in both["P200002"]] == [
        (incidents["a2"], "bully"),
        (incidents["b"], "target"),
    ]
    assert dict(found.bullying).keys() == {"P400004", "P500005"}
    # The three appear together in three cases; their pairs are not listed again.
    assert found.together == [
        (("P400004", "P500005", "P600006"), [incidents["g1"], incidents["g2"], incidents["g3"]])
    ]
    assert found.incident_ids[0] == incidents["g3"] and incidents["x"] not in found.incident_ids


def test_a_case_says_where_else_its_pupils_appear(store, incidents):
    other = dict(signals.other_incidents(store, incidents["b"]))
    assert [(a.incident_id, a.role) for a in other["P200002"]] == [(incidents["a2"], "bully")]
    assert other["P300003"] == []


def test_the_network_of_one_group_links_pupils_through_shared_cases(store, incidents):
    nodes, links = signals.network(store, "groep 7", date(2025, 7, 1), date(2025, 12, 31))
    assert nodes["P200002"] == "both" and nodes["P100001"] == "target"
    assert nodes["P400004"] == "bully" and "P700007" not in nodes  # klas 2
    assert links[("P400004", "P500005")] == 3 and links[("P100001", "P200002")] == 1


def test_the_care_team_sees_the_signals_and_opens_a_case_from_them(store, incidents):
    from pestdata.ui.signals import SignalsView

    opened = []
    view = SignalsView(store, on_open=opened.append)
    assert "P100001" not in view.result.value  # nothing read before the tab is opened
    view.start.value, view.end.value = date(2025, 7, 1), date(2025, 12, 31)
    assert "P100001" in view.result.value and "P400004 + P500005 + P600006" in view.result.value
    view.incident_choice.value = incidents["a2"]
    assert opened == [incidents["a2"]]
    view.group.value = "groep 7"
    assert view.picture.spec["data"] and "P200002 + P300003" in view.picture.table


def test_leadership_sees_at_most_a_suppressed_count_never_a_number(store, incidents, monkeypatch):
    from pestdata.ui.overview.page import Overview

    assert "meldingen" not in serve.ROLES["leiding"]  # the signals live on the care team's page
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    view = Overview(store, today=date(2025, 12, 1))
    # A shared period is a month, a school year or all years (disclosure.period_allowed).
    view.start.value, view.end.value = date(2025, 8, 1), date(2025, 11, 30)
    assert "Leerlingen herhaaldelijk gemeld als gepest" in view.figures.value
    shown = (
        " ".join(str(getattr(child, "value", "")) for child in view.children)
        + view.overdue.value
        + view.figures.value
    )
    assert "&lt; 5" in view.figures.value or "< 5" in view.figures.value  # 2 pupils
    for number in ("P100001", "P200002", "P600006"):
        assert number not in shown
