"""The care team's list of cases: search, filter, page through thousands, pick one.

The care team's list of cases: search by case or pupil number, filter by status, school,
group, platform and 'overdue', page through thousands; pick one."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.core.choices import ALL, GROUPS, OPEN_STATUSES, Platform, Status
from pestdata.core.clock import nl_date
from pestdata.core.markup import meldingen, number
from pestdata.db.store import Store
from pestdata.incidents import lookup
from pestdata.incidents.lookup import IncidentRow
from pestdata.school import school_names
from pestdata.ui.common import css, esc

OPEN = "open"
SHOWN = 200


def incident_label(incident: IncidentRow) -> str:
    """One line per case; plain text (a Select shows it as text, never as HTML)."""
    platforms = ", ".join(Platform(p).label for p in incident.platforms)
    line = (
        f"#{incident.id} · {nl_date(incident.reported_on)} · {incident.school} · "
        f"{incident.group} · {platforms} · {Status(incident.status).label} · {incident.handler}"
    )
    if incident.overdue_reason:
        line += f" · ⚠ {incident.overdue_reason}"
    if incident.outside_filter:
        line += " · (geopend, buiten de filters)"
    return line


class IncidentList(w.VBox):
    """Filters above a list; choosing a case calls `on_open(incident_id)`.

    The open case stays listed and selected while it is open, also when a change (a new
    status) takes it out of the filter: only the user's own choice opens another case."""

    def __init__(self, store: Store, on_open: Callable[[int], None]):
        self.store, self.on_open = store, on_open
        self.opened: int | None = None
        self.offset = 0
        self.total = 0
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
        for control in (self.search, self.status, self.school, self.group, self.platform,
                        self.overdue):  # fmt: skip
            control.observe(lambda _: self.first_page(), "value")
        self.previous = css(w.Button(description=f"Vorige {SHOWN}"), "pd-case-previous")
        self.next = css(w.Button(description=f"Volgende {SHOWN}"), "pd-case-next")
        self.previous.on_click(lambda _: self.page(-SHOWN))
        self.next.on_click(lambda _: self.page(SHOWN))
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

    def first_page(self) -> None:
        self.offset = 0
        self.refresh()

    def page(self, step: int) -> None:
        """Another page; never past the last one (a click the browser sends on a disabled
        button changes nothing)."""
        if self.offset + step >= self.total:
            return
        self.offset = max(0, self.offset + step)
        self.refresh()

    def refresh(self) -> None:
        if self.status.value == OPEN:
            statuses = [s.value for s in OPEN_STATUSES]
        elif self.status.value == ALL:
            statuses = [s.value for s in Status]
        else:
            statuses = [self.status.value]
        rows, total = lookup.list_incidents(
            self.store,
            statuses=statuses,
            group=self.group.value or None,
            platform=self.platform.value or None,
            overdue_only=self.overdue.value,
            school=self.school.value or None,
            search=self.search.value,
            limit=SHOWN,
            offset=self.offset,
            keep=self.opened,
        )
        self.total = total
        if self.offset and self.offset >= total:  # the list shrank under this page
            self.offset = 0
            return self.refresh()
        matching = [r for r in rows if not r.outside_filter]
        overdue = sum(1 for r in matching if r.overdue_reason)
        first, last = self.offset + 1, self.offset + len(matching)
        shown = (
            f"{number(first)}–{number(last)} van {meldingen(total)}"
            if total > len(matching)
            else meldingen(total)
        )
        self.previous.disabled = self.offset == 0
        self.next.disabled = last >= total
        searched = f" voor ‘{self.search.value.strip()}’" if self.search.value.strip() else ""
        self.count.value = (
            f"<b>{esc(shown)}{esc(searched)}</b>"
            + (f" · {overdue} achterstallig in deze lijst" if overdue else "")
            + ("" if matching else " · geen meldingen bij deze filters")
            + (
                f" · melding #{self.opened} blijft geopend, maar valt buiten deze filters"
                if len(matching) < len(rows)
                else ""
            )
        )
        self._redrawing = True  # new options move the selection: that is not a choice
        try:
            self.incidents.options = [(incident_label(r), r.id) for r in rows]
            self.incidents.value = self.opened if self.opened in {r.id for r in rows} else None
        finally:
            self._redrawing = False

    def _picked(self, change) -> None:
        if self._redrawing or change["new"] is None or change["new"] == self.opened:
            return
        self.opened = change["new"]
        self.on_open(change["new"])
