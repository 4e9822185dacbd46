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
tmp=$(mktemp -d -t pestdata-venv-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
venv="${PESTDATA_TEST_VENV:-$tmp/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# Bytecode is written as modules are first imported (PYTHONDONTWRITEBYTECODE, set on this
# machine, would have every test's server, kernel and command compile them again, ~0.4 s
# each, and pytest rewrite every test module again in each worker). So the installer does not
# compile all it installs (most of it, plotly's thousands of validators, is never imported).
unset PYTHONDONTWRITEBYTECODE
# uv installs the same declared packages as pip, from the same PyPI, in 4 s instead of 22 s
# (pip spends 15 s reading every release of every package's index page). uv itself lives in
# a folder of its own, so the venv holds only what pyproject.toml declares (and pip, which
# tests/test_wheel.py builds the wheel with). Where uv cannot be had, pip does it.
if python3 -m pip install -q --disable-pip-version-check --target "$tmp/uv" uv >/dev/null 2>&1 &&
    "$tmp/uv/bin/uv" pip install -q --python "$venv/bin/python" -e '.[test,postgres]'; then
    :
else
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-compile -e '.[test,postgres]'
fi
# Every import of the code and tests must come from a declared package.
if [ -e ../shared/tools/undeclared-imports ]; then
    "$venv/bin/python" ../shared/tools/undeclared-imports
fi
export PESTDATA_TEST_PG="${PESTDATA_TEST_PG:-postgresql+psycopg://pestdata:pestdata@127.0.0.1/pestdata_test}"
export PATH="$venv/bin:$PATH"
# -n 2: two workers (pytest-xdist), each taking whole files, so a file's live server starts
# once, slowest files first (conftest.py); --durations: the 15 slowest, so every run says
# where its time went.
"$venv/bin/python" -m pytest -n "${PESTDATA_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder \
    --durations=15 "$@"
# CI (.ci/run) also runs the stress tests at full size (-m stress --stress), after the rest.
if [ -n "${PESTDATA_TEST_FULL_STRESS:-}" ]; then
    "$venv/bin/python" -m pytest -m stress --stress --durations=5
fi
