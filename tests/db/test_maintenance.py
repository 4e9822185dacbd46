"""Backup → restore gives an identical database; purge: a dry run changes nothing, a commit
removes old closed cases and their audit, keeps anonymous monthly counts and logs itself."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pestdata.db import facts
from pestdata.db.maintenance import MaintenanceError, backup, restore
from pestdata.db.retention import parse_period, purge, purge_candidates
from pestdata.db.store import Store
from pestdata.db.tables import audit, metadata
from pestdata.incidents import incident_log, lookup
from pestdata.school import demo

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
    # Older than the live database: on purpose. The safety copy goes to the test's folder.
    done = restore(filled, target, force=True, safety_folder=tmp_path / "kopie")
    after = snapshot(filled)
    restored = [row for row in after["audit"] if row[3] == "restore"]
    assert len(restored) == 1 and restored[0][2] == "terugzetten"  # who restored what
    after["audit"] = [row for row in after["audit"] if row[3] != "restore"]
    assert after == before
    assert sum(len(rows) for rows in before.values()) > 1000
    assert done.safety_copy.exists() and done.safety_copy.stat().st_size > 0


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


# --- a restore that cannot destroy -----------------------------------------------------------


def sqlite_live(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path}/live.sqlite").ensure_schema()
    incident_log.add_incidents(store, demo.generate(150, seed=4, today=TODAY), actor="demo")
    store.close()
    return store


def bad_backups(tmp_path, good: Path) -> dict[str, Path]:
    """Backups as they go wrong: only a version table, corrupted pages, random bytes,
    cut short, and one made by a newer pestdata."""
    import os
    import sqlite3

    found = {}
    only_version = tmp_path / "alleen-versie.sqlite"
    with sqlite3.connect(only_version) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('0007')")
    found["alleen alembic_version"] = only_version
    corrupt = tmp_path / "beschadigd.sqlite"
    data = bytearray(good.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 7 * page):  # scribble over many pages
        data[start + 100 : start + 400] = os.urandom(300)
    corrupt.write_bytes(bytes(data))
    found["beschadigde pagina's"] = corrupt
    noise = tmp_path / "ruis.bin"
    noise.write_bytes(os.urandom(50_000))
    found["willekeurige bytes"] = noise
    truncated = tmp_path / "afgebroken.sqlite"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    found["afgebroken"] = truncated
    newer = tmp_path / "nieuwer.sqlite"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    found["nieuwere versie"] = newer
    return found


def test_a_bad_backup_leaves_the_live_database_byte_identical(tmp_path):
    store = sqlite_live(tmp_path)
    good = tmp_path / "goed.sqlite"
    backup(store, good)
    store.close()
    live = tmp_path / "live.sqlite"
    for name, path in bad_backups(tmp_path, good).items():
        before = live.read_bytes()
        with pytest.raises(MaintenanceError) as refused:
            restore(store, path)
        store.close()
        assert live.read_bytes() == before, name
        assert str(refused.value).endswith("er is niets veranderd"), (name, str(refused.value))
        assert not list(tmp_path.glob("voor-terugzetten-*")), name  # refused before copying


def test_an_older_backup_needs_force_and_the_live_database_is_kept_aside(tmp_path):
    store = sqlite_live(tmp_path)
    old = tmp_path / "oud.sqlite"
    backup(store, old)
    newer = demo.generate(10, seed=5, today=TODAY)
    incident_log.add_incidents(store, newer, actor="later")  # the live database moves on
    count = lookup.count_incidents(store)
    with pytest.raises(MaintenanceError, match="ouder dan de database.*--force"):
        restore(store, old)
    assert lookup.count_incidents(store) == count
    done = restore(store, old, force=True, actor="mevr. Beheer")
    assert lookup.count_incidents(store) == count - 10
    assert done.before.incidents == count and done.after.incidents == count - 10
    kept = Store(f"sqlite:///{done.safety_copy}")
    assert lookup.count_incidents(kept) == count  # nothing lost: the newer data is aside
    kept.close()
    with store.reading() as conn:
        assert facts.differences(conn) == {"report_facts": 0, "step_facts": 0}
        entry = conn.execute(
            sa.select(audit.c.actor, audit.c.new_value).where(audit.c.action == "restore")
        ).one()
    assert entry.actor == "mevr. Beheer" and "oud.sqlite" in entry.new_value


def test_cli_restore_shows_both_sides_and_refuses_an_older_backup(tmp_path):
    from click.testing import CliRunner

    from pestdata.cli.main import main

    store = sqlite_live(tmp_path)
    old = tmp_path / "oud.sqlite"
    backup(store, old)
    incident_log.add_incidents(store, demo.generate(5, seed=6, today=TODAY), actor="later")
    store.close()
    url = f"sqlite:///{tmp_path}/live.sqlite"
    result = CliRunner().invoke(main, ["restore", "--db", url, str(old), "--yes"])
    assert result.exit_code == 1
    assert "Nu in" in result.output and "155 meldingen" in result.output
    assert "In de back-up" in result.output and "150 meldingen" in result.output
    assert "--force" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["restore", "--db", url, str(old), "--yes", "--force"])
    assert result.exit_code == 0, result.output
    assert "150 meldingen" in result.output and "staat apart in" in result.output


def pg_bad_backups(tmp_path, good: Path, scratch_url: str) -> dict[str, Path]:
    """PostgreSQL backups as they go wrong: an archive of a database holding only a version
    table, scribbled-over data, random bytes, cut short, one made by a newer pestdata."""
    import os

    found = {}
    scratch = Store(scratch_url)
    with scratch.writing() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0007')"))
    backup(scratch, tmp_path / "alleen-versie.dump")
    found["alleen alembic_version"] = tmp_path / "alleen-versie.dump"
    data = bytearray(good.read_bytes())
    for start in range(len(data) // 3, len(data) - 400, 997):  # scribble over the data
        data[start : start + 40] = os.urandom(40)
    found["beschadigd"] = tmp_path / "beschadigd.dump"
    found["beschadigd"].write_bytes(bytes(data))
    found["willekeurige bytes"] = tmp_path / "ruis.dump"
    found["willekeurige bytes"].write_bytes(os.urandom(50_000))
    found["afgebroken"] = tmp_path / "afgebroken.dump"
    found["afgebroken"].write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with scratch.writing() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    scratch.ensure_schema()
    with scratch.writing() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    backup(scratch, tmp_path / "nieuwer.dump")
    found["nieuwere versie"] = tmp_path / "nieuwer.dump"
    scratch.close()
    return found


@pytest.fixture
def second_pg_url(pg_url):
    """Another empty PostgreSQL database beside pg_url's, dropped afterwards."""
    import uuid

    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"pestdata_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_bad_postgresql_backup_changes_nothing(pg_store, second_pg_url, tmp_path):
    store = pg_store
    incident_log.add_incidents(store, demo.generate(150, seed=4, today=TODAY), actor="demo")
    good = tmp_path / "goed.dump"
    backup(store, good)
    incident_log.add_incidents(store, demo.generate(5, seed=6, today=TODAY), actor="later")
    before = snapshot(store)
    for name, path in pg_bad_backups(tmp_path, good, second_pg_url).items():
        with pytest.raises(MaintenanceError) as refused:
            restore(store, path, safety_folder=tmp_path / "kopie")
        assert str(refused.value).endswith("er is niets veranderd"), (name, str(refused.value))
        assert snapshot(store) == before, name
        assert not (tmp_path / "kopie").exists(), name  # refused before copying
    # The good one is older than the live database: refused without --force, then restored.
    with pytest.raises(MaintenanceError, match="ouder dan de database.*--force"):
        restore(store, good, safety_folder=tmp_path / "kopie")
    assert snapshot(store) == before
    done = restore(store, good, force=True, safety_folder=tmp_path / "kopie")
    assert done.before.incidents == 155 and done.after.incidents == 150
    with store.reading() as conn:
        assert facts.differences(conn) == {"report_facts": 0, "step_facts": 0}
