"""The export: the care team's file, to be imported again, or the board's counts, as CSV or
Excel.

The care team's file has one row per report (with pupil numbers) under the headers of
columns.py, the same table the import reads them by, so it reads back without a --map. The
board's file (`share_frame`) holds counts only, no report, pupil or date of its own, under
the rules of the shared views (disclosure.py). Cells that a spreadsheet would run as a
formula are neutralised.
"""

from __future__ import annotations

import io
from dataclasses import replace
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
from pestdata.overview.reading import filter_options, total_per
from pestdata.overview.suppression import hidden_in_summary
from pestdata.overview.trends import monthly_trend
from pestdata.registers.columns import EXPORTED, NAME_MARK, PUPIL_FIELDS, step_columns
from pestdata.registers.xlsx import write_xlsx

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
    # The report's columns (columns.py), then each step's (Stap <id>: datum, door, notitie
    # and, for a step that asks one, uitkomst), then the name mark.
    step_fields = {step.id: step_columns(step.id, step.asks_outcome) for step in protocol}
    columns = [h.words for h in EXPORTED] + [c for s in step_fields.values() for c in s]
    rows, texts_of_row = [], []
    for r in base:
        description = "\n\n".join(texts.get(r.id, []))
        values = {
            "id": r.id,
            "school": neutralise(r.school),
            "reported_on": r.reported_on,
            "happened_on": r.happened_on,
            "reporter": labels[Reporter][r.reporter],
            **{
                role: neutralise(" | ".join(sorted(by_role.get((r.id, role), []))))
                for role in PUPIL_FIELDS
            },
            "group": r.group_name,
            "platforms": " | ".join(platform[v] for v in sorted(many["platform"].get(r.id, []))),
            "forms": " | ".join(form[v] for v in sorted(many["form"].get(r.id, []))),
            "severity": labels[Severity][r.severity],
            "motive": labels[Motive][r.motive],
            "status": labels[Status][r.status],
            "resolved_on": r.resolved_on,
            "handler": neutralise(r.handler),
            "description": neutralise(description),
        }
        row = [values[h.field] for h in EXPORTED]
        written = [description]
        for step_id, fields in step_fields.items():
            done = step_by.get((r.id, step_id))
            if done:
                written.append(done.note)
            row += [_step_value(done, field, labels) for field in fields.values()]
        rows.append(row)
        texts_of_row.append(written)
    frame = pd.DataFrame(rows, columns=columns)
    frame[NAME_MARK.words] = _name_marks(texts_of_row)
    return frame


LABELLED = (Reporter, Platform, Form, Severity, Motive, Status, Outcome)


def _step_value(done, field: str, labels: dict):
    """One cell of a step's columns: its date, who, note or outcome; empty when not done."""
    if done is None:
        return None if field == "done_on" else ""
    if field == "outcome":
        return labels[Outcome][done.outcome] if done.outcome else ""
    return done.done_on if field == "done_on" else neutralise(getattr(done, field))


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
    months = total_per(trends["age_band"], "month")  # one age band per report
    total = sum(months.values())
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
        per = total_per(trends[by], "category")
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
