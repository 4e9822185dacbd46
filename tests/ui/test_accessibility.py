"""WCAG 2.1 A/AA in Chromium: axe-core (from npm, scripts/test-setup.sh puts it in
~/.cache/pestdata/axe) runs over every dashboard after it settled and over the states a user
reaches (a form with errors, a case open, each slide); any serious or critical finding
fails. Before this test there were 14 (pale tab labels and accordion heads, a select and six
date fields without a label)."""

from __future__ import annotations

import re

import pytest
from helpers import AXE, TIMEOUT, open_incident, serious
from playwright.sync_api import Page, expect
from servers import MEDIUM, TOKEN, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not AXE.exists():
        pytest.fail(f"axe-core ontbreekt ({AXE}): draai scripts/test-setup.sh")
    with serving(tmp_path_factory.mktemp("a11y"), incidents=MEDIUM) as (process, base, _):
        yield base


def opened(page: Page, base: str, name: str, ready: str) -> Page:
    page.goto(f"{base}/voila/render/{name}.ipynb?token={TOKEN}")
    page.wait_for_selector(ready, timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    return page


# The care team's page and the parent evening are checked as they open in the two tests
# after this one, which go on to the states a user reaches there (one page load each).
@pytest.mark.parametrize(
    "name, ready", [("overzicht", ".pd-overview"), ("handelingsadvies", ".pd-school")]
)
def test_every_dashboard_has_no_serious_finding(page: Page, server, name, ready):
    opened(page, server, name, ready)
    assert serious(page) == []


def test_the_care_teams_states_have_no_serious_finding(page: Page, server):
    opened(page, server, "meldingen", "button.pd-save")
    assert serious(page) == []  # as it opens
    page.locator("button.pd-save").click()  # an empty form: every error on screen
    expect(page.locator(".pd-result")).to_contain_text("Niet opgeslagen", timeout=TIMEOUT)
    assert serious(page) == []
    select = page.locator(".pd-case-select select")
    page.get_by_role("tab", name="Meldingen").click()
    page.locator(".pd-filter-status select").select_option(label="Alle")
    expect(select.locator("option").first).to_be_attached(timeout=TIMEOUT)
    label = select.locator("option").first.inner_text()
    open_incident(page, int(re.match(r"#(\d+)", label.strip()).group(1)))
    assert serious(page) == []
    page.get_by_role("tab", name="Signalen").click()  # the signals, a group's network
    expect(page.locator(".pd-signals-targeted h4")).to_have_text(  # counted on opening
        "Herhaaldelijk gepest", timeout=TIMEOUT
    )
    page.locator(".pd-signals-group select").select_option(label="groep 7")
    expect(page.locator(".pd-signals-network .js-plotly-plot, .pd-signals-network .pd-empty")
           .first).to_be_visible(timeout=TIMEOUT)  # fmt: skip
    assert serious(page) == []


def test_every_slide_has_no_serious_finding(page: Page, server):
    """The parent evening as it opens (slide 1), then each slide."""
    opened(page, server, "ouderavond", ".pd-position")
    position = page.locator(".pd-position")
    total = int(position.inner_text().split("/")[1])
    for number in range(1, total + 1):
        expect(position).to_have_text(f"{number} / {total}", timeout=TIMEOUT)
        assert serious(page) == [], f"dia {number}"
        if number < total:
            page.locator("button.pd-next").click()


def test_each_chart_has_a_text_alternative_and_a_table(page: Page, server):
    opened(page, server, "overzicht", ".pd-overview")
    page.wait_for_selector(".pd-chart-trend .js-plotly-plot", timeout=TIMEOUT)
    plot = page.locator(".pd-chart-trend [role=figure]")
    expect(plot).to_have_attribute("aria-label", re.compile(r"^Meldingen per maand.*rijen"))
    tables = page.locator(".pd-chart-table")
    assert tables.count() >= 3
    trend = page.locator(".pd-chart-trend .pd-chart-table")
    trend.locator("summary").click()  # keyboard and mouse alike: a <details>
    expect(trend.locator("table tbody tr").first).to_be_visible()
    assert trend.locator("table tbody tr").count() >= 2
    assert serious(page) == []


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return '';
  const classes = [];  // every pd- class of the element and the boxes around it
  for (let n = e; n; n = n.parentElement) {
    classes.push(...[...(n.classList || [])].filter(c => c.startsWith('pd-')));
  }
  const named = e.closest('label, .widget-checkbox, button, [role=tab]') || e;
  const text = named.textContent.trim().slice(0, 60);
  return `${e.tagName.toLowerCase()}|${classes.join(' ')}|${text}`;
}"""


def tab_to(page: Page, wanted, limit: int = 250) -> str:
    """Press Tab until the focused element is the one wanted (a predicate on FOCUSED's
    'tag|pd-classes|text'); fails if the keyboard cannot reach it."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        seen.append(focus)
        if wanted(focus):
            return focus
    raise AssertionError(f"not reachable with Tab; focus went through: {seen[-40:]}")


def test_a_report_is_logged_and_a_step_ticked_with_the_keyboard_alone(page: Page, server):
    """No mouse: Tab to each field, type, Space for a box, Enter to save and to tick."""
    opened(page, server, "meldingen", "button.pd-save")
    page.locator("body").focus()
    tab_to(page, lambda f: f.startswith("select|") and "pd-school-choice" in f)
    page.keyboard.type("De Regenboog")  # a closed select picks by typing; none preselected
    tab_to(page, lambda f: "pd-field-reporter" in f and f.endswith("|Leerling"))
    page.keyboard.press("Space")  # a radio button: chosen on purpose, never by a typed letter
    tab_to(page, lambda f: f.startswith("select|") and "pd-field-group" in f)
    page.keyboard.type("klas 2")
    tab_to(page, lambda f: f.startswith("input|") and "pd-pupil-number" in f)
    page.keyboard.type("770077")
    tab_to(page, lambda f: "pd-platform" in f and "WhatsApp" in f)
    page.keyboard.press("Space")
    tab_to(page, lambda f: "pd-form" in f and "Bedreiging" in f)
    page.keyboard.press("Space")
    tab_to(page, lambda f: f.startswith("textarea|") and "pd-field-description" in f)
    page.keyboard.type("Dreigende berichten in de klassengroep.")
    tab_to(page, lambda f: f.startswith("button|") and "pd-save" in f)
    page.keyboard.press("Enter")
    result = page.locator(".pd-result")
    expect(result).to_contain_text("opgeslagen", timeout=TIMEOUT)
    incident_id = int(re.search(r"#(\d+)", result.inner_text()).group(1))

    # To the case list: arrows move along the tab bar, Enter opens the tab; then the search
    # field takes the case number.
    tab_to(page, lambda f: "Nieuwe melding" in f and "pd-tabs" in f, limit=400)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="Meldingen")).to_have_attribute(
        "aria-selected", "true", timeout=TIMEOUT
    )
    tab_to(page, lambda f: f.startswith("input|") and "pd-case-search" in f)
    page.keyboard.type(str(incident_id))
    page.keyboard.press("Enter")
    select = page.locator(".pd-case-select select")
    expect(select.locator("option", has_text=f"#{incident_id} ")).to_have_count(1, timeout=TIMEOUT)
    tab_to(page, lambda f: f.startswith("select|") and "pd-case-select" in f)
    page.keyboard.press("ArrowDown")
    expect(page.locator(".pd-case-details")).to_contain_text(
        f"Melding #{incident_id}", timeout=TIMEOUT
    )
    tab_to(page, lambda f: f.startswith("button|") and "pd-step-steun" in f)
    page.keyboard.press("Enter")
    expect(page.locator(".pd-step-steun .pd-step-done")).to_contain_text("Gedaan", timeout=TIMEOUT)
    page.goto("about:blank")
