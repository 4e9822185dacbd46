"""The care team's page in real Chromium against a live `pestdata serve` on a temp database."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from helpers import CHARTS, TIMEOUT, fill_report, open_incident, saved_id, shared_page
from playwright.sync_api import Page, expect
from servers import TOKEN, serving

from pestdata.core import clock
from pestdata.core.model import validate_incident, validate_step
from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup
from pestdata.school import school_names

pytestmark = pytest.mark.browser
TOKEN_ACTOR = "toegangscode (zorgteam)"  # a token server has no signed-in person


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live `pestdata serve` on a fresh SQLite file with a little demo data."""
    folder = tmp_path_factory.mktemp("serve")
    plant_markers(f"sqlite:///{folder}/pestdata.sqlite")
    with serving(folder) as (process, base, db):
        yield {
            "base": base,
            "db": db,
            "url": f"{base}/voila/render/meldingen.ipynb?token={TOKEN}",
            "overview": f"{base}/voila/render/overzicht.ipynb?token={TOKEN}",
            "guidance": f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}",
            "evening": f"{base}/voila/render/ouderavond.ipynb?token={TOKEN}",
        }


MARKERS = ("MK-424242", "MARKER-DESC-Q7", "MARKER-NOTE-Q7")


def plant_markers(db: str) -> None:
    """An open, overdue case whose pupil number, description and step note are markers."""
    store = Store(db).ensure_schema()
    reported = clock.today() - timedelta(days=30)
    incident = validate_incident(
        {
            "school": "De Regenboog",
            "reported_on": reported,
            "reporter": "parent",
            "pupils": [{"pupil_number": MARKERS[0], "role": "target"}],
            "group": "groep 7",
            "platforms": ["whatsapp"],
            "forms": ["gossip"],
            "severity": "medium",
            "status": "in_progress",
            "handler": "mevr. Marker",
            "description": MARKERS[1],
        }
    )
    step = validate_step(
        {"step_id": "steun", "done_on": reported, "done_by": "mevr. Marker", "note": MARKERS[2]}
    )
    incident_log.add_incidents(store, [(incident, [step])], actor="test")


@pytest.fixture
def store(server) -> Store:
    return Store(server["db"])


@pytest.fixture
def app(page: Page, server):
    """The meldingen page, rendered, with every request it makes recorded."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server["url"])
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    page.requests = requests
    yield page
    page.goto("about:blank")  # lets Voilà shut the kernel down


def upload_file(page: Page, path: Path):
    """Upload a file in the import tab as the care team does; the import report locator."""
    page.get_by_role("tab", name="Import en export").click()
    with page.expect_file_chooser() as chooser:
        page.locator(".pd-upload").click()
    chooser.value.set_files(str(path))
    return page.locator(".pd-import-report")


def test_log_a_report_tick_two_steps_and_reload(app: Page, server, store: Store):
    before = lookup.count_incidents(store)
    fill_report(app, "Berichten in de klassengroep.", pupil="424242")
    app.locator("button.pd-save").click()
    incident_id = saved_id(app)
    incident = lookup.get_incident(store, incident_id)
    assert lookup.count_incidents(store) == before + 1
    assert incident["pupils"] == [{"pupil_number": "424242", "role": "target"}]
    assert incident["platforms"] == ["whatsapp"] and incident["forms"] == ["threats"]
    assert incident["group_name"] == "klas 2" and incident["reported_on"] == clock.today()

    open_incident(app, incident_id)
    expect(app.locator(".pd-police-advice")).to_contain_text("politie")
    for step in ("steun", "hulp"):
        row = app.locator(f".pd-step-{step}")
        row.locator("input[type=text]").last.fill(f"notitie bij {step}")
        row.locator("button.pd-step-tick").click()
        expect(app.locator(f".pd-step-{step} .pd-step-done")).to_contain_text(
            "Gedaan", timeout=TIMEOUT
        )
    assert set(lookup.get_incident(store, incident_id)["steps"]) == {"steun", "hulp"}

    app.reload()
    app.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    open_incident(app, incident_id)
    for step in ("steun", "hulp"):
        expect(app.locator(f".pd-step-{step} .pd-step-done")).to_contain_text(TOKEN_ACTOR)
    expect(app.locator(".pd-case-timeline")).to_contain_text("notitie bij hulp")
    expect(app.locator(".pd-step-politie .pd-step-done")).to_have_count(0)


def test_the_form_refuses_in_dutch_keeps_what_was_typed_and_shows_html_as_text(
    app: Page, store: Store
):
    """One page, as the care team meets it: a missing description, then a name where the
    pupil number goes, are refused in Dutch with nothing stored and nothing typed lost; once
    right, the HTML typed in the description is stored literally and shown as text. No
    request of all this leaves the machine."""
    before = lookup.count_incidents(store)
    fill_report(app, "")  # description left empty
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-result")).to_contain_text("Niet opgeslagen", timeout=TIMEOUT)
    expect(app.locator(".pd-error-description")).to_contain_text(
        "Beschrijving: dit veld is verplicht"
    )
    assert lookup.count_incidents(store) == before
    # Nothing the user typed is lost: the rest of the form still holds it.
    expect(app.locator(".pd-pupil-number input").first).to_have_value("123456")

    app.locator(".pd-pupil-number input").first.fill("Jan de Vries")  # a name, not a number
    app.locator(".pd-field-description textarea").fill("Iets gebeurd.")
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-error-pupils")).to_contain_text("nooit een naam", timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before

    payload = '<b id="injected">vet</b><img src=x onerror="window.pwned=1">'
    app.locator(".pd-pupil-number input").first.fill("123456")
    app.locator(".pd-field-description textarea").fill(payload)
    app.locator("button.pd-save").click()
    expect(app.locator(".pd-result")).not_to_contain_text("Niet", timeout=TIMEOUT)
    incident_id = saved_id(app)
    assert lookup.get_incident(store, incident_id)["descriptions"][0]["text"] == payload
    open_incident(app, incident_id)
    expect(app.locator(".pd-description").first).to_have_text(payload)
    assert app.locator("#injected").count() == 0
    assert app.evaluate("window.pwned") is None

    assert app.requests, "no requests recorded"
    outside = [
        u
        for u in app.requests
        if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:"))
    ]
    assert outside == []


def test_token_is_required(server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener = urllib.request.build_opener(NoRedirect)
        opener.open(f"{server['base']}/voila/render/meldingen.ipynb", timeout=10)
    assert refused.value.code in (302, 401, 403)
    with urllib.request.urlopen(server["url"], timeout=60) as ok:
        assert ok.status == 200


def test_the_token_form_is_dutch_and_a_wrong_code_gets_a_dutch_answer(page: Page, server):
    page.goto(f"{server['base']}/voila/render/meldingen.ipynb")  # no token: to the form
    expect(page.locator("h1")).to_have_text("Toegangscode voor pestdata", timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Toegangscode").fill("fout-geraden")
    page.get_by_role("button", name="Openen").click()
    expect(page.get_by_role("alert")).to_have_text("Deze toegangscode klopt niet.")
    shown = page.inner_text("body")
    assert not [w for w in ("Password", "Log in", "Invalid", "credentials") if w in shown]
    page.get_by_label("Toegangscode").fill(TOKEN)
    page.get_by_role("button", name="Openen").click()
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)  # the page it was going to
    assert "/voila/render/meldingen.ipynb" in page.url
    page.goto("about:blank")


def test_theme_and_template_cannot_be_switched_from_the_url(page: Page, server):
    page.goto(server["url"] + "&voila-theme=dark&voila-template=classic")
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    assert "theme-dark" not in (page.locator("body").get_attribute("class") or "")
    assert page.locator('meta[name="generator"][content="pestdata"]').count() == 1
    assert page.title() == "Meldingen · pestdata"
    page.goto("about:blank")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_an_error_in_a_notebook_shows_no_traceback(page: Page, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell(
                    "def geheime_functie():\n"
                    "    raise RuntimeError('interne-fout-42')\n"
                    "geheime_functie()"
                )
            ]
        ),
        notebooks / "kapot.ipynb",
    )
    with serving(tmp_path, notebooks) as (process, base, _):
        page.goto(f"{base}/voila/render/kapot.ipynb?token={TOKEN}")
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        content = page.content()
        assert "geheime_functie" not in content and "Traceback" not in content
        page.goto("about:blank")


@pytest.fixture(scope="module")
def overview(browser, browser_context_args, server):
    """One overview page for the three tests below, in this order (each page load costs a
    kernel and Chromium's rendering): they read it, and each leaves it as the next expects."""
    charts = [f"{chart} .js-plotly-plot" for chart in CHARTS]
    with shared_page(browser, browser_context_args, server["overview"], *charts) as page:
        yield page


PLOTTED = "s => document.querySelector(s + ' .js-plotly-plot').data.map(t => [t.name, t.y, t.x])"


def plotted(page: Page, chart: str) -> list:
    return page.evaluate(PLOTTED, chart)


def test_overview_shows_every_chart_with_demo_data(overview: Page):
    for chart in CHARTS:
        assert plotted(overview, chart), chart
    # Shared: "now" is the end of the last complete month (disclosure.as_of).
    last = clock.today().replace(day=1) - timedelta(days=1)
    month = f"{clock.MONTHS[last.month - 1]} {last.year}"
    expect(overview.locator(".pd-key-figures")).to_contain_text(f"Open meldingen eind {month}")
    expect(overview.locator(".pd-key-figures")).to_contain_text(f"Nieuwe meldingen in {month}")
    names = [trace[0] for trace in plotted(overview, ".pd-chart-trend")]
    assert "WhatsApp" in names
    # Each chart spans the page's width, not plotly's default 700 px.
    for chart in CHARTS:
        drawn, room = overview.evaluate(
            "s => [document.querySelector(s + ' .main-svg').getBoundingClientRect().width,"
            " document.querySelector('.pd-overview').getBoundingClientRect().width]",
            chart,
        )
        assert drawn > 0.9 * room, (chart, drawn, room)


def test_changing_a_filter_changes_the_plotted_data(overview: Page):
    before = plotted(overview, ".pd-chart-trend")
    before_json = overview.evaluate(f"JSON.stringify(({PLOTTED})('.pd-chart-trend'))")
    overview.locator(".pd-filter-school select").select_option(label="Het Baken College")
    overview.wait_for_function(
        f"old => JSON.stringify(({PLOTTED})('.pd-chart-trend')) !== old",
        arg=before_json,
        timeout=TIMEOUT,
    )
    assert plotted(overview, ".pd-chart-trend") != before
    # A secondary school has no pupils aged 4-7: shared, that band stays listed (zero looks
    # like 1-4), without a bar and "< 5" in every month.
    overview.wait_for_function(
        "() => { const t = document.querySelector('.pd-chart-age .js-plotly-plot').data"
        ".find(t => t.name === '4-7 jaar'); return t && t.y.every(v => v === null); }",
        timeout=TIMEOUT,
    )
    band = overview.evaluate(
        "() => document.querySelector('.pd-chart-age .js-plotly-plot').data"
        ".find(t => t.name === '4-7 jaar').text"
    )
    assert band and set(band) == {"< 5"}, band
    expect(overview.locator(".pd-chart-age .legendtext", has_text="4-7 jaar")).to_have_count(1)


def test_charts_load_our_plotly_bundle_not_the_lab_extension(page: Page, server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server["overview"])
    for chart in CHARTS:
        page.wait_for_selector(f"{chart} .js-plotly-plot", timeout=TIMEOUT)
    bundles = [u for u in requested if "plotly-cartesian-4.1.1.min.js" in u]
    assert len(bundles) == 1, bundles  # one <script> for all four charts
    assert not [u for u in requested if "jupyterlab-plotly" in u]
    # The template starts the download in the page head; a page without charts skips it.
    assert page.locator("head script#pd-plotly[async]").count() == 1
    page.goto(server["url"])  # meldingen: no charts
    page.wait_for_selector(".pd-report-form", timeout=TIMEOUT)
    assert page.locator("#pd-plotly").count() == 0
    page.goto("about:blank")


FIRST_PAINTED = """() => Object.fromEntries([...document.querySelectorAll(
    '.pd-first-paint [data-first-paint]')].map(p => [p.dataset.firstPaint,
    p.data && p.data.map(t => [t.name, t.y, t.x])]))"""


def test_the_overview_draws_its_charts_before_the_widgets_connect_then_gives_way_to_them(
    page: Page, server
):
    # The kernel's websocket held back: no widget can appear, the charts must.
    page.route_web_socket(re.compile(r"/api/kernels/[^/]+/channels"), lambda socket: None)
    page.goto(server["overview"])
    names = {"trend": ".pd-chart-trend", "age": ".pd-chart-age", "steps": ".pd-chart-steps",
             "heatmap": ".pd-chart-steps-quarter"}  # fmt: skip
    for name in names:
        plot = page.locator(f".pd-first-paint [data-first-paint={name}].js-plotly-plot")
        expect(plot).to_be_visible(timeout=TIMEOUT)
    painted = page.evaluate(FIRST_PAINTED)
    assert list(painted) == list(names) and all(painted.values())  # in the page's order
    assert page.locator(".pd-overview").count() == 0  # no widget without the kernel
    page.goto("about:blank")

    # With the kernel: the widgets come and draw the same figures, and the first paint goes.
    live = page.context.new_page()
    live.goto(server["overview"])
    for chart in names.values():
        live.wait_for_selector(f".pd-overview {chart} .js-plotly-plot", timeout=TIMEOUT)
    expect(live.locator(".pd-first-paint")).to_have_count(0, timeout=TIMEOUT)
    expect(live.locator(".js-plotly-plot")).to_have_count(len(names))  # one plot per chart
    for name, chart in names.items():
        assert plotted(live, chart) == painted[name], name  # the same figure, twice
    live.goto("about:blank")


def test_planted_markers_never_reach_the_overview(overview: Page):
    def page_text() -> str:
        return overview.content() + overview.locator("body").inner_text()

    school = overview.locator(".pd-filter-school select")
    chosen = school.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
    if chosen != "Alle scholen":
        # the filter test above chose one school: every school again, drawn
        before = overview.evaluate(f"JSON.stringify(({PLOTTED})('.pd-chart-trend'))")
        school.select_option(label="Alle scholen")
        overview.wait_for_function(
            f"old => JSON.stringify(({PLOTTED})('.pd-chart-trend')) !== old",
            arg=before,
            timeout=TIMEOUT,
        )
    for marker in MARKERS:
        assert marker not in page_text()
    overview.locator(".pd-filter-shared input").uncheck()  # the internal view, with the list
    expect(overview.locator(".pd-overdue table")).to_be_visible(timeout=TIMEOUT)
    expect(overview.locator(".pd-overdue")).to_contain_text("mevr. Marker")
    for marker in MARKERS:
        assert marker not in page_text()


@pytest.fixture(scope="module")
def guidance(browser, browser_context_args, server):
    """One guidance page for the three tests below, in this order: the materials' filters
    and the lessons leave the checklist alone, and the last test goes on to the overview."""
    ready = ".pd-chart-lessons .js-plotly-plot"
    with shared_page(browser, browser_context_args, server["guidance"], ready) as page:
        yield page


def test_filtering_materials_changes_the_count(guidance: Page):
    count = guidance.locator(".pd-material-count")
    expect(count).to_have_text("10 van 10 materialen")
    guidance.locator(".pd-filter-age select").select_option(label="13 jaar")
    expect(count).to_have_text("8 van 10 materialen", timeout=TIMEOUT)
    expect(guidance.locator(".pd-materials")).to_contain_text("The Web We Want")
    expect(guidance.locator(".pd-materials")).not_to_contain_text("Spelend leren")
    guidance.locator(".pd-filter-audience select").select_option(label="Ouders")
    expect(count).not_to_have_text("8 van 10 materialen", timeout=TIMEOUT)
    for link in guidance.locator(".pd-materials a, .pd-help-sites a").all():
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("rel") == "noopener noreferrer"


def test_logging_a_lesson_changes_the_coverage_chart(guidance: Page):
    chart = ".pd-chart-lessons .js-plotly-plot"
    # No school is preselected: choose one. A group without lessons at all schools has none
    # at this school either, whichever of the two charts is read below.
    guidance.locator(".pd-school select").select_option(label="De Regenboog")
    before = guidance.evaluate(f"() => document.querySelector('{chart}').data[0]")
    target = next(g for g, n in zip(before["x"], before["y"], strict=True) if n == 0)
    guidance.locator(".pd-lesson-material select").select_option(index=0)
    guidance.locator(".pd-lesson-group select").select_option(label=target)
    guidance.locator("button.pd-lesson-save").click()
    expect(guidance.locator(".pd-lesson-result")).to_contain_text("Les vastgelegd", timeout=TIMEOUT)
    guidance.wait_for_function(
        "([s, g]) => { const d = document.querySelector(s).data[0];"
        " return d.y[d.x.indexOf(g)] === 1; }",
        arg=[chart, target],
        timeout=TIMEOUT,
    )


def test_ticking_a_school_action_shows_on_the_overview(guidance: Page, server):
    school = "De Regenboog"
    guidance.locator(".pd-school select").select_option(label=school)  # none preselected
    row = guidance.locator(".pd-school-action-ouderavond")
    row.locator("button.pd-school-action-tick").click()
    expect(row).to_contain_text("gedaan op", timeout=TIMEOUT)
    guidance.goto(server["overview"])
    guidance.wait_for_selector(".pd-chart-trend .js-plotly-plot", timeout=TIMEOUT)
    card = guidance.locator(".pd-school-actions .pd-checklist", has_text=school)
    expect(card).to_contain_text("1 van 6 acties gedaan")
    expect(card.locator(".pd-done")).to_contain_text("Ouderavond")


def test_parent_evening_slides_move_with_buttons_and_arrow_keys(page: Page, server):
    page.goto(server["evening"])
    position = page.locator(".pd-position")
    expect(position).to_have_text(re.compile(r"^1 / \d+$"), timeout=TIMEOUT)
    total = int(position.inner_text().split("/")[1])
    seen = page.content() + page.locator("body").inner_text()
    page.locator("button.pd-next").click()
    expect(position).to_have_text(f"2 / {total}", timeout=TIMEOUT)
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"3 / {total}", timeout=TIMEOUT)
    expect(page.locator(".pd-slide-chart .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text(f"2 / {total}", timeout=TIMEOUT)
    page.locator("button.pd-prev").click()
    page.locator("button.pd-prev").click()
    expect(position).to_have_text(f"1 / {total}", timeout=TIMEOUT)
    for number in range(2, total + 1):
        page.keyboard.press("ArrowRight")
        expect(position).to_have_text(f"{number} / {total}", timeout=TIMEOUT)
        seen += page.content() + page.locator("body").inner_text()
    for marker in (*MARKERS, "mevr. Marker"):
        assert marker not in seen
    page.goto("about:blank")


SLIDE_LAYOUT = """(selector) => {
  const slide = document.querySelector(selector);
  const nav = document.querySelector('.pd-nav').getBoundingClientRect();
  let bottom = 0;
  slide.querySelectorAll('h1, p, li, .js-plotly-plot, summary').forEach((e) => {
    const r = e.getBoundingClientRect();
    if (r.height && getComputedStyle(e).display !== 'none') bottom = Math.max(bottom, r.bottom);
  });
  const text = slide.querySelector('p:not(.pd-note):not(.pd-big), li');
  return {
    overflow: slide.scrollHeight - slide.clientHeight,
    page: document.scrollingElement.scrollHeight - innerHeight,
    bottom: bottom, height: innerHeight,
    nav: [Math.round(nav.left), Math.round(nav.top), Math.round(nav.width)],
    h1: getComputedStyle(slide.querySelector('h1')).fontSize,
    text: text ? getComputedStyle(text).fontSize : null,
  };
}"""


def walk_slides(page: Page, selector: str) -> list[dict]:
    """Every slide's layout, from the first to the last, once its chart (if any) is drawn."""
    position = page.locator(".pd-position").first
    expect(position).to_have_text(re.compile(r"^1 / \d+$"), timeout=TIMEOUT)
    total = int(position.inner_text().split("/")[1])
    seen = []
    for number in range(1, total + 1):
        expect(position).to_have_text(f"{number} / {total}", timeout=TIMEOUT)
        chart = page.locator(f"{selector} .js-plotly-plot:visible")
        if chart.count():
            expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT)
        seen.append(page.evaluate(SLIDE_LAYOUT, selector))
        page.keyboard.press("ArrowRight")
    return seen


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_live_slides_fill_a_hall_screen_like_the_exported_file(browser, server, tmp_path, size):
    """No slide scrolls, the bar stays put, and the type is the exported file's."""
    exported = tmp_path / "ouderavond.html"
    subprocess.run(
        [sys.executable, "-m", "pestdata.cli", "parent-evening", "--db", server["db"]]
        + ["--out", str(exported), "--school", "De Regenboog"],
        check=True,
        capture_output=True,
    )
    viewport = {"width": size[0], "height": size[1]}
    live_page = browser.new_page(viewport=viewport)
    live_page.goto(server["evening"])
    live_page.locator(".pd-school-choice select").select_option("De Regenboog")
    expect(live_page.locator(".pd-slide-text h1")).to_have_text("De Regenboog", timeout=TIMEOUT)
    live = walk_slides(live_page, ".pd-slideshow")
    live_page.close()
    file_page = browser.new_page(viewport=viewport)
    file_page.goto(exported.as_uri())
    offline = walk_slides(file_page, ".pd-slide.pd-current")
    file_page.close()

    assert len(live) == len(offline) >= 8
    for number, (slide, same) in enumerate(zip(live, offline, strict=True), start=1):
        assert slide["overflow"] <= 0 and slide["page"] <= 0, (number, slide)
        assert slide["bottom"] <= slide["nav"][1], (number, slide)  # nothing under the bar
        assert (slide["h1"], slide["text"]) == (same["h1"], same["text"]), number
        assert same["overflow"] <= 0 and same["page"] <= 0, (number, same)
    assert len({tuple(s["nav"]) for s in live}) == 1, "the bar moved"
    # The export's 28 px on a 1080-line screen, as large a part of a smaller screen.
    body = {float(s["text"].removesuffix("px")) for s in live if s["text"]}
    assert body and all(abs(px - 28 * min(1, size[1] / 1080)) < 0.01 for px in body), body


def test_upload_checks_per_row_then_stores_on_request(app: Page, store: Store, tmp_path):
    upload = tmp_path / "excel.csv"
    upload.write_bytes(
        "Datum melding;School;Gemeld door;Leerlingnummer;Groep;Platform;Vorm;Ernst;"
        "Behandelaar;Beschrijving\r\n"
        "12-11-2025;De Regenboog;ouder;551234;groep 6;WhatsApp;Roddelen;middel;mevr. Één;"
        "Geüpload via de browser\r\n"
        "13-11-2025;De Regenboog;ouder;Piet Jansen;groep 6;WhatsApp;Roddelen;middel;x;y\r\n".encode(
            "cp1252"
        )
    )
    before = lookup.count_incidents(store)
    report = upload_file(app, upload)
    expect(report).to_contain_text("1 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).to_contain_text("1 geweigerd")
    expect(report.locator("tr", has_text="3")).to_contain_text("Leerlingnummer")
    assert lookup.count_incidents(store) == before  # a dry run stores nothing
    app.locator("button.pd-import-commit").click()
    expect(report).to_contain_text("1 melding opgeslagen", timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before + 1


# --- the first hour: a case that leaves the filter, local time, an Excel register -----------


def open_incident_in_list(page: Page, incident_id: int) -> None:
    """Pick a case among the open cases (the filter is switched to redraw the list)."""
    page.get_by_role("tab", name="Meldingen").click()
    status = page.locator(".pd-filter-status select")
    status.select_option(label="Alle")
    status.select_option(label="Open (nieuw, in behandeling, doorverwezen)")
    select = page.locator(".pd-case-select select")
    option = select.locator("option", has_text=f"#{incident_id} ")
    expect(option).to_have_count(1, timeout=TIMEOUT)
    select.select_option(label=option.inner_text())
    expect(page.locator(".pd-case-details")).to_contain_text(
        f"Melding #{incident_id}", timeout=TIMEOUT
    )


def test_a_case_that_leaves_the_filter_stays_open_and_times_are_local(app: Page, store: Store):
    from pestdata.core import clock

    base = {
        "school": "De Regenboog",
        "reporter": "pupil",
        "group": "groep 6",
        "platforms": ["snapchat"],
        "forms": ["exclusion"],
        "severity": "low",
        "status": "in_progress",
        "handler": "dhr. Filter",
        "description": "Niet toegelaten in de groep.",
    }
    today = clock.today()
    ids = [
        incident_log.add_incident(
            store,
            validate_incident(
                {
                    **base,
                    "reported_on": today - timedelta(days=days),
                    "pupils": [{"pupil_number": f"FL-{days}00", "role": "target"}],
                }
            ),
            actor="test",
        )
        for days in (3, 2, 1)  # newer open cases above and below the one we change
    ]
    chosen = ids[1]
    open_incident_in_list(app, chosen)
    app.locator(".pd-status-new select").select_option(label="Opgelost")
    app.locator("button.pd-status-change").click()
    expect(app.locator(".pd-status-result")).to_contain_text(
        f"Opgeslagen bij melding #{chosen}: status is nu Opgelost", timeout=TIMEOUT
    )
    # The same case is still on screen and selected, although 'Open' no longer matches it.
    expect(app.locator(".pd-case-details")).to_contain_text(f"Melding #{chosen}")
    expect(app.locator(".pd-case-details")).to_contain_text("Opgelost")
    select = app.locator(".pd-case-select select")
    selected = select.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
    assert selected.startswith(f"#{chosen} ") and "buiten de filters" in selected
    expect(app.locator(".pd-case-count")).to_contain_text(f"melding #{chosen} blijft geopend")
    assert lookup.get_incident(store, chosen)["status"] == "resolved"

    # The next tick goes into the same case, not into the one the list shows next.
    row = app.locator(".pd-step-steun")
    row.locator("button.pd-step-tick").click()
    expect(row.locator(".pd-step-result")).to_contain_text(f"#{chosen}: stap", timeout=TIMEOUT)
    assert "steun" in lookup.get_incident(store, chosen)["steps"]
    assert all("steun" not in lookup.get_incident(store, i)["steps"] for i in ids if i != chosen)

    # Times on the page are local time, not the UTC the audit stores.
    change = next(e for e in lookup.audit_entries(store, chosen) if e["action"] == "status")
    local = clock.local(change["at"]).strftime("%d-%m-%Y %H:%M")
    utc = change["at"].strftime("%d-%m-%Y %H:%M")
    timeline = app.locator(".pd-case-timeline")
    expect(timeline).to_contain_text(local)
    if local != utc:
        assert utc not in timeline.inner_text()


def test_an_excel_register_without_school_imports_through_the_widget_and_exports(
    app: Page, store: Store, tmp_path
):
    import base64
    import io as stdio
    from datetime import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "Datum melding",
            "Leerlingnummer",
            "Groep",
            "Platform",
            "Vorm",
            "Ernst",
            "Omschrijving",
            "Gemeld door",
        ]
    )
    sheet.append(
        [
            datetime(2025, 10, 6),
            771001,
            7,
            "WhatsApp",
            "Bedreigen",
            3,
            "Dreigberichten in de groepsapp",
            "Ouder",
        ]
    )
    sheet.append(
        [
            datetime(2025, 10, 13),
            771002,
            5,
            "TikTok",
            "Buitensluiten",
            1,
            "Niet mogen meedoen",
            "Leerling",
        ]
    )
    sheet.append(
        [
            datetime(2025, 11, 3),
            771003,
            8,
            "Snapchat",
            "Roddelen",
            "heel erg",
            "Roddels over een leerling",
            "Mentor",
        ]
    )
    upload = tmp_path / "register.xlsx"
    book.save(upload)
    before = lookup.count_incidents(store)
    assert len(school_names.names(store)) > 1  # the demo has two: the widget must ask which

    report = upload_file(app, upload)
    expect(report).to_contain_text("noemt geen school", timeout=TIMEOUT)
    app.locator(".pd-import-school select").select_option(label="De Regenboog")
    expect(report).to_contain_text("2 zouden worden toegevoegd", timeout=TIMEOUT)
    expect(report).to_contain_text("1 geweigerd")
    expect(report).to_contain_text("Onbekend (import)")
    value = app.locator(".pd-import-value", has_text="heel erg")
    expect(value).to_have_count(1, timeout=TIMEOUT)
    value.locator("input").fill("Ernstig")
    value.locator("input").press("Enter")
    app.locator("button.pd-import-recheck").click()
    expect(report).to_contain_text("3 zouden worden toegevoegd", timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before  # a dry run stores nothing
    app.locator("button.pd-import-commit").click()
    expect(report).to_contain_text("3 meldingen opgeslagen", timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before + 3
    # Rows from before this school year without a status column arrive closed (history).
    stored = lookup.list_incidents(store, statuses=["closed"], limit=5000)[0]
    groups = {r.group for r in stored if r.handler == "Onbekend (import)"}
    assert {"groep 7", "groep 5", "groep 8"} <= groups

    app.locator("button.pd-export").click()
    link = app.locator(".pd-export-link a")
    expect(link).to_contain_text("meldingen.xlsx", timeout=TIMEOUT)
    href = link.get_attribute("href")
    workbook = openpyxl.load_workbook(stdio.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) - 1 == lookup.count_incidents(store)
    header = rows[0]
    numbers = {str(r[header.index("Gepeste leerling")]) for r in rows[1:]}
    assert {"771001", "771002", "771003"} <= numbers
