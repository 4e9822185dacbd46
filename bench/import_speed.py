"""How fast `import_file` reads the care team's CSV export, in rows per second.

For each size: demo reports into a temp SQLite file, exported as the care team's CSV
(`export_frame` + `write_export`), then `import_file` into an empty database, timed once as a
dry run and once with commit (the dry run stores nothing, so both start from an empty database).

    python bench/import_speed.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup
from pestdata.overview.filters import Filters
from pestdata.registers.export import export_frame, write_export
from pestdata.registers.importer import import_file
from pestdata.school.demo import generate


def run(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="pd-import-") as tmp:
        folder = Path(tmp)
        source = Store(f"sqlite:///{folder}/source.sqlite").ensure_schema()
        incident_log.add_incidents(
            source, generate(count, seed=1, today=date(2026, 3, 1)), actor="demo"
        )
        started = time.perf_counter()
        out = folder / "zorgteam.csv"
        write_export(export_frame(source, Filters()), out)
        exported = time.perf_counter() - started

        target = Store(f"sqlite:///{folder}/target.sqlite").ensure_schema()
        started = time.perf_counter()
        dry = import_file(target, out, add_schools=True)
        dry_seconds = time.perf_counter() - started
        assert dry.count("nieuw") == count and lookup.count_incidents(target) == 0

        started = time.perf_counter()
        done = import_file(target, out, commit=True, add_schools=True)
        commit_seconds = time.perf_counter() - started
        assert done.added == count == lookup.count_incidents(target)
        return {
            "mb": out.stat().st_size / 1e6,
            "export": exported,
            "dry": dry_seconds,
            "commit": commit_seconds,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(
        f"{'rows':>8} {'CSV MB':>7} {'export s':>9} {'dry run s':>10} {'dry rows/s':>11} "
        f"{'commit s':>9} {'commit rows/s':>14}"
    )
    for count in args.sizes:
        r = run(count)
        print(
            f"{count:>8} {r['mb']:>7.1f} {r['export']:>9.1f} {r['dry']:>10.1f} "
            f"{count / r['dry']:>11,.0f} {r['commit']:>9.1f} {count / r['commit']:>14,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
