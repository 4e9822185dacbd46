"""CSV/Excel export (the import is importer.py).

Export writes the care team's file (with pupil numbers, for re-import) or the board's file
(`share_frame`): counts only, no report, pupil or date of its own, under the rules of the
shared views (disclosure.py). Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import analytics, disclosure, files, privacy
from .guidance import load_protocol
from .model import (
    AGE_BANDS,
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Severity,
    Status,
)
from .names import find_all
from .store import Store
from .tables import (
    descriptions,
    incident_forms,
    incident_platforms,
    incident_pupils,
    incidents,
    steps_done,
)

# --- export ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_frame(store: Store, filters: analytics.Filters) -> pd.DataFrame:
    """The care team's export: one row per incident with Dutch headers, to be imported
    again. Never for sharing (that is share_frame)."""
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
        texts = _grouped(
            conn.execute(
                sa.select(descriptions.c.incident_id, descriptions.c.text)
                .where(descriptions.c.incident_id.in_(ids_query))
                .order_by(descriptions.c.id)
            )
        )
    by_role: dict[tuple[int, str], list[str]] = {}
    for p in pupils:
        by_role.setdefault((p.incident_id, p.role), []).append(p.pupil_number)
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
            "Motief": Motive(r.motive).label,
            "Status": Status(r.status).label,
            "Datum opgelost": r.resolved_on.isoformat() if r.resolved_on else "",
            "Behandelaar": r.handler,
            "Beschrijving": "\n\n".join(texts.get(r.id, [])),
        }
        for step in protocol:
            s = step_by.get((r.id, step.id))
            row[f"Stap {step.id}: datum"] = s.done_on.isoformat() if s else ""
            row[f"Stap {step.id}: door"] = s.done_by if s else ""
            row[f"Stap {step.id}: notitie"] = s.note if s else ""
            if step.vraagt_uitkomst:
                row[f"Stap {step.id}: uitkomst"] = (
                    Outcome(s.outcome).label if s and s.outcome else ""
                )
        rows.append(row)
    _mark_names(rows, protocol)
    return pd.DataFrame(rows).map(neutralise) if rows else pd.DataFrame(rows)


NAME_COLUMN = "Naam in tekst?"


def _mark_names(rows: list[dict], protocol) -> None:
    """'ja' where the description or a step note seems to hold a person's name (names.py),
    'nee' where not, 'onbekend' while the names cannot be checked."""
    texts = [
        "\n\n".join([row["Beschrijving"]] + [row[f"Stap {s.id}: notitie"] for s in protocol])
        for row in rows
    ]
    found = find_all(texts) if rows else []
    for index, row in enumerate(rows):
        row[NAME_COLUMN] = "onbekend" if found is None else ("ja" if found[index] else "nee")


SHARE_COLUMNS = ["School", "Periode", "Kenmerk", "Waarde", "Aantal meldingen", "Toelichting"]
SHARE_DIMENSIONS = {"platform": "Platform", "form": "Vorm", "age_band": "Leeftijd"}


def share_frame(
    store: Store, filters: analytics.Filters, minimum: int | None = None
) -> pd.DataFrame:
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
        raise ValueError(disclosure.PERIOD_NOTE)
    rows = []
    for school in analytics.filter_options(store)["schools"]:
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


def _school_counts(store: Store, filters: analytics.Filters, minimum: int) -> list[list]:
    """Kenmerk, Waarde, Aantal, Toelichting rows of one school (see share_frame)."""
    if not disclosure.complete(filters.start, filters.end):
        return [["Totaal", "meldingen", None, disclosure.NOT_COMPLETE]]
    trends = {
        by: analytics.monthly_trend(store, filters, by=by, units=True) for by in SHARE_DIMENSIONS
    }
    hidden = analytics.hidden_in_summary(store, filters, trends, minimum)
    months = trends["age_band"].groupby("month")["count"].sum()  # one age band per report
    total = int(months.sum())
    shown = disclosure.HIDDEN if hidden["total"] else disclosure.published(total, minimum)
    rows = [["Totaal", "meldingen", *_published(shown, minimum)]]
    if not disclosure.base_met(total, minimum):
        rows[0][3] = " ".join(filter(None, [rows[0][3], disclosure.base_note()]))
        return rows
    every = analytics.months_between(filters.start, filters.end, trends["age_band"])
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


class ExportFileError(ValueError):
    """The export cannot be written (a file name pestdata cannot write as CSV or Excel)."""


def export_bytes(frame: pd.DataFrame) -> bytes:
    """The care team's export as an Excel file in memory (for a download: never on disk)."""
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="Meldingen")
    return buffer.getvalue()


def write_export(frame: pd.DataFrame, out: Path) -> None:
    """CSV (';', UTF-8 with BOM: opens correctly in Dutch Excel) or XLSX, by extension."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ExportFileError(f"{out}: kies een bestandsnaam op .csv of .xlsx")
    # Pupil numbers and descriptions: a new file only the owner can read, in place at once.
    with files.private_output(out) as temp:
        if suffix == ".xlsx":
            frame.to_excel(temp, index=False, sheet_name="Meldingen", engine="openpyxl")
        else:
            frame.to_csv(temp, index=False, sep=";", encoding="utf-8-sig")
