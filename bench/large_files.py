"""Peak memory of `pestdata import` for a large school register and for a zip bomb.

Each import runs as its own process (`python -m pestdata.cli import ...`), as a school runs
it; its peak resident memory (ru_maxrss from wait4) is printed, with the time it took and
the last line it wrote. Three runs:

- a CSV register of --rows rows as Dutch Excel saves it (Windows-1252, ';', CRLF, dates in
  Dutch words and in dd-mm-jjjj, now and then a quoted cell with ';' and a line break, and
  a ragged row typed by hand every 997 rows): a dry run, then --commit into a fresh SQLite
  file;
- an .xlsx of a few MB whose sheet1.xml expands to --bomb-mb MB (a zip bomb).

A run that goes past --timeout seconds is stopped, and the memory it had reached by then is
printed (today's code on a 1 GB bomb grows for many minutes). Prints figures only.

    python bench/large_files.py [--rows 1000000] [--bomb-mb 1000] [--timeout 900]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from made_files import dutch_date, zip_bomb  # noqa: E402  (tests/made_files.py)

HEADER = (
    "Datum melding;Datum voorval;Leerlingnummer;Pester;Groep;Platform;Vorm;Ernst (1-4);"
    "Omschrijving;Gemeld door;Status"
)
GROUPS = ["3", "4", "5", "6", "7", "8", "7/8", "5/6", "gr7", "6b"]
PLATFORMS = ["WhatsApp", "whatsapp ", "Instagram", "TikTok", "Snapchat", "Discord"]
FORMS = ["Buitensluiten", "Bedreigen", "Foto’s delen zonder toestemming", "Roddelen"]
REPORTERS = ["Ouder", "moeder", "Leerkracht", "juf", "Leerling", "Anoniem"]
STATUSES = ["Nieuw", "In behandeling", "Afgesloten", "Doorverwezen"]
TEXTS = [
    "Uit de klassenapp gezet na ruzie op het schoolplein",
    '"Bericht ""ik wacht je op"" in de groepsapp; ouders gebeld"',
    '"Roddels over de thuissituatie;\r\nleerling erg overstuur"',
    "Foto van de gymles gedeeld met gemene tekst",
]
FIRST_DAY = date(2024, 8, 19)
SPAN = (date(2025, 7, 11) - FIRST_DAY).days
SCHOOL = "OBS De Linde"


def write_register(path: Path, rows: int, seed: int = 1) -> None:
    """`rows` reports, each with its own pupil number, written line by line (Windows-1252)."""
    pick = random.Random(seed).choice
    offsets = random.Random(seed + 1)
    with path.open("wb") as out:
        out.write(f"{HEADER}\r\n".encode("cp1252"))
        for n in range(rows):
            reported = FIRST_DAY + timedelta(days=offsets.randrange(SPAN))
            happened = reported - timedelta(days=offsets.randrange(5))
            cells = [
                dutch_date(reported, n),
                dutch_date(happened, n + 1) if n % 3 else "",
                str(200000 + n),
                str(900000 + n % 5000) if n % 4 == 0 else "",
                pick(GROUPS),
                pick(PLATFORMS),
                pick(FORMS),
                str(1 + n % 4),
                pick(TEXTS),
                pick(REPORTERS),
                pick(STATUSES),
            ]
            if n % 997 == 500:
                cells.append("x")  # typed by hand: one cell too many
            out.write((";".join(cells) + "\r\n").encode("cp1252"))


# Started from this small Python, not from the bench: a child's ru_maxrss also counts the
# address space that its exec replaced, i.e. that of the process it was started from.
MEASURE = """
import os, signal, subprocess, sys, time
peak_file, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
child, started, stopped = subprocess.Popen(command), time.monotonic(), False
while True:
    pid, status, usage = os.wait4(child.pid, os.WNOHANG)
    if pid:
        break
    if time.monotonic() - started > timeout:
        stopped = True
        os.kill(child.pid, signal.SIGKILL)
        pid, status, usage = os.wait4(child.pid, 0)
        break
    time.sleep(0.05)
open(peak_file, "w").write(f"{usage.ru_maxrss} {int(stopped)} {os.waitstatus_to_exitcode(status)}")
"""


def peak_of(args: list[str], timeout: float) -> dict:
    """Run `pestdata` with these arguments as a child process: its peak memory (MB), the
    seconds it took, its exit code and the last line it wrote; stopped after `timeout` s."""
    command = [sys.executable, "-m", "pestdata.cli", *args]
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(peak), str(timeout), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        seconds = time.perf_counter() - started
        kilobytes, stopped, code = (int(n) for n in peak.read_text().split())
    lines = [ln for ln in done.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]
    return {
        "mb": kilobytes / 1024,  # Linux: kilobytes
        "seconds": seconds,
        "exit": "gestopt" if stopped else code,
        "last": lines[-1][:110] if lines else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bomb-mb", type=float, default=1000)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pd-large-") as tmp:
        folder = Path(tmp)
        register = folder / "pestregistratie.csv"
        write_register(register, args.rows)
        bomb = folder / "meldingen.xlsx"
        zip_bomb(bomb, args.bomb_mb)
        db = f"sqlite:///{folder}/pestdata.sqlite"
        school = ["--school", SCHOOL, "--add-schools", "--db", db]
        runs = [
            (f"CSV {args.rows:,} rows, dry run", register, ["import", str(register), *school]),
            (
                f"CSV {args.rows:,} rows, --commit",
                register,
                ["import", str(register), "--commit", *school],
            ),
            (f"xlsx bomb -> {args.bomb_mb:,.0f} MB", bomb, ["import", str(bomb), *school]),
        ]
        print(f"{'what':<34} {'file MB':>8} {'peak MB':>8} {'s':>7} {'exit':>7}  last line")
        for name, path, command in runs:
            r = peak_of(command, args.timeout)
            print(
                f"{name:<34} {path.stat().st_size / 1e6:>8.1f} {r['mb']:>8.0f} "
                f"{r['seconds']:>7.1f} {r['exit']!s:>7}  {r['last']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
