"""The domain rules in pestdata.core.model: every refusal names the field, in Dutch."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pestdata.core import choices, clock, model
from pestdata.core.choices import Status, age_band, ages_for_group
from pestdata.core.model import (
    FIELD_LABELS,
    InvalidInput,
    check_transition,
    validate_incident,
    validate_step,
)
from pestdata.incidents import incident_log, lookup

TOMORROW = clock.today() + timedelta(days=1)
NAME_MESSAGE = "nooit een naam"

# (case id, changes to the valid input, field key in InvalidInput.errors, Dutch fragment)
BAD_INPUT = [
    ("school empty", {"school": ""}, "school", "verplicht"),
    ("school blank", {"school": "   "}, "school", "verplicht"),
    ("handler empty", {"handler": ""}, "handler", "verplicht"),
    ("handler none", {"handler": None}, "handler", "verplicht"),
    ("description empty", {"description": ""}, "description", "verplicht"),
    ("description blank", {"description": " \n\t "}, "description", "verplicht"),
    ("group empty", {"group": ""}, "group", "dit veld is verplicht"),
    ("platforms empty", {"platforms": []}, "platforms", "minstens één"),
    ("forms empty", {"forms": []}, "forms", "minstens één"),
    ("pupils empty", {"pupils": []}, "pupils", "minstens één"),
    ("reporter empty", {"reporter": ""}, "reporter", "dit veld is verplicht"),
    ("severity empty", {"severity": ""}, "severity", "dit veld is verplicht"),
    ("reported_on empty", {"reported_on": ""}, "reported_on", "dit veld is verplicht"),
    (
        "reported_on future",
        {"reported_on": TOMORROW, "happened_on": None},
        "reported_on",
        "toekomst",
    ),
    (
        "happened_on future",
        {"reported_on": clock.today(), "happened_on": TOMORROW},
        "happened_on",
        "toekomst",
    ),
    (
        "happened after report",
        {"reported_on": date(2024, 3, 1), "happened_on": date(2024, 3, 2)},
        "happened_on",
        "niet na de melding",
    ),
    ("unknown platform", {"platforms": ["whatsapp", "myspace"]}, "platforms", "onbekende waarde"),
    ("unknown form", {"forms": ["gossip", "pesten"]}, "forms", "onbekende waarde"),
    ("unknown reporter", {"reporter": "buurman"}, "reporter", "onbekende waarde"),
    (
        "bad role",
        {"pupils": [{"pupil_number": "123456", "role": "boss"}]},
        "pupils.0.role",
        "onbekende waarde",
    ),
    (
        "duplicate pupils",
        {
            "pupils": [
                {"pupil_number": "123456", "role": "target"},
                {"pupil_number": "123456", "role": "bully"},
            ]
        },
        "pupils",
        "twee keer",
    ),
    ("description 100k", {"description": "x" * 100_000}, "description", "maximaal 10.000 tekens"),
    ("groep 9", {"group": "groep 9"}, "group", "groep 1 t/m 8"),
    ("klas 7", {"group": "klas 7"}, "group", "klas 1 t/m 6"),
    ("groep 0", {"group": "groep 0"}, "group", "groep 1 t/m 8"),
    ("group free text", {"group": "7B"}, "group", "groep 1 t/m 8"),
]


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [pytest.param(c, f, m, id=i) for i, c, f, m in BAD_INPUT],
)
def test_bad_input_names_the_field_in_dutch(valid_incident_data, changes, field, fragment):
    with pytest.raises(InvalidInput) as caught:
        validate_incident(valid_incident_data(**changes))
    errors = caught.value.errors
    assert field in errors, errors
    assert fragment in errors[field]
    # The user-facing text names the field by its Dutch label.
    assert FIELD_LABELS[field.split(".")[-1]] in str(caught.value)
    for english in ("Field required", "Input should", "Value error", "validation error"):
        assert english not in str(caught.value)


@pytest.mark.parametrize(
    "field",
    [
        "school",
        "handler",
        "description",
        "group",
        "platforms",
        "forms",
        "pupils",
        "reporter",
        "severity",
        "reported_on",
    ],
)
def test_missing_required_field_is_refused_by_name(valid_incident_data, field):
    data = valid_incident_data()
    del data[field]
    with pytest.raises(InvalidInput) as caught:
        validate_incident(data)
    assert list(caught.value.errors) == [field]
    assert ("verplicht" in caught.value.errors[field]) or (
        "geen geldige datum" in caught.value.errors[field]
    )


@pytest.mark.parametrize("field", ["reporter", "severity"])
@pytest.mark.parametrize("empty", ["", None])
def test_empty_choice_says_required_not_none(valid_incident_data, field, empty):
    with pytest.raises(InvalidInput) as caught:
        validate_incident(valid_incident_data(**{field: empty}))
    message = caught.value.errors[field]
    assert "None" not in message
    assert "verplicht" in message


@pytest.mark.parametrize(
    "name",
    [
        "Jan de Vries",
        "jan2010",
        "JANSEN12",
        "Fatima",
        "de Vries",
        "Jan",
        "Pietje1",
    ],
)
def test_name_as_pupil_number_is_refused(valid_incident_data, name):
    pupils = [{"pupil_number": "123456", "role": "target"}, {"pupil_number": name, "role": "bully"}]
    with pytest.raises(InvalidInput) as caught:
        validate_incident(valid_incident_data(pupils=pupils))
    assert list(caught.value.errors) == ["pupils.1.pupil_number"]
    assert NAME_MESSAGE in caught.value.errors["pupils.1.pupil_number"]
    assert "Leerlingnummer (leerling 2)" in str(caught.value)


@pytest.mark.parametrize("code", ["123456", "LL-2024-017", "AB12", "HBC-1234", " 998877 "])
def test_pupil_codes_are_accepted(valid_incident_data, code):
    incident = validate_incident(
        valid_incident_data(pupils=[{"pupil_number": code, "role": "target"}])
    )
    assert incident.pupils[0].pupil_number == code.strip()


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("Groep7", "groep 7"), (" KLAS 2 ", "klas 2"), ("groep 1", "groep 1"), ("Klas6", "klas 6")],
)
def test_group_is_normalised(valid_incident_data, given, canonical):
    incident = validate_incident(valid_incident_data(group=given))
    assert incident.group == canonical


def test_duplicate_platforms_and_forms_collapse(valid_incident_data):
    incident = validate_incident(
        valid_incident_data(platforms=["tiktok", "tiktok", "x"], forms=["threats", "threats"])
    )
    assert [p.value for p in incident.platforms] == ["tiktok", "x"]
    assert [f.value for f in incident.forms] == ["threats"]


def test_description_at_the_limit_is_accepted(valid_incident_data):
    text = "a" * model.MAX_DESCRIPTION
    assert validate_incident(valid_incident_data(description=text)).description == text


def test_several_errors_are_reported_together(valid_incident_data):
    with pytest.raises(InvalidInput) as caught:
        validate_incident(valid_incident_data(school="", platforms=[], group="groep 9"))
    assert set(caught.value.errors) == {"school", "platforms", "group"}


LITERAL_TEXTS = [
    "<b>vet</b> en <script>alert('xss')</script>",
    "Gepest via 📱 en 😢🙄 — héél erg",
    "'; DROP TABLE incidents; --",
    'Robert"); DELETE FROM audit; -- & <img src=x onerror=alert(1)>',
]


@pytest.mark.parametrize("text", LITERAL_TEXTS)
def test_free_text_is_kept_literally_through_the_store(store, valid_incident_data, text):
    incident = validate_incident(
        valid_incident_data(description=text, school=text[:80], handler=text[:80])
    )
    assert incident.description == text
    incident_id = incident_log.add_incident(store, incident, actor="tester")
    stored = lookup.get_incident(store, incident_id)
    assert stored["descriptions"][0]["text"] == text
    assert stored["school"] == text[:80]
    assert stored["handler"] == text[:80]
    incident_log.append_description(store, incident_id, text, actor=text[:80])
    stored = lookup.get_incident(store, incident_id)
    assert [d["text"] for d in stored["descriptions"]] == [text, text]
    assert stored["descriptions"][1]["written_by"] == text[:80]
    assert lookup.count_incidents(store) == 1  # the SQL-looking text did not drop anything


def test_control_characters_are_dropped(valid_incident_data):
    incident = validate_incident(valid_incident_data(description="a\x00b\x07c\nd\te"))
    assert incident.description == "abc\nd\te"


@pytest.mark.parametrize(
    ("group", "ages", "band"),
    [
        ("groep 1", (4, 5), "4-7 jaar"),
        ("groep 4", (7, 8), "4-7 jaar"),
        ("groep 5", (8, 9), "8-11 jaar"),
        ("groep 8", (11, 12), "8-11 jaar"),
        ("klas 1", (12, 13), "12-14 jaar"),
        ("klas 3", (14, 15), "12-14 jaar"),
        ("klas 4", (15, 16), "15-18 jaar"),
        ("klas 6", (17, 18), "15-18 jaar"),
    ],
)
def test_ages_and_age_band(valid_incident_data, group, ages, band):
    assert ages_for_group(group) == ages
    assert age_band(group) == band
    assert validate_incident(valid_incident_data(group=group)).age_band == band


@pytest.mark.parametrize("group", ["groep 9", "klas 7", "", "7"])
def test_ages_for_unknown_group_raise(group):
    with pytest.raises(ValueError, match="groep 1 t/m 8"):
        ages_for_group(group)


def _step(**changes):
    data = {
        "step_id": "steun",
        "done_on": date(2024, 3, 2),
        "done_by": "Mw. Jansen",
        "note": "Gesprek gehad.",
    }
    data.update(changes)
    return data


def test_valid_step():
    step = validate_step(_step(outcome="less"))
    assert step.done_by == "Mw. Jansen"
    assert step.outcome == choices.Outcome.LESS


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"done_on": TOMORROW}, "done_on", "toekomst", id="future date"),
        pytest.param({"done_on": ""}, "done_on", "dit veld is verplicht", id="no date"),
        pytest.param({"done_by": ""}, "done_by", "verplicht", id="empty done_by"),
        pytest.param({"done_by": "   "}, "done_by", "verplicht", id="blank done_by"),
        pytest.param({"done_by": None}, "done_by", "verplicht", id="none done_by"),
        pytest.param({"step_id": ""}, "step_id", "dit veld is verplicht", id="empty step"),
        pytest.param({"note": "n" * 2001}, "note", "maximaal 2.000 tekens", id="long note"),
        pytest.param({"outcome": "maybe"}, "outcome", "onbekende waarde", id="bad outcome"),
    ],
)
def test_validate_step_errors(changes, field, fragment):
    with pytest.raises(InvalidInput) as caught:
        validate_step(_step(**changes))
    assert field in caught.value.errors
    assert fragment in caught.value.errors[field]
    assert FIELD_LABELS[field] in str(caught.value)


ALLOWED = [(old, new) for old, targets in choices.TRANSITIONS.items() for new in targets]


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{o}->{n}" for o, n in ALLOWED])
def test_allowed_transitions(old, new):
    assert check_transition(old, new) is new
    assert check_transition(old.value, new.value) is new


REFUSED = [
    (Status.NEW, Status.CLOSED),
    (Status.CLOSED, Status.IN_PROGRESS),
    (Status.NEW, Status.RESOLVED),
    (Status.NEW, Status.NEW),
    (Status.CLOSED, Status.NEW),
    (Status.IN_PROGRESS, Status.CLOSED),
]


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{o}->{n}" for o, n in REFUSED])
def test_refused_transitions(old, new):
    assert new not in choices.TRANSITIONS[old]
    with pytest.raises(InvalidInput) as caught:
        check_transition(old, new)
    assert list(caught.value.errors) == ["status"]
    message = str(caught.value)
    assert message.startswith(FIELD_LABELS["status"] + ":")
    assert f"van {old.label} naar {new.label} mag niet" in message


def test_every_status_pair_is_either_allowed_or_refused():
    for old in Status:
        for new in Status:
            if new in choices.TRANSITIONS[old]:
                assert check_transition(old, new) is new
            else:
                with pytest.raises(InvalidInput):
                    check_transition(old, new)


def test_invalid_input_str_uses_dutch_labels():
    error = InvalidInput({"reported_on": "x", "pupils.2.pupil_number": "y", "platforms": "z"})
    text = str(error)
    assert "Datum melding: x" in text
    assert "Leerlingnummer (leerling 3): y" in text
    assert "Platforms: z" in text
    assert "reported_on" not in text


def test_every_enum_member_has_a_dutch_label():
    for enum in (
        choices.Reporter,
        choices.Role,
        choices.Platform,
        choices.Form,
        choices.Severity,
        choices.Status,
        choices.Outcome,
    ):
        for member in enum:
            assert member in choices.LABELS
            assert member.label.strip()
        offered = [m.value for m in enum if m is not choices.Severity.UNKNOWN]  # history only
        assert [v for _, v in enum.choices()] == offered
