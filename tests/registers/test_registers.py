"""Registers as Dutch schools really keep them, imported row by row.

Each file is written in the bytes the program that makes it writes:

1. a primary school's Excel register saved as "CSV (gescheiden door lijstscheidingsteken)":
   Windows-1252, ';', CRLF, dd-mm-jjjj, '"' only around cells with ';', '"' or a line break,
   Excel's curly apostrophe (’, byte 0x92) in "Foto’s"; no School and no Behandelaar column;
2. a secondary school's Excel register saved as "CSV UTF-8": a BOM, ';', CRLF, klas notation
   and dates in Dutch words;
3. a workbook saved by openpyxl: real date cells, whole numbers for pupils, groups and Ernst;
4. an Excel CSV in which two rows were typed by hand in Kladblok (one ';' too many, one
   cell too few), beside Excel's own quoted cells with ';' and a line break;
5. LibreOffice Calc's "Tekst CSV" on Linux: UTF-8 without BOM, ',', LF, dates as dd-mm-jj,
   one ja/nee column per platform.

Row numbers are the ones the spreadsheet shows (the header is row 1). Every expected outcome
below was worked out from the file by hand, not copied from the program.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from helpers import cli

from pestdata.core import recognise
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents
from pestdata.incidents import incident_log, lookup
from pestdata.registers.importer import SchoolNeeded, import_file
from pestdata.registers.mapping import Column, parse_value_map
from pestdata.registers.reading import ImportFileError
from pestdata.registers.row_checks import IMPORT_HANDLER
from pestdata.school import school_names

NOT_A_NUMBER = (
    "dit lijkt geen leerlingnummer; gebruik de code van de school (bijv. 123456), nooit een naam"
)
BAD_DATE = "geen geldige datum (gebruik dd-mm-jjjj)"
REQUIRED = "dit veld is verplicht"
SCALE_1_4 = "Ernst: schaal 1–4 gelezen als 1 = Licht, 2 = Middel, 3–4 = Ernstig"
GUESSED = (
    " (afgeleid uit het hoogste getal; is de schaal anders, zet haar in de kop, "
    "bijv. 'Ernst (1-5)')"
)
SEVERITY_ALLOWED = "Licht, Middel, Ernstig"
GROEP_ALLOWED = "groep 1 t/m 8 (ook 7, gr7, 7b, 7/8)"
KLAS_ALLOWED = "klas 1 t/m 6 (ook 2, 2 havo, H2b, 2e klas)"
HANDLER_NOTE = "{} zonder behandelaar: als behandelaar staat er 'Onbekend (import)'"


# --- helpers ---------------------------------------------------------------------------------


def new_store(tmp_path: Path, name: str = "t") -> Store:
    return Store(f"sqlite:///{tmp_path}/{name}.sqlite").ensure_schema()


def store_with_schools(tmp_path: Path, *schools: str) -> Store:
    """A database that already holds one report for each school."""
    store = new_store(tmp_path, "bekend")
    for n, school in enumerate(schools):
        incident = validate_incident(
            {
                "school": school,
                "reported_on": date(2024, 3, 4),
                "reporter": "parent",
                "pupils": [{"pupil_number": f"99000{n}", "role": "target"}],
                "group": "groep 6",
                "platforms": ["whatsapp"],
                "forms": ["gossip"],
                "severity": "low",
                "handler": "Mw. Bakker (IB)",
                "description": "Eerder ingevoerde melding",
            }
        )
        incident_log.add_incident(store, incident, actor="test")
    return store


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def excel_csv(lines: list[str], encoding: str = "cp1252", bom: bool = False) -> bytes:
    """Lines as Excel saves them: CRLF after every record, also the last."""
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(f"{ln}\r\n" for ln in lines).encode(encoding)


def outcomes(report) -> list[tuple[int, str, list[tuple[str, str]]]]:
    return [(r.row, r.outcome, r.problems) for r in report.rows]


def dry_run_then_commit(store: Store, path: Path, expected: list, **options):
    """A school's own file into a database that may not list its school yet (add_schools).
    The dry run reports `expected` and stores nothing; the commit stores exactly the new
    rows, in one transaction (one import entry in the log, one creation time)."""
    before = lookup.count_incidents(store)
    options.setdefault("add_schools", True)
    schools = school_names.names(store)
    dry = import_file(store, path, **options)
    assert outcomes(dry) == expected
    assert school_names.names(store) == schools  # a dry run adds no school either
    assert not dry.committed and dry.added == 0
    assert lookup.count_incidents(store) == before
    done = import_file(store, path, commit=True, **options)
    assert outcomes(done) == expected
    new = sum(outcome == "nieuw" for _, outcome, _ in expected)
    assert done.added == new
    assert lookup.count_incidents(store) == before + new
    with store.reading() as conn:
        entries = conn.execute(sa.select(audit).where(audit.c.action == "import")).all()
        stamps = set(
            conn.execute(sa.select(incidents.c.created_at).where(incidents.c.id > before)).scalars()
        )
    assert [json.loads(e.new_value)["added"] for e in entries] == [new]
    assert len(stamps) == 1
    return dry, done


def stored(store: Store) -> dict[tuple[str, date], dict]:
    """Every stored report, keyed by (first target pupil number, date of report)."""
    with store.reading() as conn:
        ids = conn.execute(sa.select(incidents.c.id)).scalars().all()
    found = {}
    for incident_id in ids:
        incident = lookup.get_incident(store, incident_id)
        target = next(p["pupil_number"] for p in incident["pupils"] if p["role"] == "target")
        found[target, incident["reported_on"]] = incident
    return found


def summary(incident: dict) -> tuple:
    """(school, group, platforms, forms, severity, reporter, status, handler)."""
    return (
        incident["school"],
        incident["group_name"],
        sorted(incident["platforms"]),
        sorted(incident["forms"]),
        incident["severity"],
        incident["reporter"],
        incident["status"],
        incident["handler"],
    )


# --- 1. primary school: Dutch Excel CSV, no School and no Behandelaar column ----------------

LINDE = "OBS De Linde"
REGISTER_1 = [
    "Datum melding;Datum voorval;Leerlingnummer;Groep;Platform;Vorm;Ernst;Omschrijving;"
    "Gemeld door;Status",
    # 2
    "07-10-2024;04-10-2024;204117;7;WhatsApp;Buitensluiten;2;"
    "Uit de klassenapp gezet na ruzie op het schoolplein;Ouder;Afgesloten",
    # 3
    "15-10-2024;;204230;8;Instagram;Foto’s delen zonder toestemming;3;"
    "Foto van de gymles op Instagram gezet met gemene tekst;Leerkracht;afgesloten",
    # 4: a combination group; a quoted cell with quotes in it
    "04-11-2024;01-11-2024;203988;7/8;whatsapp ;Bedreigen;4;"
    '"Bericht ""ik wacht je op na school"" in de groepsapp";moeder;In behandeling',
    # 5: groep 9 does not exist
    "18-11-2024;18-11-2024;204501;9;TikTok;Belachelijk maken;1;"
    "Dansje nagedaan en uitgelachen in een filmpje;Leerling;Nieuw",
    # 6: Ernst in words the school made up
    "02-12-2024;;204117;7;WhatsApp;Roddelen;heel erg;"
    '"Roddels over de thuissituatie; leerling erg overstuur";juf;in behandeling',
    # 7: a name where the pupil number goes
    "13-01-2025;10-01-2025;Sanne B.;8;Snapchat;Foto's delen zonder toestemming;3;"
    "Foto uit de kleedkamer doorgestuurd;Ouder;Nieuw",
    # 8: the incident two days after the report (typing error)
    "27-01-2025;29-01-2025;204777;8;Roblox;Buitensluiten;2;"
    "Mag niet meer meedoen in de game van de klas;Leerkracht;Nieuw",
    # 9
    "10-02-2025;;204318;5;WhatsApp;Roddelen, buitensluiten;1;"
    "Kletsen over nieuwe leerling in de groepsapp;Leerkracht;Afgesloten",
    # 10: 31 February
    "31-02-2025;28-02-2025;204642;6;Snapchat;Belachelijk maken;2;"
    "Foto met rare filter rondgestuurd;Ouder;Nieuw",
    # 11
    "17-03-2025;14-03-2025;204230;8 ;TikTok;Bedreigen;4;"
    "Dreigende reactie onder een filmpje;Anoniem;In behandeling",
    # 12
    "02-04-2025;;204905;6;Snapchat;Foto’s delen zonder toestemming;3;"
    "Foto zonder toestemming in verhaal gezet;ouder;Doorverwezen",
    # 13: an empty register line, as Excel writes it
    ";;;;;;;;;",
    # 14
    "12-05-2025;09-05-2025;204318;5;Instagram;Buitensluiten;2;"
    '"Niet uitgenodigd voor verjaardag, daarna ""loser"" eronder";Leerkracht;Afgesloten',
    # 15: groep 9 again
    "26-05-2025;;204811;9;WhatsApp;Roddelen;1;Roddelen over een klasgenoot;Ouder;Nieuw",
    # 16: row 2 entered a second time (same date, pupil, group, platform, form)
    "07-10-2024;04-10-2024;204117;7;WhatsApp;Buitensluiten;2;"
    "Zelfde melding, door moeder nog eens doorgegeven;Ouder;Afgesloten",
    # 17
    "16-06-2025;13-06-2025;204422;7/8;WhatsApp;Buitensluiten;3;"
    "Uit de groepsapp van de klas verwijderd;Leerkracht;Nieuw",
]
EXPECTED_1 = [
    (2, "nieuw", []),
    (3, "nieuw", []),
    (4, "nieuw", []),
    (5, "geweigerd", [("Groep of klas", f"onbekende waarde '9'; toegestaan: {GROEP_ALLOWED}")]),
    (6, "geweigerd", [("Ernst", f"onbekende waarde 'heel erg'; toegestaan: {SEVERITY_ALLOWED}")]),
    (7, "geweigerd", [("Leerlingnummer (leerling 1)", NOT_A_NUMBER)]),
    (8, "geweigerd", [("Datum voorval", "het voorval kan niet na de melding liggen")]),
    (9, "nieuw", []),
    (10, "geweigerd", [("Datum melding", BAD_DATE)]),
    (11, "nieuw", []),
    (12, "nieuw", []),
    (14, "nieuw", []),
    (15, "geweigerd", [("Groep of klas", f"onbekende waarde '9'; toegestaan: {GROEP_ALLOWED}")]),
    (16, "al aanwezig", []),
    (17, "nieuw", []),
]
# (pupil, date) -> (school, group, platforms, forms, severity, reporter, status, handler);
# Ernst 1–4 by equal thirds: 1 Licht, 2 Middel, 3 and 4 Ernstig.
STORED_1 = {
    ("204117", date(2024, 10, 7)): (
        LINDE, "groep 7", ["whatsapp"], ["exclusion"], "medium", "parent", "closed",
    ),
    ("204230", date(2024, 10, 15)): (
        LINDE, "groep 8", ["instagram"], ["sharing_images"], "high", "teacher", "closed",
    ),
    ("203988", date(2024, 11, 4)): (
        LINDE, "groep 7", ["whatsapp"], ["threats"], "high", "parent", "in_progress",
    ),
    ("204318", date(2025, 2, 10)): (
        LINDE, "groep 5", ["whatsapp"], ["exclusion", "gossip"], "low", "teacher", "closed",
    ),
    ("204230", date(2025, 3, 17)): (
        LINDE, "groep 8", ["tiktok"], ["threats"], "high", "anonymous", "in_progress",
    ),
    ("204905", date(2025, 4, 2)): (
        LINDE, "groep 6", ["snapchat"], ["sharing_images"], "high", "parent", "referred",
    ),
    ("204318", date(2025, 5, 12)): (
        LINDE, "groep 5", ["instagram"], ["exclusion"], "medium", "teacher", "closed",
    ),
    ("204422", date(2025, 6, 16)): (
        LINDE, "groep 7", ["whatsapp"], ["exclusion"], "high", "teacher", "new",
    ),
}  # fmt: skip
ROW_6_MAPPED = ("204117", date(2024, 12, 2))


@pytest.fixture
def register_1(tmp_path) -> Path:
    content = excel_csv(REGISTER_1)
    assert b"Foto\x92s" in content and b"\r\n" in content and not content.startswith(b"\xef")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really Windows-1252, as Dutch Excel writes it
    return write(tmp_path, "pestregistratie 2024-2025.csv", content)


@pytest.mark.parametrize("commit", [False, True])
def test_register_1_without_a_school_and_an_empty_database_asks_for_the_school(
    tmp_path, register_1, commit
):
    store = new_store(tmp_path)
    with pytest.raises(SchoolNeeded) as error:
        import_file(store, register_1, commit=commit)
    message = str(error.value)
    assert "--school" in message and "geen kolom School" in message
    assert str(register_1) in message and "bekend:" not in message
    assert error.value.known == []
    assert lookup.count_incidents(store) == 0


def test_register_1_with_two_schools_in_the_database_names_both(tmp_path, register_1):
    store = store_with_schools(tmp_path, LINDE, "OBS De Linde, locatie Zuid")
    with pytest.raises(SchoolNeeded) as error:
        import_file(store, register_1)
    assert sorted(error.value.known) == [LINDE, "OBS De Linde, locatie Zuid"]
    assert f"(bekend: {', '.join(error.value.known)})" in str(error.value)
    assert "--school" in str(error.value)
    assert lookup.count_incidents(store) == 2


def test_register_1_goes_to_the_only_school_only_when_it_is_confirmed(tmp_path, register_1):
    store = store_with_schools(tmp_path, LINDE)
    with pytest.raises(SchoolNeeded) as error:
        import_file(store, register_1, commit=True)
    assert error.value.known == [LINDE]
    assert (
        f"het bestand heeft geen kolom School; hoort het bij {LINDE} (de enige school op de "
        f"lijst)? Bevestig dat met --school '{LINDE}'; is het een andere school, voeg die toe "
        "met --school 'NAAM' --add-schools."
    ) in str(error.value)
    assert lookup.count_incidents(store) == 1
    dry, done = dry_run_then_commit(store, register_1, EXPECTED_1, default_school=LINDE)
    for report in (dry, done):
        assert not any("de enige school" in note for note in report.notes)
    incidents = stored(store)
    assert {
        key: summary(incident)[:7] for key, incident in incidents.items() if key in STORED_1
    } == STORED_1
    assert len(incidents) == 1 + len(STORED_1)
    assert {incident["school"] for incident in incidents.values()} == {LINDE}


def test_register_1_with_the_school_given(tmp_path, register_1):
    store = new_store(tmp_path)
    dry, done = dry_run_then_commit(store, register_1, EXPECTED_1, default_school=f" {LINDE} ")
    for report in (dry, done):
        assert not any("de enige school" in note for note in report.notes)
        assert SCALE_1_4 + GUESSED in report.notes
        assert HANDLER_NOTE.format("8 rijen") in report.notes
        assert (
            "2 rijen met een combinatiegroep: een combinatiegroep (zoals 7/8) telt als de "
            "laagste groep" in report.notes
        )
        assert report.unknown == {"Groep": {"9": 2}, "Ernst": {"heel erg": 1}}
        assert report.unknown_lines() == [
            f"Groep: '9' (2×) — toegestaan: {GROEP_ALLOWED}",
            f"Ernst: 'heel erg' (1×) — toegestaan: {SEVERITY_ALLOWED}",
        ]
        assert report.ignored_columns == []
    assert dry.summary() == "15 rijen: 8 zouden worden toegevoegd, 1 al aanwezig, 6 geweigerd."
    assert done.summary() == "15 rijen: 8 toegevoegd, 1 al aanwezig, 6 geweigerd."

    incidents = stored(store)
    assert {key: summary(incident) for key, incident in incidents.items()} == {
        key: (*values, IMPORT_HANDLER) for key, values in STORED_1.items()
    }
    first = incidents["204117", date(2024, 10, 7)]
    assert first["happened_on"] == date(2024, 10, 4)
    assert first["descriptions"][0]["text"] == "Uit de klassenapp gezet na ruzie op het schoolplein"
    threat = incidents["203988", date(2024, 11, 4)]
    assert threat["descriptions"][0]["text"] == (
        'Bericht "ik wacht je op na school" in de groepsapp'
    )
    assert incidents["204318", date(2025, 5, 12)]["descriptions"][0]["text"] == (
        'Niet uitgenodigd voor verjaardag, daarna "loser" eronder'
    )
    assert incidents["204230", date(2024, 10, 15)]["happened_on"] is None

    # The same file again adds nothing.
    again = import_file(store, register_1, commit=True, default_school=LINDE)
    assert again.added == 0 and lookup.count_incidents(store) == 8
    assert [r.row for r in again.rows if r.outcome == "al aanwezig"] == [
        2, 3, 4, 9, 11, 12, 14, 16, 17,
    ]  # fmt: skip
    assert not any("zonder behandelaar" in note for note in again.notes)


def test_register_1_a_value_map_names_the_schools_own_word(tmp_path, register_1):
    store = new_store(tmp_path)
    value_map = parse_value_map(["Ernst:heel erg=Ernstig"])
    expected = [
        (6, "nieuw", []) if row == 6 else (row, outcome, problems)
        for row, outcome, problems in EXPECTED_1
    ]
    dry, done = dry_run_then_commit(
        store, register_1, expected, default_school=LINDE, value_map=value_map
    )
    for report in (dry, done):
        assert report.unknown == {"Groep": {"9": 2}}
        assert HANDLER_NOTE.format("9 rijen") in report.notes
    incident = stored(store)[ROW_6_MAPPED]
    assert summary(incident) == (
        LINDE, "groep 7", ["whatsapp"], ["gossip"], "high", "teacher", "in_progress",
        IMPORT_HANDLER,
    )  # fmt: skip
    assert incident["descriptions"][0]["text"] == (
        "Roddels over de thuissituatie; leerling erg overstuur"
    )


# --- 2. secondary school: Excel "CSV UTF-8", klas notation, dates in words ------------------

BAKEN = "Het Baken College"
REGISTER_2 = [
    "School;Datum melding;Klas;Leerlingnummer;Leerlingnummer pester;Platform;Vorm;Ernst;"
    "Gemeld door;Behandelaar;Toelichting",
    # 2
    f"{BAKEN};3 oktober 2025;1;310245;310301;Snapchat;Roddelen;Middel;Mentor;Dhr. de Boer;"
    "Roddels in de snapgroep van de brugklas",
    # 3
    f"{BAKEN};7 oktober 2025;2 havo;309876;;Instagram;Nepaccount;Ernstig;Ouder;Mw. Yılmaz;"
    "Nepaccount op naam van leerling met gemene posts",
    # 4: trailing space after the school, no handler
    f"{BAKEN} ;14 oktober 2025;H2b;309912;309877;WhatsApp;Buitensluiten;licht;leerling;;"
    "Uit de klassenapp verwijderd",
    # 5
    f"{BAKEN};28 oktober 2025;2e klas;310455;;TikTok;Belachelijk maken;Middel;Docent;"
    "Mw. Yılmaz;Filmpje van presentatie op TikTok gezet",
    # 6: two pupils who bullied
    f"{BAKEN};12 nov. 2025;V4;307781;307790, 307795;Snapchat;"  # ',' needs no quotes
    "Foto's of filmpjes delen zonder toestemming;Ernstig;Mentor;Dhr. de Boer;"
    "Foto doorgestuurd naar de hele jaarlaag",
    # 7: no handler
    f"{BAKEN};19 nov. 2025;klas 3;308640;;Discord;Bedreiging;Zeer ernstig;Anoniem;;"
    "Dreigbericht via een Discord-server",
    # 8: a secondary school has no klas 7
    f"{BAKEN};2 december 2025;7;309999;;WhatsApp;Roddelen;Licht;Ouder;Dhr. de Boer;"
    "Roddels in de klassenapp",
    # 9: the school cell left empty
    ";9 december 2025;3 vwo;308111;;Instagram;Haatcampagne;Ernstig;Mentor;Mw. Yılmaz;"
    "Account opgezet om leerling zwart te maken",
    # 10: no date, words
    f"{BAKEN};na de herfstvakantie;4 havo;307712;;WhatsApp;Roddelen;Middel;Ouder;;"
    "Ouders belden over berichten",
    # 11: brugklas is klas 1
    f"{BAKEN};dinsdag 16 december 2025;Brugklas;310520;;Insta;uitschelden;zwaar;Docent;"
    "Mw. Yılmaz;Uitgescholden onder een foto",
    # 12: last school year
    f"{BAKEN};20 jan. 2025;5V;306001;306002;WhatsApp, Snapchat;Bedreigen;Ernstig;Mentor;"
    "Dhr. de Boer;Dreigende spraakberichten",
    # 13: a name in the pester column
    f"{BAKEN};27 januari 2025;3 vwo;308115;Jayden;TikTok;Belachelijk maken;Middel;Ouder;"
    "Dhr. de Boer;Filmpje met bijnaam",
    # 14: klas and number written together; no handler
    f"{BAKEN};3 februari 2025;Klas2b;309001;;TikTok;Roddelen;licht;Ouder;;Roddels in de reacties",
]
EXPECTED_2 = [
    (2, "nieuw", []),
    (3, "nieuw", []),
    (4, "nieuw", []),
    (5, "nieuw", []),
    (6, "nieuw", []),
    (7, "nieuw", []),
    (8, "geweigerd", [("Groep of klas", f"onbekende waarde '7'; toegestaan: {KLAS_ALLOWED}")]),
    (
        9,
        "geweigerd",
        [("School", f"{REQUIRED}; geef de school op voor het hele bestand (--school 'NAAM')")],
    ),
    (10, "geweigerd", [("Datum melding", BAD_DATE)]),
    (11, "nieuw", []),
    (12, "nieuw", []),
    (13, "geweigerd", [("Leerlingnummer (leerling 2)", NOT_A_NUMBER)]),
    (14, "nieuw", []),
]
STORED_2 = {
    ("310245", date(2025, 10, 3)): (
        BAKEN, "klas 1", ["snapchat"], ["gossip"], "medium", "mentor", "closed", "Dhr. de Boer",
    ),
    ("309876", date(2025, 10, 7)): (
        BAKEN, "klas 2", ["instagram"], ["impersonation"], "high", "parent", "closed", "Mw. Yılmaz",
    ),
    ("309912", date(2025, 10, 14)): (
        BAKEN, "klas 2", ["whatsapp"], ["exclusion"], "low", "pupil", "closed", IMPORT_HANDLER,
    ),
    ("310455", date(2025, 10, 28)): (
        BAKEN, "klas 2", ["tiktok"], ["ridicule"], "medium", "teacher", "closed", "Mw. Yılmaz",
    ),
    ("307781", date(2025, 11, 12)): (
        BAKEN, "klas 4", ["snapchat"], ["sharing_images"], "high", "mentor", "closed",
        "Dhr. de Boer",
    ),
    ("308640", date(2025, 11, 19)): (
        BAKEN, "klas 3", ["discord"], ["threats"], "high", "anonymous", "closed", IMPORT_HANDLER,
    ),
    ("310520", date(2025, 12, 16)): (
        BAKEN, "klas 1", ["instagram"], ["ridicule"], "high", "teacher", "closed", "Mw. Yılmaz",
    ),
    ("306001", date(2025, 1, 20)): (
        BAKEN, "klas 5", ["snapchat", "whatsapp"], ["threats"], "high", "mentor", "closed",
        "Dhr. de Boer",
    ),
    ("309001", date(2025, 2, 3)): (
        BAKEN, "klas 2", ["tiktok"], ["gossip"], "low", "parent", "closed", IMPORT_HANDLER,
    ),
}  # fmt: skip


@pytest.fixture
def register_2(tmp_path) -> Path:
    content = excel_csv(REGISTER_2, encoding="utf-8", bom=True)
    assert content.startswith(b"\xef\xbb\xbfSchool;") and "Yılmaz".encode() in content
    return write(tmp_path, "meldingen online pesten.csv", content)


def test_register_2_secondary_school_klas_notation_and_dates_in_words(tmp_path, register_2):
    store = new_store(tmp_path)
    dry, done = dry_run_then_commit(store, register_2, EXPECTED_2)
    for report in (dry, done):
        assert HANDLER_NOTE.format("3 rijen") in report.notes
        assert not any(note.startswith("Ernst") for note in report.notes)  # words: no scale
        assert report.unknown == {"Klas": {"7": 1}}
        assert report.unknown_lines() == [f"Klas: '7' (1×) — toegestaan: {KLAS_ALLOWED}"]
    incidents = stored(store)
    assert {key: summary(incident) for key, incident in incidents.items()} == STORED_2
    pupils = incidents["307781", date(2025, 11, 12)]["pupils"]
    assert sorted((p["pupil_number"], p["role"]) for p in pupils) == [
        ("307781", "target"),
        ("307790", "bully"),
        ("307795", "bully"),
    ]


def test_register_2_with_the_school_given_fills_only_the_empty_school_cell(tmp_path, register_2):
    store = new_store(tmp_path)
    expected = [(9, "nieuw", []) if r[0] == 9 else r for r in EXPECTED_2]
    dry_run_then_commit(store, register_2, expected, default_school="Het Baken, locatie Oost")
    schools = {key: incident["school"] for key, incident in stored(store).items()}
    assert schools.pop(("308111", date(2025, 12, 9))) == "Het Baken, locatie Oost"
    assert set(schools.values()) == {BAKEN}


# --- 3. a workbook saved by openpyxl: real dates and numbers ---------------------------------

KOMPAS = "Basisschool 't Kompas"


def register_3(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Meldingen 24-25"
    sheet.append(
        ["Datum", "Datum voorval", "School", "Groep", "Leerlingnummer", "Pester", "Platform"]
        + ["Vorm", "Ernst", "Melder", "Behandelaar", "Wat is er gebeurd?", "Status"]
    )
    rows = [
        # 2
        [datetime(2024, 9, 16), datetime(2024, 9, 13), KOMPAS, 6, 512034, 512101, "WhatsApp"]
        + ["Roddelen", 1, "Ouder", "Juf Marieke", "Roddels in de groepsapp", "Afgesloten"],
        # 3: a time of day in the date cell
        [datetime(2024, 10, 1, 10, 30), None, KOMPAS, 8, 512200, None, "TikTok"]
        + ["Belachelijk maken", 2, "Leerkracht", "Meester Rob", "Filmpje", "In behandeling"],
        # 4: a name typed where the number goes
        [datetime(2024, 11, 11), datetime(2024, 11, 8), KOMPAS, 7, "Daan", None, "Instagram"]
        + ["Buitensluiten", 2, "Ouder", "Juf Marieke", "Niet gevolgd terug", "Nieuw"],
        # 5: a group as text between numbers
        [datetime(2024, 12, 2), None, KOMPAS, "7b", 512310, None, "Snapchat"]
        + ["Foto's delen", 3, "Ouder", "Juf Marieke", "Foto doorgestuurd", "Nieuw"],
        # 6: nobody filled in who reported it: stored as 'Anders', and said
        [datetime(2025, 1, 20), None, KOMPAS, 5, 512400, 512401, "Discord"]
        + ["Bedreiging", 3, None, "Meester Rob", "Dreigbericht", "Nieuw"],
        # 7
        [datetime(2025, 2, 3), datetime(2025, 1, 31), KOMPAS, 4, 512555, None, "Roblox"]
        + ["Buitensluiten", 2, "Leerling", "Juf Marieke", "Niet mee laten doen", "Afgesloten"],
        # 8: an empty row
        [],
        # 9: a date typed as text, without a year
        ["10 maart", None, KOMPAS, 8, 512600, None, "WhatsApp"]
        + ["Roddelen", 1, "Ouder", "Meester Rob", "Roddels", "Nieuw"],
        # 10: a plain date cell and a number Excel kept as a decimal
        [date(2025, 6, 2), None, KOMPAS, 3, 512777.0, None, "YouTube"]
        + ["Belachelijk maken", 3, "Ouder", "Meester Rob", "Filmpje op YouTube", "Nieuw"],
    ]
    for values in rows:
        sheet.append(values)
    for cell in (*sheet["A"][1:], *sheet["B"][1:]):
        cell.number_format = "DD-MM-YYYY"
    path = tmp_path / "meldingen kompas.xlsx"
    book.save(path)
    check = openpyxl.load_workbook(path).active
    assert isinstance(check["A2"].value, datetime) and isinstance(check["E2"].value, int)
    assert isinstance(check["D2"].value, int) and isinstance(check["I2"].value, int)
    assert check["A9"].value == "10 maart" and check["A8"].value is None
    return path


def test_register_3_xlsx_with_real_dates_and_numbers(tmp_path):
    store = new_store(tmp_path)
    dry, done = dry_run_then_commit(
        store,
        register_3(tmp_path),
        [
            (2, "nieuw", []),
            (3, "nieuw", []),
            (4, "geweigerd", [("Leerlingnummer (leerling 1)", NOT_A_NUMBER)]),
            (5, "nieuw", []),
            (6, "nieuw", []),
            (7, "nieuw", []),
            (9, "geweigerd", [("Datum melding", BAD_DATE)]),
            (10, "nieuw", []),
        ],
    )
    for report in (dry, done):
        assert (
            "Ernst: schaal 1–3 gelezen als 1 = Licht, 2 = Middel, 3 = Ernstig" + GUESSED
            in report.notes
        )
        # A row without 'Gemeld door' is a history row like one without handler.
        assert "1 rij zonder 'Gemeld door': als melder staat er 'Anders'" in report.notes
        assert not any("zonder behandelaar" in note for note in report.notes)
        assert report.unknown == {}
    incidents = stored(store)
    assert {key: summary(incident) for key, incident in incidents.items()} == {
        ("512034", date(2024, 9, 16)): (
            KOMPAS, "groep 6", ["whatsapp"], ["gossip"], "low", "parent", "closed",
            "Juf Marieke",
        ),
        ("512200", date(2024, 10, 1)): (
            KOMPAS, "groep 8", ["tiktok"], ["ridicule"], "medium", "teacher", "in_progress",
            "Meester Rob",
        ),
        ("512310", date(2024, 12, 2)): (
            KOMPAS, "groep 7", ["snapchat"], ["sharing_images"], "high", "parent", "new",
            "Juf Marieke",
        ),
        ("512400", date(2025, 1, 20)): (
            KOMPAS, "groep 5", ["discord"], ["threats"], "high", "other", "new", "Meester Rob",
        ),
        ("512555", date(2025, 2, 3)): (
            KOMPAS, "groep 4", ["game_chat"], ["exclusion"], "medium", "pupil", "closed",
            "Juf Marieke",
        ),
        ("512777", date(2025, 6, 2)): (
            KOMPAS, "groep 3", ["youtube"], ["ridicule"], "high", "parent", "new", "Meester Rob",
        ),
    }  # fmt: skip
    first = incidents["512034", date(2024, 9, 16)]
    assert first["happened_on"] == date(2024, 9, 13)
    assert sorted((p["pupil_number"], p["role"]) for p in first["pupils"]) == [
        ("512034", "target"),
        ("512101", "bully"),
    ]


# --- 4. an Excel CSV with two rows typed by hand in Kladblok ---------------------------------

WEGWIJZER = "CBS De Wegwijzer"
REGISTER_4 = [
    "Datum melding;School;Groep;Leerlingnummer;Platform;Vorm;Ernst;Gemeld door;Behandelaar;"
    "Beschrijving",
    # 2
    f"09-09-2025;{WEGWIJZER};groep 6;601122;WhatsApp;Roddelen;Middel;Ouder;Mw. Kaya;"
    "Roddels in de klassenapp",
    # 3: Excel quoted the cell with a ';'
    f"16-09-2025;{WEGWIJZER};groep 8;601340;Snapchat;Bedreiging;Ernstig;Leerkracht;Dhr. Smit;"
    '"Dreigbericht via Snapchat; ouders zijn ingelicht"',
    # 4: typed in Kladblok: the ';' in the description makes an eleventh cell
    f"23-09-2025;{WEGWIJZER};groep 7;601201;TikTok;Belachelijk maken;Middel;Leerling;Mw. Kaya;"
    "Filmpje doorgestuurd; daarna ook op school uitgelachen",
    # 5: Excel quoted a cell with a line break (Alt+Enter) in it: still one spreadsheet row
    f"30-09-2025;{WEGWIJZER};groep 5;601455;Instagram;Buitensluiten;Licht;Ouder;Dhr. Smit;"
    '"Niet toegelaten in de groepschat.\nMoeder heeft gebeld."',
    # 6: typed in Kladblok without the Behandelaar: nine cells
    f"07-10-2025;{WEGWIJZER};groep 8;601340;WhatsApp;Roddelen;Middel;Ouder;"
    "Roddels na de bedreiging",
    # 7
    f"14-10-2025;{WEGWIJZER};groep 6;601122;Discord;Foto’s delen zonder toestemming;Ernstig;"
    "Leerkracht;Mw. Kaya;Foto gedeeld op Discord",
    # 8
    f"21-10-2025;{WEGWIJZER};groep 7;601201;WhatsApp;Uitschelden;Middel;Ouder;Dhr. Smit;"
    "Uitgescholden in de groepsapp",
]
MISFIT = (
    "deze rij heeft {} cellen, {} dan de 10 kolommen van de kop; controleer of een ';' of ',' "
    "in een cel tussen aanhalingstekens staat"
)


def test_register_4_a_ragged_row_is_refused_alone_and_a_quoted_separator_is_fine(tmp_path):
    content = excel_csv(REGISTER_4)
    assert content.count(b"\r\n") == 8 and b"schat.\nMoeder" in content
    path = write(tmp_path, "meldingen wegwijzer.csv", content)
    store = new_store(tmp_path)
    dry, done = dry_run_then_commit(
        store,
        path,
        [
            (2, "nieuw", []),
            (3, "nieuw", []),
            (4, "geweigerd", [("Rij", MISFIT.format(11, "meer"))]),
            (5, "nieuw", []),
            (6, "geweigerd", [("Rij", MISFIT.format(9, "minder"))]),
            (7, "nieuw", []),
            (8, "nieuw", []),
        ],
    )
    assert done.refused() == [
        f"rij 4: Rij: {MISFIT.format(11, 'meer')}",
        f"rij 6: Rij: {MISFIT.format(9, 'minder')}",
    ]
    incidents = stored(store)
    assert sorted(incidents) == [
        ("601122", date(2025, 9, 9)),
        ("601122", date(2025, 10, 14)),
        ("601201", date(2025, 10, 21)),
        ("601340", date(2025, 9, 16)),
        ("601455", date(2025, 9, 30)),
    ]
    texts = {key: incident["descriptions"][0]["text"] for key, incident in incidents.items()}
    assert texts["601340", date(2025, 9, 16)] == "Dreigbericht via Snapchat; ouders zijn ingelicht"
    assert (
        texts["601455", date(2025, 9, 30)]
        == "Niet toegelaten in de groepschat.\nMoeder heeft gebeld."
    )
    assert incidents["601340", date(2025, 9, 16)]["handler"] == "Dhr. Smit"
    assert incidents["601122", date(2025, 10, 14)]["forms"] == ["sharing_images"]
    assert incidents["601201", date(2025, 10, 21)]["forms"] == ["ridicule"]


# --- 5. LibreOffice Calc: one ja/nee column per platform -------------------------------------

WERELDBOOM = "IKC De Wereldboom"
REGISTER_5 = [
    "Datum melding,Leerlingnummer,Groep,WhatsApp,Instagram,TikTok,Snapchat,Vorm,Ernst (1-5),"
    "Gemeld door,Behandelaar,Beschrijving",
    # 2
    "03-10-25,701010,groep8,ja,nee,nee,nee,Roddelen,2,Ouder,Juf Ilse,Roddels in de groepsapp",
    # 3: 3 on a 1–5 scale is Middel, also when no 5 was written yet
    "10-10-25,701022,Gr. 6,,x,,,Belachelijk maken,3,Leerkracht,Meester Joost,"
    "Gemene reacties onder een foto",
    # 4
    '17-10-25,701035,7A,Ja,,X,,"Buitensluiten, roddelen",4,Ouder,Juf Ilse,'
    '"Uit de groep gezet, daarna over haar gepraat"',
    # 5: no platform ticked
    "24-10-25,701041,groep 5,nee,nee,nee,nee,Roddelen,1,Leerling,Meester Joost,"
    "Niet duidelijk op welk platform",
    # 6: 'ja ' with a space; no handler
    "31-10-25,701050,8,,,,ja ,Bedreigen,4,Anoniem,,Dreigbericht via Snapchat",
    # 7
    "07-11-25,701010,groep8,x,,,x,Foto's delen zonder toestemming,4,Ouder,Juf Ilse,"
    "Foto doorgestuurd",
    # 8: 6 on a 1–5 scale
    "14-11-25,701066,groep 3,ja,nee,nee,nee,Roddelen,6,Ouder,Juf Ilse,Roddels over een meisje",
]


def test_register_5_one_column_per_platform(tmp_path):
    content = "".join(f"{line}\n" for line in REGISTER_5).encode("utf-8")
    assert b"\r" not in content and not content.startswith(b"\xef")
    path = write(tmp_path, "registratie.csv", content)
    store = new_store(tmp_path)
    with pytest.raises(SchoolNeeded):
        import_file(store, path)
    dry, done = dry_run_then_commit(
        store,
        path,
        [
            (2, "nieuw", []),
            (3, "nieuw", []),
            (4, "nieuw", []),
            (5, "geweigerd", [("Platforms", REQUIRED)]),
            (6, "nieuw", []),
            (7, "nieuw", []),
            (8, "geweigerd", [("Ernst", f"onbekende waarde '6'; toegestaan: {SEVERITY_ALLOWED}")]),
        ],
        default_school=WERELDBOOM,
    )
    for report in (dry, done):
        assert report.ignored_columns == []
        assert (
            "Ernst (1-5): schaal 1–5 gelezen als 1 = Licht, 2–3 = Middel, 4–5 = Ernstig"
            in report.notes
        )
        assert HANDLER_NOTE.format("1 rij") in report.notes
        assert report.unknown == {"Ernst (1-5)": {"6": 1}}
    assert {key: summary(incident) for key, incident in stored(store).items()} == {
        ("701010", date(2025, 10, 3)): (
            WERELDBOOM, "groep 8", ["whatsapp"], ["gossip"], "medium", "parent", "closed",
            "Juf Ilse",
        ),
        ("701022", date(2025, 10, 10)): (
            WERELDBOOM, "groep 6", ["instagram"], ["ridicule"], "medium", "teacher", "closed",
            "Meester Joost",
        ),
        ("701035", date(2025, 10, 17)): (
            WERELDBOOM, "groep 7", ["tiktok", "whatsapp"], ["exclusion", "gossip"], "high",
            "parent", "closed", "Juf Ilse",
        ),
        ("701050", date(2025, 10, 31)): (
            WERELDBOOM, "groep 8", ["snapchat"], ["threats"], "high", "anonymous", "closed",
            IMPORT_HANDLER,
        ),
        ("701010", date(2025, 11, 7)): (
            WERELDBOOM, "groep 8", ["snapchat", "whatsapp"], ["sharing_images"], "high",
            "parent", "closed", "Juf Ilse",
        ),
    }  # fmt: skip


# --- the command line ------------------------------------------------------------------------


def test_cli_register_1_with_map_value_and_school(tmp_path, register_1):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    args = ["import", str(register_1), "--db", url, "--school", LINDE, "--add-schools"]
    args += ["--map-value", "Ernst:heel erg=Ernstig"]
    dry = cli(*args)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert "Niet herkende waarden (koppel ze met --map-value 'KOLOM:WAARDE=ONZE WAARDE'):" in lines
    unknown = [line for line in lines if "— toegestaan:" in line]
    assert unknown == [f"    Groep: '9' (2×) — toegestaan: {GROEP_ALLOWED}"]
    assert f"Let op: {SCALE_1_4}{GUESSED}." in lines
    assert "15 rijen: 9 zouden worden toegevoegd, 1 al aanwezig, 5 geweigerd." in lines
    assert "rij 6: geweigerd" not in lines and "rij 5: geweigerd" in lines
    assert lookup.count_incidents(Store(url)) == 0

    done = cli(*args, "--commit")
    assert done.returncode == 0, done.stderr
    assert "15 rijen: 9 toegevoegd, 1 al aanwezig, 5 geweigerd." in done.stdout.splitlines()
    store = Store(url)
    assert lookup.count_incidents(store) == 9
    assert set(stored(store)) == {*STORED_1, ROW_6_MAPPED}


def test_cli_register_1_without_school_is_one_dutch_line(tmp_path, register_1):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    done = cli("import", str(register_1), "--db", url, "--commit")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    named = [line for line in lines if "--school" in line]
    assert len(named) == 1
    assert (
        "het bestand heeft geen kolom School; er staat nog geen school op de lijst: geef de "
        "school van dit bestand op en voeg haar toe met --school 'NAAM' --add-schools."
    ) in named[0]
    assert lines[-1] == named[0]  # the message is the last thing said
    assert lookup.count_incidents(Store(url)) == 0


# --- the readings the registers above needed -------------------------------------------------


@pytest.mark.parametrize(
    ("header", "text", "group"),
    [
        ("Groep", "groep8", "groep 8"),
        ("Groep", "Groep7", "groep 7"),
        ("Groep", "jaargroep6", "groep 6"),
        ("Groep", "gr7", "groep 7"),
        ("Klas", "Klas2b", "klas 2"),
        ("Klas", "klas3", "klas 3"),
        ("Klas", "Brugklas", "klas 1"),
        ("Klas", "brugklas havo", "klas 1"),
        ("Klas", "7", None),
        ("Groep", "groep9", None),
        ("Groep", "groepje", None),
    ],
)
def test_a_group_written_together_with_its_number(header, text, group):
    column = recognise.GroupColumn.from_header(header)
    assert recognise.recognise_group(text, column)[0] == group


@pytest.mark.parametrize(
    ("header", "cells", "scale"),
    [
        ("Ernst (1-5)", ["1", "2", "3"], 5),
        ("Ernst 1 t/m 4", ["1", "2"], 4),
        ("Ernst", ["1", "2", "4"], 4),
        ("Ernst", ["1", "2"], 3),
        ("Ernst", ["licht", "zwaar"], None),
    ],
)
def test_a_severity_header_that_names_its_scale(header, cells, scale):
    assert Column.of(header, "severity", pd.Series(cells)).scale == scale


# --- what a new user met in the first hour ---------------------------------------------------


def small_register(tmp_path, header: str, rows: list[str], name: str = "r.csv") -> Path:
    """A Dutch Excel CSV (cp1252, ';', CRLF) from lines written as a school writes them."""
    path = tmp_path / name
    path.write_bytes("\r\n".join([header, *rows, ""]).encode("cp1252"))
    return path


def test_a_dry_run_says_how_each_own_word_was_read(tmp_path):
    path = small_register(
        tmp_path,
        "Datum;Leerling;Klas;Via;Soort;Ernst;Afgehandeld door",
        [
            "03-10-2024;10251;3;Whatsap;Schelden;2;IB Anja",
            "04-10-2024;10252;3;Snapchat;Schelden;4;IB Anja",
            "05-10-2024;10253;2 havo;Insta;foto's delen;1;IB Anja",
        ],
    )
    report = import_file(new_store(tmp_path), path, default_school=LINDE, add_schools=True)
    assert [r.outcome for r in report.rows] == ["nieuw"] * 3
    lines = report.reading_lines()
    # A primary school that calls its column 'Klas' sees at once that 3 became klas 3.
    assert "Klas: '3' → klas 3 (2×), '2 havo' → klas 2 (1×)" in lines
    assert (
        "Soort: 'Schelden' → Belachelijk maken, grappen uithalen (2×), "
        "'foto's delen' → Foto's of filmpjes delen zonder toestemming (1×)"
    ) in lines
    assert any(line.startswith("Via: 'Whatsap' → WhatsApp (1×)") for line in lines)
    assert any(line.startswith("Ernst: '2' → Middel (1×)") for line in lines)
    # No 'Gemeld door' column: the rows are history rows, said once.
    assert "3 rijen zonder 'Gemeld door': als melder staat er 'Anders'" in report.notes


def test_a_map_that_names_nothing_is_refused_not_ignored(tmp_path):
    path = small_register(
        tmp_path,
        "Datum melding;Nummer;Groep;Platform;Vorm;Ernst",
        ["03-10-2024;10251;7;TikTok;Roddelen;2"],
    )
    store = new_store(tmp_path)
    school_names.add(store, LINDE, "test")
    with pytest.raises(ImportFileError, match="geen kolom met leerlingnummers"):
        import_file(store, path, default_school=LINDE)
    with pytest.raises(ImportFileError, match="'Onzinveld' is geen veld van pestdata; kies uit"):
        import_file(store, path, default_school=LINDE, mapping={"Nummer": "Onzinveld"})
    with pytest.raises(ImportFileError, match="het bestand heeft geen kolom 'Leerling'"):
        import_file(store, path, default_school=LINDE, mapping={"Leerling": "Leerlingnummer"})
    with pytest.raises(ImportFileError, match="--map-value voor kolom 'staus'"):
        import_file(
            store,
            path,
            default_school=LINDE,
            mapping={"Nummer": "Leerlingnummer"},
            value_map=parse_value_map(["Staus:open=Nieuw"]),
        )
    done = import_file(
        store, path, default_school=LINDE, mapping={"Nummer": "Betrokken leerlingen"}
    )
    assert [r.outcome for r in done.rows] == ["nieuw"]
    assert lookup.count_incidents(store) == 0  # still a dry run


def test_one_odd_severity_does_not_change_the_scale_and_excel_dates_in_a_group(tmp_path):
    path = small_register(
        tmp_path,
        "Datum melding;Leerlingnummer;Groep;Platform;Vorm;Ernst",
        [
            "03-10-2024;10251;7;TikTok;Roddelen;3",
            "04-10-2024;10252;2024-06-05;TikTok;Roddelen;0",  # Excel made '5/6' into 5 June
            "05-10-2024;10253;8;TikTok;Roddelen;5",
        ],
    )
    report = import_file(new_store(tmp_path), path, default_school=LINDE, add_schools=True)
    assert [(r.row, r.outcome) for r in report.rows] == [
        (2, "nieuw"),
        (3, "geweigerd"),
        (4, "nieuw"),
    ]
    assert report.rows[1].problems == [
        ("Ernst", f"onbekende waarde '0'; toegestaan: {SEVERITY_ALLOWED}")
    ]
    assert any(note.startswith("Ernst: schaal 1–5") for note in report.notes)
    groups = next(line for line in report.reading_lines() if line.startswith("Groep:"))
    assert "'2024-06-05' → groep 5 (1×)" in groups  # the lowest of 5/6, as for '5/6' itself
