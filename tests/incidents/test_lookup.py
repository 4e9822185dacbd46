"""One case as the care team reads it (pestdata.incidents): local time and the timeline's order,
against a real SQLite store; the printed case file tells the same story."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from pestdata.core import clock
from pestdata.core.choices import ALL
from pestdata.core.clock import nl_date
from pestdata.core.markup import number
from pestdata.core.model import validate_incident, validate_step
from pestdata.db.tables import audit, steps_done
from pestdata.documents.incident_file import incident_pdf
from pestdata.incidents import incident_log, lookup
from pestdata.incidents.incident_file import gather_incident_file
from pestdata.incidents.lookup import timeline
from pestdata.school import school_names


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
    day = lookup.get_incident(store, incident_id)["reported_on"]
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
    incident = lookup.get_incident(store, incident_id)
    shown = [e.what for e in timeline(incident, lookup.audit_entries(store, incident_id))]
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
    pdf.write_bytes(incident_pdf(gather_incident_file(store, incident_id)))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Tijden in Nederlandse tijd (Europe/Amsterdam)" in text
    assert "02-12-2025 00:30" in text and at.strftime("%d-%m-%Y %H:%M") not in text
    assert "UTC" not in text


# --- the case list at the size of a big school --------------------------------------------


def test_the_list_pages_through_thousands_with_the_total_shown(five_thousand_store):
    from pestdata.db.tables import incidents
    from pestdata.ui.incident_list import SHOWN, IncidentList

    store, _ = five_thousand_store
    listing = IncidentList(store, on_open=lambda _: None)
    listing.status.value = ALL
    with store.reading() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar()
    assert total == 5003
    assert f"1–{SHOWN} van {number(total)} meldingen" in listing.count.value
    assert listing.previous.disabled and not listing.next.disabled
    first = [value for _, value in listing.incidents.options]
    listing.next.click()
    assert f"{SHOWN + 1}–{2 * SHOWN} van {number(total)} meldingen" in listing.count.value
    second = [value for _, value in listing.incidents.options]
    assert len(second) == SHOWN and not set(first) & set(second)
    for _ in range(total // SHOWN + 3):  # beyond the end on purpose: it stays at the last
        listing.next.click()
    last = total - total % SHOWN + 1
    assert (
        f"{number(last)}–{number(total)} van {number(total)} meldingen" in listing.count.value
        and listing.next.disabled
    )
    school = school_names.names(store)[0]
    listing.school.value = school  # a filter starts at the first page again
    with store.reading() as conn:
        theirs = conn.execute(
            sa.select(sa.func.count()).select_from(incidents).where(incidents.c.school == school)
        ).scalar()
    assert theirs > SHOWN and f"1–{SHOWN} van {number(theirs)} meldingen" in listing.count.value
    assert all(f" · {school} · " in label for label, _ in listing.incidents.options)


def test_the_incident_form_counts_its_wrong_fields_in_proper_dutch(store):
    import re

    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_form import IncidentForm

    form = IncidentForm(store, Actor(Person("t", "zorgteam")))
    form.submit()  # everything missing
    count = re.search(r"Niet opgeslagen: (\d+) velden kloppen niet\.", form.result.value)
    assert count and int(count.group(1)) >= 2, form.result.value
    assert "veld(en)" not in form.result.value


def test_a_report_from_before_last_school_year_asks_once_then_saves(store):
    from pestdata.core.choices import Platform
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_form import IncidentForm, long_ago

    school_names.add(store, "De Regenboog", "t")
    form = IncidentForm(store, Actor(Person("mevr. Jansen", "zorgteam")))
    before = lookup.count_incidents(store)

    def fill(day):
        form.fields["reported_on"].value = day
        form.fields["reporter"].value = "pupil"
        form.fields["group"].value = "groep 7"
        form.fields["pupils"].rows[0].children[0].value = "123456"
        form.fields["platforms"].boxes[Platform.WHATSAPP.value].value = True
        form.fields["forms"].boxes["gossip"].value = True
        form.fields["description"].value = "Roddels in de klassenapp."

    fill(date(1999, 11, 3))  # 2025 typed as 1999
    assert form.submit() is None
    assert "De datum van de melding is 03-11-1999, van vóór het vorige schooljaar." in (
        form.result.value
    )
    assert form.old_date_ok.layout.display == "" and lookup.count_incidents(store) == before
    form.old_date_ok.click()  # "Ja, de datum klopt"
    assert "opgeslagen" in form.result.value and form.old_date_ok.layout.display == "none"
    assert lookup.count_incidents(store) == before + 1

    fill(long_ago(clock.today()))  # the first day of last school year: no question
    assert form.submit() is not None
    assert lookup.count_incidents(store) == before + 2


def test_the_care_teams_page_builds_after_a_warm_up_closed_every_widget(store):
    """A preheated kernel closes every widget of its warm-up build (preheat.warm_up); a
    module-level Layout shared by the form died with them and broke the next build."""
    import ipywidgets as w

    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.meldingen import meldingen_app

    school_names.add(store, "De Regenboog", "t")
    meldingen_app(store, Actor(Person("t", "zorgteam")))
    w.Widget.close_all()
    page = meldingen_app(store, Actor(Person("t", "zorgteam")))
    assert page.children and page.tabs.tab("Nieuwe melding").fields["school"].value


def test_the_care_teams_tabs_are_found_by_their_titles(store, valid_incident_data):
    """The page's tabs by title, never by place: 'Signalen' is counted when it opens (not at
    page load), and a case opened from the signals shows on 'Meldingen'."""
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_view import IncidentView
    from pestdata.ui.meldingen import meldingen_app

    incident_id = incident_log.add_incident(store, validate_incident(valid_incident_data()), "t")
    tabs = meldingen_app(store, Actor(Person("t", "zorgteam"))).tabs
    assert tabs.titles == ("Nieuwe melding", "Meldingen", "Signalen", "Import en export")
    assert tabs.children[tabs.titles.index("Signalen")].children == ()  # not built at load
    found = tabs.tab("Signalen")
    assert "Bijwerken" in found.result.value  # not read at page load
    tabs.show("Signalen")
    assert tabs.titles[tabs.selected_index] == "Signalen"
    assert "Herhaaldelijk gepest" in found.result.value  # counted as the tab opened
    found.on_open(incident_id)  # a case chosen among the signals
    assert tabs.titles[tabs.selected_index] == "Meldingen"
    (incident,) = [c for c in tabs.tab("Meldingen").children if isinstance(c, IncidentView)]
    assert incident.incident_id == incident_id and incident.details.value


def care_page(store):
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.meldingen import meldingen_app

    return meldingen_app(store, Actor(Person("mevr. Jansen", "zorgteam")))


def test_the_care_teams_list_is_built_when_first_opened_and_shows_what_was_saved_before(store):
    """The page opens on the form; the list tab is built (and read) on its first opening,
    so a report saved before that is in it, and one saved after it is added at once."""
    from pestdata.core.choices import Platform

    school_names.add(store, "De Regenboog", "t")
    tabs = care_page(store).tabs
    assert tabs.titles[tabs.selected_index] == "Nieuwe melding"
    assert tabs.built("Meldingen") is None
    assert tabs.children[tabs.titles.index("Meldingen")].children == ()
    form = tabs.tab("Nieuwe melding")

    def save_one(pupil: str) -> int:
        form.fields["reporter"].value = "pupil"
        form.fields["group"].value = "groep 7"
        form.fields["pupils"].rows[0].children[0].value = pupil
        form.fields["platforms"].boxes[Platform.WHATSAPP.value].value = True
        form.fields["forms"].boxes["gossip"].value = True
        form.fields["description"].value = "Roddels in de klassenapp."
        incident_id = form.submit()
        assert incident_id is not None, form.result.value
        return incident_id

    first = save_one("123456")  # the list not built: nothing to refresh, nothing breaks
    tabs.show("Meldingen")
    listing = tabs.built("Meldingen").listing
    assert [value for _, value in listing.incidents.options] == [first]
    second = save_one("654321")
    assert {value for _, value in listing.incidents.options} == {first, second}


def test_the_forms_check_boxes_and_error_lines_share_one_look_and_keep_their_own_values(store):
    """Each Layout and style is a model the browser receives at page load: the form's twenty
    check boxes and twelve error lines share one each per kind (ui/common.one_look). A
    value, a class and an error stay each widget's own, and the page sends about half the
    models it did (292 before)."""
    from ipywidgets.widgets.widget import _instances  # every open widget model, by id

    school_names.add(store, "De Regenboog", "t")
    known = set(_instances)
    page = care_page(store)
    models = set(_instances) - known
    assert len(models) <= 160, len(models)
    form = page.tabs.tab("Nieuwe melding")
    for group in ("platforms", "forms"):
        boxes = list(form.fields[group].boxes.values())
        assert len({id(box.layout) for box in boxes}) == 1
        assert len({id(box.style) for box in boxes}) == 1
        boxes[0].value = True
        assert [box.value for box in boxes].count(True) == 1
    errors = list(form.errors.values())
    assert len({id(box.layout) for box in errors}) == 1 and len(errors) == len(form.fields)
    assert form.submit() is None  # nothing filled in: errors beside the fields
    assert "kies wie het meldde" in form.errors["reporter"].value
    assert not form.errors["handler"].value  # filled in with the person's name
    assert "pd-error-reporter" in form.errors["reporter"]._dom_classes
    assert "pd-error-reporter" not in form.errors["handler"]._dom_classes
