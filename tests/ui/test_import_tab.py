"""The import tab's questions, in the kernel (ui/transfer/ on a real SQLite file): a column
named in the tab as --map names it, a column proposed by its values still chosen by the user,
and no answer given for one file carried over to the next. The same in Chromium:
tests/ui/test_import_browser.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.people.person import Person
from pestdata.school import school_names
from pestdata.ui.common import Actor
from pestdata.ui.transfer.column_questions import NOT_USED
from pestdata.ui.transfer.import_tab import ImportTab

LINDE = "OBS De Linde"

# Kept by a teacher in Excel: what happened in her own words, no Vorm column.
OWN_WORDS = (
    "Datum melding;Leerlingnummer;Groep;Platform;Wat gebeurde er;Ernst\r\n"
    "06-10-2025;771001;groep 7;WhatsApp;Buitengesloten uit de groepsapp;licht\r\n"
    "13-10-2025;771002;groep 8;Instagram;Nepaccount aangemaakt;middel\r\n"
).encode("cp1252")


def upload(transfer: ImportTab, name: str, content: bytes) -> None:
    transfer.upload.value = ({"name": name, "type": "text/csv", "size": len(content),
                              "content": memoryview(content),
                              "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)  # fmt: skip


@pytest.fixture
def transfer(tmp_path) -> ImportTab:
    store = Store(f"sqlite:///{tmp_path}/tab.sqlite").ensure_schema()
    school_names.add(store, LINDE, "test", "basis")
    return ImportTab(store, Actor(Person("mevr. Import", "zorgteam")))


def test_one_school_is_asked_for_and_a_proposed_column_is_chosen_not_assumed(transfer):
    upload(transfer, "eigen woorden.csv", OWN_WORDS)
    # One school on the list, yet nothing is chosen for this file.
    assert transfer.school_box.layout.display == ""
    assert transfer.school.value == "" and transfer.commit.disabled
    assert "Dit bestand noemt geen school." in transfer.outcome.value
    transfer.school.value = LINDE
    assert "Genegeerde kolommen: Wat gebeurde er" in transfer.outcome.value
    assert "2 geweigerd" in transfer.outcome.value  # no form yet
    field = transfer.columns.column_fields["Wat gebeurde er"]
    assert field.value == ""  # proposed, not applied
    assert list(field.options)[:3] == [
        (NOT_USED, ""),
        ("Vorm (voorstel)", "Vorm"),
        ("Datum melding", "Datum melding"),
    ]
    field.value = "Vorm"  # the user's choice checks the file again, as --map 'Wat gebeurde er=Vorm'
    assert "2 zouden worden toegevoegd" in transfer.outcome.value
    assert "Genegeerde kolommen" not in transfer.outcome.value
    assert transfer.columns.column_mapping() == {"Wat gebeurde er": "Vorm"}
    transfer.run(commit=True)
    assert lookup.count_incidents(transfer.store) == 2

    # The next file starts without the last one's answers: school, columns, values.
    upload(transfer, "eigen woorden 2.csv", OWN_WORDS.replace(b"77100", b"77200"))
    assert transfer.school.value == "" and transfer.columns.column_fields == {}
    assert transfer.columns.column_mapping() == {} and transfer.commit.disabled
    assert "Dit bestand noemt geen school." in transfer.outcome.value


def test_a_school_whose_type_is_wrong_is_set_right_in_the_tab(transfer):
    mentor = (
        "Gemeld op;Llnr;Klas;Soort pesten;Platform;Ernst\r\n"
        "3 okt. 2024;240117;2 havo;Buitensluiten;WhatsApp;2\r\n"
        "15-okt-24;240233;H3b;Bedreigen;Instagram;3\r\n"
    ).encode("cp1252")
    upload(transfer, "mentorregistratie.csv", mentor)
    transfer.school.value = LINDE  # listed as basisonderwijs, by mistake
    assert "2 te bevestigen" in transfer.outcome.value
    assert transfer.school_types.rows.layout.display == ""
    field, save = transfer.school_types.fields[LINDE]
    assert field.value == "primary"
    field.value = ""
    save.click()  # nothing chosen: refused in Dutch, nothing changed
    assert "kies de soort school" in transfer.school_types.feedback.value
    assert school_names.types(transfer.store)[LINDE] == "primary"
    field.value = "secondary"
    save.click()
    assert f"{LINDE} is nu: voortgezet onderwijs." in transfer.school_types.feedback.value
    assert "2 zouden worden toegevoegd" in transfer.outcome.value
    assert "te bevestigen" not in transfer.outcome.value
    assert transfer.school_types.rows.layout.display == "none"
    assert school_names.types(transfer.store)[LINDE] == "secondary"
