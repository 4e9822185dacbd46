"""Every benchmark still runs against today's code (small sizes; figures are printed, not
judged). Not part of the default run: `python -m pytest -m bench`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench
RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def test_every_bench_runs_at_a_small_size():
    done = subprocess.run([sys.executable, str(RUN)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    benches = ("demo", "import_speed", "import_registers", "large_files", "flood", "overview")
    for name in (*benches, "render", "kernels", "writes"):
        assert re.search(rf"^== {name}: [\d.]+ s, exit 0$", done.stdout, re.M), name
    assert "failed:" not in done.stdout
