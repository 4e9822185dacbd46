"""One case: details, police advice, status, description, protocol checklist and timeline."""

from __future__ import annotations

import ipywidgets as w

from .. import caseload, clock, incident_log, signals
from ..caseload import POLICE_ADVICE, TimelineEntry, case_details, timeline
from ..clock import nl_date
from ..guidance import ProtocolStepDef, load_protocol
from ..model import (
    POLICE_FORMS,
    TRANSITIONS,
    Form,
    Outcome,
    Status,
    validate_step,
)
from ..store import NotFound, Store
from .common import STYLE, Actor, NameCheck, css, download_link, esc, message, save
from .signals import appearances_text


class StepRow(w.VBox):
    """One protocol step: done (with date, who, note) or a 'Ja, dat heb ik gedaan' button."""

    def __init__(self, view: CaseView, step: ProtocolStepDef, done: dict | None):
        self.view, self.step = view, step
        title = w.HTML(
            f"<b>{esc(step.titel)}</b>{'' if step.verplicht else ' <i>(als van toepassing)</i>'}"
            f"<br><span class='pd-hint'>{esc(step.uitleg)}</span>"
        )
        self.error = css(w.HTML(), "pd-step-error")
        if done:
            outcome = f" · uitkomst: {Outcome(done['outcome']).label}" if done["outcome"] else ""
            note = f" — {esc(done['note'])}" if done["note"] else ""
            status = css(
                w.HTML(
                    f"<span class='pd-ok'>✓ Gedaan op {nl_date(done['done_on'])} door "
                    f"{esc(done['done_by'])}{esc(outcome)}</span>{note}"
                ),
                "pd-step-done",
            )
            undo = css(
                w.Button(description="Ongedaan maken", layout=w.Layout(width="150px")),
                "pd-step-undo",
            )
            undo.on_click(lambda _: self.undo())
            controls = [w.HBox([status, undo])]
        else:
            self.done_on = w.DatePicker(
                description="Datum", value=clock.today(), layout=w.Layout(width="250px")
            )
            self.done_by = w.Text(
                description="Uitgevoerd door",
                value=view.actor.name,
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
            tick = css(
                w.Button(
                    description="Ja, dat heb ik gedaan",
                    button_style="success",
                    layout=w.Layout(width="200px"),
                ),
                "pd-step-tick",
            )
            tick.on_click(lambda _: self.tick())
            self.names = NameCheck("pd-step-confirm-names", self.tick)
            fields = [self.done_on, self.done_by, self.note]
            if step.vraagt_uitkomst:
                fields.append(self.outcome)
            controls = [
                w.HBox(fields, layout=w.Layout(flex_flow="row wrap")),
                w.HBox([tick, self.names.confirm]),
            ]
        super().__init__(
            [title, *controls, self.error],
            layout=w.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"),
        )
        self.add_class("pd-step")
        self.add_class(f"pd-step-{step.id}")

    def tick(self) -> None:
        data = {
            "step_id": self.step.id,
            "done_on": self.done_on.value,
            "done_by": self.done_by.value,
            "note": self.note.value,
            "outcome": self.outcome.value if self.step.vraagt_uitkomst else None,
        }
        self.error.value = ""
        possible_name = self.names.ask(self.note.value, self.error)
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
            self.error,
            f"stap '{self.step.titel}' afgevinkt",
        )

    def undo(self) -> None:
        self.view.act(
            lambda store, actor: incident_log.undo_step(
                store, self.view.incident_id, self.step.id, actor
            ),
            self.error,
            f"stap '{self.step.titel}' teruggezet",
        )


class CaseView(w.VBox):
    """Everything about one case; each action is one transaction, then the view redraws."""

    def __init__(self, store: Store, actor: Actor, on_change=None):
        self.store, self.actor, self.on_change = store, actor, on_change
        self.incident_id: int | None = None
        super().__init__([w.HTML("<i>Kies een melding in de lijst.</i>")])
        self.add_class("pd-case")

    def show(self, incident_id: int, saved: str = "") -> None:
        """Draw the case; `saved` says what was just stored in it, above everything."""
        self.incident_id = incident_id
        try:
            case = caseload.get_incident(self.store, incident_id)
        except NotFound:
            self.children = [w.HTML(message("error", f"Melding #{incident_id} bestaat niet."))]
            return
        audit_entries = caseload.audit_entries(self.store, incident_id)
        notice = css(w.HTML(message("ok", saved) if saved else ""), "pd-case-saved")
        self.children = [
            notice,
            self._details(case),
            self._elsewhere(incident_id),
            *self._police(case),
            self._status(case),
            self._descriptions(case),
            w.HTML("<h4>Protocol: Heb je de acties uitgevoerd?</h4>"),
            *[StepRow(self, step, case["steps"].get(step.id)) for step in load_protocol()],
            self._timeline(timeline(case, audit_entries)),
            self._print(incident_id),
        ]

    def _print(self, incident_id: int) -> w.HBox:
        """The case file as a PDF, made when asked (it is confidential: not by default)."""
        button = css(w.Button(description="Dossier als PDF"), "pd-case-pdf")
        link = css(w.HTML(), "pd-case-pdf-link")

        def make(_):
            from ..reports import case_pdf  # reportlab loads only when a PDF is asked for

            link.value = download_link(
                case_pdf(self.store, incident_id),
                f"melding-{incident_id}.pdf",
                "application/pdf",
                f"Download melding-{incident_id}.pdf",
            )

        button.on_click(make)
        return w.HBox([button, link])

    def act(self, action, error_box: w.HTML, what: str) -> None:
        """Run one store action on this case; on bad input show the Dutch message beside it,
        else redraw this same case with a line that says what was saved."""
        error_box.value = ""
        if not save(lambda: action(self.store, self.actor.name), error_box):
            return
        incident_id = self.incident_id
        if self.on_change:
            self.on_change()  # the list redraws first; it keeps this case selected
        self.show(incident_id, saved=f"Opgeslagen bij melding #{incident_id}: {what}.")

    def _details(self, case: dict) -> w.HTML:
        rows = [(label, ", ".join(esc(v) for v in values)) for label, values in case_details(case)]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return css(
            w.HTML(f"<h3>Melding #{case['id']}</h3><table class='pd-timeline'>{table}</table>"),
            "pd-case-details",
        )

    def _elsewhere(self, incident_id: int) -> w.HTML:
        """Each pupil's other cases: 'deze leerling komt voor in N andere meldingen'."""
        lines = []
        for pupil, seen in signals.other_cases(self.store, incident_id):
            if seen:
                other = "andere melding" if len(seen) == 1 else "andere meldingen"
                lines.append(
                    f"<li><b>{esc(pupil)}</b> komt voor in {len(seen)} {other}: "
                    f"{esc(appearances_text(seen))}</li>"
                )
        body = f"<ul>{''.join(lines)}</ul>" if lines else ""
        return css(w.HTML(body), "pd-case-elsewhere")

    def _police(self, case: dict) -> list[w.HTML]:
        if not POLICE_FORMS & {Form(f) for f in case["forms"]}:
            return []
        return [
            css(w.HTML(f"<div class='pd-police'>{esc(POLICE_ADVICE)}</div>"), "pd-police-advice")
        ]

    def _status(self, case: dict) -> w.VBox:
        current = Status(case["status"])
        options = [(s.label, s.value) for s in TRANSITIONS[current]]
        error = css(w.HTML(), "pd-status-error")
        if not options:
            return w.VBox([w.HTML(f"Status: <b>{current.label}</b> (afgesloten)")])
        new = css(
            w.Dropdown(description="Nieuwe status", options=options, style=STYLE), "pd-status-new"
        )
        button = css(w.Button(description="Status wijzigen"), "pd-status-change")
        button.on_click(
            lambda _: self.act(
                lambda store, actor: incident_log.change_status(
                    store, case["id"], new.value, actor
                ),
                error,
                f"status is nu {dict((v, label) for label, v in options).get(new.value, '')}",
            )
        )
        return w.VBox([w.HTML(f"Status: <b>{current.label}</b>"), w.HBox([new, button]), error])

    def _descriptions(self, case: dict) -> w.VBox:
        texts = "".join(
            f"<div class='pd-card'><div class='pd-hint'>{nl_date(d['written_at'])} · "
            f"{esc(d['written_by'])}</div><div class='pd-description'>{esc(d['text'])}</div></div>"
            for d in case["descriptions"]
        )
        addition = css(
            w.Textarea(
                placeholder="Aanvulling op de beschrijving (de eerdere tekst blijft staan)",
                layout=w.Layout(width="560px", height="70px"),
            ),
            "pd-description-add",
        )
        error = css(w.HTML(), "pd-description-error")
        button = css(w.Button(description="Aanvulling opslaan"), "pd-description-save")

        def add() -> None:
            text = addition.value
            error.value = ""
            possible_name = check.ask(text, error)
            if possible_name is None:
                return
            self.act(
                lambda store, actor: incident_log.append_description(
                    store, case["id"], text, actor, possible_name=possible_name
                ),
                error,
                "beschrijving aangevuld",
            )

        check = NameCheck("pd-description-confirm-names", add)
        button.on_click(lambda _: add())
        return w.VBox(
            [
                css(w.HTML(f"<h4>Beschrijving</h4>{texts}"), "pd-descriptions"),
                addition,
                w.HBox([button, check.confirm]),
                error,
            ]
        )

    def _timeline(self, entries: list[TimelineEntry]) -> w.HTML:
        rows = "".join(
            f"<tr><td>{nl_date(e.when)}</td><td>{esc(e.what)}</td><td>{esc(e.who)}</td></tr>"
            for e in entries
        )
        return css(
            w.HTML(
                "<h4>Tijdlijn</h4><table class='pd-timeline'><tr><th>Wanneer</th><th>Wat</th>"
                f"<th>Wie</th></tr>{rows}</table>"
            ),
            "pd-case-timeline",
        )
