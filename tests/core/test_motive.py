"""The motive behind the bullying (model.Motive): through the form, the import in a school's
own words, the export and back, the overview and the yearly report, suppressed where shared."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from helpers import HEADER, csv_bytes, pdf_text, row, write

from pestdata.core import clock
from pestdata.core.choices import Motive
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.db.tables import incidents
from pestdata.documents.year_report import year_report_pdf
from pestdata.incidents import incident_log, lookup
from pestdata.overview.filters import Filters
from pestdata.overview.trends import monthly_trend
from pestdata.people.person import Person
from pestdata.registers.export import export_frame, write_export
from pestdata.registers.importer import import_file
from pestdata.school import school_names

TODAY = date(2026, 3, 16)
YEAR = "2025-2026"


def add(store: Store, n: int, motive: str, pupil_base: int, day=date(2025, 10, 6)) -> None:
    reports = [
        (
            validate_incident(
                {
                    "school": "De Regenboog",
                    "reported_on": day,
                    "reporter": "parent",
                    "pupils": [{"pupil_number": str(pupil_base + i), "role": "target"}],
                    "group": "groep 7",
                    "platforms": ["whatsapp"],
                    "forms": ["ridicule"],
                    "severity": "medium",
                    "motive": motive,
                    "handler": "ib",
                    "description": "x",
                }
            ),
            [],
        )
        for i in range(n)
    ]
    incident_log.add_incidents(store, reports, actor="t")


def test_an_upgraded_database_says_onbekend_for_every_old_report(any_url):
    old = Store(any_url)
    old.migrate("0009")
    with old.writing() as conn:
        conn.execute(
            incidents.insert(),
            {"school": "A", "reported_on": date(2025, 10, 6), "reporter": "pupil",
             "group_name": "groep 7", "age_band": "10-12 jaar", "severity": "medium",
             "status": "new", "handler": "ib", "created_at": clock.now_utc()},
        )  # fmt: skip
    old.ensure_schema()
    assert lookup.get_incident(old, 1)["motive"] == "unknown"
    old.close()


def test_the_form_stores_the_motive_and_the_case_shows_it(sqlite_store):
    from pestdata.core.choices import Platform
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_form import IncidentForm

    school_names.add(sqlite_store, "De Regenboog", "t")
    form = IncidentForm(sqlite_store, Actor(Person("mevr. Jansen", "zorgteam")))
    assert form.fields["motive"].value == "unknown"  # optional: 'Onbekend' unless chosen
    form.fields["reporter"].value = "pupil"
    form.fields["group"].value = "groep 7"
    form.fields["pupils"].rows[0].children[0].value = "123456"
    form.fields["platforms"].boxes[Platform.TIKTOK.value].value = True
    form.fields["forms"].boxes["ridicule"].value = True
    form.fields["description"].value = "Filmpje over haar hoofddoek."
    form.fields["motive"].value = Motive.RELIGION.value
    incident_id = form.submit()
    assert incident_id and form.fields["motive"].value == "unknown"  # reset for the next
    stored = lookup.get_incident(sqlite_store, incident_id)
    assert stored["motive"] == "religion"
    assert ("Motief", ["Geloof"]) in lookup.incident_details(stored)


def test_import_reads_the_motive_in_everyday_words_and_the_export_round_trips(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/m.sqlite").ensure_schema()
    school_names.add(store, "De Regenboog", "t")
    words = ["huidskleur", "homo", "Autisme", "", "weet niet", "bril", "Geloof", "kapsel"]
    path = write(
        tmp_path,
        "motief.csv",
        csv_bytes(
            [{**row(n), "Waarom gepest": word} for n, word in enumerate(words)],
            header=[*HEADER, "Waarom gepest"],
        ),
    )
    report = import_file(store, path, commit=True)
    refused = [(r.row, r.problems) for r in report.rows if r.outcome == "geweigerd"]
    assert [r for r, _ in refused] == [9]  # 'kapsel' is not a word we know: asked, not guessed
    assert refused[0][1][0][0] == "Motief" and "toegestaan: Uiterlijk" in refused[0][1][0][1]
    with store.reading() as conn:
        stored = conn.execute(sa.select(incidents.c.motive).order_by(incidents.c.id)).scalars()
        assert list(stored) == ["origin", "sexual_orientation", "disability", "unknown",
                                "unknown", "appearance", "religion"]  # fmt: skip

    out = tmp_path / "export.xlsx"
    write_export(export_frame(store, Filters()), out)
    again = Store(f"sqlite:///{tmp_path}/again.sqlite").ensure_schema()
    assert import_file(again, out, commit=True, add_schools=True).added == 7
    with again.reading() as conn:
        motives = conn.execute(sa.select(incidents.c.motive).order_by(incidents.c.id)).scalars()
        assert list(motives) == ["origin", "sexual_orientation", "disability", "unknown",
                                 "unknown", "appearance", "religion"]  # fmt: skip


def test_overview_and_yearly_report_count_motives_and_list_small_ones_like_zero(
    sqlite_store, tmp_path
):
    from pestdata.ui.overview.page import Overview

    add(sqlite_store, 12, "appearance", 100000)
    add(sqlite_store, 6, "origin", 200000)
    add(sqlite_store, 2, "religion", 300000)  # small: shared, "< 5" like a motive with none
    filters = Filters.for_school_year(YEAR, today=TODAY)
    trend = monthly_trend(sqlite_store, filters, by="motive")
    assert {r["category"]: r["count"] for r in trend} == {
        "appearance": 12, "origin": 6, "religion": 2}  # fmt: skip

    view = Overview(sqlite_store, today=TODAY)
    view.year.value = YEAR
    view.split_age.value = "motive"
    data = view.age_chart.spec["data"]
    plotted = {t["name"]: [v for v in t["y"] if v] for t in data if any(t["y"])}
    assert plotted == {"Uiterlijk": [10], "Afkomst of huidskleur": [5]}  # rounded to 5
    assert [t["name"] for t in data] == [m.label for m in Motive]  # every motive listed
    texts = {t["name"]: t["text"] for t in data}
    assert texts["Geloof"] == texts["Beperking"] and set(texts["Geloof"]) == {"< 5"}  # 2 and 0

    text = pdf_text(tmp_path, year_report_pdf(sqlite_store, YEAR, minimum=5, today=TODAY), "j")
    assert "Meldingen per motief" in text
    # Every motive listed, Geloof (2) "< 5" as Beperking (0); nothing merged into "Overig".
    assert "Uiterlijk 10" in text and "Afkomst of huidskleur 5" in text
    assert "Geloof < 5" in text and "Beperking < 5" in text
    assert "Overig" not in text and not re.search(r"Geloof [1-4]\b", text)
