"""The care team's page state: the list's choices, its page and the incident open.

What the list shows for them is decided without widgets, so a test asks it in-process;
ui/incident_list.py draws it and sends the user's choices back as `choose`, `turn`, `open`.

The open incident stays listed and selected while it is open, also when a change (a new
status) takes it out of the filter: only the user's own choice opens another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pestdata.core.choices import ALL, OPEN_STATUSES, Platform, Status
from pestdata.core.clock import nl_date
from pestdata.core.markup import esc, meldingen, number
from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.incidents.lookup import IncidentRow

OPEN = "open"  # the status choice "nieuw, in behandeling of doorverwezen"
SHOWN = 200  # incidents per page


@dataclass(frozen=True)
class ListChoices:
    """What the care team chose ('' is all); a search looks in every incident."""

    search: str = ""
    status: str = OPEN
    school: str = ALL
    group: str = ALL
    platform: str = ALL
    overdue_only: bool = False

    def statuses(self) -> list[str]:
        if self.status == OPEN:
            return [s.value for s in OPEN_STATUSES]
        if self.status == ALL:
            return [s.value for s in Status]
        return [self.status]


@dataclass(frozen=True)
class Listing:
    """What the list shows: its options (label, id), the one selected, the count line and
    which page buttons work."""

    options: list[tuple[str, int]]
    selected: int | None
    count_html: str
    previous_disabled: bool
    next_disabled: bool


def incident_label(incident: IncidentRow) -> str:
    """One line per incident; plain text (a Select shows it as text, never as HTML)."""
    platforms = ", ".join(Platform(p).label for p in incident.platforms)
    line = (
        f"#{incident.id} · {nl_date(incident.reported_on)} · {incident.school} · "
        f"{incident.group} · {platforms} · {Status(incident.status).label} · {incident.handler}"
    )
    if incident.overdue_reason:
        line += f" · ⚠ {incident.overdue_reason}"
    if incident.outside_filter:
        line += " · (geopend, buiten de filters)"
    return line


@dataclass
class CareState:
    """The list's choices, its page (`offset`, `total` as last read) and the incident open."""

    choices: ListChoices = field(default_factory=ListChoices)
    offset: int = 0
    total: int = 0
    opened: int | None = None

    def choose(self, **changes) -> None:
        """New choices start at the first page again."""
        self.choices = replace(self.choices, **changes)
        self.offset = 0

    def turn(self, step: int) -> bool:
        """Another page; never past the last one (a click the browser sends on a disabled
        button changes nothing). Whether the page changed."""
        if self.offset + step >= self.total or (step < 0 and self.offset == 0):
            return False
        self.offset = max(0, self.offset + step)
        return True

    def open(self, incident_id: int | None) -> bool:
        """The user chose an incident; whether it is another than the one open."""
        if incident_id is None or incident_id == self.opened:
            return False
        self.opened = incident_id
        return True

    def read(self, store: Store) -> Listing:
        c = self.choices
        rows, self.total = lookup.list_incidents(
            store,
            statuses=c.statuses(),
            group=c.group or None,
            platform=c.platform or None,
            overdue_only=c.overdue_only,
            school=c.school or None,
            search=c.search,
            limit=SHOWN,
            offset=self.offset,
            keep=self.opened,
        )
        if self.offset and self.offset >= self.total:  # the list shrank under this page
            self.offset = 0
            return self.read(store)
        matching = [r for r in rows if not r.outside_filter]
        overdue = sum(1 for r in matching if r.overdue_reason)
        first, last = self.offset + 1, self.offset + len(matching)
        shown = (
            f"{number(first)}–{number(last)} van {meldingen(self.total)}"
            if self.total > len(matching)
            else meldingen(self.total)
        )
        searched = f" voor ‘{c.search.strip()}’" if c.search.strip() else ""
        count_html = (
            f"<b>{esc(shown)}{esc(searched)}</b>"
            + (f" · {overdue} achterstallig in deze lijst" if overdue else "")
            + ("" if matching else " · geen meldingen bij deze filters")
            + (
                f" · melding #{self.opened} blijft geopend, maar valt buiten deze filters"
                if len(matching) < len(rows)
                else ""
            )
        )
        return Listing(
            options=[(incident_label(r), r.id) for r in rows],
            selected=self.opened if self.opened in {r.id for r in rows} else None,
            count_html=count_html,
            previous_disabled=self.offset == 0,
            next_disabled=last >= self.total,
        )
