"""What the inzage file (AVG) holds of one pupil, and the audit row that says it was made.

Read from the database with every other pupil and every name already replaced;
documents/inzage_file.py lays it out without reading or writing anything."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from pestdata.core import clock, privacy
from pestdata.core.guidance import load_protocol
from pestdata.core.names import NamesUnchecked, find_all
from pestdata.db.store import NotFound, Store
from pestdata.incidents import access_requests, lookup
from pestdata.incidents.lookup import TimelineEntry


@dataclass(frozen=True)
class Written:
    """A description entry: when, by whom, and its text (pseudonymised)."""

    at: datetime
    by: str
    text: str


@dataclass(frozen=True)
class StepTaken:
    """A protocol step done in the case, with its note (pseudonymised)."""

    title: str
    done_on: date
    done_by: str
    note: str


@dataclass(frozen=True)
class InzageIncident:
    """One case the pupil appears in, as the file shows it: no other pupil's number and no
    person's name survives in it."""

    id: int
    details: list[tuple[str, list[str]]]  # lookup.incident_details, numbers replaced
    descriptions: list[Written]
    steps: list[StepTaken]  # in the protocol's order
    timeline: list[TimelineEntry]


@dataclass(frozen=True)
class InzageFile:
    pupil: str
    today: date
    incidents: list[InzageIncident]  # oldest first


def gather_inzage_file(
    store: Store, pupil: str, actor: str, *, today: date | None = None
) -> InzageFile:
    """Every case the pupil appears in with its steps and timeline, every other pupil
    replaced by 'leerling A', 'leerling B'… (also where a free text mentions their number),
    and every person's name in free text by 'persoon 1', 'persoon 2'… (names.py). What was
    read for the file is in the audit, made by `actor`.
    Raises store.NotFound when no case names the pupil, names.NamesUnchecked while the
    names cannot be checked (nothing read then: it goes to another child's parents)."""
    ids = access_requests.incidents_of(store, pupil)
    if not ids:
        raise NotFound(pupil, f"geen meldingen over leerling {pupil}")
    incidents = [lookup.get_incident(store, i) for i in ids]
    histories = [lookup.timeline(c, lookup.audit_entries(store, c["id"])) for c in incidents]
    names = _pseudonyms(store, pupil, incidents, histories)
    gathered = InzageFile(
        pupil=pupil,
        today=today or clock.today(),
        incidents=[_scrubbed(c, h, names) for c, h in zip(incidents, histories, strict=True)],
    )
    access_requests.record_file(store, pupil, ids, actor)
    return gathered


def _pseudonyms(
    store: Store, pupil: str, incidents: list[dict], histories: list[list[TimelineEntry]]
) -> privacy.Pseudonyms:
    """The letters of the other pupils (in the cases, then named in free text) and the
    numbers of the persons named, first seen first."""
    names = privacy.Pseudonyms(pupil)
    for incident in incidents:
        for involved in incident["pupils"]:
            names.add(involved["pupil_number"])
    free_text = [d["text"] for incident in incidents for d in incident["descriptions"]]
    free_text += [s["note"] for incident in incidents for s in incident["steps"].values()]
    free_text += [e.what for history in histories for e in history]
    for mentioned in sorted(access_requests.pupil_numbers_in(store, free_text)):
        names.add(mentioned)
    in_order = [  # as the file reads, so that 'persoon 1' comes first
        text
        for incident, history in zip(incidents, histories, strict=True)
        for text in (
            [d["text"] for d in incident["descriptions"]]
            + [
                incident["steps"][s.id]["note"]
                for s in load_protocol()
                if s.id in incident["steps"]
            ]
            + [e.what for e in history]
        )
    ]
    found = find_all(in_order)
    if found is None:
        raise NamesUnchecked(NamesUnchecked.MESSAGE)
    for name in (name for names_in_text in found for name in names_in_text):
        names.add_person(name)
    return names


def _scrubbed(
    incident: dict, history: list[TimelineEntry], names: privacy.Pseudonyms
) -> InzageIncident:
    scrub, scrub_text = names.scrub, names.scrub_text
    return InzageIncident(
        id=incident["id"],
        details=[
            (label, [scrub(v) for v in values])
            for label, values in lookup.incident_details(incident)
        ],
        descriptions=[
            Written(d["written_at"], d["written_by"], scrub_text(d["text"]))
            for d in incident["descriptions"]
        ],
        steps=[
            StepTaken(step.title, done["done_on"], done["done_by"], scrub_text(done["note"]))
            for step in load_protocol()
            if (done := incident["steps"].get(step.id))
        ],
        timeline=[replace(e, what=scrub_text(e.what)) for e in history],
    )
