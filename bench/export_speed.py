"""How long the care team's Excel export takes: `export_frame` + `write_export` (.xlsx) on
demo reports in a temp SQLite file, with the name check loaded in this process as
`pestdata export` loads it.

(Issue 23's comparison with the old export, pandas' `to_excel` with dates as text, ran
beside this one until the modules moved into packages: 0.30 s against 2.27 s.)

Figures are the best of `--repeat` runs: wall-clock seconds and this process's CPU seconds
(the CPU figure is steadier on a machine that others share).

    python bench/export_speed.py [--reports 2000] [--repeat 5] [--no-names]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from datetime import date
from pathlib import Path

from pestdata.core import names
from pestdata.db.store import Store
from pestdata.incidents import incident_log
from pestdata.overview.filters import Filters
from pestdata.registers.export import export_frame, write_export
from pestdata.school.demo import generate


def best(repeat: int, work) -> tuple[float, float]:
    """(wall, cpu) seconds of the fastest of `repeat` runs of `work()`."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-names", action="store_true", help="without the name check")
    options = parser.parse_args()
    if not options.no_names:
        names.load_here()
        logging.getLogger().setLevel(logging.WARNING)  # deduce turns the root logger up
    with tempfile.TemporaryDirectory(prefix="pd-export-") as tmp:
        folder = Path(tmp)
        store = Store(f"sqlite:///{folder}/source.sqlite").ensure_schema()
        reports = generate(options.reports, seed=1, today=date(2026, 3, 1))
        incident_log.add_incidents(store, reports, actor="demo")
        out = folder / "zorgteam.xlsx"
        frame = export_frame(store, Filters())
        steps = [
            ("export_frame", lambda: export_frame(store, Filters())),
            ("write_export .xlsx", lambda: write_export(frame, out)),
            ("the export (.xlsx)", lambda: write_export(export_frame(store, Filters()), out)),
        ]
        check = "zonder namencontrole" if options.no_names else "met namencontrole"
        print(f"{options.reports} meldingen, {len(frame.columns)} kolommen, {check}")
        print(f"{'step':<32} {'wall s':>7} {'cpu s':>7}")
        for name, work in steps:
            wall, cpu = best(options.repeat, work)
            print(f"{name:<32} {wall:>7.2f} {cpu:>7.2f}", flush=True)
        print(f"xlsx: {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
