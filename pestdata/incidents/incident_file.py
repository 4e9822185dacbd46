"""What the care team's case file holds of one case, read before any layout.

documents/incident_file.py turns it into the PDF without reading anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pestdata.core import clock
from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.incidents.lookup import TimelineEntry


@dataclass(frozen=True)
class IncidentFile:
    """One case with everything the care team sees, and the day the file is made."""

    incident: dict  # lookup.get_incident: fields, pupils, descriptions, steps done
    timeline: list[TimelineEntry]  # lookup.timeline, as the case view tells it
    today: date


def gather_incident_file(
    store: Store, incident_id: int, *, today: date | None = None
) -> IncidentFile:
    """The case file's records of one incident; raises store.NotFound for an unknown id."""
    incident = lookup.get_incident(store, incident_id)  # raises NotFound
    history = lookup.timeline(incident, lookup.audit_entries(store, incident_id))
    return IncidentFile(incident=incident, timeline=history, today=today or clock.today())
