"""A school's history imported the way it really comes: statuses, dates handled and
everyday phrases in the school's own columns, and a corrected file imported again.

Three registers, each written in the bytes the program that makes it writes:

A. a primary school's Excel register saved as "CSV (gescheiden door lijstscheidingsteken)":
   Windows-1252, ';', CRLF, Dutch month names, "Afgehandeld ja/nee" and "Opgelost op" columns,
   no Ernst column and no School column;
B. a secondary school's workbook (openpyxl): real date cells and a date cell that lost its
   format (a day number), a "Wat gebeurde er" column of short phrases, a "Stand van zaken"
   and a "Datum afgehandeld" column;
C. a register of LibreOffice "Tekst CSV" (UTF-8, ',', LF) with no status and no severity
   column, over three school years.

Rows from before this school year have fixed dates; rows of this school year are dated back
from today (clock.today()), so every expectation holds whenever the suite runs. Row numbers
are the spreadsheet's (the header is row 1); every outcome was worked out from the file by
hand.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from helpers import cli, incidents_by_target

from pestdata.core import clock, recognise
from pestdata.core.choices import OPEN_STATUSES, Severity
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents
from pestdata.incidents import lookup
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters
from pestdata.registers import export
from pestdata.registers.importer import import_file

TODAY = clock.today()
THIS_YEAR = clock.SchoolYear.of(TODAY)
IB = "Mw. de Vries (IB)"


def this_year(days_ago: int) -> date:
    """A day of this school year, `days_ago` before today (never before 1 August)."""
    return max(THIS_YEAR.start, TODAY - timedelta(days=days_ago))


def in_words(day: date) -> str:
    """'3 maart 2025', as a register writes a date in words."""
    return f"{day.day} {clock.MONTH_NAMES[day.month - 1]} {day.year}"


def new_store(tmp_path: Path, name: str = "t") -> Store:
    return Store(f"sqlite:///{tmp_path}/{name}.sqlite").ensure_schema()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def excel_csv(lines: list[str]) -> bytes:
    """Dutch Excel's CSV: Windows-1252, CRLF after every record."""
    return "".join(f"{line}\r\n" for line in lines).encode("cp1252")


def outcomes(report) -> list[tuple[int, str]]:
    return [(r.row, r.outcome) for r in report.rows]


def refused(report) -> dict[int, list[tuple[str, str]]]:
    return {r.row: r.problems for r in report.rows if r.outcome == "geweigerd"}


by_pupil = incidents_by_target  # tests/helpers.py


def states(store: Store) -> dict[str, tuple[str, date | None, str]]:
    """pupil -> (status, date handled, severity)."""
    return {
        pupil: (stored["status"], stored["resolved_on"], stored["severity"])
        for pupil, stored in by_pupil(store).items()
    }


def overdue(store: Store) -> dict[str, bool]:
    """pupil -> overdue today, by the one definition the list and the overview share."""
    flags = lookup.overdue_flags(TODAY)
    with store.reading() as conn:
        found = dict(conn.execute(sa.select(incidents.c.id, flags.any)).all())
    return {pupil: bool(found[stored["id"]]) for pupil, stored in by_pupil(store).items()}


def check_overdue(store: Store) -> None:
    """No closed or resolved history row is overdue; the overview counts the open ones only."""
    late = overdue(store)
    open_values = {s.value for s in OPEN_STATUSES}
    status = {pupil: state[0] for pupil, state in states(store).items()}
    assert not [p for p, is_late in late.items() if is_late and status[p] not in open_values]
    figures = key_figures(store, Filters(today=TODAY))
    assert figures["overdue_cases"] == sum(late.values())
    assert figures["open_cases"] == sum(s in open_values for s in status.values())


def import_updates(store: Store) -> list[tuple[int, str, str | None, str | None, str]]:
    """(report, field, old, new, actor) of every correction made by an import."""
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(audit).where(audit.c.action == "import_update").order_by(audit.c.id)
        ).all()
    return [(r.incident_id, r.field, r.old_value, r.new_value, r.actor) for r in rows]


# --- the words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "form"),
    [
        ("Buitengesloten uit de groepsapp", "exclusion"),
        ("buitensluiten", "exclusion"),
        ("Buitensluiting", "exclusion"),
        ("Uitgesloten van het feestje", "exclusion"),
        ("Nepaccount aangemaakt", "impersonation"),
        ("Bedreigd in een privébericht", "threats"),
        ("Bedreiging", "threats"),
        ("Gedreigd met klappen", "threats"),
        ("Uitschelden in de chat", "ridicule"),
        ("Uitgescholden", "ridicule"),
        ("schelden", "ridicule"),
        ("Scheldwoorden onder een foto", None),  # two forms named: no guess
        ("Filmpje doorgestuurd zonder te vragen", "sharing_images"),
        ("Mag niet meer meedoen met de game", "exclusion"),
        ("Gezeur over huiswerk", None),
    ],
)
def test_a_phrase_is_read_by_the_word_that_carries_its_meaning(phrase, form):
    assert recognise.recognise("forms", phrase) == form


@pytest.mark.parametrize(
    ("word", "same"),
    [
        ("buitengesloten", "buitensluiten"),
        ("bedreigd", "bedreiging"),
        ("bedreigingen", "bedreigen"),
        ("uitgescholden", "uitschelden"),
        ("gescholden", "schelden"),
        ("afgehandeld", "afhandeling"),
        ("genegeerd", "negeren"),
        ("filmpjes", "filmpje"),
    ],
)
def test_inflections_meet_in_one_stem(word, same):
    assert recognise.stem(word) == recognise.stem(same)


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Afgehandeld ja/nee", "done"),
        ("Afgehandeld?", "done"),
        ("Klaar", "done"),
        ("Melding afgerond (j/n)", "done"),
        ("Nog open?", "open"),
        ("Status", "status"),
        ("Stand van zaken", "status"),
        ("Opgelost op", "resolved_on"),
        ("Datum afgehandeld", "resolved_on"),
        ("Afsluitdatum", "resolved_on"),
        ("Afgehandeld door", None),  # the handler, not the handling
        ("Opmerking afhandeling", None),
    ],
)
def test_columns_about_the_handling_are_known_by_their_everyday_header(header, target):
    assert recognise.handling_column(header) == target


def test_unknown_severity_is_shown_as_such_and_not_offered_for_a_new_report():
    assert Severity.UNKNOWN.label == "Onbekend"
    assert ("Onbekend", "unknown") not in Severity.choices()
    assert recognise.recognise("severity", "onbekend") == "unknown"
    assert recognise.allowed("severity") == ["Licht", "Middel", "Ernstig"]


# --- A. a primary school's Excel CSV: "Afgehandeld ja/nee" and "Opgelost op" ---------------------

WILGENHOEK = "OBS De Wilgenhoek"
A_HEADER = (
    "Datum;Leerling nr.;Groep;Via;Vorm van pesten;Gemeld door;Afgehandeld ja/nee;Opgelost op;"
    "Notitie"
)


def register_a(corrected: bool = False) -> list[str]:
    """The primary school's register; `corrected`: as the school sends it again after
    checking it (rows 4, 8 and 12 filled in, row 3's date handled written down)."""
    recent, recent2 = this_year(20), this_year(10)
    return [
        A_HEADER,
        # 2: ja, with its date in words
        "7-10-2024;204117;7;WhatsApp;Buitensluiten;Ouder;ja;14 oktober 2024;Gesprek met ouders",
        # 3: Ja without a date: handled on the day of the report (corrected: on 18 October)
        "15-10-2024;204230;8;Instagram;Uitschelden;Leerkracht;Ja;"
        + ("18-10-2024" if corrected else "")
        + ";",
        # 4: nee: still open (corrected: handled on 20 January)
        "4 november 2024;203988;7/8;WhatsApp;Bedreigd;moeder;"
        + ("ja;20 januari 2025" if corrected else "nee;")
        + ";Loopt via de wijkagent",
        # 5: x, the date as dd-mm-jjjj
        "02-12-2024;204501;6;TikTok;Roddelen;Leerling;x;20-12-2024;",
        # 6: the ja/nee cell left empty, a date handled: handled
        "13-1-2025;204318;5;Snapchat;Foto’s delen;Ouder;;3 februari 2025;Foto’s verwijderd, café",
        # 7: j, the date as d-m-jjjj
        "27-01-2025;204777;8;Roblox;Buitengesloten;Leerkracht;j;1-2-2025;",
        # 8: nee, and yet a date handled: asked (corrected: ja)
        "10 feb 2025;204642;6;WhatsApp;Uitgelachen;Ouder;"
        + ("ja" if corrected else "nee")
        + ";12-02-2025;",
        # 9: nothing about the handling, last school year: history, closed
        "17-03-2025;204233;8;TikTok;Gedreigd;Anoniem;;;",
        # 10: handled before it was reported: refused
        "2-4-2025;204905;6;Snapchat;Nepaccount;ouder;ja;31-03-2025;",
        # 11: JA, the date handled a day number (a date cell that lost its format)
        "12 mei 2025;204319;5;Instagram;Roddels;Leerkracht;JA;45800;",
        # 12: this school year, nee: open (corrected: ja, handled today)
        f"{recent:%d-%m-%Y};204422;7;WhatsApp;Buitensluiten;Leerkracht;"
        + (f"ja;{TODAY:%d-%m-%Y}" if corrected else "nee;")
        + ";",
        # 13: this school year, nothing about the handling: new
        f"{in_words(recent2)};204423;8;Discord;Schelden;Ouder;;;",
        # 14: an empty line, as Excel writes it
        ";;;;;;;;",
        # 15: row 2 entered a second time
        "7-10-2024;204117;7;WhatsApp;Buitensluiten;Ouder;ja;14 oktober 2024;Nog eens",
    ]


A_REFUSED = {
    8: [
        (
            "Datum opgelost",
            "er staat een datum afgehandeld (12-02-2025), maar de status is 'Nieuw'; is de "
            "melding afgehandeld of niet?",
        )
    ],
    10: [("Datum opgelost", "de melding kan niet vóór het melden opgelost zijn")],
}


@pytest.fixture
def file_a(tmp_path) -> Path:
    content = excel_csv(register_a())
    assert b"Foto\x92s" in content and b"caf\xe9" in content  # really Windows-1252
    return write(tmp_path, "pestregistratie basisschool.csv", content)


def test_register_a_afgehandeld_ja_nee_and_opgelost_op(tmp_path, file_a):
    store = new_store(tmp_path)
    options = {"default_school": WILGENHOEK, "add_schools": True, "actor": IB}
    dry = import_file(store, file_a, **options)
    assert lookup.count_incidents(store) == 0
    done = import_file(store, file_a, commit=True, **options)
    expected = [
        *[(n, "nieuw") for n in (2, 3, 4, 5, 6, 7)],
        (8, "geweigerd"),
        (9, "nieuw"),
        (10, "geweigerd"),
        *[(n, "nieuw") for n in (11, 12, 13)],
        (15, "al aanwezig"),
    ]
    for report in (dry, done):
        assert outcomes(report) == expected
        assert refused(report) == A_REFUSED
        assert report.ignored_columns == ["Notitie"]
        assert report.unknown == {}
    assert done.added == 10 and done.count("geweigerd") == 2
    readings = dict(line.split(": ", 1) for line in done.reading_lines())
    assert readings["Afgehandeld ja/nee"] == (
        "'ja' → Afgesloten (3×), 'nee' → Nieuw (3×), 'Ja' → Afgesloten (1×), "
        "'x' → Afgesloten (1×), 'j' → Afgesloten (1×), 'JA' → Afgesloten (1×)"
    )
    assert (
        "Het bestand heeft geen kolom Ernst (10 rijen): als ernst staat er 'Onbekend'; kies "
        "anders --severity licht, middel of ernstig"
    ) in done.notes
    assert (
        "2 rijen zonder status: 1 rij van vóór dit schooljaar "
        f"({THIS_YEAR.label}) is 'Afgesloten' (oude meldingen, niet achterstallig); 1 rij "
        "uit dit schooljaar is 'Nieuw'. Kies anders voor alle rijen zonder status: "
        "--history-status afgesloten of --history-status nieuw"
    ) in done.notes
    assert (
        "2 rijen afgehandeld zonder datum: als datum afgehandeld staat er de datum van melding"
    ) in done.notes
    assert states(store) == {
        "204117": ("closed", date(2024, 10, 14), "unknown"),
        "204230": ("closed", date(2024, 10, 15), "unknown"),
        "203988": ("new", None, "unknown"),
        "204501": ("closed", date(2024, 12, 20), "unknown"),
        "204318": ("closed", date(2025, 2, 3), "unknown"),
        "204777": ("closed", date(2025, 2, 1), "unknown"),
        "204233": ("closed", date(2025, 3, 17), "unknown"),
        "204319": ("closed", date(2025, 5, 23), "unknown"),
        "204422": ("new", None, "unknown"),
        "204423": ("new", None, "unknown"),
    }
    # Closed history is never overdue; the open row of 2024 is, as the file says it is open.
    check_overdue(store)
    assert overdue(store)["203988"] is True
    assert not any(
        late for pupil, late in overdue(store).items() if states(store)[pupil][0] == "closed"
    )
    # The case view and the care team's export say 'Onbekend'.
    stored = by_pupil(store)["204117"]
    assert ("Ernst", ["Onbekend"]) in lookup.incident_details(stored)
    frame = export.export_frame(store, Filters(today=TODAY))
    assert set(frame["Ernst"]) == {"Onbekend"}


def test_register_a_corrected_and_imported_again_with_update(any_store, tmp_path, file_a):
    store = any_store  # SQLite, and PostgreSQL with PESTDATA_TEST_PG
    options = {"default_school": WILGENHOEK, "add_schools": True}
    import_file(store, file_a, commit=True, actor=IB, **options)
    ids = {pupil: stored["id"] for pupil, stored in by_pupil(store).items()}
    before = states(store)
    late_before = overdue(store)
    corrected = write(
        tmp_path, "pestregistratie basisschool (nagekeken).csv", excel_csv(register_a(True))
    )

    # Without --update: the differences are counted and pointed out, nothing changes.
    plain = import_file(store, corrected, **options)
    assert plain.count("bijgewerkt") == 0
    assert (
        "3 rijen al aanwezig met een andere status, ernst of datum afgehandeld; werk ze bij "
        "met --update (een proefdraai toont per rij wat er verandert)"
    ) in plain.notes

    # The dry run lists the changes per row and stores nothing.
    dry = import_file(store, corrected, update=True, **options)
    changes = {r.row: r.changes for r in dry.rows if r.outcome == "bijgewerkt"}
    assert changes == {
        3: [("Datum opgelost", "15-10-2024", "18-10-2024")],
        4: [("Status", "Nieuw", "Afgesloten"), ("Datum opgelost", "—", "20-01-2025")],
        12: [("Status", "Nieuw", "Afgesloten"), ("Datum opgelost", "—", clock.nl_date(TODAY))],
    }
    assert dict(outcomes(dry))[8] == "nieuw"  # corrected: now handled, no longer refused
    assert dry.summary() == (
        "13 rijen: 1 zouden worden toegevoegd, 3 zouden worden bijgewerkt, 8 al aanwezig, "
        "1 geweigerd."
    )
    assert states(store) == before and import_updates(store) == []

    # The commit stores them: one audit row per change, naming the person acting.
    done = import_file(store, corrected, commit=True, update=True, actor=IB, **options)
    assert {r.row: r.changes for r in done.rows if r.outcome == "bijgewerkt"} == changes
    assert done.added == 1 and done.updated == 3
    after = states(store)
    assert after["203988"] == ("closed", date(2025, 1, 20), "unknown")
    assert after["204230"] == ("closed", date(2024, 10, 18), "unknown")
    assert after["204422"] == ("closed", TODAY, "unknown")
    assert after["204642"] == ("closed", date(2025, 2, 12), "unknown")
    unchanged = set(before) - {"203988", "204230", "204422"}
    assert {p: after[p] for p in unchanged} == {p: before[p] for p in unchanged}
    assert import_updates(store) == [
        (ids["204230"], "resolved_on", "2024-10-15", "2024-10-18", IB),
        (ids["203988"], "status", "new", "closed", IB),
        (ids["203988"], "resolved_on", None, "2025-01-20", IB),
        (ids["204422"], "status", "new", "closed", IB),
        (ids["204422"], "resolved_on", None, TODAY.isoformat(), IB),
    ]
    with store.reading() as conn:
        files = conn.execute(sa.select(audit.c.new_value).where(audit.c.action == "import"))
        summaries = [json.loads(v) for v in files.scalars()]
    assert [(s["added"], s.get("updated")) for s in summaries] == [(10, None), (1, 3)]
    # The case's timeline says what the import changed, and who imported it.
    stored = lookup.get_incident(store, ids["203988"])
    lines = [
        (e.what, e.who) for e in lookup.timeline(stored, lookup.audit_entries(store, stored["id"]))
    ]
    assert ("Bijgewerkt uit import: Status: Nieuw → Afgesloten", IB) in lines
    # The open row of 2024 was overdue; closed now, it no longer is.
    assert late_before["203988"] and not overdue(store)["203988"]
    check_overdue(store)

    # A third import of the corrected file changes nothing more.
    again = import_file(store, corrected, update=True, **options)
    assert again.count("bijgewerkt") == 0 and again.count("al aanwezig") == 12


# --- B. a secondary school's workbook: "Wat gebeurde er", "Stand van zaken" ----------------------

ZUIDERLICHT = "Het Zuiderlicht College"
B_HEADER = [
    "Vestiging",
    "Datum melding",
    "Klas",
    "Leerlingnr",
    "Waar",
    "Wat gebeurde er",
    "Ernst",
    "Stand van zaken",
    "Datum afgehandeld",
    "Mentor",
]


def register_b(path: Path, corrected: bool = False) -> Path:
    """The workbook as openpyxl writes it: dates as date cells, one date cell that lost its
    format (45940, 10 October 2025), a date typed as text."""
    recent = this_year(15)
    rows = [
        # 2
        [ZUIDERLICHT, date(2025, 9, 15), "2 havo", 512001, "WhatsApp",
         "Buitengesloten uit de groepsapp", "Middel", "Afgerond", date(2025, 9, 30), "Dhr. Okafor"],
        # 3: the date handled as a day number
        [ZUIDERLICHT, date(2025, 10, 2), "H3a", 512002, "Instagram", "Nepaccount aangemaakt",
         "Ernstig", "afgerond", 45940, "Mw. Visser"],
        # 4: referred, still open (corrected: closed)
        [ZUIDERLICHT, date(2025, 11, 5), "1B", 512003, "Snapchat",
         "Bedreigd in een privébericht", "Ernstig",
         "Afgerond" if corrected else "Doorverwezen", date(2026, 1, 9) if corrected else None,
         "Dhr. Okafor"],
        # 5: no severity (corrected: Licht)
        [ZUIDERLICHT, date(2026, 1, 12), "4 vwo", 512004, "Discord", "Uitschelden in de chat",
         "Licht" if corrected else None, "Loopt nog", None, "Mw. Visser"],
        # 6: the date handled typed as text
        [ZUIDERLICHT, date(2026, 2, 3), "V5", 512005, "TikTok",
         "Filmpje doorgestuurd zonder te vragen", "Middel", "klaar", "3 maart 2026", None],
        # 7: the date in the status cell
        [ZUIDERLICHT, date(2026, 3, 9), "2 mavo", 512006, "Snapchat", "Roddels verspreid",
         "Licht", "afgerond op 20 maart 2026", None, "Mw. Visser"],
        # 8: not yet
        [ZUIDERLICHT, date(2026, 4, 14), "3 havo", 512007, "Instagram", "Uitgelachen om kleding",
         "Middel", "nog niet afgerond", None, "Dhr. Okafor"],
        # 9: a phrase that names no form
        [ZUIDERLICHT, date(2026, 5, 6), "4 havo", 512008, "WhatsApp", "Gezeur over huiswerk",
         "Licht", "Afgerond", date(2026, 5, 8), "Mw. Visser"],
        # 10: this school year, no status
        [ZUIDERLICHT, recent, "1 havo", 512009, "WhatsApp", "Buitengesloten bij het samenwerken",
         "Middel", None, None, "Mw. Visser"],
        # 11: handled before it was reported
        [ZUIDERLICHT, date(2026, 6, 1), "2 havo", 512010, "TikTok", "Bedreiging", "Ernstig",
         "Afgerond", date(2026, 5, 29), "Dhr. Okafor"],
    ]  # fmt: skip
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Meldingen 2025-2026"
    sheet.append(B_HEADER)
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def test_register_b_secondary_workbook_with_phrases_and_stand_van_zaken(any_store, tmp_path):
    store = any_store  # SQLite, and PostgreSQL with PESTDATA_TEST_PG
    path = register_b(tmp_path / "meldingen zuiderlicht.xlsx")
    dry = import_file(store, path, add_schools=True)
    done = import_file(store, path, add_schools=True, commit=True, actor=IB)
    for report in (dry, done):
        assert outcomes(report) == [
            *[(n, "nieuw") for n in range(2, 9)],
            (9, "geweigerd"),
            (10, "nieuw"),
            (11, "geweigerd"),
        ]
        assert refused(report)[11] == [
            ("Datum opgelost", "de melding kan niet vóór het melden opgelost zijn")
        ]
        assert refused(report)[9][0][0] == "Vormen van pesten"
        assert refused(report)[9][0][1].startswith("onbekende waarde 'Gezeur over huiswerk'")
        assert report.ignored_columns == ["Mentor"]
        assert report.proposed_columns == {"Wat gebeurde er": "forms"}
        assert (
            "Kolom 'Wat gebeurde er' gelezen als 'Vorm' (9 van 10 waarden herkend); klopt dat "
            "niet, koppel dan zelf een kolom met --map 'KOLOM=Vorm'"
        ) in report.notes
        assert (
            "1 rij zonder ernst: als ernst staat er 'Onbekend'; kies anders --severity "
            "licht, middel of ernstig" in report.notes
        )
    readings = dict(line.split(": ", 1) for line in done.reading_lines())
    assert (
        "'Buitengesloten uit de groepsapp' → Buitensluiten uit een groep (1×)"
        in readings["Wat gebeurde er"]
    )
    assert "'Loopt nog' → In behandeling (1×)" in readings["Stand van zaken"]
    found = by_pupil(store)
    assert {
        p: (c["status"], c["resolved_on"], c["severity"], c["forms"]) for p, c in found.items()
    } == {
        "512001": ("closed", date(2025, 9, 30), "medium", ["exclusion"]),
        "512002": ("closed", date(2025, 10, 10), "high", ["impersonation"]),
        "512003": ("referred", None, "high", ["threats"]),
        "512004": ("in_progress", None, "unknown", ["ridicule"]),
        "512005": ("closed", date(2026, 3, 3), "medium", ["sharing_images"]),
        "512006": ("closed", date(2026, 3, 20), "low", ["gossip"]),
        "512007": ("new", None, "medium", ["ridicule"]),
        "512009": ("new", None, "medium", ["exclusion"]),
    }
    check_overdue(store)

    # The school corrects its workbook: row 4 handled, row 5 given a severity.
    corrected = register_b(tmp_path / "meldingen zuiderlicht (2).xlsx", corrected=True)
    update = import_file(store, corrected, add_schools=True, commit=True, update=True, actor=IB)
    assert {r.row: r.changes for r in update.rows if r.outcome == "bijgewerkt"} == {
        4: [("Status", "Doorverwezen", "Afgesloten"), ("Datum opgelost", "—", "09-01-2026")],
        5: [("Ernst", "Onbekend", "Licht")],
    }
    assert update.updated == 2 and update.added == 0
    assert [(f, old, new) for _, f, old, new, _ in import_updates(store)] == [
        ("status", "referred", "closed"),
        ("resolved_on", None, "2026-01-09"),
        ("severity", "unknown", "low"),
    ]
    check_overdue(store)


# --- C. no status and no severity column --------------------------------------------------------

C_HEADER = "Meldingsdatum,Gepeste leerling,Groep,Kanaal,Soort pesten,Melder"


def register_c(corrected: bool = False) -> bytes:
    """LibreOffice Calc's "Tekst CSV": UTF-8 without BOM, ',', LF, dd-mm-jj. `corrected`:
    the school adds a status and an Ernst column."""
    lines = [
        "12-09-24,601001,groep 6,WhatsApp,Roddelen,Ouder",
        "03-02-25,601002,groep 8,TikTok,Buitensluiten,Leerkracht",
        "17-06-25,601003,groep 7,Snapchat,Bedreigen,Anoniem",
        "06-10-25,601004,groep 5,Instagram,Belachelijk maken,Leerling",
        f"{this_year(30):%d-%m-%y},601005,groep 8,WhatsApp,Nepaccount,Ouder",
        f"{this_year(5):%d-%m-%y},601006,groep 7,Discord,Uitgescholden,Leerkracht",
    ]
    if not corrected:
        return "".join(f"{line}\n" for line in [C_HEADER, *lines]).encode("utf-8")
    extra = [  # status, Ernst
        ",Licht",  # says nothing about the status: stays as imported
        "loopt nog,Middel",  # it was not over after all
        ",Ernstig",
        ",",
        "afgerond,Middel",
        ",",
    ]
    rows = [f"{line},{more}" for line, more in zip(lines, extra, strict=True)]
    return "".join(f"{line}\n" for line in [f"{C_HEADER},Status,Ernst", *rows]).encode("utf-8")


def test_register_c_without_status_and_severity_columns(any_store, tmp_path):
    store = any_store  # SQLite, and PostgreSQL with PESTDATA_TEST_PG
    path = write(tmp_path, "meldingen.csv", register_c())
    options = {"default_school": "IKC Het Anker", "add_schools": True}
    dry = import_file(store, path, **options)
    assert outcomes(dry) == [(n, "nieuw") for n in range(2, 8)]
    assert (
        "Het bestand heeft geen kolom voor de status (zoals 'Status' of 'Afgehandeld ja/nee'): "
        f"4 rijen van vóór dit schooljaar ({THIS_YEAR.label}) worden 'Afgesloten' (oude "
        "meldingen, niet achterstallig); 2 rijen uit dit schooljaar blijven 'Nieuw'. Kies "
        "anders voor alle rijen zonder status: --history-status afgesloten of "
        "--history-status nieuw"
    ) in dry.notes
    assert (
        "Het bestand heeft geen kolom Ernst (6 rijen): als ernst staat er 'Onbekend'; kies "
        "anders --severity licht, middel of ernstig"
    ) in dry.notes
    assert (
        "4 rijen afgehandeld zonder datum: als datum afgehandeld staat er de datum van melding"
    ) in dry.notes
    import_file(store, path, commit=True, actor=IB, **options)
    assert states(store) == {
        "601001": ("closed", date(2024, 9, 12), "unknown"),
        "601002": ("closed", date(2025, 2, 3), "unknown"),
        "601003": ("closed", date(2025, 6, 17), "unknown"),
        "601004": ("closed", date(2025, 10, 6), "unknown"),
        "601005": ("new", None, "unknown"),
        "601006": ("new", None, "unknown"),
    }
    check_overdue(store)
    assert not any(overdue(store)[p] for p in ("601001", "601002", "601003", "601004"))

    # Corrected: a status and an Ernst column. Only what the file says changes.
    corrected = write(tmp_path, "meldingen (nagekeken).csv", register_c(corrected=True))
    done = import_file(store, corrected, commit=True, update=True, actor=IB, **options)
    assert {r.row: r.changes for r in done.rows if r.outcome == "bijgewerkt"} == {
        2: [("Ernst", "Onbekend", "Licht")],
        3: [
            ("Status", "Afgesloten", "In behandeling"),
            ("Ernst", "Onbekend", "Middel"),
            ("Datum opgelost", "03-02-2025", "—"),
        ],
        4: [("Ernst", "Onbekend", "Ernstig")],
        6: [
            ("Status", "Nieuw", "Afgesloten"),
            ("Ernst", "Onbekend", "Middel"),
            ("Datum opgelost", "—", clock.nl_date(this_year(30))),
        ],
    }
    assert dict(outcomes(done))[5] == "al aanwezig" and dict(outcomes(done))[7] == "al aanwezig"
    assert len(import_updates(store)) == 8
    assert states(store)["601002"] == ("in_progress", None, "medium")
    check_overdue(store)


def test_register_c_on_the_command_line_with_a_chosen_status_and_severity(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.sqlite"
    path = write(tmp_path, "meldingen.csv", register_c())
    base = ["import", "--db", db, str(path), "--school", "IKC Het Anker", "--add-schools"]
    dry = cli(*base)
    assert dry.returncode == 0, dry.stderr
    assert (
        f"Let op: Het bestand heeft geen kolom voor de status (zoals 'Status' of 'Afgehandeld "
        f"ja/nee'): 4 rijen van vóór dit schooljaar ({THIS_YEAR.label}) worden 'Afgesloten'"
    ) in dry.stdout
    chosen = cli(*base, "--history-status", "nieuw", "--severity", "middel", "--commit", "--by", IB)
    assert chosen.returncode == 0, chosen.stderr
    assert "Let op: 6 rijen zonder status zijn 'Nieuw' (gekozen met --history-status)." in (
        chosen.stdout
    )
    assert (
        "Let op: Het bestand heeft geen kolom Ernst (6 rijen): als ernst staat er 'Middel' "
        "(gekozen met --severity)."
    ) in chosen.stdout
    store = Store(db)
    assert {s for s, _, _ in states(store).values()} == {"new"}
    assert {v for _, _, v in states(store).values()} == {"medium"}

    # The corrected file: the dry run lists the changes per row; the commit audits them.
    corrected = write(tmp_path, "meldingen (nagekeken).csv", register_c(corrected=True))
    again = ["import", "--db", db, str(corrected), "--school", "IKC Het Anker", "--update"]
    listed = cli(*again)
    assert listed.returncode == 0, listed.stderr
    assert "rij 3: bijgewerkt\n    Status: Nieuw → In behandeling\n" in listed.stdout
    assert "rij 6: bijgewerkt\n    Status: Nieuw → Afgesloten\n" in listed.stdout
    assert "Dit was een proefdraai; niets opgeslagen." in listed.stdout
    assert import_updates(store) == []
    stored = cli(*again, "--commit", "--by", IB)
    assert stored.returncode == 0, stored.stderr
    assert {actor for *_, actor in import_updates(store)} == {IB}
    bad = cli(*base, "--history-status", "misschien")
    assert bad.returncode != 0 and "--history-status" in bad.stderr


# --- a column proposed, not taken ---------------------------------------------------------------


def test_a_column_that_only_may_hold_forms_is_proposed_and_read_once_mapped(tmp_path):
    """Three of five phrases are forms: not sure enough to read the column unasked; the dry
    run proposes it, and --map reads it. A long description is never taken for forms."""
    lines = [
        "Datum melding;Leerlingnummer;Groep;Platform;Wat speelde er;Verslag",
        "12-11-2024;701001;groep 6;WhatsApp;Buitengesloten;"
        "Leerling werd bedreigd en buitengesloten in de groepsapp van de klas, ouders gebeld",
        "19-11-2024;701002;groep 7;TikTok;Ruzie na de gymles;",
        "26-11-2024;701003;groep 8;Snapchat;Foto doorgestuurd;",
        "03-12-2024;701004;groep 6;WhatsApp;Gedoe;",
        "10-12-2024;701005;groep 5;Instagram;Uitgescholden;",
    ]
    path = write(tmp_path, "register.csv", excel_csv(lines))
    store = new_store(tmp_path)
    options = {"default_school": "De Klimop", "add_schools": True}
    dry = import_file(store, path, **options)
    assert (
        "Kolom 'Wat speelde er' lijkt 'Vorm' te zijn (3 van 5 waarden herkend); gebruik "
        "--map 'Wat speelde er=Vorm'"
    ) in dry.notes
    assert dry.proposed_columns == {"Wat speelde er": "forms"}
    assert dry.ignored_columns == ["Wat speelde er", "Verslag"]
    assert {r.problems[0] for r in dry.rows} == {("Vormen van pesten", "dit veld is verplicht")}
    mapped = import_file(store, path, mapping={"Wat speelde er": "Vorm"}, **options)
    assert outcomes(mapped) == [
        (2, "nieuw"),
        (3, "geweigerd"),
        (4, "nieuw"),
        (5, "geweigerd"),
        (6, "nieuw"),
    ]
    assert mapped.unknown == {"Wat speelde er": {"Ruzie na de gymles": 1, "Gedoe": 1}}
