"""What the care team's case file holds of one case, read before any layout.

documents/case_file.py turns it into the PDF without reading anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pestdata.cases import caseload
from pestdata.cases.caseload import TimelineEntry
from pestdata.core import clock
from pestdata.db.store import Store


@dataclass(frozen=True)
class CaseFile:
    """One case with everything the care team sees, and the day the file is made."""

    case: dict  # caseload.get_incident: fields, pupils, descriptions, steps done
    timeline: list[TimelineEntry]  # caseload.timeline, as the case view tells it
    today: date


def gather_case_file(store: Store, incident_id: int, *, today: date | None = None) -> CaseFile:
    """The case file's records of one incident; raises store.NotFound for an unknown id."""
    case = caseload.get_incident(store, incident_id)  # raises NotFound
    history = caseload.timeline(case, caseload.audit_entries(store, incident_id))
    return CaseFile(case=case, timeline=history, today=today or clock.today())
