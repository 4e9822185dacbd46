"""The fact tables: always equal to a fresh count of the reports, and every overview answer
read through them equals the same answer read from the raw tables alone.

Runs on SQLite and PostgreSQL (`any_store`). Demo data (several school years, two schools,
steps done late and never) is changed the way the dashboards change it: steps ticked and
unticked, cases finished and taken up again, imports, a purge.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from pestdata.core.choices import ALL, GROUPS, Form, Platform, Status, age_band
from pestdata.core.guidance import load_protocol
from pestdata.core.model import StepDone
from pestdata.db import facts
from pestdata.db.retention import purge
from pestdata.db.tables import incidents, report_facts, steps_done
from pestdata.incidents import incident_log, lookup
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters
from pestdata.overview.protocol import step_counts
from pestdata.overview.reading import plan
from pestdata.overview.trends import TREND_DIMENSIONS, monthly_trend
from pestdata.school.demo import generate

TODAY = date(2026, 3, 18)
SCHOOL = "De Regenboog"


@pytest.fixture
def store(any_store):
    incident_log.add_incidents(any_store, generate(400, seed=7, today=TODAY, years=3), actor="test")
    return any_store


def in_step(store) -> dict[str, int]:
    with store.reading() as conn:
        return facts.differences(conn)


def filter_incidents() -> list[Filters]:
    periods = [
        (None, None),
        (date(2025, 8, 1), date(2026, 7, 31)),  # this school year, ends after the last report
        (date(2025, 1, 15), date(2025, 6, 10)),  # partial months at both ends
        (date(2025, 2, 1), date(2025, 2, 28)),  # one whole month
        (date(2025, 3, 5), date(2025, 3, 20)),  # inside one month
        (date(2024, 12, 31), date(2025, 1, 1)),  # across a year boundary
        (date(2026, 3, 1), TODAY),  # this month up to today
        (date(2020, 1, 1), date(2020, 12, 31)),  # before every report
    ]
    narrowings = [
        {},
        {"schools": (SCHOOL,)},
        {"groups": ("groep 7",)},
        {"age_bands": (age_band("klas 2"),)},
        {"platforms": (Platform.WHATSAPP.value,)},
        {"forms": (Form.EXCLUSION.value,)},
        {"platforms": (Platform.TIKTOK.value,), "forms": (Form.GOSSIP.value,)},
        {"schools": (SCHOOL,), "platforms": (Platform.SNAPCHAT.value,)},
    ]
    return [
        Filters(start=start, end=end, today=TODAY, **narrowing)
        for start, end in periods
        for narrowing in narrowings
    ]


def assert_same_answers(store, filters: Filters) -> None:
    raw = replace(filters, raw=True)
    assert key_figures(store, filters) == key_figures(store, raw), filters
    for by in TREND_DIMENSIONS:
        trend = monthly_trend(store, filters, by)
        assert trend == monthly_trend(store, raw, by), f"trend by {by} for {filters}"
    read, counted = step_counts(store, filters), step_counts(store, raw)
    assert read.incidents == counted.incidents, f"cases for {filters}"
    for part in ("by_days", "by_month"):
        assert getattr(read, part) == getattr(counted, part), f"steps {part} for {filters}"


def test_facts_equal_a_fresh_count_after_loading(store):
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}
    with store.reading() as conn:
        total = conn.execute(
            sa.select(sa.func.sum(report_facts.c.reports)).where(
                report_facts.c.platform == ALL, report_facts.c.form == ALL
            )
        ).scalar()
    assert total == 400


def test_every_answer_read_through_the_facts_equals_the_raw_answer(store):
    checked = 0
    for filters in filter_incidents():
        assert_same_answers(store, filters)
        checked += 1
    assert checked == 64
    # And the answers are not all empty: the school year has reports on every chart.
    year = Filters.for_school_year("2025-2026", today=TODAY)
    assert key_figures(store, year)["reports_in_period"] > 0
    assert step_counts(store, year).by_days


def test_facts_follow_every_change_the_dashboards_make(store):
    with store.reading() as conn:
        open_ids = list(
            conn.execute(
                sa.select(incidents.c.id)
                .where(incidents.c.status == Status.IN_PROGRESS.value)
                .order_by(incidents.c.id)
                .limit(6)
            ).scalars()
        )
        ticked = conn.execute(
            sa.select(steps_done.c.incident_id, steps_done.c.step_id).limit(3)
        ).all()
    assert len(open_ids) == 6 and len(ticked) == 3
    for incident_id in open_ids[:3]:
        incident = lookup.get_incident(store, incident_id)
        step = next(s.id for s in load_protocol() if s.id not in incident["steps"])
        done = StepDone(step_id=step, done_on=TODAY, done_by="mentor", note="")
        incident_log.record_step(store, incident_id, done, actor="test")
    for incident_id, step_id in ticked:
        incident_log.undo_step(store, incident_id, step_id, actor="test")
    for incident_id in open_ids[3:]:
        incident_log.change_status(store, incident_id, Status.RESOLVED, actor="test")
    incident_log.change_status(
        store, open_ids[3], Status.IN_PROGRESS, actor="test"
    )  # taken up again
    incident_log.change_status(store, open_ids[4], Status.CLOSED, actor="test")
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}

    incident_log.add_incidents(store, generate(50, seed=8, today=TODAY, years=1), actor="test")
    removed = purge(store, date(2025, 1, 1), actor="test")
    assert removed > 0
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}
    for filters in filter_incidents()[::5]:
        assert_same_answers(store, filters)


def test_a_removed_report_leaves_no_empty_fact_rows(any_store, valid_incident_data):
    from pestdata.core.model import Incident

    incident = Incident(**valid_incident_data(reported_on=date(2025, 10, 6), happened_on=None))
    incident_id = incident_log.add_incident(any_store, incident, actor="test")
    done = StepDone(step_id="steun", done_on=date(2025, 10, 7), done_by="mentor")
    incident_log.record_step(any_store, incident_id, done, actor="test")
    incident_log.undo_step(any_store, incident_id, "steun", actor="test")
    with any_store.writing() as conn:
        with facts.recounting(conn, [incident_id]):  # inside: the report's counts are gone
            left = [
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in (report_facts, facts.step_facts)
            ]
        conn.rollback()
    assert left == [0, 0]


def test_rebuild_counts_the_same_as_keeping_up(store):
    with store.reading() as conn:
        before = sorted(conn.execute(sa.select(report_facts)).all())
    with store.writing() as conn:
        facts.rebuild(conn)
    with store.reading() as conn:
        assert sorted(conn.execute(sa.select(report_facts)).all()) == before
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}


def test_an_upgrade_from_before_the_facts_fills_them(any_url):
    from pestdata.db.store import Store

    old = Store(any_url)
    old.migrate("0005")
    # A report stored by the previous version, without facts.
    with old.writing() as conn:
        conn.execute(
            incidents.insert(),
            {
                "school": SCHOOL,
                "reported_on": date(2025, 10, 6),
                "reporter": "pupil",
                "group_name": "groep 7",
                "age_band": age_band("groep 7"),
                "severity": "medium",
                "status": "new",
                "handler": "ib",
                "created_at": TODAY,
            },
        )
        incident_id = conn.execute(sa.select(incidents.c.id)).scalar()
        conn.execute(
            sa.text("INSERT INTO incident_platforms VALUES (:i, 'whatsapp')"), {"i": incident_id}
        )
        conn.execute(
            sa.text("INSERT INTO incident_forms VALUES (:i, 'gossip')"), {"i": incident_id}
        )
    old.ensure_schema()
    assert in_step(old) == {"report_facts": 0, "step_facts": 0}
    trend = monthly_trend(old, Filters(today=TODAY), by="group")
    assert trend == [{"month": "2025-10", "category": "groep 7", "count": 1}]
    old.engine.dispose()


@pytest.mark.parametrize(
    ("start", "end", "months", "edges"),
    [
        # Whole months only.
        (date(2025, 2, 1), date(2025, 3, 31), ("2025-02", "2025-03"), ()),
        # Partial at both ends.
        (
            date(2025, 1, 15),
            date(2025, 4, 10),
            ("2025-02", "2025-03"),
            ((date(2025, 1, 15), date(2025, 1, 31)), (date(2025, 4, 1), date(2025, 4, 10))),
        ),
        # Inside one month: no whole month, one raw range.
        (date(2025, 3, 5), date(2025, 3, 20), None, ((date(2025, 3, 5), date(2025, 3, 20)),)),
        # February in a leap year ends on the 29th.
        (date(2024, 2, 1), date(2024, 2, 29), ("2024-02", "2024-02"), ()),
        # Beyond the first and last report: open at both ends.
        (date(2000, 1, 9), date(2030, 1, 9), (None, None), ()),
        # Start after end: nothing to read.
        (date(2025, 5, 2), date(2025, 5, 1), None, ()),
    ],
)
def test_plan_splits_a_period_into_whole_months_and_partial_ones(
    sqlite_store, valid_incident_data, start, end, months, edges
):
    from pestdata.core.model import Incident

    for day in (date(2023, 9, 4), date(2025, 10, 6)):
        incident_log.add_incident(
            sqlite_store,
            Incident(**valid_incident_data(reported_on=day, happened_on=day)),
            actor="t",
        )
    with sqlite_store.reading() as conn:
        split = plan(conn, start, end)
    assert split.months == months
    assert split.edges == edges


def test_groups_and_age_bands_in_the_facts_match_the_model(store):
    with store.reading() as conn:
        pairs = set(
            conn.execute(sa.select(report_facts.c.group_name, report_facts.c.age_band).distinct())
        )
    assert pairs and all(group in GROUPS and band == age_band(group) for group, band in pairs)


# --- an edited protocol ----------------------------------------------------------------------


@pytest.fixture
def own_protocol(tmp_path, monkeypatch):
    """A copy of the guidance files that the test edits, as a school edits its own
    protocol.yaml (in the folder PESTDATA_DATA names)."""
    import shutil

    from pestdata.core.guidance import data_dir

    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    monkeypatch.setenv("PESTDATA_DATA", str(folder))
    return folder / "protocol.yaml"


def set_required(protocol_file, step_id: str, required: bool) -> None:
    """Flip `verplicht` of one step in the YAML text, keeping the school's layout."""
    text = protocol_file.read_text(encoding="utf-8")
    block = text.index(f"id: {step_id}\n")
    end = text.index("verplicht:", block)
    line_end = text.index("\n", end)
    text = text[:end] + f"verplicht: {'true' if required else 'false'}" + text[line_end:]
    protocol_file.write_text(text, encoding="utf-8")
    assert {s.id: s.required for s in load_protocol()}[step_id] is required


def all_required_done_by_hand(store) -> int:
    """Finished reports with every required step done, counted in Python from the raw rows."""
    required = {s.id for s in load_protocol() if s.required}
    with store.reading() as conn:
        done: dict[int, set] = {}
        for incident_id, step_id in conn.execute(
            sa.select(steps_done.c.incident_id, steps_done.c.step_id)
        ):
            done.setdefault(incident_id, set()).add(step_id)
        finished = conn.execute(
            sa.select(incidents.c.id).where(incidents.c.status.in_(["resolved", "closed"]))
        ).scalars()
        return sum(required <= done.get(i, set()) for i in finished)


def test_an_edited_protocol_never_leaves_a_wrong_figure(any_url, own_protocol):
    from pestdata.db.store import Store

    store = Store(any_url).ensure_schema()
    incident_log.add_incidents(store, generate(300, seed=11, today=TODAY, years=2), actor="test")
    whole = Filters(today=TODAY)
    before = key_figures(store, whole)
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}

    # The school makes an optional step required: the old counts are now wrong ...
    set_required(own_protocol, "ouders_pester", True)
    with store.reading() as conn:
        assert not facts.is_current(conn)
        assert sum(facts.differences(conn).values()) > 0
    # ... until the next page start recounts them: every figure equals a fresh count.
    said = []
    Store(any_url).ensure_schema(on_recount=lambda: said.append(True))
    assert said == [True]
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}
    after = key_figures(store, whole)
    assert after["finished_with_all_required"] == all_required_done_by_hand(store)
    assert after["finished_with_all_required"] < before["finished_with_all_required"]
    for filters in filter_incidents()[:16]:
        assert_same_answers(store, filters)

    # Made optional again, and a write comes before any page start: still in step.
    set_required(own_protocol, "ouders_pester", False)
    with store.reading() as conn:
        finished = conn.execute(
            sa.select(incidents.c.id).where(incidents.c.status == "closed").limit(1)
        ).scalar()
    if "gesprekken" in lookup.get_incident(store, finished)["steps"]:
        incident_log.undo_step(store, finished, "gesprekken", actor="t")
    else:
        step = StepDone(step_id="gesprekken", done_on=TODAY, done_by="ib", note="")
        incident_log.record_step(store, finished, step, actor="t")
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}
    assert key_figures(store, whole)["finished_with_all_required"] == (
        all_required_done_by_hand(store)
    )
    # A report added right after an edit is counted once, not twice.
    set_required(own_protocol, "ouders_pester", True)
    incident_log.add_incidents(store, generate(5, seed=3, today=TODAY, years=1), actor="test")
    assert in_step(store) == {"report_facts": 0, "step_facts": 0}
    assert key_figures(store, whole)["reports_in_period"] == lookup.count_incidents(store)
    store.engine.dispose()


def test_a_new_title_is_no_reason_to_recount(any_url, own_protocol):
    from pestdata.db.store import Store

    store = Store(any_url).ensure_schema()
    text = own_protocol.read_text(encoding="utf-8")
    own_protocol.write_text(
        text.replace("titel: Voer gesprekken met de betrokkenen", "titel: Gesprekken voeren"),
        encoding="utf-8",
    )
    assert any(s.title == "Gesprekken voeren" for s in load_protocol())
    with store.reading() as conn:
        assert facts.is_current(conn)
    store.engine.dispose()
