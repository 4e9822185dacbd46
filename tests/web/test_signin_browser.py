"""In Chromium, signed in with a personal account: every kind of write names the signed-in
person in the audit, also when another name is typed under "Uitgevoerd door" and when the
browser sends a forged person or proxy header with every request; no form has a free field
for who is acting."""

from __future__ import annotations

import urllib.parse

import pytest
import sqlalchemy as sa
from helpers import (
    BROWSER_PEOPLE,
    PASSWORD,
    TIMEOUT,
    add_browser_people,
    fill_report,
    open_incident,
    saved_id,
    sign_in,
)
from playwright.sync_api import Page, expect
from servers import SMALL, serving

from pestdata.db.store import Store
from pestdata.db.tables import audit
from pestdata.incidents import lookup
from pestdata.people.person import Person, sign_person
from pestdata.web.serve import DASHBOARDS, ROLES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed")
    with serving(folder, token=None, incidents=SMALL, before=add_browser_people) as (
        process,
        base,
        db,
    ):
        yield base, db


@pytest.fixture
def signed_in(browser, server):
    """A page whose every request carries a forged person and a forged proxy name."""
    base, _ = server
    forged = sign_person(Person("de.directeur", "zorgteam"), "geraden")
    context = browser.new_context(
        extra_http_headers={"X-Pestdata-Person": forged, "X-Forwarded-User": "de.directeur"}
    )
    page = context.new_page()
    sign_in(page, base, "m.devries")
    yield page
    page.goto("about:blank")
    context.close()


def actors_since(store: Store, first_id: int) -> list[tuple[str, str]]:
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(audit.c.actor, audit.c.action).where(audit.c.id > first_id)
        ).all()
    return [(r.actor, r.action) for r in rows]


def test_every_write_names_the_signed_in_person(signed_in: Page, server):
    base, db = server
    store = Store(db)
    with store.reading() as conn:
        first = conn.execute(sa.select(sa.func.max(audit.c.id))).scalar() or 0
    page = signed_in
    page.get_by_role("link", name="Meldingen (zorgteam)").click()
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    expect(page.locator(".pd-actor")).to_contain_text("Aangemeld als m.devries")
    assert page.locator(".pd-actor input").count() == 0  # no free field for who acts

    fill_report(page, "Berichten in de klassengroep.")
    page.locator("button.pd-save").click()
    incident_id = saved_id(page)
    open_incident(page, incident_id)
    step = page.locator(".pd-step-steun")
    step.locator("input[type=text]").first.fill("mevr. Mentor")  # uitgevoerd door
    step.locator("button.pd-step-tick").click()
    expect(page.locator(".pd-step-steun .pd-step-done")).to_contain_text(
        "mevr. Mentor", timeout=TIMEOUT
    )
    page.locator(".pd-status-new select").select_option(label="In behandeling")
    page.locator("button.pd-status-change").click()
    expect(page.locator(".pd-status-result")).to_contain_text("status", timeout=TIMEOUT)
    page.locator(".pd-description-add textarea").fill("Gesprek gevoerd met de klas.")
    page.locator("button.pd-description-save").click()
    expect(page.locator(".pd-description-result")).to_contain_text("Opgeslagen", timeout=TIMEOUT)

    page.goto(f"{base}/voila/render/handelingsadvies.ipynb")
    page.locator(".pd-school select").select_option(label="De Regenboog", timeout=TIMEOUT)
    row = page.locator(".pd-school-action-ouderavond")
    row.locator("button.pd-school-action-tick").click(timeout=TIMEOUT)
    expect(row).to_contain_text("door m.devries", timeout=TIMEOUT)
    page.locator(".pd-lesson-material select").select_option(index=0)
    page.locator(".pd-lesson-group select").select_option(index=1)
    page.locator("button.pd-lesson-save").click()
    expect(page.locator(".pd-lesson-result")).to_contain_text("Les vastgelegd", timeout=TIMEOUT)

    written = actors_since(store, first)
    assert sorted(action for _, action in written) == sorted(
        ["create", "step_done", "status", "description_added", "school_action_done",
         "lesson_given"]
    )  # fmt: skip
    assert {actor for actor, _ in written} == {"m.devries"}, written
    stored = lookup.get_incident(store, incident_id)
    assert stored["steps"]["steun"]["done_by"] == "mevr. Mentor"  # who did it, as typed
    store.close()


@pytest.mark.parametrize("name", list(BROWSER_PEOPLE))
def test_each_role_sees_its_dashboards_and_a_dutch_refusal_for_the_rest(page: Page, server, name):
    base, _ = server
    sign_in(page, base, name)
    mine = ROLES[BROWSER_PEOPLE[name]]
    links = page.locator("a[href^='voila/render/']")
    assert [a.get_attribute("href") for a in links.all()] == [
        f"voila/render/{d}.ipynb" for d in mine
    ]
    for dashboard in DASHBOARDS:
        if dashboard not in mine:
            response = page.goto(f"{base}/voila/render/{dashboard}.ipynb")
            assert response.status == 403
            expect(page.locator("h1")).to_have_text("Geen toegang")
            expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.goto(f"{base}/voila/render/{mine[0]}.ipynb")
    # each role's first page is usable: the care team's form, the leaders' figures (charts
    # only where the shared rules allow them), the teacher's guidance, the slides
    expect(page.locator(".pd-actor, .pd-cards, .pd-slideshow").first).to_be_visible(timeout=TIMEOUT)


BROWSER_TRICKS = ["/%5Cevil.example/", "/\\evil.example/", "//evil.example/",
                  "/%2F%2Fevil.example/", "http://evil.example/", "/\t/evil.example/"]  # fmt: skip


@pytest.mark.parametrize("trick", BROWSER_TRICKS)
def test_after_a_real_login_the_browser_stays_on_the_server(page: Page, server, trick):
    """Issue 21: `/login?next=/%5Cevil.example/` sent Chromium to http://evil.example/."""
    base, _ = server
    page.goto(f"{base}/login?{urllib.parse.urlencode({'next': trick})}")
    page.get_by_label("Naam").fill("juf")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state("load", timeout=TIMEOUT)
    expect(page.locator("body")).to_contain_text("Aangemeld als juf", timeout=TIMEOUT)
    assert page.url.startswith(base + "/"), page.url


def test_afmelden_on_the_start_page_signs_out(page: Page, server):
    """The start page's 'Afmelden' is a button that POSTs with _xsrf; /logout from another
    site only asks."""
    base, _ = server
    sign_in(page, base, "directeur")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.locator("h1")).to_have_text("Afgemeld", timeout=TIMEOUT)
    page.goto(f"{base}/voila/render/overzicht.ipynb")
    expect(page.get_by_label("Wachtwoord")).to_be_visible(timeout=TIMEOUT)
