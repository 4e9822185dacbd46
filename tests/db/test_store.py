"""pestdata.db.store against a real SQLite file and a real PostgreSQL database, plus the
protocol loader.

Every test that takes `store` runs twice, ids [sqlite] and [postgresql] (the latter skipped
without PESTDATA_TEST_PG); tests of SQLite's own settings take `sqlite_store`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pestdata.core import clock
from pestdata.core.choices import Status
from pestdata.core.guidance import GuidanceError, load_protocol
from pestdata.core.model import InvalidInput, validate_incident, validate_step
from pestdata.db.store import HEAD_REVISION, NotFound, Store
from pestdata.incidents import incident_log, lookup

TABLES = {
    "incidents",
    "incident_pupils",
    "incident_platforms",
    "incident_forms",
    "descriptions",
    "steps_done",
    "audit",
}
TODAY = date(2024, 6, 30)  # a fixed "today" for overdue tests; all dates below lie before it


@pytest.fixture
def store(any_store):
    return any_store


def add(store, valid_incident_data, actor="tester", **changes) -> int:
    return incident_log.add_incident(
        store, validate_incident(valid_incident_data(**changes)), actor=actor
    )


def tick(store, incident_id, step_id, done_on, actor="tester", **extra):
    step = validate_step(
        {
            "step_id": step_id,
            "done_on": done_on,
            "done_by": "Dhr. Bakker",
            "note": "notitie",
            **extra,
        }
    )
    incident_log.record_step(store, incident_id, step, actor=actor)


def actions(store, incident_id):
    return [a["action"] for a in lookup.audit_entries(store, incident_id)]


# --- incidents --------------------------------------------------------------------------------


def test_incident_round_trip(store, valid_incident_data):
    data = valid_incident_data(
        reporter="mentor",
        severity="high",
        group="Klas2",
        pupils=[
            {"pupil_number": "123456", "role": "target"},
            {"pupil_number": "LL-2024-017", "role": "bully"},
            {"pupil_number": "AB12", "role": "bystander"},
        ],
        platforms=["snapchat", "game_chat", "school_platform"],
        forms=["threats", "sextortion"],
        description="Regel één\nRegel twee — met ‘quotes’ en 🙂",
    )
    incident_id = incident_log.add_incident(store, validate_incident(data), actor="Mw. Jansen")
    incident = lookup.get_incident(store, incident_id)
    assert incident["id"] == incident_id
    assert incident["school"] == "De Regenboog"
    assert incident["reported_on"] == date(2024, 3, 1)
    assert incident["happened_on"] == date(2024, 2, 28)
    assert incident["reporter"] == "mentor"
    assert incident["group_name"] == "klas 2"
    assert incident["age_band"] == "12-14 jaar"
    assert incident["severity"] == "high"
    assert incident["status"] == "new"
    assert incident["handler"] == "Mw. Jansen"
    assert incident["platforms"] == ["game_chat", "school_platform", "snapchat"]
    assert incident["forms"] == ["sextortion", "threats"]
    assert sorted((p["pupil_number"], p["role"]) for p in incident["pupils"]) == [
        ("123456", "target"),
        ("AB12", "bystander"),
        ("LL-2024-017", "bully"),
    ]
    assert [d["text"] for d in incident["descriptions"]] == [data["description"]]
    assert incident["descriptions"][0]["written_by"] == "Mw. Jansen"
    assert incident["steps"] == {}
    assert lookup.count_incidents(store) == 1


def test_happened_on_is_optional(store, valid_incident_data):
    incident_id = add(store, valid_incident_data, happened_on=None)
    assert lookup.get_incident(store, incident_id)["happened_on"] is None


def test_create_is_audited_without_the_description(store, valid_incident_data):
    incident_id = add(store, valid_incident_data, actor="Mw. Jansen")
    [entry] = lookup.audit_entries(store, incident_id)
    assert entry["action"] == "create"
    assert entry["actor"] == "Mw. Jansen"
    summary = json.loads(entry["new_value"])
    assert summary["group"] == "groep 7"
    assert "description" not in summary
    assert "klassenapp" not in entry["new_value"]


def test_append_description_keeps_the_original(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    original = lookup.get_incident(store, incident_id)["descriptions"][0]["text"]
    incident_log.append_description(
        store, incident_id, "  Vervolg: ouders gebeld.  ", actor="Dhr. Bakker"
    )
    incident_log.append_description(store, incident_id, "Nog een aanvulling.", actor="Mw. Jansen")
    texts = lookup.get_incident(store, incident_id)["descriptions"]
    assert [d["text"] for d in texts] == [
        original,
        "Vervolg: ouders gebeld.",
        "Nog een aanvulling.",
    ]
    assert [d["written_by"] for d in texts] == ["tester", "Dhr. Bakker", "Mw. Jansen"]
    entries = [
        e for e in lookup.audit_entries(store, incident_id) if e["action"] == "description_added"
    ]
    assert [(e["actor"], e["field"], e["new_value"]) for e in entries] == [
        ("Dhr. Bakker", "description", "Vervolg: ouders gebeld."),
        ("Mw. Jansen", "description", "Nog een aanvulling."),
    ]


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001], ids=["empty", "blank", "too long"])
def test_append_description_refuses_bad_text(store, valid_incident_data, text):
    incident_id = add(store, valid_incident_data)
    with pytest.raises(InvalidInput) as caught:
        incident_log.append_description(store, incident_id, text, actor="tester")
    assert list(caught.value.errors) == ["description"]
    assert "Beschrijving" in str(caught.value)
    assert len(lookup.get_incident(store, incident_id)["descriptions"]) == 1
    assert actions(store, incident_id) == ["create"]


# --- protocol steps --------------------------------------------------------------------------


def test_record_and_undo_step(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    tick(store, incident_id, "steun", date(2024, 3, 1), actor="Mw. Jansen")
    tick(store, incident_id, "nazorg", date(2024, 3, 14), outcome="stopped")
    steps = lookup.get_incident(store, incident_id)["steps"]
    assert set(steps) == {"steun", "nazorg"}
    assert steps["steun"]["done_on"] == date(2024, 3, 1)
    assert steps["steun"]["done_by"] == "Dhr. Bakker"
    assert steps["steun"]["note"] == "notitie"
    assert steps["steun"]["outcome"] is None
    assert steps["nazorg"]["outcome"] == "stopped"

    incident_log.undo_step(store, incident_id, "steun", actor="Dhr. Bakker")
    assert set(lookup.get_incident(store, incident_id)["steps"]) == {"nazorg"}
    # Undone, a step may be ticked again.
    tick(store, incident_id, "steun", date(2024, 3, 2))
    assert lookup.get_incident(store, incident_id)["steps"]["steun"]["done_on"] == date(2024, 3, 2)

    entries = lookup.audit_entries(store, incident_id)
    assert [(e["action"], e["field"], e["actor"]) for e in entries] == [
        ("create", None, "tester"),
        ("step_done", "steun", "Mw. Jansen"),
        ("step_done", "nazorg", "tester"),
        ("step_undone", "steun", "Dhr. Bakker"),
        ("step_done", "steun", "tester"),
    ]
    undone = entries[3]
    assert undone["new_value"] is None
    assert json.loads(undone["old_value"])["done_on"] == "2024-03-01"
    assert json.loads(entries[2]["new_value"])["outcome"] == "stopped"


def test_undo_step_that_was_not_ticked(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    with pytest.raises(InvalidInput) as caught:
        incident_log.undo_step(store, incident_id, "steun", actor="tester")
    assert list(caught.value.errors) == ["step_id"]
    assert actions(store, incident_id) == ["create"]


@pytest.mark.parametrize(
    ("step_id", "done_on", "extra", "field", "fragment"),
    [
        pytest.param(
            "bestaat_niet",
            date(2024, 3, 2),
            {},
            "step_id",
            "niet in het protocol",
            id="unknown step",
        ),
        pytest.param(
            "steun",
            date(2024, 2, 29),
            {},
            "done_on",
            "vóór de datum van de melding",
            id="before report",
        ),
        pytest.param(
            "steun",
            date(2024, 3, 2),
            {"outcome": "stopped"},
            "outcome",
            "geen uitkomst",
            id="outcome on plain step",
        ),
    ],
)
def test_record_step_refusals(store, valid_incident_data, step_id, done_on, extra, field, fragment):
    incident_id = add(store, valid_incident_data)
    with pytest.raises(InvalidInput) as caught:
        tick(store, incident_id, step_id, done_on, **extra)
    assert list(caught.value.errors) == [field]
    assert fragment in caught.value.errors[field]
    assert lookup.get_incident(store, incident_id)["steps"] == {}
    assert actions(store, incident_id) == ["create"]


def test_record_step_refuses_double_tick(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    tick(store, incident_id, "hulp", date(2024, 3, 2))
    with pytest.raises(InvalidInput) as caught:
        tick(store, incident_id, "hulp", date(2024, 3, 3))
    assert list(caught.value.errors) == ["step_id"]
    assert "al afgevinkt" in caught.value.errors["step_id"]
    assert lookup.get_incident(store, incident_id)["steps"]["hulp"]["done_on"] == date(2024, 3, 2)
    assert actions(store, incident_id) == ["create", "step_done"]


def test_step_on_the_report_date_is_allowed(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    tick(store, incident_id, "steun", date(2024, 3, 1))
    assert "steun" in lookup.get_incident(store, incident_id)["steps"]


# --- status ----------------------------------------------------------------------------------


def test_change_status_along_the_allowed_path(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    path = ["new", "in_progress", "resolved", "closed"]
    for new in path[1:]:
        incident_log.change_status(store, incident_id, new, actor=f"actor-{new}")
        assert lookup.get_incident(store, incident_id)["status"] == new
    status_rows = [e for e in lookup.audit_entries(store, incident_id) if e["action"] == "status"]
    assert [(e["field"], e["old_value"], e["new_value"], e["actor"]) for e in status_rows] == [
        ("status", old, new, f"actor-{new}") for old, new in zip(path, path[1:], strict=False)
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "closed"),
        ([], "resolved"),
        ([], "new"),
        (["in_progress", "resolved", "closed"], "in_progress"),
        (["in_progress"], "closed"),
    ],
)
def test_refused_status_change_leaves_status_unchanged(store, valid_incident_data, path, refused):
    incident_id = add(store, valid_incident_data)
    for new in path:
        incident_log.change_status(store, incident_id, new, actor="tester")
    before = lookup.get_incident(store, incident_id)["status"]
    audit_before = lookup.audit_entries(store, incident_id)
    with pytest.raises(InvalidInput) as caught:
        incident_log.change_status(store, incident_id, refused, actor="tester")
    assert list(caught.value.errors) == ["status"]
    assert "mag niet" in caught.value.errors["status"]
    assert lookup.get_incident(store, incident_id)["status"] == before
    assert lookup.audit_entries(store, incident_id) == audit_before


def test_every_change_leaves_an_audit_row_with_actor(store, valid_incident_data):
    incident_id = add(store, valid_incident_data, actor="a1")
    tick(store, incident_id, "steun", date(2024, 3, 2), actor="a2")
    incident_log.undo_step(store, incident_id, "steun", actor="a3")
    incident_log.change_status(store, incident_id, Status.IN_PROGRESS, actor="a4")
    incident_log.append_description(store, incident_id, "Aanvulling", actor="a5")
    entries = lookup.audit_entries(store, incident_id)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("create", "a1"),
        ("step_done", "a2"),
        ("step_undone", "a3"),
        ("status", "a4"),
        ("description_added", "a5"),
    ]
    assert (entries[3]["old_value"], entries[3]["new_value"]) == ("new", "in_progress")
    assert all(e["at"] is not None and e["incident_id"] == incident_id for e in entries)
    # Another incident's history stays separate.
    other = add(store, valid_incident_data, actor="b1")
    assert actions(store, other) == ["create"]
    assert len(lookup.audit_entries(store, incident_id)) == 5


# --- unknown ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: lookup.get_incident(s, 999), id="get_incident"),
        pytest.param(
            lambda s: incident_log.change_status(s, 999, "in_progress", actor="t"),
            id="change_status",
        ),
        pytest.param(
            lambda s: incident_log.append_description(s, 999, "tekst", actor="t"),
            id="append_description",
        ),
        pytest.param(
            lambda s: incident_log.record_step(
                s,
                999,
                validate_step({"step_id": "steun", "done_on": date(2024, 3, 2), "done_by": "x"}),
                actor="t",
            ),
            id="record_step",
        ),
        pytest.param(
            lambda s: incident_log.undo_step(s, 999, "steun", actor="t"),
            id="undo_step",
        ),
    ],
)
def test_unknown_id_raises_not_found(store, valid_incident_data, call):
    add(store, valid_incident_data)

    def counts():
        with store.reading() as conn:
            return [
                conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("audit", "descriptions", "steps_done")
            ]

    before = counts()
    assert before[:2] == [2, 1]  # the report, and its school put on the list
    with pytest.raises(NotFound):
        call(store)
    assert counts() == before


# --- list_cases ------------------------------------------------------------------------------


def test_list_cases_filters_and_total(store, valid_incident_data):
    a = add(
        store,
        valid_incident_data,
        group="groep 7",
        platforms=["whatsapp"],
        reported_on=date(2024, 6, 1),
    )
    b = add(
        store,
        valid_incident_data,
        group="groep 7",
        platforms=["tiktok", "instagram"],
        reported_on=date(2024, 6, 2),
    )
    c = add(
        store,
        valid_incident_data,
        group="klas 2",
        platforms=["whatsapp", "tiktok"],
        reported_on=date(2024, 6, 3),
    )
    d = add(
        store,
        valid_incident_data,
        group="klas 2",
        platforms=["discord"],
        reported_on=date(2024, 6, 4),
    )
    incident_log.change_status(store, d, "in_progress", actor="t")
    incident_log.change_status(store, d, "resolved", actor="t")

    rows, total = lookup.list_incidents(store, today=TODAY)  # open cases only, newest first
    assert [r.id for r in rows] == [c, b, a]
    assert total == 3
    assert rows[1].platforms == ("instagram", "tiktok")
    assert rows[0].group == "klas 2"

    rows, total = lookup.list_incidents(store, statuses=["resolved"], today=TODAY)
    assert ([r.id for r in rows], total) == ([d], 1)
    rows, total = lookup.list_incidents(store, statuses=[s.value for s in Status], today=TODAY)
    assert total == 4

    rows, total = lookup.list_incidents(store, group="groep 7", today=TODAY)
    assert ({r.id for r in rows}, total) == ({a, b}, 2)
    rows, total = lookup.list_incidents(store, platform="tiktok", today=TODAY)
    assert ({r.id for r in rows}, total) == ({b, c}, 2)
    rows, total = lookup.list_incidents(store, group="klas 2", platform="whatsapp", today=TODAY)
    assert ([r.id for r in rows], total) == ([c], 1)
    rows, total = lookup.list_incidents(store, group="groep 3", today=TODAY)
    assert (rows, total) == ([], 0)

    rows, total = lookup.list_incidents(store, limit=2, today=TODAY)
    assert [r.id for r in rows] == [c, b]
    assert total == 3


def test_list_cases_total_counts_beyond_the_limit(store, valid_incident_data):
    incidents = [
        (
            validate_incident(
                valid_incident_data(
                    happened_on=None, reported_on=date(2024, 1, 1) + timedelta(days=i)
                )
            ),
            [],
        )
        for i in range(30)
    ]
    assert incident_log.add_incidents(store, incidents, actor="t", batch=7) == 30
    rows, total = lookup.list_incidents(store, limit=10, today=TODAY)
    assert len(rows) == 10
    assert total == 30
    assert rows[0].reported_on == date(2024, 1, 30)


def test_overdue(store, valid_incident_data):
    def incident(reported_ago, steps=(), status_path=()):
        incident_id = add(
            store,
            valid_incident_data,
            happened_on=None,
            reported_on=TODAY - timedelta(days=reported_ago),
        )
        for step_id, ago in steps:
            extra = {"outcome": "stopped"} if step_id == "nazorg" else {}
            tick(store, incident_id, step_id, TODAY - timedelta(days=ago), **extra)
        for status in status_path:
            incident_log.change_status(store, incident_id, status, actor="t")
        return incident_id

    stale = incident(10)  # no step for 10 days
    boundary = incident(7)  # exactly 7 days: not yet overdue
    eight = incident(8)  # 8 days: overdue
    recent_step = incident(10, steps=[("steun", 2)])  # recent step, follow-up not yet due
    old_step = incident(12, steps=[("steun", 9)])  # last step 9 days ago
    followup_missing = incident(
        20, steps=[("steun", 1)]
    )  # recent step, but no nazorg after 14 days
    followup_done = incident(20, steps=[("steun", 2), ("nazorg", 1)])
    fourteen = incident(14, steps=[("steun", 1)])  # follow-up term exactly reached: not overdue
    closed = incident(60, status_path=["in_progress", "resolved", "closed"])
    resolved = incident(60, status_path=["in_progress", "resolved"])
    in_progress = incident(30, status_path=["in_progress"])  # open, stale and no follow-up

    all_statuses = [s.value for s in Status]
    rows, total = lookup.list_incidents(
        store, statuses=all_statuses, overdue_only=True, today=TODAY
    )
    overdue = {r.id: r.overdue_reason for r in rows}
    assert set(overdue) == {stale, eight, old_step, followup_missing, in_progress}
    assert total == 5
    assert "geen stap in 10 dagen" in overdue[stale]
    assert "geen stap in 9 dagen" in overdue[old_step]
    assert overdue[followup_missing] == "volg op na één tot twee weken is nodig"
    assert "geen stap in 30 dagen" in overdue[in_progress]
    assert "volg op" in overdue[in_progress]

    rows, _ = lookup.list_incidents(store, statuses=all_statuses, today=TODAY)
    by_id = {r.id: r for r in rows}
    for quiet in (boundary, recent_step, followup_done, fourteen, closed, resolved):
        assert by_id[quiet].overdue_reason == "", quiet
    assert by_id[recent_step].last_activity == TODAY - timedelta(days=2)
    assert by_id[stale].last_activity == TODAY - timedelta(days=10)

    # Closed cases are never overdue, however old, even when asked for explicitly.
    rows, total = lookup.list_incidents(store, statuses=["closed"], overdue_only=True, today=TODAY)
    assert (rows, total) == ([], 0)
    # Overdue combines with the other filters.
    rows, total = lookup.list_incidents(
        store, statuses=["in_progress"], overdue_only=True, today=TODAY
    )
    assert ([r.id for r in rows], total) == ([in_progress], 1)


# --- migrations and connection settings ------------------------------------------------------


def test_migrations_up_down_up(any_url):
    store = Store(any_url)
    assert store.schema_revision() is None
    assert not TABLES & set(sa.inspect(store.engine).get_table_names())

    store.migrate()
    assert store.schema_revision() == HEAD_REVISION
    assert TABLES <= set(sa.inspect(store.engine).get_table_names())

    store.downgrade("base")
    assert store.schema_revision() is None
    assert not TABLES & set(sa.inspect(store.engine).get_table_names())

    store.migrate()
    assert store.schema_revision() == HEAD_REVISION
    assert TABLES <= set(sa.inspect(store.engine).get_table_names())
    store.ensure_schema()  # cheap and harmless at head
    assert store.schema_revision() == HEAD_REVISION
    store.engine.dispose()


def test_head_revision_constant_matches_the_newest_migration():
    from alembic.script import ScriptDirectory

    from pestdata.db import store as store_module

    head = ScriptDirectory(str(store_module.MIGRATIONS)).get_current_head()
    assert store_module.HEAD_REVISION == head


def test_migrated_schema_works_and_is_stable(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    second = Store(store.url).ensure_schema()  # a second process opening the same database
    try:
        assert lookup.get_incident(second, incident_id)["school"] == "De Regenboog"
        assert second.schema_revision() == HEAD_REVISION
    finally:
        second.engine.dispose()
    assert lookup.get_incident(store, incident_id)["school"] == "De Regenboog"


def test_sqlite_pragmas_on_each_connection(sqlite_store):
    store = sqlite_store
    for _ in range(2):
        with store.engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in (
                    "journal_mode",
                    "foreign_keys",
                    "synchronous",
                    "busy_timeout",
                    "secure_delete",
                )
            }
            assert pragma["journal_mode"] == "wal"
            assert pragma["foreign_keys"] == 1
            assert pragma["synchronous"] == 2  # FULL
            assert pragma["busy_timeout"] > 0
            assert pragma["secure_delete"] == 1  # set by us, not by how SQLite was built
        store.engine.dispose()  # the second round gets a brand-new connection


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sa.exc.IntegrityError):
        with store.writing() as conn:
            conn.exec_driver_sql(
                "INSERT INTO incident_platforms (incident_id, platform) VALUES (4242, 'x')"
            )
    with store.reading() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM incident_platforms").scalar() == 0


def test_writing_uses_begin_immediate(sqlite_store, tmp_path):
    """A writing transaction takes the write lock at once, so another writer must wait."""
    store = sqlite_store
    other = sqlite3.connect(f"{tmp_path}/t.sqlite", timeout=0, isolation_level=None)
    try:
        with store.writing():
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_failed_write_stores_nothing(store, valid_incident_data):
    incident = validate_incident(valid_incident_data())
    with pytest.raises(RuntimeError):
        with store.writing() as conn:
            incident_log._insert_incidents(conn, [(incident, [])], "t")
            raise RuntimeError("halverwege")
    with store.reading() as conn:
        for table in TABLES:
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0, table


# --- protocol loader -------------------------------------------------------------------------


def test_default_protocol_steps():
    steps = load_protocol()
    assert [s.id for s in steps] == [
        "steun",
        "betrek",
        "hulp",
        "politie",
        "ouders_gepeste",
        "ouders_pester",
        "gesprekken",
        "pestprotocol",
        "nazorg",
    ]
    assert all(s.title for s in steps)
    assert [s.id for s in steps if s.asks_outcome] == ["nazorg"]
    assert next(s for s in steps if s.id == "nazorg").deadline_days == 14
    assert not next(s for s in steps if s.id == "ouders_pester").required


BAD_PROTOCOLS = [
    pytest.param(
        "stappen:\n  - id: steun\n    titel: Steun\n    termijn_dagen: 1\n"
        "  - id: betrek\n    termijn_dagen: 3\n",
        ["stap 2", "betrek", "titel"],
        id="missing titel",
    ),
    pytest.param(
        "stappen:\n  - id: steun\n    titel: Steun\n    termijn_dagen: 1\n"
        "  - id: steun\n    titel: Nog eens\n    termijn_dagen: 2\n",
        ["stap 2", "steun", "twee keer"],
        id="duplicate id",
    ),
    pytest.param("stappen: steun\n", ["'stappen'", "lijst"], id="stappen not a list"),
    pytest.param("stappen: []\n", ["'stappen'", "niet-lege lijst"], id="empty list"),
    pytest.param("- steun\n- betrek\n", ["lijsten onder sleutels"], id="top level list"),
    pytest.param(
        "stappen:\n  - id: steun\n    titel: [unclosed\n", ["geen geldige YAML"], id="bad yaml"
    ),
    pytest.param(
        "stappen:\n  - id: steun\n    titel: Steun\n    termijn_dagen: 1\n    kleur: rood\n",
        ["stap 1", "steun", "kleur"],
        id="unknown key",
    ),
    pytest.param(
        "stappen:\n  - id: Steun Nu\n    titel: Steun\n    termijn_dagen: 1\n",
        ["stap 1", "Steun Nu", "id"],
        id="bad id",
    ),
    pytest.param("stappen:\n  - steun\n", ["stap 1"], id="entry not a mapping"),
]


@pytest.mark.parametrize(("content", "fragments"), BAD_PROTOCOLS)
def test_malformed_protocol_names_file_and_entry(tmp_path, content, fragments):
    path = tmp_path / "protocol.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GuidanceError) as caught:
        load_protocol(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_protocol_file(tmp_path):
    path = tmp_path / "nergens.yaml"
    with pytest.raises(GuidanceError, match="niet gevonden") as caught:
        load_protocol(path)
    assert str(path) in str(caught.value)


def test_edited_protocol_is_reloaded(tmp_path):
    path = tmp_path / "protocol.yaml"
    path.write_text("stappen:\n  - id: een\n    titel: Een\n    termijn_dagen: 1\n")
    assert [s.id for s in load_protocol(path)] == ["een"]
    path.write_text("stappen:\n  - id: twee\n    titel: Twee\n    termijn_dagen: 1\n")
    os.utime(path, (1_000_000_000, 1_000_000_000))  # a different mtime, as an edit would give
    assert [s.id for s in load_protocol(path)] == ["twee"]


def test_resolved_on_follows_the_status(store, valid_incident_data):
    incident_id = add(store, valid_incident_data)
    assert lookup.get_incident(store, incident_id)["resolved_on"] is None
    incident_log.change_status(store, incident_id, "in_progress", actor="t")
    incident_log.change_status(store, incident_id, "resolved", actor="t")
    assert lookup.get_incident(store, incident_id)["resolved_on"] == clock.today()
    incident_log.change_status(store, incident_id, "in_progress", actor="t")  # taken up again
    assert lookup.get_incident(store, incident_id)["resolved_on"] is None


def test_migration_0002_takes_resolved_on_from_the_audit(any_url):
    store = Store(any_url)
    store.migrate("0001")
    with store.writing() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO incidents (id, school, reported_on, reporter, group_name, age_band, "
                "severity, status, handler, created_at) VALUES (1, 'S', '2025-03-01', 'pupil', "
                "'groep 7', '8-11 jaar', 'low', 'closed', 'h', '2025-03-01 09:00:00'), "
                "(2, 'S', '2025-03-02', 'pupil', 'groep 7', '8-11 jaar', 'low', 'in_progress', "
                "'h', '2025-03-02 09:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit (at, actor, action, incident_id, field, old_value, new_value) "
                "VALUES ('2025-03-10 14:00:00', 't', 'status', 1, 'status', 'in_progress', "
                "'resolved'), ('2025-03-20 14:00:00', 't', 'status', 1, 'status', 'resolved', "
                "'closed'), "
                "('2025-03-05 10:00:00', 't', 'status', 2, 'status', 'new', 'in_progress')"
            )
        )
    store.migrate()
    assert lookup.get_incident(store, 1)["resolved_on"] == date(2025, 3, 20)
    assert lookup.get_incident(store, 2)["resolved_on"] is None
    store.engine.dispose()
