"""The teacher's page (Handelingsadvies) in real Chromium against a live `pestdata serve`:
a teacher types everyday words into the search and finds the help for them, sees the
national help lines with their numbers and who added them, and every material says where to
find it. The in-process checks are in test_teacher_page.py; this is the same page served."""

from __future__ import annotations

import pytest
from helpers import TIMEOUT, serious, shared_page
from playwright.sync_api import Page, expect
from servers import SMALL, TOKEN, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teacher")
    with serving(folder, incidents=SMALL) as (process, base, _):
        yield f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}"


@pytest.fixture(scope="module")
def teacher(browser, browser_context_args, server):
    """One page for the three tests: they only read it (the search leaves the rest of the
    page as it was), and each page load costs a kernel and Chromium's rendering."""
    with shared_page(
        browser, browser_context_args, server, ".pd-chart-lessons .js-plotly-plot"
    ) as page:
        yield page


def test_the_search_finds_sexting_naaktfoto_whatsapp_and_buitensluiten(teacher: Page):
    field = teacher.locator(".pd-search input")
    results = teacher.locator(".pd-search-results")
    field.fill("sexting")
    expect(results).to_contain_text("Helpwanted.nl", timeout=TIMEOUT)
    expect(results).to_contain_text("Denk na voordat je iets deelt")
    expect(results).to_contain_text("2. Ga naar www.meldknop.nl")
    expect(results.locator(".pd-help-line")).to_contain_text("toegevoegd door pestdata")
    assert serious(teacher) == []  # WCAG (axe-core) with the results on screen

    field.fill("")
    expect(results).to_be_empty(timeout=TIMEOUT)
    field.press_sequentially("naaktfoto's", delay=30)  # as typed: a search per key
    expect(results).to_contain_text("5 gevonden voor ‘naaktfoto's’", timeout=TIMEOUT)
    expect(results).to_contain_text("Helpwanted.nl")
    expect(results).to_contain_text("ook gezocht op:")

    field.fill("WhatsApp")
    expect(results).to_contain_text("4 gevonden voor ‘WhatsApp’", timeout=TIMEOUT)
    expect(results).to_contain_text("Sociale Media")
    expect(results).to_contain_text("Maak online pesten bespreekbaar")

    field.fill("buitengesloten")
    expect(results).to_contain_text("4 gevonden voor ‘buitengesloten’", timeout=TIMEOUT)
    expect(results).to_contain_text("De Kindertelefoon")
    expect(results).to_contain_text("Digitaal pesten")

    field.fill("zzzgeenwoord")
    expect(results).to_contain_text("Niets gevonden voor ‘zzzgeenwoord’", timeout=TIMEOUT)


def test_the_help_lines_show_their_numbers_and_who_added_them(teacher: Page):
    lines = teacher.locator(".pd-help-lines .pd-help-line")
    expect(lines).to_have_count(4)
    for name, phone in [
        ("De Kindertelefoon", "0800-0432"),
        ("113 Zelfmoordpreventie", "0800-0113"),
        ("Veilig Thuis", "0800-2000"),
    ]:
        card = lines.filter(has_text=name)
        expect(card).to_contain_text(f"Bel {phone}")
        expect(card).to_contain_text("toegevoegd door pestdata")
        assert card.locator("a[href^='tel:']").inner_text() == phone
    expect(lines.filter(has_text="Helpwanted.nl")).to_contain_text("sextortion")
    for link in teacher.locator(".pd-help-lines a[href^='https://']").all():
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("rel") == "noopener noreferrer"


def test_every_material_shows_a_link_or_where_to_find_it(teacher: Page):
    materials = teacher.locator(".pd-materials .pd-material")
    expect(materials).to_have_count(10)
    for card in materials.all():
        links = card.locator("a[href^='https://']").count()
        where = card.locator(".pd-where")
        assert links + where.count() == 1, card.inner_text()
        if where.count():
            assert where.inner_text().startswith(("Te vinden bij: ", "Vraag de anti-pestco"))
    expect(materials.filter(has_text="The Web We Want")).to_contain_text("Te vinden bij: Ziggo")
