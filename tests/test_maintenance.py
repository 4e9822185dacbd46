"""Backup → restore gives an identical database; purge: a dry run changes nothing, a commit
removes old closed cases and their audit, keeps anonymous monthly counts and logs itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pestdata import demo, incident_log
from pestdata.maintenance import (
    MaintenanceError,
    backup,
    parse_period,
    purge,
    purge_candidates,
    restore,
)
from pestdata.store import Store
from pestdata.tables import metadata

TODAY = date(2026, 6, 15)


def snapshot(store: Store) -> dict[str, list]:
    """Every row of every table, sorted: two databases are identical when these are equal."""
    with store.reading() as conn:
        return {
            name: sorted(map(tuple, conn.execute(sa.select(table)).all()), key=repr)
            for name, table in metadata.tables.items()
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(request, tmp_path) -> Store:
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path}/live.sqlite").ensure_schema()
    else:
        store = request.getfixturevalue("pg_store")
    incident_log.add_incidents(store, demo.generate(400, seed=9, today=TODAY), actor="demo")
    return store


def test_backup_then_restore_gives_an_identical_database(filled, tmp_path):
    before = snapshot(filled)
    target = tmp_path / "backup.bin"
    backup(filled, target)
    assert target.stat().st_size > 0
    purge(filled, TODAY, actor="test")  # change the live database a lot
    assert snapshot(filled) != before
    restore(filled, target)
    assert snapshot(filled) == before
    assert sum(len(rows) for rows in before.values()) > 1000


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/live.sqlite").ensure_schema()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"dit is geen database" * 100)
    with pytest.raises(MaintenanceError, match="geen pestdata-back-up"):
        restore(store, junk)


def test_purge_dry_run_changes_nothing_and_commit_keeps_the_counts(filled):
    cutoff = TODAY - parse_period("1y")
    before = snapshot(filled)
    candidates = purge_candidates(filled, cutoff)
    assert snapshot(filled) == before
    assert candidates and all((c.resolved_on or c.reported_on) < cutoff for c in candidates)
    ids = {c.id for c in candidates}

    removed = purge(filled, cutoff, actor="directie")
    assert removed == len(ids)
    after = snapshot(filled)
    assert len(after["incidents"]) == len(before["incidents"]) - removed
    with filled.reading() as conn:
        for table in (
            "incident_pupils",
            "incident_platforms",
            "incident_forms",
            "descriptions",
            "steps_done",
            "incident_fingerprints",
            "audit",
        ):
            # Children went with their case; so did its audit (pupil numbers, text).
            left = set(conn.execute(sa.select(metadata.tables[table].c.incident_id)).scalars())
            assert not left & ids, table
    purges = [row for row in after["audit"] if row[3] == "purge"]
    assert len(purges) == 1 and f'"cases": {removed}' in purges[0][7]
    with filled.reading() as conn:
        kept = dict(
            conn.execute(
                sa.text("SELECT dimension, SUM(count) FROM retained_counts GROUP BY dimension")
            ).all()
        )
    assert kept["group"] == removed  # one group per case: every purged case still counted
    assert kept["platform"] >= removed and kept["form"] >= removed
    assert purge_candidates(filled, cutoff) == []
    assert purge(filled, cutoff, actor="directie") == 0


def test_open_and_recent_cases_are_never_purged(filled):
    cutoff = TODAY - timedelta(days=30)
    with filled.reading() as conn:
        keep = set(
            conn.execute(
                sa.text(
                    "SELECT id FROM incidents WHERE status <> 'closed' "
                    "OR COALESCE(resolved_on, reported_on) >= :cutoff"
                ),
                {"cutoff": cutoff},
            ).scalars()
        )
    purge(filled, cutoff, actor="test")
    with filled.reading() as conn:
        assert set(conn.execute(sa.text("SELECT id FROM incidents")).scalars()) == keep


@pytest.mark.parametrize("text, days", [("2y", 730), ("2j", 730), ("18m", 540), ("400d", 400)])
def test_parse_period(text, days):
    assert parse_period(text).days == days


@pytest.mark.parametrize("text", ["", "2", "twee jaar", "0y", "-1y"])
def test_parse_period_refuses_in_dutch(text):
    with pytest.raises(MaintenanceError, match="gebruik bijvoorbeeld"):
        parse_period(text)
