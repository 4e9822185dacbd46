"""Every benchmark, one after the other: small sizes by default (a smoke run of seconds to a
few minutes, to see that each still runs against today's code), the sizes the notes quote
with --large. Each prints its own figures; nothing here asserts a time.

    python bench/run.py            # small: proves every bench runs
    python bench/run.py --large    # the figures for a closing note (long)
    python bench/run.py --only import_registers render
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benches(large: bool, scratch: Path) -> dict[str, list[str]]:
    """Each bench with its arguments, small or large."""
    db = scratch / "render-overview.sqlite"
    return {
        "demo": ["--sizes", *(["1000", "10000", "100000"] if large else ["200"])],
        "import_speed": ["--sizes", *(["10000", "100000"] if large else ["300"])],
        "export_speed": ["--reports", "2000", "--repeat", "5"] if large
                        else ["--reports", "300", "--repeat", "1"],
        "import_registers": ["--rows", *(["10000"] if large else ["300"])],
        "large_files": ["--rows", "1000000", "--bomb-mb", "1000"] if large
                       else ["--rows", "300", "--bomb-mb", "20"],
        "flood": ["--loads", "30" if large else "3"],
        "overview": (
            []
            if large
            else ["--sizes", "300", "--browser-sizes", "300", "--loads", "1"]
            + ["--keep", str(scratch)]
        ),
        "render": ["--incidents", "2000", "--loads", "7"] if large else ["--incidents", "100",
                   "--loads", "1", "--saves", "1"],
        "render_overview": ["--db", str(db), "--loads", "5" if large else "1"],
        "kernels": ["--incidents", "300", "--rounds", "3" if large else "1"],
        "writes": ["--incidents", "2000" if large else "200", "--writes", "50" if large else "5"],
    }  # fmt: skip


def make_db(path: Path, incidents: int) -> None:
    """render_overview reads a database as it is: give it one with demo data."""
    subprocess.run(
        [sys.executable, "-m", "pestdata.cli", "demo", "--db", f"sqlite:///{path}",
         "--incidents", str(incidents)],
        check=True, capture_output=True,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="the sizes the notes quote")
    parser.add_argument("--only", nargs="+", help="run only these benches")
    options = parser.parse_args()
    failed = []
    # The benches start `pestdata` as a command: the one of this Python's environment.
    env = dict(
        os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    with tempfile.TemporaryDirectory(prefix="pestdata-bench-") as tmp:
        scratch = Path(tmp)
        plan = benches(options.large, scratch)
        if not options.only or "render_overview" in options.only:
            make_db(scratch / "render-overview.sqlite", 100_000 if options.large else 300)
        for name, args in plan.items():
            if options.only and name not in options.only:
                continue
            print(f"== bench/{name}.py {' '.join(args)}", flush=True)
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *args], env=env)
            print(f"== {name}: {time.perf_counter() - started:.1f} s, exit {done.returncode}")
            if done.returncode:
                failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
