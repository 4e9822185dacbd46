"""What to do now, the materials browser and where to find help (read-only guidance)."""

from __future__ import annotations

import ipywidgets as w

from ..guidance import AUDIENCES, Guidance, HelpSite, Material
from ..model import GROUPS, ages_for_group
from .common import css, esc

AGES = range(4, 19)


def link_html(url: str, text: str = "Openen") -> str:
    """A link that opens in a new tab without giving that page access to ours."""
    if not url:
        return "<span class='pd-hint'>(geen link in de handreiking)</span>"
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)} ↗</a>'


def immediate_actions(guidance: Guidance) -> w.Accordion:
    """'Wat doe ik nu?': each action a section that opens and closes."""
    sections = [
        w.HTML(
            f"<p>{esc(a.uitleg)}</p>" + (f"<p>{link_html(a.link, a.link)}</p>" if a.link else "")
        )
        for a in guidance.actions
    ]
    accordion = css(w.Accordion(children=sections), "pd-actions")
    accordion.titles = tuple(f"{n}. {a.titel}" for n, a in enumerate(guidance.actions, start=1))
    return accordion


def material_card(m: Material) -> str:
    audiences = ", ".join(AUDIENCES[a] for a in m.doelgroep)
    return (
        f"<div class='pd-card pd-material' data-id='{esc(m.id)}'>"
        f"<b>{esc(m.titel)}</b> <span class='pd-badge'>{esc(m.age_label)}</span>"
        f"<div class='pd-hint'>{esc(m.soort)} · voor {esc(audiences.lower())} · "
        f"{esc(m.onderwerp)}</div><p>{esc(m.samenvatting)}</p>{link_html(m.link)}</div>"
    )


def help_sites_html(sites: tuple[HelpSite, ...]) -> str:
    return "".join(
        f"<div class='pd-card pd-help'><b>{esc(s.titel)}</b>"
        + (" <span class='pd-badge'>ook anoniem</span>" if s.anoniem else "")
        + f"<p>{esc(s.uitleg)}</p>{link_html(s.link, s.link or 'Openen')}</div>"
        for s in sites
    )


class MaterialsBrowser(w.VBox):
    """Filter the guidance's materials by age or group, audience, topic and free text."""

    def __init__(self, guidance: Guidance):
        self.guidance = guidance
        who = [("Alle leeftijden", "")] + [(f"{age} jaar", f"age:{age}") for age in AGES]
        who += [(g, f"group:{g}") for g in GROUPS]
        self.who = css(
            w.Dropdown(
                description="Leeftijd of groep",
                options=who,
                value="",
                style={"description_width": "130px"},
            ),
            "pd-filter-age",
        )
        self.audience = css(
            w.Dropdown(
                description="Voor",
                value="",
                options=[("Iedereen", "")] + [(v, k) for k, v in AUDIENCES.items()],
            ),
            "pd-filter-audience",
        )
        self.topic = css(
            w.Dropdown(
                description="Onderwerp",
                value="",
                options=[("Alle", "")] + [(t, t) for t in guidance.topics],
            ),
            "pd-filter-topic",
        )
        self.text = css(
            w.Text(description="Zoek", placeholder="bijv. privacy", continuous_update=True),
            "pd-filter-text",
        )
        self.count = css(w.HTML(), "pd-material-count")
        self.cards = css(w.HTML(), "pd-materials")
        for control in (self.who, self.audience, self.topic, self.text):
            control.observe(lambda _: self.refresh(), "value")
        super().__init__(
            [
                w.HBox([self.who, self.audience]),
                w.HBox([self.topic, self.text]),
                self.count,
                self.cards,
            ]
        )
        self.refresh()

    def ages(self) -> tuple[int, int] | None:
        kind, _, value = self.who.value.partition(":")
        if kind == "age":
            return int(value), int(value)
        if kind == "group":
            return ages_for_group(value)
        return None

    def refresh(self) -> None:
        found = self.guidance.find_materials(
            ages=self.ages(),
            audience=self.audience.value,
            topic=self.topic.value,
            text=self.text.value,
        )
        total = len(self.guidance.materials)
        self.count.value = f"<b>{len(found)} van {total}</b> materialen"
        self.cards.value = "".join(material_card(m) for m in found) or (
            "<div class='pd-empty pd-hint'>Geen materiaal bij deze keuze. Kies een andere "
            "leeftijd of maak de zoekterm korter.</div>"
        )
