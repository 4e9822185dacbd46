"""One case: details, police advice, status, description, protocol checklist and timeline.

The care team works down a long page (a case with its steps is some 3,000 px), so an action
changes only the widgets it concerns: the rest of the page stays where it is, with the focus
on the control just used. Rebuilding the whole case after each click scrolled the page about
1,100 px up and left the focus nowhere."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.choices import POLICE_FORMS, TRANSITIONS, Form, Outcome, Status
from pestdata.core.clock import nl_date
from pestdata.core.guidance import load_protocol
from pestdata.core.guidance_entries import ProtocolStepDef
from pestdata.core.markup import counted
from pestdata.core.model import validate_step
from pestdata.db.store import NotFound, Store
from pestdata.incidents import incident_log, lookup, signals
from pestdata.incidents.lookup import POLICE_ADVICE, TimelineEntry, incident_details, timeline
from pestdata.ui.common import STYLE, Actor, NameCheck, css, download_link, esc, message, save
from pestdata.ui.signals import appearances_text

NOT_DRAWN = object()  # a step row's state before its first drawing


class StepRow(w.VBox):
    """One protocol step: done (with date, who, note, 'Ongedaan maken') or its fields and a
    'Ja, dat heb ik gedaan' button. Drawn again only when this step itself changes."""

    def __init__(self, view: IncidentView, step: ProtocolStepDef, done: dict | None):
        self.view, self.step = view, step
        self.title = w.HTML(
            f"<b>{esc(step.title)}</b>{'' if step.required else ' <i>(als van toepassing)</i>'}"
            f"<br><span class='pd-hint'>{esc(step.explanation)}</span>"
        )
        self.result = css(w.HTML(), "pd-step-result")
        self.names = NameCheck("pd-step-confirm-names", self.tick)
        self.done: object = NOT_DRAWN
        self.button: w.Button | None = None  # 'Ja, dat heb ik gedaan' or 'Ongedaan maken'
        super().__init__(layout=w.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"))
        self.add_class("pd-step")
        self.add_class(f"pd-step-{step.id}")
        self.update(done)

    def update(self, done: dict | None) -> bool:
        """Draw the step as `done` says; False (and nothing sent) when it is drawn so already."""
        if done == self.done:
            return False
        self.done = done
        self.children = [self.title, *(self._done(done) if done else self._to_do()), self.result]
        return True

    def _done(self, done: dict) -> list[w.Widget]:
        outcome = f" · uitkomst: {Outcome(done['outcome']).label}" if done["outcome"] else ""
        note = f" — {esc(done['note'])}" if done["note"] else ""
        status = css(
            w.HTML(
                f"<span class='pd-ok'>✓ Gedaan op {nl_date(done['done_on'])} door "
                f"{esc(done['done_by'])}{esc(outcome)}</span>{note}"
            ),
            "pd-step-done",
        )
        self.button = css(
            w.Button(description="Ongedaan maken", layout=w.Layout(width="150px")),
            "pd-step-undo",
        )
        self.button.on_click(lambda _: self.undo())
        return [w.HBox([status, self.button])]

    def _to_do(self) -> list[w.Widget]:
        self.done_on = w.DatePicker(
            description="Datum", value=clock.today(), layout=w.Layout(width="250px")
        )
        self.done_by = w.Text(
            description="Uitgevoerd door",
            value=self.view.actor.name,
            style={"description_width": "initial"},
            layout=w.Layout(width="320px"),
        )
        self.note = w.Text(
            description="Notitie",
            placeholder="kort, geen namen",
            layout=w.Layout(width="420px"),
        )
        self.outcome = w.Dropdown(
            description="Uitkomst",
            options=Outcome.choices(),
            value=None,
            layout=w.Layout(width="250px"),
        )
        self.button = css(
            w.Button(
                description="Ja, dat heb ik gedaan",
                button_style="success",
                layout=w.Layout(width="200px"),
            ),
            "pd-step-tick",
        )
        self.button.on_click(lambda _: self.tick())
        fields = [self.done_on, self.done_by, self.note]
        if self.step.asks_outcome:
            fields.append(self.outcome)
        return [
            w.HBox(fields, layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.button, self.names.confirm]),
        ]

    def tick(self) -> None:
        data = {
            "step_id": self.step.id,
            "done_on": self.done_on.value,
            "done_by": self.done_by.value,
            "note": self.note.value,
            "outcome": self.outcome.value if self.step.asks_outcome else None,
        }
        self.result.value = ""
        possible_name = self.names.ask(self.note.value, self.result)
        if possible_name is None:
            return
        self.view.act(
            lambda store, actor: incident_log.record_step(
                store,
                self.view.incident_id,
                validate_step(data),
                actor,
                possible_name=possible_name,
            ),
            self.result,
            f"stap '{self.step.title}' afgevinkt",
            focus=lambda: self.button,  # the row's new button: 'Ongedaan maken'
        )

    def undo(self) -> None:
        self.view.act(
            lambda store, actor: incident_log.undo_step(
                store, self.view.incident_id, self.step.id, actor
            ),
            self.result,
            f"stap '{self.step.title}' teruggezet",
            focus=lambda: self.button,  # the row's new button: 'Ja, dat heb ik gedaan'
        )


class StatusBox(w.VBox):
    """The status now, and a change to one of the statuses allowed from it."""

    def __init__(self, view: IncidentView):
        self.view = view
        self.current = css(w.HTML(), "pd-status-current")
        self.new = css(
            w.Dropdown(description="Nieuwe status", options=[], style=STYLE), "pd-status-new"
        )
        self.button = css(w.Button(description="Status wijzigen"), "pd-status-change")
        self.button.on_click(lambda _: self.change())
        self.changing = w.HBox([self.new, self.button])
        self.result = css(w.HTML(), "pd-status-result")
        self.status: Status | None = None
        super().__init__([self.current, self.changing, self.result])

    def update(self, status: Status) -> None:
        if status == self.status:
            return
        self.status = status
        options = [(s.label, s.value) for s in TRANSITIONS[status]]
        closed = " (afgesloten)" if not options else ""
        self.current.value = f"Status: <b>{esc(status.label)}</b>{closed}"
        self.new.options = options
        self.new.index = 0 if options else None  # the usual next status first
        self.changing.layout.display = "" if options else "none"

    def change(self) -> None:
        new = self.new.value
        labels = {value: label for label, value in self.new.options}
        self.view.act(
            lambda store, actor: incident_log.change_status(
                store, self.view.incident_id, new, actor
            ),
            self.result,
            f"status is nu {labels.get(new, '')}",
            focus=lambda: self.button,
        )


class DescriptionBox(w.VBox):
    """The description as written, each addition under it; earlier text is never changed."""

    def __init__(self, view: IncidentView):
        self.view = view
        self.texts = css(w.HTML(), "pd-descriptions")
        self.addition = css(
            w.Textarea(
                placeholder="Aanvulling op de beschrijving (de eerdere tekst blijft staan)",
                layout=w.Layout(width="560px", height="70px"),
            ),
            "pd-description-add",
        )
        self.result = css(w.HTML(), "pd-description-result")
        self.button = css(w.Button(description="Aanvulling opslaan"), "pd-description-save")
        self.check = NameCheck("pd-description-confirm-names", self.add)
        self.button.on_click(lambda _: self.add())
        super().__init__(
            [self.texts, self.addition, w.HBox([self.button, self.check.confirm]), self.result]
        )

    def update(self, texts: list[dict]) -> None:
        self.texts.value = "<h4>Beschrijving</h4>" + "".join(
            f"<div class='pd-card'><div class='pd-hint'>{nl_date(d['written_at'])} · "
            f"{esc(d['written_by'])}</div><div class='pd-description'>{esc(d['text'])}</div></div>"
            for d in texts
        )

    def add(self) -> None:
        text = self.addition.value
        self.result.value = ""
        possible_name = self.check.ask(text, self.result)
        if possible_name is None:
            return
        if self.view.act(
            lambda store, actor: incident_log.append_description(
                store, self.view.incident_id, text, actor, possible_name=possible_name
            ),
            self.result,
            "beschrijving aangevuld",
            focus=lambda: self.button,
        ):
            self.addition.value = ""  # saved: the box is free for the next addition


class IncidentView(w.VBox):
    """Everything about one case; each action is one transaction, after which the widgets it
    changed are updated in place (see the module's docstring)."""

    def __init__(self, store: Store, actor: Actor, on_change=None):
        self.store, self.actor, self.on_change = store, actor, on_change
        self.incident_id: int | None = None
        super().__init__([w.HTML("<i>Kies een melding in de lijst.</i>")])
        self.add_class("pd-case")

    def show(self, incident_id: int) -> None:
        """Draw a case afresh (another case, or the same one opened again): no input typed for
        the case shown before is carried over."""
        self.incident_id = incident_id
        try:
            incident = lookup.get_incident(self.store, incident_id)
        except NotFound:
            self.children = [w.HTML(message("error", f"Melding #{incident_id} bestaat niet."))]
            return
        self.details = css(w.HTML(), "pd-case-details")
        self.elsewhere = css(w.HTML(), "pd-case-elsewhere")
        self.police = css(
            w.HTML(f"<div class='pd-police'>{esc(POLICE_ADVICE)}</div>"), "pd-police-advice"
        )
        self.status = StatusBox(self)
        self.descriptions = DescriptionBox(self)
        self.steps = [
            StepRow(self, step, incident["steps"].get(step.id)) for step in load_protocol()
        ]
        self.timeline = css(w.HTML(), "pd-case-timeline")
        self._fill(incident)
        self.children = [
            self.details,
            self.elsewhere,
            self.police,
            self.status,
            self.descriptions,
            w.HTML("<h4>Protocol: Heb je de acties uitgevoerd?</h4>"),
            *self.steps,
            self.timeline,
            self._print(incident_id),
        ]

    def refresh(self) -> None:
        """Read the case again and update only what changed in it."""
        try:
            incident = lookup.get_incident(self.store, self.incident_id)
        except NotFound:
            return self.show(self.incident_id)
        if [row.step.id for row in self.steps] != [step.id for step in load_protocol()]:
            return self.show(self.incident_id)  # the protocol was edited meanwhile
        self._fill(incident)

    def _fill(self, incident: dict) -> None:
        """Set every part from `case`; a widget whose value is unchanged sends nothing."""
        self.details.value = self._details(incident)
        self.elsewhere.value = self._elsewhere(incident["id"])
        self.police.layout.display = (
            "" if POLICE_FORMS & {Form(f) for f in incident["forms"]} else "none"
        )
        self.status.update(Status(incident["status"]))
        self.descriptions.update(incident["descriptions"])
        for row in self.steps:
            row.update(incident["steps"].get(row.step.id))
        self.timeline.value = self._timeline(
            timeline(incident, lookup.audit_entries(self.store, incident["id"]))
        )

    def act(
        self,
        action: Callable[[Store, str], object],
        result: w.HTML,
        what: str,
        focus: Callable[[], w.Widget] | None = None,
    ) -> bool:
        """Run one store action on this case. Bad input: the Dutch message in `result`, beside
        the control. Stored: the changed parts are updated, `result` says what was saved, and
        the focus goes back to the control `focus()` names (the same one, or the one that
        took its place). True when it was stored."""
        result.value = ""
        if not save(lambda: action(self.store, self.actor.name), result):
            return False
        if self.on_change:
            self.on_change()  # the list redraws first; it keeps this case selected
        self.refresh()
        result.value = message("ok", f"Opgeslagen bij melding #{self.incident_id}: {what}.")
        control = focus() if focus else None
        if control is not None:
            control.focus()
        return True

    def _print(self, incident_id: int) -> w.HBox:
        """The case file as a PDF, made when asked (it is confidential: not by default)."""
        button = css(w.Button(description="Dossier als PDF"), "pd-case-pdf")
        link = css(w.HTML(), "pd-case-pdf-link")

        def make(_):
            from pestdata.documents.incident_file import (
                incident_pdf,  # reportlab loads only when a PDF is asked for
            )
            from pestdata.incidents.incident_file import gather_incident_file

            link.value = download_link(
                incident_pdf(gather_incident_file(self.store, incident_id)),
                f"melding-{incident_id}.pdf",
                "application/pdf",
                f"melding-{incident_id}.pdf opslaan",
            )

        button.on_click(make)
        return w.HBox([button, link])

    @staticmethod
    def _details(incident: dict) -> str:
        rows = [
            (label, ", ".join(esc(v) for v in values))
            for label, values in incident_details(incident)
        ]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return f"<h3>Melding #{incident['id']}</h3><table class='pd-timeline'>{table}</table>"

    def _elsewhere(self, incident_id: int) -> str:
        """Each pupil's other cases: 'deze leerling komt voor in N andere meldingen'."""
        lines = []
        for pupil, seen in signals.other_incidents(self.store, incident_id):
            if seen:
                lines.append(
                    f"<li><b>{esc(pupil)}</b> komt voor in "
                    f"{counted(len(seen), 'andere melding', 'andere meldingen')}: "
                    f"{esc(appearances_text(seen))}</li>"
                )
        return f"<ul>{''.join(lines)}</ul>" if lines else ""

    @staticmethod
    def _timeline(entries: list[TimelineEntry]) -> str:
        rows = "".join(
            f"<tr><td>{nl_date(e.when)}</td><td>{esc(e.what)}</td><td>{esc(e.who)}</td></tr>"
            for e in entries
        )
        return (
            "<h4>Tijdlijn</h4><table class='pd-timeline'><tr><th>Wanneer</th><th>Wat</th>"
            f"<th>Wie</th></tr>{rows}</table>"
        )
