"""Inzageverzoeken: a parent or pupil asks under the AVG for a copy of what the school keeps.

The school must answer within one month of receipt; with a reason it may take two months
more (AVG art. 12(3)). The care team registers the request, sees its due date beside the
cases, and makes the file (inzage_file.py gathers it, documents/inzage_file.py lays it out)
in which every other pupil is 'leerling A', 'leerling B'…; each file made is in the audit.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa

from pestdata.core import clock
from pestdata.core.model import AccessRequestReceived, InvalidInput, validate
from pestdata.db.store import NotFound, Store, audit_row, now
from pestdata.db.tables import access_requests, audit, incident_pupils

EXTRA_MONTHS = 2  # the extension the AVG allows, with a reason


def months_later(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 jan + 1 = 28/29 feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class AccessRequest:
    id: int
    pupil_number: str
    received_on: date
    requested_by: str
    due_on: date
    extension_reason: str | None
    answered_on: date | None

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


def register(store: Store, pupil: str, received_on: date, requested_by: str, actor: str) -> int:
    """Record a request (checked as model.AccessRequestReceived); due a month after receipt."""
    request = validate(
        AccessRequestReceived,
        {"pupil_number": pupil, "received_on": received_on, "requested_by": requested_by},
    )
    row = {
        **request.model_dump(),
        "due_on": months_later(request.received_on, 1),
        "registered_by": actor,
        "registered_at": now(),
    }
    with store.writing() as conn:
        request_id = conn.execute(
            access_requests.insert().returning(access_requests.c.id), row
        ).scalar_one()
        _audit(conn, actor, "access_request", request_id, row)
    return request_id


def extend(store: Store, request_id: int, reason: str, actor: str) -> date:
    """Two more months, with the reason the requester must be told; the new due date."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput({"extension_reason": "geef de reden van het verlengen"})
    with store.writing() as conn:
        request = _get(conn, request_id)
        if request.extension_reason:
            raise InvalidInput({"extension_reason": "dit verzoek is al verlengd"})
        due = months_later(request.received_on, 1 + EXTRA_MONTHS)
        conn.execute(
            access_requests.update()
            .where(access_requests.c.id == request_id)
            .values(due_on=due, extension_reason=reason)
        )
        _audit(
            conn, actor, "access_request_extended", request_id, {"due_on": due, "reason": reason}
        )
    return due


def answer(store: Store, request_id: int, actor: str) -> None:
    """The file went to the requester: the request is done."""
    with store.writing() as conn:
        _get(conn, request_id)
        conn.execute(
            access_requests.update()
            .where(access_requests.c.id == request_id)
            .values(answered_on=clock.today())
        )
        _audit(conn, actor, "access_request_answered", request_id, {})


def open_requests(store: Store) -> list[AccessRequest]:
    """Requests not yet answered, the first due first."""
    c = access_requests.c
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(access_requests).where(c.answered_on.is_(None)).order_by(c.due_on, c.id)
        ).mappings()
        return [_request(r) for r in rows]


def record_file(store: Store, pupil: str, incidents: list[int], actor: str) -> None:
    """Each inzage file made is in the audit: whose file, which cases, made by whom."""
    with store.writing() as conn:
        _audit(conn, actor, "inzage_file", None, {"leerling": pupil, "meldingen": incidents})


def incidents_of(store: Store, pupil: str) -> list[int]:
    """Every case the pupil appears in, oldest first."""
    p = incident_pupils.c
    with store.reading() as conn:
        return list(
            conn.execute(
                sa.select(p.incident_id).where(p.pupil_number == pupil).order_by(p.incident_id)
            ).scalars()
        )


CANDIDATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,31}")


def pupil_numbers_in(store: Store, texts: list[str]) -> set[str]:
    """The pupil numbers of the register that a free text mentions (its words looked up,
    so a number of a pupil from another case is found too)."""
    words = {w.strip("./-") for text in texts for w in CANDIDATE.findall(text or "")}
    words = sorted(w for w in words if any(ch.isdigit() for ch in w))
    found: set[str] = set()
    column = incident_pupils.c.pupil_number
    with store.reading() as conn:
        for start in range(0, len(words), 500):
            chunk = words[start : start + 500]
            found |= set(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
    return found


def _get(conn, request_id: int) -> AccessRequest:
    row = (
        conn.execute(sa.select(access_requests).where(access_requests.c.id == request_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(request_id, f"inzageverzoek #{request_id} bestaat niet")
    return _request(row)


def _request(row) -> AccessRequest:
    return AccessRequest(**{f.name: row[f.name] for f in fields(AccessRequest)})


def _audit(conn, actor: str, action: str, request_id: int | None, details: dict) -> None:
    text = json.dumps({"verzoek": request_id, **details}, default=str, ensure_ascii=False)
    conn.execute(audit.insert(), audit_row(actor, action, None, "inzage", None, text))
