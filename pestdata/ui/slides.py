"""The parent-evening presentation in Voilà: one slide at a time, buttons and arrow keys."""

from __future__ import annotations

import ipywidgets as w

from .. import caseload
from ..parent_evening import SLIDESHOW_JS, Slide, aggregate_figures, build_slides
from ..store import Store
from .common import css, esc, kernel_store
from .plots import Chart, show_empty, show_figure

# Arrow keys press our buttons (pdStep); keys and the age filter as in the offline file.
KEYS = (
    "<script>function pdStep(delta) {"
    " document.querySelector(delta > 0 ? 'button.pd-next' : 'button.pd-prev').click(); }\n"
    + SLIDESHOW_JS
    + "</script>"
)

STYLE = """<style>
.pd-slideshow { font-size: 26px; line-height: 1.4; }
.pd-slideshow h1 { font-size: 44px; }
.pd-slideshow .pd-big { font-size: 40px; font-weight: bold; }
.pd-slideshow .pd-note { font-size: 18px; color: #555; }
.pd-slideshow .pd-columns { display: flex; gap: 60px; }
.pd-slideshow .pd-columns > div { flex: 1; }
.pd-slideshow button { font-size: 20px; height: auto; }
</style>"""


class SlideShow(w.VBox):
    def __init__(self, slides: list[Slide], school: str):
        self.slides, self.index = slides, 0
        self.text = css(w.HTML(), "pd-slide-text")
        self.chart = css(Chart(), "pd-slide-chart")
        self.prev = css(w.Button(description="Vorige"), "pd-prev")
        self.next = css(w.Button(description="Volgende"), "pd-next")
        self.position = css(w.HTML(), "pd-position")
        self.prev.on_click(lambda _: self.show(self.index - 1))
        self.next.on_click(lambda _: self.show(self.index + 1))
        keys = w.Output()
        keys.outputs = (
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": STYLE + KEYS}},
        )
        footer = w.HBox(
            [
                self.prev,
                self.position,
                self.next,
                w.HTML(f"<span class='pd-note'>{esc(school)}</span>"),
            ]
        )
        super().__init__([keys, self.text, self.chart, footer])
        self.add_class("pd-slideshow")
        self.show(0)

    def show(self, index: int) -> None:
        self.index = max(0, min(len(self.slides) - 1, index))
        slide = self.slides[self.index]
        self.text.value = f"<h1>{esc(slide.title)}</h1>{slide.body}"
        if slide.figure is None:
            show_empty(self.chart, "")
        else:
            show_figure(self.chart, slide.figure)
        self.position.value = f"{self.index + 1} / {len(self.slides)}"


def ouderavond_app(store: Store | None = None, school: str | None = None) -> SlideShow:
    """Build the presentation for one school (default: the school with the most reports)."""
    store = store or kernel_store()
    schools = caseload.schools(store)
    school = school or (schools[0] if schools else "Onze school")
    return SlideShow(build_slides(aggregate_figures(store, school)), school)
