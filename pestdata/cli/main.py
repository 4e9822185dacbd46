"""`pestdata`: the command, its one Dutch error line for what pestdata refuses, and setting up.

Setting up is the database (init) and demo data (demo). The other commands live by subject:
serve.py, users.py, schools.py, registers.py (import and export), documents.py (PDFs and the
parent evening) and maintenance.py (backups, retention, the monthly counts).
"""

from __future__ import annotations

import sys
import time

import click

from pestdata.cli import documents, maintenance, nl_click, registers, schools, serve, users
from pestdata.cli.common import db_option, load_names, open_store
from pestdata.core import files
from pestdata.core.errors import PestdataError
from pestdata.core.markup import meldingen
from pestdata.db.store import shown_url
from pestdata.incidents import incident_log, lookup


class Commands(nl_click.Group):
    """The pestdata commands. The one place where what pestdata refuses or cannot do (a
    PestdataError: a database, a file, an account, a backup…) becomes the command's Dutch
    error line and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PestdataError as error:
            raise click.ClickException(error.line()) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pestdata: online pesten zien, aanpakken en voorkomen."""
    files.private_umask()  # every file this command, Voilà and its kernels make: owner only


for module in (serve, users, schools, registers, documents, maintenance):
    for command in module.COMMANDS:
        main.add_command(command)


@main.command()
@db_option
def init(db: str | None) -> None:
    """Maak de database aan of werk het schema bij."""
    store = open_store(db)
    load_names()  # the name lists are built here once (names.py), not on a page
    click.echo(f"Database klaar: {shown_url(store.url)} (schema {store.schema_revision()})")


@main.command()
@db_option
@click.option(
    "--incidents",
    "count",
    default=2000,
    show_default=True,
    type=click.IntRange(1),
    help="Aantal meldingen.",
)
@click.option("--seed", default=1, show_default=True, help="Startwaarde voor het toeval.")
@click.option("--add", is_flag=True, help="Ook toevoegen als er al meldingen zijn.")
def demo(db: str | None, count: int, seed: int, add: bool) -> None:
    """Vul de database met realistische demomeldingen over drie schooljaren."""
    from pestdata.school.demo import DEMO_ROLES, add_demo_accounts, generate

    store = open_store(db)
    existing = lookup.count_incidents(store)
    if existing and not add:
        click.echo(
            f"De database bevat al {meldingen(existing)}; er is niets toegevoegd. "
            "Gebruik --add om er demomeldingen bij te zetten."
        )
        return
    started = time.perf_counter()
    with click.progressbar(length=count, label="Demomeldingen maken", file=sys.stderr) as bar:

        def incidents():
            for number, incident in enumerate(generate(count, seed=seed), start=1):
                if number % 1000 == 0:
                    bar.update(1000)
                yield incident

        stored = incident_log.add_incidents(store, incidents(), actor="demo")
        bar.update(count % 1000)
    seconds = time.perf_counter() - started
    click.echo(f"{stored} demomeldingen opgeslagen in {seconds:.1f} s ({shown_url(store.url)}).")
    password = add_demo_accounts(store)
    if password:
        names = [f"demo-{role}" for role in DEMO_ROLES]
        click.echo(
            f"Demo-accounts: {', '.join(names[:-1])} en {names[-1]}, wachtwoord {password} "
            "(alleen voor het uitproberen)."
        )


if __name__ == "__main__":
    main()
