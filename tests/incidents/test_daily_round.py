"""The daily round without a browser: the case view changes only the widgets an action
concerns, the report form asks for what must be chosen on purpose, and counts are written in
proper Dutch (issue 23; the browser side is tests/ui/test_daily_round_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w

from pestdata.core.markup import counted, meldingen
from pestdata.core.model import validate_incident
from pestdata.incidents import incident_log, lookup
from pestdata.people.person import Person
from pestdata.school import school_names
from pestdata.ui.common import Actor
from pestdata.ui.incident_form import IncidentForm
from pestdata.ui.incident_view import IncidentView, StepRow

PACKAGE = Path(__file__).resolve().parents[2] / "pestdata"
ACTOR = Actor(Person("mevr. Jansen", "zorgteam"))


def test_counts_say_one_melding_and_three_meldingen():
    assert [meldingen(n) for n in (0, 1, 2)] == ["0 meldingen", "1 melding", "2 meldingen"]
    assert counted(1, "dag", "dagen") == "1 dag" and counted(14, "dag", "dagen") == "14 dagen"


def test_no_english_download_link_text_in_the_package():
    english = re.compile(r"""f?["']Download\b""")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if english.search(line)
    ]
    assert found == []


def test_a_tick_a_status_change_and_an_addition_leave_the_rest_of_the_case_alone(
    store, valid_incident_data
):
    incident_id = incident_log.add_incident(store, validate_incident(valid_incident_data()), "t")
    view = IncidentView(store, ACTOR)
    view.show(incident_id)
    parts = list(view.children)
    rows = {row.step.id: row for row in view.children if isinstance(row, StepRow)}
    untouched = {step: list(row.children) for step, row in rows.items() if step != "steun"}

    rows["steun"].note.value = "Gesprek met de leerling gehad."
    rows["steun"].button.click()  # 'Ja, dat heb ik gedaan'
    view.status.new.value = "in_progress"
    view.status.button.click()
    view.descriptions.addition.value = "Ouders gebeld."
    view.descriptions.button.click()

    incident = lookup.get_incident(store, incident_id)
    assert "steun" in incident["steps"] and incident["status"] == "in_progress"
    assert len(incident["descriptions"]) == 2
    assert all(a is b for a, b in zip(view.children, parts, strict=True))  # nothing redrawn
    assert all(
        all(a is b for a, b in zip(row.children, untouched[step], strict=True))
        for step, row in rows.items()
        if step != "steun"
    )
    assert "pd-step-undo" in rows["steun"].button._dom_classes  # its place: 'Ongedaan maken'
    assert "Opgeslagen bij melding" in rows["steun"].result.value
    assert "In behandeling" in view.status.current.value
    assert "Ouders gebeld." in view.descriptions.texts.value
    assert view.descriptions.addition.value == ""  # saved: free for the next addition


def test_a_refused_action_keeps_what_was_typed(store, valid_incident_data):
    incident_id = incident_log.add_incident(store, validate_incident(valid_incident_data()), "t")
    view = IncidentView(store, ACTOR)
    view.show(incident_id)
    view.descriptions.addition.value = "   "
    view.descriptions.button.click()
    assert "Beschrijving" in view.descriptions.result.value
    assert len(lookup.get_incident(store, incident_id)["descriptions"]) == 1


def test_one_school_is_chosen_of_several_none(store):
    school_names.add(store, "De Regenboog", "t")
    assert IncidentForm(store, ACTOR).fields["school"].value == "De Regenboog"
    school_names.add(store, "Het Baken College", "t")
    form = IncidentForm(store, ACTOR)
    assert form.fields["school"].value == ""
    assert form.fields["school"].choice.options[0] == ("Kies een school…", "")
    assert form.submit() is None
    assert "School: kies de school van deze melding" in form.errors["school"].value
    assert "Gemeld door: kies wie het meldde" in form.errors["reporter"].value


def test_an_empty_pupil_row_is_named_not_dropped(store):
    school_names.add(store, "De Regenboog", "t")
    form = IncidentForm(store, ACTOR)
    pupils = form.fields["pupils"]
    pupils.rows[0].children[0].value = "123456"
    pupils.add_row()
    assert len(pupils.value) == 2  # the empty row is part of what is checked
    assert form.submit() is None
    assert "Leerlingnummer (leerling 2): deze rij is leeg" in form.errors["pupils"].value
    assert isinstance(form.fields["reporter"], w.RadioButtons)
    assert form.fields["reporter"].value is None  # chosen on purpose only
