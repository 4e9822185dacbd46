"""Choosing a school: always from the list, so a typo never becomes a new school.

Choosing a school: always from the list (school_names.py), so a typo never becomes a new
school; the report form and the import can add one on purpose, with its type (which groups
belong there: an import asks about a group that does not fit)."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core.markup import message
from pestdata.core.model import InvalidInput
from pestdata.db.store import Store
from pestdata.school import school_names
from pestdata.school.school_names import SchoolType
from pestdata.ui.common import STYLE, WIDE, Actor, css, save

CHOOSE = "Kies een school…"
TYPE_OPTIONS = [
    ("Kies de soort school…", ""),
    ("basisonderwijs (groep 1 t/m 8)", SchoolType.PRIMARY.value),
    ("voortgezet onderwijs (klas 1 t/m 6)", SchoolType.SECONDARY.value),
    ("basis- en voortgezet onderwijs", SchoolType.BOTH.value),
]


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


def type_dropdown(css_class: str, value: str = "", description: str = "Soort") -> w.Dropdown:
    """A school's type; '' (nothing chosen) until someone chooses, unless a value is
    proposed (the import proposes what a file's groups show, to be confirmed)."""
    return css(
        w.Dropdown(
            description=description,
            options=TYPE_OPTIONS,
            value=value,
            style={"description_width": "60px"},
            layout=w.Layout(width="360px"),
        ),
        css_class,
    )


def chosen_type(value: str) -> SchoolType:
    """The type chosen in a type field; a Dutch refusal when none is."""
    if not value:
        raise InvalidInput(
            {"school": "kies de soort school: basisonderwijs, voortgezet onderwijs of beide"}
        )
    return SchoolType(value)


def add_school(store: Store, name: str, school_type: str, actor: Actor) -> str:
    """Add a school on purpose: the type must be chosen (Dutch refusal otherwise)."""
    return school_names.add(store, name, actor.name, chosen_type(school_type))


class NewSchool(w.HBox):
    """A new school: its name, its type, 'Toevoegen'. `on_added(name)` after it is stored;
    refusals (a name already listed in another spelling, no type) go to `feedback`."""

    def __init__(self, store: Store, actor: Actor, feedback: w.HTML, css_class: str):
        self.store, self.actor, self.feedback = store, actor, feedback
        self.name = css(
            w.Text(description="Nieuwe school", style=STYLE, layout=WIDE), "pd-new-school"
        )
        self.kind = type_dropdown("pd-new-school-type")
        self.confirm = css(w.Button(description="Toevoegen"), "pd-add-school-confirm")
        self.on_added = lambda name: None
        self.confirm.on_click(lambda _: self.add())
        super().__init__([self.name, self.kind, self.confirm])
        css(self, css_class)

    def add(self) -> None:
        added: list[str] = []
        if save(
            lambda: added.append(
                add_school(self.store, self.name.value, self.kind.value, self.actor)
            ),
            self.feedback,
        ):
            self.name.value, self.kind.value = "", ""
            self.on_added(added[0])


class SchoolField(w.VBox):
    """The form's school: a list to choose from, and 'School toevoegen' for a new one."""

    def __init__(self, store: Store, actor: Actor):
        self.store, self.actor = store, actor
        schools = school_names.names(store)
        self.choice = school_dropdown(schools, "pd-school-choice")
        self.open_add = css(w.Button(description="School toevoegen"), "pd-add-school")
        self.feedback = css(w.HTML(), "pd-add-school-result")
        self.adding = NewSchool(store, actor, self.feedback, "pd-adding-school")
        self.new_name, self.new_type, self.confirm = (
            self.adding.name,
            self.adding.kind,
            self.adding.confirm,
        )
        self.adding.on_added = self.added
        self.adding.layout.display = "" if not schools else "none"
        if not schools:
            self.feedback.value = message(
                "hint", "Er staat nog geen school op de lijst: voeg eerst je school toe."
            )
        self.open_add.on_click(lambda _: self.start_adding())
        super().__init__([w.HBox([self.choice, self.open_add]), self.adding, self.feedback])

    @property
    def value(self) -> str:
        return self.choice.value or ""

    def start_adding(self) -> None:
        self.adding.layout.display = ""
        self.feedback.value = message(
            "hint",
            "Voeg alleen een school toe die nog niet in de lijst staat, met haar soort "
            "(welke groepen of klassen er horen); een andere schrijfwijze van een bekende "
            "school wordt geweigerd.",
        )

    def added(self, name: str) -> None:
        self.choice.options = school_options(school_names.names(self.store))
        self.choice.value = name
        self.adding.layout.display = "none"
        self.feedback.value = message("ok", f"School '{name}' toegevoegd en gekozen.")
