"""The guidance page for every teacher: what to do now, materials, help, the school's actions
and lessons given."""

from __future__ import annotations

import ipywidgets as w

from .. import caseload
from ..guidance import load_guidance
from ..store import Store
from .common import STYLE, Actor, css, kernel_store
from .lessons import Lessons
from .materials import MaterialsBrowser, help_sites_html, immediate_actions
from .school_actions import SchoolChecklist


def handelingsadvies_app(store: Store | None = None, actor: Actor | None = None) -> w.VBox:
    """Build the whole page; the notebook only displays what this returns."""
    store = store or kernel_store()
    guidance = load_guidance()
    actor = actor or Actor()
    schools = caseload.schools(store)
    school = css(
        w.Combobox(
            description="School",
            options=schools,
            value=schools[0] if schools else "",
            style=STYLE,
            layout=w.Layout(width="560px"),
        ),
        "pd-school",
    )
    return w.VBox(
        [
            w.HTML(
                "<h2>Een van mijn leerlingen wordt online gepest</h2><p class='pd-hint'>Wat je "
                "nu doet, lesmateriaal per leeftijd en waar leerlingen en ouders hulp vinden."
                "</p>"
            ),
            w.HTML("<h3>Wat doe ik nu?</h3>"),
            immediate_actions(guidance),
            w.HTML("<h3>Brochures, boekjes en lessen</h3>"),
            MaterialsBrowser(guidance),
            w.HTML("<h3>Hier vinden leerlingen en ouders hulp</h3>"),
            css(w.HTML(help_sites_html(guidance.help_sites)), "pd-help-sites"),
            w.HTML(
                "<h3>Heb je de acties uitgevoerd?</h3><p class='pd-hint'>De schoolbrede "
                "checklist; de schoolleiding ziet hem in het overzicht.</p>"
            ),
            actor,
            school,
            SchoolChecklist(store, actor, school),
            w.HTML("<h3>Lessen gegeven</h3>"),
            Lessons(store, guidance, actor, school),
        ]
    )
