"""The care team's case file of one incident as PDF; confidential.

Laid out from records already read (incidents/incident_file.py gathers them): this module reads and
writes nothing. Details with pupil numbers, the description entries, every protocol step
(done or not) and the timeline, as the case view shows them.
"""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Spacer

from pestdata.core import clock
from pestdata.core.choices import POLICE_FORMS, Form, Outcome
from pestdata.core.clock import nl_date
from pestdata.core.guidance import load_protocol
from pestdata.core.model import FIELD_LABELS
from pestdata.documents import pdf
from pestdata.documents.pdf import WIDTH
from pestdata.incidents.incident_file import IncidentFile
from pestdata.incidents.lookup import POLICE_ADVICE, incident_details


def incident_pdf(file: IncidentFile) -> bytes:
    """The case file as PDF bytes, from its gathered records (no database needed)."""
    incident = file.incident
    title = f"Dossier melding #{incident['id']}"

    # Long labels (pupils, forms) one per line on paper; short ones side by side.
    stacked = {FIELD_LABELS["pupils"], FIELD_LABELS["forms"]}
    details = [
        (label, ("\n" if label in stacked else ", ").join(values))
        for label, values in incident_details(incident)
    ]
    story: list = [
        pdf.para(title, "title"),
        pdf.para(
            f"Vertrouwelijk: alleen voor het zorgteam. Opgemaakt op {nl_date(file.today)}.",
            "hint",
        ),
        Spacer(1, 8),
        pdf.label_table(details),
    ]
    if POLICE_FORMS & {Form(f) for f in incident["forms"]}:
        story.append(pdf.para(POLICE_ADVICE, "note"))

    story.append(pdf.heading("Beschrijving"))
    if not incident["descriptions"]:
        story.append(pdf.para("Geen beschrijving.", "hint"))
    for entry in incident["descriptions"]:
        story.append(
            KeepTogether(
                [
                    pdf.para(f"{nl_date(entry['written_at'])} · {entry['written_by']}", "hint"),
                    pdf.para(entry["text"]),
                    Spacer(1, 6),
                ]
            )
        )

    story.append(pdf.heading("Protocol: Heb je de acties uitgevoerd?"))
    rows: list[list] = [["Stap", "Gedaan", "Datum", "Door", "Notitie", "Uitkomst"]]
    for step in load_protocol():
        done = incident["steps"].get(step.id)
        name = step.title if step.required else f"{step.title} (als van toepassing)"
        if done:
            outcome = Outcome(done["outcome"]).label if done["outcome"] else ""
            rows.append(
                [name, "ja", nl_date(done["done_on"]), done["done_by"], done["note"], outcome]
            )
        else:
            rows.append([name, "nee", "", "", "", ""])
    widths = [4.1 * cm, 1.7 * cm, 2.2 * cm, 3.3 * cm, 3.6 * cm]
    story.append(pdf.table(rows, [*widths, WIDTH - sum(widths)]))

    story.append(pdf.heading("Tijdlijn"))
    rows = [["Wanneer", "Wat", "Wie"]] + [[nl_date(e.when), e.what, e.who] for e in file.timeline]
    story.append(pdf.table(rows, [3.2 * cm, WIDTH - 7.0 * cm, 3.8 * cm]))
    story.append(Spacer(1, 4))
    story.append(pdf.para(f"{clock.zone_note()}.", "small"))

    return pdf.build(story, title, f"{title} · Vertrouwelijk — zorgteam")
