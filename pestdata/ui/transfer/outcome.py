"""The outcome of a check or an import as the tab shows it: counts, refused rows and notes."""

from __future__ import annotations

from pestdata.registers import import_result
from pestdata.registers.import_result import ASK, ImportResult
from pestdata.ui.common import esc

REFUSED_SHOWN = 200  # refused rows in the page's table; the rest is counted under it


def result_html(result: ImportResult) -> str:
    """The outcome: counts per kind, and each refused row with field and reason (rows that
    are new or already present need no explanation); every value escaped."""
    refused = [r for r in result.rows if r.outcome in ("geweigerd", ASK)]
    rows = "".join(
        f"<tr><td>{r.row}</td><td>{esc(r.outcome)}</td><td>"
        + "<br>".join(f"{esc(f)}: {esc(reason)}" for f, reason in r.problems)
        + "</td></tr>"
        for r in refused[:REFUSED_SHOWN]
    )
    more = result.count("geweigerd") + result.count(ASK) - min(len(refused), REFUSED_SHOWN)
    ignored = (
        f"<p class='pd-hint'>Genegeerde kolommen: {esc(', '.join(result.ignored_columns))}</p>"
        if result.ignored_columns
        else ""
    )
    ignored += "".join(f"<p class='pd-hint'>Let op: {esc(note)}.</p>" for note in result.notes)
    # Rows whose description seems to hold a name, as `pestdata import` lists them (kept:
    # the detector also flags words that are no name, and a history is imported whole).
    if result.with_names is None:
        ignored += (
            "<p class='pd-hint pd-import-names'>De beschrijvingen zijn niet op namen "
            "gecontroleerd: de namencontrole is nog niet klaar.</p>"
        )
    elif result.with_names:
        ignored += (
            "<ul class='pd-import-names'>"
            + "".join(f"<li>{esc(line)}</li>" for line in result.name_lines())
            + "</ul>"
        )
    if result.readings:
        ignored += (
            "<details class='pd-import-readings'><summary>Zo gelezen (eigen woorden → "
            "pestdata)</summary><ul>"
            + "".join(f"<li>{esc(line)}</li>" for line in result.reading_lines())
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
            f"<p class='pd-hint'>En nog {import_result.rows(more)} geweigerd; hierboven staan "
            f"de eerste {min(len(refused), REFUSED_SHOWN)}. Verbeter die en controleer "
            "opnieuw.</p>"
        )
    return f"<p><b>{esc(result.summary())}</b></p>{ignored}{table}"
