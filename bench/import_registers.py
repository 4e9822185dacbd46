"""How fast `import_file` reads a school's own Excel register, in rows per second.

The register is like tests/registers/test_registers.py's first file, as Dutch Excel saves it ("CSV
(gescheiden door lijstscheidingsteken)": Windows-1252, ';', CRLF, dd-mm-jjjj): no School and
no Behandelaar column, numeric groups (7, 8, 7/8), Ernst 1–4, forms in the guidance's words.
The school is given (`default_school`, as --school). Timed once as a dry run and once with
commit into a fresh SQLite file in a temp dir (the dry run stores nothing). Prints figures only.

    python bench/import_registers.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.registers.importer import import_file

HEADER = (
    "Datum melding;Datum voorval;Leerlingnummer;Groep;Platform;Vorm;Ernst;Omschrijving;"
    "Gemeld door;Status"
)
GROUPS = ["3", "4", "5", "6", "7", "8", "7/8", "5/6", "8 ", "gr7", "6b"]
PLATFORMS = ["WhatsApp", "whatsapp ", "Instagram", "TikTok", "Snapchat", "Roblox", "Discord"]
FORMS = [
    "Buitensluiten",
    "Bedreigen",
    "Foto’s delen zonder toestemming",
    "Foto's delen zonder toestemming",
    "Roddelen",
    "Belachelijk maken",
    "Roddelen, buitensluiten",
    "Uitschelden",
]
REPORTERS = ["Ouder", "ouder", "moeder", "Leerkracht", "juf", "Leerling", "Anoniem"]
STATUSES = ["Nieuw", "In behandeling", "Afgesloten", "afgesloten", "Doorverwezen"]
TEXTS = [
    "Uit de klassenapp gezet na ruzie op het schoolplein",
    '"Bericht ""ik wacht je op"" in de groepsapp"',
    '"Roddels over de thuissituatie; leerling erg overstuur"',
    "Foto van de gymles gedeeld met gemene tekst",
    "Dansje nagedaan en uitgelachen in een filmpje",
]
FIRST_DAY = date(2024, 8, 19)  # the school year 2024–2025
DAYS = (date(2025, 7, 11) - FIRST_DAY).days


def register(rows: int, seed: int = 1) -> bytes:
    """`rows` reports, each with its own pupil number (so each is a new report)."""
    pick = random.Random(seed).choice
    offsets = random.Random(seed + 1)
    lines = [HEADER]
    for n in range(rows):
        reported = FIRST_DAY + timedelta(days=offsets.randrange(DAYS))
        happened = reported - timedelta(days=offsets.randrange(5))
        lines.append(
            ";".join(
                [
                    reported.strftime("%d-%m-%Y"),
                    happened.strftime("%d-%m-%Y") if n % 3 else "",
                    str(200000 + n),
                    pick(GROUPS),
                    pick(PLATFORMS),
                    pick(FORMS),
                    str(1 + n % 4),
                    pick(TEXTS),
                    pick(REPORTERS),
                    pick(STATUSES),
                ]
            )
        )
    return "".join(f"{line}\r\n" for line in lines).encode("cp1252")


def run(rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="pd-register-") as tmp:
        folder = Path(tmp)
        path = folder / "pestregistratie 2024-2025.csv"
        path.write_bytes(register(rows))
        store = Store(f"sqlite:///{folder}/pestdata.sqlite").ensure_schema()

        started = time.perf_counter()
        dry = import_file(store, path, default_school="OBS De Linde", add_schools=True)
        dry_seconds = time.perf_counter() - started
        stored_after_dry = lookup.count_incidents(store)

        started = time.perf_counter()
        done = import_file(
            store, path, commit=True, default_school="OBS De Linde", add_schools=True
        )
        commit_seconds = time.perf_counter() - started
        return {
            "mb": path.stat().st_size / 1e6,
            "dry": dry_seconds,
            "commit": commit_seconds,
            "accepted": dry.count("nieuw"),
            "refused": dry.count("geweigerd"),
            "after_dry": stored_after_dry,
            "added": done.added,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000])
    args = parser.parse_args()
    print(
        f"{'rows':>8} {'CSV MB':>7} {'nieuw':>7} {'geweigerd':>10} {'dry run s':>10} "
        f"{'dry rows/s':>11} {'commit s':>9} {'commit rows/s':>14} {'stored':>7}"
    )
    for count in args.rows:
        r = run(count)
        print(
            f"{count:>8} {r['mb']:>7.1f} {r['accepted']:>7} {r['refused']:>10} "
            f"{r['dry']:>10.2f} {count / r['dry']:>11,.0f} {r['commit']:>9.2f} "
            f"{count / r['commit']:>14,.0f} {r['added']:>7}",
            flush=True,
        )
        if r["after_dry"]:
            print(f"    the dry run stored {r['after_dry']} rows", flush=True)


if __name__ == "__main__":
    main()
