"""A school's files in and out: `pestdata import` and `pestdata export`.

The import is a dry run per row unless --commit; the export is the care team's, or with
--share counts only, for the board."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from pestdata.cli import nl_click
from pestdata.cli.common import (
    actor_option,
    checked,
    command_line_actor,
    db_option,
    load_names,
    open_store,
)
from pestdata.core.errors import ValueRefused
from pestdata.core.markup import counted, meldingen
from pestdata.overview.filters import Filters, school_year_range


def _filters(year: tuple[date, date] | None, school: tuple[str, ...], start, end) -> Filters:
    """The overview's filters from the options: --from and --to within --year's days."""
    if year:
        start, end = start or year[0], end or year[1]
    return Filters(start=start, end=end, schools=school)


def _column_pairs(items: tuple[str, ...]) -> dict[str, str]:
    """--map 'Datum gemeld=Datum melding' → {'Datum gemeld': 'Datum melding'}."""
    pairs = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep:
            raise ValueRefused(f"'{item}': gebruik KOLOM=VELD")
        pairs[column] = target
    return pairs


filter_options = [
    click.option(
        "--year",
        default=None,
        callback=checked(school_year_range),
        help="Schooljaar, bijv. 2025-2026.",
    ),
    click.option("--school", multiple=True, help="Alleen deze school (mag vaker)."),
    click.option(
        "--from",
        "start",
        type=click.DateTime(["%Y-%m-%d", "%d-%m-%Y"]),
        default=None,
        help="Vanaf datum melding.",
    ),
    click.option(
        "--to",
        "end",
        type=click.DateTime(["%Y-%m-%d", "%d-%m-%Y"]),
        default=None,
        help="Tot en met datum melding.",
    ),
]


def with_filters(command):
    """The overview's filters as options: --year, --school, --from and --to."""
    for option in reversed(filter_options):
        command = option(command)
    return command


@click.command("import", cls=nl_click.Command)
@db_option
@click.argument(
    "file", metavar="BESTAND", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--commit", is_flag=True, help="Echt opslaan (standaard: alleen proefdraaien).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="KOLOM=VELD",
    callback=checked(_column_pairs),
    help="Eigen kolomnaam koppelen, bijv. --map 'Datum gemeld=Datum melding'.",
)
@click.option(
    "--map-value",
    "value_maps",
    multiple=True,
    metavar="KOLOM:WAARDE=ONZE WAARDE",
    help="Eigen waarde koppelen, bijv. --map-value 'Ernst:2=Middel'.",
)
@click.option(
    "--school",
    "default_school",
    default="",
    help="School voor rijen zonder school (nodig als het bestand geen kolom School heeft).",
)
@click.option(
    "--add-schools",
    is_flag=True,
    help="Scholen uit het bestand die nog niet op de lijst staan, als nieuwe school toevoegen.",
)
@click.option(
    "--school-type",
    default=None,
    metavar="SOORT",
    help="Soort van de nieuwe scholen (basis, vo of beide); standaard volgt die uit de "
    "groepen van het bestand.",
)
@click.option(
    "--accept-groups",
    is_flag=True,
    help="Rijen waarvan de groep niet bij de soort school past (groep 7 op een school voor "
    "voortgezet onderwijs) toch bij die school importeren.",
)
@click.option(
    "--history-status",
    type=click.Choice(["afgesloten", "nieuw"], case_sensitive=False),
    default=None,
    help="Status van rijen zonder status. Standaard: van vóór dit schooljaar 'afgesloten' "
    "(oude meldingen), uit dit schooljaar 'nieuw'.",
)
@click.option(
    "--severity",
    type=click.Choice(["onbekend", "licht", "middel", "ernstig"], case_sensitive=False),
    default=None,
    help="Ernst van rijen zonder ernst (of als het bestand geen kolom Ernst heeft). "
    "Standaard: onbekend.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Rijen die al in de database staan bijwerken als het bestand een andere status, "
    "ernst of datum afgehandeld noemt; de proefdraai toont per rij wat er verandert.",
)
@actor_option
def import_command(
    db,
    file: Path,
    commit: bool,
    mapping,
    value_maps,
    default_school: str,
    add_schools: bool,
    school_type: str | None,
    accept_groups: bool,
    history_status: str | None,
    severity: str | None,
    update: bool,
    actor: str | None,
):
    """Lees meldingen uit CSV (',' of ';') of Excel; standaard een proefdraai per rij."""
    from pestdata.registers.importer import import_file
    from pestdata.registers.mapping import parse_value_map

    store = open_store(db)
    load_names()
    with click.progressbar(length=1, label="Rijen controleren", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        result = import_file(
            store,
            file,
            commit=commit,
            actor=command_line_actor(actor),
            mapping=mapping,
            value_map=parse_value_map(value_maps),
            default_school=default_school,
            progress=progress,
            add_schools=add_schools,
            school_type=school_type,
            accept_groups=accept_groups,
            history_status=history_status,
            severity=severity,
            update=update,
        )
    for row in result.rows:
        if row.outcome != "nieuw":
            click.echo(f"rij {row.row}: {row.outcome}")
        for field, reason in row.problems:
            click.echo(f"    {field}: {reason}")
        for field, old, new in row.changes:
            click.echo(f"    {field}: {old} → {new}")
    if result.refused_not_shown:  # a large file: the rest of the refused rows is counted
        click.echo(result.not_shown_line())
    for line in result.name_lines():
        click.echo(line)
    if result.ignored_columns:
        click.echo(f"Genegeerde kolommen: {', '.join(result.ignored_columns)}")
    for note in result.notes:
        click.echo(f"Let op: {note}.")
    if result.readings:
        click.echo("Zo gelezen (eigen woorden van het bestand → pestdata):")
        for line in result.reading_lines():
            click.echo(f"    {line}")
    if result.unknown:
        click.echo("Niet herkende waarden (koppel ze met --map-value 'KOLOM:WAARDE=ONZE WAARDE'):")
        for line in result.unknown_lines():
            click.echo(f"    {line}")
    click.echo(result.summary())
    if not commit and (result.count("nieuw") or result.count("bijgewerkt")):
        click.echo("Dit was een proefdraai; niets opgeslagen. Opslaan: voeg --commit toe.")


@click.command("export", cls=nl_click.Command)
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Bestand: .csv (met ';', voor Excel) of .xlsx.",
)
@click.option(
    "--share",
    is_flag=True,
    help="Voor het bestuur: alleen aantallen per school (per maand, platform, vorm en "
    "leeftijd), afgerond op 5, kleine aantallen als '< 5'; geen meldingen, leerlingen of "
    "data. Periode: één maand, een schooljaar of alles.",
)
@with_filters
def export_command(db, out: Path, share: bool, year, school, start, end):
    """Schrijf meldingen naar CSV of Excel, met de filters van het overzicht."""
    from pestdata.registers.export import export_frame, share_frame, write_export

    filters = _filters(year, school, start and start.date(), end and end.date())
    store = open_store(db)
    if not share:
        load_names()  # the care team's export marks texts with names
    # A shared period that is not allowed (ValueRefused), a file name that is neither .csv
    # nor .xlsx (ExportFileError): main.py says them.
    frame = share_frame(store, filters) if share else export_frame(store, filters)
    write_export(frame, out)
    if share:
        lines = counted(len(frame), "regel", "regels")
        click.echo(f"{lines} met aantallen in {out} (deelbare export, afgerond).")
    else:
        click.echo(f"{meldingen(len(frame))} in {out} (export voor het zorgteam).")


COMMANDS = [import_command, export_command]
