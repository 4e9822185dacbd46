"""`pestdata`: set up the database, load demo data and serve the dashboards."""

from __future__ import annotations

import os
import secrets
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from pestdata.cases import caseload, incident_log
from pestdata.cli import nl_click
from pestdata.core import clock, files, privacy, settings
from pestdata.core.choices import StaffRole
from pestdata.core.errors import PestdataError
from pestdata.core.markup import counted, meldingen, plural
from pestdata.core.model import InvalidInput
from pestdata.core.shipped import NOTEBOOKS
from pestdata.db.store import Store, shown_url
from pestdata.school import school_names
from pestdata.web.serve import (
    DASHBOARDS,
    PAGES_PER_PERSON,
    ROLE_NAMES,
    ROLES,
    PortTaken,
    check_port_free,
    role_notebooks,
    voila_command,
    voila_env,
)

nl_click.install()  # click's own messages in Dutch
ACTOR_OPTION = click.option("--by", "actor", default=None, help="Naam voor het logboek.")

db_option = click.option(
    "--db",
    envvar="PESTDATA_DB",
    default=None,
    help="SQLAlchemy-URL van de database (standaard: SQLite-bestand in data/). "
    "Ook via PESTDATA_DB.",
)


def _store(db: str | None, schema: bool = True) -> Store:
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


def _shown(url: str) -> str:
    """A database URL without its password, fit to print."""
    return shown_url(url)


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


@main.command()
@db_option
def init(db: str | None) -> None:
    """Maak de database aan of werk het schema bij."""
    store = _store(db)
    _load_names()  # the name lists are built here once (names.py), not on a page
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
    from pestdata.school.demo import generate

    store = _store(db)
    existing = caseload.count_incidents(store)
    if existing and not add:
        click.echo(
            f"De database bevat al {meldingen(existing)}; er is niets toegevoegd. "
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

        stored = incident_log.add_incidents(store, reports(), actor="demo")
        bar.update(count % 1000)
    seconds = time.perf_counter() - started
    click.echo(f"{stored} demomeldingen opgeslagen in {seconds:.1f} s ({_shown(store.url)}).")
    _demo_accounts(store)


def _demo_accounts(store: Store) -> None:
    """A database without accounts gets one demo account per role, all with one new
    password, shown once: enough to try every dashboard."""
    from pestdata.people.accounts import add, listed

    if listed(store):
        return
    password = secrets.token_urlsafe(9)
    for role in ("zorgteam", "leiding", "leerkracht", "presentator"):
        add(store, f"demo-{role}", role, password, actor="demo")
    click.echo(
        "Demo-accounts: demo-zorgteam, demo-leiding, demo-leerkracht en demo-presentator, "
        f"wachtwoord {password} (alleen voor het uitproberen)."
    )


@main.command()
@db_option
@click.option("--port", default=8866, show_default=True, help="Poort op deze computer.")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
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
    help="Seconden waarna de kernel van een gesloten pagina wordt opgeruimd.",
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
    token_file: Path | None,
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

    store = _store(db)
    token = _serve_token(token_argument, token_file)
    if proxy_key_file:  # checked here in Dutch, and again where the server reads it
        try:
            files.read_secret(proxy_key_file, "Het sleutelbestand")
        except files.FileRefused as refused:
            raise click.BadParameter(str(refused), param_hint="--proxy-key-file") from None
    try:
        check_port_free(port)
    except PortTaken as error:
        raise click.ClickException(str(error)) from None
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
    click.echo(f"Database: {_shown(store.url)} · rol: {served or 'iedereen met een account'}")
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


def _load_names() -> None:
    """The name detector in this command's own process (names.py), with a Dutch line."""
    from pestdata.core import names

    try:
        names.load_here(progress=lambda line: click.echo(line, err=True))
    except names.NamesUnchecked as error:
        click.echo(f"Let op: {error}", err=True)


def _serve_token(argument: str | None, token_file: Path | None) -> str | None:
    """The token for a token server: from PESTDATA_TOKEN or a private file, never from the
    command line (every account on the machine sees process arguments in `ps`)."""
    if argument is not None:
        raise click.BadParameter(
            "een toegangscode op de opdrachtregel kan iedereen op deze computer zien (ps). "
            "Zet hem in de omgevingsvariabele PESTDATA_TOKEN, of in een bestand dat alleen "
            "jij kunt lezen (chmod 600) en geef --token-file PAD.",
            param_hint="--token",
        )
    from_env = (settings.get("PESTDATA_TOKEN") or "").strip()
    if token_file and from_env:
        raise click.BadParameter(
            "kies PESTDATA_TOKEN of --token-file, niet allebei", param_hint="--token-file"
        )
    if token_file:
        try:
            return files.read_secret(token_file, "Het tokenbestand")
        except files.FileRefused as refused:
            raise click.BadParameter(str(refused), param_hint="--token-file") from None
    return from_env or None


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
    from pestdata.documents.evening_figures import aggregate_figures
    from pestdata.documents.parent_evening import build_slides, export_html

    store = _store(db)
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


def _filters(year: str | None, school: tuple[str, ...], start, end):
    from pestdata.overview.filters import Filters, school_year_range

    if year:
        try:
            first, last = school_year_range(year)
        except (ValueError, IndexError):
            raise click.BadParameter("gebruik de vorm 2025-2026", param_hint="--year") from None
        start, end = start or first, end or last
    return Filters(start=start, end=end, schools=school)


filter_options = [
    click.option("--year", default=None, help="Schooljaar, bijv. 2025-2026."),
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
    for option in reversed(filter_options):
        command = option(command)
    return command


@main.command("import")
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
@ACTOR_OPTION
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
    from pestdata.registers.reading import ImportFileError

    pairs = {}
    for item in mapping:
        column, sep, target = item.partition("=")
        if not sep:
            raise click.BadParameter(f"'{item}': gebruik KOLOM=VELD", param_hint="--map")
        pairs[column] = target
    store = _store(db)
    _load_names()
    with click.progressbar(length=1, label="Rijen controleren", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            report = import_file(
                store,
                file,
                commit=commit,
                actor=_command_line_actor(actor),
                mapping=pairs,
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
        except (ImportFileError, InvalidInput) as error:
            raise click.ClickException(str(error)) from None
    for row in report.rows:
        if row.outcome != "nieuw":
            click.echo(f"rij {row.row}: {row.outcome}")
        for field, reason in row.problems:
            click.echo(f"    {field}: {reason}")
        for field, old, new in row.changes:
            click.echo(f"    {field}: {old} → {new}")
    if report.refused_not_shown:  # a large file: the rest of the refused rows is counted
        click.echo(report.not_shown_line())
    for line in report.name_lines():
        click.echo(line)
    if report.ignored_columns:
        click.echo(f"Genegeerde kolommen: {', '.join(report.ignored_columns)}")
    for note in report.notes:
        click.echo(f"Let op: {note}.")
    if report.readings:
        click.echo("Zo gelezen (eigen woorden van het bestand → pestdata):")
        for line in report.reading_lines():
            click.echo(f"    {line}")
    if report.unknown:
        click.echo("Niet herkende waarden (koppel ze met --map-value 'KOLOM:WAARDE=ONZE WAARDE'):")
        for line in report.unknown_lines():
            click.echo(f"    {line}")
    click.echo(report.summary())
    if not commit and (report.count("nieuw") or report.count("bijgewerkt")):
        click.echo("Dit was een proefdraai; niets opgeslagen. Opslaan: voeg --commit toe.")


@main.command("export")
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
    from pestdata.registers.export import ExportFileError, export_frame, share_frame, write_export

    filters = _filters(year, school, start and start.date(), end and end.date())
    store = _store(db)
    if not share:
        _load_names()  # the care team's export marks texts with names
    try:
        frame = share_frame(store, filters) if share else export_frame(store, filters)
    except ValueError as error:  # a shared period that is not allowed (our own words)
        raise click.ClickException(str(error)) from None
    try:
        write_export(frame, out)
    except ExportFileError as error:
        raise click.ClickException(str(error)) from None
    if share:
        lines = counted(len(frame), "regel", "regels")
        click.echo(f"{lines} met aantallen in {out} (deelbare export, afgerond).")
    else:
        click.echo(f"{meldingen(len(frame))} in {out} (export voor het zorgteam).")


@main.command("case")
@db_option
@click.argument("incident_id", metavar="MELDINGNUMMER", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het PDF-bestand, bijv. melding-12.pdf.",
)
def case_command(db, incident_id: int, out: Path) -> None:
    """Druk het dossier van één melding af als PDF (voor het zorgteam; vertrouwelijk)."""
    from pestdata.cases.case_file import gather_case_file
    from pestdata.db.store import NotFound
    from pestdata.documents.case_file import case_pdf

    try:
        gathered = gather_case_file(_store(db), incident_id)
    except NotFound:
        raise click.ClickException(f"melding #{incident_id} bestaat niet") from None
    files.write_private(out, case_pdf(gathered))
    click.echo(f"Dossier van melding #{incident_id} in {out}.")


@main.command("inzage")
@db_option
@click.argument("pupil", metavar="LEERLINGNUMMER")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Het PDF-bestand, bijv. inzage-123456.pdf.",
)
@ACTOR_OPTION
def inzage_command(db, pupil: str, out: Path, actor) -> None:
    """Maak het inzagebestand (AVG) van één leerling: alle meldingen, andere leerlingen als
    'leerling A', 'leerling B'…; het maken staat in het logboek."""
    from pestdata.cases.inzage_file import gather_inzage_file
    from pestdata.db.store import NotFound
    from pestdata.documents.inzage_file import inzage_pdf

    _load_names()
    try:
        gathered = gather_inzage_file(_store(db), pupil, _command_line_actor(actor))
    except NotFound:
        raise click.ClickException(f"geen meldingen over leerling {pupil}") from None
    files.write_private(out, inzage_pdf(gathered))
    click.echo(f"Inzagebestand van leerling {pupil} in {out}.")


@main.command("report")
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

    try:
        files.write_private(out, year_report_pdf(_store(db), year, school, minimum=threshold()))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Jaarverslag {year} ({school or 'alle scholen'}) in {out}.")


@main.command("backup")
@db_option
@click.argument("file", metavar="BESTAND", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(db, file: Path) -> None:
    """Maak een back-up (SQLite: online kopie; PostgreSQL: pg_dump)."""
    from pestdata.db.maintenance import MaintenanceError, backup

    try:
        backup(_store(db), file)
    except MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Back-up gemaakt: {file} ({file.stat().st_size / 1_000_000:.1f} MB).")


@main.command("restore")
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
    from pestdata.db.maintenance import MaintenanceError, incoming_side, live_side, restore

    store = _store(db, schema=False)
    try:
        now_side = live_side(store)
        incoming = incoming_side(store, file)
    except MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Nu in {_shown(store.url)}: {now_side.describe()}.")
    click.echo(f"In de back-up {file}: {incoming.describe()}.")
    if not yes:
        click.confirm("De huidige inhoud vervangen door de back-up?", abort=True)
    try:
        done = restore(store, file, force=force, actor=actor)
    except MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Teruggezet uit {file}: {done.after.describe()}. De database van voor het "
        f"terugzetten staat apart in {done.safety_copy}."
    )


@main.command("purge")
@db_option
@click.option("--older-than", "period", required=True, help="Bijv. 2y (jaar), 18m of 400d.")
@click.option("--commit", is_flag=True, help="Echt verwijderen (standaard: alleen tonen).")
@click.option("--by", "actor", default="bewaartermijn", help="Naam voor het logboek.")
def purge_command(db, period: str, commit: bool, actor: str) -> None:
    """Verwijder afgesloten meldingen na de bewaartermijn; alleen anonieme maandtellingen
    blijven. Standaard een proefdraai die toont wat er zou verdwijnen."""

    from pestdata.db.maintenance import MaintenanceError, parse_period, purge, purge_candidates

    try:
        cutoff = clock.today() - parse_period(period)
    except MaintenanceError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    store = _store(db)
    if not commit:
        candidates = purge_candidates(store, cutoff)
        for case in candidates:
            click.echo(
                f"#{case.id} {case.school} · gemeld {case.reported_on:%d-%m-%Y} · "
                f"afgerond {case.resolved_on:%d-%m-%Y}"
                if case.resolved_on
                else f"#{case.id} {case.school} · gemeld {case.reported_on:%d-%m-%Y}"
            )
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


@main.command("facts")
@db_option
@click.option("--rebuild", is_flag=True, help="Alle tellingen opnieuw opbouwen.")
def facts_command(db, rebuild: bool) -> None:
    """Controleer de maandtellingen van het overzicht tegen de meldingen (na een wijziging
    buiten pestdata om); --rebuild telt alles opnieuw."""
    from pestdata.db import facts

    store = _store(db)
    if rebuild:
        with store.writing() as conn:
            facts.rebuild(conn)
        click.echo("De maandtellingen zijn opnieuw opgebouwd.")
    with store.reading() as conn:
        differences = facts.differences(conn)
    if any(differences.values()):
        rows = ", ".join(
            f"{table}: {counted(n, 'rij', 'rijen')}" for table, n in differences.items()
        )
        raise click.ClickException(
            f"De maandtellingen wijken af van de meldingen ({rows}). "
            "Herstel: pestdata facts --rebuild"
        )
    click.echo("De maandtellingen kloppen met de meldingen.")


# --- accounts --------------------------------------------------------------------------------


@main.group("users")
def users() -> None:
    """Persoonlijke accounts: wie mag inloggen, met welke rol."""


def _command_line_actor(actor: str | None) -> str:
    """Who changed an account from the command line: --by, else the system account."""
    import getpass

    return actor or f"{getpass.getuser()} (opdrachtregel)"


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


@contextmanager
def _refused_in_dutch():
    """A refused change (an account, a school) as one Dutch line, no traceback."""
    from pestdata.people.accounts import AccountError

    try:
        yield
    except (AccountError, InvalidInput) as error:
        raise click.ClickException(str(error)) from None


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
@ACTOR_OPTION
def users_add(db, name, role, two_factor, password_stdin, actor) -> None:
    """Maak een account."""
    from pestdata.people.accounts import add

    with _refused_in_dutch():
        secret = add(
            _store(db), name, role, _new_password(password_stdin),
            _command_line_actor(actor), two_factor=two_factor,
        )  # fmt: skip
    click.echo(f"Account {name} ({role}) gemaakt.")
    _show_two_factor(name, secret)


@users.command("list")
@db_option
def users_list(db) -> None:
    """Toon de accounts."""
    from pestdata.people.accounts import listed

    found = listed(_store(db))
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
@ACTOR_OPTION
def users_disable(db, name, actor) -> None:
    """Zet een account uit: inloggen kan niet meer, open sessies stoppen meteen."""
    from pestdata.people.accounts import disable

    with _refused_in_dutch():
        disable(_store(db), name, _command_line_actor(actor))
    click.echo(f"Account {name} uitgezet.")


@users.command("enable")
@db_option
@click.argument("name", metavar="NAAM")
@ACTOR_OPTION
def users_enable(db, name, actor) -> None:
    """Zet een uitgezet account weer aan."""
    from pestdata.people.accounts import enable

    with _refused_in_dutch():
        enable(_store(db), name, _command_line_actor(actor))
    click.echo(f"Account {name} staat weer aan.")


@users.command("unlock")
@db_option
@click.argument("name", metavar="NAAM")
@ACTOR_OPTION
def users_unlock(db, name, actor) -> None:
    """Haal de wachttijd na mislukte inlogpogingen weg (voor alle adressen en browsers)."""
    from pestdata.people.accounts import unlock

    with _refused_in_dutch():
        cleared = unlock(_store(db), name, _command_line_actor(actor))
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
@ACTOR_OPTION
def users_reset(db, name, two_factor, password_stdin, actor) -> None:
    """Geef een account een nieuw wachtwoord (en haal een blokkade weg)."""
    from pestdata.people.accounts import reset

    with _refused_in_dutch():
        secret = reset(
            _store(db), name, _new_password(password_stdin), _command_line_actor(actor),
            two_factor=two_factor,
        )  # fmt: skip
    click.echo(f"Nieuw wachtwoord voor {name}; open sessies zijn gestopt.")
    _show_two_factor(name, secret)


@main.group("schools")
def schools() -> None:
    """De lijst van scholen: tonen, toevoegen, twee schrijfwijzen samenvoegen."""


SCHOOL_TYPE_HELP = "Soort school: basis (basisonderwijs), vo (voortgezet onderwijs) of beide."


@schools.command("list")
@db_option
def schools_list(db) -> None:
    """Toon de scholen (met hun soort), de drukste eerst, en namen die op elkaar lijken."""
    store = _store(db)
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
@ACTOR_OPTION
def schools_add(db, name, school_type, actor) -> None:
    """Zet een school op de lijst, met haar soort (welke groepen of klassen er horen)."""
    with _refused_in_dutch():
        kind = school_names.SchoolType.parse(school_type)
        added = school_names.add(_store(db), name, _command_line_actor(actor), kind)
    click.echo(f"School '{added}' toegevoegd ({kind.label}).")


@schools.command("type")
@db_option
@click.argument("name", metavar="NAAM")
@click.argument("school_type", metavar="SOORT")
@ACTOR_OPTION
def schools_type(db, name, school_type, actor) -> None:
    """Zet de soort van een school goed: basis, vo of beide."""
    with _refused_in_dutch():
        kind = school_names.set_type(_store(db), name, school_type, _command_line_actor(actor))
    click.echo(f"{school_names.tidy(name)} is nu: {kind.label}.")


@schools.command("merge")
@db_option
@click.argument("old", metavar="OUDE_NAAM")
@click.option("--into", required=True, help="De schrijfwijze die blijft.")
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@ACTOR_OPTION
def schools_merge(db, old, into, yes, actor) -> None:
    """Voeg twee schrijfwijzen samen: alles van OUDE_NAAM gaat naar --into."""
    store = _store(db)
    if not yes:
        click.confirm(
            f"Alle meldingen, afgevinkte acties en lessen van '{old}' gaan naar '{into}', "
            f"en '{old}' verdwijnt van de lijst. Doorgaan?",
            abort=True,
        )
    with _refused_in_dutch():
        moved = school_names.merge(store, old, into, _command_line_actor(actor))
    click.echo(f"'{old}' samengevoegd met '{into}': {meldingen(moved)} verplaatst.")


if __name__ == "__main__":
    main()
