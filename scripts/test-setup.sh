#!/usr/bin/env bash
# Everything the tests need on a fresh Debian machine (run as root, or with sudo):
# Chromium for the browser tests, pdftotext for the PDF tests, a PostgreSQL server with a
# test database for the tests that cover PostgreSQL, nginx for the single sign-on tests, npm
# and axe-core for the accessibility tests.
# The Python packages go into a new virtual environment: scripts/test.sh.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
packages="chromium poppler-utils postgresql nginx"
missing=$(for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    $sudo apt-get update -q
    $sudo apt-get install -y -q $missing
fi
# Start the cluster Debian made (pg_ctlcluster works without systemd) and make a test user/db.
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
$sudo pg_ctlcluster $cluster start || true
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
pg_isready -h 127.0.0.1  # says why and stops the script (set -e) when PostgreSQL did not start
$sudo su postgres -c "psql -q -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pestdata') THEN CREATE ROLE pestdata LOGIN PASSWORD 'pestdata' CREATEDB; END IF; END \\\$\\\$;\""
$sudo su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname = 'pestdata_test'\" | grep -q 1 || createdb -O pestdata pestdata_test"
# Tests drop their database WITH (FORCE); autovacuum may be working in it as the superuser.
$sudo su postgres -c "psql -q -c 'GRANT pg_signal_backend TO pestdata'"
# axe-core (WCAG checks in tests/ui/test_accessibility.py), from the npm registry, once per machine.
axe_dir="${PESTDATA_AXE_DIR:-$HOME/.cache/pestdata/axe}"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
    command -v npm >/dev/null || $sudo apt-get install -y -q npm
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --silent axe-core@4.14.1
fi
