"""The inzage file (AVG) of one pupil as PDF: what the school keeps about them.

Laid out from records already read and pseudonymised (cases/inzage_file.py gathers them and
writes the audit row): this module reads and writes nothing, so making the PDF again is
not another file in the audit.
"""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import Spacer

from pestdata.core import clock
from pestdata.core.clock import nl_date
from pestdata.documents import pdf
from pestdata.documents.pdf import WIDTH
from pestdata.incidents.inzage_file import InzageFile


def inzage_pdf(file: InzageFile) -> bytes:
    """The inzage file as PDF bytes, from its gathered records (no database needed): every
    case the pupil appears in with its steps and timeline, other pupils as 'leerling A'…
    and names in free text as 'persoon 1'…, as gathered."""
    title = f"Inzage: gegevens over leerling {file.pupil}"
    story: list = [
        pdf.para(title, "title"),
        pdf.para(
            f"Opgemaakt op {nl_date(file.today)} op verzoek (AVG, recht op inzage). Dit zijn "
            f"alle meldingen waarin deze leerling voorkomt ({len(file.incidents)}). Andere "
            "leerlingen staan er als 'leerling A', 'leerling B' enzovoort, in elke melding "
            "dezelfde letter voor dezelfde leerling. Namen in de teksten staan er als "
            "'persoon 1', 'persoon 2' enzovoort.",
            "hint",
        ),
    ]
    for incident in file.incidents:
        story.append(pdf.heading(f"Melding #{incident.id}"))
        story.append(pdf.label_table([(k, "\n".join(lines)) for k, lines in incident.details]))
        for entry in incident.descriptions:
            story.append(pdf.para(f"{nl_date(entry.at)} · {entry.by}", "hint"))
            story.append(pdf.para(entry.text))
        if incident.steps:
            rows: list[list] = [["Stap", "Datum", "Door", "Notitie"]]
            rows += [[s.title, nl_date(s.done_on), s.done_by, s.note] for s in incident.steps]
            story.append(pdf.table(rows, [4.6 * cm, 2.2 * cm, 3.4 * cm, WIDTH - 10.2 * cm]))
        rows = [["Wanneer", "Wat", "Wie"]] + [
            [nl_date(e.when), e.what, e.who] for e in incident.timeline
        ]
        story.append(pdf.table(rows, [3.2 * cm, WIDTH - 7.0 * cm, 3.8 * cm]))
    story.append(Spacer(1, 4))
    story.append(pdf.para(f"{clock.zone_note()}.", "small"))
    return pdf.build(story, title, f"{title} · Vertrouwelijk")
