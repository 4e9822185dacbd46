"""Backup and restore: keeping the data safe, and checking the monthly counts.

SQLite uses its online backup API (a consistent copy while others write); PostgreSQL uses
pg_dump/pg_restore in their portable custom format. A restore checks the backup before it
touches anything and keeps the live database aside. Keeping data no longer than needed is
retention.py.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from pestdata.core import clock, files
from pestdata.core.errors import PestdataError
from pestdata.core.markup import meldingen
from pestdata.db import facts
from pestdata.db.store import HEAD_REVISION, Store, audit_row, default_db_path, now
from pestdata.db.tables import audit, incidents


class MaintenanceError(PestdataError):
    """A backup, restore or purge that cannot be done; the message is Dutch."""


def _libpq_url(store: Store) -> str:
    """postgresql+psycopg://… → postgresql://… for pg_dump and pg_restore."""
    return make_url(store.url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(store: Store, target: Path) -> None:
    target = Path(target)
    dialect = store.engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise MaintenanceError(f"backup van {dialect} wordt niet ondersteund")
    # A copy of everything: a new file as private as the database, in place only when whole.
    with files.private_output(target) as temp:
        if dialect == "sqlite":
            destination = sqlite3.connect(temp)
            try:
                with store.engine.connect() as conn:
                    conn.connection.driver_connection.backup(destination)
            finally:
                destination.close()
        else:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--file={temp}",
                    f"--dbname={_libpq_url(store)}",
                ],
                "pg_dump",
            )


CORE_TABLES = {"incidents", "incident_pupils", "incident_platforms", "incident_forms",
               "descriptions", "steps_done", "audit", "alembic_version"}  # fmt: skip


@dataclass(frozen=True)
class DatabaseSide:
    """One side of a restore, as the user sees it before anything is replaced."""

    incidents: int
    last_incident: date | None
    last_change: datetime | None  # the newest audit entry: every write leaves one
    revision: str | None
    last_entry: int = 0  # its id: orders two writes within one second

    def older_than(self, other: DatabaseSide) -> bool:
        """Last changed before `other` was (a backup of it from before its newest writes)."""
        if other.last_change is None:
            return False
        if self.last_change is None:
            return True
        return (self.last_change, self.last_entry) < (other.last_change, other.last_entry)

    def describe(self) -> str:
        last = f", laatste melding {self.last_incident:%d-%m-%Y}" if self.last_incident else ""
        changed = (
            f", laatste wijziging {clock.nl_date(self.last_change)}" if self.last_change else ""
        )
        return f"{meldingen(self.incidents)}{last}{changed}"


def live_side(store: Store) -> DatabaseSide:
    """What the database holds now (an empty or new database: nothing)."""
    with store.reading() as conn:
        if not sa.inspect(conn).has_table("incidents"):
            return DatabaseSide(0, None, None, None)
        count, last = conn.execute(
            sa.select(sa.func.count(), sa.func.max(incidents.c.reported_on))
        ).one()
        changed, entry = conn.execute(
            sa.select(sa.func.max(audit.c.at), sa.func.max(audit.c.id))
        ).one()
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return DatabaseSide(count, _as_date(last), _as_datetime(changed), revision, entry or 0)


def backup_side(source: Path) -> DatabaseSide:
    """Check a SQLite backup before it touches anything: a database at all, whole
    (integrity_check), with our tables, made by this version of pestdata or an older one."""
    source = Path(source)
    if not source.exists():
        raise _refused(source, "bestand niet gevonden")
    try:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error:
        raise _refused(source, "geen pestdata-back-up (niet te openen)") from None
    try:
        try:
            check = origin.execute("PRAGMA integrity_check").fetchall()
            names = {r[0] for r in origin.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError:
            raise _refused(source, "geen pestdata-back-up (geen database)") from None
        if check != [("ok",)]:
            raise _refused(source, f"de back-up is beschadigd ({check[0][0][:120]})")
        missing = CORE_TABLES - names
        if missing:
            raise _refused(
                source, f"geen pestdata-back-up (tabellen ontbreken: {', '.join(sorted(missing))})"
            )
        revision = origin.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = revision[0] if revision else None
        if revision is None or revision > HEAD_REVISION:
            raise _refused(
                source,
                f"gemaakt door een nieuwere versie van pestdata (schema {revision}); "
                "werk pestdata eerst bij",
            )
        count, last = origin.execute("SELECT count(*), max(reported_on) FROM incidents").fetchone()
        changed, entry = origin.execute("SELECT max(at), max(id) FROM audit").fetchone()
    finally:
        origin.close()
    return DatabaseSide(count, _as_date(last), _as_datetime(changed), revision, entry or 0)


def pg_backup_side(source: Path) -> DatabaseSide:
    """Check a PostgreSQL backup (pg_dump's custom format) before it touches anything: a
    readable archive with our tables, whole (every row of the tables read here can be
    read back), made by this version of pestdata or an older one. The figures come from the
    archive's own data: pg_restore writes the rows of three tables as text, read line by
    line (an archive of any size in little memory)."""
    source = Path(source)
    listing = _pg_restore_output(["--list", str(source)], source)
    tables = {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}
    missing = CORE_TABLES - tables
    if missing:
        raise _refused(
            source, f"geen pestdata-back-up (tabellen ontbreken: {', '.join(sorted(missing))})"
        )
    wanted = ["alembic_version", "incidents", "audit"]
    rows = _pg_restore_output(
        ["--data-only", *(f"--table={t}" for t in wanted), "--file=-", str(source)], source
    )
    revision, count, last, changed, entry = None, 0, None, None, 0
    table, columns = None, []
    for line in rows.splitlines():
        if table is None:
            if line.startswith("COPY public."):
                table = line.split()[1].removeprefix("public.")
                columns = line[line.index("(") + 1 : line.index(")")].split(", ")
            continue
        if line == "\\.":
            table = None
            continue
        values = dict(zip(columns, line.split("\t"), strict=False))
        if table == "alembic_version":
            revision = values["version_num"]
        elif table == "incidents":
            count += 1
            last = max(last or "", values["reported_on"])
        elif table == "audit":
            changed = max(changed or "", values["at"])
            entry = max(entry, int(values["id"]))
    if revision is None or revision > HEAD_REVISION:
        raise _refused(
            source,
            f"gemaakt door een nieuwere versie van pestdata (schema {revision}); "
            "werk pestdata eerst bij",
        )
    return DatabaseSide(count, _as_date(last), _as_datetime(changed), revision, entry)


def incoming_side(store: Store, source: Path) -> DatabaseSide:
    """The backup's side, checked the way the store's database is backed up."""
    sqlite = store.engine.dialect.name == "sqlite"
    return backup_side(source) if sqlite else pg_backup_side(source)


def _pg_restore_output(arguments: list[str], source: Path) -> str:
    """pg_restore's text output; an archive it cannot read is refused."""
    try:
        result = subprocess.run(["pg_restore", *arguments], capture_output=True, text=True)
    except FileNotFoundError:
        raise MaintenanceError(
            "pg_restore niet gevonden; installeer de PostgreSQL-clientprogramma's "
            "(apt-get install postgresql-client); er is niets veranderd"
        ) from None
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1][:200] if result.stderr.strip() else ""
        raise _refused(source, f"geen leesbare pestdata-back-up ({detail})")
    return result.stdout


def _refused(source: Path, reason: str) -> MaintenanceError:
    return MaintenanceError(f"{source}: {reason}; er is niets veranderd")


def _as_date(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _as_datetime(value) -> datetime | None:
    if not value or isinstance(value, datetime):
        return value or None
    return datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Restored:
    before: DatabaseSide
    after: DatabaseSide
    safety_copy: Path


def safety_copy_path(store: Store, stamp: datetime, folder: Path | None = None) -> Path:
    """Where the live database is copied before a restore: `folder`, else beside the SQLite
    file, or (for PostgreSQL) in the user's pestdata folder; private either way."""
    if folder is not None:
        folder = files.private_dir(Path(folder))
    elif store.engine.dialect.name == "sqlite":
        folder = Path(store.engine.url.database).resolve().parent
    else:
        folder = files.private_dir(default_db_path().parent / "terugzet-kopieen")
    return folder / f"voor-terugzetten-{stamp:%Y%m%d-%H%M%S}.backup"


def restore(
    store: Store,
    source: Path,
    *,
    force: bool = False,
    actor: str = "terugzetten",
    safety_folder: Path | None = None,
):
    """Replace the database's contents with a backup made by `backup`.

    Checked before anything is touched (a whole database or archive with our tables, not
    made by a newer pestdata: backup_side, pg_backup_side); a backup older than the live
    database's last change is refused unless `force`. The live database is first copied
    aside (`safety_copy`); afterwards the schema is brought up to date, the counts agree
    with the reports, and the audit says who restored what."""
    source = Path(source)
    if not source.exists():
        raise MaintenanceError(f"{source}: bestand niet gevonden")
    sqlite = store.engine.dialect.name == "sqlite"
    if not sqlite and store.engine.dialect.name != "postgresql":
        raise MaintenanceError(f"terugzetten in {store.engine.dialect.name} wordt niet ondersteund")
    before = live_side(store)
    incoming = incoming_side(store, source)
    if not force and incoming.older_than(before):
        raise MaintenanceError(
            f"De back-up ({incoming.describe()}) is ouder dan de database "
            f"({before.describe()}): terugzetten zou de nieuwere gegevens weggooien. "
            "Weet je het zeker, gebruik dan --force; er is niets veranderd."
        )
    stamp = now()
    copy = safety_copy_path(store, stamp, safety_folder)
    backup(store, copy)
    store.close()
    if sqlite:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            with store.engine.connect() as conn:
                origin.backup(conn.connection.driver_connection)
        finally:
            origin.close()
    else:
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
    store.close()
    store.ensure_schema()  # an older backup is migrated; the counts follow the protocol
    with store.writing() as conn:
        if any(facts.differences(conn).values()):
            facts.rebuild(conn)
        summary = {"bron": source.name, "veiligheidskopie": str(copy), "voor": before.describe()}
        conn.execute(
            audit.insert(),
            audit_row(actor, "restore", None, "database", None, json.dumps(summary)),
        )
    return Restored(before, live_side(store), copy)


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


def check_counts(store: Store, rebuild: bool = False) -> dict[str, int]:
    """The overview's monthly counts against the reports (after a change made outside
    pestdata): rows that differ, per count table; `rebuild` counts everything anew first."""
    if rebuild:
        with store.writing() as conn:
            facts.rebuild(conn)
    with store.reading() as conn:
        return facts.differences(conn)
