"""The parent-evening presentation in Voilà: one slide at a time, buttons and arrow keys."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from .. import school_names
from ..parent_evening import SLIDE_CSS, SLIDESHOW_JS, Slide, aggregate_figures, build_slides
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

# The offline file's look (parent_evening.SLIDE_CSS); here the deck also covers Voilà's page.
STYLE = (
    "<style>" + SLIDE_CSS + ".pd-slideshow { position: fixed; inset: 0; z-index: 10; }"
    " .pd-slide-text { flex: none; } .pd-nav .widget-dropdown { width: auto; }"
    " .pd-nav select { font-size: 18px; height: auto; padding: 4px; }"
    " .pd-nav .widget-label { font-size: 18px; width: auto; padding-right: 6px; }"
    "</style>"
)


class SlideShow(w.VBox):
    """The live deck: one slide at a time, the presenter chooses the school in the bar."""

    def __init__(self, slides_for: Callable[[str], list[Slide]], schools: list[str], school: str):
        self.slides_for = slides_for
        self.slides, self.index = slides_for(school), 0
        self.text = css(w.HTML(), "pd-slide-text")
        self.chart = css(Chart(), "pd-slide-chart")
        self.prev = css(w.Button(description="Vorige"), "pd-prev")
        self.next = css(w.Button(description="Volgende"), "pd-next")
        self.position = css(w.HTML(), "pd-position")
        self.school = css(
            w.Dropdown(options=schools or [school], value=school, description="School"),
            "pd-school-choice",
        )
        self.prev.on_click(lambda _: self.show(self.index - 1))
        self.next.on_click(lambda _: self.show(self.index + 1))
        self.school.observe(lambda change: self.choose(change["new"]), "value")
        keys = w.Output()
        keys.outputs = (
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": STYLE + KEYS}},
        )
        school_bar = css(w.HBox([self.school]), "pd-school")
        nav = css(w.HBox([self.prev, self.position, self.next]), "pd-nav")
        super().__init__([keys, self.text, self.chart, school_bar, nav])
        self.add_class("pd-slideshow")
        self.add_class("pd-slide")
        self.show(0)

    def choose(self, school: str) -> None:
        """Another school's slides, from its title slide on."""
        self.slides = self.slides_for(school)
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
    """The presentation; it opens on the school with the most reports."""
    store = store or kernel_store()
    schools = school_names.names(store)
    school = school or (schools[0] if schools else "Onze school")
    return SlideShow(
        lambda name: build_slides(aggregate_figures(store, name)), schools or [school], school
    )
