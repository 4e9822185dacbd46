"""What the commands share: the --db and --by options, the store, the name check, and option
values checked in Dutch."""

from __future__ import annotations

import getpass
from collections.abc import Callable

import click

from pestdata.cli import nl_click
from pestdata.core.errors import PestdataError
from pestdata.db.store import Store

nl_click.install()  # click's own messages in Dutch, before any command is made

db_option = click.option(
    "--db",
    envvar="PESTDATA_DB",
    default=None,
    help="SQLAlchemy-URL van de database (standaard: SQLite-bestand in data/). "
    "Ook via PESTDATA_DB.",
)
actor_option = click.option("--by", "actor", default=None, help="Naam voor het logboek.")


def open_store(db: str | None, schema: bool = True) -> Store:
    """The store every command uses (--db, else PESTDATA_DB, else the default file), schema
    up to date (`schema` False: only opened, for a restore that replaces it). One that
    cannot be used raises the store's own Dutch error (UnusableURL, StoreUnavailable)."""
    store = Store(db)
    if not schema:
        with store.reading():
            return store
    return store.ensure_schema(on_recount=_say_recount)


def _say_recount() -> None:
    click.echo(
        "Het protocol is gewijzigd sinds de maandtellingen zijn gemaakt: "
        "de tellingen van het overzicht worden opnieuw geteld…",
        err=True,
    )


def load_names() -> None:
    """The name detector in this command's own process (names.py). It not being ready is no
    failure here: one Dutch line says what goes unchecked."""
    from pestdata.core import names

    try:
        names.load_here(progress=lambda line: click.echo(line, err=True))
    except names.NamesUnchecked as error:
        click.echo(f"Let op: {error}", err=True)


def command_line_actor(actor: str | None) -> str:
    """Who acts from the command line, for the audit: --by, else the system account."""
    return actor or f"{getpass.getuser()} (opdrachtregel)"


def checked(convert: Callable):
    """An option's callback: its value through `convert`. What pestdata refuses in it is a
    usage error that names the option (exit status 2), not a failed command (1, main.py)."""

    def callback(ctx: click.Context, param: click.Parameter, value):
        if value is None:
            return None
        try:
            return convert(value)
        except PestdataError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None

    return callback
