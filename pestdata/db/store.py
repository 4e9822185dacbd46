"""The database boundary: engine, connections, transactions and schema (SQLAlchemy Core).

The packages marked SQL in pestdata.LAYERS (db, cases, school, overview, people, registers)
run their own queries through `Store.reading()` and `Store.writing()`; nothing above them
sees SQLAlchemy: a database that cannot be used raises StoreUnavailable.

Every write is one transaction and leaves an audit row beside the change (`audit_row`). On
SQLite each Voilà page is its own writer process, so connections use WAL, a busy timeout set
before WAL, synchronous=FULL, foreign keys, and BEGIN IMMEDIATE for writing transactions (a
deferred read-then-write transaction ignores the busy timeout). The schema is owned by Alembic.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from pestdata.core import clock, files, settings
from pestdata.core.errors import PestdataError
from pestdata.core.shipped import CHECKOUT
from pestdata.db import facts

OLD_CHECKOUT_FOLDER = CHECKOUT / "data"  # before: beside the guidance, which a wheel ships
MOVED_NOTE = (
    "De database staat nu in {new} (was {old}): data/ bevat alleen de meegeleverde "
    "handreiking en gaat mee in het pakket; var/ nooit."
)


def default_db_path() -> Path:
    """The SQLite file when nothing else is said: var/ of the checkout pestdata runs from
    (git-ignored and never in a wheel), else the user's data folder (an installed wheel)."""
    if (CHECKOUT / "pyproject.toml").exists():
        return CHECKOUT / "var" / "pestdata.sqlite"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "pestdata" / "pestdata.sqlite"


def move_old_checkout_database(
    say: Callable[[str], None], old_folder: Path = OLD_CHECKOUT_FOLDER, target: Path | None = None
) -> None:
    """A checkout's database, its journal files, restore copies and keys from before var/:
    moved once into var/ (a rename: the same file system), with one Dutch line."""
    target = target or default_db_path()
    old = old_folder / target.name
    if target.parent.name != "var" or not old.exists() or target.exists():
        return
    folder = files.private_dir(target.parent)
    for path in sorted(old_folder.iterdir()):
        if path.name.startswith((target.name, "secret", "terugzet-kopieen")):
            path.rename(folder / path.name)
    say(MOVED_NOTE.format(new=target, old=old))


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD_REVISION = "0013"  # the newest file in migrations/versions


class NotFound(PestdataError):
    """No report with that number (or no request, no report about a pupil: `message`)."""

    def __init__(self, key, message: str | None = None):
        self.key = key
        super().__init__(message or f"melding #{key} bestaat niet")


class StoreUnavailable(PestdataError):
    """The database cannot be reached or used now (locked, gone, full): the user may try again.
    Nobody above the store needs SQLAlchemy's own errors; `detail` holds the database, without
    its password, and the driver's words."""

    MESSAGE = "De database is niet bereikbaar; probeer het zo opnieuw."


class UnusableURL(PestdataError):
    """--db or PESTDATA_DB is no database URL pestdata can use (not a URL, another kind)."""

    def __init__(self, url: str):
        super().__init__(
            f"'{shown_url(url)}' is geen database-URL die pestdata kan gebruiken (SQLite of "
            "PostgreSQL); bijvoorbeeld sqlite:///pad/pestdata.sqlite of "
            "postgresql+psycopg://gebruiker@server/database"
        )


def shown_url(url: str) -> str:
    """A database URL without its password, fit to print (text that is no URL, as it is)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def database_url(url: str | None = None) -> str:
    """--db URL, else PESTDATA_DB, else the default SQLite file (`default_db_path`; an old
    checkout's data/pestdata.sqlite is moved there first)."""
    chosen = url or settings.get("PESTDATA_DB")
    if chosen:
        return chosen
    move_old_checkout_database(lambda line: print(line, file=sys.stderr))
    return f"sqlite:///{default_db_path()}"


now = clock.now_utc  # the moment every write stores


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control away from pysqlite; the "begin" event emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 60000")  # before WAL: switching may wait on a lock
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # Deleted rows (a purge, an undone step) are overwritten, not left readable in free pages,
    # whatever default the system's SQLite was built with.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    writing = connection.get_execution_options().get("pestdata_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            files.private_database(Path(database))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


class Store:
    """The pestdata database. Open one per process; it is safe beside other writers."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        try:
            self.engine = make_engine(self.url)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError):
            raise UnusableURL(self.url) from None
        except OSError as error:  # the SQLite file's folder cannot be made
            raise StoreUnavailable(detail=f"{shown_url(self.url)}: {error}") from None

    # --- transactions and schema --------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One writing transaction: everything in it is stored, or nothing is."""
        with _unavailable_as_ours(self.url):
            with self.engine.connect().execution_options(pestdata_write=True) as conn:
                with conn.begin():
                    yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with _unavailable_as_ours(self.url):
            with self.engine.connect() as conn:
                with conn.begin():
                    yield conn

    def close(self) -> None:
        """Close every pooled connection (a throw-away store, a file about to be replaced)."""
        self.engine.dispose()

    def _alembic_config(self, conn: Connection):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        return config

    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema; concurrent callers queue on the write lock."""
        from alembic import command

        with self.writing() as conn:
            command.upgrade(self._alembic_config(conn), revision)
            if self._revision(conn) == HEAD_REVISION:
                facts.ensure_current(conn)  # new fact tables, or counted with another protocol

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self.writing() as conn:
            command.downgrade(self._alembic_config(conn), revision)

    def schema_revision(self) -> str | None:
        with self.reading() as conn:
            return self._revision(conn)

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    def ensure_schema(self, on_recount: Callable[[], None] | None = None) -> Store:
        """Migrate when the database is not at HEAD_REVISION, and recount the overview's
        monthly counts when the protocol file changed since they were made (`on_recount` is
        called first: the CLI says so); two cheap queries when neither is needed.

        HEAD_REVISION saves every page load from importing Alembic (~0.15 s); a test keeps it
        equal to the newest migration.
        """
        with self.reading() as conn:
            at_head = self._revision(conn) == HEAD_REVISION
            counted = at_head and facts.is_current(conn)
        if not at_head:
            self.migrate()  # recounts as well
        elif not counted:
            if on_recount:
                on_recount()
            self.ensure_facts_current()
        return self

    def ensure_facts_current(self) -> bool:
        """Recount the monthly counts if they were made with another protocol; True if so.
        Concurrent callers queue on the write lock and the later ones find nothing to do."""
        with self.reading() as conn:
            if facts.is_current(conn):
                return False
        with self.writing() as conn:
            return facts.ensure_current(conn)

    # --- writing ------------------------------------------------------------------------

    # --- the school-wide checklist and lessons given ------------------------------------

    # --- reading ------------------------------------------------------------------------


@contextmanager
def _unavailable_as_ours(url: str) -> Iterator[None]:
    """A database that cannot be reached or used now becomes StoreUnavailable; errors that
    mean a bug (a broken constraint, bad SQL) stay what they are."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        reason = (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]
        raise StoreUnavailable(detail=f"{shown_url(url)}: {reason}") from error


def audit_row(actor, action, incident_id, field, old, new, at: datetime | None = None) -> dict:
    return {
        "at": at or now(),
        "actor": actor,
        "action": action,
        "incident_id": incident_id,
        "field": field,
        "old_value": old,
        "new_value": new,
    }
