"""The care team's 'Signalen': pupils who keep coming back across cases, and with whom.

Only the care team's page holds this (serve.ROLES gives meldingen to the zorgteam alone);
the overview shows at most a suppressed count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.choices import GROUPS, Role
from pestdata.core.clock import nl_date
from pestdata.core.markup import counted, esc
from pestdata.db.store import Store
from pestdata.incidents import signals
from pestdata.ui.common import STYLE, css
from pestdata.ui.plots import Chart, show_empty, show_figure


def appearances_text(seen: list[signals.Appearance]) -> str:
    """'#12 (pester, 03-10-2025), #9 (gepeste leerling, 12-09-2025)'."""
    return ", ".join(
        f"#{a.incident_id} ({Role(a.role).label.lower()}, {nl_date(a.reported_on)})" for a in seen
    )


def _table(title: str, hint: str, rows: list[tuple[str, str, str]], css_class: str) -> str:
    if not rows:
        body = "<p class='pd-hint'>Geen.</p>"
    else:
        body = (
            "<table class='pd-timeline'><tr><th>Leerlingnummer</th><th>Meldingen</th>"
            "<th>Welke</th></tr>"
            + "".join(
                f"<tr><td>{esc(a)}</td><td>{esc(b)}</td><td>{esc(c)}</td></tr>" for a, b, c in rows
            )
            + "</table>"
        )
    head = f"<h4>{esc(title)}</h4><p class='pd-hint'>{esc(hint)}</p>"
    return f"<div class='{css_class}'>{head}{body}</div>"


class SignalsView(w.VBox):
    """Signals in a period (the last 12 months by default), each pointing at its cases."""

    def __init__(self, store: Store, on_open: Callable[[int], None] | None = None):
        self.store, self.on_open = store, on_open
        today = clock.today()
        self.start = css(
            w.DatePicker(description="Van", value=today - timedelta(days=365), style=STYLE),
            "pd-signals-start",
        )
        self.end = css(
            w.DatePicker(description="Tot en met", value=today, style=STYLE), "pd-signals-end"
        )
        self.minimum = css(
            w.BoundedIntText(
                description="Vanaf meldingen",
                value=signals.min_incidents(),
                min=2,
                max=20,
                style=STYLE,
            ),
            "pd-signals-minimum",
        )
        self.result = css(w.HTML(), "pd-signals")
        self.incident_choice = css(
            w.Dropdown(description="Melding openen", options=[], value=None, style=STYLE),
            "pd-signals-open",
        )
        self.group = css(
            w.Dropdown(description="Groep of klas", options=GROUPS, value=None, style=STYLE),
            "pd-signals-group",
        )
        self.picture = css(Chart(), "pd-signals-network")
        for control in (self.start, self.end, self.minimum):
            control.observe(lambda _: self.refresh(), "value")
        self.group.observe(lambda _: self.draw_network(), "value")
        self.incident_choice.observe(self._open_incident, "value")
        super().__init__(
            [
                w.HTML(
                    "<h3>Signalen</h3><p class='pd-hint'>Leerlingen die in meerdere meldingen "
                    "terugkomen: vaak gepest, vaak pester, allebei, of steeds samen. Alleen "
                    "voor het zorgteam; de schoolleiding ziet hooguit een afgerond aantal.</p>"
                ),
                w.HBox([self.start, self.end, self.minimum]),
                self.result,
                self.incident_choice,
                w.HTML("<h4>Wie met wie, per groep of klas</h4>"),
                self.group,
                self.picture,
            ]
        )
        self.result.value = "<p class='pd-hint'>Bijwerken…</p>"
        show_empty(self.picture, "Kies een groep of klas.")  # counted when the tab opens

    def refresh(self) -> None:
        found = signals.find(self.store, self.start.value, self.end.value, self.minimum.value)
        n = self.minimum.value

        def rows(part):
            return [(p, str(len(seen)), appearances_text(seen)) for p, seen in part]

        together = [
            (" + ".join(pupils), str(len(incidents)), ", ".join(f"#{i}" for i in incidents))
            for pupils, incidents in found.together
        ]
        self.result.value = "".join(
            [
                _table("Herhaaldelijk gepest", f"Gepest in {n} of meer meldingen.",
                       rows(found.targeted), "pd-signals-targeted"),
                _table("Herhaaldelijk pester", f"Pester in {n} of meer meldingen.",
                       rows(found.bullying), "pd-signals-bullying"),
                _table("Pester én gepest", "In de ene melding gepest, in een andere pester.",
                       rows(found.both), "pd-signals-both"),
                _table("Steeds samen", f"Leerlingen die samen in {n} of meer meldingen staan.",
                       together, "pd-signals-together"),
            ]
        )  # fmt: skip
        self.incident_choice.options = [(f"#{i}", i) for i in found.incident_ids]
        self.incident_choice.value = None
        self.draw_network()

    def _open_incident(self, change) -> None:
        if change["new"] is not None and self.on_open:
            self.on_open(change["new"])

    def draw_network(self) -> None:
        group = self.group.value
        if not group:
            return
        nodes, links = signals.network(self.store, group, self.start.value, self.end.value)
        if not links:
            show_empty(self.picture, f"In {group} staan geen leerlingen samen in een melding.")
            return
        from pestdata.documents import pupil_network  # pandas, plotly: once a network is drawn

        show_figure(self.picture, pupil_network.network(nodes, links, f"Leerlingen in {group}"))
        shared = sorted(links.items(), key=lambda item: (-item[1], item[0]))
        self.picture.summary = (
            f"{counted(len(nodes), 'leerling', 'leerlingen')} in {group}; "
            f"{counted(len(links), 'paar staat', 'paren staan')} samen in een melding."
        )
        self.picture.table = (
            "<summary>Toon als tabel</summary><table><tr><th>Leerlingen</th>"
            "<th>Gedeelde meldingen</th></tr>"
            + "".join(f"<tr><td>{esc(a)} + {esc(b)}</td><td>{n}</td></tr>" for (a, b), n in shared)
            + "</table>"
        )
