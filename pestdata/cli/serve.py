"""`pestdata serve`: the dashboards in Voilà, with accounts or a token for scripts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pestdata.cli import nl_click
from pestdata.cli.common import checked, db_option, open_store
from pestdata.core import files, privacy, settings
from pestdata.core.choices import StaffRole
from pestdata.core.shipped import NOTEBOOKS
from pestdata.db.store import shown_url
from pestdata.web.serve import (
    DASHBOARDS,
    PAGES_PER_PERSON,
    ROLE_NAMES,
    ROLES,
    check_port_free,
    role_notebooks,
    voila_command,
    voila_env,
)


def _key_file(path: Path) -> Path:
    """The proxy's key file, checked here in Dutch (yours, chmod 600) and again where the
    server reads it."""
    files.read_secret(path, "Het sleutelbestand")
    return path


def _token_from_file(path: Path) -> str:
    return files.read_secret(path, "Het tokenbestand")


@click.command(cls=nl_click.Command)
@db_option
@click.option("--port", default=8866, show_default=True, help="Poort op deze computer.")
@click.option(
    "--token-file",
    "file_token",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    callback=checked(_token_from_file),
    help="Voor scripts en tests: een toegangscode in de URL in plaats van persoonlijke "
    "accounts, uit dit bestand (van jou, chmod 600) of uit PESTDATA_TOKEN.",
)
@click.option("--token", "token_argument", default=None, hidden=True)  # refused: see serve
@click.option(
    "--role",
    type=click.Choice(ROLE_NAMES),
    default=None,
    help="Alleen de dashboards van deze rol op deze server (standaard: alle; ieder ziet "
    "die van de eigen rol). Met --token: zorgteam als niets gekozen is.",
)
@click.option(
    "--notebooks",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=NOTEBOOKS,
    show_default=True,
    help="Map met de dashboards.",
)
@click.option(
    "--cull-idle",
    default=300,
    show_default=True,
    type=click.IntRange(5),
    help="Seconden waarna de kernel van een pagina die nooit verbinding maakte wordt "
    "opgeruimd; die van een gesloten pagina gaat na een halve minuut.",
)
@click.option(
    "--preheat",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Kernels per dashboard die klaarstaan voor de volgende bezoeker (sneller openen; "
    "elk kost geheugen). 0 = uit.",
)
@click.option(
    "--host-name",
    "host_names",
    multiple=True,
    help="Naam waaronder de server ook bereikbaar is, bijv. achter een proxy die de Host "
    "doorgeeft (herhaalbaar). Andere namen krijgen een weigering.",
)
@click.option(
    "--trust-header",
    default="",
    help="Single sign-on: neem de naam uit deze header van de proxy van de school, bijv. "
    "X-Forwarded-User (de rol komt uit het eigen account). Vereist --proxy-key-file.",
)
@click.option(
    "--proxy-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    callback=checked(_key_file),
    help="Bestand met de sleutel die de proxy meestuurt in X-Pestdata-Proxy-Key; zonder "
    "die sleutel telt de header niet.",
)
@click.option(
    "--require-two-factor",
    "two_factor_roles",
    multiple=True,
    type=click.Choice(ROLE_NAMES),
    help="Deze rol logt alleen in met een code uit een app (herhaalbaar), bijv. zorgteam.",
)
@click.option(
    "--https-only",
    is_flag=True,
    help="De browser bereikt pestdata alleen via https (de proxy van de school): het "
    "inlogcookie gaat dan nooit over http (Secure).",
)
@click.option(
    "--pages-per-person",
    default=PAGES_PER_PERSON,
    show_default=True,
    type=click.IntRange(1),
    help="Open pagina's per account; wie er meer opent, sluit de langst niet gebruikte.",
)
@click.option(
    "--max-pages",
    default=0,
    type=click.IntRange(0),
    help="Open pagina's op de hele server (elk ~150 MB geheugen). Standaard: wat 60% van "
    "het geheugen van deze computer draagt.",
)
@click.option(
    "--verbose",
    is_flag=True,
    help="Het hele (Engelstalige) log van Jupyter en Voilà tonen, voor foutzoeken. "
    "Standaard alleen de eigen regels van pestdata, in het Nederlands.",
)
def serve(
    db,
    port: int,
    file_token: str | None,
    token_argument: str | None,
    role: str | None,
    notebooks: Path,
    cull_idle: int,
    preheat: int,
    host_names: tuple[str, ...],
    trust_header: str,
    proxy_key_file: Path | None,
    two_factor_roles: tuple[str, ...],
    https_only: bool,
    pages_per_person: int,
    max_pages: int,
    verbose: bool,
) -> None:
    """Start de dashboards in Voilà op http://127.0.0.1:PORT."""
    from pestdata.people.accounts import listed

    store = open_store(db)
    token = _serve_token(token_argument, file_token)
    check_port_free(port)  # a taken port is refused before any address is printed
    if trust_header and not proxy_key_file:
        raise click.BadParameter("geef ook --proxy-key-file", param_hint="--trust-header")
    if token and trust_header:
        raise click.BadParameter(
            "kies een toegangscode (PESTDATA_TOKEN, --token-file) of --trust-header",
            param_hint="--trust-header",
        )
    if not token and not listed(store):
        raise click.ClickException(
            "Er zijn nog geen accounts. Maak er een met: pestdata users add NAAM --role "
            "zorgteam (of zet voor scripts en tests een toegangscode in PESTDATA_TOKEN)."
        )
    base = f"http://127.0.0.1:{port}"
    # A token server without --role is the care team's, as --role's help says. With accounts
    # no role stands in: each page's kernel takes the signed-in person's (ui.common).
    served = role or (StaffRole.CARE_TEAM.value if token else None)
    folder = role_notebooks(notebooks, served)
    click.echo(f"Database: {shown_url(store.url)} · rol: {served or 'iedereen met een account'}")
    if token:
        # The code itself is not printed: output may end up in a log others can read.
        click.echo("Open in de browser (met de toegangscode achter token=):")
        for name in ROLES[served]:
            if (folder / f"{name}.ipynb").exists():
                click.echo(f"  {DASHBOARDS[name]}: {base}/voila/render/{name}.ipynb?token=…")
    else:
        click.echo(f"Open in de browser: {base}/ en log in met je account.")
    click.echo("Stoppen: Ctrl+C", err=True)
    command = voila_command(
        folder, port, bool(token), cull_idle=cull_idle, preheat=preheat, host_names=host_names,
        trusted_header=trust_header, proxy_key_file=proxy_key_file,
        two_factor_roles=two_factor_roles, https_only=https_only,
        pages_per_person=pages_per_person, max_pages=max_pages, verbose=verbose,
    )  # fmt: skip
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Voilà, so a stop signal (Ctrl+C, a service manager) reaches it and its kernels.
    # With accounts the kernels take the role from the signed-in person (ui.common); none
    # stands in for them, so an unsigned page would get the least.
    # The token goes to Voilà in its environment (JUPYTER_TOKEN, which server.py takes out
    # again before any kernel starts), never on a command line that `ps` shows everyone.
    env = voila_env(store.url, served or privacy.NO_ROLE, token=token)
    os.execve(sys.executable, command, env)


def _serve_token(argument: str | None, file_token: str | None) -> str | None:
    """The token for a token server: from PESTDATA_TOKEN or a private file (--token-file,
    read by its callback), never from the command line (every account on the machine sees
    process arguments in `ps`)."""
    if argument is not None:
        raise click.BadParameter(
            "een toegangscode op de opdrachtregel kan iedereen op deze computer zien (ps). "
            "Zet hem in de omgevingsvariabele PESTDATA_TOKEN, of in een bestand dat alleen "
            "jij kunt lezen (chmod 600) en geef --token-file PAD.",
            param_hint="--token",
        )
    from_env = (settings.get("PESTDATA_TOKEN") or "").strip()
    if file_token and from_env:
        raise click.BadParameter(
            "kies PESTDATA_TOKEN of --token-file, niet allebei", param_hint="--token-file"
        )
    return file_token or from_env or None


COMMANDS = [serve]
