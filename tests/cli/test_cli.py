"""The command line and the demo data, against real SQLite files."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from helpers import our_exceptions

from pestdata.cli.main import main
from pestdata.core.choices import Status, age_band
from pestdata.db.store import HEAD_REVISION, Store
from pestdata.db.tables import incident_platforms, incidents, steps_done
from pestdata.incidents import incident_log, lookup
from pestdata.school import demo
from pestdata.web.serve import voila_command, voila_env


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_creates_schema_and_says_where(tmp_path):
    url = f"sqlite:///{tmp_path}/new.sqlite"
    output = run("init", "--db", url)
    assert "Database klaar" in output and HEAD_REVISION in output
    assert Store(url).schema_revision() == HEAD_REVISION


def test_demo_fills_once_and_does_not_mix_into_a_filled_database(tmp_path):
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    assert "500 demomeldingen opgeslagen" in run("demo", "--db", url, "--incidents", "500")
    assert lookup.count_incidents(Store(url)) == 500
    output = run("demo", "--db", url, "--incidents", "500")
    assert "bevat al 500 meldingen" in output
    assert lookup.count_incidents(Store(url)) == 500
    run("demo", "--db", url, "--incidents", "100", "--add")
    assert lookup.count_incidents(Store(url)) == 600


def test_demo_is_reproducible_for_a_seed():
    first = [(i.reported_on, i.group, tuple(i.platforms)) for i, _ in demo.generate(50, seed=7)]
    again = [(i.reported_on, i.group, tuple(i.platforms)) for i, _ in demo.generate(50, seed=7)]
    other = [(i.reported_on, i.group, tuple(i.platforms)) for i, _ in demo.generate(50, seed=8)]
    assert first == again != other


def test_demo_has_the_shapes_the_dashboards_need(tmp_path):
    today = date(2026, 6, 15)
    reports = list(demo.generate(6000, seed=3, today=today))
    days, weights = demo.day_weights(date(2023, 8, 20), today)
    holiday_days = {d for d, wt in zip(days, weights, strict=True) if wt < 0.2}
    school_days = {d for d, wt in zip(days, weights, strict=True) if wt == 1.0}
    per_day = Counter(i.reported_on for i, _ in reports)
    school_rate = sum(per_day[d] for d in school_days) / len(school_days)
    holiday_rate = sum(per_day[d] for d in holiday_days) / len(holiday_days)
    assert school_rate > 3 * holiday_rate

    # Platform mix shifts with age: Snapchat/Instagram in secondary, game chat for the young.
    def share(band, platform):
        chosen = [i for i, _ in reports if age_band(i.group) == band]
        return sum(platform in i.platforms for i in chosen) / len(chosen)

    assert share("15-18 jaar", "snapchat") > 3 * share("4-7 jaar", "snapchat")
    assert share("4-7 jaar", "game_chat") > share("15-18 jaar", "game_chat")

    # Most finished cases followed the protocol; no step lies in the future or before the report.
    finished = [(i, s) for i, s in reports if i.status in (Status.RESOLVED, Status.CLOSED)]
    assert sum(len(s) >= 5 for _, s in finished) / len(finished) > 0.8
    assert all(i.reported_on <= st.done_on <= today for i, s in reports for st in s)
    assert all(i.reported_on <= today and i.happened_on <= i.reported_on for i, _ in reports)

    store = Store(f"sqlite:///{tmp_path}/shape.sqlite").ensure_schema()
    incident_log.add_incidents(store, reports, actor="demo")
    open_incidents, total_open = lookup.list_incidents(store, today=today, limit=10_000)
    overdue = [c for c in open_incidents if c.overdue_reason]
    assert 0 < len(overdue) < total_open  # some overdue, not all
    with store.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(steps_done)).scalar() > 6000
        platforms = conn.execute(
            sa.select(sa.func.count(sa.distinct(incident_platforms.c.platform)))
        ).scalar()
        schools = conn.execute(sa.select(sa.func.count(sa.distinct(incidents.c.school)))).scalar()
    assert platforms >= 8 and schools == 2


def test_serve_command_is_locked_down(tmp_path):
    command = voila_command(tmp_path, 9999, "geheim")
    joined = " ".join(command)
    assert "geheim" not in joined and "token" not in joined  # `ps` shows every argument
    for flag in (
        "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.template=pestdata",
        "--MappingKernelManager.cull_idle_timeout=",
    ):
        assert flag in joined
    assert "--preheat_kernel=True" in command and "--pool_size=1" in command
    assert not any("preheat" in flag for flag in voila_command(tmp_path, 9999, "x", preheat=0))
    env = voila_env("sqlite:////x.sqlite", "")
    assert env["PESTDATA_DB"] == "sqlite:////x.sqlite" and "JUPYTER_TOKEN" not in env
    assert env["PESTDATA_ROLE"] == ""  # accounts: each kernel takes its person's role
    token_env = voila_env("sqlite:////x.sqlite", "zorgteam", token="geheim")
    assert token_env["JUPYTER_TOKEN"] == "geheim" and token_env["PESTDATA_ROLE"] == "zorgteam"
    assert env["JUPYTER_PATH"].split(":")[0].endswith("share/jupyter")


def test_facts_command_finds_a_change_made_outside_pestdata_and_rebuilds(tmp_path):
    url = f"sqlite:///{tmp_path}/facts.sqlite"
    run("demo", "--db", url, "--incidents", "200")
    assert "kloppen met de meldingen" in run("facts", "--db", url)
    store = Store(url)
    with store.writing() as conn:  # someone edits the database by hand
        conn.execute(incidents.update().where(incidents.c.id == 1).values(group_name="klas 6"))
    result = CliRunner().invoke(main, ["facts", "--db", url])
    assert result.exit_code == 1
    assert "wijken af" in result.output and "pestdata facts --rebuild" in result.output
    output = run("facts", "--db", url, "--rebuild")
    assert "opnieuw opgebouwd" in output and "kloppen met de meldingen" in output


def test_a_database_that_cannot_be_used_gives_a_dutch_message_not_a_traceback(tmp_path):
    incidents = {
        f"sqlite:///{tmp_path}/file-in-the-way/x.sqlite": "is niet bereikbaar",
        "geen-url": "is geen database-URL",
        "mysql://gebruiker@server/db": "is geen database-URL",
        "postgres://gebruiker:geheim@server/db": "is geen database-URL",
    }
    (tmp_path / "file-in-the-way").write_text("a file where a folder should be")
    backup = tmp_path / "backup.sqlite"
    backup.write_bytes(b"")
    commands = (["init"], ["restore", str(backup), "--yes"])
    for (url, message), command in ((c, cmd) for c in incidents.items() for cmd in commands):
        result = CliRunner().invoke(main, [*command, "--db", url])
        assert result.exit_code == 1, (url, command, result.output)
        assert isinstance(result.exception, SystemExit), result.exception  # handled, no crash
        assert message in result.output and "Traceback" not in result.output
        assert "geheim" not in result.output  # passwords are never printed


def test_serve_refuses_a_taken_port_in_dutch_and_voila_never_moves(tmp_path):
    import socket

    url = f"sqlite:///{tmp_path}/serve.sqlite"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--db", url, "--port", str(port)])
    assert result.exit_code == 1
    assert f"Poort {port} is al in gebruik" in result.output and "--port" in result.output
    assert "http://" not in result.output  # no address printed that leads nowhere
    assert "--Voila.port_retries=0" in voila_command(tmp_path, port, "x")


def test_an_edited_protocol_is_recounted_when_a_command_starts(tmp_path, monkeypatch):
    import shutil

    from pestdata.core.guidance import data_dir

    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    monkeypatch.setenv("PESTDATA_DATA", str(folder))
    url = f"sqlite:///{tmp_path}/protocol.sqlite"
    run("demo", "--db", url, "--incidents", "300")
    protocol = folder / "protocol.yaml"
    text = protocol.read_text(encoding="utf-8")
    start = text.index("id: ouders_pester")
    flag = text.index("verplicht: false", start)
    protocol.write_text(text[:flag] + "verplicht: true" + text[flag + 16 :], encoding="utf-8")
    result = CliRunner().invoke(main, ["facts", "--db", url])
    assert result.exit_code == 0, result.output
    assert "Het protocol is gewijzigd" in result.output
    assert "kloppen met de meldingen" in result.output
    again = run("facts", "--db", url)  # counted once: no second recount
    assert "Het protocol is gewijzigd" not in again


ENGLISH = ("Error:", "Usage:", "Missing", "does not exist", "is not a valid", "No such",
           "Try '", "is not one of", "requires an argument", "Got unexpected",
           "integer")  # fmt: skip


@pytest.mark.parametrize(
    "args, dutch",
    [
        (["import", "bestaat-niet.csv"], "Bestand 'bestaat-niet.csv' bestaat niet."),
        (["demo", "--incidents", "abc"], "'abc' is geen geldig geheel getal."),
        (["demo", "--incidents", "0"], "ligt niet in het bereik"),
        (["serve", "--role", "directeur"], "'directeur' is niet een van"),
        (["export"], "Ontbrekende optie '--out'."),
        (["case", "abc", "--out", "x.pdf"], "'abc' is geen geldig geheel getal."),
        (["demo", "--onbekend"], "Onbekende optie '--onbekend'."),
        (["opdracht-die-niet-bestaat"], "Onbekende opdracht"),
        (["users", "add", "x"], "Ontbrekende optie '--role'."),
        (["demo", "--incidents"], "Optie '--incidents' vraagt een waarde."),
        (["case", "1", "2", "--out", "x.pdf"], "Onverwacht extra argument"),
    ],
)
def test_every_usage_error_is_dutch(args, dutch):
    result = CliRunner().invoke(main, args)
    output = result.output
    assert result.exit_code == 2, output
    assert dutch in output and "Fout:" in output
    assert not [word for word in ENGLISH if word in output], output


def every_command(group, path=()):
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if hasattr(command, "commands"):
            yield from every_command(command, (*path, name))


def test_every_help_page_is_dutch():
    """Click's own words in a help page (the usage line, metavars, '[required]')."""
    english = ("[OPTIONS]", "COMMAND", "[ARGS]", "[required]", " TEXT", " INTEGER", " FILE",
               " PATH", "Usage:", "Options:", "Commands:", "Show this message")  # fmt: skip
    commands = [(), *every_command(main)]
    assert len(commands) > 20 and ("schools", "merge") in commands
    for command in commands:
        result = CliRunner().invoke(main, [*command, "--help"], terminal_width=200)
        assert result.exit_code == 0, (command, result.output)
        assert result.output.startswith("Gebruik: "), command
        assert "[OPTIES]" in result.output.splitlines()[0], command
        assert not [w for w in english if w in result.output], (command, result.output)


# --- what pestdata refuses: one Dutch line, exit status 1 -------------------------------------

SCHOOLLESS = "Datum melding;Leerlingnummer;Rol\n01-10-2025;123456;gepest\n"
DATELESS = "School;Opmerking\nDe Regenboog;ruzie in de groepsapp\n"


def refusals(tmp_path, url):
    """Per kind of PestdataError: a command that fails with it, the way a school would make
    it fail, and a Dutch fragment only that kind says. Each: (args, input)."""
    (tmp_path / "in-de-weg").write_text("een bestand waar een map hoort")
    (tmp_path / "zonder-school.csv").write_text(SCHOOLLESS, encoding="cp1252")
    (tmp_path / "zonder-datum.csv").write_text(DATELESS, encoding="cp1252")
    (tmp_path / "geen-back-up.sqlite").write_bytes(b"dit is geen database" * 100)
    broken = tmp_path / "handreiking"
    broken.mkdir()
    (broken / "protocol.yaml").write_text("stappen: []\n", encoding="utf-8")
    out = str(tmp_path / "uit.pdf")
    return {
        "UnusableURL": (["init", "--db", "mysql://gebruiker@server/db"], "is geen database-URL"),
        "StoreUnavailable": (
            ["init", "--db", f"sqlite:///{tmp_path}/in-de-weg/x.sqlite"],
            "De database is niet bereikbaar",
        ),
        "NotFound": (["case", "4711", "--db", url, "--out", out], "melding #4711 bestaat niet"),
        "FileRefused": (
            ["case", "1", "--db", url, "--out", str(tmp_path / "geen-map" / "x.pdf")],
            "kan niet worden geschreven: de map bestaat niet",
        ),
        "ExportFileError": (
            ["export", "--db", url, "--out", str(tmp_path / "meldingen.txt")],
            "kies een bestandsnaam op .csv of .xlsx",
        ),
        "ValueRefused": (
            ["report", "--db", url, "--year", "2025-2027", "--out", out],
            "Schooljaar: '2025-2027' is geen schooljaar",
        ),
        "ImportFileError": (
            ["import", str(tmp_path / "zonder-school.csv"), "--db", url, "--map-value", "Ernst"],
            "gebruik KOLOM:WAARDE=ONZE WAARDE",
        ),
        "SchoolNeeded": (
            ["import", str(tmp_path / "zonder-school.csv"), "--db", url],
            "het bestand heeft geen kolom School",
        ),
        "ColumnsMissing": (
            ["import", str(tmp_path / "zonder-datum.csv"), "--db", url],
            "geen kolom 'Datum melding' gevonden",
        ),
        "InvalidInput": (
            ["schools", "add", "Het Baken", "--type", "mbo", "--db", url],
            "onbekende soort school 'mbo'",
        ),
        "AccountError": (
            ["users", "add", "juf.anne", "--role", "zorgteam", "--password-stdin", "--db", url],
            "Wachtwoord: gebruik minstens",
        ),
        "MaintenanceError": (
            ["restore", str(tmp_path / "geen-back-up.sqlite"), "--yes", "--db", url],
            "geen pestdata-back-up",
        ),
        "GuidanceError": (
            ["init", "--db", f"sqlite:///{tmp_path}/nieuw.sqlite"],
            "'stappen' moet een niet-lege lijst zijn",
        ),
        "PortTaken": (["serve", "--db", url, "--port", "{port}"], "is al in gebruik"),
    }


# Kinds no command fails with: the server's and the pages' own, and those said otherwise.
NOT_FROM_A_COMMAND = {
    "SignInRefused": "the login form says it (web/)",
    "ServerFull": "a page the server cannot open (web/)",
    "PageNotTaken": "a preheated kernel (ui/preheat.py)",
    "FieldError": "read into InvalidInput (core/model.py)",
    "NamesUnchecked": "a command warns and goes on (cli/common.load_names)",
}


def test_every_refusal_is_one_dutch_line_and_exit_status_1(tmp_path, names_here, monkeypatch):
    import socket

    from pestdata.core.errors import PestdataError

    url = f"sqlite:///{tmp_path}/school.sqlite"
    store = Store(url).ensure_schema()
    incident_log.add_incidents(store, demo.generate(30, seed=4), actor="demo")
    store.close()
    incidents = refusals(tmp_path, url)
    kinds = {c.__name__ for c in our_exceptions() if issubclass(c, PestdataError)}
    assert set(incidents) | set(NOT_FROM_A_COMMAND) == kinds - {"PestdataError"}
    for kind, (args, dutch) in incidents.items():
        if kind == "GuidanceError":
            monkeypatch.setenv("PESTDATA_DATA", str(tmp_path / "handreiking"))
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            result = CliRunner().invoke(
                main, [a.replace("{port}", port) for a in args], input="kort\n"
            )
        monkeypatch.delenv("PESTDATA_DATA", raising=False)
        output = result.output
        assert result.exit_code == 1, (kind, output)
        assert isinstance(result.exception, SystemExit), (kind, result.exception)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Fout: ")]
        assert len(errors) == 1 and dutch in errors[0], (kind, output)
        assert "Traceback" not in output and "Error" not in output, (kind, output)
