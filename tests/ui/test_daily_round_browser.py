"""The care team's daily round in real Chromium against a live `pestdata serve` (the care
team's token server): the case page keeps its place and the focus after each action, the
report form works from the keyboard and asks for what must be chosen on purpose, and the
pages say things in proper Dutch without cut-off words or 'null' tooltips (issue 23)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import TIMEOUT, fill_report, open_incident
from playwright.sync_api import Page, expect
from servers import MEDIUM, TOKEN, serving

from pestdata.core import clock
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup

pytestmark = pytest.mark.browser

SCROLLER = "rendered_cells"  # Voilà's lab template scrolls this element, not the window
PLACE = """(selector) => {
  const scroller = document.getElementById('rendered_cells');
  const active = document.activeElement;
  return {
    window: window.scrollY,
    scroller: scroller.scrollTop,
    top: Math.round(document.querySelector(selector).getBoundingClientRect().top),
    focus: active ? [...active.closest('.jupyter-widgets').classList]
      .filter(c => c.startsWith('pd-')).join(' ') + '|' + active.textContent.trim() : '',
  };
}"""
FOCUSED = "(selector) => document.activeElement === document.querySelector(selector)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("daily-round")
    with serving(folder, incidents=MEDIUM) as (process, base, db):
        yield {
            "db": db,
            "url": f"{base}/voila/render/meldingen.ipynb?token={TOKEN}",
            "guidance": f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}",
            "overview": f"{base}/voila/render/overzicht.ipynb?token={TOKEN}",
        }


@pytest.fixture
def store(server) -> Store:
    return Store(server["db"])


@pytest.fixture
def app(page: Page, server):
    """The care team's page at a laptop's height, so a case needs scrolling."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server["url"])
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    yield page
    page.goto("about:blank")  # lets Voilà shut the kernel down


def new_incident(store: Store, pupil: str) -> int:
    """A fresh case, as the form would store it: new, a week old, threatened on WhatsApp."""
    return incident_log.add_incident(
        store,
        validate_incident(
            {
                "school": "De Regenboog",
                "reported_on": clock.today() - timedelta(days=7),
                "reporter": "parent",
                "pupils": [{"pupil_number": pupil, "role": "target"}],
                "group": "groep 8",
                "platforms": ["whatsapp"],
                "forms": ["threats"],
                "severity": "high",
                "handler": "mevr. De Wit",
                "description": "Dreigende berichten in de groepsapp van de klas.",
            }
        ),
        actor="test",
    )


def scroll_to(page: Page, selector: str) -> None:
    """Scroll as a user does: the control a third down the window, the page well scrolled."""
    page.evaluate(
        """([scroller, selector]) => {
          const box = document.getElementById(scroller);
          const top = document.querySelector(selector).getBoundingClientRect().top;
          box.scrollTop += top - window.innerHeight / 3;
        }""",
        [SCROLLER, selector],
    )


def kept_in_place(page: Page, before: dict, anchor: str, focus: str) -> dict:
    """Poll until the focus is on `focus`, then the scroll positions and the anchor's place on
    the screen must be the ones from before the action."""
    try:
        page.wait_for_function(FOCUSED, arg=focus, timeout=TIMEOUT)
    except Exception:  # the message names where the focus went instead
        raise AssertionError(f"focus not on {focus}: {page.evaluate(PLACE, anchor)}") from None
    after = page.evaluate(PLACE, anchor)
    print(f"\n{anchor}: before {before}\n{' ' * len(anchor)}  after  {after}")
    assert (after["window"], after["scroller"], after["top"]) == (
        before["window"],
        before["scroller"],
        before["top"],
    ), (before, after)
    return after


def test_the_case_keeps_its_place_and_focus_after_a_tick_a_status_change_and_a_note(
    app: Page, store: Store
):
    incident_id = new_incident(store, "RD-730101")
    open_incident(app, incident_id)

    # A step half-way down the protocol: a note, then 'Ja, dat heb ik gedaan'.
    row = ".pd-step-gesprekken"
    scroll_to(app, row)
    app.locator(f"{row} input[type=text]").last.fill("gesprek met de klas")
    tick = app.locator(f"{row} button.pd-step-tick")
    tick.click()  # a click focuses the button, as a keyboard user's Tab would
    before = app.evaluate(PLACE, row)
    assert before["scroller"] > 1000, before  # the case is well down the page
    app.wait_for_selector(f"{row} .pd-step-done", timeout=TIMEOUT)
    kept_in_place(app, before, row, f"{row} button.pd-step-undo")  # took the tick's place
    expect(app.locator(f"{row} .pd-step-result")).to_contain_text(
        f"Opgeslagen bij melding #{incident_id}: stap"
    )
    assert "gesprekken" in lookup.get_incident(store, incident_id)["steps"]

    # The status, further up: 'Nieuw' becomes 'In behandeling'.
    scroll_to(app, ".pd-status-change")
    app.locator(".pd-status-new select").select_option(label="In behandeling")
    app.locator("button.pd-status-change").focus()
    before = app.evaluate(PLACE, ".pd-status-change")
    app.keyboard.press("Enter")
    expect(app.locator(".pd-status-result")).to_contain_text(
        "status is nu In behandeling", timeout=TIMEOUT
    )
    kept_in_place(app, before, ".pd-status-change", "button.pd-status-change")
    expect(app.locator(".pd-status-current")).to_contain_text("In behandeling")
    assert lookup.get_incident(store, incident_id)["status"] == "in_progress"

    # An addition to the description; it appears under the earlier text, above the box.
    scroll_to(app, ".pd-description-add")
    app.locator(".pd-description-add textarea").fill("Ouders gebeld; morgen gesprek.")
    app.locator("button.pd-description-save").click()
    before = app.evaluate(PLACE, ".pd-descriptions")
    expect(app.locator(".pd-description-result")).to_contain_text(
        "beschrijving aangevuld", timeout=TIMEOUT
    )
    kept_in_place(app, before, ".pd-descriptions", "button.pd-description-save")
    expect(app.locator(".pd-descriptions")).to_contain_text("Ouders gebeld; morgen gesprek.")
    expect(app.locator(".pd-description-add textarea")).to_have_value("")

    # Undo, with the keyboard: the step's own button again, still in the same place.
    app.locator(f"{row} button.pd-step-undo").focus()
    before = app.evaluate(PLACE, row)
    app.keyboard.press("Enter")
    kept_in_place(app, before, row, f"{row} button.pd-step-tick")
    assert "gesprekken" not in lookup.get_incident(store, incident_id)["steps"]
    expect(app.locator(".pd-case-timeline")).to_contain_text("teruggezet")


def test_the_report_form_asks_for_what_must_be_chosen_on_purpose_and_works_from_the_keyboard(
    app: Page, store: Store, server
):
    """One page through a care team member's reports, each part as it would meet the form:
    'Gemeld door' is chosen on purpose, not by a typed letter; no school is preselected when
    there are several (and the next report keeps the one chosen); a new pupil row takes the
    focus and a removed one gives it back; an empty pupil row is pointed out, not dropped;
    and the teacher's checklist preselects no school either."""
    # 'Gemeld door' on a fresh form: nothing chosen, a typed letter chooses nothing.
    radios = app.locator(".pd-field-reporter input[type=radio]")
    expect(radios).to_have_count(6)
    assert app.locator(".pd-field-reporter input:checked").count() == 0  # nothing chosen
    radios.first.focus()
    app.keyboard.type("l")  # a dropdown took this as 'Leerkracht'
    app.keyboard.type("Leerkracht")
    expect(app.locator(".pd-field-reporter input:checked")).to_have_count(0)
    before = lookup.count_incidents(store)
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-error-reporter")).to_contain_text(
        "Gemeld door: kies wie het meldde", timeout=TIMEOUT
    )
    assert lookup.count_incidents(store) == before
    radios.first.focus()
    app.keyboard.press("Space")  # on purpose: the focused choice
    expect(app.locator(".pd-field-reporter").get_by_label("Leerling", exact=True)).to_be_checked()
    expect(app.locator(".pd-field-reporter input:checked")).to_have_count(1)

    # No school preselected; saved once a school is chosen.
    form_school = app.locator(".pd-school-choice select")
    expect(form_school.locator("option:checked")).to_have_text("Kies een school…")
    before = lookup.count_incidents(store)
    fill_report(app, "Buitengesloten uit de groepsapp.", pupil="778899")
    form_school.select_option(index=0)  # back to 'Kies een school…'
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-error-school")).to_contain_text(
        "School: kies de school van deze melding", timeout=TIMEOUT
    )
    assert lookup.count_incidents(store) == before
    form_school.select_option("Het Baken College")
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-result")).to_contain_text("opgeslagen (", timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before + 1
    # The next report keeps the school just chosen (the form keeps date, school and handler).
    expect(form_school.locator("option:checked")).to_have_text("Het Baken College")

    # A new pupil row takes the focus; a removed one gives it back. The button itself is not
    # redrawn by a saved report or an added row (a redrawn button loses a keyboard user's focus;
    # CI once pressed Enter on one the reset had just replaced).
    add = app.locator("button.pd-add-pupil")
    add.focus()
    button = add.element_handle()
    app.keyboard.press("Enter")
    second = app.locator(".pd-pupil-number input").nth(1)
    expect(second).to_be_focused(timeout=TIMEOUT)
    assert button.evaluate("b => b.isConnected"), "the add button was redrawn"
    app.keyboard.type("654321")  # straight on, without reaching for the mouse
    expect(second).to_have_value("654321")
    app.locator("button.pd-remove-pupil").nth(1).click()
    expect(app.locator(".pd-pupil-number input")).to_have_count(1, timeout=TIMEOUT)
    expect(app.locator(".pd-pupil-number input").first).to_be_focused(timeout=TIMEOUT)

    # An empty pupil row is pointed out, not dropped.
    before = lookup.count_incidents(store)
    fill_report(app, "Uitgescholden in de klassenchat.", pupil="556677")
    app.locator("button.pd-add-pupil").click()
    expect(app.locator(".pd-pupil-number input")).to_have_count(2, timeout=TIMEOUT)
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-error-pupils")).to_contain_text(
        "Leerlingnummer (leerling 2): deze rij is leeg: vul een leerlingnummer in, of haal de "
        "rij weg met ✕",
        timeout=TIMEOUT,
    )
    expect(app.locator(".pd-result")).to_contain_text("Niet opgeslagen")
    assert lookup.count_incidents(store) == before
    app.locator(".pd-pupil-number input").nth(1).fill("556678")  # the one that was missing
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-result")).to_contain_text("opgeslagen (", timeout=TIMEOUT)
    found, _ = lookup.list_incidents(store, search="556678", statuses=["new"])
    pupils = lookup.get_incident(store, found[0].id)["pupils"]
    assert sorted(p["pupil_number"] for p in pupils) == ["556677", "556678"]

    # The teacher's checklist preselects no school either.
    app.goto(server["guidance"])  # the teacher's checklist
    school = app.locator(".pd-school select")
    expect(school.locator("option:checked")).to_have_text("Kies een school…", timeout=TIMEOUT)
    expect(app.locator(".pd-school-actions")).to_contain_text("Kies eerst de school.")
    assert app.locator("button.pd-school-action-tick").count() == 0
    school.select_option("De Regenboog")
    expect(app.locator("button.pd-school-action-tick").first).to_be_visible(timeout=TIMEOUT)


NO_NULL_NO_CUTS = """() => {
  const nulls = [...document.querySelectorAll('[title]')]
    .filter(e => ['null', 'undefined'].includes(e.getAttribute('title').trim()))
    .map(e => e.outerHTML.slice(0, 80));
  const cut = [...document.querySelectorAll(
      'button, .widget-label, .widget-label-basic, .lm-TabBar-tabLabel')]
    .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.textContent.trim()} (${e.scrollWidth} > ${e.clientWidth} px)`);
  const wide = [...document.querySelectorAll('button')]  // stretched across a column
    .filter(e => e.getClientRects().length && e.clientWidth > 600 && !e.style.width)
    .map(e => `${e.textContent.trim()} (${e.clientWidth} px)`);
  return {nulls, cut, wide};
}"""


def test_no_null_tooltip_no_cut_off_words_and_counts_in_proper_dutch(
    app: Page, store: Store, server
):
    pupil = "RD-730202"
    new_incident(store, pupil)  # the only case of its pupil: the search finds exactly one
    seen = {}
    for tab in ("Nieuwe melding", "Meldingen", "Signalen", "Import en export"):
        app.get_by_role("tab", name=tab).click()
        expect(app.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        seen[tab] = app.evaluate(NO_NULL_NO_CUTS)
    app.get_by_role("tab", name="Meldingen").click()
    app.locator(".pd-case-search input").fill(pupil)
    app.locator(".pd-case-search input").press("Enter")
    count = app.locator(".pd-case-count")
    expect(count).to_contain_text(f"1 melding voor ‘{pupil}’", timeout=TIMEOUT)
    assert "1 meldingen" not in count.inner_text()
    select = app.locator(".pd-case-select select")
    select.select_option(index=0)
    expect(app.locator(".pd-case-details")).to_contain_text("Melding #", timeout=TIMEOUT)
    app.locator("button.pd-case-pdf").click()
    link = app.locator(".pd-case-pdf-link a")
    expect(link).to_have_text(f"{link.get_attribute('download')} opslaan", timeout=TIMEOUT)
    seen["case"] = app.evaluate(NO_NULL_NO_CUTS)
    for url, ready in ((server["guidance"], ".pd-school"), (server["overview"], ".pd-overview")):
        app.goto(url)
        app.wait_for_selector(ready, timeout=TIMEOUT)
        expect(app.locator(".widget-label").first).to_be_attached(timeout=TIMEOUT)
        seen[url] = app.evaluate(NO_NULL_NO_CUTS)
    assert {k: v for k, v in seen.items() if v["nulls"] or v["cut"] or v["wide"]} == {}
