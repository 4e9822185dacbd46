"""Keeping the data safe and no longer than needed: backup, restore, purge, and the check
of the overview's monthly counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from pestdata.cli import nl_click
from pestdata.cli.common import checked, db_option, open_store
from pestdata.core import clock
from pestdata.core.markup import counted, plural
from pestdata.db.retention import parse_period, purge, purge_candidates
from pestdata.db.store import shown_url


@click.command("backup", cls=nl_click.Command)
@db_option
@click.argument("file", metavar="BESTAND", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(db, file: Path) -> None:
    """Maak een back-up (SQLite: online kopie; PostgreSQL: pg_dump)."""
    from pestdata.db.maintenance import backup

    backup(open_store(db), file)
    click.echo(f"Back-up gemaakt: {file} ({file.stat().st_size / 1_000_000:.1f} MB).")


@click.command("restore", cls=nl_click.Command)
@db_option
@click.argument(
    "file", metavar="BESTAND", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@click.option(
    "--force", is_flag=True, help="Ook een back-up terugzetten die ouder is dan de database."
)
@click.option("--by", "actor", default="terugzetten", help="Naam voor het logboek.")
def restore_command(db, file: Path, yes: bool, force: bool, actor: str) -> None:
    """Zet een back-up terug: eerst gecontroleerd, de huidige database eerst apart bewaard."""
    from pestdata.db.maintenance import incoming_side, live_side, restore

    store = open_store(db, schema=False)
    now_side = live_side(store)
    incoming = incoming_side(store, file)  # checked: a file that is no backup is refused
    click.echo(f"Nu in {shown_url(store.url)}: {now_side.describe()}.")
    click.echo(f"In de back-up {file}: {incoming.describe()}.")
    if not yes:
        click.confirm("De huidige inhoud vervangen door de back-up?", abort=True)
    done = restore(store, file, force=force, actor=actor)
    click.echo(
        f"Teruggezet uit {file}: {done.after.describe()}. De database van voor het "
        f"terugzetten staat apart in {done.safety_copy}."
    )


@click.command("purge", cls=nl_click.Command)
@db_option
@click.option(
    "--older-than",
    "cutoff",
    required=True,
    callback=checked(lambda text: clock.today() - parse_period(text)),
    help="Bijv. 2y (jaar), 18m of 400d.",
)
@click.option("--commit", is_flag=True, help="Echt verwijderen (standaard: alleen tonen).")
@click.option("--by", "actor", default="bewaartermijn", help="Naam voor het logboek.")
def purge_command(db, cutoff: date, commit: bool, actor: str) -> None:
    """Verwijder afgesloten meldingen na de bewaartermijn; alleen anonieme maandtellingen
    blijven. Standaard een proefdraai die toont wat er zou verdwijnen."""
    store = open_store(db)
    if not commit:
        candidates = purge_candidates(store, cutoff)
        for incident in candidates:
            click.echo(incident.describe())
        click.echo(
            f"{counted(len(candidates), 'afgesloten melding', 'afgesloten meldingen')} van "
            f"vóór {cutoff:%d-%m-%Y} {plural(len(candidates), 'zou', 'zouden')} "
            "verdwijnen. Dit was een proefdraai; verwijderen: voeg --commit toe."
        )
        return
    removed = purge(store, cutoff, actor)
    click.echo(
        f"{counted(removed, 'afgesloten melding', 'afgesloten meldingen')} van vóór "
        f"{cutoff:%d-%m-%Y} verwijderd; de "
        "anonieme maandtellingen zijn bewaard en het logboek vermeldt de opschoning."
    )


@click.command("facts", cls=nl_click.Command)
@db_option
@click.option("--rebuild", is_flag=True, help="Alle tellingen opnieuw opbouwen.")
def facts_command(db, rebuild: bool) -> None:
    """Controleer de maandtellingen van het overzicht tegen de meldingen (na een wijziging
    buiten pestdata om); --rebuild telt alles opnieuw."""
    from pestdata.db.maintenance import check_counts

    differences = check_counts(open_store(db), rebuild=rebuild)
    if rebuild:
        click.echo("De maandtellingen zijn opnieuw opgebouwd.")
    if any(differences.values()):
        rows = ", ".join(
            f"{table}: {counted(n, 'rij', 'rijen')}" for table, n in differences.items()
        )
        raise click.ClickException(
            f"De maandtellingen wijken af van de meldingen ({rows}). "
            "Herstel: pestdata facts --rebuild"
        )
    click.echo("De maandtellingen kloppen met de meldingen.")


COMMANDS = [backup_command, restore_command, purge_command, facts_command]
