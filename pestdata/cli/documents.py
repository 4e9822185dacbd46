"""What pestdata prints: the parent evening as one HTML file, a case file, an inzage file and
the yearly report as PDF."""

from __future__ import annotations

from pathlib import Path

import click

from pestdata.cli import nl_click
from pestdata.cli.common import actor_option, command_line_actor, db_option, load_names, open_store
from pestdata.core import files
from pestdata.school import school_names


@click.command("parent-evening", cls=nl_click.Command)
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
    from pestdata.documents.evening_figures import aggregate_figures
    from pestdata.documents.parent_evening import build_slides, export_html

    store = open_store(db)
    schools = school_names.names(store)
    if school and school not in schools:
        raise click.BadParameter(
            f"onbekende school '{school}'; bekend: {', '.join(schools)}", param_hint="--school"
        )
    school = school or (schools[0] if schools else "Onze school")
    slides = build_slides(aggregate_figures(store, school))
    files.write_private(out, export_html(slides, school))
    size = out.stat().st_size / 1_000_000
    click.echo(
        f"Presentatie voor {school}: {len(slides)} dia's in {out} ({size:.1f} MB). "
        "Openen in een browser; pijltjestoetsen of Vorige/Volgende."
    )


@click.command("case", cls=nl_click.Command)
@db_option
@click.argument("incident_id", metavar="MELDINGNUMMER", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het PDF-bestand, bijv. melding-12.pdf.",
)
def incident_file_command(db, incident_id: int, out: Path) -> None:
    """Druk het dossier van één melding af als PDF (voor het zorgteam; vertrouwelijk)."""
    from pestdata.documents.incident_file import incident_pdf
    from pestdata.incidents.incident_file import gather_incident_file

    gathered = gather_incident_file(open_store(db), incident_id)  # NotFound: 'bestaat niet'
    files.write_private(out, incident_pdf(gathered))
    click.echo(f"Dossier van melding #{incident_id} in {out}.")


@click.command("inzage", cls=nl_click.Command)
@db_option
@click.argument("pupil", metavar="LEERLINGNUMMER")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het PDF-bestand, bijv. inzage-123456.pdf.",
)
@actor_option
def inzage_command(db, pupil: str, out: Path, actor) -> None:
    """Maak het inzagebestand (AVG) van één leerling: alle meldingen, andere leerlingen als
    'leerling A', 'leerling B'…; het maken staat in het logboek."""
    from pestdata.documents.inzage_file import inzage_pdf
    from pestdata.incidents.inzage_file import gather_inzage_file

    load_names()
    gathered = gather_inzage_file(open_store(db), pupil, command_line_actor(actor))
    files.write_private(out, inzage_pdf(gathered))
    click.echo(f"Inzagebestand van leerling {pupil} in {out}.")


@click.command("report", cls=nl_click.Command)
@db_option
@click.option("--year", required=True, help="Schooljaar, bijv. 2025-2026.")
@click.option("--school", default=None, help="Eén school (standaard: alle scholen).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het PDF-bestand, bijv. jaarverslag-2025-2026.pdf.",
)
def report_command(db, year: str, school: str | None, out: Path) -> None:
    """Druk het jaarverslag voor de MR af als PDF: zonder leerlingnummers en vrije tekst."""
    from pestdata.core.privacy import threshold
    from pestdata.documents.year_report import year_report_pdf

    pdf = year_report_pdf(open_store(db), year, school, minimum=threshold())
    files.write_private(out, pdf)
    click.echo(f"Jaarverslag {year} ({school or 'alle scholen'}) in {out}.")


COMMANDS = [parent_evening, incident_file_command, inzage_command, report_command]
