"""WCAG 2.1 A/AA in Chromium: axe-core (from npm, scripts/test-setup.sh puts it in
~/.cache/pestdata/axe) runs over every dashboard after it settled and over the states a user
reaches (a form with errors, a case open, each slide); any serious or critical finding
fails. Before this test there were 14 (pale tab labels and accordion heads, a select and six
date fields without a label)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from servers import TOKEN, start_server
from test_browser import TIMEOUT, open_case

pytestmark = pytest.mark.browser
AXE = (
    Path(os.environ.get("PESTDATA_AXE_DIR", Path.home() / ".cache" / "pestdata" / "axe"))
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not AXE.exists():
        pytest.fail(f"axe-core ontbreekt ({AXE}): draai scripts/test-setup.sh")
    process, base, _ = start_server(tmp_path_factory.mktemp("a11y"), incidents=400)
    yield base
    process.terminate()
    process.wait(timeout=30)


def serious(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG findings on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async rules => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: rules}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => `${v.id}: ${v.nodes.map(n => n.html.slice(0, 120)).join(' | ')}`);
        }""",
        RULES,
    )
    return found


def opened(page: Page, base: str, name: str, ready: str) -> Page:
    page.goto(f"{base}/voila/render/{name}.ipynb?token={TOKEN}")
    page.wait_for_selector(ready, timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    return page


@pytest.mark.parametrize(
    "name, ready",
    [
        ("meldingen", "button.pd-save"),
        ("overzicht", ".pd-overview"),
        ("handelingsadvies", ".pd-school"),
        ("ouderavond", ".pd-position"),
    ],
)
def test_every_dashboard_has_no_serious_finding(page: Page, server, name, ready):
    opened(page, server, name, ready)
    assert serious(page) == []


def test_the_care_teams_states_have_no_serious_finding(page: Page, server):
    opened(page, server, "meldingen", "button.pd-save")
    page.locator("button.pd-save").click()  # an empty form: every error on screen
    expect(page.locator(".pd-result")).to_contain_text("Niet opgeslagen", timeout=TIMEOUT)
    assert serious(page) == []
    select = page.locator(".pd-case-select select")
    page.get_by_role("tab", name="Meldingen").click()
    page.locator(".pd-filter-status select").select_option(label="Alle")
    expect(select.locator("option").first).to_be_attached(timeout=TIMEOUT)
    label = select.locator("option").first.inner_text()
    open_case(page, int(re.match(r"#(\d+)", label.strip()).group(1)))
    assert serious(page) == []


def test_every_slide_has_no_serious_finding(page: Page, server):
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
