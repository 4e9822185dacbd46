"""One case as the care team reads it, without widgets: its timeline and the police advice.

Shared by the case view (pestdata.ui.case_view) and the printed case file (pestdata.reports),
so the screen and the paper tell the same story.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from . import clock
from .guidance import load_protocol
from .model import Outcome, Status

POLICE_ADVICE = (
    "Let op: bij bedreiging, seksueel beeldmateriaal of afpersing kan er sprake zijn van een "
    "strafbaar feit. Beoordeel samen of de politie erbij moet (zie www.meldknop.nl: wanneer "
    "stap je naar de politie). Laat bewijs bewaren met schermafbeeldingen, maar stuur seksuele "
    "beelden van minderjarigen nooit door, ook niet naar collega's."
)


def nl_date(value: date | datetime | str | None) -> str:
    """dd-mm-jjjj, and for a stored moment (UTC) its local time as dd-mm-jjjj HH:MM;
    '—' when there is no date."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return clock.local(value).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class TimelineEntry:
    when: date | datetime  # a step's date, or the moment (UTC) of another action
    what: str
    who: str
    first: bool = False  # the report itself leads its day, before steps dated that day
    recorded: datetime | None = None  # when it was entered: orders a day's entries

    @property
    def day(self) -> date:
        """The local day the entry belongs to."""
        return clock.local(self.when).date() if isinstance(self.when, datetime) else self.when

    def order(self) -> tuple:
        moment = self.recorded or (self.when if isinstance(self.when, datetime) else None)
        return (self.day, not self.first, moment or datetime.min)


def timeline(case: dict, audit_entries: list[dict]) -> list[TimelineEntry]:
    """Steps by the date they were done, plus every other audit entry, oldest first; on one
    day the report first, then everything in the order it was entered.

    Steps come from the steps table (their audit rows would say the same thing twice).
    """
    titles = {s.id: s.titel for s in load_protocol()}
    entries = [
        TimelineEntry(
            step["done_on"],
            f"Stap gedaan: {titles.get(step_id, step_id)}"
            + (f" (uitkomst: {Outcome(step['outcome']).label})" if step["outcome"] else "")
            + (f" — {step['note']}" if step["note"] else ""),
            step["done_by"],
            recorded=step["recorded_at"],
        )
        for step_id, step in case["steps"].items()
    ]
    for entry in audit_entries:
        action, at, who = entry["action"], entry["at"], entry["actor"]
        if action == "create":
            entries.append(TimelineEntry(at, "Melding vastgelegd", who, first=True))
        elif action == "status":
            old, new = Status(entry["old_value"]).label, Status(entry["new_value"]).label
            entries.append(TimelineEntry(at, f"Status: {old} → {new}", who))
        elif action == "description_added":
            entries.append(TimelineEntry(at, "Beschrijving aangevuld", who))
        elif action == "step_undone":
            old = json.loads(entry["old_value"] or "{}")
            title = titles.get(entry["field"], entry["field"])
            entries.append(
                TimelineEntry(
                    at,
                    f"Stap teruggezet: {title} (was gedaan op {nl_date(old.get('done_on'))})",
                    who,
                )
            )
    return sorted(entries, key=TimelineEntry.order)
