"""Each school's type (basisonderwijs, voortgezet onderwijs or both), and an import that asks
before it puts a group where it does not fit: 'groep 7' at a secondary school, a secondary
school's register of klassen at a primary school (school_names.SchoolType, migration 0013).

The registers are written as Dutch Excel writes "CSV (gescheiden door lijstscheidingsteken)":
Windows-1252, ';', CRLF, '"' only around a cell with ';', dates as people type them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import cli, write

from pestdata.core.model import InvalidInput
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents, lessons_given
from pestdata.db.tables import schools as school_table
from pestdata.incidents import lookup
from pestdata.registers.import_result import ASK
from pestdata.registers.importer import SchoolNeeded, import_file
from pestdata.school import school_names
from pestdata.school.school_names import SchoolType

REGENBOOG, BAKEN, LINDE = "De Regenboog", "Het Baken College", "OBS De Linde"

# A secondary school's mentor register: no School column, klassen as mentors write them.
MENTOR_REGISTER = (
    "Gemeld op;Llnr;Klas;Soort pesten;Platform;Ernst;Mentor;Toelichting\r\n"
    "3 okt. 2024;240117;2 havo;Buitensluiten;WhatsApp;2;dhr. Öztürk;Niet in de klassenapp "
    "toegelaten\r\n"
    '15-okt-24;240233;H3b;Bedreigen;Instagram;3;mevr. Bakker;"Dreigbericht; \'s avonds laat"\r\n'
    "5 november 2024;230871;brugklas;Roddelen;Snapchat;1;dhr. Öztürk;Roddels over foto’s\r\n"
    "28-11-2024;220114;4vwo;Roddelen;TikTok;2;mevr. Bakker;Filmpje met lelijke reacties;;\r\n"
).encode("cp1252")
MENTOR_GROUPS = ["klas 2", "klas 3", "klas 1", "klas 4"]


def question(group: str, school: str, label: str, groups: str) -> list[tuple[str, str]]:
    return [
        (
            "Groep of klas",
            f"{group} past niet bij {school} ({label}: {groups}); hoort deze rij bij deze school?",
        )
    ]


def primary(group: str, school: str = REGENBOOG) -> list[tuple[str, str]]:
    return question(group, school, "basisonderwijs", "groep 1 t/m 8")


def secondary(group: str, school: str = BAKEN) -> list[tuple[str, str]]:
    return question(group, school, "voortgezet onderwijs", "klas 1 t/m 6")


def outcomes(report) -> list[tuple[int, str, list]]:
    return [(r.row, r.outcome, r.problems) for r in report.rows]


@pytest.fixture
def store(any_store):
    return any_store


@pytest.fixture
def mentor_register(tmp_path) -> Path:
    assert b"\xd6zt\xfcrk" in MENTOR_REGISTER and b"foto\x92s" in MENTOR_REGISTER
    return write(tmp_path, "mentorregistratie 2024-2025.csv", MENTOR_REGISTER)


# --- the type itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("basisonderwijs", SchoolType.PRIMARY),
        ("Basis", SchoolType.PRIMARY),
        ("PO", SchoolType.PRIMARY),
        ("basisschool", SchoolType.PRIMARY),
        ("vo", SchoolType.SECONDARY),
        ("Voortgezet onderwijs", SchoolType.SECONDARY),
        ("middelbare school", SchoolType.SECONDARY),
        ("beide", SchoolType.BOTH),
        ("basis- en voortgezet onderwijs", SchoolType.BOTH),
    ],
)
def test_a_type_is_read_as_people_write_it(written, meant):
    assert SchoolType.parse(written) is meant


def test_a_type_that_is_no_type_is_refused_in_dutch():
    with pytest.raises(InvalidInput, match="onbekende soort school 'lagere school'; kies basis"):
        SchoolType.parse("lagere school")


def test_which_groups_fit_which_type():
    assert SchoolType.PRIMARY.fits("groep 7") and not SchoolType.PRIMARY.fits("klas 2")
    assert SchoolType.SECONDARY.fits("klas 2") and not SchoolType.SECONDARY.fits("groep 8")
    assert SchoolType.BOTH.fits("groep 1") and SchoolType.BOTH.fits("klas 6")
    assert SchoolType.of_groups(["groep 7", "groep 1"]) is SchoolType.PRIMARY
    assert SchoolType.of_groups(["klas 2"]) is SchoolType.SECONDARY
    assert SchoolType.of_groups(["groep 8", "klas 1"]) is SchoolType.BOTH
    assert SchoolType.of_groups([]) is SchoolType.BOTH


def test_a_school_is_added_with_its_type_and_a_change_is_audited(store):
    school_names.add(store, REGENBOOG, "ib", "basis")
    school_names.add(store, BAKEN, "ib", SchoolType.SECONDARY)
    school_names.add(store, LINDE, "ib")  # a library call that says nothing: both
    assert school_names.types(store) == {
        REGENBOOG: SchoolType.PRIMARY,
        BAKEN: SchoolType.SECONDARY,
        LINDE: SchoolType.BOTH,
    }
    assert school_names.set_type(store, f" {LINDE} ", "po", "mevr. Directie") is SchoolType.PRIMARY
    assert school_names.types(store)[LINDE] is SchoolType.PRIMARY
    with pytest.raises(InvalidInput, match="onbekende school 'De Linde'"):
        school_names.set_type(store, "De Linde", "po", "mevr. Directie")
    with store.reading() as conn:
        changes = conn.execute(sa.select(audit).where(audit.c.action == "school_type")).all()
    assert [(c.actor, c.old_value, c.new_value) for c in changes] == [
        ("mevr. Directie", f"{LINDE}: both", f"{LINDE}: primary")
    ]


def test_a_school_that_comes_with_reports_gets_the_type_of_their_groups(tmp_path):
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    done = cli("demo", "--db", url, "--incidents", "300")
    assert done.returncode == 0, done.stderr
    assert school_names.types(Store(url)) == {
        REGENBOOG: SchoolType.PRIMARY,
        BAKEN: SchoolType.SECONDARY,
    }


def test_the_upgrade_gives_each_listed_school_the_type_of_its_history(any_url):
    old = Store(any_url)
    old.migrate("0012")
    stamp = datetime(2025, 10, 6, 9, 0)
    report = {
        "reported_on": date(2025, 10, 6),
        "reporter": "pupil",
        "age_band": "10-12 jaar",
        "severity": "medium",
        "status": "new",
        "handler": "ib",
        "created_at": stamp,
    }
    with old.writing() as conn:
        conn.execute(
            incidents.insert(),
            [
                {**report, "school": REGENBOOG, "group_name": "groep 7"},
                {**report, "school": REGENBOOG, "group_name": "groep 3"},
                {**report, "school": BAKEN, "group_name": "klas 2"},
                {**report, "school": "Kindcentrum De Brug", "group_name": "groep 8"},
                {**report, "school": "Kindcentrum De Brug", "group_name": "klas 1"},
            ],
        )
        conn.execute(
            lessons_given.insert(),
            {
                "school": "Vmbo De Poort",
                "material_id": "x",
                "group_name": "klas 1",
                "age_band": "12-15 jaar",
                "given_on": date(2025, 10, 6),
                "given_by": "mentor",
                "recorded_at": stamp,
            },
        )
        names = (REGENBOOG, BAKEN, "Kindcentrum De Brug", "Vmbo De Poort", LINDE)
        conn.execute(
            school_table.insert(),
            [{"name": n, "added_at": stamp, "added_by": "t"} for n in names],
        )
    old.migrate()
    assert school_names.types(Store(any_url)) == {
        REGENBOOG: SchoolType.PRIMARY,
        BAKEN: SchoolType.SECONDARY,
        "Kindcentrum De Brug": SchoolType.BOTH,  # both kinds of group
        "Vmbo De Poort": SchoolType.SECONDARY,  # from a lesson given
        LINDE: SchoolType.BOTH,  # nothing yet: nothing to ask about
    }


# --- the import asks ---------------------------------------------------------------------------


def test_a_secondary_register_into_a_primary_only_database_is_asked_about(store, mentor_register):
    school_names.add(store, REGENBOOG, "ib", "basisonderwijs")
    # No School column: not put into the only school unasked.
    with pytest.raises(SchoolNeeded) as error:
        import_file(store, mentor_register, commit=True)
    assert f"hoort het bij {REGENBOOG} (de enige school op de lijst)?" in str(error.value)
    assert lookup.count_incidents(store) == 0

    # Confirmed as De Regenboog: each klas is a question, and nothing is stored.
    dry = import_file(store, mentor_register, default_school=REGENBOOG)
    expected = [(n, ASK, primary(g)) for n, g in enumerate(MENTOR_GROUPS, start=2)]
    assert outcomes(dry) == expected
    assert dry.summary() == (
        "4 rijen: 0 zouden worden toegevoegd, 0 al aanwezig, 0 geweigerd, 4 te bevestigen."
    )
    assert (
        "4 rijen te bevestigen: de groep past niet bij de soort school (De Regenboog "
        "(basisonderwijs): klas 1 (1×), klas 2 (1×), klas 3 (1×), klas 4 (1×)). Horen ze toch bij "
        "die school, bevestig dat dan (--accept-groups; in de browser: 'Ja, deze rijen horen bij "
        "deze school'); anders: kies de juiste school, of zet de soort school goed (pestdata "
        "schools type; in de browser: 'Soort opslaan')"
    ) in dry.notes
    done = import_file(store, mentor_register, default_school=REGENBOOG, commit=True)
    assert outcomes(done) == expected and done.added == 0
    assert lookup.count_incidents(store) == 0

    # The right school, added as the import's new school: its type from its klassen.
    right = import_file(store, mentor_register, default_school=BAKEN, add_schools=True, commit=True)
    assert [r.outcome for r in right.rows] == ["nieuw"] * 4 and right.added == 4
    assert f"Soort school: '{BAKEN}': voortgezet onderwijs" in right.notes[-2]
    assert school_names.types(store) == {
        REGENBOOG: SchoolType.PRIMARY,
        BAKEN: SchoolType.SECONDARY,
    }
    # 2024-2025 without a status column: history, closed (history.HistoryRules.settle).
    stored = lookup.list_incidents(store, statuses=["closed"], limit=50)[0]
    assert sorted((r.school, r.group) for r in stored) == sorted((BAKEN, g) for g in MENTOR_GROUPS)


def test_rows_confirmed_once_are_stored_and_then_already_present(store, mentor_register):
    school_names.add(store, REGENBOOG, "ib", "basis")
    done = import_file(
        store, mentor_register, default_school=REGENBOOG, accept_groups=True, commit=True
    )
    assert [r.outcome for r in done.rows] == ["nieuw"] * 4 and done.added == 4
    assert (
        "4 rijen met een groep die niet bij de soort school past, op verzoek toch overgenomen: "
        "De Regenboog (basisonderwijs): klas 1 (1×), klas 2 (1×), klas 3 (1×), klas 4 (1×)"
    ) in done.notes
    again = import_file(store, mentor_register, default_school=REGENBOOG)
    assert [(r.outcome, r.problems) for r in again.rows] == [("al aanwezig", [])] * 4
    assert lookup.count_incidents(store) == 4


def test_groep_7_in_a_secondary_schools_file_is_asked_about_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path}/vo.sqlite"
    assert cli("schools", "add", BAKEN, "--type", "vo", "--db", url).returncode == 0
    path = write(
        tmp_path,
        "meldingen locatie Oost.csv",
        (
            "Datum melding;Locatie;Leerlingnummer;Groep/klas;Platform;Vorm;Ernst\r\n"
            f"12-09-2024;{BAKEN};250011;klas 2;WhatsApp;Roddelen;Middel\r\n"
            f"19-09-2024;{BAKEN};250012;groep 7;TikTok;Bedreigen;Ernstig\r\n"
            f"ma 23 september 2024;{BAKEN};250013;2e klas;Instagram;Roddelen;Licht\r\n"
        ).encode("cp1252"),
    )
    dry = cli("import", str(path), "--db", url)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    at = lines.index("rij 3: te bevestigen")
    assert lines[at + 1] == "    Groep of klas: " + secondary("groep 7")[0][1]
    assert "3 rijen: 2 zouden worden toegevoegd, 0 al aanwezig, 0 geweigerd, 1 te bevestigen." in (
        lines
    )
    assert f"{BAKEN} (voortgezet onderwijs): groep 7 (1×)" in dry.stdout
    stored = cli("import", str(path), "--db", url, "--commit")
    assert "2 toegevoegd" in stored.stdout
    confirmed = cli("import", str(path), "--db", url, "--commit", "--accept-groups")
    assert "1 toegevoegd, 2 al aanwezig" in confirmed.stdout, confirmed.stdout
    groups = sa.select(incidents.c.group_name).order_by(incidents.c.group_name)
    with Store(url).reading() as conn:
        assert list(conn.execute(groups).scalars()) == ["groep 7", "klas 2", "klas 2"]


def test_a_new_schools_type_is_the_one_chosen_and_its_rows_are_checked_against_it(
    store, mentor_register
):
    chosen = import_file(
        store, mentor_register, default_school=LINDE, add_schools=True, school_type="basis"
    )
    assert [r.outcome for r in chosen.rows] == [ASK] * 4
    assert chosen.rows[0].problems == primary("klas 2", LINDE)
    done = import_file(
        store,
        mentor_register,
        default_school=LINDE,
        add_schools=True,
        school_type="basis",
        accept_groups=True,
        commit=True,
    )
    assert done.added == 4
    assert school_names.types(store) == {LINDE: SchoolType.PRIMARY}


def test_the_command_line_names_add_schools_for_a_school_not_on_the_list(tmp_path, mentor_register):
    url = f"sqlite:///{tmp_path}/c.sqlite"
    assert cli("schools", "add", REGENBOOG, "--type", "basis", "--db", url).returncode == 0
    refused = cli("import", str(mentor_register), "--db", url, "--school", BAKEN)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert f"onbekende school '{BAKEN}' (bekend: {REGENBOOG})" in refused.stderr
    assert "importeer met --add-schools om haar als nieuwe school toe te voegen" in refused.stderr
    wrong = cli(
        "import", str(mentor_register), "--db", url, "--school", BAKEN, "--add-schools",
        "--school-type", "hogeschool",
    )  # fmt: skip
    assert wrong.returncode == 1 and "onbekende soort school 'hogeschool'" in wrong.stderr
    added = cli(
        "import", str(mentor_register), "--db", url, "--school", BAKEN, "--add-schools", "--commit"
    )
    assert added.returncode == 0, added.stderr
    assert "4 rijen: 4 toegevoegd" in added.stdout
    listed = cli("schools", "list", "--db", url)
    assert f"{BAKEN} (voortgezet onderwijs)" in listed.stdout.splitlines()
    changed = cli("schools", "type", BAKEN, "beide", "--db", url, "--by", "mevr. Directie")
    assert changed.returncode == 0 and f"{BAKEN} is nu: basis- en voortgezet onderwijs." in (
        changed.stdout
    )
