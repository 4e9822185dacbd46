"""CSV/Excel export (the import is importer.py).

Export writes the care team's file (with pupil numbers, for re-import) or the board's file
(`share_frame`): counts only, no report, pupil or date of its own, under the rules of the
shared views (privacy.py). Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import analytics, files, privacy
from .guidance import load_protocol
from .model import (
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Severity,
    Status,
)
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
    return pd.DataFrame(rows).map(neutralise) if rows else pd.DataFrame(rows)


SHARE_COLUMNS = ["School", "Periode", "Kenmerk", "Waarde", "Aantal meldingen", "Toelichting"]
SHARE_DIMENSIONS = {"platform": "Platform", "form": "Vorm", "age_band": "Leeftijd"}


def share_frame(
    store: Store, filters: analytics.Filters, minimum: int | None = None
) -> pd.DataFrame:
    """The board's export: per school, counts for the period in whole months, as the shared
    views show them: the total, each month, and per platform, form and age band, with small
    groups merged into "Overig", months hidden where one could be worked out, every count
    rounded to 5 (privacy.py). No case number, date, group, pupil or text: nothing in it
    stands for one report. There is no all-schools total, which would give one school away
    by subtraction."""
    minimum = minimum or privacy.threshold()
    start, end = privacy.whole_months(filters.start, filters.end)
    period = f"{start:%Y-%m} t/m {end:%Y-%m}" if start and end else "alle maanden"
    rows = []
    for school in analytics.filter_options(store)["schools"]:
        if not filters.schools or school in filters.schools:
            mine = replace(filters, start=start, end=end, schools=(school,))
            rows += [[school, period, *row] for row in _school_counts(store, mine, minimum)]
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS).map(neutralise)
    return frame.astype({"Aantal meldingen": "Int64"})  # hidden counts stay empty cells


def _school_counts(store: Store, filters: analytics.Filters, minimum: int) -> list[list]:
    """Kenmerk, Waarde, Aantal, Toelichting rows of one school (see share_frame)."""
    trends = {by: analytics.monthly_trend(store, filters, by=by) for by in SHARE_DIMENSIONS}
    months = trends["age_band"].groupby("month")["count"].sum()  # one age band per report
    total = int(months.sum())
    if not total:
        return []
    if total < minimum:
        return [["Totaal", "meldingen", None, f"minder dan {minimum}"]]
    rows = [["Totaal", "meldingen", privacy.shared_count(total, minimum), ""]]
    hidden = privacy.HIDDEN_NOTE.format(minimum=minimum).removeprefix("x: ")
    shown = privacy.shared_row([int(n) for n in months], minimum)
    for month, count in zip(months.index, shown, strict=True):
        rows.append(["Maand", month, count, hidden if count is None else ""])
    merged = privacy.OTHER_NOTE.format(minimum=minimum)
    for by, kind in SHARE_DIMENSIONS.items():
        per = trends[by].groupby("category")["count"].sum()
        pairs = [(_label(by, category), int(n)) for category, n in per.items()]
        for label, count in privacy.shared_breakdown(pairs, minimum, total):
            rows.append([kind, label, count, merged if label == privacy.OTHER else ""])
    return rows


def _label(by: str, category: str) -> str:
    if by == "platform":
        return Platform(category).label
    if by == "form":
        return Form(category).label
    return category


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
