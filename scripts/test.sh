#!/usr/bin/env bash
# The README's test command: every test, in a brand-new virtual environment.
#
# System packages and the PostgreSQL test database come from scripts/test-setup.sh; the Python
# packages are only what pyproject.toml declares, installed into a new venv in a temporary
# folder, so nothing installed by hand on this machine can make the tests pass.
# Arguments go to pytest (e.g. `bash scripts/test.sh tests/registers/test_io.py -x`).
# PESTDATA_TEST_VENV=DIR reuses a venv of your own while developing; CI never sets it.
# PESTDATA_TEST_WORKERS=N runs N test processes beside each other (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-setup.sh
venv="${PESTDATA_TEST_VENV:-}"
if [ -z "$venv" ]; then
    tmp=$(mktemp -d -t pestdata-venv-XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    venv="$tmp/venv"
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# pip compiles what it installs one file after another; compileall -j 0 does the same on
# every core (34 -> 28 s here). Our own modules are compiled with it: where
# PYTHONDONTWRITEBYTECODE is set (as on this machine), every test's server, command and fork
# process compiled them again (~0.4 s each).
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-compile -e '.[test,postgres]'
"$venv/bin/python" -m compileall -q -j 0 "$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" pestdata tests
# Every import of the code and tests must come from a declared package.
if [ -e ../shared/tools/undeclared-imports ]; then
    "$venv/bin/python" ../shared/tools/undeclared-imports
fi
export PESTDATA_TEST_PG="${PESTDATA_TEST_PG:-postgresql+psycopg://pestdata:pestdata@127.0.0.1/pestdata_test}"
export PATH="$venv/bin:$PATH"
# pytest keeps the test modules it rewrote (for its assert messages) only where Python may
# write bytecode; with PYTHONDONTWRITEBYTECODE set every worker rewrote them all again
# (collection 7.5 -> 4.2 s a process).
unset PYTHONDONTWRITEBYTECODE
# -n 2: two workers (pytest-xdist), each taking whole files, so a file's live server starts
# once, slowest files first (conftest.py); --durations: the 15 slowest, so every run says
# where its time went.
"$venv/bin/python" -m pytest -n "${PESTDATA_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder \
    --durations=15 "$@"
# CI (.ci/run) also runs the stress tests at full size (-m stress --stress), after the rest.
if [ -n "${PESTDATA_TEST_FULL_STRESS:-}" ]; then
    "$venv/bin/python" -m pytest -m stress --stress --durations=5
fi
