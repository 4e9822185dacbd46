"""How long the care team's Excel export takes: `export_frame` + `write_export` (.xlsx) on
demo reports in a temp SQLite file, with the name check loaded in this process as
`pestdata export` loads it.

In the same run, the export as it was before issue 23 (`--before`, a commit: its
pestdata/io.py read from git and run against today's package): the frame with dates as text,
written by pandas' `to_excel` through openpyxl. Without git (an installed pestdata) only the
new export is timed.

Figures are the best of `--repeat` runs: wall-clock seconds and this process's CPU seconds
(the CPU figure is steadier on a machine that others share).

    python bench/export_speed.py [--reports 2000] [--repeat 5] [--no-names]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pestdata
from pestdata import incident_log, names
from pestdata.analytics import Filters
from pestdata.demo import generate
from pestdata.io import export_frame, write_export
from pestdata.store import Store

BEFORE = "4ceaadb"  # the last commit with the old export (pandas + openpyxl, dates as text)


def best(repeat: int, work) -> tuple[float, float]:
    """(wall, cpu) seconds of the fastest of `repeat` runs of `work()`."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def old_io(commit: str):
    """pestdata/io.py as it was at `commit`, as a module of today's package; None without
    git or that commit."""
    checkout = Path(pestdata.__file__).resolve().parent.parent
    shown = subprocess.run(
        ["git", "-C", str(checkout), "show", f"{commit}:pestdata/io.py"],
        capture_output=True,
        text=True,
    )
    if shown.returncode:
        return None
    spec = importlib.util.spec_from_loader("pestdata.io_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "pestdata"
    exec(compile(shown.stdout, f"{commit}:pestdata/io.py", "exec"), module.__dict__)
    sys.modules[spec.name] = module
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", default=BEFORE, help="the commit of the old export")
    parser.add_argument("--no-names", action="store_true", help="without the name check")
    options = parser.parse_args()
    if not options.no_names:
        names.load_here()
        logging.getLogger().setLevel(logging.WARNING)  # deduce turns the root logger up
    old = old_io(options.before)
    with tempfile.TemporaryDirectory(prefix="pd-export-") as tmp:
        folder = Path(tmp)
        store = Store(f"sqlite:///{folder}/source.sqlite").ensure_schema()
        reports = generate(options.reports, seed=1, today=date(2026, 3, 1))
        incident_log.add_incidents(store, reports, actor="demo")
        out = folder / "zorgteam.xlsx"
        frame = export_frame(store, Filters())
        steps = [
            ("new: export_frame", lambda: export_frame(store, Filters())),
            ("new: write_export .xlsx", lambda: write_export(frame, out)),
            ("new: the export (.xlsx)", lambda: write_export(export_frame(store, Filters()), out)),
        ]
        if old is not None:
            before = old.export_frame(store, Filters())
            steps += [
                ("old: export_frame", lambda: old.export_frame(store, Filters())),
                ("old: write_export .xlsx", lambda: old.write_export(before, folder / "o.xlsx")),
                (
                    "old: the export (.xlsx)",
                    lambda: old.write_export(old.export_frame(store, Filters()), folder / "o.xlsx"),
                ),
            ]
        check = "zonder namencontrole" if options.no_names else "met namencontrole"
        print(f"{options.reports} meldingen, {len(frame.columns)} kolommen, {check}")
        if old is None:
            print(f"(geen git of commit {options.before}: alleen de nieuwe export)")
        print(f"{'step':<32} {'wall s':>7} {'cpu s':>7}")
        for name, work in steps:
            wall, cpu = best(options.repeat, work)
            print(f"{name:<32} {wall:>7.2f} {cpu:>7.2f}", flush=True)
        print(f"xlsx: {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
