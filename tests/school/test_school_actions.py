"""The school-wide checklist ("Heb je de acties uitgevoerd?") and lessons given, on a real
SQLite file: store, analytics and the checklist's HTML, print page and download link."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from pestdata.core import clock
from pestdata.core.guidance import load_guidance
from pestdata.core.model import (
    InvalidInput,
    LessonGiven,
    SchoolActionDone,
    validate,
    validate_incident,
)
from pestdata.db.tables import audit, lessons_given, school_actions_done
from pestdata.incidents import incident_log
from pestdata.overview.filters import Filters
from pestdata.overview.lists import lesson_coverage, school_action_status
from pestdata.school import school_records
from pestdata.ui.common import download_link
from pestdata.ui.school_actions import checklist_html, print_page

SCHOOL = "De Regenboog"
OTHER = "Het Baken"
# Written by hand from data/guidance.yaml's checklist, in its order.
ACTION_IDS = [
    "meldknop_geinstalleerd",
    "besproken_in_klas",
    "ouderavond",
    "in_pestprotocol",
    "materialen_gelezen",
    "veiligheidscentrum_bezocht",
]


def tick(store, action_id, school=SCHOOL, done_on=date(2024, 3, 4), done_by="Mw. Jansen", note=""):
    record = validate(
        SchoolActionDone,
        {
            "school": school,
            "action_id": action_id,
            "done_on": done_on,
            "done_by": done_by,
            "note": note,
        },
    )
    school_records.record_school_action(store, record, actor="tester")


def rows(store, table, *where) -> list[dict]:
    with store.reading() as conn:
        return [r._asdict() for r in conn.execute(sa.select(table).where(*where))]


def audit_rows(store, action) -> list[dict]:
    return rows(store, audit, audit.c.action == action)


def add_incident(store, valid_incident_data, **changes) -> int:
    return incident_log.add_incident(
        store, validate_incident(valid_incident_data(**changes)), actor="tester"
    )


# --- ticking and unticking --------------------------------------------------------------------


def test_record_stores_one_row_with_an_audit_row(store):
    tick(store, "ouderavond", note="Avond met 40 ouders")
    stored = rows(store, school_actions_done)
    assert len(stored) == 1
    row = stored[0]
    assert (row["school"], row["action_id"]) == (SCHOOL, "ouderavond")
    assert row["done_on"] == date(2024, 3, 4)
    assert row["done_by"] == "Mw. Jansen"
    assert row["note"] == "Avond met 40 ouders"
    assert row["recorded_at"] is not None

    logged = audit_rows(store, "school_action_done")
    assert len(logged) == 1
    entry = logged[0]
    assert entry["actor"] == "tester"
    assert entry["field"] == "ouderavond"
    assert entry["incident_id"] is None
    assert entry["old_value"] is None
    new = json.loads(entry["new_value"])
    assert new["school"] == SCHOOL and new["action_id"] == "ouderavond"
    assert new["done_on"] == "2024-03-04" and new["done_by"] == "Mw. Jansen"


def test_school_actions_done_reads_back(store):
    tick(store, "ouderavond", done_on=date(2024, 3, 4))
    tick(store, "besproken_in_klas", done_on=date(2024, 2, 1))
    tick(store, "ouderavond", school=OTHER)
    mine = school_records.school_actions_done(store, [SCHOOL])
    assert [d["action_id"] for d in mine] == ["besproken_in_klas", "ouderavond"]  # by date
    assert {d["school"] for d in school_records.school_actions_done(store)} == {SCHOOL, OTHER}
    assert len(school_records.school_actions_done(store)) == 3


def test_second_tick_of_the_same_action_is_refused(store):
    tick(store, "ouderavond")
    with pytest.raises(InvalidInput) as caught:
        tick(store, "ouderavond", done_on=date(2024, 3, 5), done_by="Dhr. Bakker")
    assert set(caught.value.errors) == {"action_id"}
    assert "is al afgevinkt" in caught.value.errors["action_id"]
    assert "Ouderavond over kinderen en sociale media gehouden" in caught.value.errors["action_id"]
    assert str(caught.value).startswith("Actie: ")
    # nothing changed: still the first tick, one audit row
    stored = rows(store, school_actions_done)
    assert [(r["done_on"], r["done_by"]) for r in stored] == [(date(2024, 3, 4), "Mw. Jansen")]
    assert len(audit_rows(store, "school_action_done")) == 1


def test_the_database_itself_refuses_a_duplicate(store, tmp_path):
    tick(store, "ouderavond")
    with sqlite3.connect(tmp_path / "t.sqlite") as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO school_actions_done (school, action_id, done_on, done_by, note, "
                "recorded_at) VALUES (?, ?, '2024-03-05', 'x', '', '2024-03-05 10:00:00')",
                (SCHOOL, "ouderavond"),
            )


def test_the_same_action_for_another_school_is_fine(store):
    tick(store, "ouderavond")
    tick(store, "ouderavond", school=OTHER)
    stored = rows(store, school_actions_done)
    assert sorted(r["school"] for r in stored) == [SCHOOL, OTHER]
    assert len(audit_rows(store, "school_action_done")) == 2


def test_unknown_action_is_refused(store):
    with pytest.raises(InvalidInput) as caught:
        tick(store, "koffie_gezet")
    assert set(caught.value.errors) == {"action_id"}
    assert "'koffie_gezet' staat niet in de checklist" in caught.value.errors["action_id"]
    assert rows(store, school_actions_done) == []
    assert audit_rows(store, "school_action_done") == []


def test_future_date_is_refused():
    tomorrow = clock.today() + timedelta(days=1)
    data = {"school": SCHOOL, "action_id": "ouderavond", "done_by": "Mw. Jansen"}
    with pytest.raises(InvalidInput) as caught:
        validate(SchoolActionDone, {**data, "done_on": tomorrow})
    assert set(caught.value.errors) == {"done_on"}
    assert "toekomst" in caught.value.errors["done_on"]
    assert validate(SchoolActionDone, {**data, "done_on": clock.today()}).done_on == clock.today()


@pytest.mark.parametrize(
    ("field", "value"), [("school", "  "), ("done_by", ""), ("done_on", None), ("done_on", "")]
)
def test_missing_fields_are_refused(field, value):
    data = {
        "school": SCHOOL,
        "action_id": "ouderavond",
        "done_on": date(2024, 3, 4),
        "done_by": "Mw. Jansen",
    }
    with pytest.raises(InvalidInput) as caught:
        validate(SchoolActionDone, {**data, field: value})
    assert field in caught.value.errors
    assert "verplicht" in caught.value.errors[field]


def test_undo_removes_it_and_audits_the_old_value(store):
    tick(store, "ouderavond", note="veertig ouders")
    tick(store, "ouderavond", school=OTHER)
    school_records.undo_school_action(store, SCHOOL, "ouderavond", actor="Dhr. Bakker")

    assert [r["school"] for r in rows(store, school_actions_done)] == [OTHER]
    logged = audit_rows(store, "school_action_undone")
    assert len(logged) == 1
    entry = logged[0]
    assert entry["actor"] == "Dhr. Bakker"
    assert entry["field"] == "ouderavond"
    assert entry["new_value"] is None
    old = json.loads(entry["old_value"])
    assert old["school"] == SCHOOL and old["action_id"] == "ouderavond"
    assert old["done_on"] == "2024-03-04" and old["done_by"] == "Mw. Jansen"
    assert old["note"] == "veertig ouders"
    # undone, it can be ticked again
    tick(store, "ouderavond", done_on=date(2024, 4, 1))
    assert len(school_records.school_actions_done(store, [SCHOOL])) == 1


def test_undo_of_something_not_ticked_is_refused(store):
    tick(store, "ouderavond", school=OTHER)
    with pytest.raises(InvalidInput) as caught:
        school_records.undo_school_action(store, SCHOOL, "ouderavond", actor="tester")
    assert set(caught.value.errors) == {"action_id"}
    assert "niet afgevinkt" in caught.value.errors["action_id"]
    assert len(rows(store, school_actions_done)) == 1  # the other school's tick stays
    assert audit_rows(store, "school_action_undone") == []


# --- the checklist status ---------------------------------------------------------------------


def test_status_for_a_school_with_two_of_six_done(store):
    tick(store, "in_pestprotocol", done_on=date(2024, 1, 10), done_by="Mw. Jansen")
    tick(store, "ouderavond", done_on=date(2024, 2, 20), done_by="Dhr. Bakker")
    tick(store, "besproken_in_klas", school=OTHER)
    status = school_action_status(store, (SCHOOL,))
    assert len(status) == 6
    assert {a.school for a in status} == {SCHOOL}
    assert sum(a.done for a in status) == 2
    assert [a.action_id for a in status] == ACTION_IDS
    assert [a.title for a in status] == [a.title for a in load_guidance().school_actions]
    assert status[2].title == "Ouderavond over kinderen en sociale media gehouden"
    by_id = {a.action_id: a for a in status}
    assert by_id["in_pestprotocol"].done_on == date(2024, 1, 10)
    assert by_id["in_pestprotocol"].done_by == "Mw. Jansen"
    assert by_id["ouderavond"].done_on == date(2024, 2, 20)
    assert by_id["ouderavond"].done_by == "Dhr. Bakker"
    open_ones = {i: a for i, a in by_id.items() if not a.done}
    assert len(open_ones) == 4
    assert "besproken_in_klas" in open_ones  # ticked by the other school only
    assert all(a.done_on is None for a in open_ones.values())
    assert all(a.done_by == "" for a in open_ones.values())


def test_status_without_schools_takes_them_from_incidents_and_ticks(store, valid_incident_data):
    add_incident(store, valid_incident_data, school=SCHOOL)
    tick(store, "ouderavond", school=OTHER)  # a school with no reports, only a tick
    status = school_action_status(store)
    assert len(status) == 12
    assert list(dict.fromkeys(a.school for a in status)) == [SCHOOL, OTHER]  # sorted
    assert sum(a.done for a in status if a.school == OTHER) == 1
    assert sum(a.done for a in status if a.school == SCHOOL) == 0


def test_status_of_an_empty_store(store):
    assert school_action_status(store) == []


# --- lessons given ----------------------------------------------------------------------------


def lesson(store, material_id="web_we_want", group="klas 2", given_on=date(2024, 3, 4), **kw):
    record = validate(
        LessonGiven,
        {
            "school": kw.get("school", SCHOOL),
            "material_id": material_id,
            "group": group,
            "given_on": given_on,
            "given_by": "Mw. Jansen",
        },
    )
    return school_records.log_lesson(store, record, actor="tester")


def test_log_lesson_stores_the_age_band_of_the_group(store):
    lesson_id = lesson(store, group="Klas2")
    stored = rows(store, lessons_given)
    assert len(stored) == 1
    row = stored[0]
    assert row["id"] == lesson_id
    assert row["group_name"] == "klas 2"
    assert row["age_band"] == "12-14 jaar"
    assert row["material_id"] == "web_we_want"
    assert row["given_on"] == date(2024, 3, 4)
    logged = audit_rows(store, "lesson_given")
    assert len(logged) == 1 and logged[0]["actor"] == "tester"
    assert json.loads(logged[0]["new_value"])["group"] == "klas 2"


@pytest.mark.parametrize(
    ("group", "band"),
    [("groep 1", "4-7 jaar"), ("groep 5", "8-11 jaar"), ("klas 4", "15-18 jaar")],
)
def test_log_lesson_age_bands(store, group, band):
    lesson(store, material_id="e_safety_kit", group=group)
    assert rows(store, lessons_given)[0]["age_band"] == band


def test_unknown_material_is_refused(store):
    with pytest.raises(InvalidInput) as caught:
        lesson(store, material_id="geen_materiaal")
    assert set(caught.value.errors) == {"material_id"}
    assert rows(store, lessons_given) == []
    assert audit_rows(store, "lesson_given") == []


@pytest.mark.parametrize("group", ["groep 9", "klas 7", "groep 0", "3B"])
def test_unknown_group_is_refused(group):
    with pytest.raises(InvalidInput) as caught:
        validate(
            LessonGiven,
            {
                "school": SCHOOL,
                "material_id": "wijs",
                "group": group,
                "given_on": date(2024, 3, 4),
                "given_by": "Mw. Jansen",
            },
        )
    assert set(caught.value.errors) == {"group"}
    assert "groep 1 t/m 8 of klas 1 t/m 6" in caught.value.errors["group"]


def test_future_lesson_is_refused():
    with pytest.raises(InvalidInput) as caught:
        validate(
            LessonGiven,
            {
                "school": SCHOOL,
                "material_id": "wijs",
                "group": "groep 7",
                "given_on": clock.today() + timedelta(days=1),
                "given_by": "Mw. Jansen",
            },
        )
    assert set(caught.value.errors) == {"given_on"}


def coverage(groups) -> dict[str, int]:
    return {g.group: g.lessons for g in groups}


def test_lesson_coverage_for_a_primary_school_in_a_school_year(store, valid_incident_data):
    add_incident(store, valid_incident_data, school=SCHOOL, group="groep 7")
    add_incident(store, valid_incident_data, school=SCHOOL, group="groep 3")
    add_incident(store, valid_incident_data, school=OTHER, group="klas 2")
    # in school year 2023-2024 (1 August 2023 to 31 July 2024)
    lesson(store, "slim_online", "groep 7", date(2023, 8, 1))
    lesson(store, "slim_online", "groep 7", date(2024, 7, 31))
    lesson(store, "slim_online", "groep 8", date(2024, 1, 15))
    lesson(store, "spelend_leren", "groep 2", date(2023, 10, 2))
    # outside it
    lesson(store, "slim_online", "groep 7", date(2023, 7, 31))
    lesson(store, "slim_online", "groep 8", date(2024, 8, 1))
    # another school
    lesson(store, "web_we_want", "klas 2", date(2024, 1, 15), school=OTHER)
    lesson(store, "slim_online", "groep 7", date(2024, 1, 15), school=OTHER)

    groups = lesson_coverage(store, Filters.for_school_year("2023-2024", schools=(SCHOOL,)))
    assert [g.group for g in groups] == [f"groep {n}" for n in range(1, 9)]  # no klas
    counts = coverage(groups)
    assert counts == {
        "groep 1": 0,
        "groep 2": 1,
        "groep 3": 0,
        "groep 4": 0,
        "groep 5": 0,
        "groep 6": 0,
        "groep 7": 2,
        "groep 8": 1,
    }
    assert {g.group: g.age_band for g in groups}["groep 7"] == "8-11 jaar"

    # the next school year sees only the lesson of 1 August 2024
    next_year = Filters.for_school_year("2024-2025", schools=(SCHOOL,))
    later = coverage(lesson_coverage(store, next_year))
    assert later["groep 8"] == 1 and sum(later.values()) == 1


def test_lesson_coverage_for_a_secondary_school_and_for_all_schools(store, valid_incident_data):
    add_incident(store, valid_incident_data, school=SCHOOL, group="groep 7")
    add_incident(store, valid_incident_data, school=OTHER, group="klas 2")
    lesson(store, "web_we_want", "klas 2", date(2024, 1, 15), school=OTHER)
    lesson(store, "slim_online", "groep 7", date(2024, 1, 15), school=SCHOOL)

    secondary = lesson_coverage(store, Filters.for_school_year("2023-2024", schools=(OTHER,)))
    assert [g.group for g in secondary] == [f"klas {n}" for n in range(1, 7)]
    assert coverage(secondary)["klas 2"] == 1 and sum(coverage(secondary).values()) == 1

    both = lesson_coverage(store, Filters.for_school_year("2023-2024"))
    assert len(both) == 14  # groep 1-8 and klas 1-6
    assert coverage(both)["klas 2"] == 1 and coverage(both)["groep 7"] == 1


# --- the checklist as HTML, the print page and its download -----------------------------------


def test_checklist_html_counts_and_shows_who_and_when(store):
    tick(store, "in_pestprotocol", done_on=date(2024, 1, 10), done_by="Mw. Jansen")
    tick(store, "ouderavond", done_on=date(2024, 2, 20), done_by="Dhr. Bakker")
    tick(store, "besproken_in_klas", school=OTHER)
    html = checklist_html(school_action_status(store, (SCHOOL, OTHER)))
    assert f"<b>{SCHOOL}</b>: 2 van 6 acties gedaan" in html
    assert f"<b>{OTHER}</b>: 1 van 6 acties gedaan" in html
    assert "✓ Online pesten is onderdeel van het anti-pestprotocol" in html
    assert "(10-01-2024, Mw. Jansen)" in html
    assert "(20-02-2024, Dhr. Bakker)" in html
    assert html.count("(nog open)") == 4 + 5
    assert html.count("<li class='pd-done'>") == 3


def test_checklist_html_escapes_school_and_name(store):
    school = "<b>Basisschool</b> & Zn"
    tick(store, "ouderavond", school=school, done_by="<script>alert(1)</script>")
    html = checklist_html(school_action_status(store, (school,)))
    assert "<script>" not in html and "<b>Basisschool</b>" not in html
    assert "&lt;b&gt;Basisschool&lt;/b&gt; &amp; Zn" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 van 6 acties gedaan" in html


def test_checklist_html_without_schools(store):
    assert "er is nog geen school bekend" in checklist_html(school_action_status(store))


class Page(HTMLParser):
    """Collects the text of <title>, <h1> and each <li>."""

    def __init__(self, html: str):
        super().__init__()
        self.texts: dict[str, list[str]] = {"title": [], "h1": [], "li": []}
        self.tags: list[str] = []
        self.current: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in self.texts:
            self.current = tag
            self.texts[tag].append("")

    def handle_endtag(self, tag):
        if tag == self.current:
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.texts[self.current][-1] += data


def test_print_page_is_a_full_document_with_every_action(store):
    tick(store, "ouderavond", done_on=date(2024, 2, 20), done_by="Dhr. Bakker")
    status = school_action_status(store, (SCHOOL,))
    page = print_page(status, date(2024, 3, 15))
    assert page.lower().startswith("<!doctype html>")
    assert page.rstrip().endswith("</html>")
    assert "<html lang='nl'>" in page and "charset='utf-8'" in page
    parsed = Page(page)
    assert parsed.texts["h1"] == ["Heb je de acties uitgevoerd?"]
    assert parsed.texts["title"] and parsed.texts["title"][0].strip()
    assert "Stand van 15-03-2024" in page
    items = parsed.texts["li"]
    assert len(items) == 6
    titles = [a.title for a in load_guidance().school_actions]
    for title, item in zip(titles, items, strict=True):
        assert title in item
        if title.startswith("Ouderavond"):
            assert item.startswith("✓") and "20-02-2024, Dhr. Bakker" in item
        else:
            assert item.startswith("○") and "nog open" in item
    assert f"<b>{SCHOOL}</b>: 1 van 6 acties gedaan" in page


def test_download_link_decodes_back_to_the_page(store):
    tick(store, "ouderavond", done_by="Jaïr de Vrïes")  # non-ASCII survives the round trip
    page = print_page(school_action_status(store, (SCHOOL,)), date(2024, 3, 15))
    link = download_link(
        page.encode("utf-8"),
        "schoolacties.html",
        "text/html;charset=utf-8",
        "Download de afdrukversie",
    )
    assert 'download="schoolacties.html"' in link
    match = re.search(r'href="data:text/html;charset=utf-8;base64,([A-Za-z0-9+/=]+)"', link)
    assert match, link
    assert base64.b64decode(match.group(1), validate=True).decode("utf-8") == page
    assert "Download de afdrukversie" in link


def test_download_link_escapes_the_file_name():
    link = download_link(b"<p>x</p>", 'a"><script>.html', "text/html", "Download")
    assert "<script>" not in link
    assert 'download="a&quot;&gt;&lt;script&gt;.html"' in link
