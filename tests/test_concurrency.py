"""Several writer processes on one SQLite file, and writers killed mid-transaction.

Real OS processes (tests/_writer.py) against a real file: no report is lost, none is torn.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pestdata.store import Store

WRITER = Path(__file__).with_name("_writer.py")
WORKERS = 8
PER_WORKER = 200
BATCH = 2000
KILL_DELAYS = [0.0, 0.05, 0.15, 0.3, 0.6]
CHILD_TABLES = [
    "incident_pupils",
    "incident_platforms",
    "incident_forms",
    "descriptions",
    "steps_done",
    "audit",
]


def start_writer(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=60, isolation_level=None)


@pytest.fixture
def db(tmp_path) -> tuple[str, Path]:
    path = tmp_path / "shared.sqlite"
    url = f"sqlite:///{path}"
    Store(url).migrate()  # once, before any writer starts
    return url, path


def test_eight_processes_write_at_once(db, tmp_path):
    url, path = db
    go = tmp_path / "go"
    procs = [start_writer("reports", url, str(w), str(PER_WORKER), str(go)) for w in range(WORKERS)]
    try:
        for proc in procs:  # every writer has imported and opened its Store
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        go.touch()  # ... and now they all write at once
        results = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
    spans = [tuple(map(float, out.split())) for out, _ in results]
    # The writers really wrote at the same time: the last to start began before the first
    # to finish was done.
    assert max(start for start, _ in spans) < min(end for _, end in spans)

    conn = connect(path)
    try:
        total = WORKERS * PER_WORKER
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == total
        creates = conn.execute(
            "SELECT actor, count(*) FROM audit WHERE action = 'create' GROUP BY actor"
        ).fetchall()
        assert dict(creates) == {f"writer{w}": PER_WORKER for w in range(WORKERS)}
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == total
        numbers = {r[0] for r in conn.execute("SELECT pupil_number FROM incident_pupils")}
        assert numbers == {
            f"W{w}-{n}-{k}" for w in range(WORKERS) for n in range(PER_WORKER) for k in (1, 2)
        }
        assert conn.execute("SELECT count(*) FROM incident_pupils").fetchone()[0] == 2 * total
        assert conn.execute("SELECT count(*) FROM descriptions").fetchone()[0] == total
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def count_incidents(path: Path) -> int:
    conn = connect(path)
    try:
        return conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
    finally:
        conn.close()


def check_only_whole_reports(path: Path) -> dict[str, set[str]]:
    """Every incident is complete and consistent with its audit row; returns tags per trial."""
    conn = connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in CHILD_TABLES:
            orphans = conn.execute(
                f"SELECT count(*) FROM {table} WHERE incident_id IS NOT NULL "
                "AND incident_id NOT IN (SELECT id FROM incidents)"
            ).fetchone()[0]
            assert orphans == 0, table

        def grouped(sql):
            out: dict[int, list] = {}
            for incident_id, *rest in conn.execute(sql):
                out.setdefault(incident_id, []).append(tuple(rest) if len(rest) > 1 else rest[0])
            return out

        ids = [r[0] for r in conn.execute("SELECT id FROM incidents")]
        pupils = grouped("SELECT incident_id, pupil_number, role FROM incident_pupils")
        platforms = grouped("SELECT incident_id, platform FROM incident_platforms")
        forms = grouped("SELECT incident_id, form FROM incident_forms")
        texts = grouped("SELECT incident_id, text FROM descriptions")
        creates = grouped("SELECT incident_id, new_value FROM audit WHERE action = 'create'")
        other_audit = conn.execute("SELECT count(*) FROM audit WHERE action != 'create'")
        assert other_audit.fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM steps_done").fetchone()[0] == 0

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
    finally:
        conn.close()


def test_sigkill_mid_transaction_leaves_only_whole_reports(db):
    url, path = db
    mid_transaction = 0
    for trial, delay in enumerate(KILL_DELAYS):
        prefix = f"T{trial}"
        before = count_incidents(path)
        proc = start_writer("bulk", url, str(BATCH), prefix)
        try:
            deadline = time.monotonic() + 30
            while count_incidents(path) == before:  # at least one batch is in
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "writer stored nothing in 30 s"
                time.sleep(0.01)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert "Traceback" not in err

        tags = check_only_whole_reports(path)
        mine = tags.get(prefix, set())
        batches = Counter(tag.split("-")[0] for tag in mine)
        # Only whole batches (each one transaction) are stored, numbered 1..n without gaps.
        assert set(batches.values()) == {BATCH}, batches
        committed = len(batches)
        assert sorted(batches) == sorted(str(n) for n in range(1, committed + 1))
        assert count_incidents(path) == before + committed * BATCH
        lines = out.split()
        started = max(
            int(n) for word, n in zip(lines[::2], lines[1::2], strict=True) if word == "start"
        )
        assert committed in (started - 1, started)
        if committed == started - 1:
            mid_transaction += 1

    # The kills did hit open transactions (generating and inserting a batch is most of the
    # writer's time), and a later writer carried on after each killed one.
    assert mid_transaction >= 1
    store = Store(url)
    assert store.count_incidents() == count_incidents(path)
