"""The care team's page: who is working, a new-report form, and the cases with one opened."""

from __future__ import annotations

import ipywidgets as w

from pestdata.db.store import Store
from pestdata.ui.access import AccessRequests
from pestdata.ui.case_list import CaseList
from pestdata.ui.case_view import CaseView
from pestdata.ui.common import Actor, css, kernel_store
from pestdata.ui.signals import SignalsView
from pestdata.ui.transfer import Transfer


def meldingen_app(store: Store | None = None, actor: Actor | None = None) -> w.VBox:
    """Build the whole page; the notebook only displays what this returns."""
    store = store or kernel_store()
    actor = actor or Actor()
    case = CaseView(store, actor)
    cases = CaseList(store, on_open=case.show)
    case.on_change = cases.refresh

    def saved(incident_id: int) -> None:
        cases.refresh()

    from pestdata.ui.report_form import ReportForm

    form = ReportForm(store, actor, on_saved=saved)
    transfer = Transfer(store, actor, on_import=cases.refresh)

    def open_from_signals(incident_id: int) -> None:
        tabs.selected_index = 1
        case.show(incident_id)

    found = SignalsView(store, on_open=open_from_signals)
    requests = AccessRequests(store, actor)
    tabs = css(w.Tab(children=[form, w.VBox([requests, cases, case]), found, transfer]), "pd-tabs")
    tabs.titles = ("Nieuwe melding", "Meldingen", "Signalen", "Import en export")
    # The signals read every case of the period: counted each time the tab opens, not on
    # every page load (0.5 s on a 100,000-report register).
    tabs.observe(lambda change: change["new"] == 2 and found.refresh(), "selected_index")
    header = w.HTML(
        "<h2>Meldingen online pesten</h2><p class='pd-hint'>Voor het zorgteam. Gebruik "
        "leerlingnummers, nooit namen. Elke wijziging komt in het logboek.</p>"
    )
    return w.VBox([header, actor, tabs])
