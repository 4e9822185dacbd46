"""The new-report form: every field, Dutch labels, errors beside the field, nothing half-stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.choices import GROUPS, Form, Motive, Platform, Reporter, Role, Severity
from pestdata.core.clock import nl_date
from pestdata.core.model import InvalidInput, validate_incident
from pestdata.db.store import Store
from pestdata.incidents import incident_log
from pestdata.ui.common import (
    STYLE,
    WIDE,
    Actor,
    NameCheck,
    clear,
    css,
    error_boxes,
    message,
    one_look,
    save,
    show_errors,
)
from pestdata.ui.schools import SchoolField


class PupilRows(w.VBox):
    """The pupils involved: a pupil number and a role per row; rows can be added and removed.

    A row added with the button takes the focus (a keyboard user types on at once); an empty
    row is not dropped on saving but pointed out (`empty_rows`), as a number the user meant
    to type may be missing. The rows live in a box of their own: a box redraws every child
    after the first one that changed, so with the button among them, each added row or reset
    form redrew the button and took its focus away."""

    def __init__(self):
        self.add_button = css(w.Button(description="+ leerling toevoegen"), "pd-add-pupil")
        self.add_button.on_click(lambda _: self.add_row().focus())
        self.row_box = w.VBox()
        super().__init__([self.row_box, self.add_button])
        self.rows: list[w.HBox] = []
        self.reset()

    def add_row(self, role: Role = Role.BULLY) -> w.Text:
        """A new row at the bottom; returns its pupil-number field."""
        number = css(
            w.Text(
                description="Leerlingnummer",
                placeholder="bijv. 123456",
                style={"description_width": "initial"},
                layout=w.Layout(width="300px"),
            ),
            "pd-pupil-number",
        )
        role_box = css(
            w.Dropdown(
                description="Rol",
                options=Role.choices(),
                value=role.value,
                style={"description_width": "initial"},
                layout=w.Layout(width="210px"),
            ),
            "pd-pupil-role",
        )
        remove = css(
            w.Button(
                description="✕",
                tooltip="Verwijder deze leerling",
                layout=w.Layout(width="40px", min_width="40px"),
            ),
            "pd-remove-pupil",
        )
        row = w.HBox([number, role_box, remove])
        remove.on_click(lambda _: self._remove(row))
        self.rows.append(row)
        self._render()
        return number

    def _remove(self, row: w.HBox) -> None:
        """Take a row away; the focus goes to the number of the row now in its place (the
        button that was clicked is gone with its row)."""
        if len(self.rows) > 1 and row in self.rows:
            place = self.rows.index(row)
            self.rows.remove(row)
            self._render()
            self.rows[min(place, len(self.rows) - 1)].children[0].focus()

    def _render(self) -> None:
        self.row_box.children = list(self.rows)

    def reset(self) -> None:
        self.rows = []
        self.add_row(Role.TARGET)

    def empty_rows(self) -> list[int]:
        """The rows (0-based) without a pupil number, when there is more than one row."""
        if len(self.rows) < 2:
            return []
        return [i for i, row in enumerate(self.rows) if not row.children[0].value.strip()]

    @property
    def value(self) -> list[dict]:
        return [
            {"pupil_number": row.children[0].value, "role": row.children[1].value}
            for row in self.rows
        ]


class CheckboxGroup(w.GridBox):
    """Several choices from an enum as checkboxes (clearer than a multi-select list)."""

    def __init__(self, choices: list[tuple[str, str]], css_class: str, columns: int = 3):
        look = one_look(w.Checkbox)
        self.boxes = {
            value: css(w.Checkbox(description=label, value=False, indent=False, **look), css_class)
            for label, value in choices
        }
        super().__init__(
            list(self.boxes.values()),
            layout=w.Layout(
                grid_template_columns=f"repeat({columns}, {720 // columns}px)",
                margin="0 0 0 170px",
            ),
        )

    @property
    def value(self) -> list[str]:
        return [value for value, box in self.boxes.items() if box.value]

    def reset(self) -> None:
        for box in self.boxes.values():
            box.value = False


def long_ago(today: date) -> date:
    """Reports from before this day ask for a second look: from before last school year."""
    return clock.SchoolYear.of(today).previous.start


class IncidentForm(w.VBox):
    """Log a report in under a minute. `on_saved(incident_id)` runs after a successful save."""

    def __init__(self, store: Store, actor: Actor, on_saved: Callable[[int], None] | None = None):
        self.store, self.actor, self.on_saved = store, actor, on_saved
        today = clock.today()
        self.fields = {
            "reported_on": w.DatePicker(description="Datum melding", value=today, style=STYLE),
            "happened_on": w.DatePicker(description="Datum voorval", value=None, style=STYLE),
            "school": SchoolField(store, actor),
            # Radio buttons, none chosen: a dropdown took the first typed letter as the choice
            # ('l' picked Leerkracht), a radio button is only chosen on purpose.
            "reporter": w.RadioButtons(
                description="Gemeld door",
                options=Reporter.choices(),
                value=None,
                orientation="horizontal",
                style=STYLE,
                layout=w.Layout(width="auto"),
            ),
            "group": w.Dropdown(
                description="Groep of klas", options=GROUPS, value=None, style=STYLE
            ),
            "pupils": PupilRows(),
            "platforms": CheckboxGroup(Platform.choices(), "pd-platform"),
            "forms": CheckboxGroup(Form.choices(), "pd-form", columns=2),
            "severity": w.ToggleButtons(
                description="Ernst",
                options=Severity.choices(),
                value=Severity.MEDIUM.value,
                style=STYLE,
            ),
            "motive": w.Dropdown(
                description="Motief",
                options=Motive.choices(),
                value=Motive.UNKNOWN.value,
                tooltip="Wordt de leerling gepest om wie hij of zij is? Laat 'Onbekend' staan "
                "als je het niet weet.",
                style=STYLE,
            ),
            "handler": w.Text(description="Behandelaar", style=STYLE, layout=WIDE),
            "description": w.Textarea(
                description="Beschrijving",
                style=STYLE,
                placeholder="Wat is er gebeurd? Feiten, geen namen.",
                layout=w.Layout(width="560px", height="120px"),
            ),
        }
        for name, widget in self.fields.items():
            widget.add_class(f"pd-field-{name}")
        self.errors = error_boxes(self.fields)
        self.save = css(w.Button(description="Melding opslaan", button_style="primary"), "pd-save")
        self.save.on_click(lambda _: self.submit())
        self.result = css(w.HTML(), "pd-result")
        # A date long ago is often a typo (1999 for 2025): asked once, then saved as is.
        self.old_date_ok = css(
            w.Button(description="Ja, de datum klopt", layout=w.Layout(display="none")),
            "pd-confirm-old-date",
        )
        self.old_date_ok.on_click(lambda _: self.submit(confirmed_old=True))
        # A name in the description is asked about once (names.py), then saved, audited.
        self._old_confirmed = False
        self.names = NameCheck(
            "pd-confirm-names", lambda: self.submit(confirmed_old=self._old_confirmed)
        )
        rows = []
        for name, widget in self.fields.items():
            if name == "pupils":
                rows.append(w.HTML("<b>Betrokken leerlingen</b> (leerlingnummer, nooit een naam)"))
            elif name in ("platforms", "forms"):
                title = "Platforms" if name == "platforms" else "Vormen van pesten"
                rows.append(w.HTML(f"<b>{title}</b> (één of meer)"))
            rows += [widget, self.errors[name]]
        super().__init__([*rows, self.save, self.result, self.old_date_ok, self.names.confirm])
        self.add_class("pd-report-form")
        self.fields["handler"].value = self.fields["handler"].value or actor.name

    def values(self) -> dict:
        return {name: widget.value for name, widget in self.fields.items()}

    def choices_missing(self) -> dict[str, str]:
        """The form's own words for what the model calls 'dit veld is verplicht': a school and
        a reporter are chosen on purpose, an empty pupil row is filled or taken away."""
        missing = {}
        if not self.fields["school"].value:
            missing["school"] = "kies de school van deze melding"
        if not self.fields["reporter"].value:
            missing["reporter"] = "kies wie het meldde"
        for row in self.fields["pupils"].empty_rows():
            missing[f"pupils.{row}.pupil_number"] = (
                "deze rij is leeg: vul een leerlingnummer in, of haal de rij weg met ✕"
            )
        return missing

    def submit(self, confirmed_old: bool = False) -> int | None:
        """Validate, then store all or nothing; say in Dutch what happened."""
        clear(self.errors)
        self.result.value = ""
        self.old_date_ok.layout.display = "none"
        self.names.confirm.layout.display = "none"
        self._old_confirmed = confirmed_old
        actor = self.actor.name
        errors: dict[str, str] = {}
        try:
            incident = validate_incident(self.values())
        except InvalidInput as error:
            errors.update(error.errors)
        errors.update(self.choices_missing())
        if errors:
            show_errors(self.errors, InvalidInput(errors), self.result)
            self.result.value = (
                message(
                    "error",
                    "Niet opgeslagen: "
                    + (
                        "1 veld klopt niet"
                        if len(errors) == 1
                        else f"{len(errors)} velden kloppen niet"
                    )
                    + ". Zie de meldingen bij de velden.",
                )
                + self.result.value
            )
            return None
        if incident.reported_on < long_ago(clock.today()) and not confirmed_old:
            self.result.value = message(
                "hint",
                f"De datum van de melding is {nl_date(incident.reported_on)}, van vóór het "
                "vorige schooljaar. Klopt die datum? Kies dan 'Ja, de datum klopt'; anders: "
                "verbeter de datum en sla opnieuw op.",
            )
            self.old_date_ok.layout.display = ""
            return None
        possible_name = self.names.ask(incident.description, self.result)
        if possible_name is None:
            return None
        stored: list[int] = []
        if not save(
            lambda: stored.append(
                incident_log.add_incident(
                    self.store, incident, actor=actor, possible_name=possible_name
                )
            ),
            self.result,
        ):
            return None
        incident_id = stored[0]
        self.result.value = message(
            "ok", f"Melding #{incident_id} opgeslagen ({nl_date(incident.reported_on)})."
        )
        self.reset()
        if self.on_saved:
            self.on_saved(incident_id)
        return incident_id

    def reset(self) -> None:
        """Empty the form for the next report; keep date, school and handler."""
        for name in ("happened_on", "reporter", "group"):
            self.fields[name].value = None
        self.fields["description"].value = ""
        self.fields["severity"].value = Severity.MEDIUM.value
        self.fields["motive"].value = Motive.UNKNOWN.value
        for name in ("pupils", "platforms", "forms"):
            self.fields[name].reset()
