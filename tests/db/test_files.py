"""Files pestdata makes are private (0600, folders 0700), whatever the umask of whoever runs
it; uploads never lie on disk. Probed as a local attacker would: by the mode bits."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from pestdata.core import files
from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup
from pestdata.overview.filters import Filters
from pestdata.registers.export import export_frame, write_export
from pestdata.school import demo, school_names


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """A command as a user with the common umask 022 runs it."""
    return subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022);"
         " from pestdata.cli.main import main;"
         " sys.argv = ['pestdata', *sys.argv[1:]]; main()", *args],
        capture_output=True, text=True, cwd=cwd, check=False,
    )  # fmt: skip


# Several commands one after another in one new process, each starting from umask 022 as a
# user's own terminal would: what the mode tests need, without a new Python per command.
ONE_PROCESS = """
import contextlib, io, json, os, sys
from pestdata.cli.main import main
done = []
for args in json.loads(sys.argv[1]):
    os.umask(0o022)
    errors = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(errors):
        try:
            main(args, prog_name="pestdata")
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    done.append([code, errors.getvalue()])
print(json.dumps(done))
"""


def commands_in_one_process(commands: list[tuple[str, ...]], cwd: Path) -> list[tuple[int, str]]:
    """Each command's exit status and stderr, run in turn in one new process (umask 022)."""
    ran = subprocess.run(
        [sys.executable, "-c", ONE_PROCESS, json.dumps([list(c) for c in commands])],
        capture_output=True, text=True, cwd=cwd, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return [tuple(result) for result in json.loads(ran.stdout.splitlines()[-1])]


def test_every_file_a_command_makes_is_private(tmp_path):
    folder = tmp_path / "school" / "data"  # pestdata makes the folder itself
    db = f"sqlite:///{folder}/pestdata.sqlite"
    steps = [
        ("demo", "--db", db, "--incidents", "120"),
        ("backup", "--db", db, str(tmp_path / "backup.sqlite")),
        ("export", "--db", db, "--out", str(tmp_path / "zorgteam.xlsx")),
        ("export", "--db", db, "--out", str(tmp_path / "zorgteam.csv")),
        ("export", "--db", db, "--share", "--out", str(tmp_path / "bestuur.csv")),
        ("case", "--db", db, "1", "--out", str(tmp_path / "melding-1.pdf")),
        ("report", "--db", db, "--year", "2025-2026", "--out", str(tmp_path / "mr.pdf")),
        ("parent-evening", "--db", db, "--out", str(tmp_path / "ouderavond.html")),
    ]
    for args, (code, stderr) in zip(steps, commands_in_one_process(steps, tmp_path), strict=True):
        assert code == 0, (args, stderr)
    assert mode(folder) == 0o700
    made = [folder / "pestdata.sqlite", *folder.glob("pestdata.sqlite-*")]
    made += [tmp_path / name for name in ("backup.sqlite", "zorgteam.xlsx", "zorgteam.csv",
             "bestuur.csv", "melding-1.pdf", "mr.pdf", "ouderavond.html")]  # fmt: skip
    for path in made:
        assert path.exists(), path
        assert mode(path) == 0o600, (path, oct(mode(path)))


def test_as_a_library_too_the_database_and_an_export_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        store = Store(f"sqlite:///{tmp_path}/lib/x.sqlite").ensure_schema()
        incident_log.add_incidents(store, demo.generate(20, seed=2), actor="t")
        out = tmp_path / "export.xlsx"
        write_export(export_frame(store, Filters()), out)
    finally:
        os.umask(old)
    for path in [tmp_path / "lib" / "x.sqlite", *(tmp_path / "lib").glob("x.sqlite-*"), out]:
        assert mode(path) == 0o600, (path, oct(mode(path)))
    assert mode(tmp_path / "lib") == 0o700
    store.close()


def test_an_upload_never_lies_on_disk(tmp_path, monkeypatch):
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.transfer.export_tab import ExportTab
    from pestdata.ui.transfer.import_tab import ImportTab

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = Store(f"sqlite:///{tmp_path}/u.sqlite").ensure_schema()
    transfer = ImportTab(store, Actor(Person("mevr. Import", "zorgteam")))
    content = (
        "Datum melding;School;Leerlingnummer;Groep;Platform;Vorm;Ernst\r\n"
        "03-10-2024;De Linde;10251;7;TikTok;Roddelen;2\r\n"
    ).encode("cp1252")
    transfer.upload.value = ({"name": "register.csv", "type": "text/csv", "size": len(content),
                              "content": memoryview(content),
                              "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)  # fmt: skip
    # A school not on the list refuses the row until the care team adds it on purpose.
    assert "Niet op de lijst van scholen: &#x27;De Linde&#x27; (1 rij)" in transfer.outcome.value
    assert "0 zouden worden toegevoegd" in transfer.outcome.value
    assert transfer.new_schools.layout.display == ""
    assert transfer.new_schools.types["De Linde"].value == "primary"  # groep 7: proposed
    transfer.new_schools.add_button.click()
    assert "1 zouden worden toegevoegd" in transfer.outcome.value
    transfer.run(commit=True)
    assert "1 melding opgeslagen" in transfer.outcome.value
    assert lookup.count_incidents(store) == 1
    assert school_names.names(store) == ["De Linde"]
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing in the temp folder
    assert not list(Path(tempfile.gettempdir()).glob("pestdata-import-*"))
    export = ExportTab(store)
    export.make_export()
    assert "meldingen.xlsx" in export.download.value
    assert list((tmp_path / "tmp").iterdir()) == []  # the export was made in memory


# --- every file is made new: an old file, its mode, its owner and its data stay behind --------

MARKER = "OUDE GEGEVENS VAN IEMAND ANDERS. " * 40_000  # ~1.3 MB: longer than any new file
NOBODY = 65534


def write_commands(database: tuple[str, str], out: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Every command that writes a file, each with the file it writes in `out`."""
    db, pupil = database
    return [
        ("zorgteam.xlsx", ("export", "--db", db, "--out", str(out / "zorgteam.xlsx"))),
        ("zorgteam.csv", ("export", "--db", db, "--out", str(out / "zorgteam.csv"))),
        ("bestuur.csv", ("export", "--db", db, "--share", "--out", str(out / "bestuur.csv"))),
        ("backup.sqlite", ("backup", "--db", db, str(out / "backup.sqlite"))),
        ("melding-1.pdf", ("case", "--db", db, "1", "--out", str(out / "melding-1.pdf"))),
        ("inzage.pdf", ("inzage", "--db", db, pupil, "--out", str(out / "inzage.pdf"))),
        ("mr.pdf", ("report", "--db", db, "--year", "2025-2026", "--out", str(out / "mr.pdf"))),
        ("ouderavond.html", ("parent-evening", "--db", db, "--out", str(out / "ouderavond.html"))),
    ]


def starts_as_it_should(path: Path) -> bool:
    head = path.read_bytes()[:16]
    return {
        ".xlsx": head.startswith(b"PK"),
        ".csv": head.startswith("\ufeff".encode()),
        ".sqlite": head.startswith(b"SQLite format 3"),
        ".pdf": head.startswith(b"%PDF"),
        ".html": head.lstrip().lower().startswith(b"<!doctype html"),
    }[path.suffix]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[str, str]:
    """A demo database, and a pupil number in it."""
    folder = tmp_path_factory.mktemp("writes")
    db = f"sqlite:///{folder}/pestdata.sqlite"
    done = cli("demo", "--db", db, "--incidents", "150", cwd=folder)
    assert done.returncode == 0, done.stderr
    store = Store(db)
    with store.reading() as conn:
        pupil = conn.execute(sa.text("SELECT pupil_number FROM incident_pupils")).scalar()
    store.close()
    return db, pupil


def test_a_file_written_over_an_open_file_of_someone_else_is_new_private_and_whole(
    demo_db, tmp_path
):
    """Each command writing over a 0666 file (every second one someone else's): the result
    is a new 0600 file of ours holding only the new content, and no temp file is left."""
    commands = write_commands(demo_db, tmp_path)
    before = {}
    for number, (name, _) in enumerate(commands):
        target = tmp_path / name
        target.write_text(MARKER, encoding="utf-8")
        target.chmod(0o666)
        if number % 2 and os.geteuid() == 0:
            os.chown(target, NOBODY, NOBODY)
        before[name] = target.stat()
    ran = commands_in_one_process([args for _, args in commands], tmp_path)
    for (name, args), (code, stderr) in zip(commands, ran, strict=True):
        assert code == 0, (args, stderr)
        target = tmp_path / name
        after = target.stat()
        assert mode(target) == 0o600, (name, oct(mode(target)))
        assert after.st_uid == os.geteuid(), name
        assert after.st_ino != before[name].st_ino, name  # a new file, not the old one filled again
        assert MARKER[:33].encode() not in target.read_bytes(), name  # no old data left
        assert starts_as_it_should(target), name
    written = {name for name, _ in write_commands(demo_db, tmp_path)}
    assert {p.name for p in tmp_path.iterdir()} == written  # no temp file left behind


def test_a_symlinked_target_is_replaced_never_written_through(demo_db, tmp_path):
    """Someone points the target at another file: the link itself is replaced; the file it
    pointed at keeps its content and its mode."""
    out = tmp_path / "uit"
    out.mkdir()
    commands = write_commands(demo_db, out)
    for name, _ in commands:
        victim = tmp_path / f"slachtoffer-{name}"
        victim.write_text(MARKER, encoding="utf-8")
        victim.chmod(0o666)
        (out / name).symlink_to(victim)
    ran = commands_in_one_process([args for _, args in commands], tmp_path)
    for (name, args), (code, stderr) in zip(commands, ran, strict=True):
        victim = tmp_path / f"slachtoffer-{name}"
        assert code == 0, (args, stderr)
        assert not (out / name).is_symlink(), name
        assert mode(out / name) == 0o600 and starts_as_it_should(out / name), name
        assert victim.read_text(encoding="utf-8") == MARKER, name
        assert mode(victim) == 0o666, name
    assert {p.name for p in out.iterdir()} == {n for n, _ in write_commands(demo_db, out)}


def test_a_file_that_cannot_be_written_gives_a_dutch_line_and_leaves_nothing(demo_db, tmp_path):
    db, _ = demo_db
    done = cli("case", "--db", db, "1", "--out", str(tmp_path / "geen-map" / "x.pdf"),
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert "kan niet worden geschreven: de map bestaat niet" in done.stderr
    assert "Traceback" not in done.stderr
    (tmp_path / "een-map.pdf").mkdir()  # the CLI refuses a folder itself; as a library:
    with pytest.raises(files.FileRefused, match="een-map.pdf kan niet worden geschreven: dat "
                       "is een map"):  # fmt: skip
        files.write_private(tmp_path / "een-map.pdf", b"%PDF")
    assert list(tmp_path.iterdir()) == [tmp_path / "een-map.pdf"]  # no temp file left


def test_a_writer_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("de vorige export", encoding="utf-8")
    with pytest.raises(RuntimeError), files.private_output(target) as temp:
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("schijf vol")
    assert target.read_text(encoding="utf-8") == "de vorige export"
    assert list(tmp_path.iterdir()) == [target]
    files.write_private(target, "nieuw")
    assert target.read_text(encoding="utf-8") == "nieuw" and mode(target) == 0o600


def test_an_open_database_file_of_ours_is_closed_in_place(tmp_path):
    """The database is the one file not replaced (others have it open): made 0600 in place."""
    path = tmp_path / "pestdata.sqlite"
    path.touch()
    path.chmod(0o666)
    inode = path.stat().st_ino
    Store(f"sqlite:///{path}").ensure_schema().close()
    assert mode(path) == 0o600 and path.stat().st_ino == inode


# --- secrets: read only from a file of this account that nobody else can read ----------------


@pytest.mark.parametrize(
    "setup, dutch",
    [
        (lambda p: p.chmod(0o644), "ook voor anderen leesbaar of schrijfbaar (rechten 0644)"),
        (lambda p: p.chmod(0o640), "chmod 600"),
        (lambda p: p.chmod(0o602), "ook voor anderen leesbaar"),
        (lambda p: os.chown(p, NOBODY, NOBODY), "is van een ander account (nobody"),
        (lambda p: p.write_text("  \n"), "is leeg"),
    ],
)
def test_a_secret_file_others_can_read_or_own_is_refused_in_dutch(tmp_path, setup, dutch):
    if "nobody" in dutch and os.geteuid() != 0:
        pytest.skip("only root can give a file to nobody")
    path = tmp_path / "proxy.key"
    path.write_text("sleutel\n")
    path.chmod(0o600)
    setup(path)
    with pytest.raises(files.FileRefused, match=re.escape(dutch)):
        files.read_secret(path, "Het sleutelbestand")


def test_a_private_secret_file_is_read(tmp_path):
    path = tmp_path / "token"
    path.write_text("  geheime-code\n")
    path.chmod(0o400)
    assert files.read_secret(path) == "geheime-code"


def test_an_old_checkout_database_moves_from_data_to_var_once(tmp_path):
    """data/ now ships in the wheel: a checkout's database, its journal, keys and restore
    copies move to the never-shipped var/ (0700) on first use; the guidance stays."""
    from pestdata.db.store import move_old_checkout_database

    old = tmp_path / "data"
    (old / "terugzet-kopieen").mkdir(parents=True)
    for name in ("pestdata.sqlite", "pestdata.sqlite-wal", "secret.key", "guidance.yaml"):
        (old / name).write_text(name)
    (old / "terugzet-kopieen" / "voor-terugzetten-1.backup").write_text("kopie")
    target = tmp_path / "var" / "pestdata.sqlite"
    said = []
    move_old_checkout_database(said.append, old, target)
    assert target.read_text() == "pestdata.sqlite"
    assert (target.parent / "pestdata.sqlite-wal").exists()
    assert (target.parent / "secret.key").exists()
    assert (target.parent / "terugzet-kopieen" / "voor-terugzetten-1.backup").exists()
    assert sorted(p.name for p in old.iterdir()) == ["guidance.yaml"]
    assert oct(target.parent.stat().st_mode & 0o777) == "0o700"
    assert len(said) == 1 and "De database staat nu in" in said[0] and str(target) in said[0]
    move_old_checkout_database(said.append, old, target)  # once: nothing left to move
    assert len(said) == 1
