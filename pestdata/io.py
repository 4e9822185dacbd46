"""CSV/Excel export (the import is importer.py).

Export writes the care team's file (with pupil numbers, for re-import) or, with `share`, a
board file with keyed pseudonyms and no free text or staff names. Cells that a spreadsheet
would run as a formula are neutralised.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import analytics, files, privacy
from .guidance import load_protocol
from .model import (
    Form,
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
    if out.suffix.lower() in (".xlsx", ".csv"):
        files.create_private(out)  # pupil numbers and descriptions: the owner only
    if out.suffix.lower() == ".xlsx":
        frame.to_excel(out, index=False, sheet_name="Meldingen")
    elif out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False, sep=";", encoding="utf-8-sig")
    else:
        raise ExportFileError(f"{out}: kies een bestandsnaam op .csv of .xlsx")
