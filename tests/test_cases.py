"""One case as the care team reads it (pestdata.cases): local time and the timeline's order,
against a real SQLite store; the printed case file tells the same story."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from pestdata import caseload, clock, incident_log, reports
from pestdata.caseload import timeline
from pestdata.clock import nl_date
from pestdata.model import validate_incident, validate_step
from pestdata.tables import audit, steps_done


def test_stored_moments_are_shown_in_local_time(monkeypatch):
    winter, summer = datetime(2025, 12, 1, 23, 30), datetime(2025, 7, 1, 22, 15)  # UTC
    assert nl_date(winter) == "02-12-2025 00:30"  # CET, the next day already
    assert nl_date(summer) == "02-07-2025 00:15"  # CEST
    monkeypatch.setenv("PESTDATA_TZ", "UTC")
    assert nl_date(winter) == "01-12-2025 23:30"
    assert clock.zone_note() == "Tijden in de tijdzone UTC"


def test_one_days_entries_appear_in_the_order_they_were_entered(store, valid_incident_data):
    """Reported at 08:00; steun ticked at 09:00, the status changed at 10:00, betrek at 11:00,
    gesprekken at 12:00, all on the report's day: the timeline tells it in that order."""
    incident_id = incident_log.add_incident(
        store, validate_incident(valid_incident_data()), actor="ib"
    )
    day = caseload.get_incident(store, incident_id)["reported_on"]
    moments = {"steun": 9, "betrek": 11, "gesprekken": 12}
    for step_id in ("gesprekken", "steun", "betrek"):  # stored in another order
        step = validate_step({"step_id": step_id, "done_on": day, "done_by": "ib"})
        incident_log.record_step(store, incident_id, step, actor="ib")
    incident_log.change_status(store, incident_id, "in_progress", actor="ib")
    with store.writing() as conn:
        for step_id, hour in moments.items():
            conn.execute(
                steps_done.update()
                .where(steps_done.c.incident_id == incident_id, steps_done.c.step_id == step_id)
                .values(recorded_at=datetime(day.year, day.month, day.day, hour))
            )
        for action, hour in (("create", 8), ("status", 10)):
            conn.execute(
                audit.update()
                .where(audit.c.incident_id == incident_id, audit.c.action == action)
                .values(at=datetime(day.year, day.month, day.day, hour))
            )
    case = caseload.get_incident(store, incident_id)
    shown = [e.what for e in timeline(case, caseload.audit_entries(store, incident_id))]
    expected = [
        "Melding vastgelegd",
        "Steun de leerling",
        "Status: Nieuw",
        "Betrek de leerling",
        "Voer gesprekken",
    ]
    positions = [next(i for i, what in enumerate(shown) if part in what) for part in expected]
    assert positions == sorted(positions), shown


def test_the_printed_case_file_says_its_times_are_local(store, valid_incident_data, tmp_path):
    import subprocess

    incident_id = incident_log.add_incident(
        store, validate_incident(valid_incident_data()), actor="ib"
    )
    with store.writing() as conn:
        conn.execute(
            audit.update()
            .where(audit.c.incident_id == incident_id)
            .values(at=datetime(2025, 12, 1, 23, 30))
        )
        at = conn.execute(sa.select(audit.c.at).where(audit.c.incident_id == incident_id)).scalar()
    pdf = tmp_path / "case.pdf"
    pdf.write_bytes(reports.case_pdf(store, incident_id))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Tijden in Nederlandse tijd (Europe/Amsterdam)" in text
    assert "02-12-2025 00:30" in text and at.strftime("%d-%m-%Y %H:%M") not in text
    assert "UTC" not in text
