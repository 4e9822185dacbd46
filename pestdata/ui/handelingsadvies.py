"""The guidance page for every teacher: what to do now, materials, help, the school's actions
and lessons given."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core.guidance import load_guidance
from pestdata.db.store import Store
from pestdata.school import school_names
from pestdata.ui.common import Actor, css, kernel_store
from pestdata.ui.guidance_state import help_lines_html, help_sites_html
from pestdata.ui.lessons import Lessons
from pestdata.ui.materials import GuidanceSearch, MaterialsBrowser, immediate_actions
from pestdata.ui.school_actions import SchoolChecklist
from pestdata.ui.schools import school_dropdown


def handelingsadvies_app(store: Store | None = None, actor: Actor | None = None) -> w.VBox:
    """Build the whole page; the notebook only displays what this returns."""
    store = store or kernel_store()
    guidance = load_guidance()
    actor = actor or Actor()
    school = school_dropdown(school_names.names(store), "pd-school")
    return w.VBox(
        [
            w.HTML(
                "<h2>Een van mijn leerlingen wordt online gepest</h2><p class='pd-hint'>Wat je "
                "nu doet, lesmateriaal per leeftijd en waar leerlingen en ouders hulp vinden."
                "</p>"
            ),
            w.HTML("<h3>Zoeken</h3>"),
            GuidanceSearch(guidance),
            w.HTML("<h3>Wat doe ik nu?</h3>"),
            immediate_actions(guidance),
            w.HTML("<h3>Brochures, boekjes en lessen</h3>"),
            MaterialsBrowser(guidance),
            w.HTML("<h3>Hier vinden leerlingen en ouders hulp</h3>"),
            css(w.HTML(help_sites_html(guidance.help_sites)), "pd-help-sites"),
            css(w.HTML(help_lines_html(guidance.help_lines)), "pd-help-lines"),
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
