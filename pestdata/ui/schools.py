"""Choosing a school: always from the list (school_names.py), so a typo never becomes a new
school; the report form can add one on purpose."""

from __future__ import annotations

import ipywidgets as w

from .. import school_names
from ..markup import message
from ..store import Store
from .common import STYLE, WIDE, Actor, css, save

CHOOSE = "Kies een school…"


def school_options(schools: list[str]) -> list[tuple[str, str]]:
    """The listed schools, the busiest first; with several, 'Kies een school…' above them."""
    listed = [(school, school) for school in schools]
    return listed if len(schools) <= 1 else [(CHOOSE, ""), *listed]


def school_dropdown(schools: list[str], css_class: str) -> w.Dropdown:
    """The school to work for. One school is chosen; of several none is (value ''), so a
    report or a tick never lands at a school because it came first in the list."""
    return css(
        w.Dropdown(
            description="School",
            options=school_options(schools),
            value=schools[0] if len(schools) == 1 else ("" if schools else None),
            style=STYLE,
            layout=WIDE,
        ),
        css_class,
    )


class SchoolField(w.VBox):
    """The form's school: a list to choose from, and 'School toevoegen' for a new one."""

    def __init__(self, store: Store, actor: Actor):
        self.store, self.actor = store, actor
        schools = school_names.names(store)
        self.choice = school_dropdown(schools, "pd-school-choice")
        self.open_add = css(w.Button(description="School toevoegen"), "pd-add-school")
        self.new_name = css(
            w.Text(description="Nieuwe school", style=STYLE, layout=WIDE), "pd-new-school"
        )
        self.confirm = css(w.Button(description="Toevoegen"), "pd-add-school-confirm")
        self.feedback = css(w.HTML(), "pd-add-school-result")
        self.adding = w.HBox([self.new_name, self.confirm])
        self.adding.layout.display = "" if not schools else "none"
        if not schools:
            self.feedback.value = message(
                "hint", "Er staat nog geen school op de lijst: voeg eerst je school toe."
            )
        self.open_add.on_click(lambda _: self.start_adding())
        self.confirm.on_click(lambda _: self.add())
        super().__init__([w.HBox([self.choice, self.open_add]), self.adding, self.feedback])

    @property
    def value(self) -> str:
        return self.choice.value or ""

    def start_adding(self) -> None:
        self.adding.layout.display = ""
        self.feedback.value = message(
            "hint",
            "Voeg alleen een school toe die nog niet in de lijst staat; "
            "een andere schrijfwijze van een bekende school wordt geweigerd.",
        )

    def add(self) -> None:
        added: list[str] = []
        if not save(
            lambda: added.append(
                school_names.add(self.store, self.new_name.value, self.actor.name)
            ),
            self.feedback,
        ):
            return
        self.choice.options = school_options(school_names.names(self.store))
        self.choice.value = added[0]
        self.new_name.value = ""
        self.adding.layout.display = "none"
        self.feedback.value = message("ok", f"School '{added[0]}' toegevoegd en gekozen.")
