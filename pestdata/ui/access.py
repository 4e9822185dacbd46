"""Inzageverzoeken beside the case list: register one, see what is due, make the file."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.clock import nl_date
from pestdata.core.markup import counted, esc, message
from pestdata.db.store import Store
from pestdata.incidents import access_requests
from pestdata.ui.common import STYLE, Actor, css, download_link, save


class AccessRequests(w.VBox):
    """Open requests with their due dates, first due first; one chosen is extended, answered
    or gets its file."""

    def __init__(self, store: Store, actor: Actor):
        self.store, self.actor = store, actor
        self.listing = css(w.HTML(), "pd-access-list")
        self.pupil = css(w.Text(description="Leerlingnummer", style=STYLE), "pd-access-pupil")
        self.received = css(
            w.DatePicker(description="Ontvangen op", value=clock.today(), style=STYLE),
            "pd-access-received",
        )
        self.by = css(
            w.Text(description="Gevraagd door", placeholder="bijv. ouder", style=STYLE),
            "pd-access-by",
        )
        self.add = css(w.Button(description="Verzoek vastleggen"), "pd-access-add")
        self.choice = css(
            w.Dropdown(description="Verzoek", options=[], value=None, style=STYLE),
            "pd-access-choice",
        )
        self.reason = css(w.Text(description="Reden verlengen", style=STYLE), "pd-access-reason")
        self.make = css(w.Button(description="Inzagebestand maken"), "pd-access-file")
        self.extend = css(w.Button(description="Verlengen (2 maanden)"), "pd-access-extend")
        self.done = css(w.Button(description="Afgehandeld"), "pd-access-done")
        self.result = css(w.HTML(), "pd-access-result")
        self.add.on_click(lambda _: self.register())
        self.make.on_click(lambda _: self.make_file())
        self.extend.on_click(lambda _: self.act(self._extend, "verlengd"))
        self.done.on_click(lambda _: self.act(self._answer, "afgehandeld"))
        super().__init__(
            [
                w.HTML(
                    "<h4>Inzageverzoeken (AVG)</h4><p class='pd-hint'>Antwoord binnen een "
                    "maand na ontvangst; met een reden mag het twee maanden langer.</p>"
                ),
                self.listing,
                w.HBox([self.pupil, self.received]),
                w.HBox([self.by, self.add]),
                self.choice,
                w.HBox([self.make, self.extend, self.done]),
                self.reason,
                self.result,
            ]
        )
        self.add_class("pd-access")
        self.refresh()

    def refresh(self) -> None:
        today = clock.today()
        requests = access_requests.open_requests(self.store)
        if not requests:
            self.listing.value = "<p class='pd-hint'>Geen open inzageverzoeken.</p>"
        else:
            rows = "".join(
                f"<tr class='{'pd-late' if r.days_left(today) < 0 else ''}'>"
                f"<td>{esc(r.pupil_number)}</td><td>{nl_date(r.received_on)}</td>"
                f"<td>{esc(r.requested_by)}</td><td>{nl_date(r.due_on)}"
                f"{' (verlengd)' if r.extension_reason else ''}</td>"
                f"<td>{_left(r.days_left(today))}</td></tr>"
                for r in requests
            )
            self.listing.value = (
                "<table class='pd-timeline'><tr><th>Leerling</th><th>Ontvangen</th>"
                f"<th>Door</th><th>Uiterlijk</th><th>Nog</th></tr>{rows}</table>"
            )
        self.choice.options = [
            (f"{r.pupil_number} · uiterlijk {nl_date(r.due_on)}", r.id) for r in requests
        ]
        self.choice.value = requests[0].id if requests else None

    def register(self) -> None:
        if save(
            lambda: access_requests.register(
                self.store, self.pupil.value, self.received.value, self.by.value, self.actor.name
            ),
            self.result,
        ):
            self.result.value = message(
                "ok", f"Verzoek voor {self.pupil.value.strip()} vastgelegd."
            )
            self.pupil.value = self.by.value = ""
            self.refresh()

    def chosen(self):
        return next(
            (r for r in access_requests.open_requests(self.store) if r.id == self.choice.value),
            None,
        )

    def make_file(self) -> None:
        from pestdata.core.names import NamesUnchecked
        from pestdata.db.store import NotFound
        from pestdata.documents.inzage_file import (
            inzage_pdf,  # reportlab loads only when a file is asked for
        )
        from pestdata.incidents.inzage_file import gather_inzage_file

        request = self.chosen()
        if request is None:
            self.result.value = message("error", "Kies eerst een verzoek.")
            return
        try:
            gathered = gather_inzage_file(self.store, request.pupil_number, self.actor.name)
        except NamesUnchecked as error:  # the server's name detector is still loading
            self.result.value = message("hint", str(error))
            return
        except NotFound:
            self.result.value = message(
                "hint", f"Er staan geen meldingen over leerling {request.pupil_number}."
            )
            return
        pdf = inzage_pdf(gathered)
        name = f"inzage-{request.pupil_number}.pdf".replace("/", "-")
        self.result.value = download_link(pdf, name, "application/pdf", f"{name} opslaan")

    def _extend(self, request) -> None:
        access_requests.extend(self.store, request.id, self.reason.value, self.actor.name)

    def _answer(self, request) -> None:
        access_requests.answer(self.store, request.id, self.actor.name)

    def act(self, action, what: str) -> None:
        request = self.chosen()
        if request is None:
            self.result.value = message("error", "Kies eerst een verzoek.")
            return
        if save(lambda: action(request), self.result):
            self.result.value = message("ok", f"Verzoek voor {request.pupil_number} {what}.")
            self.reason.value = ""
            self.refresh()


def _left(days: int) -> str:
    if days < 0:
        return f"{counted(-days, 'dag', 'dagen')} te laat"
    return "vandaag" if days == 0 else counted(days, "dag", "dagen")
