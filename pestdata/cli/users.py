"""Personal accounts from the command line: who may sign in, with which role."""

from __future__ import annotations

import sys

import click

from pestdata.cli import nl_click
from pestdata.cli.common import actor_option, command_line_actor, db_option, open_store
from pestdata.core import clock
from pestdata.core.markup import counted
from pestdata.web.serve import ROLE_NAMES


@click.group("users", cls=nl_click.Group)
def users() -> None:
    """Persoonlijke accounts: wie mag inloggen, met welke rol."""


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Nog een keer")


def _show_two_factor(name: str, secret: str | None) -> None:
    from pestdata.people.passwords import provisioning_uri

    if secret:
        click.echo(f"Tweestapscode voor {name}: zet deze sleutel in een authenticator-app:")
        click.echo(f"  {secret}")
        click.echo(f"  {provisioning_uri(secret, name)}")


STDIN_OPTION = click.option(
    "--password-stdin", is_flag=True, help="Lees het wachtwoord van de eerste regel van stdin."
)


@users.command("add")
@db_option
@click.argument("name", metavar="NAAM")
@click.option(
    "--role",
    type=click.Choice(ROLE_NAMES),
    required=True,
    help="zorgteam, leiding, leerkracht, presentator of beheer.",
)
@click.option("--two-factor", is_flag=True, help="Inloggen ook met een code uit een app.")
@STDIN_OPTION
@actor_option
def users_add(db, name, role, two_factor, password_stdin, actor) -> None:
    """Maak een account."""
    from pestdata.people.accounts import add

    secret = add(
        open_store(db), name, role, _new_password(password_stdin),
        command_line_actor(actor), two_factor=two_factor,
    )  # fmt: skip
    click.echo(f"Account {name} ({role}) gemaakt.")
    _show_two_factor(name, secret)


@users.command("list")
@db_option
def users_list(db) -> None:
    """Toon de accounts."""
    from pestdata.people.accounts import listed

    found = listed(open_store(db))
    if not found:
        click.echo("Nog geen accounts. Maak er een met: pestdata users add NAAM --role zorgteam")
    for a in found:
        state = "uitgezet" if a.disabled else "actief"
        extra = " · tweestaps" if a.two_factor else ""
        if a.locked_until:
            extra += f" · wacht na mislukte pogingen tot {clock.local(a.locked_until):%H:%M}"
        click.echo(f"{a.name:30} {a.role:12} {state}{extra}")


@users.command("disable")
@db_option
@click.argument("name", metavar="NAAM")
@actor_option
def users_disable(db, name, actor) -> None:
    """Zet een account uit: inloggen kan niet meer, open sessies stoppen meteen."""
    from pestdata.people.accounts import disable

    disable(open_store(db), name, command_line_actor(actor))
    click.echo(f"Account {name} uitgezet.")


@users.command("enable")
@db_option
@click.argument("name", metavar="NAAM")
@actor_option
def users_enable(db, name, actor) -> None:
    """Zet een uitgezet account weer aan."""
    from pestdata.people.accounts import enable

    enable(open_store(db), name, command_line_actor(actor))
    click.echo(f"Account {name} staat weer aan.")


@users.command("unlock")
@db_option
@click.argument("name", metavar="NAAM")
@actor_option
def users_unlock(db, name, actor) -> None:
    """Haal de wachttijd na mislukte inlogpogingen weg (voor alle adressen en browsers)."""
    from pestdata.people.accounts import unlock

    cleared = unlock(open_store(db), name, command_line_actor(actor))
    click.echo(
        f"Account {name} kan weer meteen inloggen (wachttijd weg voor "
        f"{counted(cleared, 'adres of browser', 'adressen of browsers')})."
        if cleared
        else f"Account {name} hoefde niet te wachten; er is niets veranderd."
    )


@users.command("reset")
@db_option
@click.argument("name", metavar="NAAM")
@click.option("--two-factor/--no-two-factor", default=None, help="Nieuwe code-sleutel, of uit.")
@STDIN_OPTION
@actor_option
def users_reset(db, name, two_factor, password_stdin, actor) -> None:
    """Geef een account een nieuw wachtwoord (en haal een blokkade weg)."""
    from pestdata.people.accounts import reset

    secret = reset(
        open_store(db), name, _new_password(password_stdin), command_line_actor(actor),
        two_factor=two_factor,
    )  # fmt: skip
    click.echo(f"Nieuw wachtwoord voor {name}; open sessies zijn gestopt.")
    _show_two_factor(name, secret)


COMMANDS = [users]
