"""Whether an imported report was handled, by one rule (HistoryRules.settle).

Its status, date handled and severity as a school's history says them, and what a row that
says nothing gets.

A register keeps its history in many words: a Status column, 'Afgehandeld (ja/nee)', 'Nog
open', a date in a cell, 'afgerond op 3-3-2025'. A row that says nothing is 'Afgesloten' when
it was reported before this school year (history, not an open case: it must not count as
overdue) and 'Nieuw' in this school year, unless the user chose; with --update a row stored
before corrects what it says differently (corrections).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pestdata.core import clock, recognise
from pestdata.core.choices import Severity, Status
from pestdata.incidents import incident_log
from pestdata.registers.reading import ImportFileError
from pestdata.registers.values import WEEKDAYS, parse_date

HANDLING = ("status", "done", "open")  # the columns that say whether a report was handled
FINISHED = frozenset({Status.RESOLVED.value, Status.CLOSED.value})
# A date inside a cell about the handling: 03-03-2025, 2025-03-03, 3 maart 2025, 3-mrt-25, or
# the day number of a date cell that lost its format (45719).
DATE_IN_TEXT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[ -][a-z]+\.?[ -]\d{2,4}"
    r"|(?<!\d)[34]\d{4}(?!\d)"
)
DATE_FILLERS = rf"\b(?:op|per|sinds|datum|{WEEKDAYS})\b\.?"
HISTORY_STATUSES = {"afgesloten": Status.CLOSED.value, "nieuw": Status.NEW.value}


@dataclass(frozen=True)
class Handled:
    """What one cell about the handling said: our status and the date handled, if any."""

    header: str
    kind: str  # 'status', 'done' or 'open' (HANDLING)
    code: str | None
    day: date | None
    text: str


def read_handling(text: str, kind: str) -> tuple[str | None, date | None, bool]:
    """One cell about the handling -> (our status, the date handled, understood).

    In a column 'Afgehandeld (ja/nee)' or 'Klaar' (`kind` 'done'): ja, x, 1, ✓ is
    Afgesloten, nee is Nieuw; in 'Nog open' ('open') the other way round. In every such
    column: a date, alone or with words ('3 maart 2025', '03-03-2025', 45719, 'afgerond op
    3-3-2025'), is Afgesloten on that day; status words in everyday form ('afgerond',
    'loopt nog', 'nog niet gestart') are read by recognise. An empty cell says nothing.
    A date beside an open status is not understood (code given, understood False)."""
    raw = text.strip()
    if not raw:
        return None, None, True
    rest, day = raw.lower(), None
    for match in DATE_IN_TEXT.finditer(rest):
        found = parse_date(match.group(0))
        if isinstance(found, date):
            day, rest = found, rest[: match.start()] + " " + rest[match.end() :]
            break
    if day:
        rest = re.sub(DATE_FILLERS, " ", rest)
    words = recognise.normalise(rest)
    if not words and raw not in ("✓", "✔", "☑"):
        return (Status.CLOSED.value if day else None), day, day is not None
    yes = recognise.yes_no(words or raw) if kind in ("done", "open") else None
    if yes is not None:
        code = Status.CLOSED.value if yes == (kind == "done") else Status.NEW.value
    else:
        code = recognise.recognise("status", words)
    if code is None:
        return None, day, False
    return code, day, not (day and code not in FINISHED)


def merge_handling(handling: list[Handled], problems: dict) -> tuple[str | None, date | None]:
    """The status and date handled of a row from all its columns about the handling: a
    Status column's word before a ja/nee; a finished against an open one is asked about."""
    said = [h for h in handling if h.code]
    finished = [h for h in said if h.code in FINISHED]
    still_open = [h for h in said if h.code not in FINISHED]
    if finished and still_open and "status" not in problems:
        a, b = finished[0], still_open[0]
        problems["status"] = (
            f"'{a.header}' zegt '{a.text[:40]}', maar '{b.header}' zegt '{b.text[:40]}'; "
            "is de melding afgehandeld of niet?"
        )
    said.sort(key=lambda h: h.kind != "status")
    day = next((h.day for h in handling if h.day), None)
    return (said[0].code if said else None), day


def read_history_status(text: str) -> str:
    """'afgesloten' or 'nieuw' (the choice for rows without a status) -> our code."""
    code = HISTORY_STATUSES.get(recognise.normalise(text))
    if code is None:
        raise ImportFileError(f"'{text}': kies voor rijen zonder status 'afgesloten' of 'nieuw'")
    return code


def read_severity_choice(text: str) -> str:
    """A severity the user chose for rows without one ('middel', 'onbekend') -> our code."""
    code = recognise.recognise("severity", text)
    if code is None:
        allowed = ", ".join(label.lower() for label, _ in Severity.choices())
        raise ImportFileError(
            f"'{text}': kies als ernst voor rijen zonder ernst {allowed} of onbekend"
        )
    return code


@dataclass(frozen=True)
class HistoryRules:
    """What rows that do not say their status or severity get: `status` for every row
    without one (None: by the school year, see settle), `severity` (our code; 'Onbekend'
    unless chosen); with `update`, a row already stored corrects its status, severity and
    date handled."""

    status: str | None = None
    severity: str = Severity.UNKNOWN.value
    update: bool = False
    this_year: clock.SchoolYear | None = None

    @classmethod
    def chosen(
        cls, history_status: str | None, default_severity: str | None, update: bool
    ) -> HistoryRules:
        """The rules as the user chose them: `history_status` 'afgesloten' or 'nieuw',
        `default_severity` a level in Dutch; this school year from today."""
        return cls(
            status=history_status and read_history_status(history_status),
            severity=(
                read_severity_choice(default_severity)
                if default_severity
                else Severity.UNKNOWN.value
            ),
            update=update,
            this_year=clock.SchoolYear.of(clock.today()),
        )

    def settle(
        self, data: dict, handling: list[Handled], problems: dict, said: set, got: set
    ) -> None:
        """Status, date handled and severity of one row: as its cells say, else by the
        history rules. A date handled closes a row that says no status. A row that says
        nothing is 'Afgesloten' when it was reported before this school year (history, not
        an open case: it must not count as overdue) and 'Nieuw' in this school year, unless
        the user chose (`status`). A finished row without its date handled gets the date of
        the report. No severity: 'Onbekend', or the level the user chose. `said` gets which
        of status, resolved_on the row said itself (an update changes only those), `got`
        what it got from these rules (for the notes)."""
        status, day = merge_handling(handling, problems)
        resolved = data.get("resolved_on")
        if resolved in (None, "") and day:
            data["resolved_on"] = resolved = day
        if isinstance(resolved, date):
            said.add("resolved_on")
            status = status or Status.CLOSED.value
        reported = data.get("reported_on")
        if status:
            said.add("status")
            if isinstance(resolved, date) and status not in FINISHED:
                problems.setdefault(
                    "resolved_on",
                    f"er staat een datum afgehandeld ({clock.nl_date(resolved)}), maar de "
                    f"status is '{recognise.label('status', status)}'; is de melding "
                    "afgehandeld of niet?",
                )
        elif "status" not in problems:
            if self.status:
                status = self.status
                got.add(f"status chosen:{status}")
            elif isinstance(reported, date) and self.this_year and reported < self.this_year.start:
                status = Status.CLOSED.value
                got.add("closed as history")
            else:
                status = Status.NEW.value
                got.add("new this year")
        if status in FINISHED and resolved in (None, "") and isinstance(reported, date):
            data["resolved_on"] = reported
            got.add("resolved on report date")
        if status:
            data["status"] = status
        if data.get("severity") is None and "severity" not in problems:
            data["severity"] = self.severity
            got.add("severity")


def corrections(stored: incident_log.Stored, incident, said: set[str]) -> dict[str, tuple]:
    """Field -> (stored, from the file) for what the file's row changes. A status that
    changes between open and finished brings its date handled along (the file's, else the
    date of the report; none for an open case)."""
    fields: dict[str, tuple] = {}
    status = incident.status.value
    if "status" in said and status != stored.status:
        fields["status"] = (stored.status, status)
    if "severity" in said and incident.severity.value != stored.severity:
        fields["severity"] = (stored.severity, incident.severity.value)
    resolved = stored.resolved_on
    if "resolved_on" in said:
        resolved = incident.resolved_on
    elif "status" in fields and (status not in FINISHED or stored.status not in FINISHED):
        resolved = incident.resolved_on if status in FINISHED else None
    if resolved != stored.resolved_on:
        fields["resolved_on"] = (stored.resolved_on, resolved)
    return fields


def shown(name: str, value) -> str:
    """A stored value as the report shows it: a label, a Dutch date, '—'."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return clock.nl_date(value)
    return recognise.label(name, value)
