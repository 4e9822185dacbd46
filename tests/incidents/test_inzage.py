"""Inzageverzoek (AVG): the request with its due date, and the file for one pupil in which
no other pupil's number survives, read back from the PDF with pdftotext. The file is
gathered (and audited) once, then laid out without a database."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from helpers import add_incident, audit_count, cli, pdf_text, without_database

from pestdata.core import clock
from pestdata.core.model import InvalidInput
from pestdata.db.store import NotFound, Store
from pestdata.db.tables import audit
from pestdata.documents.inzage_file import inzage_pdf
from pestdata.incidents import access_requests
from pestdata.incidents.inzage_file import gather_inzage_file

SUBJECT = "482913"
OTHERS = ("551204", "551377", "LL-2024-017", "609918")
OUTSIDER = "777123"  # in another case only, but named in a description


@pytest.fixture
def store(any_store, names_here):  # the file is made with the names in free text checked
    return any_store


@pytest.fixture
def three_incidents(store):
    return add_three_incidents(store)


def add_three_incidents(store):
    add_incident(store, date(2025, 9, 1), [(OUTSIDER, "target")], "Los van de rest.")
    add_incident(store, date(2025, 10, 1), [(SUBJECT, "target"), (OTHERS[0], "bully"),
                                        (OTHERS[1], "bully")],
             f"Groepsapp; {OTHERS[0]} begon, {OTHERS[1]} deed mee.",
             note=f"Gesprek met {OTHERS[0]} gehad.")  # fmt: skip
    add_incident(store, date(2025, 11, 5), [(SUBJECT, "target"), (OTHERS[2], "bully")],
             f"Filmpje gedeeld door {OTHERS[2]}; ook {OUTSIDER} zag het.")  # fmt: skip
    add_incident(store, date(2026, 1, 12), [(SUBJECT, "bully"), (OTHERS[3], "target")],
             f"Nu zelf pester tegen {OTHERS[3]}. Zie ook {OTHERS[0]}.")  # fmt: skip
    return store


def test_a_request_is_due_a_month_after_receipt_and_may_be_extended_with_a_reason(store):
    first = access_requests.register(store, SUBJECT, date(2025, 1, 31), "ouder", "mevr. Jansen")
    second = access_requests.register(store, "551204", date(2025, 3, 3), "leerling zelf", "ib")
    due = {r.id: r.due_on for r in access_requests.open_requests(store)}
    assert due == {first: date(2025, 2, 28), second: date(2025, 4, 3)}  # no 31 feb
    with pytest.raises(InvalidInput, match="geef de reden"):
        access_requests.extend(store, first, " ", "ib")
    assert access_requests.extend(store, first, "veel dossiers", "ib") == date(2025, 4, 30)
    with pytest.raises(InvalidInput, match="al verlengd"):
        access_requests.extend(store, first, "nog eens", "ib")
    access_requests.answer(store, second, "ib")
    [left] = access_requests.open_requests(store)
    assert (left.id, left.extension_reason) == (first, "veel dossiers")
    assert left.days_left(date(2025, 4, 28)) == 2
    with pytest.raises(InvalidInput) as refused:
        access_requests.register(store, "Jan de Vries", clock.today(), "", "ib")
    assert set(refused.value.errors) == {"pupil_number", "requested_by"}
    with store.reading() as conn:
        actions = conn.execute(sa.select(audit.c.action, audit.c.actor)).all()
    assert ("access_request", "mevr. Jansen") in actions
    assert ("access_request_extended", "ib") in actions


def test_the_file_holds_the_pupil_and_no_other_pupils_number(three_incidents, tmp_path):
    gathered = gather_inzage_file(three_incidents, SUBJECT, "mevr. Jansen", today=date(2026, 2, 1))
    text = pdf_text(tmp_path, inzage_pdf(gathered), "inzage")
    flat = " ".join(text.split())
    assert SUBJECT in text
    for number in (*OTHERS, OUTSIDER):
        assert number not in text, number
    assert flat.count("Melding #") == 3 and "Los van de rest" not in text  # not their case
    # One letter per pupil, the same everywhere in the file (first seen, first letter).
    assert "leerling A begon, leerling B deed mee" in flat
    assert "Gesprek met leerling A gehad" in flat
    assert "Filmpje gedeeld door leerling C; ook leerling E zag het" in flat
    assert "Nu zelf pester tegen leerling D. Zie ook leerling A." in flat
    with three_incidents.reading() as conn:
        entry = conn.execute(
            sa.select(audit.c.actor, audit.c.new_value).where(audit.c.action == "inzage_file")
        ).one()
    assert entry.actor == "mevr. Jansen"
    assert json.loads(entry.new_value)["leerling"] == SUBJECT
    assert len(json.loads(entry.new_value)["meldingen"]) == 3


def test_no_file_for_a_pupil_without_cases(store):
    with pytest.raises(NotFound):
        gather_inzage_file(store, "999999", "ib")


def test_the_file_is_laid_out_from_what_was_gathered_without_a_database(
    names_here, sqlite_store, tmp_path, monkeypatch
):
    """Gathering is the file made (one audit row) and already holds no other pupil's number;
    laying it out reads and writes nothing: twice the same file and no second audit row,
    and the same file again once the database is gone."""
    store = add_three_incidents(sqlite_store)
    audited = audit_count(store)
    gathered = gather_inzage_file(store, SUBJECT, "mevr. Jansen", today=date(2026, 2, 1))
    assert audit_count(store) == audited + 1
    for number in (*OTHERS, OUTSIDER):
        assert number not in repr(gathered), number
    made = inzage_pdf(gathered)
    assert inzage_pdf(gathered) == made
    assert audit_count(store) == audited + 1

    gone = without_database(store, monkeypatch)
    again = inzage_pdf(gathered)
    assert again == made and not gone.exists()
    flat = " ".join(pdf_text(tmp_path, again, "pure-inzage").split())
    assert f"Inzage: gegevens over leerling {SUBJECT}" in flat
    assert flat.count("Melding #") == 3
    assert "leerling A begon, leerling B deed mee" in flat
    assert "Filmpje gedeeld door leerling C; ook leerling E zag het" in flat
    for number in (*OTHERS, OUTSIDER):
        assert number not in flat, number


def test_cli_makes_the_file_and_says_it_in_dutch(tmp_path):
    url = f"sqlite:///{tmp_path}/c.sqlite"
    store = Store(url).ensure_schema()
    add_incident(store, date(2025, 10, 1), [(SUBJECT, "target"), (OTHERS[0], "bully")], "x")
    out = tmp_path / "inzage.pdf"
    done = cli("inzage", SUBJECT, "--db", url, "--out", str(out), "--by", "mevr. Jansen")
    assert done.returncode == 0, done.stderr
    assert f"Inzagebestand van leerling {SUBJECT} in {out}." in done.stdout
    assert (out.stat().st_mode & 0o777) == 0o600
    missing = cli("inzage", "999999", "--db", url, "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and "geen meldingen over leerling 999999" in missing.stderr


def test_the_care_team_registers_a_request_and_makes_the_file_on_the_page(three_incidents):
    from pestdata.people.person import Person
    from pestdata.ui.access import AccessRequests
    from pestdata.ui.common import Actor

    view = AccessRequests(three_incidents, Actor(Person("mevr. Jansen", "zorgteam")))
    assert "Geen open inzageverzoeken" in view.listing.value
    view.pupil.value, view.by.value = SUBJECT, "ouder"
    view.received.value = clock.today()
    view.add.click()
    assert "vastgelegd" in view.result.value and SUBJECT in view.listing.value
    view.make.click()
    assert re.search(r"href=.data:application/pdf;base64,", view.result.value)
    view.done.click()
    assert "Geen open inzageverzoeken" in view.listing.value
