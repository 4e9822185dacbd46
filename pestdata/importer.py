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
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from . import clock, incident_log, recognise, school_names
from .guidance import load_protocol
from .model import (
    FIELD_LABELS,
    InvalidInput,
    Reporter,
    Role,
    label_for,
    step_date_problem,
    validate_incident,
    validate_step,
)
from .store import Store

MAX_FILE_BYTES = 200 * 1024 * 1024
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
}
STEP_PARTS = {"datum": "done_on", "door": "done_by", "notitie": "note", "uitkomst": "outcome"}
ROLES = {"target": Role.TARGET, "bully": Role.BULLY, "bystander": Role.BYSTANDER}
CHOICE_FIELDS = ("reporter", "severity", "motive", "status", "platforms", "forms")
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
EXCEL_EPOCH = date(1899, 12, 30)  # a date cell that lost its format shows days since then


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


class SchoolNeeded(ImportFileError):
    """The file names no school and the database has none or several: the user must choose."""

    def __init__(self, path: Path, known: list[str]):
        self.known = known
        choice = f" (bekend: {', '.join(known)})" if known else ""
        super().__init__(
            f"{path}: het bestand heeft geen kolom School; kies de school voor alle rijen"
            f"{choice}. In de opdrachtregel: --school 'NAAM'."
        )


# --- reading files ---------------------------------------------------------------------------


@dataclass
class Table:
    """A file's rows as text under the header's column names, numbered as a spreadsheet
    shows them (the header is row 1); rows that do not fit the header, with the reason."""

    frame: pd.DataFrame
    misfits: dict[int, str] = field(default_factory=dict)


def decode(raw: bytes) -> str:
    """UTF-8 (BOM dropped) where it decodes, else Windows-1252 — line by line, for mixed files."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines = []
    for line in raw.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "".join(lines)


def read_table(path: Path, raw: bytes | None = None) -> Table:
    """The file's rows as text; empty lines stay rows (they keep the numbering). With `raw`
    (an upload, kept in memory so it never lies on disk) `path` only names the file."""
    path = Path(path)
    if raw is None:
        if not path.exists():
            raise ImportFileError(f"{path}: bestand niet gevonden")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path}: groter dan {MAX_FILE_BYTES // 1_000_000} MB")
        raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError(f"{path}: groter dan {MAX_FILE_BYTES // 1_000_000} MB")
    if raw[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return Table(_read_excel(path, raw))
    text = decode(raw)
    if not text.strip():
        raise ImportFileError(f"{path}: het bestand is leeg")
    return _read_csv(path, text)


def _read_excel(path: Path, raw: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_excel(io.BytesIO(raw), dtype=object, header=0)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None
    frame = frame.map(_cell_text)
    frame.columns = [str(c) for c in frame.columns]
    frame.index = range(2, len(frame) + 2)
    return frame


def _read_csv(path: Path, text: str) -> Table:
    """Rows of the header's width; a row with more or fewer cells is set aside with its
    number (extra cells that are empty are no problem: Excel writes trailing ';')."""
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=guess_delimiter(text))
    try:
        header = next(reader)
        width = len(header)
        rows, numbers, misfits = [], [], {}
        for number, cells in enumerate(reader, start=2):
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]
            if not cells:
                cells = [""] * width
            if len(cells) != width:
                more = "meer" if len(cells) > width else "minder"
                misfits[number] = (
                    f"deze rij heeft {len(cells)} cellen, {more} dan de {width} kolommen "
                    f"van de kop; controleer of een ';' of ',' in een cel tussen "
                    f"aanhalingstekens staat"
                )
                cells = [""] * width
            rows.append(cells)
            numbers.append(number)
    except csv.Error as exc:
        raise ImportFileError(f"{path}: niet te lezen als CSV ({exc})") from None
    header = [h.strip() or f"kolom {i + 1}" for i, h in enumerate(header)]
    frame = pd.DataFrame(rows, columns=header, index=numbers, dtype=str)
    return Table(frame, misfits)


def guess_delimiter(text: str) -> str:
    """';', ',' or tab: the one the header line uses most (a header holds no text with
    commas or apostrophes, unlike the rows, which fooled csv.Sniffer)."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    return max((";", ",", "\t"), key=header.count)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
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
    columns: list[str], mapping: dict[str, str] | None = None, frame: pd.DataFrame | None = None
) -> dict[str, str]:
    """Our field for each recognised column; `mapping` (their header → our field or header)
    comes first. Step columns look like 'Stap steun: datum'. With the `frame`, a column named
    after a platform or form whose cells are ja/nee (x, 1, ✓) becomes 'flag:platforms:tiktok'."""
    mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    steps = {s.id for s in load_protocol()}
    found = {}
    for column in columns:
        key = normalise_header(column)
        target = mapping.get(key) or HEADERS.get(key)
        if target and normalise_header(target) in HEADERS:  # a mapping may name our header
            target = HEADERS[normalise_header(target)]
        match = re.fullmatch(r"stap (\w+) (datum|door|notitie|uitkomst)", key)
        if not target and match and match.group(1) in steps:
            target = f"step:{match.group(1)}:{STEP_PARTS[match.group(2)]}"
        if not target and frame is not None:
            target = _flag_column(column, frame[column])
        if target:
            found[column] = target
    return found


# What --map may name, in the words of our own export (each is also a header we read).
MAP_TARGETS = (
    "Datum melding, Datum voorval, School, Gemeld door, Leerlingnummer (gepeste leerling), "
    "Pester, Omstanders, Groep of klas, Platforms, Vormen, Ernst, Motief, Status, Behandelaar, "
    "Beschrijving, Datum opgelost"
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


def _flag_column(header: str, cells: pd.Series) -> str | None:
    """'flag:platforms:whatsapp' for a column 'WhatsApp' of ja/nee cells, else None."""
    if not all(recognise.yes_no(c) is not None for c in cells):
        return None
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
    def of(cls, header: str, target: str, cells: pd.Series) -> Column:
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


# --- the report ------------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    outcome: str  # "nieuw", "al aanwezig", "geweigerd"
    problems: list[tuple[str, str]] = field(default_factory=list)  # (Dutch field, reason)
    incident_id: int | None = None


@dataclass
class ImportReport:
    source: str
    rows: list[RowResult]
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

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.rows)

    def summary(self) -> str:
        verb = "toegevoegd" if self.committed else "zouden worden toegevoegd"
        return (
            f"{rows(len(self.rows))}: {self.count('nieuw')} {verb}, "
            f"{self.count('al aanwezig')} al aanwezig, {self.count('geweigerd')} geweigerd."
        )

    def refused(self) -> list[str]:
        return [
            f"rij {r.row}: {f}: {reason}"
            for r in self.rows
            if r.outcome == "geweigerd"
            for f, reason in r.problems
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
        report: ImportReport,
        schools: list[str],
        add_schools: bool = False,
    ):
        self.columns, self.value_map, self.report = columns, value_map, report
        self.schools = schools  # the list a file's school must be on (school_names.py)
        self.add_schools = add_schools  # a name not on it is a new school (asked for)
        self.filled: set[str] = set()  # what the row last read got from us, for the notes

    def mapped(self, column: Column, text: str) -> str:
        return self.value_map.get(value_key(column.header, text), text)

    def read_as(self, column: Column, theirs: str, ours: str) -> None:
        """Note how a value was read when the school wrote it in other words than ours."""
        if recognise.normalise(theirs) != recognise.normalise(ours):
            self.report.readings.setdefault(column.header, Counter())[(theirs.strip(), ours)] += 1

    def unknown(self, column: Column, text: str, kind: str = "") -> str:
        """Count a value not recognised; the Dutch reason for the row."""
        if kind == "school":
            self.report.options[column.header] = self.schools
            allowed = ", ".join(self.schools) or "nog geen school op de lijst"
        elif kind:
            options = recognise.allowed(kind)
            self.report.options[column.header] = options
            allowed = ", ".join(options)
        else:
            allowed = GROUP_ALLOWED[column.group.kind]
        self.report.unknown.setdefault(column.header, Counter())[text.strip()] += 1
        self.report.allowed[column.header] = allowed
        if kind == "school":
            return school_names.unknown_school(text[:40], self.schools)
        return f"onbekende waarde '{text.strip()[:40]}'; toegestaan: {allowed}"

    def read(self, cells: dict[str, str]) -> tuple[dict, dict[str, dict], dict[str, str]]:
        """One row's cells -> (incident input, step inputs, problems per field)."""
        data: dict = {"pupils": []}
        steps: dict[str, dict] = {}
        problems: dict[str, str] = {}
        self.filled = set()
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
            elif target in ("reported_on", "happened_on", "resolved_on"):
                data[target] = parse_date(text)
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
            elif target in CHOICE_FIELDS:
                data[target] = self.choice(column, target, text, problems)
            else:
                data[target] = text
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
            self.report.unknown_schools[school_names.tidy(text)] += 1
            problems["school"] = self.unknown(column, text, "school")
            return school_names.tidy(text)
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
) -> ImportReport:
    """Read, validate and (with commit) store a file; the report says what happened per row.
    `raw`: the file's bytes (an upload), `path` then only its name. A school not on the
    list refuses its rows, unless `add_schools`: then the report names it as new, and a
    commit puts it on the list."""
    path = Path(path)
    table = read_table(path, raw)
    frame = table.frame
    check_mapping(path, list(frame.columns), mapping or {}, value_map or {})
    targets = column_map(list(frame.columns), mapping, frame)
    if "reported_on" not in targets.values():
        raise ImportFileError(
            f"{path}: geen kolom 'Datum melding' gevonden (kolommen: "
            f"{', '.join(frame.columns[:12])})"
        )
    if not set(ROLES) & set(targets.values()):
        raise ImportFileError(
            f"{path}: geen kolom met leerlingnummers gevonden (zoals 'Leerlingnummer' of "
            f"'Gepeste leerling'); koppel de eigen kolom met --map 'KOLOM=Leerlingnummer' "
            f"(kolommen: {', '.join(frame.columns[:12])})"
        )
    report = ImportReport(
        str(path), [], commit, ignored_columns=[c for c in frame.columns if c not in targets]
    )
    default_school = _school_for_file(
        store, path, targets, frame, default_school, report, add_schools
    )
    columns = [Column.of(h, t, frame[h]) for h, t in targets.items()]
    for column in columns:
        if column.scale:
            guessed = (
                ""
                if column.scale_stated
                else " (afgeleid uit het hoogste getal; is de schaal anders, zet haar in de kop, "
                "bijv. 'Ernst (1-5)')"
            )
            report.notes.append(f"{column.header}: {recognise.scale_note(column.scale)}{guessed}")
    reader = RowReader(columns, value_map or {}, report, school_names.names(store), add_schools)
    valid: list[tuple[object, list]] = []
    filled: Counter = Counter()  # per accepted row: what it got from us
    total = len(frame)
    for done, (row_number, cells) in enumerate(frame.to_dict("index").items(), start=1):
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
        if row_number in table.misfits:
            report.rows.append(
                RowResult(row_number, "geweigerd", [("Rij", table.misfits[row_number])])
            )
            continue
        if not any(str(v).strip() for v in cells.values()):
            continue  # an empty line
        result, accepted = _read_row(reader, row_number, cells, default_school)
        report.rows.append(result)
        if accepted:
            valid.append(accepted)
            filled.update(reader.filled)
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
    _school_notes(report)
    _mark_known(store, report, valid)
    rows_valid = [r for r in report.rows if r.outcome != "geweigerd"]
    without_handler = sum(  # rows already stored are not stored again: not counted
        result.outcome == "nieuw" and incident.handler == IMPORT_HANDLER
        for result, (incident, _) in zip(rows_valid, valid, strict=True)
    )
    if without_handler:
        report.notes.append(
            f"{rows(without_handler)} zonder behandelaar: als behandelaar staat er "
            f"'{IMPORT_HANDLER}'"
        )
    if commit and valid:
        report.added, _ = incident_log.import_reports(store, valid, source=path.name, actor=actor)
    return report


def _school_notes(report: ImportReport) -> None:
    """Which schools of the file are not on the list: new ones (asked for) or refused ones."""
    if report.new_schools:
        verb = "op de lijst gezet" if report.committed else "komen op de lijst"
        names = ", ".join(f"'{n}'" for n in sorted(report.new_schools))
        report.notes.append(f"Nieuwe scholen, {verb}: {names}")
    if report.unknown_schools:
        names = ", ".join(f"'{n}' ({rows(k)})" for n, k in report.unknown_schools.most_common())
        report.notes.append(
            f"Niet op de lijst van scholen: {names}. Is het een nieuwe school, voeg haar dan "
            "toe ('Nieuwe scholen uit dit bestand toevoegen', of --add-schools); is het een "
            "andere schrijfwijze van een bekende school, koppel haar daaraan"
        )


def rows(n: int) -> str:
    """'1 rij', '3 rijen'."""
    return f"{n} rij" if n == 1 else f"{n} rijen"


def _school_for_file(store, path, targets, frame, default_school, report, add_schools) -> str:
    """The school for rows that name none: the one given, else the only school in the
    database (said in the report); a file without a School column and no way to know which
    school it is raises SchoolNeeded."""
    known = school_names.names(store)
    if default_school.strip():
        name, _ = school_names.match(default_school, known)
        if name is None and add_schools:
            report.new_schools.add(school_names.tidy(default_school))
            return school_names.tidy(default_school)
        if name is None:
            raise ImportFileError(f"{path}: {school_names.unknown_school(default_school, known)}")
        return name
    school_columns = [h for h, t in targets.items() if t == "school"]
    if school_columns and all(str(v).strip() for v in frame[school_columns[0]]):
        return ""
    if len(known) == 1:
        report.notes.append(f"Rijen zonder school horen bij {known[0]} (de enige school)")
        return known[0]
    if not school_columns:
        raise SchoolNeeded(path, known)
    return ""


def _read_row(reader: RowReader, row_number: int, cells: dict, default_school: str):
    """(RowResult, (incident, steps) or None) for one row."""
    data, step_data, problems = reader.read(cells)
    if not str(data.get("school") or "").strip():
        data["school"] = default_school
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
    return RowResult(row_number, "nieuw"), (incident, steps)


def _mark_known(store: Store, report: ImportReport, valid: list) -> None:
    """Reports already stored before, or twice in this file: marked, never stored twice."""
    known = incident_log.known_fingerprints(store, [incident.fingerprint for incident, _ in valid])
    seen: set[str] = set()
    rows_valid = [r for r in report.rows if r.outcome == "nieuw"]
    for result, (incident, _) in zip(rows_valid, valid, strict=True):
        if incident.fingerprint in known or incident.fingerprint in seen:
            result.outcome = "al aanwezig"
        seen.add(incident.fingerprint)


def _field_label(key: str) -> str:
    if key.startswith("stap "):
        _, step_id, part = key.split(" ", 2)
        return f"Stap {step_id}: {FIELD_LABELS.get(part, part)}"
    return label_for(key)
