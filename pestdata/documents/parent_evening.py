"""The parent evening: anonymised figures and tips, as slides for Voilà and as one HTML file.

The slides are laid out from `EveningFigures` alone (evening_figures.py gathers them, published
as every shared view publishes counts) and the school's guidance: nothing here reads the
database, so nothing on a slide can identify a child.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pestdata.core import disclosure
from pestdata.core.choices import Form, Platform
from pestdata.core.guidance import Guidance, load_guidance
from pestdata.core.guidance_entries import AUDIENCES
from pestdata.core.markup import esc
from pestdata.core.shipped import PACKAGE
from pestdata.documents.charts import (
    AGE_BAND_COLOURS,
    COUNTED_IN_EACH,
    FONT,
    MUTED,
    Figure,
    figure,
)
from pestdata.documents.evening_figures import EveningFigures

# --- slides ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    title: str
    body: str  # HTML, every value escaped
    figure: Figure | None = None
    # Which slide this is, the same for every school (the presenter hides slides by it).
    key: str = ""


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _layout(title: str, **extra) -> dict:
    return {
        "title": {"text": title},
        "font": {**FONT, "size": 20},
        "template": "none",
        "margin": {"l": 80, "r": 30, "t": 70, "b": 70},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "separators": ",.",
        **extra,
    }


def _bars(pairs, title: str, colour: str) -> Figure:
    """Horizontal bars, largest first; every label listed, "< 5" and "x" without a bar."""
    shown = sorted(pairs, key=lambda p: -(disclosure.plotted(p[1]) or 0))
    return figure(
        [
            {
                "type": "bar",
                "x": [disclosure.plotted(n) for _, n in shown],
                "y": [label for label, _ in shown],
                "orientation": "h",
                "marker": {"color": colour},
                "text": [disclosure.show_cell(n) for _, n in shown],
                "textposition": "outside",
                "cliponaxis": False,
            }
        ],
        _layout(
            title,
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"title": {"text": "Aantal meldingen"}, "rangemode": "tozero"},
        ),
    )


def _bar(cell) -> int | None:
    return None if cell is None else disclosure.plotted(cell)


def _hidden_months(f: EveningFigures) -> str:
    """Which counted months have no bar: fewer than 5 reports (0 included), or hidden."""
    names = [month for month, now, _ in f.by_month if isinstance(now, str)]
    if not names:
        return ""
    note = f"minder dan {f.minimum} meldingen, of niet getoond omdat het terug te rekenen is"
    return f"<p class='pd-note'>Zonder staaf: {esc(', '.join(names))} ({esc(note)})</p>"


def build_slides(figures: EveningFigures, guidance: Guidance | None = None) -> list[Slide]:
    guidance = guidance or load_guidance()
    f = figures
    small = (
        f"<p class='pd-note'>{esc(disclosure.rounded_note(f.minimum))} Zo kan niemand een "
        "kind herkennen.</p>"
    )
    slides = [
        Slide(
            f"{f.school}",
            f"<p class='pd-big'>Kinderen en sociale media</p>"
            f"<p>Ouderavond over online pesten · schooljaar {esc(f.school_year)}</p>",
            key="titel",
        ),
        Slide(
            "Wat is online pesten?",
            "<p>Kinderen hebben op veel manieren online contact. Daar is roddelen, "
            "uitsluiten en belachelijk maken makkelijker dan in het echt. Hoe langer het "
            "duurt, hoe groter de gevolgen.</p><div class='pd-columns'><div><b>Vormen</b>"
            + _list(x.label for x in Form if x is not Form.OTHER)
            + "</div><div><b>Waar</b>"
            + _list(x.label for x in Platform if x is not Platform.OTHER)
            + "</div></div>",
            key="wat_is",
        ),
    ]
    if not f.breakdown:
        slides.append(
            Slide(
                f"Onze school in {f.school_year}",
                f"<p class='pd-big'>{esc(f.shown(f.total))} meldingen</p>"
                "<p>Dat zijn te weinig meldingen om verder uit te splitsen zonder dat iemand "
                "herkenbaar wordt.</p>",
                key="cijfers",
            )
        )
    else:
        slides.append(
            Slide(
                f"Onze school in {f.school_year}",
                f"<p class='pd-big'>{esc(f.shown(f.total))} meldingen van online pesten</p>"
                + small
                + f"<p class='pd-note'>{esc(COUNTED_IN_EACH['platform'])}</p>",
                _bars(f.by_platform, "Waar gebeurde het?", MUTED[0]),
                key="cijfers",
            )
        )
        slides.append(
            Slide(
                "Welke vormen?",
                small + f"<p class='pd-note'>{esc(COUNTED_IN_EACH['form'])}</p>",
                _bars(f.by_form, "Vormen van online pesten", MUTED[6]),
                key="vormen",
            )
        )
        months = [m for m, _, _ in f.by_month]
        slides.append(
            Slide(
                "De trend",
                small + _hidden_months(f),
                figure(
                    [
                        {
                            "type": "bar",
                            "name": f.school_year,
                            "x": months,
                            "y": [_bar(n) for _, n, _ in f.by_month],
                            "marker": {"color": MUTED[0]},
                        },
                        {
                            "type": "bar",
                            "name": "vorig schooljaar",
                            "x": months,
                            "y": [_bar(n) for _, _, n in f.by_month],
                            "marker": {"color": MUTED[1]},
                        },
                    ],
                    _layout(
                        "Meldingen per maand",
                        barmode="group",
                        yaxis={"title": {"text": "Aantal meldingen"}, "rangemode": "tozero"},
                    ),
                ),
                key="trend",
            )
        )
    done = _list(f"✓ {t}" for t in f.actions_done) if f.actions_done else "<p>—</p>"
    todo = _list(f.actions_open) if f.actions_open else "<p>Alles gedaan.</p>"
    lesson_figure = None
    if f.lessons_by_band and any(n for _, n in f.lessons_by_band):
        lesson_figure = figure(
            [
                {
                    "type": "bar",
                    "x": [b for b, _ in f.lessons_by_band],
                    "y": [n for _, n in f.lessons_by_band],
                    "marker": {"color": [AGE_BAND_COLOURS[b] for b, _ in f.lessons_by_band]},
                }
            ],
            _layout(
                "Lessen over online gedrag, per leeftijd",
                yaxis={"title": {"text": "Aantal lessen"}, "rangemode": "tozero"},
            ),
        )
    slides.append(
        Slide(
            "Wat doet de school?",
            f"<div class='pd-columns'><div><b>Gedaan</b>{done}</div>"
            f"<div><b>Nog te doen</b>{todo}</div></div>",
            lesson_figure,
            key="school",
        )
    )
    slides.append(
        Slide(
            "Wat kun je als ouder doen?",
            "".join(
                f"<p><b>{esc(t.title)}</b><br>{esc(t.explanation)}</p>"
                for t in guidance.parent_tips
            ),
            key="ouders",
        )
    )
    parents = [m for m in guidance.materials if "ouders" in m.audiences]
    slides.append(Slide("Materiaal voor ouders", _material_picker(parents), key="materiaal"))
    slides.append(
        Slide(
            "Hier vinden kinderen en ouders hulp",
            "".join(
                f"<p><b>{esc(s.title)}</b>{' (ook anoniem)' if s.anonymous else ''}"
                f"<br>{esc(s.explanation)}" + (f"<br>{esc(s.link)}" if s.link else "") + "</p>"
                for s in guidance.help_sites
                if "ouders" in s.audiences
            ),
            key="hulp",
        )
    )
    return slides


def _material_picker(materials) -> str:
    """Materials with their ages; a select filters them by the child's age (plain JS)."""
    options = "".join(f"<option value='{a}'>{a} jaar</option>" for a in range(4, 19))
    items = "".join(
        f"<li class='pd-parent-material' data-min='{m.ages[0] if m.ages else 0}' "
        f"data-max='{m.ages[1] if m.ages else 99}'><b>{esc(m.title)}</b> "
        f"({esc(m.age_label)})<br><span class='pd-note'>{esc(m.summary)}</span></li>"
        for m in materials
    )
    return (
        "<label>Leeftijd van je kind: <select class='pd-child-age' "
        "onchange=\"pdFilterAge(this)\"><option value=''>alle leeftijden</option>"
        f"{options}</select></label><ul class='pd-parent-materials'>{items}</ul>"
        f"<p class='pd-note'>Voor: {esc(AUDIENCES['ouders'].lower())}</p>"
    )


# --- one offline HTML file -------------------------------------------------------------------

# One look for the live deck (ui/slides.py) and the offline file: a slide fills the screen
# without scrolling, the navigation bar stays in one place, and the type sizes are those of a
# 1080-line screen, scaled with the screen's height below that (so a 720-line projector shows
# the same slide, as large in the hall).
SLIDE_CSS = """
.pd-slide { --pd-px: min(1px, calc(100vh / 1080)); box-sizing: border-box; height: 100vh;
  overflow: hidden; display: flex; flex-direction: column; padding: calc(40 * var(--pd-px)) 8vw
  calc(96 * var(--pd-px)); background: white; color: #1a1a1a; font-family: Arial, sans-serif;
  font-size: calc(28 * var(--pd-px)); line-height: 1.4; }
.pd-slide .widget-html, .pd-slide .widget-html-content { font-size: inherit; line-height: inherit; }
.pd-slide h1 { font-size: calc(48 * var(--pd-px)); line-height: 1.2; margin: 0 0 0.4em; }
.pd-slide p { margin: 0 0 0.6em; }
.pd-slide ul { margin: 0 0 0.6em; }
.pd-big { font-size: calc(44 * var(--pd-px)); font-weight: bold; }
.pd-note { font-size: calc(20 * var(--pd-px)); color: #555; }
.pd-columns { display: flex; gap: 60px; } .pd-columns > div { flex: 1; }
.pd-parent-materials { columns: 2; column-gap: 60px; }
.pd-parent-materials li { break-inside: avoid; margin-bottom: 0.3em; }
.pd-slide-chart { flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }
.pd-slide-chart > div:first-child { flex: 1 1 0; min-height: 0; }
.pd-nav { position: fixed; bottom: 16px; right: 24px; font-size: 22px; display: flex;
  align-items: center; gap: 12px; z-index: 20; }
.pd-nav button { font-size: 22px; height: auto; padding: 6px 18px; }
.pd-school { position: fixed; bottom: 16px; left: 24px; font-size: 18px; color: #555;
  z-index: 20; }
"""

STYLE = (
    SLIDE_CSS + "body { margin: 0; background: #f4f4f4; }\n"
    ".pd-slide { display: none; } .pd-slide.pd-current { display: flex; }\n"
)

# The slideshow's keys and age filter, shared with the live deck (ui/slides.py).
SLIDESHOW_JS = (PACKAGE / "share" / "slideshow.js").read_text("utf-8")
SCRIPT = (
    """
var pdIndex = 0;
function pdShow(i) {
  var slides = document.querySelectorAll('.pd-slide');
  pdIndex = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach(function (s, n) { s.classList.toggle('pd-current', n === pdIndex); });
  document.querySelector('.pd-position').textContent = (pdIndex + 1) + ' / ' + slides.length;
  var plots = slides[pdIndex].querySelectorAll('.js-plotly-plot');
  plots.forEach(function (p) { if (window.Plotly) { Plotly.Plots.resize(p); } });
}
function pdStep(delta) { pdShow(pdIndex + delta); }
document.addEventListener('DOMContentLoaded', function () { pdShow(0); });
"""
    + SLIDESHOW_JS
)


def export_html(slides: list[Slide], school: str) -> str:
    """One self-contained page: plotly.js inlined, no request to anywhere, no kernel."""
    from plotly.offline import get_plotlyjs

    parts = []
    for number, slide in enumerate(slides):
        chart = ""
        if slide.figure is not None:
            spec = slide.figure
            chart = (
                f"<div class='pd-slide-chart'><div id='pd-chart-{number}'></div></div><script>"
                f"Plotly.newPlot('pd-chart-{number}', {json.dumps(spec['data'])}, "
                f"{json.dumps(spec['layout'])}, {{displaylogo: false, responsive: true}});"
                "</script>"
            )
        parts.append(
            f"<section class='pd-slide'><h1>{esc(slide.title)}</h1>{slide.body}{chart}</section>"
        )
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>Ouderavond · {esc(school)}</title><style>{STYLE}</style>"
        f"<script>{get_plotlyjs()}</script><script>{SCRIPT}</script></head><body>"
        + "".join(parts)
        + f"<div class='pd-school'>{esc(school)}</div><div class='pd-nav'>"
        "<button class='pd-prev' onclick='pdShow(pdIndex - 1)'>Vorige</button> "
        "<span class='pd-position'></span> "
        "<button class='pd-next' onclick='pdShow(pdIndex + 1)'>Volgende</button></div>"
        "</body></html>"
    )
