"""The school-wide checklist "Heb je de acties uitgevoerd?": tick, undo, print."""

from __future__ import annotations

from datetime import date

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.clock import nl_date
from pestdata.core.markup import counted, number
from pestdata.core.model import SchoolActionDone as SchoolActionRecord
from pestdata.core.model import validate
from pestdata.db.store import Store
from pestdata.overview.lists import ActionStatus, per_school, school_action_status
from pestdata.school import school_records
from pestdata.ui.common import Actor, css, download_link, esc, message, save


def checklist_html(status: list[ActionStatus]) -> str:
    """Read-only: per school, how many actions are done, and which (for the overview)."""
    if not status:
        return (
            "<div class='pd-empty pd-hint'>Nog geen schoolbrede acties vastgelegd: er is nog "
            "geen school bekend.</div>"
        )
    parts = []
    for school, rows in per_school(status).items():
        done = sum(r.done for r in rows)
        items = "".join(
            f"<li class='{'pd-done' if r.done else 'pd-open'}'>"
            + (
                f"✓ {esc(r.title)} <span class='pd-hint'>({nl_date(r.done_on)}, "
                f"{esc(r.done_by)})</span>"
                if r.done
                else f"○ {esc(r.title)} <span class='pd-hint'>(nog open)</span>"
            )
            + "</li>"
            for r in rows
        )
        parts.append(
            f"<div class='pd-card pd-checklist'><b>{esc(school)}</b>: "
            f"{number(done)} van {counted(len(rows), 'actie', 'acties')} gedaan"
            f"<ul>{items}</ul>"
            "</div>"
        )
    return "".join(parts)


def print_page(status: list[ActionStatus], today: date) -> str:
    """A standalone page to print: the actions with their status, per school."""
    return (
        "<!doctype html><html lang='nl'><meta charset='utf-8'>"
        "<title>Schoolbrede acties online pesten</title>"
        "<style>body{font-family:Arial,sans-serif;margin:2em}li{margin:.3em 0}"
        ".pd-hint{color:#555}.pd-card{margin-bottom:1.5em}"
        "@media print{a{display:none}}</style>"
        f"<h1>Heb je de acties uitgevoerd?</h1><p>Stand van {nl_date(today)}</p>"
        f"{checklist_html(status)}</html>"
    )


class SchoolChecklist(w.VBox):
    """Per action: done (date, who, undo) or a 'Ja, dat heb ik gedaan' button."""

    def __init__(self, store: Store, actor: Actor, school: w.Dropdown, on_change=None):
        self.store, self.actor, self.school, self.on_change = store, actor, school, on_change
        self.rows = css(w.VBox(), "pd-school-actions")
        self.error = css(w.HTML(), "pd-school-action-error")
        self.print_button = css(w.Button(description="Afdrukversie maken"), "pd-print")
        self.print_link = css(w.HTML(), "pd-print-result")
        self.print_button.on_click(lambda _: self.make_print())
        school.observe(lambda _: self.refresh(), "value")
        super().__init__([self.rows, self.error, w.HBox([self.print_button, self.print_link])])
        self.refresh()

    def status(self) -> list[ActionStatus]:
        school = (self.school.value or "").strip()
        return school_action_status(self.store, (school,) if school else ())

    def refresh(self) -> None:
        school = (self.school.value or "").strip()
        if not school:
            self.rows.children = [w.HTML(message("hint", "Kies eerst de school."))]
            return
        self.rows.children = [self._row(r) for r in self.status()]

    def _row(self, r) -> w.HBox:
        if r.done:
            status = w.HTML(
                f"<span class='pd-ok'>✓ {esc(r.title)}</span> <span class='pd-hint'>"
                f"gedaan op {nl_date(r.done_on)} door {esc(r.done_by)}</span>"
            )
            undo = w.Button(description="Ongedaan maken", layout=w.Layout(width="140px"))
            undo.on_click(
                lambda _, a=r.action_id: self._act(
                    lambda actor: school_records.undo_school_action(
                        self.store, (self.school.value or "").strip(), a, actor
                    )
                )
            )
            row = w.HBox([status, undo])
        else:
            day = w.DatePicker(
                description="Datum",
                value=clock.today(),
                style={"description_width": "initial"},
                layout=w.Layout(width="200px"),
            )
            tick = css(
                w.Button(
                    description="Ja, dat heb ik gedaan",
                    button_style="success",
                    layout=w.Layout(width="190px"),
                ),
                "pd-school-action-tick",
            )
            tick.on_click(lambda _, a=r.action_id, d=day: self._tick(a, d.value))
            row = w.HBox([w.HTML(f"○ {esc(r.title)}", layout=w.Layout(width="520px")), day, tick])
        row.add_class(f"pd-school-action-{r.action_id}")
        return row

    def _tick(self, action_id: str, day: date | None) -> None:
        def action(actor: str) -> None:
            record = validate(
                SchoolActionRecord,
                {
                    "school": self.school.value,
                    "action_id": action_id,
                    "done_on": day,
                    "done_by": actor,
                },
            )
            school_records.record_school_action(self.store, record, actor)

        self._act(action)

    def _act(self, action) -> None:
        self.error.value = ""
        if not save(lambda: action(self.actor.name), self.error):
            return
        self.refresh()
        if self.on_change:
            self.on_change()

    def make_print(self) -> None:
        page = print_page(self.status(), clock.today()).encode("utf-8")
        self.print_link.value = download_link(
            page, "schoolacties.html", "text/html;charset=utf-8", "Afdrukversie opslaan"
        )
