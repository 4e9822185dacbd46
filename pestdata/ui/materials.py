"""What to do now, the search, the materials browser and where to find help (read-only
guidance).

The widgets copy their values into a state (guidance_state.py decides what is shown) and show
what it publishes."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core.guidance import Guidance
from pestdata.ui.common import css, esc
from pestdata.ui.guidance_state import MaterialFilter, SearchState, link_html


def immediate_actions(guidance: Guidance) -> w.Accordion:
    """'Wat doe ik nu?': each action a section that opens and closes."""
    sections = [
        w.HTML(
            f"<p>{esc(a.explanation)}</p>"
            + (f"<p>{link_html(a.link, a.link)}</p>" if a.link else "")
        )
        for a in guidance.actions
    ]
    accordion = css(w.Accordion(children=sections), "pd-actions")
    accordion.titles = tuple(f"{n}. {a.title}" for n, a in enumerate(guidance.actions, start=1))
    return accordion


class GuidanceSearch(w.VBox):
    """Search the whole page in everyday words: what to do, materials and help."""

    def __init__(self, guidance: Guidance):
        self.state = SearchState(guidance)
        self.text = css(
            w.Text(
                description="Zoek",
                placeholder="bijv. sexting, groepsapp, buitensluiten",
                continuous_update=True,
                layout=w.Layout(width="560px"),
            ),
            "pd-search",
        )
        self.results = css(w.HTML(), "pd-search-results")
        self.text.observe(self.typed, "value")
        super().__init__([self.text, self.results])

    def typed(self, change) -> None:
        self.state = self.state.choose(change["new"])
        self.results.value = self.state.html


class MaterialsBrowser(w.VBox):
    """Filter the guidance's materials by age or group, audience, topic and free text."""

    def __init__(self, guidance: Guidance):
        self.state = state = MaterialFilter(guidance)
        options = state.options()
        self.who = css(
            w.Dropdown(
                description="Leeftijd of groep",
                options=options["who"],
                value="",
                style={"description_width": "130px"},
            ),
            "pd-filter-age",
        )
        self.audience = css(
            w.Dropdown(description="Voor", value="", options=options["audience"]),
            "pd-filter-audience",
        )
        self.topic = css(
            w.Dropdown(description="Onderwerp", value="", options=options["topic"]),
            "pd-filter-topic",
        )
        self.text = css(
            w.Text(description="Zoek", placeholder="bijv. privacy", continuous_update=True),
            "pd-filter-text",
        )
        self.count = css(w.HTML(), "pd-material-count")
        self.cards = css(w.HTML(), "pd-materials")
        # Every control by the name of its choice (MaterialFilter's fields).
        self.controls: dict[str, w.ValueWidget] = {
            "who": self.who,
            "audience": self.audience,
            "topic": self.topic,
            "text": self.text,
        }
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self.chosen(name, change["new"]), "value")
        super().__init__(
            [
                w.HBox([self.who, self.audience]),
                w.HBox([self.topic, self.text]),
                self.count,
                self.cards,
            ]
        )
        self.show()

    def chosen(self, name: str, value: str) -> None:
        self.state = self.state.choose(**{name: value})
        self.show()

    def show(self) -> None:
        self.count.value = self.state.count_html
        self.cards.value = self.state.cards_html
