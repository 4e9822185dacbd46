"""The parent-evening presentation in Voilà: one slide at a time, buttons and arrow keys.

The presenter chooses the school, hides slides that do not fit the evening (they are skipped
by the buttons and the keys, and left out of the offline file) and saves the offline file
(parent_evening.export_html, as `pestdata parent-evening` makes it) from the page."""

from __future__ import annotations

import re
from collections.abc import Callable

import ipywidgets as w

from pestdata.core import markup
from pestdata.db.store import Store
from pestdata.documents.evening_figures import aggregate_figures
from pestdata.documents.parent_evening import (
    SLIDE_CSS,
    SLIDESHOW_JS,
    Slide,
    build_slides,
    export_html,
)
from pestdata.school import school_names
from pestdata.ui.common import css, download_link, kernel_store
from pestdata.ui.plots import Chart, show_empty, show_figure
from pestdata.ui.slides_state import Deck

# Arrow keys press our buttons (pdStep); keys and the age filter as in the offline file.
KEYS = (
    "<script>function pdStep(delta) {"
    " document.querySelector(delta > 0 ? 'button.pd-next' : 'button.pd-prev').click(); }\n"
    + SLIDESHOW_JS
    + "</script>"
)

# The offline file's look (parent_evening.SLIDE_CSS); here the deck also covers Voilà's page.
# The presenter's panel (which slides, the offline file) opens above the school bar.
STYLE = (
    "<style>" + SLIDE_CSS + ".pd-slideshow { position: fixed; inset: 0; z-index: 10; }"
    " .pd-slide-text { flex: none; } .pd-nav .widget-dropdown { width: auto; }"
    " .pd-nav select { font-size: 18px; height: auto; padding: 4px; }"
    " .pd-nav .widget-label { font-size: 18px; width: auto; padding-right: 6px; }"
    " .pd-school { display: flex; align-items: center; gap: 12px; }"
    " .pd-school .widget-toggle-button { width: auto; font-size: 16px; }"
    " .pd-slide-panel { position: fixed; left: 24px; bottom: 64px; z-index: 30;"
    " max-height: calc(100vh - 120px); overflow: auto; background: white; color: #1a1a1a;"
    " border: 1px solid #999; border-radius: 6px; padding: 12px 16px; font-size: 16px;"
    " box-shadow: 0 4px 16px rgba(0, 0, 0, 0.2); width: min(560px, 90vw); }"
    " .pd-slide-panel .widget-checkbox { width: auto; }"
    " .pd-slide-panel label { font-size: 16px; }"
    " .pd-slide-panel .widget-button { width: auto; font-size: 16px; }"
    " .pd-slide-panel a { color: #1f5f8b; text-decoration: underline; }"
    "</style>"
)
PANEL_INTRO = (
    "<b>Welke dia's laat je zien?</b><br><span class='pd-note'>Een uitgevinkte dia wordt "
    "overgeslagen, ook in het offline bestand.</span>"
)


def offline_name(school: str) -> str:
    """The offline file's name: 'ouderavond-de-regenboog.html'."""
    slug = re.sub(r"[^a-z0-9]+", "-", school.lower()).strip("-")
    return f"ouderavond-{slug or 'school'}.html"


class SlideShow(w.VBox):
    """The live deck: one slide at a time, the presenter chooses the school in the bar.

    Its state is a `Deck` (slides_state.py); the widgets send intents to it and show it."""

    def __init__(self, slides_for: Callable[[str], list[Slide]], schools: list[str], school: str):
        self.slides_for = slides_for
        self.state = Deck(tuple(slides_for(school)))
        self.text = css(w.HTML(), "pd-slide-text")
        self.chart = css(Chart(), "pd-slide-chart")
        self.prev = css(w.Button(description="Vorige"), "pd-prev")
        self.next = css(w.Button(description="Volgende"), "pd-next")
        self.position = css(w.HTML(), "pd-position")
        self.school = css(
            w.Dropdown(options=schools or [school], value=school, description="School"),
            "pd-school-choice",
        )
        self.open_panel = css(
            w.ToggleButton(description="Dia's en offline bestand", value=False),
            "pd-slides-toggle",
        )
        self.choices = css(w.VBox(), "pd-slide-choices")
        self.note = css(w.HTML(), "pd-slide-note")
        self.make_offline = css(w.Button(description="Offline bestand maken"), "pd-offline-make")
        self.offline_link = css(w.HTML(), "pd-offline-link")
        self.panel = css(
            w.VBox(
                [w.HTML(PANEL_INTRO), self.choices, self.note, self.make_offline, self.offline_link]
            ),
            "pd-slide-panel",
        )
        self.panel.layout.display = "none"
        self.prev.on_click(lambda _: self._render(self.state.previous()))
        self.next.on_click(lambda _: self._render(self.state.next()))
        self.school.observe(lambda change: self.choose(change["new"]), "value")
        self.open_panel.observe(lambda change: self._toggle_panel(change["new"]), "value")
        self.make_offline.on_click(lambda _: self.offer_offline())
        keys = w.Output()
        keys.outputs = (
            {"output_type": "display_data", "metadata": {}, "data": {"text/html": STYLE + KEYS}},
        )
        school_bar = css(w.HBox([self.school, self.open_panel]), "pd-school")
        nav = css(w.HBox([self.prev, self.position, self.next]), "pd-nav")
        super().__init__([keys, self.text, self.chart, school_bar, nav, self.panel])
        self.add_class("pd-slideshow")
        self.add_class("pd-slide")
        self._list_choices()
        self._render(self.state)

    def choose(self, school: str) -> None:
        """Another school's slides, from its title slide on (the hidden slides stay hidden)."""
        self.state = self.state.for_slides(self.slides_for(school))
        self._list_choices()
        self.offline_link.value = ""
        self._render(self.state)

    def show(self, index: int) -> None:
        """The presenter goes to that slide among the slides shown."""
        self._render(self.state.go(index))

    def hide(self, key: str, hidden: bool = True) -> None:
        """Hide a slide (or show it again), as the state decides (Deck.hide)."""
        deck = self.state.hide(key, hidden)
        if deck.hidden != self.state.hidden:
            self.offline_link.value = ""  # made for other slides
        else:
            self._list_choices_of(deck)  # a refused choice: its box ticked again
        self._render(deck)

    def offer_offline(self) -> None:
        """The offline file of the slides shown (export_html, as the command makes it), as
        a link that saves it; nothing leaves the machine."""
        school, shown = self.school.value, self.state.shown
        page = export_html(shown, school).encode("utf-8")
        name = offline_name(school)
        size = markup.number(len(page) / 1_000_000, 1)
        self.offline_link.value = download_link(
            page,
            name,
            "text/html",
            f"Offline bestand opslaan: {name} ({len(shown)} dia's, {size} MB)",
        )

    def _render(self, deck: Deck) -> None:
        """Show what the deck publishes: its slide, its chart, its count and its note."""
        self.state = deck
        self.text.value = deck.text_html
        figure = deck.current.figure
        if figure is None:
            show_empty(self.chart, "")
        else:
            show_figure(self.chart, figure)
        self.position.value = deck.position
        self.note.value = deck.note

    def _toggle_panel(self, open_: bool) -> None:
        self.panel.layout.display = "" if open_ else "none"

    def _list_choices(self) -> None:
        self._list_choices_of(self.state)

    def _list_choices_of(self, deck: Deck) -> None:
        boxes = []
        for key, label, ticked in deck.choices:
            box = css(
                w.Checkbox(value=ticked, description=label, indent=False),
                "pd-slide-choice",
                f"pd-slide-choice-{key}",
            )
            box.observe(lambda change, key=key: self.hide(key, not change["new"]), "value")
            boxes.append(box)
        self.choices.children = boxes


def ouderavond_app(store: Store | None = None, school: str | None = None) -> SlideShow:
    """The presentation; it opens on the school with the most reports."""
    store = store or kernel_store()
    schools = school_names.names(store)
    school = school or (schools[0] if schools else "Onze school")
    return SlideShow(
        lambda name: build_slides(aggregate_figures(store, name)), schools or [school], school
    )
