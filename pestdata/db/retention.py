"""Retention: closed cases are kept no longer than needed, and only anonymous counts stay.

A purge removes the closed cases whose end lies before the cutoff in one transaction, with
their audit (it holds pupil numbers and text); their counts per school, month and group,
platform and form stay in `retained_counts`, and the audit log says that it happened.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from pestdata.core.choices import Status
from pestdata.db import facts
from pestdata.db.facts import month_of
from pestdata.db.maintenance import MaintenanceError
from pestdata.db.store import Store, now
from pestdata.db.tables import audit, incident_forms, incident_platforms, incidents, retained_counts


def parse_period(text: str) -> timedelta:
    """'2y', '18m', '400d' (jaar/maand/dag also in Dutch: 2j) → a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([ymdj])\s*", text.lower())
    if not match or int(match[1]) == 0:
        raise MaintenanceError(f"'{text}': gebruik bijvoorbeeld 2y (jaar), 18m (maanden) of 400d")
    number, unit = int(match[1]), match[2]
    days = {"y": 365, "j": 365, "m": 30, "d": 1}[unit]
    return timedelta(days=number * days + (number // 4 if unit in "yj" else 0))


@dataclass(frozen=True)
class PurgeCandidate:
    id: int
    school: str
    reported_on: date
    resolved_on: date | None

    def describe(self) -> str:
        """'#12 De Regenboog · gemeld 01-10-2024 · afgerond 15-11-2024', for a dry run."""
        line = f"#{self.id} {self.school} · gemeld {self.reported_on:%d-%m-%Y}"
        return f"{line} · afgerond {self.resolved_on:%d-%m-%Y}" if self.resolved_on else line


def purge_candidates(store: Store, cutoff: date) -> list[PurgeCandidate]:
    """Closed cases whose end (or, lacking one, whose report) lies before the cutoff."""
    c = incidents.c
    query = (
        sa.select(c.id, c.school, c.reported_on, c.resolved_on)
        .where(
            c.status == Status.CLOSED.value, sa.func.coalesce(c.resolved_on, c.reported_on) < cutoff
        )
        .order_by(c.reported_on, c.id)
    )
    with store.reading() as conn:
        return [PurgeCandidate(*row) for row in conn.execute(query)]


def purge(store: Store, cutoff: date, actor: str) -> int:
    """Remove the candidates in one transaction; keep anonymous monthly counts; log it."""
    c = incidents.c
    chosen = sa.and_(
        c.status == Status.CLOSED.value, sa.func.coalesce(c.resolved_on, c.reported_on) < cutoff
    )
    month = month_of(c.reported_on)
    dimensions = {
        "group": (c.group_name, incidents),
        "platform": (incident_platforms.c.platform, incidents.join(incident_platforms)),
        "form": (incident_forms.c.form, incidents.join(incident_forms)),
    }
    with store.writing() as conn:
        ids = list(conn.execute(sa.select(c.id).where(chosen)).scalars())
        if not ids:
            return 0
        for dimension, (category, source) in dimensions.items():
            counts = conn.execute(
                sa.select(c.school, month, category, sa.func.count())
                .select_from(source)
                .where(chosen)
                .group_by(c.school, month, category)
            ).all()
            rows = [
                {"school": school, "month": in_month, "dimension": dimension}
                | {"category": value, "count": count}
                for school, in_month, value, count in counts
            ]
            if rows:
                facts.add_counts(conn, retained_counts, rows, ["count"])
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            # The audit of these cases holds pupil numbers and text: it goes with them.
            conn.execute(audit.delete().where(audit.c.incident_id.in_(chunk)))
            with facts.recounting(conn, chunk):
                conn.execute(incidents.delete().where(c.id.in_(chunk)))
        conn.execute(
            audit.insert(),
            {
                "at": now(),
                "actor": actor,
                "action": "purge",
                "incident_id": None,
                "field": "retention",
                "old_value": None,
                "new_value": json.dumps({"cutoff": cutoff.isoformat(), "cases": len(ids)}),
            },
        )
    return len(ids)
