"""The outcome of a check or an import as the tab shows it: counts, refused rows and notes."""

from __future__ import annotations

from pestdata.registers import report as import_report
from pestdata.registers.report import ASK, ImportResult
from pestdata.ui.common import esc

REFUSED_SHOWN = 200  # refused rows in the page's table; the rest is counted under it


def report_html(report: ImportResult) -> str:
    """The outcome: counts per kind, and each refused row with field and reason (rows that
    are new or already present need no explanation); every value escaped."""
    refused = [r for r in report.rows if r.outcome in ("geweigerd", ASK)]
    rows = "".join(
        f"<tr><td>{r.row}</td><td>{esc(r.outcome)}</td><td>"
        + "<br>".join(f"{esc(f)}: {esc(reason)}" for f, reason in r.problems)
        + "</td></tr>"
        for r in refused[:REFUSED_SHOWN]
    )
    more = report.count("geweigerd") + report.count(ASK) - min(len(refused), REFUSED_SHOWN)
    ignored = (
        f"<p class='pd-hint'>Genegeerde kolommen: {esc(', '.join(report.ignored_columns))}</p>"
        if report.ignored_columns
        else ""
    )
    ignored += "".join(f"<p class='pd-hint'>Let op: {esc(note)}.</p>" for note in report.notes)
    # Rows whose description seems to hold a name, as `pestdata import` lists them (kept:
    # the detector also flags words that are no name, and a history is imported whole).
    if report.with_names is None:
        ignored += (
            "<p class='pd-hint pd-import-names'>De beschrijvingen zijn niet op namen "
            "gecontroleerd: de namencontrole is nog niet klaar.</p>"
        )
    elif report.with_names:
        ignored += (
            "<ul class='pd-import-names'>"
            + "".join(f"<li>{esc(line)}</li>" for line in report.name_lines())
            + "</ul>"
        )
    if report.readings:
        ignored += (
            "<details class='pd-import-readings'><summary>Zo gelezen (eigen woorden → "
            "pestdata)</summary><ul>"
            + "".join(f"<li>{esc(line)}</li>" for line in report.reading_lines())
            + "</ul></details>"
        )
    table = (
        f"<table class='pd-timeline'><tr><th>Rij</th><th>Uitkomst</th><th>Waarom</th></tr>"
        f"{rows}</table>"
        if rows
        else ""
    )
    if more:
        table += (
            f"<p class='pd-hint'>En nog {import_report.rows(more)} geweigerd; hierboven staan "
            f"de eerste {min(len(refused), REFUSED_SHOWN)}. Verbeter die en controleer "
            "opnieuw.</p>"
        )
    return f"<p><b>{esc(report.summary())}</b></p>{ignored}{table}"
