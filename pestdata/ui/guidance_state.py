"""The teacher's guidance page's state: the materials filter, the search and their html.

Plain data without widgets, so a test asks it in-process; materials.py holds the widgets that
copy their values in and show what it publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

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
from pestdata.core.markup import esc

AGES = range(4, 19)
NO_MATERIAL = (
    "<div class='pd-empty pd-hint'>Geen materiaal bij deze keuze. Kies een andere "
    "leeftijd of maak de zoekterm korter.</div>"
)
ADDED_NOTE = (
    "Landelijke hulplijnen staan niet in de handreiking. Bij elke lijn staat wie hem toevoegde; "
    "de school kan ze aanpassen of weghalen."
)


# --- the html of each entry -------------------------------------------------------------------


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


def material_card(m: Material) -> str:
    audiences = ", ".join(AUDIENCES[a] for a in m.audiences)
    return (
        f"<div class='pd-card pd-material' data-id='{esc(m.id)}'>"
        f"<b>{esc(m.title)}</b> <span class='pd-badge'>{esc(m.age_label)}</span>"
        f"<div class='pd-hint'>{esc(m.kind)} · voor {esc(audiences.lower())} · "
        f"{esc(m.topic)}</div><p>{esc(m.summary)}</p>{find_it_html(m)}</div>"
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


# --- the states -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchState:
    """The search over the whole guidance: the query typed, and the html it publishes."""

    guidance: Guidance = field(repr=False, compare=False)
    query: str = ""

    def choose(self, query: str) -> SearchState:
        """The state after the teacher typed."""
        return replace(self, query=query)

    @cached_property
    def found(self) -> Found:
        return self.guidance.search(self.query)

    @property
    def html(self) -> str:
        """The answer as shown; '' for an empty query."""
        return found_html(self.guidance, self.query, self.found)


@dataclass(frozen=True)
class MaterialFilter:
    """The materials browser's choices ('' is all) and what they find; `who` is
    "age:<years>" or "group:<group>"."""

    guidance: Guidance = field(repr=False, compare=False)
    who: str = ""
    audience: str = ""
    topic: str = ""
    text: str = ""

    def choose(self, **changes: str) -> MaterialFilter:
        """The state after the teacher changed choices (names of the fields)."""
        return replace(self, **changes)

    def options(self) -> dict[str, list[tuple[str, str]]]:
        """Per dropdown, its (label, value) pairs."""
        return {
            "who": [("Alle leeftijden", "")]
            + [(f"{age} jaar", f"age:{age}") for age in AGES]
            + [(g, f"group:{g}") for g in GROUPS],
            "audience": [("Iedereen", "")] + [(v, k) for k, v in AUDIENCES.items()],
            "topic": [("Alle", "")] + [(t, t) for t in self.guidance.topics],
        }

    def ages(self) -> tuple[int, int] | None:
        """The ages chosen: one age, a group's typical ages, or None for all."""
        kind, _, value = self.who.partition(":")
        if kind == "age":
            return int(value), int(value)
        if kind == "group":
            return ages_for_group(value)
        return None

    @cached_property
    def found(self) -> list[Material]:
        return self.guidance.find_materials(
            ages=self.ages(), audience=self.audience, topic=self.topic, text=self.text
        )

    @property
    def count_html(self) -> str:
        return f"<b>{len(self.found)} van {len(self.guidance.materials)}</b> materialen"

    @property
    def cards_html(self) -> str:
        """The materials found, or why there are none."""
        return "".join(material_card(m) for m in self.found) or NO_MATERIAL
