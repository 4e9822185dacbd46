"""Hostile input in real Chromium: XSS payloads in every free-text field, on every page.

The payloads are planted through the real store (the way the forms and imports write them)
before a live `pestdata serve` starts. Every payload, if it ever ran, would set
`window.__xss`, change `document.title`, open a dialog or add an element with id
`xss-injected`; after each page the DOM is scanned for that and for anything else a payload
could have injected (event-handler attributes, javascript: URLs, script/style elements with
payload code, raw elements inside our HTML widgets). The payloads must also be visible as
literal text, so a test cannot pass because nothing was shown.

A second set of tests records every request and websocket of each dashboard while it is
loaded and used: all of them stay on this machine.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from servers import MEDIUM, TOKEN, serving

from pestdata.core import clock
from pestdata.core.model import (
    InvalidInput,
    LessonGiven,
    SchoolActionDone,
    validate,
    validate_incident,
    validate_step,
)
from pestdata.db.store import Store
from pestdata.incidents import incident_log
from pestdata.overview.lists import school_action_status
from pestdata.school import school_records
from pestdata.ui.school_actions import print_page

pytestmark = pytest.mark.browser

TIMEOUT = 60_000


# --- the payloads ------------------------------------------------------------------------------

J = "window.__xss=1"
T = "document.title='XSS'"

PAYLOADS = [
    f"<script>{J}</script>",
    f'<img src=x onerror="{J}" id=xss-injected>',
    f'<svg onload="{T}" id=xss-injected>',
    f'<a href="javascript:{J}" id=xss-injected>klik</a>',
    f'"><script>{J}</script>',
    "'-alert(1)-'",
    f"';{J};//",
    f'" autofocus onfocus="{J}" onmouseover="{J}" x="',
    f"' onfocus='{J}' autofocus x='",
    '<iframe srcdoc="<script>parent.__xss=1</script>" id=xss-injected></iframe>',
    f"<math><mtext><table><mglyph><style><img src=x onerror={J} id=xss-injected>",
    f"<style>@import 'javascript:{J}';</style><b id=xss-injected>x</b>",
    f"</script><script>{J}</script>",
    "{{7*7}}",
    f"{{{{constructor.constructor('{J}')()}}}}",
    f"${{{J}}}",
    "`+alert(1)+`",
    f'"}}]}};{J};//',
    f"\\u003cimg src=x onerror={J} id=xss-injected\\u003e",
    f"&lt;img src=x onerror={J} id=xss-injected&gt;",
    f"%3Cscript%3E{J}%3C/script%3E",
    '<img id=xss-injected title="' + "A" * 6000 + f'" src=x onerror="{J}">',
    f'<details open ontoggle="{J}" id=xss-injected>',
    f'<input autofocus onfocus="{J}" id=xss-injected>',
    f'<video><source onerror="{J}" id=xss-injected></video>',
    f'<object data="javascript:{J}" id=xss-injected></object>',
    f'<embed src="javascript:{J}" id=xss-injected>',
    f'<form action="javascript:{J}" id=xss-injected><button>ok</button></form>',
    f'<body onload="{T}">',
    f'<div style="background:url(javascript:{J})" id=xss-injected>x</div>',
    f"<ScRiPt>{J}</sCrIpT>",
    f"<scr<script>ipt>{J}</scr</script>ipt>",
    '<img src=x onerror="&#119;indow.__xss=1" id=xss-injected>',
    "<img src=x onerror=eval(atob('d2luZG93Ll9feHNzPTE=')) id=xss-injected>",
    f"<svg><script>{J}</script></svg>",
    f'<svg><a xlink:href="javascript:{J}"><text id=xss-injected>x</text></a></svg>',
    '<iframe src="javascript:parent.__xss=1" id=xss-injected>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{J}">',
    f'<base href="javascript:{J}//">',
    f'<noscript><p title="</noscript><img src=x onerror={J} id=xss-injected>">',
    f"</textarea><script>{J}</script>",
    f"</option><img src=x onerror={J} id=xss-injected>",
    f"</title><script>{T}</script>",
    f"</style><script>{J}</script>",
    f"--><script>{J}</script><!--",
    f'{{"a":"</script><script>{J}</script>"}}',
    f"$\\href{{javascript:{J}}}{{xss-mathjax}}$",
    '<a href="jav&#x09;ascript:window.__xss=1" id=xss-injected>x</a>',
    "＜script＞window.__xss=1＜/script＞",
    "<img src=x onerror=\\u0077indow.__xss=1 id=xss-injected>",
]
assert len(PAYLOADS) == len(set(PAYLOADS)) == 50

# Names (school, handler, done by, given by) hold at most 80 characters.
SHORT = [p for p in PAYLOADS if len(p) <= 80]
NOTES = [p for p in PAYLOADS if len(p) <= 2000]  # a step note holds at most 2,000
# The school with the most reports: the default on the guidance page, the parent evening and
# its export (where it is also the <title>).
BIG_SCHOOL = "</title><script>__xss=1</script><img src=x id=xss-injected onerror=__xss=1>"
SCHOOLS = [BIG_SCHOOL, *SHORT[1:5]]
OPENED = 10  # cases opened in the browser; between them they show every payload
STEPS = ("steun", "betrek")


def flat(text: str) -> str:
    """Whitespace as a browser's innerText of a table cell (or a list option, where
    ipywidgets writes each space as a no-break space) shows it."""
    return " ".join(text.replace("\xa0", " ").split())


@dataclass
class Planted:
    incidents: list[dict] = field(default_factory=list)  # the OPENED cases, what each must show
    handlers: set[str] = field(default_factory=set)
    schools: set[str] = field(default_factory=set)
    action_done_by: dict[str, set[str]] = field(default_factory=dict)  # per school


def plant(db: str) -> Planted:
    """50 open, overdue reports in groep 1 with a payload in every free-text field; a big
    school (a payload too) with closed reports, its school-wide actions and lessons."""
    store = Store(db).ensure_schema()
    planted = Planted()
    first = date(2023, 3, 1)  # before the demo data: the oldest overdue cases
    statuses = ("new", "in_progress", "referred")
    for i, payload in enumerate(PAYLOADS):
        reported = first + timedelta(days=i)
        handler = SHORT[i % len(SHORT)]
        school = SCHOOLS[i % len(SCHOOLS)]
        incident = validate_incident(
            {
                "school": school,
                "reported_on": reported,
                "reporter": "teacher",
                "pupils": [{"pupil_number": f"{500000 + i}", "role": "target"}],
                "group": "groep 1",
                "platforms": ["whatsapp"],
                "forms": ["gossip"],
                "severity": "low",
                "status": statuses[i % 3],
                "handler": handler,
                "description": payload,
            }
        )
        creator = PAYLOADS[(i + 7) % 50]
        incident_id = incident_log.add_incident(store, incident, actor=creator)
        planted.handlers.add(handler)
        planted.schools.add(school)
        if i >= OPENED:
            continue
        opened = {
            "id": incident_id,
            "school": school,
            "descriptions": [payload],
            "who": [handler, creator],
            "timeline": [],
            "steps": {},
        }
        for j in range(5):  # the ten opened cases get every payload appended between them
            text, actor = PAYLOADS[5 * i + j], PAYLOADS[(5 * i + j + 13) % 50]
            incident_log.append_description(store, incident_id, text, actor=actor)
            opened["descriptions"].append(text)
            opened["who"].append(actor)
        for k, step_id in enumerate(STEPS):
            done_by = SHORT[(3 * i + k + 5) % len(SHORT)]
            note = NOTES[(2 * i + k + 11) % len(NOTES)]
            actor = PAYLOADS[(4 * i + k + 21) % 50]
            step = validate_step(
                {"step_id": step_id, "done_on": reported, "done_by": done_by, "note": note}
            )
            incident_log.record_step(store, incident_id, step, actor=actor)
            opened["steps"][step_id] = (done_by, note)
            opened["timeline"] += [note, done_by]
        if statuses[i % 3] == "new":
            actor = PAYLOADS[(i + 31) % 50]
            incident_log.change_status(store, incident_id, "in_progress", actor=actor)
            opened["timeline"].append(actor)
        planted.incidents.append(opened)

    # The big school: more closed reports this school year than either demo school has.
    today = clock.today()
    closed = [
        (
            validate_incident(
                {
                    "school": BIG_SCHOOL,
                    "reported_on": today - timedelta(days=1 + n % 80),
                    "reporter": "parent",
                    "pupils": [{"pupil_number": f"{600000 + n}", "role": "target"}],
                    "group": f"groep {3 + n % 6}",
                    "platforms": [("whatsapp", "tiktok", "game_chat")[n % 3]],
                    "forms": [("gossip", "exclusion")[n % 2]],
                    "severity": "low",
                    "status": "closed",
                    "resolved_on": today,
                    "handler": "mevr. Groot",
                    "description": "Afgehandeld.",
                }
            ),
            [],
        )
        for n in range(220)
    ]
    incident_log.add_incidents(store, closed, actor=PAYLOADS[0])
    actions = (
        "meldknop_geinstalleerd",
        "besproken_in_klas",
        "ouderavond",
        "in_pestprotocol",
        "materialen_gelezen",
    )
    for n, action_id in enumerate(actions):
        for school in (BIG_SCHOOL, SCHOOLS[1]):
            done_by = SHORT[(n * 7 + (school == BIG_SCHOOL)) % len(SHORT)]
            done = validate(
                SchoolActionDone,
                {"school": school, "action_id": action_id, "done_on": today, "done_by": done_by},
            )
            school_records.record_school_action(store, done, actor=PAYLOADS[(n * 5 + 2) % 50])
            planted.action_done_by.setdefault(school, set()).add(done_by)
    for n, material_id in enumerate(("digitaal_pesten", "wijs", "web_we_want")):
        lesson = validate(
            LessonGiven,
            {
                "school": BIG_SCHOOL,
                "material_id": material_id,
                "group": f"groep {5 + n}",
                "given_on": today,
                "given_by": SHORT[(n * 11 + 3) % len(SHORT)],
            },
        )
        school_records.log_lesson(store, lesson, actor=PAYLOADS[(n * 9 + 4) % 50])
    return planted


# --- the server and the pages -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    planted = plant(f"sqlite:///{folder}/pestdata.sqlite")
    with serving(folder, None, incidents=MEDIUM) as (process, base, db):
        render = f"{base}/voila/render/{{}}.ipynb?token={TOKEN}"
        yield {
            "db": db,
            "folder": folder,
            "planted": planted,
            **{name: render.format(name) for name in DASHBOARDS},
        }


DASHBOARDS = ("meldingen", "overzicht", "handelingsadvies", "ouderavond")
READY = {
    "meldingen": "button.pd-save",
    "overzicht": ".pd-chart-trend .js-plotly-plot",
    "handelingsadvies": ".pd-chart-lessons .js-plotly-plot",
    "ouderavond": ".pd-position",
}
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


class Watched:
    """A page with every dialog, request and websocket it makes recorded."""

    def __init__(self, page: Page):
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.sockets: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", lambda ws: self.sockets.append(ws.url))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str, ready: str) -> Page:
        self.page.goto(url)
        self.page.wait_for_selector(ready, timeout=TIMEOUT)
        return self.page


@pytest.fixture
def watched(page: Page):
    yield Watched(page)
    page.goto("about:blank")  # lets Voilà shut the kernel down


# Everything a payload could have left in the DOM if it had been parsed as HTML.
SCAN = """() => {
  const allowed = new Set(['pdFilterAge(this)', 'pdShow(pdIndex - 1)', 'pdShow(pdIndex + 1)']);
  const urls = ['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href',
                'background', 'poster', 'content'];
  const found = [];
  const show = (el, what) => found.push(el.tagName + ' ' + what.slice(0, 120));
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase(), value = a.value;
      if (name.startsWith('on') && !allowed.has(value)) show(el, name + '=' + value);
      else if (name === 'id' && /xss/i.test(value)) show(el, 'id=' + value);
      else if (urls.includes(name) && /javascript:|xss/i.test(value)) show(el, name + '=' + value);
      else if (name === 'style' && /javascript:|xss/i.test(value)) show(el, 'style=' + value);
    }
    if (['SCRIPT', 'STYLE'].includes(el.tagName) && /xss|alert\\(/i.test(el.textContent)) {
      show(el, el.textContent);
    }
  }
  const raw = ':is(script, iframe, object, embed, img, svg, math, style, meta, link, base, ' +
    'form, input, textarea, video, audio, source, details, marquee, body, noscript, template)';
  for (const el of document.querySelectorAll('.widget-html-content ' + raw)) {
    show(el, 'inside an HTML widget');
  }
  return {found, xss: window.__xss === undefined ? null : String(window.__xss),
          title: document.title};
}"""


def assert_clean(watched: Watched, title: str | None = None) -> None:
    page = watched.page
    page.wait_for_timeout(200)  # an onerror/onload would have fired by now
    result = page.evaluate(SCAN)
    assert result["xss"] is None, "a payload ran: window.__xss is set"
    assert result["title"] != "XSS", "a payload ran: document.title was changed"
    if title is not None:
        assert result["title"] == title
    assert page.locator("#xss-injected").count() == 0
    assert result["found"] == []
    assert watched.dialogs == []


def assert_shows(locator, texts) -> None:
    """Each payload is on the page as literal text (escaped, not parsed, not templated)."""
    shown = flat(locator.inner_text())
    missing = [t[:60] for t in texts if flat(t) not in shown]
    assert missing == []


def open_incident(page: Page, incident_id: int) -> None:
    select = page.locator(".pd-case-select select")
    option = select.locator("option", has_text=re.compile(rf"^#{incident_id}\s·"))
    expect(option).to_have_count(1, timeout=TIMEOUT)
    select.select_option(label=option.inner_text())
    expect(page.locator(".pd-case-details")).to_contain_text(
        f"Melding #{incident_id}", timeout=TIMEOUT
    )


def show_group_one(page: Page) -> None:
    page.get_by_role("tab", name="Meldingen").click()
    page.locator(".pd-filter-status select").select_option(label="Alle")
    page.locator(".pd-filter-group select").select_option(label="groep 1")
    page.wait_for_function(  # both refreshes are in: every case of groep 1, in any status
        """() => { const o = [...document.querySelectorAll('.pd-case-select option')];
                   return o.length >= 50 && o.every(x => /·\\sgroep\\s1\\s·/.test(x.text)); }""",
        timeout=TIMEOUT,
    )


# --- 1. XSS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(50))
def test_a_payload_is_never_a_pupil_number(payload):
    with pytest.raises(InvalidInput) as refused:
        validate_incident(
            {
                "school": "De Regenboog",
                "reported_on": clock.today(),
                "reporter": "pupil",
                "pupils": [{"pupil_number": payload, "role": "target"}],
                "group": "groep 5",
                "platforms": ["whatsapp"],
                "forms": ["gossip"],
                "severity": "low",
                "handler": "mevr. Test",
                "description": "Iets gebeurd.",
            }
        )
    assert "pupils.0.pupil_number" in refused.value.errors


def test_the_scan_finds_each_payload_when_it_is_parsed_as_html(page: Page):
    """The check itself: parsed as HTML, every markup payload is caught by the scan."""
    page.set_content("<div id='host' class='widget-html-content'></div>")
    caught = page.evaluate(
        """([payloads, scan]) => payloads.map(p => {
             const host = document.getElementById('host');
             host.innerHTML = p;
             const hit = eval('(' + scan + ')')().found.length > 0;
             host.innerHTML = '';
             return hit;
           })""",
        [PAYLOADS, SCAN],
    )
    # Two are inert even when parsed: <body> inside a div is dropped, and `<scr<script>` is
    # one odd tag name. They still must show as text, like every other payload.
    inert = {f'<body onload="{T}">', f"<scr<script>ipt>{J}</scr</script>ipt>"}
    markup = [p for p in PAYLOADS if "<" in p and "&lt;" not in p and p not in inert]
    missed = [p[:60] for p, hit in zip(PAYLOADS, caught, strict=True) if p in markup and not hit]
    assert missed == []
    assert len(markup) == 34


def test_meldingen_shows_every_payload_as_text(watched: Watched, server):
    page = watched.open(server["meldingen"], READY["meldingen"])
    assert_clean(watched)
    show_group_one(page)
    options = flat(page.locator(".pd-case-select select").inner_text())
    assert all(flat(h) in options for h in server["planted"].handlers)  # as option text
    seen = set()
    for incident in server["planted"].incidents:
        open_incident(page, incident["id"])
        cards = page.locator(".pd-descriptions .widget-html-content .pd-description")
        assert cards.count() == len(incident["descriptions"])  # the scan looks in the right place
        assert_shows(
            page.locator(".pd-descriptions"), incident["descriptions"] + incident["who"][1:]
        )
        assert_shows(page.locator(".pd-case-details"), [incident["school"], incident["who"][0]])
        assert_shows(page.locator(".pd-case-timeline"), incident["timeline"] + incident["who"][1:])
        for step_id, (done_by, note) in incident["steps"].items():
            assert_shows(page.locator(f".pd-step-{step_id} .pd-step-done"), [done_by, note])
        seen.update(incident["descriptions"])
        assert_clean(watched)
    assert seen == set(PAYLOADS)  # every payload was on screen as a description


def test_overzicht_internal_view_shows_names_as_text(watched: Watched, server):
    page = watched.open(server["overzicht"], READY["overzicht"])
    assert_clean(watched)
    page.locator(".pd-filter-shared input").uncheck()  # the internal view, with the list
    overdue = page.locator(".pd-overdue")
    expect(overdue.locator("table")).to_be_visible(timeout=TIMEOUT)
    planted = server["planted"]
    assert_shows(overdue, planted.handlers | planted.schools)
    done_by = set().union(*planted.action_done_by.values())
    assert_shows(page.locator(".pd-school-actions"), done_by | planted.schools)
    assert_clean(watched)
    page.locator(".pd-filter-school select").select_option(label=SCHOOLS[1])
    expect(overdue.locator("tr")).to_have_count(1 + 10, timeout=TIMEOUT)  # header + 50 / 5
    assert_shows(overdue, [SCHOOLS[1]])
    assert_clean(watched)


def test_handelingsadvies_shows_done_by_as_text(watched: Watched, server):
    page = watched.open(server["handelingsadvies"], READY["handelingsadvies"])
    page.locator(".pd-school select").select_option(BIG_SCHOOL)  # none preselected
    done_by = server["planted"].action_done_by
    expect(page.locator(".pd-school-actions")).to_contain_text(
        flat(sorted(done_by[BIG_SCHOOL])[0]), timeout=TIMEOUT
    )
    assert_shows(page.locator(".pd-school-actions"), done_by[BIG_SCHOOL])
    assert_clean(watched)
    page.locator(".pd-school select").select_option(label=SCHOOLS[1])
    expect(page.locator(".pd-school-actions")).to_contain_text(
        flat(sorted(done_by[SCHOOLS[1]] - done_by[BIG_SCHOOL])[0]), timeout=TIMEOUT
    )
    assert_shows(page.locator(".pd-school-actions"), done_by[SCHOOLS[1]])
    page.locator(".pd-filter-age select").select_option(label="13 jaar")
    assert_clean(watched)


def test_handelingsadvies_print_version_shows_names_as_text(watched: Watched, server):
    page = watched.open(server["handelingsadvies"], READY["handelingsadvies"])
    page.locator("button.pd-print").click()
    link = page.locator(".pd-print-result a.pd-download")
    expect(link).to_have_count(1, timeout=5_000)
    printed = base64.b64decode(link.get_attribute("href").split(",", 1)[1]).decode("utf-8")
    page.set_content(printed)
    assert_shows(page.locator("body"), server["planted"].action_done_by[BIG_SCHOOL])
    assert_clean(watched, title="Schoolbrede acties online pesten")


def test_print_page_of_school_actions_shows_names_as_text(page: Page, server):
    """The print version's HTML itself (made directly while its button is broken, see above)."""
    done_by = server["planted"].action_done_by
    status = school_action_status(Store(server["db"]), (BIG_SCHOOL, SCHOOLS[1]))
    watched = Watched(page)
    page.set_content(print_page(status, clock.today()))
    assert_shows(page.locator("body"), {BIG_SCHOOL, SCHOOLS[1]} | done_by[BIG_SCHOOL])
    assert_shows(page.locator("body"), done_by[SCHOOLS[1]])
    assert page.locator("script").count() == 0
    assert_clean(watched, title="Schoolbrede acties online pesten")


def test_ouderavond_shows_the_school_name_as_text(watched: Watched, server):
    page = watched.open(server["ouderavond"], READY["ouderavond"])
    position = page.locator(".pd-position")
    expect(position).to_have_text(re.compile(r"^1 / \d+$"), timeout=TIMEOUT)
    total = int(position.inner_text().split("/")[1])
    assert total >= 6  # the big school has enough reports for every chart
    assert_shows(page.locator(".pd-slide-text h1"), [BIG_SCHOOL])
    assert_shows(page.locator(".pd-slideshow"), [BIG_SCHOOL])
    assert_clean(watched)
    for number in range(2, total + 1):
        page.locator("button.pd-next").click()
        expect(position).to_have_text(f"{number} / {total}", timeout=TIMEOUT)
        assert_clean(watched)


def test_exported_parent_evening_shows_the_school_name_as_text(page: Page, server, tmp_path):
    out = tmp_path / "ouderavond.html"
    subprocess.run(
        [sys.executable, "-m", "pestdata.cli", "parent-evening", "--db", server["db"]]
        + ["--out", str(out)],
        check=True,
        capture_output=True,
    )
    watched = Watched(page)
    page.goto(out.as_uri())
    position = page.locator(".pd-position")
    expect(position).to_have_text(re.compile(r"^1 / \d+$"), timeout=TIMEOUT)
    total = int(position.inner_text().split("/")[1])
    assert_shows(page.locator(".pd-slide.pd-current h1"), [BIG_SCHOOL])
    assert_shows(page.locator(".pd-school"), [BIG_SCHOOL])
    charts = page.locator(".pd-slide-chart").count()
    assert page.locator("script").count() == 2 + charts  # plotly.js, ours, one per chart
    assert_clean(watched, title=f"Ouderavond · {BIG_SCHOOL}")
    for number in range(2, total + 1):
        page.keyboard.press("ArrowRight")
        expect(position).to_have_text(f"{number} / {total}")
    assert_clean(watched, title=f"Ouderavond · {BIG_SCHOOL}")
    outside = [u for u in watched.requests if not u.startswith(("file:", "data:", "about:"))]
    assert outside == []


# --- 2. every request stays on this machine ----------------------------------------------------


def use_meldingen(page: Page) -> None:
    show_group_one(page)
    page.locator(".pd-filter-platform select").select_option(label="WhatsApp")
    page.get_by_role("tab", name="Import en export").click()
    page.get_by_role("tab", name="Nieuwe melding").click()


def use_overzicht(page: Page) -> None:
    page.locator(".pd-split-platform-form").get_by_role("button", name="Per vorm").click()
    page.locator(".pd-filter-platform select").select_option(label="WhatsApp")
    page.locator(".pd-filter-shared input").uncheck()
    expect(page.locator(".pd-overdue table")).to_be_visible(timeout=TIMEOUT)


def use_handelingsadvies(page: Page) -> None:
    page.locator(".pd-filter-age select").select_option(label="13 jaar")
    page.locator(".pd-filter-audience select").select_option(label="Ouders")
    expect(page.locator(".pd-material-count")).to_contain_text("materialen", timeout=TIMEOUT)


def use_ouderavond(page: Page) -> None:
    position = page.locator(".pd-position")
    for number in (2, 3):
        page.locator("button.pd-next").click()
        expect(position).to_have_text(re.compile(rf"^{number} / "), timeout=TIMEOUT)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".pd-slide-chart .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)


USE = {
    "meldingen": use_meldingen,
    "overzicht": use_overzicht,
    "handelingsadvies": use_handelingsadvies,
    "ouderavond": use_ouderavond,
}


@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_every_request_stays_on_this_machine(watched: Watched, server, dashboard):
    page = watched.open(server[dashboard], READY[dashboard])
    USE[dashboard](page)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    assert watched.requests, "no requests recorded"
    assert watched.sockets, "no websocket recorded (the kernel's channel)"
    outside = [u for u in watched.requests + watched.sockets if not u.startswith(LOCAL)]
    assert outside == []
    assert_clean(watched)
