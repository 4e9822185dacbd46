"""The list of schools: added on purpose, chosen in the form and the import, spellings that
already differ merged only when asked (pestdata/school/school_names.py, migration 0009)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from helpers import cli, csv_bytes, row, write

from pestdata.core.guidance import load_guidance
from pestdata.core.model import InvalidInput, LessonGiven, SchoolActionDone, validate_incident
from pestdata.db import facts
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents, lessons_given, retained_counts, school_actions_done
from pestdata.incidents import incident_log, lookup
from pestdata.people.person import Person
from pestdata.registers.importer import import_file
from pestdata.registers.reading import ImportFileError
from pestdata.school import school_names, school_records

REGENBOOG, TYPO, BAKEN = "De Regenboog", "de Regenbog", "Het Baken College"


@pytest.fixture
def store(any_store):
    return any_store


def report(store: Store, school: str, pupil: str, day=date(2025, 10, 6)) -> int:
    incident = validate_incident(
        {
            "school": school,
            "reported_on": day,
            "reporter": "parent",
            "pupils": [{"pupil_number": pupil, "role": "target"}],
            "group": "groep 7",
            "platforms": ["whatsapp"],
            "forms": ["gossip"],
            "severity": "medium",
            "handler": "ib",
            "description": "x",
        }
    )
    return incident_log.add_incident(store, incident, actor="mevr. Test")


def audit_of(store: Store, action: str) -> list[dict]:
    with store.reading() as conn:
        query = sa.select(audit).where(audit.c.action == action).order_by(audit.c.id)
        return [dict(r) for r in conn.execute(query).mappings()]


# --- the migration ---------------------------------------------------------------------------


def test_the_upgrade_lists_every_spelling_as_it_is_and_merges_nothing(any_url):
    old = Store(any_url)
    old.migrate("0008")
    stamp = datetime(2025, 10, 6, 9, 0)
    with old.writing() as conn:
        for school in (REGENBOOG, TYPO, REGENBOOG):
            conn.execute(
                incidents.insert(),
                {
                    "school": school,
                    "reported_on": date(2025, 10, 6),
                    "reporter": "pupil",
                    "group_name": "groep 7",
                    "age_band": "10-12 jaar",
                    "severity": "medium",
                    "status": "new",
                    "handler": "ib",
                    "created_at": stamp,
                },
            )
        conn.execute(
            school_actions_done.insert(),
            {"school": BAKEN, "action_id": "a", "done_on": date(2025, 9, 1), "done_by": "x",
             "note": "", "recorded_at": stamp},
        )  # fmt: skip
        conn.execute(
            lessons_given.insert(),
            {"school": "Klein", "material_id": "m", "group_name": "groep 5",
             "age_band": "8-10 jaar", "given_on": date(2025, 9, 2), "given_by": "x",
             "recorded_at": stamp},
        )  # fmt: skip
    old.ensure_schema()
    assert sorted(school_names.names(old)) == sorted([REGENBOOG, TYPO, BAKEN, "Klein"])
    assert school_names.names(old)[0] == REGENBOOG  # the busiest first
    assert school_names.lookalikes(old) == [(REGENBOOG, TYPO)]  # shown, not merged
    old.close()


# --- adding and matching ---------------------------------------------------------------------


def test_a_school_is_added_once_and_the_audit_names_who_added_it(store):
    assert school_names.add(store, "  De   Regenboog ", "mevr. Jansen") == REGENBOOG
    for again in ("de regenboog", "De Regenboog!", "DE  REGENBOOG"):
        with pytest.raises(InvalidInput, match="deze school staat er al, als 'De Regenboog'"):
            school_names.add(store, again, "mevr. Jansen")
    with pytest.raises(InvalidInput, match="vul de naam van de school in"):
        school_names.add(store, "   ", "mevr. Jansen")
    with pytest.raises(InvalidInput, match="hoogstens 80 tekens"):
        school_names.add(store, "x" * 81, "mevr. Jansen")
    assert school_names.names(store) == [REGENBOOG]
    [entry] = audit_of(store, "school_added")
    assert (entry["actor"], entry["new_value"]) == ("mevr. Jansen", REGENBOOG)


def test_a_file_may_spell_a_listed_school_a_little_differently_but_not_name_another():
    known = [REGENBOOG, BAKEN, "De Regenboog Oost"]
    assert school_names.match("de regenboog", known) == (REGENBOOG, True)
    assert school_names.match(REGENBOOG, known) == (REGENBOOG, False)
    assert school_names.match("Het Baken Colege", known) == (BAKEN, True)
    assert school_names.match("Het Baken", known) == (None, False)  # another school?
    assert school_names.match("De Linde", known) == (None, False)
    assert school_names.match("De Regenboog Oos", [REGENBOOG, "De Regenboog Oost"]) == (
        "De Regenboog Oost",
        True,
    )
    # Two listed names that fit about as well: not ours to choose.
    assert school_names.match("De Regenboog 2", ["De Regenboog 1", "De Regenboog 3"]) == (
        None,
        False,
    )


# --- merging ---------------------------------------------------------------------------------


def test_merging_moves_everything_in_one_go_and_only_when_asked(store):
    guidance = load_guidance()
    kept = [report(store, REGENBOOG, f"10{n}") for n in range(3)]
    moved = [report(store, TYPO, f"20{n}") for n in range(2)]
    report(store, BAKEN, "300")
    action = guidance.school_actions[0].id
    school_records.record_school_action(
        store, SchoolActionDone(school=TYPO, action_id=action, done_on=date(2025, 9, 1),
                                done_by="ib"), actor="ib")  # fmt: skip
    school_records.log_lesson(
        store, LessonGiven(school=TYPO, material_id=guidance.materials[0].id, group="groep 7",
                           given_on=date(2025, 9, 2), given_by="ib"), actor="ib")  # fmt: skip
    with store.writing() as conn:  # counts kept after a purge, for both spellings
        conn.execute(
            retained_counts.insert(),
            [
                {"school": REGENBOOG, "month": "2023-10", "dimension": "total",
                 "category": "", "count": 4},
                {"school": TYPO, "month": "2023-10", "dimension": "total",
                 "category": "", "count": 2},
                {"school": TYPO, "month": "2023-11", "dimension": "total",
                 "category": "", "count": 1},
            ],
        )  # fmt: skip
    assert sorted(school_names.names(store)) == sorted([REGENBOOG, TYPO, BAKEN])

    assert school_names.merge(store, TYPO, REGENBOOG, "mevr. Jansen") == 2
    assert sorted(school_names.names(store)) == sorted([REGENBOOG, BAKEN])
    assert {lookup.get_incident(store, i)["school"] for i in kept + moved} == {REGENBOOG}
    with store.reading() as conn:
        assert facts.differences(conn) == {"report_facts": 0, "step_facts": 0}
        assert conn.execute(sa.select(school_actions_done.c.school).distinct()).scalars().all() == [
            REGENBOOG
        ]
        assert conn.execute(sa.select(lessons_given.c.school).distinct()).scalars().all() == [
            REGENBOOG
        ]
        retained = conn.execute(
            sa.select(retained_counts.c.school, retained_counts.c.month, retained_counts.c.count)
            .order_by(retained_counts.c.month)
        ).all()  # fmt: skip
    assert [tuple(r) for r in retained] == [(REGENBOOG, "2023-10", 6), (REGENBOOG, "2023-11", 1)]
    [entry] = audit_of(store, "school_merged")
    assert entry["actor"] == "mevr. Jansen" and entry["old_value"] == TYPO
    assert json.loads(entry["new_value"]) == {"naar": REGENBOOG, "meldingen": 2}


def test_a_merge_with_a_school_not_on_the_list_changes_nothing(store):
    report(store, REGENBOOG, "100")
    with pytest.raises(InvalidInput, match="onbekende school 'De Linde'"):
        school_names.merge(store, "De Linde", REGENBOOG, "x")
    with pytest.raises(InvalidInput, match="kies twee verschillende scholen"):
        school_names.merge(store, REGENBOOG, REGENBOOG, "x")
    assert school_names.names(store) == [REGENBOOG]
    assert audit_of(store, "school_merged") == []


# --- the import ------------------------------------------------------------------------------


def test_the_import_reads_a_typo_as_the_listed_school_and_refuses_a_new_name(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/i.sqlite").ensure_schema()
    school_names.add(store, REGENBOOG, "ib")
    path = write(
        tmp_path,
        "f.csv",
        csv_bytes([row(1), row(2, School="de regenbog"), row(3, School="OBS De Linde")]),
    )
    dry = import_file(store, path)
    assert [(r.row, r.outcome) for r in dry.rows] == [(2, "nieuw"), (3, "nieuw"), (4, "geweigerd")]
    assert (
        dry.rows[2]
        .problems[0][1]
        .startswith(
            "onbekende school 'OBS De Linde' (bekend: De Regenboog); voeg een nieuwe school"
        )
    )
    assert "School: 'de regenbog' → De Regenboog (1×)" in dry.reading_lines()
    assert any("Niet op de lijst van scholen: 'OBS De Linde' (1 rij)" in n for n in dry.notes)

    done = import_file(store, path, commit=True, add_schools=True, actor="mevr. Import")
    assert done.added == 3
    assert "Nieuwe scholen, op de lijst gezet: 'OBS De Linde'" in done.notes
    assert sorted(school_names.names(store)) == ["De Regenboog", "OBS De Linde"]
    added = audit_of(store, "school_added")
    assert [(e["actor"], e["new_value"]) for e in added][-1] == ("mevr. Import", "OBS De Linde")


def test_one_new_school_however_the_file_capitalises_it(tmp_path):
    """A first install's register writes its one school in several ways: one new school, in
    the first spelling; a name that only looks alike stays a school of its own."""
    store = Store(f"sqlite:///{tmp_path}/i.sqlite").ensure_schema()
    rows = [
        {**row(1), "School": "De Regenboog"},
        {**row(2), "School": "de regenboog "},
        {**row(3), "School": "DE REGENBOOG"},
        {**row(4), "School": "De Regenbogen"},
    ]
    path = write(tmp_path, "f.csv", csv_bytes(rows))
    dry = import_file(store, path, add_schools=True)
    assert dry.new_schools == {REGENBOOG, "De Regenbogen"}
    done = import_file(store, path, commit=True, add_schools=True, actor="mevr. Import")
    assert done.added == 4
    assert sorted(school_names.names(store)) == sorted([REGENBOOG, "De Regenbogen"])
    assert [lookup.get_incident(store, n)["school"] for n in (1, 2, 3, 4)] == [
        REGENBOOG, REGENBOOG, REGENBOOG, "De Regenbogen",
    ]  # fmt: skip


def test_a_refused_row_names_no_new_school(tmp_path):
    """A register ends in a totals row ('3' under School, nothing else) and has a row
    without a date at 'Het Baken': neither is stored, so the dry run does not say their
    schools come on the list, and the import does not put them there."""
    store = Store(f"sqlite:///{tmp_path}/i.sqlite").ensure_schema()
    rows = [
        {**row(1, School="De Regenboog")},
        {**row(2, School="de regenboog")},
        {**row(3, School="Het Baken", **{"Datum melding": ""})},
        {"School": "3"},
    ]
    path = write(tmp_path, "register.csv", csv_bytes(rows))
    dry = import_file(store, path, add_schools=True)
    assert [r.outcome for r in dry.rows] == ["nieuw", "nieuw", "geweigerd", "geweigerd"]
    assert dry.new_schools == {REGENBOOG}
    listed = [note for note in dry.notes if note.startswith("Nieuwe scholen")]
    assert listed == [f"Nieuwe scholen, komen op de lijst: '{REGENBOOG}'"]
    done = import_file(store, path, commit=True, add_schools=True, actor="mevr. Import")
    assert done.added == 2 and done.new_schools == {REGENBOOG}
    assert school_names.names(store) == [REGENBOOG]


def test_a_school_given_for_the_whole_file_must_be_on_the_list(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/i.sqlite").ensure_schema()
    path = write(tmp_path, "f.csv", csv_bytes([{**row(1), "School": ""}]))
    with pytest.raises(ImportFileError, match="onbekende school 'De Linde' \\(bekend: nog geen\\)"):
        import_file(store, path, default_school="De Linde")
    report = import_file(store, path, default_school="De Linde", add_schools=True)
    assert [r.outcome for r in report.rows] == ["nieuw"]
    assert school_names.names(store) == []  # a dry run


# --- the command line and the form -----------------------------------------------------------


def test_cli_add_list_and_merge_in_dutch(tmp_path):
    url = f"sqlite:///{tmp_path}/c.sqlite"
    empty = cli("schools", "list", "--db", url)
    assert (
        "Nog geen scholen. Voeg er een toe met: pestdata schools add 'NAAM' --type basis"
        in empty.stdout
    )
    untyped = cli("schools", "add", REGENBOOG, "--db", url)
    assert untyped.returncode == 2 and "Ontbrekende optie '--type'" in untyped.stderr
    wrong = cli("schools", "add", REGENBOOG, "--db", url, "--type", "lagere school")
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "onbekende soort school 'lagere school'; kies basisonderwijs" in wrong.stderr
    added = cli("schools", "add", REGENBOOG, "--db", url, "--by", "ib", "--type", "Basis")
    assert added.returncode == 0 and "(basisonderwijs)" in added.stdout
    store = Store(url)
    report(store, TYPO, "200")  # a spelling from before the list
    listed = cli("schools", "list", "--db", url)
    assert listed.stdout.splitlines()[:2] == [
        f"{TYPO} (basisonderwijs)",  # its one report is in a groep
        f"{REGENBOOG} (basisonderwijs)",
    ]
    assert (
        f"Lijken op elkaar: '{REGENBOOG}' en '{TYPO}'. Is het één school, voeg ze dan samen "
        f"met: pestdata schools merge '{TYPO}' --into '{REGENBOOG}'"
    ) in listed.stdout
    twice = cli("schools", "add", "de regenboog", "--db", url, "--type", "vo")
    assert twice.returncode == 1 and "Traceback" not in twice.stderr
    assert "deze school staat er al, als 'De Regenboog'" in twice.stderr
    unknown = cli("schools", "merge", "De Linde", "--into", REGENBOOG, "--db", url, "--yes")
    assert unknown.returncode == 1 and "onbekende school 'De Linde'" in unknown.stderr
    asked = cli("schools", "merge", TYPO, "--into", REGENBOOG, "--db", url)  # no answer: no
    assert asked.returncode == 1 and sorted(school_names.names(store)) == [REGENBOOG, TYPO]
    merged = cli("schools", "merge", TYPO, "--into", REGENBOOG, "--db", url, "--yes")
    assert merged.returncode == 0, merged.stderr
    assert f"'{TYPO}' samengevoegd met '{REGENBOOG}': 1 melding verplaatst." in merged.stdout
    assert school_names.names(store) == [REGENBOOG]


def test_the_form_chooses_from_the_list_and_adds_a_school_on_purpose(sqlite_store):
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_form import IncidentForm

    report(sqlite_store, REGENBOOG, "100")
    form = IncidentForm(sqlite_store, Actor(Person("mevr. Jansen", "zorgteam")))
    field = form.fields["school"]
    assert field.choice.options == ((REGENBOOG, REGENBOOG),) and field.value == REGENBOOG
    assert field.adding.layout.display == "none"
    field.open_add.click()
    field.new_name.value = "OBS De Linde"
    field.confirm.click()  # no type chosen: asked for, nothing added
    assert "kies de soort school: basisonderwijs, voortgezet onderwijs of beide" in (
        field.feedback.value
    )
    assert school_names.names(sqlite_store) == [REGENBOOG]
    field.new_type.value = "primary"
    field.new_name.value = "de  regenboog"
    field.confirm.click()
    assert "deze school staat er al, als &#x27;De Regenboog&#x27;" in field.feedback.value
    field.new_name.value = "OBS De Linde"
    field.confirm.click()
    assert "School &#x27;OBS De Linde&#x27; toegevoegd en gekozen." in field.feedback.value
    assert school_names.types(sqlite_store)["OBS De Linde"] == "primary"
    assert field.new_type.value == ""  # the next school's type is chosen anew
    assert field.value == "OBS De Linde" and [v for _, v in field.choice.options] == [
        "",  # 'Kies een school…': of two schools, none is chosen for the next form
        REGENBOOG,
        "OBS De Linde",
    ]
    assert audit_of(sqlite_store, "school_added")[-1]["actor"] == "mevr. Jansen"
