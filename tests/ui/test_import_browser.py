"""The import tab in real Chromium against a live `pestdata serve` that starts as a first
install (no school, no report): the school of a file is added from the import tab, a column
is named there (as --map does), and a secondary school's register into a primary school is
asked about. The tests share one server and run in file order: the first one needs the
empty database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from servers import TOKEN, serving

from pestdata.db.store import Store
from pestdata.db.tables import incident_pupils, incidents
from pestdata.incidents import lookup
from pestdata.school import school_names
from pestdata.school.school_names import SchoolType

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
LINDE = "OBS De Linde"

# A primary school's own register, saved by Dutch Excel (cp1252, ';', CRLF): no School
# column, groups as the teachers typed them, a description with a ';' in quotes.
FIRST_REGISTER = (
    "Datum;Leerlingnr.;Groep;Platform;Vorm;Ernst;Melder;Wat is er gebeurd\r\n"
    "ma 6 okt 2025;771001;7;WhatsApp;Roddelen;licht;ouder;Roddels in de groepsapp van groep 7\r\n"
    "14-10-2025;771002;gr8;Snapchat;Buitensluiten;middel;leerling;Niet in de snapgroep "
    "toegelaten\r\n"
    '3 november 2025;771003;5/6;TikTok;Bedreigen;ernstig;leerkracht;"Dreigende reactie; onder '
    'een filmpje"\r\n'
).encode("cp1252")

# Exported from a pupil administration as "CSV UTF-8": its own names for the pupil number
# and the handler, which pestdata does not know.
OWN_COLUMNS = (
    "Datum melding;School;Nr. ParnasSys;Groep;Platform;Vorm;Ernst;Dossierhouder\r\n"
    f"02-12-2025;{LINDE};880101;groep 6;Instagram;Roddelen;Middel;mevr. Yılmaz\r\n"
    f"09-12-2025;{LINDE};880102;groep 8;WhatsApp;Bedreigen;Ernstig;dhr. Çelik\r\n"
).encode("utf-8-sig")

# A secondary school's mentor register: klassen, no School column.
MENTOR_REGISTER = (
    "Gemeld op;Llnr;Klas;Soort pesten;Platform;Ernst;Mentor;Toelichting\r\n"
    "3 okt. 2024;240117;2 havo;Buitensluiten;WhatsApp;2;dhr. Öztürk;Niet in de klassenapp\r\n"
    "15-okt-24;240233;H3b;Bedreigen;Instagram;3;mevr. Bakker;Dreigbericht laat op de avond\r\n"
).encode("cp1252")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live `pestdata serve` on an empty database: a first install."""
    folder = tmp_path_factory.mktemp("first-install")
    with serving(folder, incidents=0) as (process, base, db):
        yield {"db": db, "url": f"{base}/voila/render/meldingen.ipynb?token={TOKEN}"}


@pytest.fixture
def store(server) -> Store:
    return Store(server["db"])


@pytest.fixture
def tab(page: Page, server) -> Page:
    """The care team's page, on its import tab."""
    page.goto(server["url"])
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    page.get_by_role("tab", name="Import en export").click()
    yield page
    page.goto("about:blank")  # lets Voilà shut the kernel down


def upload(page: Page, path: Path):
    with page.expect_file_chooser() as chooser:
        page.locator(".pd-upload").click()
    chooser.value.set_files(str(path))
    return page.locator(".pd-import-report")


def texts(locator) -> list[str]:
    """The texts as read (ipywidgets writes its labels with non-breaking spaces)."""
    return [t.replace("\xa0", " ").strip() for t in locator.all_inner_texts()]


def stored(store: Store, *columns) -> list[tuple]:
    """Every stored report as the given columns (incidents joined with their pupils)."""
    query = sa.select(*columns).select_from(incidents.join(incident_pupils))
    with store.reading() as conn:
        return sorted(tuple(row) for row in conn.execute(query))


def ensure_linde(store: Store) -> None:
    """The primary school the later tests import into (the first test adds it)."""
    if LINDE not in school_names.names(store):
        school_names.add(store, LINDE, "test", SchoolType.PRIMARY)


def test_a_first_install_imports_a_file_after_adding_its_school_in_the_import_tab(
    tab: Page, store: Store, tmp_path
):
    assert school_names.names(store) == [] and lookup.count_incidents(store) == 0
    path = tmp_path / "pestregistratie 2025-2026.csv"
    path.write_bytes(FIRST_REGISTER)
    report = upload(tab, path)
    expect(report).to_contain_text(
        "Dit bestand noemt geen school, en er staat nog geen school op de lijst", timeout=TIMEOUT
    )
    choice = tab.locator(".pd-import-school select")
    assert texts(choice.locator("option")) == ["kies de school van dit bestand"]
    expect(tab.locator("button.pd-import-commit")).to_be_disabled()

    adding = tab.locator(".pd-import-new-school")
    adding.locator(".pd-new-school input").fill(LINDE)
    adding.locator("button.pd-add-school-confirm").click()  # no type chosen yet
    result = tab.locator(".pd-import-school-result")
    expect(result).to_contain_text("kies de soort school", timeout=TIMEOUT)
    assert school_names.names(store) == []
    adding.locator(".pd-new-school-type select").select_option(
        label="basisonderwijs (groep 1 t/m 8)"
    )
    adding.locator("button.pd-add-school-confirm").click()
    expect(result).to_contain_text(f"School '{LINDE}' toegevoegd en gekozen.", timeout=TIMEOUT)
    expect(report).to_contain_text("3 zouden worden toegevoegd", timeout=TIMEOUT)
    assert school_names.types(store) == {LINDE: SchoolType.PRIMARY}
    assert lookup.count_incidents(store) == 0  # a dry run stores nothing

    tab.locator("button.pd-import-commit").click()
    expect(report).to_contain_text("3 meldingen opgeslagen", timeout=TIMEOUT)
    assert stored(store, incidents.c.school, incidents.c.group_name) == [
        (LINDE, "groep 5"),
        (LINDE, "groep 7"),
        (LINDE, "groep 8"),
    ]


def test_a_column_is_named_in_the_import_tab_and_the_file_checked_again(
    tab: Page, store: Store, tmp_path
):
    ensure_linde(store)
    path = tmp_path / "export leerlingadministratie.csv"
    path.write_bytes(OWN_COLUMNS)
    before = lookup.count_incidents(store)
    report = upload(tab, path)
    expect(report).to_contain_text("geen kolom met leerlingnummers gevonden", timeout=TIMEOUT)
    columns = tab.locator(".pd-import-column")
    expect(columns).to_have_count(2, timeout=TIMEOUT)  # the two it does not know
    assert texts(columns.locator("label")) == [
        "Nr. ParnasSys",
        "Dossierhouder",
    ]
    number = tab.locator(".pd-import-column", has_text="Nr. ParnasSys").locator("select")
    number.select_option(label="Gepeste leerling")
    expect(report).to_contain_text("2 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).to_contain_text("Genegeerde kolommen: Dossierhouder")
    handler = tab.locator(".pd-import-column", has_text="Dossierhouder").locator("select")
    handler.select_option(label="Behandelaar")
    expect(report).not_to_contain_text("Genegeerde kolommen", timeout=TIMEOUT)
    expect(report).to_contain_text("2 zouden worden toegevoegd")
    assert lookup.count_incidents(store) == before
    tab.locator("button.pd-import-commit").click()
    expect(report).to_contain_text("2 meldingen opgeslagen", timeout=TIMEOUT)
    handled = stored(store, incidents.c.handler, incident_pupils.c.pupil_number)
    assert [h for h in handled if h[1].startswith("8801")] == [
        ("dhr. Çelik", "880102"),
        ("mevr. Yılmaz", "880101"),
    ]


def test_a_secondary_register_into_a_primary_school_is_asked_about(
    tab: Page, store: Store, tmp_path
):
    ensure_linde(store)
    assert set(school_names.types(store).values()) == {SchoolType.PRIMARY}
    path = tmp_path / "mentorregistratie.csv"
    path.write_bytes(MENTOR_REGISTER)
    before = lookup.count_incidents(store)
    report = upload(tab, path)
    expect(report).to_contain_text("Dit bestand noemt geen school.", timeout=TIMEOUT)
    choice = tab.locator(".pd-import-school select")
    # The only school is not chosen for us.
    assert texts(choice.locator("option:checked")) == ["kies de school van dit bestand"]
    choice.select_option(label=LINDE)
    expect(report).to_contain_text("0 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).to_contain_text("2 te bevestigen")
    expect(report).to_contain_text(
        f"klas 2 past niet bij {LINDE} (basisonderwijs: groep 1 t/m 8); hoort deze rij bij "
        "deze school?"
    )
    expect(tab.locator("button.pd-import-commit")).to_be_disabled()
    confirm = tab.locator(".pd-import-accept-groups")
    confirm.locator("input").check()  # 'Ja, deze rijen horen bij deze school'
    expect(report).to_contain_text("2 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).to_contain_text("op verzoek toch overgenomen")
    confirm.locator("input").uncheck()
    expect(report).to_contain_text("2 te bevestigen", timeout=TIMEOUT)

    # The right school instead: added here as voortgezet onderwijs, its klassen fit.
    adding = tab.locator(".pd-import-new-school")
    adding.locator(".pd-new-school input").fill("Het Baken College")
    adding.locator(".pd-new-school-type select").select_option(
        label="voortgezet onderwijs (klas 1 t/m 6)"
    )
    adding.locator("button.pd-add-school-confirm").click()
    expect(report).to_contain_text("2 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).not_to_contain_text("te bevestigen")
    expect(confirm).to_be_hidden()
    assert lookup.count_incidents(store) == before
    assert school_names.types(store)["Het Baken College"] is SchoolType.SECONDARY
