"""The care team's list of cases: filter by status, group, platform and 'overdue'; pick one."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..cases import nl_date
from ..model import GROUPS, OPEN_STATUSES, Platform, Status
from ..store import CaseRow, Store
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
    return line


class CaseList(w.VBox):
    """Filters above a list; choosing a case calls `on_open(incident_id)`."""

    def __init__(self, store: Store, on_open: Callable[[int], None]):
        self.store, self.on_open = store, on_open
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
        rows, total = self.store.list_cases(
            statuses=statuses,
            group=self.group.value or None,
            platform=self.platform.value or None,
            overdue_only=self.overdue.value,
            limit=SHOWN,
        )
        overdue = sum(1 for r in rows if r.overdue_reason)
        shown = f"{len(rows)} van {total}" if total > len(rows) else f"{total}"
        self.count.value = (
            f"<b>{esc(shown)} meldingen</b>"
            + (f" · {overdue} achterstallig in deze lijst" if overdue else "")
            + ("" if rows else " · geen meldingen bij deze filters")
        )
        selected = self.cases.value
        self.cases.options = [(case_label(r), r.id) for r in rows]
        if selected in {r.id for r in rows}:
            self.cases.value = selected

    def _picked(self, change) -> None:
        if change["new"] is not None:
            self.on_open(change["new"])
