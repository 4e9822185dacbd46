"""Large files: a stated size limit with a Dutch message for each way in, an .xlsx checked
for what it unpacks to before it is parsed, and a register read as a stream.

Memory is measured as a resource bound, not a time: the peak resident memory of a
`pestdata import` child process (ru_maxrss from wait4), or of Python's own allocations
(tracemalloc) for a refusal inside this process.
"""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import sys
import tempfile
import tracemalloc
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import TIMEOUT, serious
from made_files import dutch_date, zip_bomb

from pestdata.cli.main import main
from pestdata.core.markup import number
from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.registers import import_result, importer, reading
from pestdata.registers.importer import import_file
from pestdata.registers.reading import MAX_FILE_BYTES, MAX_UPLOAD_BYTES, ImportFileError
from pestdata.school import school_names

SCHOOL = "OBS De Linde"
HEADER = (
    "Datum melding;Datum voorval;Leerlingnummer;Pester;Groep;Platform;Vorm;Ernst (1-4);"
    "Omschrijving;Gemeld door;Status"
)
TEXTS = [
    "Uit de klassenapp gezet na ruzie op het schoolplein",
    '"Bericht ""ik wacht je op"" in de groepsapp; ouders gebeld"',
    '"Roddels over de thuissituatie;\r\nleerling erg overstuur"',
    "Foto’s van de gymles gedeeld met gemene tekst",
]


def register_lines(rows: int, seed: int = 1) -> list[str]:
    """A school's register as Dutch Excel saves it: dates in Dutch words and in dd-mm-jjjj,
    quoted cells with ';', '"' and a line break, now and then a row typed by hand with a
    cell too many (n % 997 == 500), a pupil number where a name was typed (n % 1009 == 7)
    and a report written twice (n % 1013 == 9 repeats the row before it)."""
    pick = random.Random(seed).choice
    offsets = random.Random(seed + 1)
    lines = [HEADER]
    for n in range(rows):
        reported = date(2024, 8, 19) + timedelta(days=offsets.randrange(320))
        cells = [
            dutch_date(reported, n),
            dutch_date(reported - timedelta(days=offsets.randrange(5)), n + 1) if n % 3 else "",
            "Daan" if n % 1009 == 7 else str(200000 + n),
            str(900000 + n % 5000) if n % 4 == 0 else "",
            pick(["3", "4", "5", "6", "7", "8", "7/8", "gr7", "6b"]),
            pick(["WhatsApp", "whatsapp ", "Instagram", "TikTok", "Snapchat"]),
            pick(["Buitensluiten", "Bedreigen", "Foto’s delen zonder toestemming", "Roddelen"]),
            str(1 + n % 4),
            pick(TEXTS),
            pick(["Ouder", "moeder", "Leerkracht", "juf", "Leerling", "Anoniem"]),
            pick(["Nieuw", "In behandeling", "Afgesloten", "Doorverwezen"]),
        ]
        if n % 997 == 500:
            cells.append("x")
        lines.append(";".join(cells))
        if n % 1013 == 9:
            lines.append(lines[-1])
    return lines


def expected_counts(rows: int) -> tuple[int, int, int]:
    """(nieuw, al aanwezig, geweigerd) of register_lines(rows), from its rules."""
    refused = {n for n in range(rows) if n % 997 == 500 or n % 1009 == 7}
    twice = {n for n in range(rows) if n % 1013 == 9}
    return rows - len(refused), len(twice - refused), len(refused) + len(twice & refused)


def register(path: Path, rows: int, line_end: str = "\r\n") -> Path:
    path.write_bytes("".join(f"{ln}{line_end}" for ln in register_lines(rows)).encode("cp1252"))
    return path


def new_store(tmp_path: Path, name: str = "t") -> Store:
    return Store(f"sqlite:///{tmp_path}/{name}.sqlite").ensure_schema()


# A child's ru_maxrss counts the memory of the process it was started from (Linux keeps the
# high-water mark of the address space exec replaces): a small Python starts the command,
# so that the figure is the command's own.
MEASURE = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); "
    "_, status, usage = os.wait4(child.pid, 0); "
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); "
    "sys.exit(os.waitstatus_to_exitcode(status))"
)


def peak_of_cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """`pestdata ARGS` as its own process; its output and its peak memory in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        command = [sys.executable, "-m", "pestdata.cli", *args]
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(peak), *command], capture_output=True, text=True
        )
        return done, int(peak.read_text()) / 1024  # Linux: kilobytes


# --- a stated limit for each way in ---------------------------------------------------------


def test_the_limits_are_stated_and_the_upload_limit_fits_the_websocket():
    assert (MAX_UPLOAD_BYTES, MAX_FILE_BYTES) == (20_000_000, 200_000_000)
    assert reading.megabytes(MAX_UPLOAD_BYTES) == "20 MB"
    assert reading.megabytes(3_456_789) == "3,5 MB"
    # The server lets an upload of the limit through, envelope included (server.py).
    assert reading.UPLOAD_MESSAGE_BYTES > MAX_UPLOAD_BYTES + 1_000_000


def test_an_upload_over_its_limit_is_refused_in_dutch_and_nothing_stored(tmp_path):
    store = new_store(tmp_path)
    content = "\r\n".join(register_lines(10)).encode("cp1252")
    raw = content + b" " * (MAX_UPLOAD_BYTES + 1 - len(content))
    with pytest.raises(ImportFileError) as refused:
        import_file(store, Path("register.csv"), raw=raw, commit=True, default_school=SCHOOL)
    assert str(refused.value) == (
        "register.csv: dit bestand is 20,1 MB; een upload mag hoogstens 20 MB zijn. Splits het "
        "bestand (bijvoorbeeld per schooljaar) of laat de beheerder het importeren met "
        "'pestdata import'."
    )
    assert lookup.count_incidents(store) == 0
    # At the limit itself it is read.
    report = import_file(
        store, Path("register.csv"), raw=raw[:-1], default_school=SCHOOL, add_schools=True
    )
    assert report.count("nieuw") == expected_counts(10)[0] == 9  # row 9 holds a name


def test_the_cli_refuses_a_file_over_its_limit_in_dutch(tmp_path):
    path = tmp_path / "alles.csv"
    with path.open("wb") as out:  # sparse: 200 MB on paper, nothing on disk
        out.write(("\r\n".join(register_lines(3)) + "\r\n").encode("cp1252"))
        out.truncate(MAX_FILE_BYTES + 1_500_000)
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    done, peak = peak_of_cli("import", str(path), "--db", url, "--school", SCHOOL, "--commit")
    assert done.returncode == 1
    assert (
        f"{path}: dit bestand is 201,5 MB; een import mag hoogstens 200 MB zijn. Splits het "
        "bestand, bijvoorbeeld per schooljaar." in done.stderr
    )
    assert lookup.count_incidents(Store(url)) == 0
    assert peak < 300


# --- an .xlsx is checked for what it unpacks to, before it is parsed -----------------------


def test_a_zip_bomb_is_refused_before_it_is_parsed(tmp_path):
    bomb = zip_bomb(tmp_path / "meldingen.xlsx", 300)
    assert bomb.stat().st_size < 2_000_000
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) > 299_000_000
    store = new_store(tmp_path)
    for raw in (None, bomb.read_bytes()):  # from disk (the CLI), and as an upload
        tracemalloc.start()
        try:
            with pytest.raises(ImportFileError) as refused:
                import_file(store, bomb, raw=raw, commit=True, default_school=SCHOOL)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert f"{bomb}: dit Excel-bestand pakt uit tot meer dan 100 keer zijn eigen grootte" in (
            str(refused.value)
        )
        assert re.search(r"\(xl/worksheets/sheet1\.xml: 30\d MB\)", str(refused.value))
        assert peak < 5_000_000  # never unpacked: the zip's directory is all that is read
    assert lookup.count_incidents(store) == 0


def test_a_zip_bomb_through_the_cli_keeps_memory_bounded(tmp_path):
    bomb = zip_bomb(tmp_path / "meldingen.xlsx", 400)
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    done, peak = peak_of_cli("import", str(bomb), "--db", url, "--school", SCHOOL, "--commit")
    assert done.returncode == 1
    assert "dit Excel-bestand pakt uit tot meer dan 100 keer zijn eigen grootte" in done.stderr
    assert "Sla het opnieuw op in Excel, of als CSV." in done.stderr
    assert peak < 500  # today's 6 GB before it was stopped
    assert lookup.count_incidents(Store(url)) == 0


ROWS_IN_BOOK = 4000


def test_an_ordinary_workbook_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    """A workbook that packs like a real one (no bomb), but unpacks past the limit (made
    small here, so that the test writes megabytes, not hundreds: 4,000 rows, 2.6 MB unpacked;
    each row is read twice, once to survey the columns and once to store)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for cells in csv.reader(io.StringIO("\r\n".join(register_lines(ROWS_IN_BOOK))), delimiter=";"):
        sheet.append(cells)
    path = tmp_path / "register.xlsx"
    book.save(path)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert unpacked > 1_000_000 and unpacked < 20 * path.stat().st_size  # packs as Excel's do
    store = new_store(tmp_path)
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1_000_000)
    with pytest.raises(ImportFileError) as refused:
        import_file(store, path, default_school=SCHOOL)
    assert str(refused.value) == (
        f"{path}: uitgepakt is dit Excel-bestand {reading.megabytes(unpacked)}; de grens is "
        "1 MB. Splits het bestand (bijvoorbeeld per schooljaar) of sla het op als CSV."
    )
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 200_000_000)
    report = import_file(store, path, default_school=SCHOOL, add_schools=True)
    # A sheet has no row with a cell too many: only the names typed as numbers are refused.
    names = {n for n in range(ROWS_IN_BOOK) if n % 1009 == 7}
    twice = {n for n in range(ROWS_IN_BOOK) if n % 1013 == 9}
    assert report.counts == {
        "nieuw": ROWS_IN_BOOK - len(names),
        "al aanwezig": len(twice - names),
        "geweigerd": len(names) + len(twice & names),
    }
    assert report.ignored_columns == ["kolom 12"]  # the cell typed by hand right of the table


# --- read as a stream -----------------------------------------------------------------------


LARGE_REGISTER = {"quick": 20_000, "full": 100_000}


@pytest.mark.stress
def test_a_large_register_is_read_with_bounded_memory(tmp_path, size):
    """100,000 rows (13 MB; 20,000 in a quick run): the peak stays near that of a ten-row
    file. Reading the whole file into a DataFrame of strings peaked at 499 MB here (3.9 GB at
    a million); streaming grows 16 MB at 20,000 rows and 26 MB at 100,000."""
    rows = LARGE_REGISTER[size]
    path = register(tmp_path / "pestregistratie.csv", rows)
    small = register(tmp_path / "tien-rijen.csv", 10)
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    _, small_peak = peak_of_cli(
        "import", str(small), "--db", url, "--school", SCHOOL, "--add-schools"
    )
    done, peak = peak_of_cli("import", str(path), "--db", url, "--school", SCHOOL, "--add-schools")
    assert done.returncode == 0, done.stderr
    new, present, refused = expected_counts(rows)
    assert (
        f"{number(new + present + refused)} rijen: {number(new)} zouden worden toegevoegd, "
        f"{number(present)} al aanwezig, {number(refused)} geweigerd." in done.stdout
    )
    assert peak - small_peak < 60, (peak, small_peak)
    assert peak < 250, peak
    assert lookup.count_incidents(Store(url)) == 0


def outcomes(report) -> list[tuple[int, str]]:
    return [(r.row, r.outcome) for r in report.rows]


def test_a_register_read_in_chunks_gives_every_row_its_outcome(tmp_path, monkeypatch, any_url):
    """Chunks of 7 rows, 40 rows in detail, 25 refused rows with their reasons: a report
    written twice across a chunk's edge is 'al aanwezig' there too, a commit stores exactly
    the new rows in one transaction, and the counts hold every row."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    monkeypatch.setattr(import_result, "DETAIL_ROWS", 40)
    monkeypatch.setattr(import_result, "REFUSED_IN_DETAIL", 25)
    lines = register_lines(60)  # rows 2–62: row 9 refused ('Daan'), row 12 is row 11 again
    lines[20] = lines[20].replace(";", ";x;", 1)  # row 21: a cell too many
    lines.append(lines[3])  # row 63: row 4 again, five chunks later
    lines += [ln.replace("2000", "Jan ", 1) for ln in lines[30:60]]  # rows 64–93: names
    path = tmp_path / "register.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    url = any_url  # SQLite and PostgreSQL
    store = Store(url).ensure_schema()
    school_names.add(store, SCHOOL, "test")
    dry = import_file(store, path, default_school=SCHOOL)
    assert dry.counts == {"nieuw": 58, "al aanwezig": 2, "geweigerd": 32}
    assert dry.summary() == "92 rijen: 58 zouden worden toegevoegd, 2 al aanwezig, 32 geweigerd."
    # Rows 2–41 in detail (two of them refused), then refused rows up to 25 in all.
    assert [r.row for r in dry.rows] == list(range(2, 42)) + list(range(64, 87))
    expected = {2: "nieuw", 9: "geweigerd", 11: "nieuw", 12: "al aanwezig", 21: "geweigerd"}
    assert {row: o for row, o in outcomes(dry) if row in expected} == expected
    assert dry.rows[19].problems[0][1].startswith("deze rij heeft 12 cellen, meer dan de 11")
    assert dry.refused()[-1] == (
        "en nog 7 rijen geweigerd (alleen de eerste 25 staan hier met hun reden)"
    )
    done = import_file(store, path, default_school=SCHOOL, commit=True)
    assert outcomes(done) == outcomes(dry) and done.counts == dry.counts
    assert done.added == lookup.count_incidents(store) == 58
    again = import_file(store, path, default_school=SCHOOL, commit=True)
    assert again.counts == {"al aanwezig": 60, "geweigerd": 32} and again.added == 0
    assert lookup.count_incidents(store) == 58
    # The command line says the same, with a line for the refused rows it does not name.
    result = CliRunner().invoke(main, ["import", str(path), "--db", url, "--school", SCHOOL])
    assert result.exit_code == 0, result.output
    assert "rij 86: geweigerd" in result.output and "rij 87:" not in result.output
    assert "en nog 7 rijen geweigerd (alleen de eerste 25 staan hier met hun reden)" in (
        result.output
    )
    assert "92 rijen: 0 zouden worden toegevoegd, 60 al aanwezig, 32 geweigerd." in result.output


def test_line_ends_do_not_change_what_is_read(tmp_path):
    """CRLF (Excel), LF (LibreOffice) and CR alone (an old Mac): the same rows, with a
    line break inside a quoted cell kept."""
    store = new_store(tmp_path)
    school_names.add(store, SCHOOL, "test")
    reports = [
        import_file(store, register(tmp_path / f"r{n}.csv", 3000, end), default_school=SCHOOL)
        for n, end in enumerate(["\r\n", "\n", "\r"])
    ]
    first = reports[0]
    assert first.counts == {"nieuw": 2994, "al aanwezig": 3, "geweigerd": 6}
    for report in reports[1:]:
        assert outcomes(report) == outcomes(first)
        assert report.counts == first.counts and report.readings == first.readings
        assert report.notes == first.notes


def test_a_second_column_with_the_same_name_keeps_its_own_cells(tmp_path):
    content = (
        "Datum melding;Leerlingnummer;Groep;Platform;Vorm;Ernst;Groep\r\n"
        "03-10-2024;10251;7;TikTok;Roddelen;2;klas 2\r\n"
    ).encode("cp1252")
    store = new_store(tmp_path)
    report = import_file(
        store, Path("r.csv"), raw=content, default_school=SCHOOL, add_schools=True, commit=True
    )
    assert report.ignored_columns == ["Groep (2)"]
    assert lookup.get_incident(store, 1)["group_name"] == "groep 7"


def test_an_excel_cell_right_of_the_header_is_an_ignored_column(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Datum melding", "Leerlingnummer", "Groep", "Platform", "Vorm", "Ernst"])
    sheet.append([datetime(2024, 10, 3), 10251, 7, "TikTok", "Roddelen", 2, None, "bellen!"])
    buffer = io.BytesIO()
    book.save(buffer)
    store = new_store(tmp_path)
    report = import_file(
        store, Path("r.xlsx"), raw=buffer.getvalue(), default_school=SCHOOL, add_schools=True
    )
    assert report.ignored_columns == ["kolom 8"]
    assert outcomes(report) == [(2, "nieuw")]


# --- the care team's page -------------------------------------------------------------------


def transfer_on(tmp_path):
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.transfer.import_tab import ImportTab

    store = new_store(tmp_path)
    school_names.add(store, SCHOOL, "test")
    return store, ImportTab(store, Actor(Person("mevr. Import", "zorgteam")))


def test_the_page_reads_a_file_the_browser_sent(tmp_path):
    store, transfer = transfer_on(tmp_path)
    content = ("\r\n".join(register_lines(5)) + "\r\n").encode("cp1252")
    assert transfer.upload.limit == MAX_UPLOAD_BYTES
    transfer.upload._received(
        transfer.upload, {"kind": "bestand", "name": "r.csv", "size": len(content)}, [content]
    )
    assert "Dit bestand noemt geen school" in transfer.outcome.value  # chosen, never assumed
    transfer.school.value = SCHOOL
    assert "5 rijen: 5 zouden worden toegevoegd" in transfer.outcome.value
    assert not transfer.commit.disabled
    transfer.run(commit=True)
    assert lookup.count_incidents(store) == 5


def test_the_page_refuses_a_file_over_the_limit_in_dutch(tmp_path):
    store, transfer = transfer_on(tmp_path)
    content = ("\r\n".join(register_lines(5)) + "\r\n").encode("cp1252")
    transfer.upload.value = ({"name": "r.csv", "size": len(content), "content": content,
                              "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)  # fmt: skip
    transfer.school.value = SCHOOL  # the file names no school: chosen, never assumed
    assert not transfer.commit.disabled
    # The browser refuses a larger file before sending it; the page forgets the last one.
    transfer.upload._received(
        transfer.upload, {"kind": "te groot", "name": "groot.csv", "size": 31_000_000}, []
    )
    assert transfer.commit.disabled and transfer.outcome.value == "" and transfer.path is None
    # A page that sends it anyway gets the refusal from the kernel.
    big = content + b" " * MAX_UPLOAD_BYTES
    transfer.upload._received(
        transfer.upload, {"kind": "bestand", "name": "groot.csv", "size": len(big)}, [big]
    )
    assert "groot.csv: dit bestand is 20,1 MB; een upload mag hoogstens 20 MB zijn." in (
        transfer.outcome.value
    )
    assert transfer.commit.disabled and transfer.content == b""
    transfer.run(commit=True)
    assert lookup.count_incidents(store) == 0
    # The browser's own words are the same, with the name and size filled in there.
    assert reading.UPLOAD_REFUSAL.startswith("{naam}: dit bestand is {grootte}; ")


# --- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from servers import SMALL, TOKEN, serving

    folder = tmp_path_factory.mktemp("serve")
    with serving(folder, incidents=SMALL) as (process, base, db):
        yield {
            "url": f"{base}/voila/render/meldingen.ipynb?token={TOKEN}",
            "db": db,
            "pid": process.pid,
        }


def peaks_of_tree(pid: int) -> dict[int, float]:
    """The peak resident memory (VmHWM, MB) of a process and of everything it started."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    peaks, todo = {}, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[current] = int(line.split()[1]) / 1024
    return peaks


@pytest.mark.browser
def test_in_the_browser_a_file_over_the_limit_gets_a_dutch_message(page, server, tmp_path):
    """Chromium against a live `pestdata serve`: a file over the limit is refused under the
    button before it is sent, and nothing is stored; a file over tornado's default 10 MiB
    websocket message (which used to vanish without a word) but under the limit arrives and
    is checked row by row."""
    from playwright.sync_api import expect

    store = Store(server["db"])
    before = lookup.count_incidents(store)
    large = tmp_path / "alle meldingen.csv"
    with large.open("wb") as out:
        out.write(("\r\n".join(register_lines(20)) + "\r\n").encode("cp1252"))
        out.truncate(MAX_UPLOAD_BYTES + 1)
    fits = tmp_path / "register.csv"
    fits.write_bytes(
        (
            "Datum melding;School;Leerlingnummer;Groep;Platform;Vorm;Ernst;Notities\r\n"
            "12-11-2025;De Regenboog;551234;groep 6;WhatsApp;Roddelen;middel;kort\r\n"
            f"13-11-2025;De Regenboog;551235;groep 6;TikTok;Roddelen;licht;{'x' * 12_000_000}\r\n"
        ).encode("cp1252")
    )
    page.goto(server["url"])
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    page.get_by_role("tab", name="Import en export").click()
    status = page.locator(".pd-upload .pd-upload-status")

    with page.expect_file_chooser() as chooser:
        page.locator(".pd-upload").click()
    chooser.value.set_files(str(large))
    expect(status).to_have_text(
        "alle meldingen.csv: dit bestand is 20,1 MB; een upload mag hoogstens 20 MB zijn. "
        "Splits het bestand (bijvoorbeeld per schooljaar) of laat de beheerder het importeren "
        "met 'pestdata import'.",
        timeout=TIMEOUT,
    )
    expect(page.locator("button.pd-import-commit")).to_be_disabled()
    assert serious(page) == []  # the button and the refusal, for every reader (axe-core)

    with page.expect_file_chooser() as chooser:
        page.locator(".pd-upload").click()
    chooser.value.set_files(str(fits))
    report = page.locator(".pd-import-report")
    expect(report).to_contain_text(
        "2 rijen: 2 zouden worden toegevoegd, 0 al aanwezig, 0 geweigerd.", timeout=TIMEOUT
    )
    expect(report).to_contain_text("Genegeerde kolommen: Notities")
    expect(status).to_have_text("")

    # A zip bomb within the upload limit: refused by the kernel before it is parsed, and no
    # process of the server (the server, its kernels) grows for it.
    bomb = zip_bomb(tmp_path / "meldingen.xlsx", 400)
    with page.expect_file_chooser() as chooser:
        page.locator(".pd-upload").click()
    chooser.value.set_files(str(bomb))
    expect(report).to_contain_text(
        re.compile(
            r"meldingen\.xlsx: dit Excel-bestand pakt uit tot meer dan 100 keer zijn eigen "
            r"grootte \(xl/worksheets/sheet1\.xml: 40\d MB\)"
        ),
        timeout=TIMEOUT,
    )
    expect(page.locator("button.pd-import-commit")).to_be_disabled()
    peaks = peaks_of_tree(server["pid"])
    assert len(peaks) >= 3 and max(peaks.values()) < 500, peaks  # the server and kernels
    assert lookup.count_incidents(store) == before  # the refused files, and a dry run
