"""What to do now, the search, the materials browser and where to find help (read-only
guidance)."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core.choices import GROUPS, ages_for_group
from pestdata.core.guidance import Found, Guidance
from pestdata.core.guidance_entries import (
    AUDIENCES,
    HelpLine,
    HelpSite,
    ImmediateAction,
    Material,
    where_to_find,
)
from pestdata.ui.common import css, esc

AGES = range(4, 19)


def link_html(url: str, text: str = "Openen") -> str:
    """A link that opens in a new tab without giving that page access to ours."""
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)} ↗</a>'


def find_it_html(entry: Material | HelpSite, text: str = "Openen") -> str:
    """Its link, or where to find it (guidance.where_to_find: the one rule for all)."""
    if entry.link:
        return link_html(entry.link, text)
    return f"<span class='pd-where'>{esc(where_to_find(entry))}</span>"


def action_card(number: int, action: ImmediateAction) -> str:
    link = f"<p>{link_html(action.link, action.link)}</p>" if action.link else ""
    return (
        f"<div class='pd-card pd-action' data-id='{esc(action.id)}'><b>{number}. "
        f"{esc(action.title)}</b><p>{esc(action.explanation)}</p>{link}</div>"
    )


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


def material_card(m: Material) -> str:
    audiences = ", ".join(AUDIENCES[a] for a in m.audiences)
    return (
        f"<div class='pd-card pd-material' data-id='{esc(m.id)}'>"
        f"<b>{esc(m.title)}</b> <span class='pd-badge'>{esc(m.age_label)}</span>"
        f"<div class='pd-hint'>{esc(m.kind)} · voor {esc(audiences.lower())} · "
        f"{esc(m.topic)}</div><p>{esc(m.summary)}</p>{find_it_html(m)}</div>"
    )


ADDED_NOTE = (
    "Landelijke hulplijnen staan niet in de handreiking. Bij elke lijn staat wie hem toevoegde; "
    "de school kan ze aanpassen of weghalen."
)


def help_card(s: HelpSite) -> str:
    """A help site of the handreiking, or a help line with its number and who added it."""
    line = isinstance(s, HelpLine)
    badges = " <span class='pd-badge'>ook anoniem</span>" if s.anonymous else ""
    if line:
        badges += f" <span class='pd-badge pd-added'>toegevoegd door {esc(s.added_by)}</span>"
    phone = ""
    if line and s.phone:
        digits = "".join(c for c in s.phone if c.isdigit())
        phone = f"<p class='pd-phone'>Bel <a href=\"tel:{digits}\">{esc(s.phone)}</a></p>"
    where = find_it_html(s, s.link) if s.link or not line else ""
    return (
        f"<div class='pd-card pd-help{' pd-help-line' if line else ''}' data-id='{esc(s.id)}'>"
        f"<b>{esc(s.title)}</b>{badges}<p>{esc(s.explanation)}</p>{phone}{where}</div>"
    )


def help_sites_html(sites: tuple[HelpSite, ...]) -> str:
    return "".join(help_card(s) for s in sites)


def help_lines_html(lines: tuple[HelpLine, ...]) -> str:
    """The help lines under a note that they are not the handreiking's; '' when a school
    removed them all."""
    if not lines:
        return ""
    return f"<p class='pd-hint'>{esc(ADDED_NOTE)}</p>" + help_sites_html(lines)


def found_html(guidance: Guidance, query: str, found: Found) -> str:
    """The search's answer: what to do, materials and help, each under its heading."""
    if not query.strip():
        return ""
    if not found:
        return (
            f"<div class='pd-empty pd-hint'>Niets gevonden voor ‘{esc(query.strip())}’. "
            "Probeer een ander woord, bijv. pesten, groepsapp of privacy.</div>"
        )
    number = {a.id: n for n, a in enumerate(guidance.actions, start=1)}
    parts = [f"<p class='pd-search-count'><b>{len(found)} gevonden</b> voor ‘{esc(query.strip())}’"]
    if found.also:
        parts.append(
            f" <span class='pd-hint'>(ook gezocht op: {esc(', '.join(found.also))})</span>"
        )
    parts.append("</p>")
    if found.partial:
        parts.append(
            "<p class='pd-hint'>Niets gaat over al je woorden samen; dit gaat over een deel "
            "ervan.</p>"
        )
    sections = (
        ("Wat doe ik nu?", [action_card(number[a.id], a) for a in found.actions]),
        ("Brochures, boekjes en lessen", [material_card(m) for m in found.materials]),
        ("Hulp", [help_card(h) for h in found.help]),
    )
    for title, cards in sections:
        if cards:
            parts.append(f"<h4>{title}</h4>" + "".join(cards))
    return "".join(parts)


class GuidanceSearch(w.VBox):
    """Search the whole page in everyday words: what to do, materials and help."""

    def __init__(self, guidance: Guidance):
        self.guidance = guidance
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
        self.text.observe(lambda _: self.refresh(), "value")
        super().__init__([self.text, self.results])

    def refresh(self) -> None:
        query = self.text.value
        self.results.value = found_html(self.guidance, query, self.guidance.search(query))


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
