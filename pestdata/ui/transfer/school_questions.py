"""The import's questions about schools: the file's schools not listed yet, and a school's type.

A school in the file's School column that is not on the list is added here, with its type
(proposed from its rows' groups, to be confirmed), or the file is corrected. A row whose
group does not fit its school's type is stored only when confirmed (import_tab.py), or the
school's type is set right here (in the audit). Each answer checks the file again
(`on_change`).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.db.store import Store
from pestdata.registers import import_result
from pestdata.registers.import_result import ImportResult
from pestdata.school import school_names
from pestdata.school.school_names import SchoolType
from pestdata.ui.common import Actor, css, esc, message, save
from pestdata.ui.schools import add_school, chosen_type, type_dropdown


class NewSchools(w.VBox):
    """Each school of the file not on the list, with a type, and 'Deze scholen toevoegen'."""

    def __init__(self, store: Store, actor: Actor, on_change: Callable[[], None]):
        self.store, self.actor, self.on_change = store, actor, on_change
        self.types: dict[str, w.Dropdown] = {}
        self.add_button = css(
            w.Button(description="Deze scholen toevoegen"), "pd-import-add-schools"
        )
        self.add_button.on_click(lambda _: self.add())
        self.feedback = css(w.HTML(), "pd-import-add-schools-result")
        super().__init__(layout=w.Layout(display="none"))
        css(self, "pd-import-new-schools")

    def forget(self) -> None:
        """A new file: no type chosen for the last one's schools holds."""
        self.types, self.children = {}, ()
        self.layout.display = "none"
        self.feedback.value = ""

    def show(self, result: ImportResult) -> None:
        """Each school of the file not on the list, with a type (proposed from its rows'
        groups, to be confirmed) and 'Deze scholen toevoegen'."""
        names = [n for n, _ in result.unknown_schools.most_common()]
        if not names:
            self.layout.display = "none"
            return
        rows = []
        for name in names:
            if name not in self.types:
                groups = result.school_groups.get(name, set())
                proposed = SchoolType.of_groups(groups).value if groups else ""
                self.types[name] = type_dropdown("pd-import-new-school-type", proposed)
            rows.append(
                w.HBox(
                    [
                        w.HTML(
                            f"<span class='pd-import-new-school-name'>{esc(name)} "
                            f"({import_result.rows(result.unknown_schools[name])})</span>",
                            layout=w.Layout(width="320px"),
                        ),
                        self.types[name],
                    ]
                )
            )
        self.children = [
            w.HTML(
                "<p class='pd-hint'>Deze scholen uit het bestand staan nog niet op de lijst. "
                "Is het een nieuwe school, kies dan haar soort en voeg haar toe; is het een "
                "andere schrijfwijze van een bekende school, verbeter dan het bestand.</p>"
            ),
            *rows,
            self.add_button,
            self.feedback,
        ]
        self.layout.display = ""

    def add(self) -> None:
        """Add the file's new schools with the types chosen, then check the file again."""
        chosen = {name: field.value for name, field in self.types.items()}

        def add_all() -> None:
            for name, school_type in chosen.items():
                add_school(self.store, name, school_type, self.actor)

        if save(add_all, self.feedback):
            self.types = {}
            self.feedback.value = message(
                "ok", "Toegevoegd: " + ", ".join(f"'{n}'" for n in chosen) + "."
            )
            self.on_change()


class SchoolTypes(w.VBox):
    """For each school whose type a row's group does not fit: its type, to correct; and
    what was stored (`feedback`, still shown when the rows are gone)."""

    def __init__(self, store: Store, actor: Actor, on_change: Callable[[], None]):
        self.store, self.actor, self.on_change = store, actor, on_change
        self.rows = css(w.VBox(layout=w.Layout(display="none")), "pd-import-retype")
        self.fields: dict[str, tuple[w.Dropdown, w.Button]] = {}
        self.feedback = css(w.HTML(), "pd-import-retype-result")
        super().__init__([self.rows, self.feedback])

    def forget(self) -> None:
        """A new file: nothing asked about a school's type yet."""
        self.fields, self.rows.children = {}, ()
        self.rows.layout.display = "none"
        self.feedback.value = ""

    def show(self, result: ImportResult, confirmed: bool) -> None:
        """A row per school whose type the file's groups question; none when there is none
        or the user confirmed the rows belong to their school as it is."""
        schools = list(dict.fromkeys(school for school, _, _ in result.misfits))
        if not schools or confirmed:
            self.rows.layout.display = "none"
            return
        types = school_names.types(self.store)
        rows = []
        for name in schools:
            if name not in self.fields:
                field = type_dropdown("pd-import-retype-type", types[name].value, "")
                button = css(w.Button(description="Soort opslaan"), "pd-import-retype-save")
                button.on_click(lambda _, name=name: self.set_type(name))
                self.fields[name] = (field, button)
            label = w.HTML(
                f"<span>Of klopt de soort van {esc(name)} niet?</span>",
                layout=w.Layout(width="320px"),
            )
            rows.append(w.HBox([label, *self.fields[name]]))
        self.rows.children = rows
        self.rows.layout.display = ""

    def set_type(self, name: str) -> None:
        """Store the type chosen for a school, then check the file again."""
        chosen = self.fields[name][0].value

        def store_type() -> None:
            school_names.set_type(self.store, name, chosen_type(chosen), self.actor.name)

        if save(store_type, self.feedback):
            label = SchoolType(chosen).label
            self.feedback.value = message("ok", f"{name} is nu: {label}.")
            self.fields.pop(name, None)
            self.on_change()
