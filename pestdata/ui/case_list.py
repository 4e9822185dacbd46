"""The care team's list of cases: filter by status, group, platform and 'overdue'; pick one."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from .. import caseload
from ..caseload import CaseRow
from ..clock import nl_date
from ..model import GROUPS, OPEN_STATUSES, Platform, Status
from ..store import Store
from .common import css, esc

OPEN = "open"
ALL = "all"
SHOWN = 200


def case_label(case: CaseRow) -> str:
    """One line per case; plain text (a Select shows it as text, never as HTML)."""
    platforms = ", ".join(Platform(p).label for p in case.platforms)
    line = (
        f"#{case.id} · {nl_date(case.reported_on)} · {case.group} · {platforms} · "
        f"{Status(case.status).label} · {case.handler}"
    )
    if case.overdue_reason:
        line += f" · ⚠ {case.overdue_reason}"
    if case.outside_filter:
        line += " · (geopend, buiten de filters)"
    return line


class CaseList(w.VBox):
    """Filters above a list; choosing a case calls `on_open(incident_id)`.

    The open case stays listed and selected while it is open, also when a change (a new
    status) takes it out of the filter: only the user's own choice opens another case."""

    def __init__(self, store: Store, on_open: Callable[[int], None]):
        self.store, self.on_open = store, on_open
        self.opened: int | None = None
        self._redrawing = False
        status_options = [("Open (nieuw, in behandeling, doorverwezen)", OPEN)]
        status_options += [(s.label, s.value) for s in Status] + [("Alle", ALL)]
        self.status = css(
            w.Dropdown(description="Status", options=status_options, value=OPEN), "pd-filter-status"
        )
        self.group = css(
            w.Dropdown(
                description="Groep/klas",
                options=[("Alle", "")] + [(g, g) for g in GROUPS],
                value="",
            ),
            "pd-filter-group",
        )
        self.platform = css(
            w.Dropdown(
                description="Platform", options=[("Alle", "")] + Platform.choices(), value=""
            ),
            "pd-filter-platform",
        )
        self.overdue = css(
            w.Checkbox(description="Alleen achterstallig", value=False, indent=False),
            "pd-filter-overdue",
        )
        for control in (self.status, self.group, self.platform, self.overdue):
            control.observe(lambda _: self.refresh(), "value")
        self.count = css(w.HTML(), "pd-case-count")
        self.cases = css(
            w.Select(options=[], rows=12, layout=w.Layout(width="100%")), "pd-case-select"
        )
        self.cases.observe(self._picked, "value")
        super().__init__(
            [
                w.HBox([self.status, self.group]),
                w.HBox([self.platform, self.overdue]),
                self.count,
                self.cases,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        if self.status.value == OPEN:
            statuses = [s.value for s in OPEN_STATUSES]
        elif self.status.value == ALL:
            statuses = [s.value for s in Status]
        else:
            statuses = [self.status.value]
        rows, total = caseload.list_cases(
            self.store,
            statuses=statuses,
            group=self.group.value or None,
            platform=self.platform.value or None,
            overdue_only=self.overdue.value,
            limit=SHOWN,
            keep=self.opened,
        )
        matching = [r for r in rows if not r.outside_filter]
        overdue = sum(1 for r in matching if r.overdue_reason)
        shown = f"{len(matching)} van {total}" if total > len(matching) else f"{total}"
        self.count.value = (
            f"<b>{esc(shown)} meldingen</b>"
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
            self.cases.options = [(case_label(r), r.id) for r in rows]
            self.cases.value = self.opened if self.opened in {r.id for r in rows} else None
        finally:
            self._redrawing = False

    def _picked(self, change) -> None:
        if self._redrawing or change["new"] is None or change["new"] == self.opened:
            return
        self.opened = change["new"]
        self.on_open(change["new"])
