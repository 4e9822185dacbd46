"""The presenter's page in real Chromium against a live `pestdata serve`: hiding slides and
saving the offline file from the page (pestdata/ui/slides.py)."""

from __future__ import annotations

import re

import pytest
from helpers import TIMEOUT, serious
from playwright.sync_api import Page, expect
from servers import MEDIUM, TOKEN, serving

pytestmark = pytest.mark.browser
SCHOOL = "De Regenboog"  # one of the demo's schools


@pytest.fixture(scope="module")
def evening(tmp_path_factory):
    """The parent evening's address on a live server with demo data."""
    folder = tmp_path_factory.mktemp("evening")
    with serving(folder, incidents=MEDIUM) as (process, base, _):
        yield f"{base}/voila/render/ouderavond.ipynb?token={TOKEN}"


@pytest.fixture
def deck(page: Page, evening):
    """The presentation of De Regenboog, on its first slide."""
    page.set_default_timeout(TIMEOUT)
    page.goto(evening)
    page.locator(".pd-school-choice select").select_option(SCHOOL)
    expect(page.locator(".pd-slide-text h1")).to_have_text(SCHOOL, timeout=TIMEOUT)
    expect(page.locator(".pd-position")).to_have_text(re.compile(r"^1 / \d+$"))
    yield page
    page.goto("about:blank")  # lets Voilà shut the kernel down


def total(page: Page) -> int:
    return int(page.locator(".pd-position").inner_text().split("/")[1])


def titles_by_keys(page: Page) -> list[str]:
    """Every slide's title, from the first to the last, with the arrow keys."""
    position = page.locator(".pd-position")
    count, titles = total(page), []
    for number in range(1, count + 1):
        expect(position).to_have_text(f"{number} / {count}", timeout=TIMEOUT)
        titles.append(page.locator(".pd-slide-text h1").inner_text())
        page.keyboard.press("ArrowRight")
    return titles


def open_panel(page: Page):
    """The presenter's panel, and every slide's title in order (its checkbox labels)."""
    page.locator(".pd-slides-toggle").click()
    panel = page.locator(".pd-slide-panel")
    expect(panel).to_be_visible()
    labels = panel.locator(".pd-slide-choice").all_inner_texts()
    return panel, [re.sub(r"^\d+\. ", "", label.strip()) for label in labels]


def test_a_hidden_slide_is_skipped(deck: Page):
    count = total(deck)
    panel, every = open_panel(deck)
    assert len(every) == count >= 7 and "Wat doet de school?" in every
    assert serious(deck) == []  # the panel too: labelled, readable (axe-core, WCAG AA)
    box = panel.locator(".pd-slide-choice-school input[type=checkbox]")
    expect(box).to_be_checked()
    box.uncheck()
    expect(deck.locator(".pd-position")).to_have_text(f"1 / {count - 1}", timeout=TIMEOUT)
    deck.locator(".pd-slides-toggle").click()  # the panel closes for the audience
    expect(panel).to_be_hidden()
    deck.locator(".pd-slide-text h1").click()  # the keys belong to the deck again
    assert titles_by_keys(deck) == [t for t in every if t != "Wat doet de school?"]
    deck.locator("button.pd-next").click()  # at the end it stays at the end
    expect(deck.locator(".pd-position")).to_have_text(f"{count - 1} / {count - 1}")


def test_the_offline_file_is_saved_from_the_page(deck: Page, browser, tmp_path):
    panel, every = open_panel(deck)
    panel.locator(".pd-slide-choice-wat_is input[type=checkbox]").uncheck()
    position = deck.locator(".pd-position")
    expect(position).to_have_text(f"1 / {len(every) - 1}", timeout=TIMEOUT)
    panel.locator("button.pd-offline-make").click()
    link = panel.locator(".pd-offline-link a")
    expect(link).to_contain_text(
        "Offline bestand opslaan: ouderavond-de-regenboog.html", timeout=TIMEOUT
    )
    expect(link).to_contain_text(f"({len(every) - 1} dia's")
    with deck.expect_download() as saving:
        link.click()
    download = saving.value
    assert download.suggested_filename == "ouderavond-de-regenboog.html"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.stat().st_size > 1_000_000  # plotly.js inside: it works without internet

    # The file, opened where nothing can be reached: the slides shown, none hidden.
    context = browser.new_context(offline=True)
    try:
        offline = context.new_page()
        offline.set_default_timeout(TIMEOUT)
        offline.goto(saved.as_uri())
        shown = [t for t in every if t != "Wat is online pesten?"]
        expect(offline.locator(".pd-position")).to_have_text(f"1 / {len(shown)}")
        seen = []
        for number in range(1, len(shown) + 1):
            expect(offline.locator(".pd-position")).to_have_text(f"{number} / {len(shown)}")
            seen.append(offline.locator(".pd-slide.pd-current h1").inner_text())
            offline.keyboard.press("ArrowRight")
        assert seen == shown
        assert offline.evaluate("typeof Plotly") == "object"
    finally:
        context.close()
