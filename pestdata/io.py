"""CSV/Excel import with a row-by-row report, and CSV/Excel export.

Import reads what a Dutch school has: CSV with ',' or ';', in UTF-8 (with or without BOM) or
Windows-1252 (what Dutch Excel writes), line by line so a file with mixed encodings still
reads, and XLSX. Dutch headers are recognised; a mapping can name others. Every row is
validated by the model; refused rows are listed with row number, field and a Dutch reason.
A fingerprint per row makes a second import of the same file add nothing.

Export writes the care team's file (with pupil numbers, for re-import) or, with `share`, a
board file with keyed pseudonyms and no free text or staff names. Cells that a spreadsheet
would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import analytics, privacy
from .guidance import load_protocol
from .model import (
    FIELD_LABELS,
    LABELS,
    Form,
    InvalidInput,
    Outcome,
    Platform,
    Reporter,
    Role,
    Severity,
    Status,
    label_for,
    validate_incident,
    validate_step,
)
from .store import (
    Store,
    descriptions,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    steps_done,
)

MAX_FILE_BYTES = 200 * 1024 * 1024

# Dutch (and our own export's) column headers → our fields. Keys are normalised headers.
HEADERS = {
    "datum melding": "reported_on",
    "meldingsdatum": "reported_on",
    "gemeld op": "reported_on",
    "datum": "reported_on",
    "datum voorval": "happened_on",
    "datum incident": "happened_on",
    "gebeurd op": "happened_on",
    "school": "school",
    "gemeld door": "reporter",
    "melder": "reporter",
    "leerlingnummer": "target",
    "leerlingnummer gepeste leerling": "target",
    "gepeste leerling": "target",
    "gepeste leerlingen": "target",
    "leerlingnummer pester": "bully",
    "pester": "bully",
    "pesters": "bully",
    "omstander": "bystander",
    "omstanders": "bystander",
    "groep": "group",
    "klas": "group",
    "groep of klas": "group",
    "groepklas": "group",
    "platform": "platforms",
    "platforms": "platforms",
    "kanaal": "platforms",
    "vorm": "forms",
    "vormen": "forms",
    "vormen van pesten": "forms",
    "soort pesten": "forms",
    "ernst": "severity",
    "status": "status",
    "behandelaar": "handler",
    "afhandelaar": "handler",
    "beschrijving": "description",
    "omschrijving": "description",
    "toelichting": "description",
    "datum opgelost": "resolved_on",
}
STEP_PARTS = {"datum": "done_on", "door": "done_by", "notitie": "note", "uitkomst": "outcome"}
SYNONYMS = {
    "reporter": {
        "ouder": "parent",
        "ouders": "parent",
        "verzorger": "parent",
        "leraar": "teacher",
        "docent": "teacher",
        "juf": "teacher",
        "meester": "teacher",
        "leerkracht": "teacher",
        "mentor": "mentor",
        "leerling": "pupil",
        "anoniem": "anonymous",
        "anders": "other",
        "onbekend": "other",
    },
    "severity": {
        "laag": "low",
        "licht": "low",
        "gemiddeld": "medium",
        "middel": "medium",
        "hoog": "high",
        "ernstig": "high",
        "zwaar": "high",
    },
    "platforms": {
        "whatsapp": "whatsapp",
        "app": "whatsapp",
        "insta": "instagram",
        "snap": "snapchat",
        "twitter": "x",
        "x": "x",
        "game": "game_chat",
        "games": "game_chat",
        "gamechat": "game_chat",
        "fortnite": "game_chat",
        "roblox": "game_chat",
        "minecraft": "game_chat",
        "magister": "school_platform",
        "schoolplatform": "school_platform",
        "youtube": "youtube",
    },
    "forms": {
        "roddel": "gossip",
        "roddelen": "gossip",
        "uitsluiten": "exclusion",
        "buitensluiten": "exclusion",
        "belachelijk maken": "ridicule",
        "grappen": "ridicule",
        "foto": "sharing_images",
        "foto's": "sharing_images",
        "filmpje": "sharing_images",
        "haat": "hate_campaign",
        "bedreiging": "threats",
        "dreigen": "threats",
        "nepaccount": "impersonation",
        "sexting": "sextortion",
        "sextortion": "sextortion",
        "afpersing": "sextortion",
    },
}
ENUMS = {
    "reporter": Reporter,
    "severity": Severity,
    "status": Status,
    "platforms": Platform,
    "forms": Form,
    "outcome": Outcome,
}
MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "januari"),
            ("feb", "februari"),
            ("mrt", "maart", "mar"),
            ("apr", "april"),
            ("mei",),
            ("jun", "juni"),
            ("jul", "juli"),
            ("aug", "augustus"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


# --- reading files ---------------------------------------------------------------------------


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


def read_table(path: Path) -> pd.DataFrame:
    """The file's rows as text, with the header's column names; empty lines dropped."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"{path}: bestand niet gevonden")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(f"{path}: groter dan {MAX_FILE_BYTES // 1_000_000} MB")
    raw = path.read_bytes()
    if raw[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(io.BytesIO(raw), dtype=object, header=0)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None
        frame = frame.map(_cell_text)
    else:
        text = decode(raw)
        if not text.strip():
            raise ImportFileError(f"{path}: het bestand is leeg")
        delimiter = guess_delimiter(text)
        csv.field_size_limit(MAX_FILE_BYTES)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="python",
            )
        except (pd.errors.ParserError, csv.Error) as exc:
            line = re.search(r"line (\d+)", str(exc))
            where = f" (rond regel {line.group(1)})" if line else ""
            raise ImportFileError(
                f"{path}: niet te lezen als CSV{where}: controleer of elke rij "
                f"evenveel kolommen heeft als de kop"
            ) from None
        frame = frame.fillna("")  # an empty line reads as NaN; it stays a row, to keep numbering
    frame.columns = [str(c) for c in frame.columns]
    frame.index = range(2, len(frame) + 2)  # row numbers as a spreadsheet shows them
    return frame


def guess_delimiter(text: str) -> str:
    """';', ',' or tab: the one the header line uses most (a header holds no text with
    commas or apostrophes, unlike the rows, which fooled csv.Sniffer)."""
    header = text.lstrip("\n").splitlines()[0] if text.strip() else ""
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
        r"\s+", " ", re.sub(r"[^a-z0-9_ ]", "", re.sub(r"[/\-]", " ", name.lower()))
    ).strip()


def column_map(columns: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Our field for each recognised column; `mapping` (their header → our field or header)
    comes first. Step columns look like 'Stap steun: datum'."""
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
        if target:
            found[column] = target
    return found


# --- values ----------------------------------------------------------------------------------


def parse_date(text: str) -> date | str | None:
    """Dutch notations: 23-11-2025, 23/11/25, 23.11.2025, 2025-11-23, 23 nov 2025,
    23 november 2025. Returns the text itself when it cannot be read (the model refuses it)."""
    text = text.strip().lower()
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        y += 2000 if y < 100 else 0
    elif m := re.fullmatch(r"(\d{1,2})[ -]([a-z]+)\.?[ -](\d{4})", text):
        d, y, mo = int(m[1]), int(m[3]), MONTHS.get(m[2], 0)
    else:
        return text
    try:
        return date(y, mo, d)
    except ValueError:
        return text


def parse_choice(kind: str, text: str) -> str:
    """A Dutch label, our code or a common word → our code; unknown text passes through."""
    word = text.strip().lower()
    enum = ENUMS[kind]
    for member in enum:
        if word in (member.value, LABELS[member].lower()):
            return member.value
    return SYNONYMS.get(kind, {}).get(word, text.strip())


def split_list(text: str, more: str = "/+") -> list[str]:
    """'a | b' (our export: labels may hold commas), else 'a, b', 'a en b' and, unless
    `more` says otherwise, 'a/b' and 'a + b' (pupil numbers may hold a '/')."""
    pattern = r"\|" if "|" in text else rf"[,{re.escape(more)}]|\sen\s"
    return [p.strip() for p in re.split(pattern, text) if p.strip()]


# --- import ----------------------------------------------------------------------------------


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

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.rows)

    def summary(self) -> str:
        verb = "toegevoegd" if self.committed else "zouden worden toegevoegd"
        return (
            f"{len(self.rows)} rijen: {self.count('nieuw')} {verb}, "
            f"{self.count('al aanwezig')} al aanwezig, {self.count('geweigerd')} geweigerd."
        )

    def refused(self) -> list[str]:
        return [
            f"rij {r.row}: {f}: {reason}"
            for r in self.rows
            if r.outcome == "geweigerd"
            for f, reason in r.problems
        ]


def row_to_data(values: dict[str, str], default_school: str = "") -> tuple[dict, dict[str, dict]]:
    """One row's text → model input for the incident and for each step."""
    data: dict = {"pupils": []}
    steps: dict[str, dict] = {}
    for target, text in values.items():
        text = "" if text is None else str(text)
        if target.startswith("step:"):
            _, step_id, part = target.split(":")
            if text.strip():
                steps.setdefault(step_id, {"step_id": step_id})[part] = (
                    parse_date(text)
                    if part == "done_on"
                    else parse_choice("outcome", text)
                    if part == "outcome"
                    else text
                )
        elif target in ("target", "bully", "bystander"):
            role = {"target": Role.TARGET, "bully": Role.BULLY, "bystander": Role.BYSTANDER}
            data["pupils"] += [
                {"pupil_number": n, "role": role[target].value} for n in split_list(text, more="")
            ]
        elif target in ("reported_on", "happened_on", "resolved_on"):
            data[target] = parse_date(text)
        elif target in ("platforms", "forms"):
            # A single label may itself hold a comma ("Belachelijk maken, grappen uithalen").
            whole = parse_choice(target, text)
            parts = [text] if text.strip() and whole != text.strip() else split_list(text)
            data[target] = [parse_choice(target, p) for p in parts]
        elif target in ENUMS:
            data[target] = parse_choice(target, text) if text.strip() else None
        else:
            data[target] = text
    if not data.get("school"):
        data["school"] = default_school
    return data, steps


def import_file(
    store: Store,
    path: Path,
    *,
    commit: bool = False,
    actor: str = "import",
    mapping: dict[str, str] | None = None,
    default_school: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read, validate and (with commit) store a file; the report says what happened per row."""
    table = read_table(path)
    columns = column_map(list(table.columns), mapping)
    if not any(t == "reported_on" for t in columns.values()):
        raise ImportFileError(
            f"{path}: geen kolom 'Datum melding' gevonden (kolommen: "
            f"{', '.join(table.columns[:12])})"
        )
    report = ImportReport(
        str(path), [], commit, ignored_columns=[c for c in table.columns if c not in columns]
    )
    valid: list[tuple[object, list]] = []
    total = len(table)
    records = table[list(columns)].rename(columns=columns).to_dict("index")
    for done, (row_number, values) in enumerate(records.items(), start=1):
        if progress and (done % 500 == 0 or done == total):
            progress(done, total)
        if not any(str(v).strip() for v in values.values()):
            continue  # an empty line
        data, step_data = row_to_data(values, default_school)
        problems: dict[str, str] = {}
        incident, steps = None, []
        try:
            incident = validate_incident(data)
        except InvalidInput as error:
            problems.update(error.errors)
        for step_id, values_ in step_data.items():
            try:
                steps.append(validate_step({"done_by": "onbekend", **values_}))
            except InvalidInput as error:
                problems.update({f"stap {step_id} {k}": v for k, v in error.errors.items()})
        if incident and not problems:
            for step in steps:
                if step.done_on < incident.reported_on:
                    problems[f"stap {step.step_id} done_on"] = "ligt vóór de datum van de melding"
        if problems:
            report.rows.append(
                RowResult(
                    row_number, "geweigerd", [(_field_label(k), v) for k, v in problems.items()]
                )
            )
            continue
        valid.append((incident, steps))
        report.rows.append(RowResult(row_number, "nieuw"))
    # Already stored before, or twice in this file: marked, never stored twice.
    known = store.known_fingerprints(incident.fingerprint for incident, _ in valid)
    seen: set[str] = set()
    rows_valid = [r for r in report.rows if r.outcome == "nieuw"]
    for result, (incident, _) in zip(rows_valid, valid, strict=True):
        if incident.fingerprint in known or incident.fingerprint in seen:
            result.outcome = "al aanwezig"
        seen.add(incident.fingerprint)
    if commit and valid:
        report.added, _ = store.import_reports(valid, source=Path(path).name, actor=actor)
    return report


def _field_label(key: str) -> str:
    if key.startswith("stap "):
        _, step_id, part = key.split(" ", 2)
        return f"Stap {step_id}: {FIELD_LABELS.get(part, part)}"
    return label_for(key)


# --- export ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_frame(
    store: Store, filters: analytics.Filters, *, share: bool = False, secret: bytes | None = None
) -> pd.DataFrame:
    """One row per incident with Dutch headers. The care team's export can be imported
    again; the shared one has pseudonyms and no free text or staff names."""
    conditions = filters.conditions()
    ids_query = sa.select(incidents.c.id).where(*conditions)
    with store.reading() as conn:
        base = conn.execute(
            sa.select(incidents)
            .where(*conditions)
            .order_by(incidents.c.reported_on, incidents.c.id)
        ).all()
        many = {}
        for table, column in ((incident_platforms, "platform"), (incident_forms, "form")):
            many[column] = _grouped(
                conn.execute(
                    sa.select(table.c.incident_id, table.c[column]).where(
                        table.c.incident_id.in_(ids_query)
                    )
                )
            )
        pupils = conn.execute(
            sa.select(incident_pupils).where(incident_pupils.c.incident_id.in_(ids_query))
        ).all()
        steps = conn.execute(
            sa.select(steps_done).where(steps_done.c.incident_id.in_(ids_query))
        ).all()
        texts = (
            {}
            if share
            else _grouped(
                conn.execute(
                    sa.select(descriptions.c.incident_id, descriptions.c.text)
                    .where(descriptions.c.incident_id.in_(ids_query))
                    .order_by(descriptions.c.id)
                )
            )
        )
    if share:
        secret = secret or privacy.installation_secret()
    by_role: dict[tuple[int, str], list[str]] = {}
    for p in pupils:
        code = privacy.pseudonym(secret, p.pupil_number) if share else p.pupil_number
        by_role.setdefault((p.incident_id, p.role), []).append(code)
    step_by = {(s.incident_id, s.step_id): s for s in steps}
    protocol = load_protocol()
    rows = []
    for r in base:
        row = {
            "Meldingnummer": r.id,
            "School": r.school,
            "Datum melding": r.reported_on.isoformat(),
            "Datum voorval": r.happened_on.isoformat() if r.happened_on else "",
            "Gemeld door": Reporter(r.reporter).label,
            "Gepeste leerling": " | ".join(sorted(by_role.get((r.id, "target"), []))),
            "Pester": " | ".join(sorted(by_role.get((r.id, "bully"), []))),
            "Omstanders": " | ".join(sorted(by_role.get((r.id, "bystander"), []))),
            "Groep of klas": r.group_name,
            "Platforms": " | ".join(
                Platform(p).label for p in sorted(many["platform"].get(r.id, []))
            ),
            "Vormen": " | ".join(Form(f).label for f in sorted(many["form"].get(r.id, []))),
            "Ernst": Severity(r.severity).label,
            "Status": Status(r.status).label,
            "Datum opgelost": r.resolved_on.isoformat() if r.resolved_on else "",
        }
        if not share:
            row["Behandelaar"] = r.handler
            row["Beschrijving"] = "\n\n".join(texts.get(r.id, []))
        for step in protocol:
            s = step_by.get((r.id, step.id))
            row[f"Stap {step.id}: datum"] = s.done_on.isoformat() if s else ""
            if not share:
                row[f"Stap {step.id}: door"] = s.done_by if s else ""
                row[f"Stap {step.id}: notitie"] = s.note if s else ""
            if step.vraagt_uitkomst:
                row[f"Stap {step.id}: uitkomst"] = (
                    Outcome(s.outcome).label if s and s.outcome else ""
                )
        rows.append(row)
    return pd.DataFrame(rows).map(neutralise) if rows else pd.DataFrame(rows)


def _grouped(result) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for key, value in result:
        grouped.setdefault(key, []).append(value)
    return grouped


def write_export(frame: pd.DataFrame, out: Path) -> None:
    """CSV (';', UTF-8 with BOM: opens correctly in Dutch Excel) or XLSX, by extension."""
    out = Path(out)
    if out.suffix.lower() == ".xlsx":
        frame.to_excel(out, index=False, sheet_name="Meldingen")
    elif out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False, sep=";", encoding="utf-8-sig")
    else:
        raise ImportFileError(f"{out}: kies een bestandsnaam op .csv of .xlsx")
