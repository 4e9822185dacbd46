"""What the incident log writes in the audit: one row per change to a report, in its words.

Each write of incident_log.py leaves its row here, in the same transaction as the change: a
created report (every field but the description), a status, a description added, a step
ticked or unticked, an import's corrections and the import itself, and a text saved after
the name warning. lookup.py reads them back for the case's timeline.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.engine import Connection

from pestdata.core.model import Incident, StepDone
from pestdata.db.store import audit_row
from pestdata.db.tables import audit

POSSIBLE_NAME = "tekst opgeslagen met een mogelijke naam (na de waarschuwing)"


def created(
    actor: str, incident_id: int, incident: Incident, steps: list[str], stamp: datetime
) -> dict:
    """The row of a created report (inserted with the others of its chunk): every field
    but the description; steps loaded with it are named in it."""
    fields = incident.model_dump(mode="json", exclude={"description"}, warnings=False)
    if steps:
        fields["steps"] = steps
    summary = json.dumps(fields, ensure_ascii=False)
    return audit_row(actor, "create", incident_id, None, None, summary, stamp)


def possible_name(conn: Connection, actor: str, incident_id: int, field: str) -> None:
    """A text saved after the name warning (the name itself is not repeated here; the
    text is in its own row)."""
    conn.execute(
        audit.insert(),
        audit_row(actor, "possible_name", incident_id, field, None, POSSIBLE_NAME),
    )


def status_changed(conn: Connection, actor: str, incident_id: int, old: str, new: str) -> None:
    conn.execute(audit.insert(), audit_row(actor, "status", incident_id, "status", old, new))


def description_added(conn: Connection, actor: str, incident_id: int, text: str) -> None:
    conn.execute(
        audit.insert(),
        audit_row(actor, "description_added", incident_id, "description", None, text),
    )


def step_done(conn: Connection, actor: str, incident_id: int, step: StepDone) -> None:
    conn.execute(
        audit.insert(),
        audit_row(actor, "step_done", incident_id, step.step_id, None, _step_summary(step)),
    )


def step_undone(
    conn: Connection, actor: str, incident_id: int, step_id: str, was: StepDone
) -> None:
    """A step unticked; the row keeps what it was."""
    conn.execute(
        audit.insert(),
        audit_row(actor, "step_undone", incident_id, step_id, _step_summary(was), None),
    )


def import_updates(
    conn: Connection, actor: str, changes: list[tuple[int, dict[str, tuple]]], stamp: datetime
) -> None:
    """One row per corrected field of each report ('import_update', the field, old and new)."""
    conn.execute(
        audit.insert(),
        [
            audit_row(actor, "import_update", incident_id, name, _text(old), _text(new), stamp)
            for incident_id, fields in changes
            for name, (old, new) in fields.items()
        ],
    )


def file_imported(conn: Connection, actor: str, source: str, added: int, updated: int) -> None:
    """The one row of an import: the file, how many reports it added and corrected."""
    done = {"source": source, "added": added}
    if updated:
        done["updated"] = updated
    summary = json.dumps(done, ensure_ascii=False)
    conn.execute(audit.insert(), audit_row(actor, "import", None, "file", None, summary))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _step_summary(step: StepDone) -> str:
    outcome = getattr(step, "outcome", None)
    return json.dumps(
        {
            "done_on": str(step.done_on),
            "done_by": step.done_by,
            "note": step.note,
            "outcome": outcome.value if hasattr(outcome, "value") else outcome,
        },
        ensure_ascii=False,
    )
