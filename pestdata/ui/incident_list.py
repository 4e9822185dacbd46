"""The care team's list of incidents: search, filter, page through thousands, pick one.

Search by incident or pupil number, filter by status, school, group, platform and 'overdue',
page through thousands; pick one. What it shows is decided by ui/care_state.py; these widgets
draw that and send the user's choices to it."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.core.choices import ALL, GROUPS, Platform, Status
from pestdata.db.store import Store
from pestdata.school import school_names
from pestdata.ui.care_state import OPEN, SHOWN, CareState
from pestdata.ui.common import css


class IncidentList(w.VBox):
    """Filters above a list; choosing an incident calls `on_open(incident_id)`.

    `state` (a CareState) holds the choices, the page and the incident open."""

    def __init__(self, store: Store, on_open: Callable[[int], None]):
        self.store, self.on_open = store, on_open
        self.state = CareState()
        self._redrawing = False
        self.search = css(
            w.Text(
                description="Zoeken",
                placeholder="meldingnummer of leerlingnummer (in alle meldingen)",
                continuous_update=False,
                layout=w.Layout(width="460px"),
            ),
            "pd-case-search",
        )
        self.school = css(
            w.Dropdown(
                description="School",
                options=[("Alle", ALL)] + [(x, x) for x in school_names.names(store)],
                value=ALL,
            ),
            "pd-filter-school",
        )
        status_options = [("Open (nieuw, in behandeling, doorverwezen)", OPEN)]
        status_options += [(s.label, s.value) for s in Status] + [("Alle", ALL)]
        self.status = css(
            w.Dropdown(description="Status", options=status_options, value=OPEN), "pd-filter-status"
        )
        self.group = css(
            w.Dropdown(
                description="Groep/klas",
                options=[("Alle", ALL)] + [(g, g) for g in GROUPS],
                value=ALL,
            ),
            "pd-filter-group",
        )
        self.platform = css(
            w.Dropdown(
                description="Platform", options=[("Alle", ALL)] + Platform.choices(), value=ALL
            ),
            "pd-filter-platform",
        )
        self.overdue = css(
            w.Checkbox(description="Alleen achterstallig", value=False, indent=False),
            "pd-filter-overdue",
        )
        controls = {
            "search": self.search,
            "status": self.status,
            "school": self.school,
            "group": self.group,
            "platform": self.platform,
            "overdue_only": self.overdue,
        }
        for choice, control in controls.items():
            control.observe(lambda change, c=choice: self._chose(c, change["new"]), "value")
        self.previous = css(w.Button(description=f"Vorige {SHOWN}"), "pd-case-previous")
        self.next = css(w.Button(description=f"Volgende {SHOWN}"), "pd-case-next")
        self.previous.on_click(lambda _: self._turn(-SHOWN))
        self.next.on_click(lambda _: self._turn(SHOWN))
        self.count = css(w.HTML(), "pd-case-count")
        self.incidents = css(
            w.Select(
                description="Melding",
                options=[],
                rows=12,
                style={"description_width": "initial"},
                layout=w.Layout(width="100%"),
            ),
            "pd-case-select",
        )
        self.incidents.observe(self._picked, "value")
        super().__init__(
            [
                self.search,
                w.HBox([self.status, self.school]),
                w.HBox([self.group, self.platform, self.overdue]),
                self.count,
                self.incidents,
                w.HBox([self.previous, self.next]),
            ]
        )
        self.refresh()

    def _chose(self, choice: str, value) -> None:
        self.state.choose(**{choice: value})
        self.refresh()

    def _turn(self, step: int) -> None:
        if self.state.turn(step):
            self.refresh()

    def refresh(self) -> None:
        """Draw what the state shows now (also after a change elsewhere on the page)."""
        shown = self.state.read(self.store)
        self.count.value = shown.count_html
        self.previous.disabled = shown.previous_disabled
        self.next.disabled = shown.next_disabled
        self._redrawing = True  # new options move the selection: that is not a choice
        try:
            self.incidents.options = shown.options
            self.incidents.value = shown.selected
        finally:
            self._redrawing = False

    def _picked(self, change) -> None:
        if not self._redrawing and self.state.open(change["new"]):
            self.on_open(change["new"])
