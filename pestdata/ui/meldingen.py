"""The care team's page: who is working, a new-report form, and the cases with one opened."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.db.store import Store
from pestdata.ui.access import AccessRequests
from pestdata.ui.common import Actor, css, kernel_store
from pestdata.ui.incident_form import IncidentForm
from pestdata.ui.incident_list import IncidentList
from pestdata.ui.incident_view import IncidentView
from pestdata.ui.signals import SignalsView
from pestdata.ui.transfer.export_tab import ExportTab
from pestdata.ui.transfer.import_tab import ImportTab


class NamedTabs(w.Tab):
    """Tabs addressed by their title, never by their place: `tabs.tab("Signalen")`,
    `tabs.show("Meldingen")`; a tab added or moved changes no other line.

    A tab given as a function is built when it is first opened (or asked for): the browser
    receives every widget of a page at load, and a tab not shown at load costs that load time
    for nothing (the care team's list, signals and import and export tabs: 197 of the 344
    widget models of the page with every tab opened)."""

    def __init__(self, tabs: dict[str, w.Widget | Callable[[], w.Widget]]):
        self._built = {t: c for t, c in tabs.items() if isinstance(c, w.Widget)}
        self._later = {t: c for t, c in tabs.items() if t not in self._built}
        # A tab still to be built is an empty box until then; its content goes inside.
        super().__init__(children=[self._built[t] if t in self._built else w.VBox() for t in tabs])
        self.titles = tuple(tabs)
        self.observe(lambda change: self.tab(self.titles[change["new"]]), "selected_index")

    def tab(self, title: str) -> w.Widget:
        """The tab's content, built now if it waited for its first opening."""
        if title not in self._built:
            self._built[title] = self._later.pop(title)()
            self.children[self.titles.index(title)].children = (self._built[title],)
        return self._built[title]

    def built(self, title: str) -> w.Widget | None:
        """The tab's content if it has been built, else None (nothing in it to update)."""
        return self._built.get(title)

    def show(self, title: str) -> None:
        self.selected_index = self.titles.index(title)

    def on_open(self, title: str, callback: Callable[[], object]) -> None:
        """Call `callback` each time the tab `title` is opened (after it was built)."""
        place = self.titles.index(title)
        self.observe(lambda change: change["new"] == place and callback(), "selected_index")


class IncidentsTab(w.VBox):
    """The 'Meldingen' tab: requests for access, the list of cases and the case opened."""

    def __init__(self, store: Store, actor: Actor):
        self.view = IncidentView(store, actor)
        self.listing = IncidentList(store, on_open=self.view.show)
        self.view.on_change = self.listing.refresh
        super().__init__([AccessRequests(store, actor), self.listing, self.view])


class CarePage(w.VBox):
    """The whole page: the header, who is working, and the tabs (`tabs`, by title)."""

    def __init__(self, header: w.Widget, actor: Actor, tabs: NamedTabs):
        super().__init__([header, actor, tabs])
        self.tabs = tabs


def meldingen_app(store: Store | None = None, actor: Actor | None = None) -> CarePage:
    """Build the whole page; the notebook only displays what this returns."""
    store = store or kernel_store()
    actor = actor or Actor()

    def refresh_list(*_) -> None:
        """After a save or an import: the list shows it, once the list has been opened."""
        incidents = tabs.built("Meldingen")
        if incidents is not None:
            incidents.listing.refresh()

    def open_from_signals(incident_id: int) -> None:
        tabs.show("Meldingen")
        tabs.tab("Meldingen").view.show(incident_id)

    tabs = NamedTabs(
        {
            "Nieuwe melding": IncidentForm(store, actor, on_saved=refresh_list),
            "Meldingen": lambda: IncidentsTab(store, actor),
            "Signalen": lambda: SignalsView(store, on_open=open_from_signals),
            "Import en export": lambda: w.VBox(
                [ImportTab(store, actor, on_import=refresh_list), ExportTab(store)]
            ),
        }
    )
    css(tabs, "pd-tabs")
    # The signals read every case of the period: counted each time the tab opens, not on
    # every page load (0.5 s on a 100,000-report register).
    tabs.on_open("Signalen", lambda: tabs.tab("Signalen").refresh())
    header = w.HTML(
        "<h2>Meldingen online pesten</h2><p class='pd-hint'>Voor het zorgteam. Gebruik "
        "leerlingnummers, nooit namen. Elke wijziging komt in het logboek.</p>"
    )
    return CarePage(header, actor, tabs)
