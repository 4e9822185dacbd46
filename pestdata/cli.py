"""`pestdata`: set up the database, load demo data and serve the dashboards."""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

import click

from .store import Store, database_url

PACKAGE = Path(__file__).resolve().parent
NOTEBOOKS = PACKAGE.parent / "notebooks"
TEMPLATES = PACKAGE / "share" / "jupyter"

db_option = click.option(
    "--db",
    envvar="PESTDATA_DB",
    default=None,
    help="SQLAlchemy-URL van de database (standaard: SQLite-bestand in data/). "
    "Ook via PESTDATA_DB.",
)


def _store(db: str | None) -> Store:
    return Store(db).ensure_schema()


def _shown(url: str) -> str:
    """A database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pestdata: online pesten zien, aanpakken en voorkomen."""


@main.command()
@db_option
def init(db: str | None) -> None:
    """Maak de database aan of werk het schema bij."""
    store = _store(db)
    click.echo(f"Database klaar: {_shown(store.url)} (schema {store.schema_revision()})")


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
    from .demo import generate

    store = _store(db)
    existing = store.count_incidents()
    if existing and not add:
        click.echo(
            f"De database bevat al {existing} meldingen; er is niets toegevoegd. "
            "Gebruik --add om er demomeldingen bij te zetten."
        )
        return
    started = time.perf_counter()
    with click.progressbar(length=count, label="Demomeldingen maken", file=sys.stderr) as bar:

        def reports():
            for number, report in enumerate(generate(count, seed=seed), start=1):
                if number % 1000 == 0:
                    bar.update(1000)
                yield report

        stored = store.add_incidents(reports(), actor="demo")
        bar.update(count % 1000)
    seconds = time.perf_counter() - started
    click.echo(f"{stored} demomeldingen opgeslagen in {seconds:.1f} s ({_shown(store.url)}).")


def voila_command(
    notebooks: Path, port: int, token: str, ip: str = "127.0.0.1", cull_idle: int = 300
) -> list[str]:
    """The Voilà command line: token required, no tracebacks, no URL overrides, local assets.

    Voilà refuses the shutdown a closed page sends (no _xsrf, voila issue 1458), so kernels of
    closed pages are culled after `cull_idle` seconds; kernels of open pages are never culled
    (cull_connected=False), however long someone takes to fill in the form.
    """
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebooks),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--Voila.token={token}",
        "--Voila.open_browser=False",
        "--VoilaConfiguration.template=pestdata",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 4))}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        "--MappingKernelManager.cull_connected=False",
    ]


def voila_env(db_url: str) -> dict[str, str]:
    """Environment for Voilà and its kernels: our template first, the database URL set."""
    env = dict(os.environ)
    env["PESTDATA_DB"] = db_url
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH")]))
    return env


@main.command()
@db_option
@click.option("--port", default=8866, show_default=True, help="Poort op deze computer.")
@click.option(
    "--token",
    envvar="PESTDATA_TOKEN",
    default=None,
    help="Toegangscode in de URL (standaard: elke start een nieuwe). Ook via PESTDATA_TOKEN.",
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
    help="Seconden waarna de kernel van een gesloten pagina wordt opgeruimd.",
)
def serve(db: str | None, port: int, token: str | None, notebooks: Path, cull_idle: int) -> None:
    """Start de dashboards in Voilà op http://127.0.0.1:PORT."""
    store = _store(db)
    token = token or secrets.token_urlsafe(24)
    base = f"http://127.0.0.1:{port}"
    click.echo(f"Database: {_shown(store.url)}")
    click.echo("Open in de browser:")
    for name, title in (
        ("meldingen", "Meldingen (zorgteam)"),
        ("overzicht", "Overzicht (schoolleiding)"),
        ("handelingsadvies", "Handelingsadvies (leerkrachten)"),
        ("ouderavond", "Ouderavond (presentatie)"),
    ):
        if (notebooks / f"{name}.ipynb").exists():
            click.echo(f"  {title}: {base}/voila/render/{name}.ipynb?token={token}")
    click.echo("Stoppen: Ctrl+C", err=True)
    command = voila_command(notebooks, port, token, cull_idle=cull_idle)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become Voilà, so a stop signal (Ctrl+C, a service manager) reaches it and its kernels.
    os.execve(sys.executable, command, voila_env(store.url))


@main.command("parent-evening")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het HTML-bestand om te maken, bijv. ouderavond.html.",
)
@click.option(
    "--school", default=None, help="Welke school (standaard: die met de meeste meldingen)."
)
def parent_evening(db: str | None, out: Path, school: str | None) -> None:
    """Maak de ouderavondpresentatie als één HTML-bestand dat zonder internet werkt."""
    from .parent_evening import aggregate_figures, build_slides, export_html

    store = _store(db)
    schools = store.schools()
    if school and school not in schools:
        raise click.BadParameter(
            f"onbekende school '{school}'; bekend: {', '.join(schools)}", param_hint="--school"
        )
    school = school or (schools[0] if schools else "Onze school")
    slides = build_slides(aggregate_figures(store, school))
    out.write_text(export_html(slides, school), encoding="utf-8")
    size = out.stat().st_size / 1_000_000
    click.echo(
        f"Presentatie voor {school}: {len(slides)} dia's in {out} ({size:.1f} MB). "
        "Openen in een browser; pijltjestoetsen of Vorige/Volgende."
    )


@main.command("db-url", hidden=True)
@db_option
def db_url(db: str | None) -> None:
    """Print the database URL in use (for scripts)."""
    click.echo(_shown(database_url(db)))


if __name__ == "__main__":
    main()
