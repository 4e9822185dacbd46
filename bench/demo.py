"""How long `pestdata demo --incidents N` takes for N = 1000, 10000 and 100000.

Each size runs as its own `pestdata demo` process on a fresh temp SQLite file. Prints the wall
time of the whole command (interpreter start and schema creation included), the time the command
reports for generating and storing, incidents per second (wall) and the file size in MB.

    python bench/demo.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(count: int) -> tuple[float, float | None, float]:
    """Wall seconds, seconds reported by the command, database size in MB (with -wal/-shm)."""
    with tempfile.TemporaryDirectory(prefix="pd-demo-") as tmp:
        path = Path(tmp) / "demo.sqlite"
        command = [sys.executable, "-m", "pestdata.cli", "demo", "--incidents", str(count)]
        command += ["--db", f"sqlite:///{path}"]
        started = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
        reported = re.search(r"in ([\d.]+) s", done.stdout)
        size = sum(f.stat().st_size for f in Path(tmp).glob("demo.sqlite*")) / 1e6
        return wall, float(reported.group(1)) if reported else None, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    args = parser.parse_args()
    print(f"{'incidents':>10} {'wall s':>8} {'reported s':>11} {'incidents/s':>12} {'MB':>8}")
    for count in args.sizes:
        wall, reported, size = run(count)
        shown = f"{reported:.1f}" if reported is not None else "?"
        print(f"{count:>10} {wall:>8.1f} {shown:>11} {count / wall:>12.0f} {size:>8.1f}")


if __name__ == "__main__":
    main()
