"""Import of a school's register (CSV or Excel) with a row-by-row report.

What a Dutch school has: CSV with ';' or ',', in UTF-8 (with or without BOM) or Windows-1252
(what Dutch Excel writes), line by line so a file with mixed encodings still reads, and XLSX.
Dutch headers are recognised; `mapping` can name others. Each cell is read in the context of
its column (recognise.py): '7' in a Groep column is groep 7, '2' in an Ernst column on a 1–4
scale is Middel, 'Bedreigen' is a form. A row with too many or too few cells, or a value that
is not recognised, refuses that row alone, with its row number, field and a Dutch reason;
unrecognised values are also listed once per column with how often they occur, so that a
`value_map` can name them before committing. A fingerprint per row makes a second import of
the same file add nothing. Nothing is stored on a dry run; a commit stores every accepted row
in one transaction.

A file is never held whole: it is read as a stream, twice (what its columns hold, then its
rows), checked against the database and stored a chunk of rows at a time, and the report
keeps counts for every row but detail only up to a limit: `pestdata import` of a million-row
CSV peaks at about 200 MB, dry run or commit (3.9 GB when the file was read whole;
bench/large_files.py). A file over the limit of its way in, and an .xlsx that unpacks to too
much, are refused in Dutch before anything is parsed.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from pestdata.cases import incident_log
from pestdata.core import clock, names, recognise
from pestdata.core.choices import Reporter, Role, Severity, Status
from pestdata.core.errors import PestdataError
from pestdata.core.guidance import load_protocol
from pestdata.core.markup import counted, number, plural
from pestdata.core.model import (
    FIELD_LABELS,
    InvalidInput,
    label_for,
    step_date_problem,
    validate_incident,
    validate_step,
)
from pestdata.db.store import Store
from pestdata.school import school_names

# How large a file may be, by its way in; each refusal names its limit in Dutch (too_large).
# An upload lives whole in the server's and the kernel's memory and crosses the page's
# websocket as one message (server.py lets UPLOAD_MESSAGE_BYTES through, the browser refuses
# a larger file before sending it): 20 MB is some 150,000 rows of CSV (bench/large_files.py's
# register: 133 bytes a row). `pestdata import` reads a file from disk as a stream, row by
# row, so its limit is the size of the work, not of the memory: 200 MB is about 1.5 million
# rows.
MAX_UPLOAD_BYTES = 20_000_000
UPLOAD_MESSAGE_BYTES = MAX_UPLOAD_BYTES + 4_000_000  # the file and its message's envelope
MAX_FILE_BYTES = 200_000_000
# An .xlsx is a zip: what it unpacks to is checked before it is parsed (check_workbook).
# 200 MB of XML is an Excel register of some 300,000 rows (openpyxl: 640 bytes a row of 11
# cells). A sheet unpacks 12 times its packed size, 16 for identical rows (each row still
# has its own number); over 100 is a zip bomb (5 MB that unpack to 1 GB: 200).
MAX_UNPACKED_BYTES = 200_000_000
MAX_RATIO = 100
RATIO_FROM_BYTES = 1_000_000  # small parts (styles, a tiny sheet) may pack better than that
CHUNK_ROWS = 5000  # rows checked against the database and stored at a time
DETAIL_ROWS = 10_000  # the first rows of a file each have their line in the report
REFUSED_IN_DETAIL = 10_000  # refused rows with their reasons, at most; beyond that counted
VALUES_LISTED = 1000  # different values listed per column; beyond that counted
IMPORT_HANDLER = "Onbekend (import)"  # the handler of a history row that names none
IMPORT_DESCRIPTION = "(geen beschrijving in het importbestand)"
PROGRESS_EVERY = 500

# Dutch (and our own export's) column headers → our fields. Keys are normalised headers.
HEADERS = {
    "datum melding": "reported_on",
    "meldingsdatum": "reported_on",
    "gemeld op": "reported_on",
    "datum gemeld": "reported_on",
    "datum": "reported_on",
    "datum voorval": "happened_on",
    "datum incident": "happened_on",
    "datum gebeurd": "happened_on",
    "gebeurd op": "happened_on",
    "school": "school",
    "locatie": "school",
    "vestiging": "school",
    "gemeld door": "reporter",
    "melder": "reporter",
    "melding door": "reporter",
    "leerlingnummer": "target",
    "leerling": "target",
    "leerlingen": "target",
    "leerling nr": "target",
    "leerlingnr": "target",
    "llnr": "target",
    "leerlingnummer gepeste leerling": "target",
    "leerlingnummer gepeste": "target",
    "gepeste leerling": "target",
    "betrokken leerlingen": "target",
    "gepeste leerlingen": "target",
    "slachtoffer": "target",
    "leerlingnummer pester": "bully",
    "pester": "bully",
    "pesters": "bully",
    "dader": "bully",
    "daders": "bully",
    "omstander": "bystander",
    "omstanders": "bystander",
    "groep": "group",
    "klas": "group",
    "jaargroep": "group",
    "leerjaar": "group",
    "groep of klas": "group",
    "groep klas": "group",
    "groepklas": "group",
    "platform": "platforms",
    "platforms": "platforms",
    "kanaal": "platforms",
    "via": "platforms",
    "waar": "platforms",
    "medium": "platforms",
    "app": "platforms",
    "vorm": "forms",
    "vormen": "forms",
    "vormen van pesten": "forms",
    "vorm van pesten": "forms",
    "soort melding": "forms",
    "soort pesten": "forms",
    "soort": "forms",
    "ernst": "severity",
    "ernst 1 4": "severity",
    "ernst 1 5": "severity",
    "ernst 1 3": "severity",
    "motief": "motive",
    "reden": "motive",
    "reden pesten": "motive",
    "waarom": "motive",
    "waarom gepest": "motive",
    "status": "status",
    "behandelaar": "handler",
    "afhandelaar": "handler",
    "behandeld door": "handler",
    "afgehandeld door": "handler",
    "opgepakt door": "handler",
    "beschrijving": "description",
    "omschrijving": "description",
    "toelichting": "description",
    "wat is er gebeurd": "description",
    "datum opgelost": "resolved_on",
    "opgelost op": "resolved_on",
    "datum afgehandeld": "resolved_on",
    "afgehandeld": "done",  # ja/nee, a date or a status word (recognise.handling_column)
    "afgehandeld ja nee": "done",
    "nog open": "open",  # the same, said the other way round
    "stand van zaken": "status",
}
STEP_PARTS = {"datum": "done_on", "door": "done_by", "notitie": "note", "uitkomst": "outcome"}
ROLES = {"target": Role.TARGET, "bully": Role.BULLY, "bystander": Role.BYSTANDER}
CHOICE_FIELDS = ("reporter", "severity", "motive", "status", "platforms", "forms")
HANDLING = ("status", "done", "open")  # the columns that say whether a report was handled
MONTHS = {  # month names as registers write them, Dutch and a few English abbreviations
    **{name: n for n, name in enumerate(clock.MONTHS, start=1)},
    **{name: n for n, name in enumerate(clock.MONTH_NAMES, start=1)},
    **{"mar": 3, "maa": 3, "sept": 9, "oct": 10},
}
WEEKDAYS = r"(?:ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
GROUP_ALLOWED = {  # what a group column may hold, by what its header says
    "groep": "groep 1 t/m 8 (ook 7, gr7, 7b, 7/8)",
    "klas": "klas 1 t/m 6 (ook 2, 2 havo, H2b, 2e klas)",
    "": "groep 1 t/m 8 of klas 1 t/m 6 (schrijf 'groep 7' of 'klas 2')",
}
ASK = "te bevestigen"  # a row's outcome when its group does not fit its school's type
UPDATED = "bijgewerkt"  # a row's outcome when it corrects a stored report (update)
EXCEL_EPOCH = date(1899, 12, 30)  # a date cell that lost its format shows days since then


class ImportFileError(PestdataError):
    """The file as a whole cannot be read (not a row problem)."""


class SchoolNeeded(ImportFileError):
    """The file names no school: the user says which, also when the list has just one (a
    secondary school's register must not land in the only, primary, school unasked)."""

    def __init__(self, path: Path, known: list[str]):
        self.known = known
        if not known:
            choice = (
                "er staat nog geen school op de lijst: geef de school van dit bestand op en "
                "voeg haar toe met --school 'NAAM' --add-schools"
            )
        elif len(known) == 1:
            choice = (
                f"hoort het bij {known[0]} (de enige school op de lijst)? Bevestig dat met "
                f"--school '{known[0]}'; is het een andere school, voeg die toe met "
                "--school 'NAAM' --add-schools"
            )
        else:
            choice = (
                f"kies de school voor alle rijen (bekend: {', '.join(known)}) met "
                "--school 'NAAM'; een nieuwe school voeg je toe met --add-schools"
            )
        super().__init__(f"{path}: het bestand heeft geen kolom School; {choice}.")


class ColumnsMissing(ImportFileError):
    """A column we need (the date, the pupil numbers) is not recognised: the user can name
    it (--map, or the column fields in the browser). `columns` are the file's columns."""

    def __init__(self, message: str, columns: list[str]):
        self.columns = columns
        super().__init__(message)


# --- reading files ---------------------------------------------------------------------------


def megabytes(size: int) -> str:
    """'20 MB', '3,5 MB': a size as the Dutch message says it (1 MB = 1,000,000 bytes),
    rounded up, so that a file just over a limit never reads as the limit itself."""
    text = number(math.ceil(size / 100_000) / 10, 1).removesuffix(",0")
    return f"{text} MB"


def too_large(path: Path | str, size: int, upload: bool) -> str:
    """The Dutch refusal of a file over the limit of its way in (the same words in the
    browser, the kernel and the command line)."""
    return _too_large(str(path), megabytes(size), upload)


def _too_large(name: str, size: str, upload: bool) -> str:
    if upload:
        return (
            f"{name}: dit bestand is {size}; een upload mag hoogstens "
            f"{megabytes(MAX_UPLOAD_BYTES)} zijn. Splits het bestand (bijvoorbeeld per "
            "schooljaar) of laat de beheerder het importeren met 'pestdata import'."
        )
    return (
        f"{name}: dit bestand is {size}; een import mag hoogstens "
        f"{megabytes(MAX_FILE_BYTES)} zijn. Splits het bestand, bijvoorbeeld per schooljaar."
    )


UPLOAD_REFUSAL = _too_large("{naam}", "{grootte}", upload=True)  # the browser fills it in


@dataclass
class Source:
    """A file to import: on disk (`pestdata import`), or an upload's bytes in memory (`raw`),
    `path` then only its name. Its size is checked against the limit of its way in before
    anything else; every pass over it opens it anew, so a large file is read, never held."""

    path: Path
    raw: bytes | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if self.raw is None:
            if not self.path.exists():
                raise ImportFileError(f"{self.path}: bestand niet gevonden")
            size, limit = self.path.stat().st_size, MAX_FILE_BYTES
        else:
            size, limit = len(self.raw), MAX_UPLOAD_BYTES
        if size > limit:
            raise ImportFileError(too_large(self.path, size, upload=self.raw is not None))

    def open(self) -> BinaryIO:
        return io.BytesIO(self.raw) if self.raw is not None else self.path.open("rb")

    @property
    def is_excel(self) -> bool:
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            return True
        with self.open() as stream:
            return stream.read(2) == b"PK"


class Table:
    """A file's rows as text under the header's column names, numbered as a spreadsheet
    shows them (the header is row 1), read one at a time: `rows()` reads the file anew on
    every call, so that a file of a million rows is never held in memory."""

    def __init__(self, source: Source):
        self.source, self.path = source, source.path
        self.excel = source.is_excel
        if self.excel:
            check_workbook(source)
        rows = self._read()
        try:
            self.columns: list[str] = next(rows)
        finally:
            rows.close()

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, str]]:
        """(row number, the row's cells by column, '') for each row after the header; a row
        that does not fit the header comes as (row number, None, the Dutch reason)."""
        rows = self._read()
        try:
            next(rows)  # the header
            yield from rows
        finally:
            rows.close()

    def _read(self) -> Iterator:
        return self._read_excel() if self.excel else self._read_csv()

    def _read_csv(self) -> Iterator:
        """Rows of the header's width; a row with more or fewer cells is set aside with its
        number (extra cells that are empty are no problem: Excel writes trailing ';')."""
        csv.field_size_limit(MAX_FILE_BYTES)
        with self.source.open() as stream:
            lines = decoded_lines(stream)
            header_line = next((ln for ln in lines if ln.strip("\r\n")), "")
            if not header_line.strip():
                if any(ln.strip() for ln in lines):
                    raise ImportFileError(f"{self.path}: de eerste regel (de kop) is leeg")
                raise ImportFileError(f"{self.path}: het bestand is leeg")
            reader = csv.reader(
                itertools.chain([header_line], lines), delimiter=guess_delimiter(header_line)
            )
            try:
                header = next(reader)
                names, width = _column_names(header), len(header)
                yield names
                for number, cells in enumerate(reader, start=2):
                    if len(cells) > width and not any(c.strip() for c in cells[width:]):
                        cells = cells[:width]
                    if not cells:
                        cells = [""] * width
                    if len(cells) == width:
                        yield number, dict(zip(names, cells, strict=True)), ""
                        continue
                    more = "meer" if len(cells) > width else "minder"
                    yield (
                        number,
                        None,
                        f"deze rij heeft {len(cells)} cellen, {more} dan de {width} kolommen "
                        f"van de kop; controleer of een ';' of ',' in een cel tussen "
                        f"aanhalingstekens staat",
                    )
            except csv.Error as exc:
                raise ImportFileError(f"{self.path}: niet te lezen als CSV ({exc})") from None

    def _read_excel(self) -> Iterator:
        """The first sheet, streamed (openpyxl's read-only mode); the first row with text is
        the header. A cell right of the header is read under 'kolom N' (an ignored column)."""
        import openpyxl

        with self.source.open() as stream:
            try:
                book = openpyxl.load_workbook(
                    stream, read_only=True, data_only=True, keep_links=False
                )
            except Exception as exc:  # openpyxl raises many kinds for a broken workbook
                raise ImportFileError(f"{self.path}: geen leesbaar Excel-bestand ({exc})") from None
            try:
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # a wrong <dimension> must not cut rows off
                header: list[str] | None = None
                for number, values in enumerate(_excel_values(self.path, sheet), start=1):
                    cells = [_cell_text(v) for v in values]
                    if header is None:
                        if any(c.strip() for c in cells):
                            header = _column_names(cells)
                            yield header
                        continue
                    cells += [""] * (len(header) - len(cells))
                    names = header + [f"kolom {i + 1}" for i in range(len(header), len(cells))]
                    yield number, dict(zip(names, cells, strict=True)), ""
                if header is None:
                    raise ImportFileError(f"{self.path}: het bestand is leeg")
            finally:
                book.close()


def _excel_values(path: Path, sheet) -> Iterator[tuple]:
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # a broken sheet shows itself while it is read
        raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None


def _column_names(header: list[str]) -> list[str]:
    """The header's names, stripped; an empty one is 'kolom N', a second 'Groep' is
    'Groep (2)' (so every column keeps its own cells; the second is ignored)."""
    names: list[str] = []
    for i, cell in enumerate(header):
        name = str(cell).strip() or f"kolom {i + 1}"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


def check_workbook(source: Source) -> None:
    """An .xlsx is a zip: before openpyxl reads it, the sizes its parts claim (zipfile never
    unpacks more than a part claims) are added up and refused above MAX_UNPACKED_BYTES, and
    a large part that unpacks to over MAX_RATIO times its packed size is refused outright.
    A 5 MB zip bomb that unpacks to 1 GB is stopped here, in milliseconds."""
    path = source.path
    with source.open() as stream:
        try:
            parts = zipfile.ZipFile(stream).infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise ImportFileError(
                f"{path}: dit Excel-bestand pakt uit tot meer dan {MAX_RATIO} keer zijn eigen "
                f"grootte ({part.filename}: {megabytes(part.file_size)}); zo'n bestand wordt niet "
                "gelezen. Sla het opnieuw op in Excel, of als CSV."
            )
    if total > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{path}: uitgepakt is dit Excel-bestand {megabytes(total)}; de grens is "
            f"{megabytes(MAX_UNPACKED_BYTES)}. Splits het bestand (bijvoorbeeld per schooljaar) "
            "of sla het op als CSV."
        )


def decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a byte stream as text, line ends kept ('\\r\\n', '\\n' or '\\r'), each
    line UTF-8 where it decodes, else Windows-1252 (a file with mixed encodings still
    reads); a BOM dropped. One line at a time: a large file is never held."""
    first = True
    for chunk in stream:  # split at '\n'; a line of an old Mac file ends in '\r' alone
        if first:
            chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
        for line in chunk.splitlines(keepends=True) if b"\r" in chunk[:-2] else (chunk,):
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                yield line.decode("cp1252", errors="replace")


def decode(raw: bytes) -> str:
    """UTF-8 (BOM dropped) where it decodes, else Windows-1252 — line by line, for mixed files."""
    return "".join(decoded_lines(io.BytesIO(raw)))


def read_table(path: Path, raw: bytes | None = None) -> Table:
    """The file's table; its size checked first. With `raw` (an upload, kept in memory so
    it never lies on disk) `path` only names the file."""
    return Table(Source(path, raw))


def guess_delimiter(text: str) -> str:
    """';', ',' or tab: the one the header line uses most (a header holds no text with
    commas or apostrophes, unlike the rows, which fooled csv.Sniffer)."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    return max((";", ",", "\t"), key=header.count)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_header(name: str) -> str:
    return re.sub(
        r"\s+", " ", re.sub(r"[^a-z0-9_ ]", "", re.sub(r"[/\-()]", " ", name.lower()))
    ).strip()


# --- columns ---------------------------------------------------------------------------------


def column_map(
    columns: list[str], mapping: dict[str, str] | None = None, yes_no: Iterable[str] = ()
) -> dict[str, str]:
    """Our field for each recognised column; `mapping` (their header → our field or header)
    comes first. Step columns look like 'Stap steun: datum'. A column named after a platform
    or form whose cells are all ja/nee (x, 1, ✓; `yes_no`, found by Survey) becomes
    'flag:platforms:tiktok'."""
    yes_no = set(yes_no)
    mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    steps = {s.id for s in load_protocol()}
    found = {}
    for column in columns:
        key = normalise_header(column)
        target = mapping.get(key) or HEADERS.get(key) or recognise.handling_column(column)
        if target and normalise_header(target) in HEADERS:  # a mapping may name our header
            target = HEADERS[normalise_header(target)]
        match = re.fullmatch(r"stap (\w+) (datum|door|notitie|uitkomst)", key)
        if not target and match and match.group(1) in steps:
            target = f"step:{match.group(1)}:{STEP_PARTS[match.group(2)]}"
        if not target and column in yes_no:
            target = flag_target(column)
        if target:
            found[column] = target
    return found


# What --map may name, in the words of our own export (each is also a header we read).
MAP_TARGETS = (
    "Datum melding, Datum voorval, School, Gemeld door, Leerlingnummer (gepeste leerling), "
    "Pester, Omstanders, Groep of klas, Platforms, Vormen, Ernst, Motief, Status, "
    "Afgehandeld (ja/nee), Datum opgelost, Behandelaar, Beschrijving"
)


def check_mapping(path: Path, columns: list[str], mapping: dict, value_map: dict) -> None:
    """A --map or --map-value that names a column the file lacks, or a field we do not
    have, is refused before anything is read: silently ignored, it would look applied."""
    present = {normalise_header(c) for c in columns}
    shown = ", ".join(columns[:12])
    for theirs, ours in mapping.items():
        if normalise_header(theirs) not in present:
            raise ImportFileError(
                f"{path}: --map '{theirs}={ours}': het bestand heeft geen kolom '{theirs}' "
                f"(kolommen: {shown})"
            )
        if ours not in set(HEADERS.values()) and normalise_header(ours) not in HEADERS:
            raise ImportFileError(
                f"{path}: --map '{theirs}={ours}': '{ours}' is geen veld van pestdata; "
                f"kies uit: {MAP_TARGETS}"
            )
    for header, _ in value_map:
        if header not in present:
            raise ImportFileError(
                f"{path}: --map-value voor kolom '{header}': die kolom staat niet in het "
                f"bestand (kolommen: {shown})"
            )


def flag_target(header: str) -> str | None:
    """'flag:platforms:whatsapp' for a header 'WhatsApp' (a column of ja/nee cells), else
    None."""
    for kind in ("platforms", "forms"):
        code = recognise.recognise(kind, header)
        if code and code != "other":
            return f"flag:{kind}:{code}"
    return None


@dataclass
class Column:
    """How one column's cells are read: its header, our field and what its values mean."""

    header: str
    target: str
    group: recognise.GroupColumn | None = None
    scale: int | None = None  # top of a numeric Ernst scale
    scale_stated: bool = False  # named in the header, not guessed from the cells

    @classmethod
    def of(cls, header: str, target: str, cells: Iterable[str]) -> Column:
        """A header 'Ernst (1-5)' or 'Ernst 1 t/m 4' names its scale, which then holds even
        when the file's largest number is lower; else the scale is read from the cells."""
        if target == "group":
            return cls(header, target, group=recognise.GroupColumn.from_header(header))
        if target == "severity":
            stated = re.search(r"\b1 (?:t m |tot )?([345])\b", normalise_header(header))
            scale = int(stated[1]) if stated else recognise.severity_scale(list(cells))
            return cls(header, target, scale=scale, scale_stated=bool(stated))
        return cls(header, target)


def parse_value_map(items: list[str] | tuple[str, ...]) -> dict[tuple[str, str], str]:
    """['Ernst:2=gemiddeld'] -> {('ernst', '2'): 'gemiddeld'}: a school's value named once."""
    found = {}
    for item in items:
        left, sep, ours = item.partition("=")
        header, colon, theirs = left.partition(":")
        if not (sep and colon and header.strip() and ours.strip()):
            raise ImportFileError(
                f"'{item}': gebruik KOLOM:WAARDE=ONZE WAARDE, bijv. 'Ernst:2=Middel'"
            )
        found[value_key(header, theirs)] = ours.strip()
    return found


def value_key(header: str, value: str) -> tuple[str, str]:
    """How a value map names one value of one column: both normalised."""
    return normalise_header(header), recognise.normalise(value)


# --- values ----------------------------------------------------------------------------------


def parse_date(text: str) -> date | str | None:
    """Dutch notations: 23-11-2025, 23/11/25, 23.11.2025, 2025-11-23, 23 nov 2025,
    ma 23 november 2025, 23-nov-25, with or without a time; a bare Excel day number
    (45984). Returns the text itself when it cannot be read (the model refuses it)."""
    text = re.sub(rf"^{WEEKDAYS}\.?,?\s+", "", text.strip().lower())
    text = re.sub(r"[ t]\d{1,2}[:.]\d{2}(?::\d{2})?$", "", text).strip()
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        y += 2000 if y < 100 else 0
    elif m := re.fullmatch(r"(\d{1,2})[ -]([a-z]+)\.?[ -](\d{2}|\d{4})", text):
        d, y, mo = int(m[1]), int(m[3]), MONTHS.get(m[2], 0)
        y += 2000 if y < 100 else 0
    elif re.fullmatch(r"[34]\d{4}", text):  # 30000–49999: the years 1982–2036
        return EXCEL_EPOCH + timedelta(days=int(text))
    else:
        return text
    try:
        return date(y, mo, d)
    except ValueError:
        return text


def split_list(text: str, more: str = "/+") -> list[str]:
    """'a | b' (our export: labels may hold commas), else 'a, b', 'a; b', 'a en b' and,
    unless `more` says otherwise, 'a/b' and 'a + b' (pupil numbers may hold a '/')."""
    pattern = r"\|" if "|" in text else rf"[,;{re.escape(more)}]|\sen\s|\s&\s"
    return [p.strip() for p in re.split(pattern, text) if p.strip()]


def read_choices(kind: str, text: str) -> tuple[list[str], list[str]]:
    """A cell of platforms or forms -> (our codes, parts not recognised).

    Parts first ('WhatsApp, Instagram', 'roddelen en uitsluiten'), so that a phrase holding
    one label does not swallow a second value; the whole cell when the parts are not all
    known ('Belachelijk maken, grappen uithalen' is one of our labels)."""
    parts = split_list(text)
    codes = [recognise.recognise(kind, p) for p in parts]
    if parts and all(codes):
        return list(dict.fromkeys(codes)), []
    whole = recognise.recognise(kind, text)
    if whole:
        return [whole], []
    return [c for c in codes if c], [p for p, c in zip(parts, codes, strict=True) if not c]


# --- handling: status, date handled, history ------------------------------------------------

FINISHED = frozenset({Status.RESOLVED.value, Status.CLOSED.value})
# A date inside a cell about the handling: 03-03-2025, 2025-03-03, 3 maart 2025, 3-mrt-25, or
# the day number of a date cell that lost its format (45719).
DATE_IN_TEXT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[ -][a-z]+\.?[ -]\d{2,4}"
    r"|(?<!\d)[34]\d{4}(?!\d)"
)
DATE_FILLERS = rf"\b(?:op|per|sinds|datum|{WEEKDAYS})\b\.?"
HISTORY_STATUSES = {"afgesloten": Status.CLOSED.value, "nieuw": Status.NEW.value}


@dataclass(frozen=True)
class Handled:
    """What one cell about the handling said: our status and the date handled, if any."""

    header: str
    kind: str  # 'status', 'done' or 'open' (HANDLING)
    code: str | None
    day: date | None
    text: str


def read_handling(text: str, kind: str) -> tuple[str | None, date | None, bool]:
    """One cell about the handling -> (our status, the date handled, understood).

    In a column 'Afgehandeld (ja/nee)' or 'Klaar' (`kind` 'done'): ja, x, 1, ✓ is
    Afgesloten, nee is Nieuw; in 'Nog open' ('open') the other way round. In every such
    column: a date, alone or with words ('3 maart 2025', '03-03-2025', 45719, 'afgerond op
    3-3-2025'), is Afgesloten on that day; status words in everyday form ('afgerond',
    'loopt nog', 'nog niet gestart') are read by recognise. An empty cell says nothing.
    A date beside an open status is not understood (code given, understood False)."""
    raw = text.strip()
    if not raw:
        return None, None, True
    rest, day = raw.lower(), None
    for match in DATE_IN_TEXT.finditer(rest):
        found = parse_date(match.group(0))
        if isinstance(found, date):
            day, rest = found, rest[: match.start()] + " " + rest[match.end() :]
            break
    if day:
        rest = re.sub(DATE_FILLERS, " ", rest)
    words = recognise.normalise(rest)
    if not words and raw not in ("✓", "✔", "☑"):
        return (Status.CLOSED.value if day else None), day, day is not None
    yes = recognise.yes_no(words or raw) if kind in ("done", "open") else None
    if yes is not None:
        code = Status.CLOSED.value if yes == (kind == "done") else Status.NEW.value
    else:
        code = recognise.recognise("status", words)
    if code is None:
        return None, day, False
    return code, day, not (day and code not in FINISHED)


def merge_handling(handling: list[Handled], problems: dict) -> tuple[str | None, date | None]:
    """The status and date handled of a row from all its columns about the handling: a
    Status column's word before a ja/nee; a finished against an open one is asked about."""
    said = [h for h in handling if h.code]
    finished = [h for h in said if h.code in FINISHED]
    still_open = [h for h in said if h.code not in FINISHED]
    if finished and still_open and "status" not in problems:
        a, b = finished[0], still_open[0]
        problems["status"] = (
            f"'{a.header}' zegt '{a.text[:40]}', maar '{b.header}' zegt '{b.text[:40]}'; "
            "is de melding afgehandeld of niet?"
        )
    said.sort(key=lambda h: h.kind != "status")
    day = next((h.day for h in handling if h.day), None)
    return (said[0].code if said else None), day


def read_history_status(text: str) -> str:
    """'afgesloten' or 'nieuw' (the choice for rows without a status) -> our code."""
    code = HISTORY_STATUSES.get(recognise.normalise(text))
    if code is None:
        raise ImportFileError(f"'{text}': kies voor rijen zonder status 'afgesloten' of 'nieuw'")
    return code


def read_severity_choice(text: str) -> str:
    """A severity the user chose for rows without one ('middel', 'onbekend') -> our code."""
    code = recognise.recognise("severity", text)
    if code is None:
        allowed = ", ".join(label.lower() for label, _ in Severity.choices())
        raise ImportFileError(
            f"'{text}': kies als ernst voor rijen zonder ernst {allowed} of onbekend"
        )
    return code


# --- the report ------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    outcome: str  # "nieuw", "al aanwezig", "geweigerd", ASK
    problems: list[tuple[str, str]] = field(default_factory=list)  # (Dutch field, reason)
    incident_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # UPDATED: field, old, new


@dataclass
class ImportResult:
    """What an import did. `counts` holds every row's outcome; `rows` the rows in detail:
    each of the first DETAIL_ROWS, then refused rows only, REFUSED_IN_DETAIL at most (a file
    of a million rows keeps a report of kilobytes, not of gigabytes)."""

    source: str
    rows: list[RowResult]  # in detail, in file order (see above)
    committed: bool
    added: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how values were read, defaults used
    unknown: dict[str, Counter] = field(default_factory=dict)  # header -> value -> rows
    allowed: dict[str, str] = field(default_factory=dict)  # header -> what may be written
    options: dict[str, list[str]] = field(default_factory=dict)  # header -> our labels
    readings: dict[str, Counter] = field(default_factory=dict)  # header -> (theirs, ours) -> n
    new_schools: set[str] = field(default_factory=set)  # not on the list yet (add_schools)
    unknown_schools: Counter = field(default_factory=Counter)  # name -> rows refused
    # Schools not on the list -> the kinds of group ('groep', 'klas') their rows have: the
    # type a new school gets unless one is chosen (SchoolType.of_groups).
    school_groups: dict[str, set[str]] = field(default_factory=dict)
    # (school, its type's label, group) -> rows whose group does not fit the school's type
    misfits: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)  # outcome -> rows, all of them
    updated: int = 0  # reports corrected on a commit with update
    differing: int = 0  # rows stored already with another status, severity or date handled
    proposed_columns: dict[str, str] = field(default_factory=dict)  # header -> our field
    unlisted: Counter = field(default_factory=Counter)  # header -> values past VALUES_LISTED
    refused_in_detail: int = 0
    # Rows whose description seems to hold a person's name (names.py), DETAIL_ROWS at most;
    # None when the names could not be checked (no detector in this process).
    with_names: list[tuple[int, list[str]]] | None = field(default_factory=list)

    def add(self, result: RowResult) -> None:
        """One row's outcome: counted, and kept in detail while the limits allow."""
        self.counts[result.outcome] += 1
        refused = result.outcome == "geweigerd"
        if refused and self.refused_in_detail >= REFUSED_IN_DETAIL:
            return
        if len(self.rows) < DETAIL_ROWS or refused:
            self.rows.append(result)
            self.refused_in_detail += refused

    def count(self, outcome: str) -> int:
        return self.counts[outcome]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def refused_not_shown(self) -> int:
        """Refused rows beyond REFUSED_IN_DETAIL: counted, not each named."""
        return self.count("geweigerd") - self.refused_in_detail

    def summary(self) -> str:
        verb = "toegevoegd" if self.committed else "zouden worden toegevoegd"
        asked = f", {self.count(ASK)} {ASK}" if self.count(ASK) else ""
        updated = self.count(UPDATED)
        if updated:
            updated_verb = UPDATED if self.committed else "zouden worden bijgewerkt"
            verb += f", {updated} {updated_verb}"
        return (
            f"{rows(self.total)}: {self.count('nieuw')} {verb}, "
            f"{self.count('al aanwezig')} al aanwezig, {self.count('geweigerd')} geweigerd"
            f"{asked}."
        )

    def misfit_summary(self) -> str:
        """'Het Baken College (voortgezet onderwijs): groep 7 (2×), groep 8 (1×)'."""
        by_school: dict[tuple[str, str], list[str]] = {}
        for (school, label, group), n in sorted(self.misfits.items()):
            by_school.setdefault((school, label), []).append(f"{group} ({n}×)")
        return "; ".join(f"{s} ({label}): {', '.join(g)}" for (s, label), g in by_school.items())

    def refused(self) -> list[str]:
        lines = [
            f"rij {r.row}: {f}: {reason}"
            for r in self.rows
            if r.outcome == "geweigerd"
            for f, reason in r.problems
        ]
        if self.refused_not_shown:
            lines.append(self.not_shown_line())
        return lines

    def not_shown_line(self) -> str:
        shown = number(REFUSED_IN_DETAIL)
        return (
            f"en nog {rows(self.refused_not_shown)} geweigerd (alleen de eerste {shown} "
            "staan hier met hun reden)"
        )

    def name_lines(self) -> list[str]:
        """One Dutch line per row whose description seems to hold a name."""
        return [
            f"rij {row}: in de beschrijving lijkt een naam te staan: "
            + ", ".join(f"'{n}'" for n in found)
            + ". Gebruik het leerlingnummer."
            for row, found in self.with_names or []
        ]

    def reading_lines(self) -> list[str]:
        """How the school's own words were read, once per column: "Vorm: 'Schelden' →
        Belachelijk maken, grappen uithalen (3×)", so a dry run shows what a commit stores."""
        return [
            f"{header}: "
            + ", ".join(f"'{theirs}' → {ours} ({n}×)" for (theirs, ours), n in counts.most_common())
            for header, counts in self.readings.items()
        ]

    def unknown_lines(self) -> list[str]:
        """Each value not recognised, once per column, with its count and what is allowed."""
        return [
            f"{header}: "
            + ", ".join(f"'{value}' ({n}×)" for value, n in counts.most_common())
            + (
                f" en nog {self.unlisted[header]}× een andere waarde"
                if self.unlisted[header]
                else ""
            )
            + f" — toegestaan: {self.allowed[header]}"
            for header, counts in self.unknown.items()
        ]


# --- rows ------------------------------------------------------------------------------------


class RowReader:
    """Reads the rows of one file: each cell in the context of its column, problems per
    field, values not recognised counted for the report."""

    def __init__(
        self,
        columns: list[Column],
        value_map,
        report: ImportResult,
        schools: list[str],
        add_schools: bool = False,
    ):
        self.columns, self.value_map, self.report = columns, value_map, report
        self.schools = schools  # the list a file's school must be on (school_names.py)
        self.add_schools = add_schools  # a name not on it is a new school (asked for)
        self.filled: set[str] = set()  # what the row last read got from us, for the notes
        self.types: dict[str, school_names.SchoolType] = {}  # listed schools' types
        self.chosen_type: school_names.SchoolType | None = None  # for new schools
        self.accept_groups = False

    def expect_types(
        self,
        types: dict[str, school_names.SchoolType],
        chosen: school_names.SchoolType | None,
        accept_groups: bool,
    ) -> None:
        """The schools' types a row's group must fit (a new school: the type chosen for
        it, else none yet), and whether rows that do not fit were confirmed."""
        self.types, self.chosen_type, self.accept_groups = types, chosen, accept_groups

    def note_group(self, school: str, group: str | None) -> None:
        """Remember the kind of group of a school not on the list (its type, if added)."""
        if not school or not group or school in self.types:
            return
        groups = self.report.school_groups
        if school in groups or len(groups) < VALUES_LISTED:
            groups.setdefault(school, set()).add(str(group).split(" ", 1)[0])

    def misfit(self, incident) -> str | None:
        """The Dutch question for a row whose group does not fit its school's type, else
        None. Counted for the report, also once confirmed (accept_groups)."""
        school_type = self.types.get(incident.school)
        if school_type is None and incident.school in self.report.new_schools:
            school_type = self.chosen_type
        if school_type is None or school_type.fits(incident.group):
            return None
        self.report.misfits[(incident.school, school_type.label, incident.group)] += 1
        if self.accept_groups:
            return None
        return (
            f"{incident.group} past niet bij {incident.school} ({school_type.label}: "
            f"{school_names.TYPE_GROUPS[school_type]}); hoort deze rij bij deze school?"
        )

    def new_school_types(self) -> dict[str, school_names.SchoolType]:
        """The type each new school gets: the one chosen, else what its rows' groups show."""
        return {
            name: self.chosen_type
            or school_names.SchoolType.of_groups(self.report.school_groups.get(name, ()))
            for name in self.report.new_schools
        }

    def mapped(self, column: Column, text: str) -> str:
        return self.value_map.get(value_key(column.header, text), text)

    def read_as(self, column: Column, theirs: str, ours: str) -> None:
        """Note how a value was read when the school wrote it in other words than ours."""
        if recognise.normalise(theirs) != recognise.normalise(ours):
            readings = self.report.readings.setdefault(column.header, Counter())
            key = (theirs.strip(), ours)
            if key in readings or len(readings) < VALUES_LISTED:  # else: not listed
                readings[key] += 1

    def tally(self, counts: Counter, value: str, header: str) -> None:
        """Count a value not recognised; past VALUES_LISTED different values, only how many."""
        if value in counts or len(counts) < VALUES_LISTED:
            counts[value] += 1
        else:
            self.report.unlisted[header] += 1

    def unknown(self, column: Column, text: str, kind: str = "", also: str = "") -> str:
        """Count a value not recognised; the Dutch reason for the row. `also`: what the
        column may hold besides our labels ('ja, nee, een datum')."""
        if kind == "school":
            self.report.options[column.header] = self.schools
            allowed = ", ".join(self.schools) or "nog geen school op de lijst"
        elif kind:
            options = recognise.allowed(kind)
            self.report.options[column.header] = options
            allowed = also + ", ".join(options)
        else:
            allowed = GROUP_ALLOWED[column.group.kind]
        self.tally(
            self.report.unknown.setdefault(column.header, Counter()), text.strip(), column.header
        )
        self.report.allowed[column.header] = allowed
        if kind == "school":
            return school_names.unknown_school(text[:40], self.schools)
        return f"onbekende waarde '{text.strip()[:40]}'; toegestaan: {allowed}"

    def read(self, cells: dict[str, str]) -> tuple[dict, dict[str, dict], dict[str, str]]:
        """One row's cells -> (incident input, step inputs, problems per field)."""
        data: dict = {"pupils": []}
        steps: dict[str, dict] = {}
        problems: dict[str, str] = {}
        handling: list[Handled] = []
        self.filled, self.said, self.history = set(), set(), set()
        for column in self.columns:
            raw = "" if cells.get(column.header) is None else str(cells[column.header])
            text = self.mapped(column, raw) if raw.strip() else raw
            target = column.target
            if target.startswith("step:"):
                _, step_id, part = target.split(":")
                if text.strip():
                    steps.setdefault(step_id, {"step_id": step_id})[part] = self.step_value(
                        column, part, text, problems, f"stap {step_id} {part}"
                    )
            elif target.startswith("flag:"):
                _, kind, code = target.split(":")
                if recognise.yes_no(text):
                    data.setdefault(kind, []).append(code)
            elif target in ROLES:
                data["pupils"] += [
                    {"pupil_number": n, "role": ROLES[target].value}
                    for n in split_list(text, more="")
                ]
            elif target in ("reported_on", "happened_on"):
                data[target] = parse_date(text)
            elif target == "resolved_on":
                if text.strip() or target not in data:  # two such columns: the one filled
                    data[target] = parse_date(text)
            elif target in HANDLING:
                handling.append(self.handled(column, text, problems))
            elif target in ("platforms", "forms"):
                if text.strip():
                    codes, unknown = read_choices(target, text)
                    data.setdefault(target, []).extend(codes)
                    if codes and not unknown:
                        self.read_as(
                            column, raw, " + ".join(recognise.label(target, c) for c in codes)
                        )
                    if unknown:
                        problems[target] = self.unknown(column, unknown[0], target)
            elif target == "school":
                data["school"] = self.school(column, text, problems)
            elif target == "group":
                data["group"] = self.group(column, text, problems)
            elif target == "severity":
                data["severity"] = self.severity(column, text, problems)
                if data["severity"]:
                    self.said.add("severity")
            elif target in CHOICE_FIELDS:
                data[target] = self.choice(column, target, text, problems)
            else:
                data[target] = text
        self.settle_history(data, handling, problems)
        if data.get("motive") is None:
            data.pop("motive", None)  # an empty cell: 'Onbekend', the model's default
        if not str(data.get("handler") or "").strip():
            data["handler"] = IMPORT_HANDLER
            self.filled.add("handler")
        if not str(data.get("description") or "").strip():
            data["description"] = IMPORT_DESCRIPTION
            self.filled.add("description")
        if not data.get("reporter") and "reporter" not in problems:
            data["reporter"] = Reporter.OTHER.value
            self.filled.add("reporter")
        return data, steps, problems

    # --- history: status, date handled, severity ---

    def expect_history(
        self, history_status: str | None, default_severity: str | None, update: bool
    ) -> None:
        """What rows that do not say their status or severity get: `history_status` for
        every row without a status ('afgesloten', 'nieuw'; None: by the school year, see
        settle_history), `default_severity` (a level in Dutch; None: 'Onbekend'); with
        `update`, a row already stored corrects its status, severity and date handled."""
        self.history_status = history_status and read_history_status(history_status)
        self.default_severity = (
            read_severity_choice(default_severity) if default_severity else Severity.UNKNOWN.value
        )
        self.this_year = clock.SchoolYear.of(clock.today())
        self.update = update

    update = False
    history_status: str | None = None
    default_severity: str = Severity.UNKNOWN.value
    this_year: clock.SchoolYear | None = None
    # Which of status, resolved_on and severity the row last read said itself (an update
    # changes only those), and what it got from the history rules (for the notes).
    said: set[str] = frozenset()  # type: ignore[assignment]
    history: set[str] = frozenset()  # type: ignore[assignment]

    def handled(self, column: Column, text: str, problems: dict) -> Handled:
        """One cell of a column about the handling (Status, Afgehandeld ja/nee, Nog open)."""
        code, day, understood = read_handling(text, column.target)
        if not understood and code is None:
            also = "ja, nee, x, " if column.target in ("done", "open") else ""
            problems["status"] = self.unknown(
                column, text, "status", also=f"{also}een datum (zoals 3 maart 2025), "
            )
        elif not understood:
            problems["status"] = (
                f"'{text.strip()[:40]}': een datum afgehandeld bij de status "
                f"'{recognise.label('status', code)}'; is de melding afgehandeld of niet?"
            )
        elif day:
            self.read_as(column, "(een datum)", f"{recognise.label('status', code)} op die datum")
        elif code:
            self.read_as(column, text, recognise.label("status", code))
        return Handled(column.header, column.target, code, day, text.strip())

    def settle_history(self, data: dict, handling: list[Handled], problems: dict) -> None:
        """Status, date handled and severity of one row: as its cells say, else by the
        history rules. A date handled closes a row that says no status. A row that says
        nothing is 'Afgesloten' when it was reported before this school year (history, not
        an open case: it must not count as overdue) and 'Nieuw' in this school year, unless
        the user chose (history_status). A finished row without its date handled gets the
        date of the report. No severity: 'Onbekend', or the level the user chose."""
        status, day = merge_handling(handling, problems)
        resolved = data.get("resolved_on")
        if resolved in (None, "") and day:
            data["resolved_on"] = resolved = day
        if isinstance(resolved, date):
            self.said.add("resolved_on")
            status = status or Status.CLOSED.value
        reported = data.get("reported_on")
        if status:
            self.said.add("status")
            if isinstance(resolved, date) and status not in FINISHED:
                problems.setdefault(
                    "resolved_on",
                    f"er staat een datum afgehandeld ({clock.nl_date(resolved)}), maar de "
                    f"status is '{recognise.label('status', status)}'; is de melding "
                    "afgehandeld of niet?",
                )
        elif "status" not in problems:
            if self.history_status:
                status = self.history_status
                self.history.add(f"status chosen:{status}")
            elif isinstance(reported, date) and self.this_year and reported < self.this_year.start:
                status = Status.CLOSED.value
                self.history.add("closed as history")
            else:
                status = Status.NEW.value
                self.history.add("new this year")
        if status in FINISHED and resolved in (None, "") and isinstance(reported, date):
            data["resolved_on"] = reported
            self.history.add("resolved on report date")
        if status:
            data["status"] = status
        if data.get("severity") is None and "severity" not in problems:
            data["severity"] = self.default_severity
            self.history.add("severity")

    def choice(self, column: Column, kind: str, text: str, problems: dict) -> str | None:
        if not text.strip():
            return None
        code = recognise.recognise(kind, text)
        if code is None:
            problems[kind] = self.unknown(column, text, kind)
        else:
            self.read_as(column, text, recognise.label(kind, code))
        return code

    def school(self, column: Column, text: str, problems: dict) -> str:
        """A school on the list, also when the file spells it a little differently; an
        empty cell gets the file's school later."""
        if not text.strip():
            return ""
        name, spelled_otherwise = school_names.match(text, self.schools)
        if name is None and self.add_schools:
            name = school_names.tidy(text)
            self.report.new_schools.add(name)
            return name
        if name is None:
            name = school_names.tidy(text)
            if (
                name in self.report.unknown_schools
                or len(self.report.unknown_schools) < VALUES_LISTED
            ):
                self.report.unknown_schools[name] += 1
            problems["school"] = self.unknown(column, text, "school")
            return name
        if spelled_otherwise:
            self.read_as(column, text, name)
        return name

    def severity(self, column: Column, text: str, problems: dict) -> str | None:
        word = text.strip()
        if column.scale and word.isdigit() and 1 <= int(word) <= column.scale:
            code = recognise.severity_from_scale(int(word), column.scale)
            self.read_as(column, word, recognise.label("severity", code))
            return code
        return self.choice(column, "severity", text, problems)

    def group(self, column: Column, text: str, problems: dict) -> str | None:
        if not text.strip():
            return None
        group, combination = recognise.recognise_group(text, column.group)
        if group is None:
            problems["group"] = self.unknown(column, text)
        else:
            self.read_as(column, text, group)
        if combination:
            self.filled.add("combination")
        return group

    def step_value(self, column: Column, part: str, text: str, problems: dict, key: str):
        if part == "done_on":
            return parse_date(text)
        if part == "outcome":
            code = recognise.recognise("outcome", text)
            if code is None:
                problems[key] = self.unknown(column, text, "outcome")
            return code
        return text


# --- import ----------------------------------------------------------------------------------


@dataclass
class Survey:
    """What a first pass over the file learns before any row is read: how many rows there
    are (for the progress bar), which columns named after a platform or form hold only
    ja/nee, the numbers in each Ernst column (its scale), whether every row names its
    school, and which columns right of the header hold something. Kept small: sets and
    counts, never the rows."""

    total: int = 0
    yes_no: set[str] = field(default_factory=set)
    numbers: dict[str, set[str]] = field(default_factory=dict)
    school_everywhere: bool = True
    beyond_header: list[str] = field(default_factory=list)
    # Columns we do not read yet: their values (VALUES_SAMPLED at most) and filled cells, to
    # see whether they hold forms or platforms under a header of their own (propose_columns).
    samples: dict[str, Counter] = field(default_factory=dict)
    filled: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, table: Table, targets: dict[str, str]) -> Survey:
        flags = {c for c in table.columns if c not in targets and flag_target(c)}
        severity = [h for h, t in targets.items() if t == "severity"]
        school = next((h for h, t in targets.items() if t == "school"), None)
        survey = cls(yes_no=set(flags), numbers={h: set() for h in severity})
        survey.samples = {c: Counter() for c in table.columns if c not in targets}
        width, beyond = len(table.columns), set()
        for _, cells, _ in table.rows():
            survey.total += 1
            if cells is None or not any(v.strip() for v in cells.values()):
                continue  # a row that does not fit, or an empty line
            for column in [c for c in survey.yes_no if recognise.yes_no(cells[c]) is None]:
                survey.yes_no.discard(column)
            for column in severity:
                value = cells[column].strip()
                if value.isdecimal() and 1 <= int(value) <= 5:
                    survey.numbers[column].add(value)
            if school and not cells[school].strip():
                survey.school_everywhere = False
            survey.sample(cells)
            if len(cells) > width:
                beyond |= {c for c in itertools.islice(cells, width, None) if cells[c].strip()}
        survey.beyond_header = sorted(beyond, key=lambda c: int(c.rsplit(" ", 1)[1]))
        return survey

    def sample(self, cells: dict[str, str]) -> None:
        """Count the values of columns we do not read, in the first CELLS_SAMPLED filled
        cells of each (enough to know what a column holds; a large file is not slowed)."""
        for column, counts in self.samples.items():
            value = (cells.get(column) or "").strip()
            if value and self.filled[column] < CELLS_SAMPLED:
                self.filled[column] += 1
                if value in counts or len(counts) < VALUES_SAMPLED:
                    counts[value] += 1


# A column under a header of its own is read as forms or platforms when it is sure: at least
# CONFIDENT_CELLS filled cells, CONFIDENT_SHARE of them read as that field, the file has no
# column for it, and no other column or field competes. It is only proposed (a note naming
# --map) from PROPOSED_SHARE. Only short phrases count: a description that happens to hold
# 'bedreigd' is no form column.
VALUES_SAMPLED, CELLS_SAMPLED = 200, 2000
CONFIDENT_CELLS, CONFIDENT_SHARE, PROPOSED_SHARE = 3, 0.8, 0.5
SHORT_PHRASE = 60  # characters
PROPOSABLE = {"forms": "Vorm", "platforms": "Platform"}  # our field -> the header to --map


def propose_columns(
    survey: Survey, targets: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, str, int, int]]]:
    """Columns whose header we do not know but whose values are clearly forms or platforms:
    ({header: field} read as such, [(header, field, recognised, filled)] of each candidate)."""
    have = {t.split(":")[1] if t.startswith("flag:") else t for t in targets.values()}
    found = []
    for column, counts in survey.samples.items():
        if column in targets or not survey.filled[column]:
            continue
        for kind in PROPOSABLE:
            if kind in have:
                continue
            known = sum(n for value, n in counts.items() if _reads_as(kind, value))
            if known / survey.filled[column] >= PROPOSED_SHARE:
                found.append((column, kind, known, survey.filled[column]))
    sure = {}
    for column, kind, known, filled in found:
        rivals = [f for f in found if (f[0] == column) != (f[1] == kind)]
        if filled >= CONFIDENT_CELLS and known / filled >= CONFIDENT_SHARE and not rivals:
            sure[column] = kind
    return sure, found


def _reads_as(kind: str, value: str) -> bool:
    """A short cell read whole as forms or platforms."""
    if len(value) > SHORT_PHRASE:
        return False
    codes, unknown = read_choices(kind, value)
    return bool(codes) and not unknown


class Check:
    """A dry run's look at the database: which reports are stored already. Stores nothing."""

    added = 0

    def __init__(self, store: Store):
        self.store = store

    def known(self, fingerprints: list[str]) -> set[str]:
        return incident_log.known_fingerprints(self.store, fingerprints)

    def stored(self, fingerprints: list[str]) -> dict[str, incident_log.Stored]:
        return incident_log.stored_reports(self.store, fingerprints)

    def add(self, reports: list) -> None:
        pass

    def update(self, changes: list) -> None:
        pass


def import_file(
    store: Store,
    path: Path,
    *,
    commit: bool = False,
    actor: str = "import",
    mapping: dict[str, str] | None = None,
    value_map: dict[tuple[str, str], str] | None = None,
    default_school: str = "",
    progress: Callable[[int, int], None] | None = None,
    raw: bytes | None = None,
    add_schools: bool = False,
    school_type: str | school_names.SchoolType | None = None,
    accept_groups: bool = False,
    history_status: str | None = None,
    severity: str | None = None,
    update: bool = False,
) -> ImportResult:
    """Read, validate and (with commit) store a file; the report says what happened per row.
    `raw`: the file's bytes (an upload), `path` then only its name. A school not on the
    list refuses its rows, unless `add_schools`: then the report names it as new, and a
    commit puts it on the list, with `school_type` or else the type its rows' groups show.
    A row whose group does not fit its school's type ('groep 7' at a secondary school) is
    'te bevestigen', not stored, unless `accept_groups`.

    History (RowReader.settle_history): a row that does not say its status is 'Afgesloten'
    when reported before this school year, else 'Nieuw', or `history_status` ('afgesloten',
    'nieuw') for all; a row without severity gets `severity` (a level in Dutch), else
    'Onbekend'. A column under an unknown header whose values are clearly forms or
    platforms is read as such (propose_columns). With `update`, a row stored before that
    says another status, severity or date handled corrects it ('bijgewerkt', audited).

    The file is read as a stream, twice: a first pass (Survey) learns what the columns
    hold, the second reads, checks and stores the rows CHUNK_ROWS at a time; a commit does
    the second pass inside its one writing transaction. Memory stays the same for ten rows
    and for a million."""
    table = read_table(path, raw)
    path, columns = table.path, table.columns
    check_mapping(path, columns, mapping or {}, value_map or {})
    targets = column_map(columns, mapping)
    if "reported_on" not in targets.values():
        raise ColumnsMissing(
            f"{path}: geen kolom 'Datum melding' gevonden (kolommen: {', '.join(columns[:12])})",
            columns,
        )
    if not set(ROLES) & set(targets.values()):
        raise ColumnsMissing(
            f"{path}: geen kolom met leerlingnummers gevonden (zoals 'Leerlingnummer' of "
            f"'Gepeste leerling'); koppel de eigen kolom met --map 'KOLOM=Leerlingnummer' "
            f"(kolommen: {', '.join(columns[:12])})",
            columns,
        )
    survey = Survey.of(table, targets)
    targets = column_map(columns, mapping, survey.yes_no)
    sure, candidates = propose_columns(survey, targets)
    targets = column_map(columns, {**sure, **(mapping or {})}, survey.yes_no)
    report = ImportResult(
        str(path),
        [],
        commit,
        ignored_columns=[c for c in columns if c not in targets] + survey.beyond_header,
    )
    _column_notes(report, sure, candidates)
    default_school = _school_for_file(
        store, path, targets, survey.school_everywhere, default_school, report, add_schools
    )
    readers = [Column.of(h, t, survey.numbers.get(h, ())) for h, t in targets.items()]
    for column in readers:
        if column.scale:
            guessed = (
                ""
                if column.scale_stated
                else " (afgeleid uit het hoogste getal; is de schaal anders, zet haar in de kop, "
                "bijv. 'Ernst (1-5)')"
            )
            report.notes.append(f"{column.header}: {recognise.scale_note(column.scale)}{guessed}")
    reader = RowReader(readers, value_map or {}, report, school_names.names(store), add_schools)
    reader.expect_types(
        school_names.types(store),
        school_type and school_names.SchoolType.parse(school_type),
        accept_groups,
    )
    reader.expect_history(history_status, severity, update)
    if commit:
        with incident_log.importing(store, path.name, actor) as batch:
            filled = _read_rows(table, reader, report, batch, default_school, survey, progress)
            school_names.set_types(batch.conn, reader.new_school_types(), actor)
        report.added, report.updated = batch.added, batch.updated
    else:
        filled = _read_rows(table, reader, report, Check(store), default_school, survey, progress)
    if filled["combination"]:
        report.notes.append(
            f"{rows(filled['combination'])} met een combinatiegroep: {recognise.COMBINATION_RULE}"
        )
    if filled["description"]:
        report.notes.append(
            f"{rows(filled['description'])} zonder beschrijving: als beschrijving staat er "
            f"'{IMPORT_DESCRIPTION}'"
        )
    if filled["reporter"]:
        report.notes.append(
            f"{rows(filled['reporter'])} zonder 'Gemeld door': als melder staat er "
            f"'{Reporter.OTHER.label}'"
        )
    _history_notes(report, filled, reader, targets)
    _school_notes(report, reader.new_school_types())
    _group_notes(report, accept_groups)
    if filled["without handler"]:  # rows already stored are not stored again: not counted
        report.notes.append(
            f"{rows(filled['without handler'])} zonder behandelaar: als behandelaar staat er "
            f"'{IMPORT_HANDLER}'"
        )
    return report


def _read_rows(
    table: Table,
    reader: RowReader,
    report: ImportResult,
    database: Check | incident_log.Importing,
    default_school: str,
    survey: Survey,
    progress: Callable[[int, int], None] | None,
) -> Counter:
    """The second pass: every row read and checked, CHUNK_ROWS at a time looked up in the
    database (a report stored before, or earlier in this file, is 'al aanwezig') and, on a
    commit, stored. Returns what the accepted rows got from us, for the notes."""
    filled: Counter = Counter()
    seen: set[bytes] = set()  # the fingerprints of this file's reports so far (32 bytes each)
    results: list[RowResult] = []  # this chunk's rows, in file order
    accepted: list[tuple[RowResult, tuple]] = []  # and its accepted rows, with what to store
    history: list[tuple[set, set]] = []  # and what each said and got (RowReader.said, .history)

    def flush() -> None:
        prints = [incident.fingerprint for _, (incident, _) in accepted]
        stored = database.stored(prints) if prints else {}
        new, changes = [], []
        for (result, payload), (said, got), fingerprint in zip(
            accepted, history, prints, strict=True
        ):
            key = bytes.fromhex(fingerprint)
            if fingerprint in stored and key not in seen:
                _correction(reader, report, result, stored[fingerprint], payload[0], said, changes)
            if fingerprint in stored or key in seen:
                if result.outcome != UPDATED:
                    result.outcome, result.problems = "al aanwezig", []
            elif result.outcome == ASK:
                pass  # its group does not fit its school: stored only once confirmed
            else:
                new.append(payload)
                filled["without handler"] += payload[0].handler == IMPORT_HANDLER
                filled.update(got)
            seen.add(key)
        if new:
            database.add(new)
        database.update(changes)
        _names_in(accepted, report)
        for result in results:
            report.add(result)
        results.clear()
        accepted.clear()
        history.clear()

    for done, (row_number, cells, misfit) in enumerate(table.rows(), start=1):
        if progress and (done % PROGRESS_EVERY == 0 or done == survey.total):
            progress(done, survey.total)
        if cells is None:
            results.append(RowResult(row_number, "geweigerd", [("Rij", misfit)]))
        elif not any(v.strip() for v in cells.values()):
            continue  # an empty line
        else:
            result, payload = _read_row(reader, row_number, cells, default_school)
            results.append(result)
            if payload:
                accepted.append((result, payload))
                history.append((reader.said, reader.history))
                filled.update(reader.filled)
        if len(results) >= CHUNK_ROWS:
            flush()
    flush()
    return filled


def _correction(
    reader: RowReader,
    report: ImportResult,
    result: RowResult,
    stored: incident_log.Stored,
    incident,
    said: set[str],
    changes: list,
) -> None:
    """A row already stored that says another status, severity or date handled: with
    `update` it becomes 'bijgewerkt' (its changes listed; a commit stores them, audited),
    without it the report counts it, so the dry run can say that --update would correct it.
    Only what the row says itself counts: a default (history rule, 'Onbekend') never
    overwrites what is stored."""
    fields = corrections(stored, incident, said)
    if not fields:
        return
    if not reader.update:
        report.differing += 1
        return
    result.outcome, result.problems = UPDATED, []
    result.changes = [
        (label_for(name), shown(name, old), shown(name, new)) for name, (old, new) in fields.items()
    ]
    changes.append((stored.id, fields))


def corrections(stored: incident_log.Stored, incident, said: set[str]) -> dict[str, tuple]:
    """Field -> (stored, from the file) for what the file's row changes. A status that
    changes between open and finished brings its date handled along (the file's, else the
    date of the report; none for an open case)."""
    fields: dict[str, tuple] = {}
    status = incident.status.value
    if "status" in said and status != stored.status:
        fields["status"] = (stored.status, status)
    if "severity" in said and incident.severity.value != stored.severity:
        fields["severity"] = (stored.severity, incident.severity.value)
    resolved = stored.resolved_on
    if "resolved_on" in said:
        resolved = incident.resolved_on
    elif "status" in fields and (status not in FINISHED or stored.status not in FINISHED):
        resolved = incident.resolved_on if status in FINISHED else None
    if resolved != stored.resolved_on:
        fields["resolved_on"] = (stored.resolved_on, resolved)
    return fields


def shown(name: str, value) -> str:
    """A stored value as the report shows it: a label, a Dutch date, '—'."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return clock.nl_date(value)
    return recognise.label(name, value)


def _names_in(accepted: list[tuple[RowResult, tuple]], report: ImportResult) -> None:
    """Rows whose description seems to hold a name, for the report (not refused: the
    detector also flags words that are no name, and a school's history is kept whole)."""
    if report.with_names is None or not accepted:
        return
    found = names.find_all(incident.description for _, (incident, _) in accepted)
    if found is None:
        report.with_names = None
        return
    for (result, _), in_text in zip(accepted, found, strict=True):
        if in_text and len(report.with_names) < DETAIL_ROWS:
            report.with_names.append((result.row, in_text))


def _column_notes(report: ImportResult, sure: dict, candidates: list) -> None:
    """Columns read as forms or platforms by their values, or proposed as such."""
    for column, kind, known, filled in candidates:
        ours = PROPOSABLE[kind]
        seen = f"{number(known)} van {counted(filled, 'waarde', 'waarden')}"
        report.proposed_columns.setdefault(column, kind)
        if sure.get(column) == kind:
            report.notes.append(
                f"Kolom '{column}' gelezen als '{ours}' ({seen} herkend); "
                f"klopt dat niet, koppel dan zelf een kolom met --map 'KOLOM={ours}'"
            )
        else:
            report.notes.append(
                f"Kolom '{column}' lijkt '{ours}' te zijn ({seen} "
                f"herkend); gebruik --map '{column}={ours}'"
            )


def _history_notes(report: ImportResult, filled: Counter, reader: RowReader, targets) -> None:
    """What rows that did not say their status or severity got (settle_history)."""
    dry = not report.committed
    has_status = bool({*HANDLING, "resolved_on"} & set(targets.values()))
    closed, new = filled["closed as history"], filled["new this year"]
    if closed or new:
        year = reader.this_year.label if reader.this_year else ""
        parts = []
        if closed:
            verb = plural(closed, "wordt", "worden") if dry else plural(closed, "is", "zijn")
            parts.append(
                f"{rows(closed)} van vóór dit schooljaar ({year}) {verb} 'Afgesloten' (oude "
                "meldingen, niet achterstallig)"
            )
        if new:
            verb = plural(new, "blijft", "blijven") if dry else plural(new, "is", "zijn")
            parts.append(f"{rows(new)} uit dit schooljaar {verb} 'Nieuw'")
        opening = (
            f"{rows(closed + new)} zonder status"
            if has_status
            else "Het bestand heeft geen kolom voor de status (zoals 'Status' of "
            "'Afgehandeld ja/nee')"
        )
        report.notes.append(
            f"{opening}: {'; '.join(parts)}. Kies anders voor alle rijen zonder status: "
            "--history-status afgesloten of --history-status nieuw"
        )
    for code in (Status.CLOSED.value, Status.NEW.value):
        if n := filled[f"status chosen:{code}"]:
            verb = plural(n, "wordt", "worden") if dry else plural(n, "is", "zijn")
            report.notes.append(
                f"{rows(n)} zonder status {verb} '{recognise.label('status', code)}' "
                "(gekozen met --history-status)"
            )
    if n := filled["resolved on report date"]:
        report.notes.append(
            f"{rows(n)} afgehandeld zonder datum: als datum afgehandeld staat er de datum van "
            "melding"
        )
    if n := filled["severity"]:
        level = recognise.label("severity", reader.default_severity)
        chosen = reader.default_severity != Severity.UNKNOWN.value
        opening = (
            f"{rows(n)} zonder ernst"
            if "severity" in targets.values()
            else f"Het bestand heeft geen kolom Ernst ({rows(n)})"
        )
        choice = (
            " (gekozen met --severity)"
            if chosen
            else "; kies anders --severity licht, middel of ernstig"
        )
        report.notes.append(f"{opening}: als ernst staat er '{level}'{choice}")
    if report.differing:
        report.notes.append(
            f"{rows(report.differing)} al aanwezig met een andere status, ernst of datum "
            "afgehandeld; werk ze bij met --update (een proefdraai toont per rij wat er verandert)"
        )


def _school_notes(report: ImportResult, types: dict[str, school_names.SchoolType]) -> None:
    """Which schools of the file are not on the list: new ones (asked for, with the type
    they get) or refused ones."""
    if report.new_schools:
        verb = "op de lijst gezet" if report.committed else "komen op de lijst"
        names = ", ".join(f"'{n}'" for n in sorted(report.new_schools))
        report.notes.append(f"Nieuwe scholen, {verb}: {names}")
        kinds = ", ".join(f"'{n}': {types[n].label}" for n in sorted(types))
        report.notes.append(
            f"Soort school: {kinds} (gekozen, of volgens de groepen van het bestand; geef "
            "haar anders op: --school-type basis, vo of beide)"
        )
    if report.unknown_schools:
        names = ", ".join(f"'{n}' ({rows(k)})" for n, k in report.unknown_schools.most_common())
        report.notes.append(
            f"Niet op de lijst van scholen: {names}. Is het een nieuwe school, voeg haar dan "
            "toe ('Nieuwe scholen uit dit bestand toevoegen', of --add-schools); is het een "
            "andere schrijfwijze van een bekende school, koppel haar daaraan"
        )


def _group_notes(report: ImportResult, accepted: bool) -> None:
    """Rows whose group does not fit their school's type: asked about, or taken as asked."""
    if not report.misfits:
        return
    found = report.misfit_summary()
    if accepted:
        report.notes.append(
            f"{rows(sum(report.misfits.values()))} met een groep die niet bij de soort school "
            f"past, op verzoek toch overgenomen: {found}"
        )
        return
    report.notes.append(
        f"{rows(report.count(ASK))} te bevestigen: de groep past niet bij de soort school "
        f"({found}). Horen ze toch bij die school, bevestig dat dan (--accept-groups; in de "
        "browser: 'Ja, deze rijen horen bij deze school'); anders: kies de juiste school, of "
        "zet de soort school goed (pestdata schools type; in de browser: 'Soort opslaan')"
    )


def rows(n: int) -> str:
    """'1 rij', '3 rijen'."""
    return counted(n, "rij", "rijen")


def _school_for_file(
    store, path, targets, school_everywhere, default_school, report, add_schools
) -> str:
    """The school for rows that name none: the one given. A file without a School column
    and no school given raises SchoolNeeded, even when the list has one school; a School
    column with empty cells refuses those rows."""
    known = school_names.names(store)
    if default_school.strip():
        name, _ = school_names.match(default_school, known)
        if name is None and add_schools:
            report.new_schools.add(school_names.tidy(default_school))
            return school_names.tidy(default_school)
        if name is None:
            raise ImportFileError(
                f"{path}: {school_names.unknown_school(default_school, known)}; of importeer "
                "met --add-schools om haar als nieuwe school toe te voegen"
            )
        return name
    school_columns = [h for h, t in targets.items() if t == "school"]
    if not school_columns:
        raise SchoolNeeded(path, known)  # also when the list has one school: asked, not assumed
    return ""


def _read_row(reader: RowReader, row_number: int, cells: dict, default_school: str):
    """(RowResult, (incident, steps) or None) for one row."""
    data, step_data, problems = reader.read(cells)
    if not str(data.get("school") or "").strip():
        data["school"] = default_school
    reader.note_group(data["school"], data.get("group"))
    incident, steps = None, []
    try:
        incident = validate_incident(data)
    except InvalidInput as error:
        for key, reason in error.errors.items():
            problems.setdefault(key, reason)  # our own reading's reason comes first
    if not data["school"] and "school" in problems:
        problems["school"] += "; geef de school op voor het hele bestand (--school 'NAAM')"
    for step_id, values in step_data.items():
        try:
            steps.append(validate_step({"done_by": "onbekend", **values}))
        except InvalidInput as error:
            for key, reason in error.errors.items():
                problems.setdefault(f"stap {step_id} {key}", reason)
    if incident and not problems:
        for step in steps:
            if problem := step_date_problem(step, incident.reported_on):
                problems[f"stap {step.step_id} done_on"] = problem
    if problems:
        labelled = [(_field_label(k), v) for k, v in problems.items()]
        return RowResult(row_number, "geweigerd", labelled), None
    if question := reader.misfit(incident):
        return RowResult(row_number, ASK, [(_field_label("group"), question)]), (incident, steps)
    return RowResult(row_number, "nieuw"), (incident, steps)


def _field_label(key: str) -> str:
    if key.startswith("stap "):
        _, step_id, part = key.split(" ", 2)
        return f"Stap {step_id}: {FIELD_LABELS.get(part, part)}"
    return label_for(key)
