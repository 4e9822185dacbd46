"""Several writer processes on one database, and writers killed mid-transaction.

Real OS processes (tests/db/_writer.py) against a real SQLite file and a real PostgreSQL
database (the [postgresql] tests are skipped without PESTDATA_TEST_PG): no report is lost,
none is torn, and no writer sees an error.

Two sizes, the same assertions: a plain `pytest` run is quick (8 writers x 60 reports, 12
kills); `pytest --stress` is the full size (8 x 1,000, 100 kills), which CI (.ci/run) runs
after the rest. PESTDATA_KILL_TRIALS and PESTDATA_PG_KILL_TRIALS (default 10) set how many
writers the SIGKILL tests kill, whatever the size.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from pestdata.db.store import Store
from pestdata.incidents import lookup

WRITER = Path(__file__).with_name("_writer.py")
WORKERS = 8
PER_WORKER = {"full": 1000, "quick": 60}  # reports per writer
KILL_TRIALS = {"full": 100, "quick": 12}
PG_KILL_TRIALS = int(os.environ.get("PESTDATA_PG_KILL_TRIALS", "10"))
KILL_BATCH = 200  # reports per transaction: ~20 ms of work, so a trial adds a few batches
MAX_KILL_DELAY = 0.06  # the kill comes this long, at most, after the first commit
# Rows each whole report has: table -> rows per report (see _writer.report).
PER_REPORT = {
    "incident_pupils": 2,
    "incident_platforms": 2,
    "incident_forms": 2,
    "descriptions": 1,
    "incident_fingerprints": 1,
}
CHILD_TABLES = [*PER_REPORT, "steps_done", "audit"]


def start_writer(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def migrated(url: str) -> str:
    """Migrate once, before any writer starts."""
    store = Store(url)
    store.migrate()
    store.engine.dispose()
    return url


@pytest.fixture
def db(any_url) -> str:
    """An empty, migrated database: [sqlite] and [postgresql]."""
    return migrated(any_url)


@pytest.fixture
def sqlite_db(tmp_path) -> str:
    return migrated(f"sqlite:///{tmp_path}/shared.sqlite")


@pytest.fixture
def pg_db(pg_url) -> str:
    return migrated(pg_url)


@pytest.fixture
def reader():
    """reader(url): a Store to check the database with, disposed after the test."""
    stores: list[Store] = []

    def make(url: str) -> Store:
        stores.append(Store(url))
        return stores[-1]

    yield make
    for store in stores:
        store.engine.dispose()


def tell(capsys, record_property, key: str, value, line: str) -> None:
    """A figure for the person running the tests: in the report, captured and on screen."""
    record_property(key, value)
    print(line)
    with capsys.disabled():
        sys.stdout.write(f"\n{line}\n")
        sys.stdout.flush()


def scalar(store: Store, sql: str, **params):
    with store.reading() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def count_incidents(store: Store) -> int:
    return scalar(store, "SELECT count(*) FROM incidents")


def check_only_whole_reports(store: Store, since: int = 0) -> dict[str, set[str]]:
    """Every report is whole: on SQLite the file passes integrity_check; no child row lacks
    its incident; every table has exactly the rows whole reports give; and each report with
    an id above `since` is checked field by field against its own tag and its audit row.

    Returns {trial or writer: {sequence numbers}} of the reports above `since`.
    """
    with store.reading() as conn:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sa.text(sql), {"since": since})]

        if store.engine.dialect.name == "sqlite":
            assert rows("PRAGMA integrity_check") == [("ok",)]
            assert rows("PRAGMA foreign_key_check") == []
        for table in CHILD_TABLES:
            [(orphans,)] = rows(
                f"SELECT count(*) FROM {table} t WHERE t.incident_id IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = t.incident_id)"
            )
            assert orphans == 0, table
        [(total,)] = rows("SELECT count(*) FROM incidents")
        for table, per_report in PER_REPORT.items():
            assert rows(f"SELECT count(*) FROM {table}") == [(per_report * total,)], table
        assert rows("SELECT action, count(*) FROM audit GROUP BY action ORDER BY action") == (
            [("create", total), ("school_added", 1)] if total else []
        )  # the school put on the list once, however many writers met it at once
        assert rows("SELECT count(*) FROM steps_done") == [(0,)]

        def grouped(sql: str) -> dict[int, list]:
            out: dict[int, list] = {}
            for incident_id, *rest in rows(sql):
                out.setdefault(incident_id, []).append(tuple(rest) if len(rest) > 1 else rest[0])
            return out

        ids = [r[0] for r in rows("SELECT id FROM incidents WHERE id > :since")]
        where = "WHERE incident_id > :since"
        pupils = grouped(f"SELECT incident_id, pupil_number, role FROM incident_pupils {where}")
        platforms = grouped(f"SELECT incident_id, platform FROM incident_platforms {where}")
        forms = grouped(f"SELECT incident_id, form FROM incident_forms {where}")
        texts = grouped(f"SELECT incident_id, text FROM descriptions {where}")
        creates = grouped(f"SELECT incident_id, new_value FROM audit {where} AND action = 'create'")

    tags: dict[str, set[str]] = {}
    for incident_id in ids:
        [text] = texts.get(incident_id, [])
        tag = text.removeprefix("melding ")
        assert sorted(pupils.get(incident_id, [])) == [
            (f"{tag}-1", "target"),
            (f"{tag}-2", "bully"),
        ]
        assert sorted(platforms.get(incident_id, [])) == ["tiktok", "whatsapp"]
        assert sorted(forms.get(incident_id, [])) == ["gossip", "threats"]
        [summary] = creates.get(incident_id, [])
        logged = json.loads(summary)
        assert sorted(p["pupil_number"] for p in logged["pupils"]) == [f"{tag}-1", f"{tag}-2"]
        trial, rest = tag.split("-", 1)
        tags.setdefault(trial, set()).add(rest)
    return tags


# --- eight writers at once ------------------------------------------------------------------


@pytest.mark.stress
def test_eight_processes_write_at_once(db, size, tmp_path, reader, capsys, record_property):
    """8 processes x 1,000 reports (60 quick), one transaction each: none lost, no writer
    sees an error."""
    per_worker = PER_WORKER[size]
    go = tmp_path / "go"
    procs = [start_writer("reports", db, str(w), str(per_worker), str(go)) for w in range(WORKERS)]
    try:
        for proc in procs:  # every writer has imported and opened its Store
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()  # ... and now they all write at once
        results = [proc.communicate(timeout=600) for proc in procs]
    finally:
        stop(procs)

    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
    spans = [tuple(map(float, out.split())) for out, _ in results]
    # The writers really wrote at the same time: the last to start began before the first
    # to finish was done.
    assert max(start for start, _ in spans) < min(end for _, end in spans)

    store = reader(db)
    total = WORKERS * per_worker
    assert count_incidents(store) == total
    with store.reading() as conn:
        creates = conn.execute(
            sa.text("SELECT actor, count(*) FROM audit WHERE action = 'create' GROUP BY actor")
        ).all()
    assert dict(creates) == {f"writer{w}": per_worker for w in range(WORKERS)}
    tags = check_only_whole_reports(store)
    assert tags == {f"W{w}": {str(n) for n in range(per_worker)} for w in range(WORKERS)}

    seconds = max(end for _, end in spans) - min(start for start, _ in spans)
    name = store.engine.dialect.name
    tell(
        capsys,
        record_property,
        f"writes_per_second_{name}",
        round(total / seconds),
        f"{name}: {WORKERS} writers x {per_worker} reports in {seconds:.2f} s "
        f"= {total / seconds:.0f} reports/s",
    )


# --- writers killed mid-transaction ---------------------------------------------------------


def kill_writers(url: str, store: Store, trials: int) -> int:
    """Start a bulk writer, kill it with SIGKILL a moment after its first commit, check the
    database; `trials` times. Returns how many kills hit an open transaction.

    The next writer is started (and waits for "go") while the current one runs, so Python's
    start-up is not paid between trials.
    """
    rng = random.Random(20240301)
    mid_transaction = 0
    since = 0
    procs = [start_writer("bulk", url, str(KILL_BATCH), "T0")]
    try:
        for trial in range(trials):
            proc, prefix = procs[trial], f"T{trial}"
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            before = count_incidents(store)
            proc.stdin.write("go\n")
            proc.stdin.flush()
            if trial + 1 < trials:
                procs.append(start_writer("bulk", url, str(KILL_BATCH), f"T{trial + 1}"))
            deadline = time.monotonic() + 30
            while count_incidents(store) == before:  # at least one batch is in
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "writer stored nothing in 30 s"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, MAX_KILL_DELAY))
            os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            assert "Traceback" not in err

            tags = check_only_whole_reports(store, since)
            since = scalar(store, "SELECT coalesce(max(id), 0) FROM incidents")
            assert set(tags) <= {prefix}
            batches = Counter(tag.split("-")[0] for tag in tags.get(prefix, set()))
            # Only whole batches (each one transaction) are stored, numbered 1..n without gaps.
            assert set(batches.values()) == {KILL_BATCH}, batches
            committed = len(batches)
            assert sorted(batches) == sorted(str(n) for n in range(1, committed + 1))
            assert count_incidents(store) == before + committed * KILL_BATCH
            # Whole lines only: the writer prints each line with one write() (see _writer.say).
            assert all(len(line.split()) == 2 for line in out.splitlines()), out
            started = max(int(n) for word, n in map(str.split, out.splitlines()) if word == "start")
            assert committed in (started - 1, started)
            if committed == started - 1:
                mid_transaction += 1
    finally:
        stop(procs)
    check_only_whole_reports(store)  # once more, every report field by field
    return mid_transaction


@pytest.mark.stress
def test_sigkill_mid_transaction_leaves_only_whole_reports(
    sqlite_db, size, reader, capsys, record_property
):
    trials = int(os.environ.get("PESTDATA_KILL_TRIALS", KILL_TRIALS[size]))
    store = reader(sqlite_db)
    started = time.monotonic()
    mid_transaction = kill_writers(sqlite_db, store, trials)
    # The kills did hit open transactions (generating and inserting a batch is most of the
    # writer's time), and a later writer carried on after each killed one.
    assert mid_transaction >= max(1, trials // 4)
    assert lookup.count_incidents(reader(sqlite_db)) == count_incidents(store)
    tell(
        capsys,
        record_property,
        "sqlite_kills_mid_transaction",
        mid_transaction,
        f"sqlite: {trials} writers killed, {mid_transaction} in an open transaction, "
        f"{count_incidents(store)} whole reports, {time.monotonic() - started:.1f} s",
    )


@pytest.mark.postgres
def test_sigkill_on_postgresql_leaves_only_whole_reports(pg_db, reader, capsys, record_property):
    store = reader(pg_db)
    started = time.monotonic()
    mid_transaction = kill_writers(pg_db, store, PG_KILL_TRIALS)
    assert mid_transaction >= max(1, PG_KILL_TRIALS // 4)
    tell(
        capsys,
        record_property,
        "postgresql_kills_mid_transaction",
        mid_transaction,
        f"postgresql: {PG_KILL_TRIALS} writers killed, {mid_transaction} in an open "
        f"transaction, {count_incidents(store)} whole reports, "
        f"{time.monotonic() - started:.1f} s",
    )
