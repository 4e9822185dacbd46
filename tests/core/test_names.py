"""Names stay out of free text (issue 22, part 3): deduce's name detector (names.py) warns in
the form, in an addition and in a step note; the import lists rows with a name; the inzage
file says 'persoon 1' instead; the care team's export marks the text.

The detector is loaded once per run (conftest `name_detector`, ~1 s to build its lists)."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
import sqlalchemy as sa
from helpers import add_incident, cli_process, pdf_text

from pestdata.core import names
from pestdata.core.choices import Platform
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.db.tables import audit
from pestdata.documents.inzage_file import inzage_pdf
from pestdata.incidents import audit_rows, incident_log, lookup
from pestdata.incidents.inzage_file import gather_inzage_file
from pestdata.overview.filters import Filters
from pestdata.registers.export import export_frame
from pestdata.school import school_names

NAMED = "Daan de Boer (204533) stuurde de foto door naar Fatima en Sanne."
WARNING = "Er lijkt een naam in te staan: 'Daan de Boer'. Gebruik het leerlingnummer."


def audit_actions(store: Store) -> list[tuple[str, str | None]]:
    with store.reading() as conn:
        return [
            (r.action, r.new_value)
            for r in conn.execute(sa.select(audit.c.action, audit.c.new_value).order_by(audit.c.id))
        ]


def test_the_detector_finds_names_and_nothing_else(names_here):
    assert names.find(NAMED) == ["Daan de Boer", "Fatima", "Sanne"]
    assert names.find("Jesse zei tegen dhr. Jansen dat hij het niet meer wilde.") == [
        "Jesse",
        "dhr. Jansen",
    ]
    assert names.find("De leerling werd buitengesloten in WhatsApp.") == []
    assert names.find("Leerling 204533 kreeg berichten in de klassenapp van groep 7.") == []
    assert names.warning(["Daan de Boer"]) == WARNING


def test_a_first_install_builds_the_lists_with_only_dutch_lines(tmp_path):
    """`pestdata init` on a machine where the name lists were never built, in its own process
    as a school runs it: one Dutch line on stdout, the two progress lines on stderr. deduce
    configures logging to stdout when imported and said "Please wait 1-2 minutes..." there."""
    url = f"sqlite:///{tmp_path}/school.sqlite"
    done = cli_process("init", "--db", url, env={names.CACHE_ENV: str(tmp_path / "namen")})
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert re.fullmatch(rf"Database klaar: {re.escape(url)} \(schema \d+\)", line), line
    first, ready = done.stderr.splitlines()
    assert first == "Namencontrole: de namenlijsten worden eenmalig opgebouwd…"
    assert ready.startswith("Namencontrole klaar (") and ready.endswith(" s).")


def test_without_a_detector_nothing_is_checked(monkeypatch):
    monkeypatch.setattr(names, "_here", None)
    monkeypatch.delenv(names.SOCKET_ENV, raising=False)
    assert names.find(NAMED) is None
    monkeypatch.setenv(names.SOCKET_ENV, "/nonexistent/namen.sock")
    assert names.find(NAMED) is None  # a save never waits for a detector that is not there


def test_the_servers_detector_answers_over_its_socket(name_detector, monkeypatch, tmp_path):
    monkeypatch.setattr(names, "_here", None)
    monkeypatch.delenv(names.SOCKET_ENV, raising=False)
    process = names.start_service()
    try:
        folder = names.Path(names.os.environ[names.SOCKET_ENV]).parent
        assert folder.stat().st_mode & 0o777 == 0o700
        deadline, found = time.monotonic() + 60, None
        while found is None and time.monotonic() < deadline:
            found = names.find(NAMED)  # None ("not ready yet") while it loads
            time.sleep(0.05)
        assert found == ["Daan de Boer", "Fatima", "Sanne"]
        assert names.find_all(["Sanne zag het.", "Niets."] * 600) == [["Sanne"], []] * 600
    finally:
        process.stdin.close()
        process.wait(30)
        monkeypatch.delenv(names.SOCKET_ENV, raising=False)


def fill(form, description: str) -> None:
    form.fields["reporter"].value = "pupil"
    form.fields["group"].value = "groep 7"
    form.fields["pupils"].rows[0].children[0].value = "123456"
    form.fields["platforms"].boxes[Platform.WHATSAPP.value].value = True
    form.fields["forms"].boxes["gossip"].value = True
    form.fields["description"].value = description


def test_the_form_warns_about_a_name_and_saves_it_after_a_second_click(store, names_here):
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_form import IncidentForm

    school_names.add(store, "De Regenboog", "t")
    form = IncidentForm(store, Actor(Person("mevr. Jansen", "zorgteam")))
    fill(form, NAMED)
    assert form.submit() is None
    assert WARNING.replace("'Daan de Boer'", "'Daan de Boer', 'Fatima' en 'Sanne'").replace(
        "Er lijkt een naam", "Er lijken namen"
    ) in form.result.value.replace("&#x27;", "'")
    assert lookup.count_incidents(store) == 0
    assert form.names.confirm.layout.display == ""
    form.names.confirm.click()
    assert lookup.count_incidents(store) == 1
    actions = audit_actions(store)
    assert [a for a, _ in actions if a in ("create", "possible_name")] == [
        "create",
        "possible_name",
    ]
    assert dict(actions)["possible_name"] == audit_rows.POSSIBLE_NAME
    fill(form, "De leerling werd buitengesloten in WhatsApp.")  # no name: saved at once
    assert form.submit() is not None
    assert lookup.count_incidents(store) == 2
    assert [a for a, _ in audit_actions(store)].count("possible_name") == 1


def test_an_addition_and_a_step_note_warn_too(store, names_here, valid_incident_data):
    from pestdata.people.person import Person
    from pestdata.ui.common import Actor
    from pestdata.ui.incident_view import IncidentView, StepRow

    incident_id = incident_log.add_incident(store, validate_incident(valid_incident_data()), "t")
    view = IncidentView(store, Actor(Person("mevr. Jansen", "zorgteam")))
    view.show(incident_id)

    def find(kind, css):
        stack = [view]
        while stack:
            widget = stack.pop()
            if isinstance(widget, kind) and css in widget._dom_classes:
                return widget
            stack += list(getattr(widget, "children", ()))
        raise AssertionError(css)

    import ipywidgets as w

    find(w.Textarea, "pd-description-add").value = "Jesse zei het tegen dhr. Jansen."
    find(w.Button, "pd-description-save").click()
    assert "Er lijken namen in te staan: 'Jesse' en 'dhr. Jansen'" in find(
        w.HTML, "pd-description-result"
    ).value.replace("&#x27;", "'")
    assert len(lookup.get_incident(store, incident_id)["descriptions"]) == 1
    find(w.Button, "pd-description-confirm-names").click()
    assert len(lookup.get_incident(store, incident_id)["descriptions"]) == 2

    step = next(c for c in _walk(view) if isinstance(c, StepRow) and c.step.id == "steun")
    step.note.value = "Gesprek met Sanne gehad."
    step.tick()
    assert "'Sanne'" in step.result.value.replace("&#x27;", "'")
    assert "steun" not in lookup.get_incident(store, incident_id)["steps"]
    step.names.confirm.click()
    assert "steun" in lookup.get_incident(store, incident_id)["steps"]
    assert [a for a, _ in audit_actions(store)].count("possible_name") == 2


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_the_import_lists_rows_whose_description_holds_a_name(tmp_path, name_detector):
    register = tmp_path / "register.csv"
    register.write_bytes(
        (
            "Datum melding;School;Leerlingnummer;Groep;Platform;Vorm;Ernst;Beschrijving\r\n"
            "03-10-2025;De Regenboog;204533;groep 7;WhatsApp;Roddelen;Middel;"
            "Buitengesloten uit de groepsapp, geen namen.\r\n"
            f"04-10-2025;De Regenboog;204534;groep 7;WhatsApp;Roddelen;Middel;{NAMED} Één keer.\r\n"
        ).encode("cp1252")
    )
    url = f"sqlite:///{tmp_path}/i.sqlite"
    Store(url).ensure_schema()
    # its own process: the name lists load once per process, with a Dutch progress line
    done = cli_process("import", str(register), "--db", url, "--add-schools")
    assert done.returncode == 0, done.stderr
    assert (
        "rij 3: in de beschrijving lijkt een naam te staan: 'Daan de Boer', 'Fatima', "
        "'Sanne'. Gebruik het leerlingnummer."
    ) in done.stdout
    assert "rij 2:" not in done.stdout
    assert "Namencontrole" in done.stderr  # the Dutch progress line


@pytest.fixture
def incidents_with_names(store, names_here):
    def add(day, pupils, text, note=""):
        add_incident(store, day, pupils, text, note)

    add(date(2025, 10, 1), [("482913", "target"), ("204533", "bully")], NAMED,
        note="Gesprek met Sanne en 204533 gehad.")  # fmt: skip
    add(date(2025, 11, 5), [("482913", "target"), ("204534", "bully")],
        "Filmpje van 204534; Daan de Boer lachte.")  # fmt: skip
    return store


def test_the_inzage_file_holds_no_name_and_no_other_pupils_number(incidents_with_names, tmp_path):
    gathered = gather_inzage_file(
        incidents_with_names, "482913", "mevr. Jansen", today=date(2026, 2, 1)
    )
    flat = " ".join(pdf_text(tmp_path, inzage_pdf(gathered), "inzage").split())
    for leak in ("Daan", "Boer", "Fatima", "Sanne", "204533", "204534"):
        assert leak not in flat, leak
    assert "persoon 1 (leerling A) stuurde de foto door naar persoon 2 en persoon 3" in flat
    assert "Gesprek met persoon 3 en leerling A gehad" in flat
    assert "Filmpje van leerling B; persoon 1 lachte" in flat  # the same number everywhere


def test_no_inzage_file_while_the_names_cannot_be_checked(incidents_with_names, monkeypatch):
    monkeypatch.setattr(names, "_here", None)
    monkeypatch.delenv(names.SOCKET_ENV, raising=False)
    with pytest.raises(names.NamesUnchecked):
        gather_inzage_file(incidents_with_names, "482913", "mevr. Jansen")


def test_the_care_teams_export_marks_texts_with_names(incidents_with_names, monkeypatch):
    incident_log.add_incident(
        incidents_with_names,
        validate_incident(
            {
                "school": "De Regenboog",
                "reported_on": date(2025, 12, 1),
                "reporter": "parent",
                "pupils": [{"pupil_number": "300001", "role": "target"}],
                "group": "groep 7",
                "platforms": ["whatsapp"],
                "forms": ["gossip"],
                "severity": "medium",
                "handler": "t",
                "description": "De leerling werd buitengesloten in WhatsApp.",
            }
        ),
        "t",
    )
    frame = export_frame(incidents_with_names, Filters())
    assert list(frame["Naam in tekst?"]) == ["ja", "ja", "nee"]
    monkeypatch.setattr(names, "_here", None)
    monkeypatch.delenv(names.SOCKET_ENV, raising=False)
    assert set(export_frame(incidents_with_names, Filters())["Naam in tekst?"]) == {"onbekend"}


def test_the_import_tab_lists_rows_whose_description_holds_a_name(
    tmp_path, store, names_here, monkeypatch
):
    from pestdata.registers.importer import import_file
    from pestdata.ui.transfer.outcome import result_html

    register = tmp_path / "register.csv"
    register.write_text(
        "Datum melding;School;Leerlingnummer;Groep;Platform;Vorm;Ernst;Beschrijving\n"
        "03-10-2025;De Regenboog;204533;groep 7;WhatsApp;Roddelen;Middel;Geen namen.\n"
        f"04-10-2025;De Regenboog;204534;groep 7;WhatsApp;Roddelen;Middel;<i>{NAMED}</i>\n",
        encoding="utf-8",
    )
    shown = result_html(import_file(store, register, add_schools=True))
    assert "pd-import-names" in shown and "<i>" not in shown  # escaped, as every value
    assert (
        "rij 3: in de beschrijving lijkt een naam te staan: 'Daan de Boer', 'Fatima', "
        "'Sanne'. Gebruik het leerlingnummer."
    ) in shown.replace("&#x27;", "'")
    assert "rij 2:" not in shown
    monkeypatch.setattr(names, "_here", None)  # the server's detector still loading
    monkeypatch.delenv(names.SOCKET_ENV, raising=False)
    unchecked = result_html(import_file(store, register, add_schools=True))
    assert "niet op namen gecontroleerd" in unchecked and "Daan" not in unchecked
