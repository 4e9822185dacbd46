"""The list of schools from the command line: show it, add a school, set its type, merge two
spellings."""

from __future__ import annotations

import click

from pestdata.cli import nl_click
from pestdata.cli.common import actor_option, command_line_actor, db_option, open_store
from pestdata.core.markup import meldingen
from pestdata.school import school_names


@click.group("schools", cls=nl_click.Group)
def schools() -> None:
    """De lijst van scholen: tonen, toevoegen, twee schrijfwijzen samenvoegen."""


SCHOOL_TYPE_HELP = "Soort school: basis (basisonderwijs), vo (voortgezet onderwijs) of beide."


@schools.command("list")
@db_option
def schools_list(db) -> None:
    """Toon de scholen (met hun soort), de drukste eerst, en namen die op elkaar lijken."""
    store = open_store(db)
    names = school_names.names(store)
    types = school_names.types(store)
    if not names:
        click.echo(
            "Nog geen scholen. Voeg er een toe met: pestdata schools add 'NAAM' --type basis"
        )
    for name in names:
        click.echo(f"{name} ({types[name].label})" if name in types else name)
    for a, b in school_names.lookalikes(store):
        click.echo(
            f"Lijken op elkaar: '{a}' en '{b}'. Is het één school, voeg ze dan samen met: "
            f"pestdata schools merge '{b}' --into '{a}'"
        )


@schools.command("add")
@db_option
@click.argument("name", metavar="NAAM")
@click.option("--type", "school_type", required=True, metavar="SOORT", help=SCHOOL_TYPE_HELP)
@actor_option
def schools_add(db, name, school_type, actor) -> None:
    """Zet een school op de lijst, met haar soort (welke groepen of klassen er horen)."""
    kind = school_names.SchoolType.parse(school_type)
    added = school_names.add(open_store(db), name, command_line_actor(actor), kind)
    click.echo(f"School '{added}' toegevoegd ({kind.label}).")


@schools.command("type")
@db_option
@click.argument("name", metavar="NAAM")
@click.argument("school_type", metavar="SOORT")
@actor_option
def schools_type(db, name, school_type, actor) -> None:
    """Zet de soort van een school goed: basis, vo of beide."""
    kind = school_names.set_type(open_store(db), name, school_type, command_line_actor(actor))
    click.echo(f"{school_names.tidy(name)} is nu: {kind.label}.")


@schools.command("merge")
@db_option
@click.argument("old", metavar="OUDE_NAAM")
@click.option("--into", required=True, help="De schrijfwijze die blijft.")
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@actor_option
def schools_merge(db, old, into, yes, actor) -> None:
    """Voeg twee schrijfwijzen samen: alles van OUDE_NAAM gaat naar --into."""
    store = open_store(db)
    if not yes:
        click.confirm(
            f"Alle meldingen, afgevinkte acties en lessen van '{old}' gaan naar '{into}', "
            f"en '{old}' verdwijnt van de lijst. Doorgaan?",
            abort=True,
        )
    moved = school_names.merge(store, old, into, command_line_actor(actor))
    click.echo(f"'{old}' samengevoegd met '{into}': {meldingen(moved)} verplaatst.")


COMMANDS = [schools]
