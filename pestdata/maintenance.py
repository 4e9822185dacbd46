"""Backup, restore and retention: keeping the data safe, and not longer than needed.

SQLite uses its online backup API (a consistent copy while others write); PostgreSQL uses
pg_dump/pg_restore in their portable custom format. Retention removes closed cases past the
period in one transaction and keeps only anonymous monthly counts; the audit log says so.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from . import facts, files
from .facts import month_of
from .model import Status
from .store import Store, now
from .tables import audit, incident_forms, incident_platforms, incidents, retained_counts


class MaintenanceError(RuntimeError):
    """A backup, restore or purge that cannot be done; the message is Dutch."""


def _libpq_url(store: Store) -> str:
    """postgresql+psycopg://… → postgresql://… for pg_dump and pg_restore."""
    return make_url(store.url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(store: Store, target: Path) -> None:
    target = Path(target)
    files.create_private(target)  # a copy of everything: as private as the database
    if store.engine.dialect.name == "sqlite":
        destination = sqlite3.connect(target)
        try:
            with store.engine.connect() as conn:
                conn.connection.driver_connection.backup(destination)
        finally:
            destination.close()
    elif store.engine.dialect.name == "postgresql":
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={target}",
                f"--dbname={_libpq_url(store)}",
            ],
            "pg_dump",
        )
    else:
        raise MaintenanceError(f"backup van {store.engine.dialect.name} wordt niet ondersteund")


def restore(store: Store, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    source = Path(source)
    if not source.exists():
        raise MaintenanceError(f"{source}: bestand niet gevonden")
    if store.engine.dialect.name == "sqlite":
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            try:
                origin.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                raise MaintenanceError(f"{source}: geen pestdata-back-up") from None
            store.engine.dispose()
            with store.engine.connect() as conn:
                origin.backup(conn.connection.driver_connection)
        finally:
            origin.close()
        store.engine.dispose()
    elif store.engine.dialect.name == "postgresql":
        store.engine.dispose()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(store)}",
                str(source),
            ],
            "pg_restore",
        )
    else:
        raise MaintenanceError(f"terugzetten in {store.engine.dialect.name} wordt niet ondersteund")


def _run(command: list[str], name: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise MaintenanceError(
            f"{name} niet gevonden; installeer de PostgreSQL-clientprogramma's "
            "(apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        raise MaintenanceError(f"{name} mislukte: {result.stderr.strip()[:500]}")


# --- retention -------------------------------------------------------------------------------


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
