"""CSV/Excel export (the import is importer.py).

Export writes the care team's file (with pupil numbers, for re-import) or the board's file
(`share_frame`): counts only, no report, pupil or date of its own, under the rules of the
shared views (disclosure.py). Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from pestdata.core import disclosure, files, privacy
from pestdata.core.choices import (
    AGE_BANDS,
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Severity,
    Status,
)
from pestdata.core.errors import PestdataError, ValueRefused
from pestdata.core.guidance import load_protocol
from pestdata.core.names import find_all
from pestdata.db.store import Store
from pestdata.db.tables import (
    descriptions,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    steps_done,
)
from pestdata.overview.filters import Filters, months_between
from pestdata.overview.reading import filter_options
from pestdata.overview.suppression import hidden_in_summary
from pestdata.overview.trends import monthly_trend

# --- export ----------------------------------------------------------------------------------

FORMULA_START = frozenset("=+-@\t\r")  # the first characters of a formula


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def export_frame(store: Store, filters: Filters) -> pd.DataFrame:
    """The care team's export: one row per incident with Dutch headers, to be imported
    again. Never for sharing (that is share_frame). Dates are dates (None when empty), so
    the .xlsx holds date cells and the CSV ISO dates; text a spreadsheet would run as a
    formula is neutralised."""
    conditions = filters.conditions()
    ids_query = sa.select(incidents.c.id).where(*conditions)
    c = incidents.c
    with store.reading() as conn:
        base = conn.execute(
            sa.select(
                c.id,
                c.school,
                c.reported_on,
                c.happened_on,
                c.reporter,
                c.group_name,
                c.severity,
                c.motive,
                c.status,
                c.resolved_on,
                c.handler,
            )
            .where(*conditions)
            .order_by(c.reported_on, c.id)
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
        p = incident_pupils.c
        pupils = conn.execute(
            sa.select(p.incident_id, p.role, p.pupil_number).where(p.incident_id.in_(ids_query))
        ).all()
        s = steps_done.c
        steps = conn.execute(
            sa.select(s.incident_id, s.step_id, s.done_on, s.done_by, s.note, s.outcome).where(
                s.incident_id.in_(ids_query)
            )
        ).all()
        texts = _grouped(
            conn.execute(
                sa.select(descriptions.c.incident_id, descriptions.c.text)
                .where(descriptions.c.incident_id.in_(ids_query))
                .order_by(descriptions.c.id)
            )
        )
    by_role: dict[tuple[int, str], list[str]] = {}
    for incident_id, role, number in pupils:
        by_role.setdefault((incident_id, role), []).append(number)
    step_by = {(r.incident_id, r.step_id): r for r in steps}
    protocol = load_protocol()
    labels = {enum: {m.value: m.label for m in enum} for enum in LABELLED}
    platform, form = labels[Platform], labels[Form]
    columns = EXPORT_COLUMNS + [
        f"Stap {step.id}: {part}"
        for step in protocol
        for part in ("datum", "door", "notitie", *(["uitkomst"] if step.asks_outcome else []))
    ]
    rows, texts_of_row = [], []
    for r in base:
        description = "\n\n".join(texts.get(r.id, []))
        row = [
            r.id,
            neutralise(r.school),
            r.reported_on,
            r.happened_on,
            labels[Reporter][r.reporter],
            *(neutralise(" | ".join(sorted(by_role.get((r.id, role), [])))) for role in ROLES),
            r.group_name,
            " | ".join(platform[v] for v in sorted(many["platform"].get(r.id, []))),
            " | ".join(form[v] for v in sorted(many["form"].get(r.id, []))),
            labels[Severity][r.severity],
            labels[Motive][r.motive],
            labels[Status][r.status],
            r.resolved_on,
            neutralise(r.handler),
            neutralise(description),
        ]
        written = [description]
        for step in protocol:
            done = step_by.get((r.id, step.id))
            if done:
                row += [done.done_on, neutralise(done.done_by), neutralise(done.note)]
                written.append(done.note)
            else:
                row += [None, "", ""]
            if step.asks_outcome:
                row.append(labels[Outcome][done.outcome] if done and done.outcome else "")
        rows.append(row)
        texts_of_row.append(written)
    frame = pd.DataFrame(rows, columns=columns)
    frame[NAME_COLUMN] = _name_marks(texts_of_row)
    return frame


# The care team's columns before the protocol's steps (Stap <id>: datum, door, notitie and,
# for a step that asks one, uitkomst) and the name mark.
EXPORT_COLUMNS = [
    "Meldingnummer",
    "School",
    "Datum melding",
    "Datum voorval",
    "Gemeld door",
    "Gepeste leerling",
    "Pester",
    "Omstanders",
    "Groep of klas",
    "Platforms",
    "Vormen",
    "Ernst",
    "Motief",
    "Status",
    "Datum opgelost",
    "Behandelaar",
    "Beschrijving",
]
ROLES = ("target", "bully", "bystander")  # Gepeste leerling, Pester, Omstanders
LABELLED = (Reporter, Platform, Form, Severity, Motive, Status, Outcome)


NAME_COLUMN = "Naam in tekst?"


def _name_marks(texts_of_row: list[list[str]]) -> list[str]:
    """Per row (its description and step notes): 'ja' where a text seems to hold a person's
    name (names.py), 'nee' where not, 'onbekend' while the names cannot be checked. Each
    distinct text is checked once: many rows share a short note, or have none."""
    distinct = list(dict.fromkeys(t for texts in texts_of_row for t in texts if t))
    found = find_all(distinct)
    if found is None:
        return ["onbekend"] * len(texts_of_row)
    named = {text for text, names in zip(distinct, found, strict=True) if names}
    return ["ja" if named.intersection(texts) else "nee" for texts in texts_of_row]


SHARE_COLUMNS = ["School", "Periode", "Kenmerk", "Waarde", "Aantal meldingen", "Toelichting"]
SHARE_DIMENSIONS = {"platform": "Platform", "form": "Vorm", "age_band": "Leeftijd"}


def share_frame(store: Store, filters: Filters, minimum: int | None = None) -> pd.DataFrame:
    """The board's export: per school, counts for the period in whole months up to the last
    complete one, published as every shared view publishes them (disclosure.py): the
    total, each month, and every platform, form and age band (zero and small alike empty,
    'Toelichting' "< 5"; a cell hidden so that no small one can be worked out: "x"), every
    count rounded to 5; a school below the base only its total. No case number, date,
    group, pupil or text: nothing in it stands for one report. There is no all-schools
    total, which would give one school away by subtraction."""
    minimum = minimum or privacy.threshold()
    today = filters.today
    start, end = disclosure.shared_period(filters.start, filters.end, today, minimum)
    period = f"{start:%Y-%m} t/m {end:%Y-%m}" if start else f"t/m {end:%Y-%m}"
    if not disclosure.complete(start, end):
        period = f"{start:%Y-%m}: {disclosure.NOT_COMPLETE}"
    elif not disclosure.period_allowed(start, end, today):
        raise ValueRefused(disclosure.PERIOD_NOTE)
    rows = []
    for school in filter_options(store)["schools"]:
        if not filters.schools or school in filters.schools:
            mine = replace(
                filters,
                start=start,
                end=end,
                schools=(school,),
                today=disclosure.as_of(today, minimum),
            )
            rows += [[school, period, *row] for row in _school_counts(store, mine, minimum)]
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS).map(neutralise)
    return frame.astype({"Aantal meldingen": "Int64"})  # hidden counts stay empty cells


def _school_counts(store: Store, filters: Filters, minimum: int) -> list[list]:
    """Kenmerk, Waarde, Aantal, Toelichting rows of one school (see share_frame)."""
    if not disclosure.complete(filters.start, filters.end):
        return [["Totaal", "meldingen", None, disclosure.NOT_COMPLETE]]
    trends = {by: monthly_trend(store, filters, by=by, units=True) for by in SHARE_DIMENSIONS}
    hidden = hidden_in_summary(store, filters, trends, minimum)
    months = trends["age_band"].groupby("month")["count"].sum()  # one age band per report
    total = int(months.sum())
    shown = disclosure.HIDDEN if hidden["total"] else disclosure.published(total, minimum)
    rows = [["Totaal", "meldingen", *_published(shown, minimum)]]
    if not disclosure.base_met(total, minimum):
        rows[0][3] = " ".join(filter(None, [rows[0][3], disclosure.base_note()]))
        return rows
    every = months_between(filters.start, filters.end, trends["age_band"])
    across = {i for i, m in enumerate(every) if m in hidden["months"]}
    cells = disclosure.published_row([int(months.get(m, 0)) for m in every], minimum, total, across)
    rows += [["Maand", m, *_published(c, minimum)] for m, c in zip(every, cells, strict=True)]
    for by, kind in SHARE_DIMENSIONS.items():
        per = trends[by].groupby("category")["count"].sum()
        pairs = [(label, int(per.get(value, 0))) for value, label in _labels(by)]
        across = {label for value, label in _labels(by) if value in hidden[by]}
        for label, cell in disclosure.breakdown(pairs, minimum, total, across):
            rows.append([kind, label, *_published(cell, minimum)])
    return rows


def _published(cell, minimum: int) -> list:
    """'Aantal meldingen' and 'Toelichting' of a published cell: the number, or empty with
    "< 5" or "x: niet getoond…" (disclosure.py)."""
    if cell is None:
        return [None, disclosure.small_text(minimum)]
    if cell == disclosure.HIDDEN:
        return [None, disclosure.HIDDEN_NOTE]
    if isinstance(cell, str):
        return [None, cell]
    return [cell, ""]


def _labels(by: str) -> list[tuple[str, str]]:
    """Every value of a dimension with its Dutch label, in the fixed order."""
    if by == "platform":
        return [(p.value, p.label) for p in Platform]
    if by == "form":
        return [(f.value, f.label) for f in Form]
    return [(b, b) for b in AGE_BANDS]


def _grouped(result) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for key, value in result:
        grouped.setdefault(key, []).append(value)
    return grouped


class ExportFileError(PestdataError):
    """The export cannot be written (a file name pestdata cannot write as CSV or Excel)."""


def export_bytes(frame: pd.DataFrame) -> bytes:
    """The care team's export as an Excel file in memory (for a download: never on disk)."""
    buffer = io.BytesIO()
    write_xlsx(frame, buffer)
    return buffer.getvalue()


def write_export(frame: pd.DataFrame, out: Path) -> None:
    """CSV (';', UTF-8 with BOM: opens correctly in Dutch Excel; dates ISO) or XLSX (date
    cells), by extension."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ExportFileError(f"{out}: kies een bestandsnaam op .csv of .xlsx")
    # Pupil numbers and descriptions: a new file only the owner can read, in place at once.
    with files.private_output(out) as temp:
        if suffix == ".xlsx":
            write_xlsx(frame, temp)
        else:
            frame.to_csv(temp, index=False, sep=";", encoding="utf-8-sig")


# --- the .xlsx file ----------------------------------------------------------------------------
# Written as SpreadsheetML directly (a zip of six small XML parts and the sheet): pandas'
# to_excel through openpyxl builds an object per cell and took 1.6 s for 2,000 reports,
# this takes about 0.1 s (bench/export_speed.py). Text is written as inline strings, numbers
# as numbers and dates as date cells (a day number with the style dd-mm-jjjj), so a
# spreadsheet sorts and filters them as dates. Empty cells are left out.

SHEET = "Meldingen"
DAY_ZERO = date(1899, 12, 30)  # day 0 of a spreadsheet's day numbers (the 1900 system)
DATE_STYLE, HEADER_STYLE = 1, 2  # positions in cellXfs below
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        f'<sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
# Characters XML cannot hold, and text that reads as Excel's own escape (_x0041_): written
# as Excel's escape, so the cell reads back as it was.
_EXCEL_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _column_letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as an inline string's content: escaped for XML and for Excel (_xHHHH_)."""
    if _EXCEL_ESCAPE.search(text):
        text = _EXCEL_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("\r", "&#13;")
    return text


def _cells(number: int, letters: list[str], row) -> str:
    """One row's cells as XML. Empty cells (None, '', NaN, NA) are left out."""
    out = []
    for letter, value in zip(letters, row, strict=True):
        kind = type(value)
        if kind is str:
            if value:
                out.append(
                    f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_xml_text(value)}</t></is></c>"
                )
        elif value is None:
            continue
        elif kind is date:
            days = (value - DAY_ZERO).days
            out.append(f'<c r="{letter}{number}" s="{DATE_STYLE}"><v>{days}</v></c>')
        elif kind is int:
            out.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
        else:
            out.append(_other_cell(f"{letter}{number}", value))
    return "".join(out)


def _other_cell(ref: str, value) -> str:
    """A cell of another type: a date and time (its day), a number, a truth value."""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, datetime):
        value = value.date()  # no times in these exports: the day
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - DAY_ZERO).days}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Number):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">' \
        f"{_xml_text(str(value))}</t></is></c>"  # fmt: skip


def write_xlsx(frame: pd.DataFrame, target) -> None:
    """`frame` as one sheet: the header bold and frozen, columns as wide as their text."""
    letters = [_column_letters(i) for i in range(len(frame.columns))]
    header = "".join(
        f'<c r="{letter}1" s="{HEADER_STYLE}" t="inlineStr"><is><t>{_xml_text(str(name))}'
        "</t></is></c>"
        for letter, name in zip(letters, frame.columns, strict=True)
    )
    rows = [f'<row r="1">{header}</row>']
    values = zip(*(frame[column].tolist() for column in frame.columns), strict=True)
    for number, row in enumerate(values, start=2):
        rows.append(f'<row r="{number}">{_cells(number, letters, row)}</row>')
    last = f"{letters[-1]}{len(frame) + 1}" if letters else "A1"
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(_widths(frame), start=1)
    )
    sheet = (
        f'{_HEAD}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, part in XLSX_PARTS.items():
            book.writestr(name, _HEAD + part)
        book.writestr("xl/worksheets/sheet1.xml", sheet.encode("utf-8", "replace"))


def _widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Column widths (characters) from the header and the first rows: dates 11, at most 50."""
    widths = []
    for column in frame.columns:
        longest = len(str(column))
        for value in frame[column].head(sample).tolist():
            size = 10 if isinstance(value, date) else len(str(value).split("\n")[0])
            longest = max(longest, size if value is not None else 0)
        widths.append(min(50, longest + 1.5))
    return widths
