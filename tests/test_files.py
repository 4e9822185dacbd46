"""Files pestdata makes are private (0600, folders 0700), whatever the umask of whoever runs
it; uploads never lie on disk. Probed as a local attacker would: by the mode bits."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pestdata import caseload, demo, incident_log, school_names
from pestdata.analytics import Filters
from pestdata.io import export_frame, write_export
from pestdata.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """A command as a user with the common umask 022 runs it."""
    return subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from pestdata.cli import main; "
         "sys.argv = ['pestdata', *sys.argv[1:]]; main()", *args],
        capture_output=True, text=True, cwd=cwd, check=False,
    )  # fmt: skip


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
    for args in steps:
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
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
    from pestdata.accounts import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.transfer import Transfer

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = Store(f"sqlite:///{tmp_path}/u.sqlite").ensure_schema()
    transfer = Transfer(store, Actor(Person("mevr. Import", "zorgteam")))
    content = (
        "Datum melding;School;Leerlingnummer;Groep;Platform;Vorm;Ernst\r\n"
        "03-10-2024;De Linde;10251;7;TikTok;Roddelen;2\r\n"
    ).encode("cp1252")
    transfer.upload.value = ({"name": "register.csv", "type": "text/csv", "size": len(content),
                              "content": memoryview(content),
                              "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)  # fmt: skip
    # A school not on the list refuses the row until the care team adds it on purpose.
    assert "Niet op de lijst van scholen: &#x27;De Linde&#x27; (1 rij)" in transfer.report.value
    assert "0 zouden worden toegevoegd" in transfer.report.value
    assert transfer.add_schools.layout.display == ""
    transfer.add_schools.value = True
    assert "1 zouden worden toegevoegd" in transfer.report.value
    assert "Nieuwe scholen, komen op de lijst: &#x27;De Linde&#x27;" in transfer.report.value
    transfer.run(commit=True)
    assert "1 meldingen opgeslagen" in transfer.report.value
    assert caseload.count_incidents(store) == 1
    assert school_names.names(store) == ["De Linde"]
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing in the temp folder
    assert not list(Path(tempfile.gettempdir()).glob("pestdata-import-*"))
    transfer.make_export()
    assert "meldingen.xlsx" in transfer.download.value
    assert list((tmp_path / "tmp").iterdir()) == []  # the export was made in memory
