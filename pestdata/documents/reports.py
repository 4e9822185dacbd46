"""Printed reports as PDF: the care team's case file and the yearly report for the MR.

Both are pure functions from the store to PDF bytes, built with reportlab (pure Python, charts
drawn as vectors by reportlab.graphics, so nothing needs a browser or the network).

- `case_pdf` is confidential: everything the care team sees about one case, pupil numbers and
  free text included.
- `year_report_pdf` is meant to be shared: counts, shares and medians only; no pupil numbers,
  no free text, no names of staff; counts below the threshold show as "< 5" and are left out
  of the charts (pestdata.core.privacy), as in the shareable overview.

Text from users goes through `_text`/`_para`: reportlab's Paragraph reads a small HTML-like
markup, so '<', '>' and '&' are escaped, and characters the font lacks are replaced by a
readable fallback instead of an empty box.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pestdata.cases import access_requests, caseload
from pestdata.cases.caseload import POLICE_ADVICE, case_details, timeline
from pestdata.core import clock, disclosure, privacy
from pestdata.core.choices import POLICE_FORMS, Form, Outcome
from pestdata.core.clock import SchoolYear, nl_date
from pestdata.core.guidance import load_protocol
from pestdata.core.markup import counted, number
from pestdata.core.model import FIELD_LABELS
from pestdata.core.names import NamesUnchecked, find_all
from pestdata.db.store import NotFound, Store
from pestdata.documents import charts
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters
from pestdata.overview.lists import lesson_coverage, school_action_status
from pestdata.overview.protocol import step_completion, step_counts
from pestdata.overview.suppression import hidden_in_summary, hide_step_shares
from pestdata.overview.trends import monthly_trend

__all__ = ["case_pdf", "year_report_pdf", "NotFound"]

MARGIN = 2 * cm
WIDTH = A4[0] - 2 * MARGIN  # the width of the text block
ACCENT = colors.HexColor("#1f5f8b")
LIGHT = colors.HexColor("#e8f0f6")
GRID = colors.HexColor("#b8c6d1")
MONTHS = list(clock.SCHOOL_YEAR_MONTHS)
FALLBACK = {"→": "->", "✓": "v", "○": "o", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"'}


# --- fonts and text ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str, frozenset[int]]:
    """(regular, bold, code points the font has), registered with reportlab once.

    DejaVu Sans when the system has it (wide coverage: arrows, check marks, most scripts),
    else Bitstream Vera, which ships inside reportlab so a report never depends on the system.
    """
    import reportlab

    shipped = Path(reportlab.__file__).parent / "fonts"
    candidates = [
        (Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf")
        for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
    ] + [(shipped / "Vera.ttf", shipped / "VeraBd.ttf")]
    for regular, bold in candidates:
        if regular.exists() and bold.exists():
            font = TTFont("PestdataSans", str(regular))
            pdfmetrics.registerFont(font)
            pdfmetrics.registerFont(TTFont("PestdataSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "PestdataSans",
                normal="PestdataSans",
                bold="PestdataSans-Bold",
                italic="PestdataSans",
                boldItalic="PestdataSans-Bold",
            )
            return "PestdataSans", "PestdataSans-Bold", frozenset(font.face.charWidths)
    return "Helvetica", "Helvetica-Bold", frozenset(range(32, 127))  # pragma: no cover


def _text(value: object) -> str:
    """Plain text the font can show: a missing character becomes its base letter or '?'."""
    text = "" if value is None else str(value)
    known = _fonts()[2]
    out = []
    for ch in text:
        if ch in "\n\t" or ord(ch) in known:
            out.append(ch)
        elif ch in FALLBACK:
            out.append(FALLBACK[ch])
        else:
            base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


def _markup(value: object) -> str:
    """Text for a Paragraph: escaped (Paragraph parses '<b>', '&amp;'), line breaks kept."""
    return escape(_text(value)).replace("\n", "<br/>")


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, _ = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "hint": ParagraphStyle(
            "hint", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=bold, fontSize=8.5),
        "title": ParagraphStyle(
            "title", parent=body, fontName=bold, fontSize=18, leading=22, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=5,
            textColor=ACCENT,
        ),
        "note": ParagraphStyle(
            "note",
            parent=body,
            borderColor=colors.HexColor("#c0392b"),
            borderWidth=0.8,
            borderPadding=5,
            backColor=colors.HexColor("#fdf2f0"),
            spaceBefore=6,
            spaceAfter=8,
        ),
    }


def _para(value: object, style: str = "body") -> Paragraph:
    return Paragraph(_markup(value), _styles()[style])


def _heading(text: str) -> Paragraph:
    return _para(text, "h2")


def _table(rows: list[list], widths: list[float], header: bool = True, zebra: bool = True) -> Table:
    """A table of Paragraph cells (strings are escaped and wrapped); the header row is bold."""
    cells = [
        [
            cell
            if isinstance(cell, Flowable)
            else _para(cell, "cell_bold" if header and r == 0 else "cell")
            for cell in row
        ]
        for r, row in enumerate(rows)
    ]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ]
    if zebra:
        style += [
            ("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f9fb"))
            for r in range(2 if header else 1, len(rows), 2)
        ]
    return Table(
        cells,
        colWidths=widths,
        repeatRows=1 if header else 0,
        style=TableStyle(style),
        hAlign="LEFT",
    )


def _build(story: list, title: str, footer: str) -> bytes:
    """Lay the story out on A4 with the footer and page number on every page."""
    regular, _, _ = _fonts()
    footer = _text(footer)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.setStrokeColor(GRID)
        canvas.line(MARGIN, 1.45 * cm, A4[0] - MARGIN, 1.45 * cm)
        canvas.drawString(MARGIN, 1.05 * cm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 1.05 * cm, f"Pagina {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.8 * cm,
        bottomMargin=2.2 * cm,
        title=_text(title),
        author="pestdata",
        lang="nl",
        invariant=True,  # the same data gives the same bytes (no timestamp or random id)
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- the case file -------------------------------------------------------------------------


def case_pdf(store: Store, incident_id: int, *, today: date | None = None) -> bytes:
    """The care team's case file of one incident as PDF bytes; confidential.

    Details with pupil numbers, the description entries, every protocol step (done or not)
    and the timeline. Raises store.NotFound for an unknown id.
    """
    case = caseload.get_incident(store, incident_id)  # raises NotFound
    audit_entries = caseload.audit_entries(store, incident_id)
    today = today or clock.today()
    title = f"Dossier melding #{case['id']}"

    # Long labels (pupils, forms) one per line on paper; short ones side by side.
    stacked = {FIELD_LABELS["pupils"], FIELD_LABELS["forms"]}
    details = [
        (label, ("\n" if label in stacked else ", ").join(values))
        for label, values in caseload.case_details(case)
    ]
    story: list = [
        _para(title, "title"),
        _para(f"Vertrouwelijk: alleen voor het zorgteam. Opgemaakt op {nl_date(today)}.", "hint"),
        Spacer(1, 8),
        _table(
            [[_para(k, "cell_bold"), v] for k, v in details],
            [4.2 * cm, WIDTH - 4.2 * cm],
            header=False,
            zebra=False,
        ),
    ]
    if POLICE_FORMS & {Form(f) for f in case["forms"]}:
        story.append(_para(POLICE_ADVICE, "note"))

    story.append(_heading("Beschrijving"))
    if not case["descriptions"]:
        story.append(_para("Geen beschrijving.", "hint"))
    for entry in case["descriptions"]:
        story.append(
            KeepTogether(
                [
                    _para(f"{nl_date(entry['written_at'])} · {entry['written_by']}", "hint"),
                    _para(entry["text"]),
                    Spacer(1, 6),
                ]
            )
        )

    story.append(_heading("Protocol: Heb je de acties uitgevoerd?"))
    rows: list[list] = [["Stap", "Gedaan", "Datum", "Door", "Notitie", "Uitkomst"]]
    for step in load_protocol():
        done = case["steps"].get(step.id)
        name = step.title if step.required else f"{step.title} (als van toepassing)"
        if done:
            outcome = Outcome(done["outcome"]).label if done["outcome"] else ""
            rows.append(
                [name, "ja", nl_date(done["done_on"]), done["done_by"], done["note"], outcome]
            )
        else:
            rows.append([name, "nee", "", "", "", ""])
    widths = [4.1 * cm, 1.7 * cm, 2.2 * cm, 3.3 * cm, 3.6 * cm]
    story.append(_table(rows, [*widths, WIDTH - sum(widths)]))

    story.append(_heading("Tijdlijn"))
    entries = timeline(case, audit_entries)
    rows = [["Wanneer", "Wat", "Wie"]] + [[nl_date(e.when), e.what, e.who] for e in entries]
    story.append(_table(rows, [3.2 * cm, WIDTH - 7.0 * cm, 3.8 * cm]))
    story.append(Spacer(1, 4))
    story.append(_para(f"{clock.zone_note()}.", "small"))

    return _build(story, title, f"{title} · Vertrouwelijk — zorgteam")


# --- the inzage file (AVG) -------------------------------------------------------------------


def inzage_pdf(store: Store, pupil: str, actor: str, *, today: date | None = None) -> bytes:
    """What the school keeps about one pupil, for an inzageverzoek: every case they appear
    in with its steps and timeline, every other pupil replaced by 'leerling A', 'leerling
    B'… (also where a free text mentions their number), and every person's name in free
    text by 'persoon 1', 'persoon 2'… (names.py). The file made is in the audit.
    Raises store.NotFound when no case names the pupil, names.NamesUnchecked while the
    names cannot be checked (no file then: it goes to another child's parents)."""
    ids = access_requests.cases_of(store, pupil)
    if not ids:
        raise NotFound(pupil)
    today = today or clock.today()
    cases = [caseload.get_incident(store, i) for i in ids]
    histories = [timeline(case, caseload.audit_entries(store, case["id"])) for case in cases]
    names = privacy.Pseudonyms(pupil)
    for case in cases:
        for involved in case["pupils"]:
            names.add(involved["pupil_number"])
    free_text = [d["text"] for case in cases for d in case["descriptions"]]
    free_text += [s["note"] for case in cases for s in case["steps"].values()]
    free_text += [e.what for history in histories for e in history]
    for mentioned in sorted(access_requests.pupil_numbers_in(store, free_text)):
        names.add(mentioned)
    in_order = [  # as the file reads, so that 'persoon 1' comes first
        text
        for case, history in zip(cases, histories, strict=True)
        for text in (
            [d["text"] for d in case["descriptions"]]
            + [case["steps"][s.id]["note"] for s in load_protocol() if s.id in case["steps"]]
            + [e.what for e in history]
        )
    ]
    found = find_all(in_order)
    if found is None:
        raise NamesUnchecked(NamesUnchecked.MESSAGE)
    for name in (name for names_in_text in found for name in names_in_text):
        names.add_person(name)
    scrub, scrub_text = names.scrub, names.scrub_text
    title = f"Inzage: gegevens over leerling {pupil}"
    story: list = [
        _para(title, "title"),
        _para(
            f"Opgemaakt op {nl_date(today)} op verzoek (AVG, recht op inzage). Dit zijn alle "
            f"meldingen waarin deze leerling voorkomt ({len(cases)}). Andere leerlingen staan er "
            "als 'leerling A', 'leerling B' enzovoort, in elke melding dezelfde letter voor "
            "dezelfde leerling. Namen in de teksten staan er als 'persoon 1', 'persoon 2' "
            "enzovoort.",
            "hint",
        ),
    ]
    for case, history in zip(cases, histories, strict=True):
        story.append(_heading(f"Melding #{case['id']}"))
        details = [(k, "\n".join(scrub(v) for v in values)) for k, values in case_details(case)]
        story.append(
            _table([[_para(k, "cell_bold"), v] for k, v in details],
                   [4.2 * cm, WIDTH - 4.2 * cm], header=False, zebra=False)
        )  # fmt: skip
        for entry in case["descriptions"]:
            story.append(_para(f"{nl_date(entry['written_at'])} · {entry['written_by']}", "hint"))
            story.append(_para(scrub_text(entry["text"])))
        rows: list[list] = [["Stap", "Datum", "Door", "Notitie"]]
        for step in load_protocol():
            done = case["steps"].get(step.id)
            if done:
                rows.append([step.title, nl_date(done["done_on"]), done["done_by"],
                             scrub_text(done["note"])])  # fmt: skip
        if len(rows) > 1:
            story.append(_table(rows, [4.6 * cm, 2.2 * cm, 3.4 * cm, WIDTH - 10.2 * cm]))
        rows = [["Wanneer", "Wat", "Wie"]] + [
            [nl_date(e.when), scrub_text(e.what), e.who] for e in history
        ]
        story.append(_table(rows, [3.2 * cm, WIDTH - 7.0 * cm, 3.8 * cm]))
    story.append(Spacer(1, 4))
    story.append(_para(f"{clock.zone_note()}.", "small"))
    pdf = _build(story, title, f"{title} · Vertrouwelijk")
    access_requests.record_file(store, pupil, ids, actor)
    return pdf


# --- the yearly report ----------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """Everything the yearly report shows, gathered in one step before any layout (as the
    parent evening's EveningFigures): the sections below read nothing from the database."""

    year: SchoolYear
    school: str | None
    today: date
    key: dict  # key_figures
    # Reports per month and category, per key of BREAKDOWNS (monthly_trend; shared, with the
    # units each cell is checked against). "age_band" counts each report once: the months.
    trends: dict[str, pd.DataFrame]
    steps: pd.DataFrame  # step_completion
    checklist: pd.DataFrame  # school_action_status
    lessons: pd.DataFrame  # lesson_coverage
    hidden: dict = field(default_factory=dict)  # shared: cells hidden across views, per part


# The yearly report's sections per category, in the order they are printed, with their
# headings. Each lists every label (shared), as the overview's charts and the board's export.
BREAKDOWNS = {
    "platform": "Meldingen per platform",
    "form": "Meldingen per vorm",
    "age_band": "Meldingen per leeftijd",
    "group": "Meldingen per groep of klas",
    "motive": "Meldingen per motief",
}
# Categories with an order of their own (young to old) keep it; the others go largest first.
IN_OWN_ORDER = ("age_band", "group")


def year_figures(
    store: Store,
    year: str,
    school: str | None = None,
    *,
    today: date | None = None,
    minimum: int | None = None,
) -> YearFigures:
    """The yearly report's figures for school year 'YYYY-YYYY' (ValueError when malformed).

    Shared (`minimum`): whole months up to the last complete one, counted as of its end,
    exactly as the overview counts them (disclosure.shared_period, disclosure.as_of)."""
    try:
        school_year = SchoolYear.parse(year)
    except ValueError as error:
        raise ValueError(f"Schooljaar: {error}") from None
    today = today or clock.today()
    schools = (school,) if school else ()
    start, end = disclosure.shared_period(school_year.start, school_year.end, today, minimum)
    filters = Filters(start=start, end=end, schools=schools, today=disclosure.as_of(today, minimum))
    units = bool(minimum)
    counts = step_counts(store, filters)
    trends = {by: monthly_trend(store, filters, by=by, units=units) for by in BREAKDOWNS}
    return YearFigures(
        year=school_year,
        school=school,
        today=today,
        key=key_figures(store, filters, shared=bool(minimum)),
        trends=trends,
        hidden=hidden_in_summary(store, filters, trends, minimum),
        steps=hide_step_shares(step_completion(store, filters, counts), counts, minimum),
        checklist=school_action_status(store, schools),
        lessons=lesson_coverage(store, filters),
    )


def year_report_pdf(
    store: Store,
    year: str,
    school: str | None = None,
    minimum: int | None = 5,
    *,
    today: date | None = None,
) -> bytes:
    """The yearly report for the participation council (MR) for school year 'YYYY-YYYY'.

    Key figures, reports per month and per platform, form, age band, group and motive
    (charts and tables), protocol completion per step, the school-wide checklist and lessons
    reached per group; for one school or all. Every heading stays on the page of what
    follows it. Counts
    below `minimum` show as "< minimum" and are left out of the charts; `minimum=None` shows
    every count (for internal use only). Raises ValueError for a malformed year.
    """
    f = year_figures(store, year, school, today=today, minimum=minimum)
    year, today = f.year.label, f.today
    start, end = f.year.start, f.year.end
    who = school or "alle scholen"
    title = f"Jaarverslag online pesten {year}"

    figures = f.key
    reports = int(figures["reports_in_period"] or 0)
    privacy_note = (
        "Dit verslag bevat geen leerlingnummers, geen namen en geen vrije tekst. Aantallen "
        f"zijn afgerond op 5; 0 tot en met {minimum - 1} staat er als '< {minimum}' in, zonder "
        "staaf; percentages in stappen van 10 en medianen in hele weken, alleen over genoeg "
        "meldingen; alleen hele maanden die al voorbij zijn."
        if minimum
        else "Intern verslag: alle aantallen zijn getoond, ook kleine. Niet bedoeld om te delen."
    )
    story: list = [
        _para(title, "title"),
        _para(who, "subtitle"),
        _para(
            f"Schooljaar {nl_date(start)} t/m {nl_date(end)} · opgemaakt op {nl_date(today)}",
            "hint",
        ),
        Spacer(1, 4),
        _para(privacy_note, "hint"),
        _heading("Kerncijfers"),
        _key_figures_table(figures, minimum, f.hidden.get("total", False)),
    ]
    if minimum and not disclosure.base_met(reports, minimum):
        # Below the base no breakdown, not even per month (as the overview and the export).
        story += [Spacer(1, 6), _para(disclosure.base_note())]
    elif not reports:
        story.append(Spacer(1, 6))
        story.append(
            _para(f"Er zijn in schooljaar {year} geen meldingen van online pesten vastgelegd.")
        )
    else:
        hidden = f.hidden
        per_report = f.trends["age_band"]
        story += _months_section(per_report, start, today, minimum, reports, hidden.get("months"))
        for by in BREAKDOWNS:
            story += _breakdown_section(f.trends[by], by, reports, minimum, hidden.get(by))
        story += _protocol_section(f.steps, minimum)
    story += _checklist_section(f.checklist, today)
    story += _lessons_section(f.lessons)
    return _build(story, f"{title} · {who}", f"{title} · {who}")


def _count(n: int | float | None, minimum: int | None) -> str:
    return disclosure.show_count(None if n is None else int(n), minimum)


def _key_figures_table(k: dict, minimum: int | None, total_hidden: bool = False) -> Table:
    """The key figures, each through disclosure.py like the overview's cards (the same
    cell gives the same text in both)."""
    based = disclosure.base_met(k["reports_in_period"], minimum)

    def share(part, whole):
        return disclosure.show_share(part, whole, minimum) if based else "—"

    median_text = (
        disclosure.show_median(k["median_days_to_resolved"], k["resolved_cases"], minimum)
        if based
        else "—"
    )
    rows = [
        ["Kerncijfer", "Waarde"],
        [
            "Meldingen in het schooljaar",
            disclosure.HIDDEN if total_hidden else _count(k["reports_in_period"], minimum),
        ],
        ["Afgeronde meldingen (opgelost of afgesloten)", _count(k["finished_cases"], minimum)],
        [
            "Afgeronde meldingen met alle verplichte protocolstappen",
            share(k["finished_with_all_required"], k["finished_cases"]),
        ],
        [
            "Nazorg binnen twee weken na de melding",
            share(k["followup_within_two_weeks"], k["followup_due_cases"]),
        ],
        [
            "Mediaan van melding tot opgelost"
            if minimum
            else "Mediaan dagen van melding tot opgelost",
            median_text,
        ],
    ]
    return _table(rows, [WIDTH - 4.5 * cm, 4.5 * cm])


def _bar_style(chart, font: str) -> None:
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = number
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e3e3")
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5


def _integer_step(values: Iterable[float]) -> int:
    """A value-axis step of whole reports (1, 2, 5, 10, 20, …) giving at most ~6 ticks."""
    top = max(values, default=0) or 1
    step = 1
    while top / step > 6:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if top / step <= 6:
                break
    return step


def _months_section(
    trend: pd.DataFrame,
    start: date,
    today: date,
    minimum: int | None,
    reports: int = 0,
    across: frozenset | None = None,
) -> list:
    per_month = trend.groupby("month")["count"].sum().to_dict()
    firsts = [date(start.year + (i + 7) // 12, (i + 7) % 12 + 1, 1) for i in range(12)]
    # A month still to come has no count yet ('—'), rather than a misleading 0; shared, the
    # running month is not counted either ("nog niet compleet").
    until = disclosure.as_of(today, minimum)
    past = [int(per_month.get(f"{first:%Y-%m}", 0)) for first in firsts if first <= until]
    running = int(bool(minimum) and len(past) < 12 and firsts[len(past)] <= today)
    # Shared: every month published ("< 5" for 0 to 4), one more hidden ("x") where the
    # total would show that the small ones are not all zero (disclosure.published_row).
    hide = {i for i, first in enumerate(firsts[: len(past)]) if f"{first:%Y-%m}" in (across or ())}
    cells = disclosure.published_row(past, minimum, reports if minimum else None, hide)
    plotted = [disclosure.plotted(n) for n in cells] + [None] * (12 - len(past))
    hidden = disclosure.HIDDEN in cells

    font = _fonts()[0]
    drawing = Drawing(WIDTH, 5.2 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 18, WIDTH - 40, 5.2 * cm - 28
    chart.data = [plotted]
    chart.categoryAxis.categoryNames = MONTHS
    _bar_style(chart, font)
    chart.valueAxis.valueStep = _integer_step(n for n in plotted if n is not None)
    drawing.add(chart)

    cells = [disclosure.show_cell(n) for n in cells] + ["—"] * (12 - len(past))
    rows = [["", *MONTHS], ["Meldingen", *cells]]
    first = 2.1 * cm
    table = _table(rows, [first] + [(WIDTH - first) / 12] * 12, zebra=False)
    return [
        *_kept_with_heading("Meldingen per maand", [drawing, Spacer(1, 4), table]),
        *_suppressed_note(hidden, minimum, disclosure.HIDDEN_NOTE),
        *_suppressed_note(
            running,
            minimum,
            f"De lopende maand ({clock.MONTHS[today.month - 1]}) is "
            f"{disclosure.NOT_COMPLETE} en telt nog niet mee.",
        ),
    ]


def _breakdown_section(
    trend: pd.DataFrame,
    by: str,
    reports: int,
    minimum: int | None,
    across: frozenset | None = None,
) -> list:
    """Reports per category of `by` (BREAKDOWNS) for the year: a bar chart and its table.
    Shared, every label is listed (zero and small alike "< 5"; disclosure.breakdown) and a
    cell the overview or the board's export hides is hidden here too (`across`), so no label
    can be named by its absence and one cell reads the same everywhere; nothing is merged
    into "Overig". The care team's report lists the categories that occur, exactly."""
    title, labels, _ = charts.DIMENSIONS[by]
    per = trend.groupby("category")["count"].sum() if len(trend) else pd.Series(dtype="int64")
    if minimum:  # every label, in the fixed order of the labels
        pairs = [(label, int(per.get(value, 0))) for value, label in labels.items()]
    else:
        pairs = [(label, int(per[value])) for value, label in labels.items() if value in per]
    shown = disclosure.breakdown(pairs, minimum, reports, {labels[c] for c in across or ()})
    if by not in IN_OWN_ORDER:  # largest first, as the overview's bars
        shown.sort(key=lambda pair: -(disclosure.plotted(pair[1]) or 0))
    rows = [[title, "Meldingen"]] + [[label, disclosure.show_cell(n)] for label, n in shown]
    table = _table(rows, [8 * cm, 3 * cm])  # the longest form fits on one line
    if shown:
        kept = [_bar_chart(shown), Spacer(1, 4), table]
    else:
        kept = [_para(f"Te weinig meldingen om per {title.lower()} te tonen.", "hint"), table]
    parts = _kept_with_heading(BREAKDOWNS[by], kept)
    hidden = any(n == disclosure.HIDDEN for _, n in shown)
    parts += _suppressed_note(hidden, minimum, disclosure.HIDDEN_NOTE)
    if by in charts.COUNTED_IN_EACH:
        parts.append(_para(charts.COUNTED_IN_EACH[by], "small"))
    return parts


def _label_width(labels: Iterable[str], size: float = 7.5) -> float:
    """The width the longest label takes in the chart's font, plus a little room."""
    font = _fonts()[0]
    return max((pdfmetrics.stringWidth(_text(s), font, size) for s in labels), default=0) + 8


def _bar_chart(shown: list[tuple[str, disclosure.Cell]]) -> Drawing:
    """Horizontal bars in the order given (top to bottom); "< 5" and "x" have no bar. The
    labels get the room the longest one needs (a form's name is long), at most half."""
    bars = [(label, disclosure.plotted(n) or 0) for label, n in shown]
    room = min(_label_width(label for label, _ in bars), WIDTH / 2)
    height = 0.55 * cm * len(bars) + 30
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = room, 18, WIDTH - room - 20, height - 26
    chart.data = [[n for _, n in reversed(bars)]]
    chart.categoryAxis.categoryNames = [_text(label) for label, _ in reversed(bars)]
    _bar_style(chart, _fonts()[0])
    chart.valueAxis.valueStep = _integer_step(n for _, n in bars)
    drawing.add(chart)
    return drawing


def _kept_with_heading(heading: str, kept: list, rest: Iterable = ()) -> list:
    """A section whose heading never stands alone at the foot of a page: the heading and
    the flowables `kept` (its introduction and first chart or table) move to the next page
    together (KeepTogether); `rest` follows as it fits."""
    return [KeepTogether([_heading(heading), *kept]), *rest]


def _protocol_section(steps: pd.DataFrame, minimum: int | None) -> list:
    median_head = "Mediaan" if minimum else "Mediaan dagen"
    rows = [["Stap", "Verplicht", "Termijn", "Gedaan", "% gedaan", median_head]]
    for r in steps.itertuples():
        # The overview's steps chart publishes the same bands and medians (disclosure.py).
        if r.median_days is None or pd.isna(r.median_days):
            median = "—"
        elif minimum:
            median = disclosure.show_median(r.median_days, int(r.done), minimum)
            median = median.replace(" meldingen", "")
        else:
            median = f"{r.median_days:.0f}"
        share = disclosure.show_share(int(r.done), int(r.cases), minimum)
        share = share.replace(" meldingen", "")
        done = _count(r.done, minimum)
        if minimum and r.hidden:  # beside its months it would give one away
            share = done = disclosure.HIDDEN
        rows.append(
            [
                r.title,
                "ja" if r.required else "nee",
                counted(r.term_days, "dag", "dagen"),
                done,
                share,
                median,
            ]
        )
    widths = [2.1 * cm, 2.0 * cm, 1.8 * cm, 1.9 * cm, 2.0 * cm]
    intro = _para(
        "Van de meldingen in dit schooljaar: bij hoeveel is elke stap gedaan, en hoeveel "
        "dagen na de melding (mediaan).",
        "hint",
    )
    table = _table(rows, [WIDTH - sum(widths), *widths])
    return _kept_with_heading("Protocol: uitvoering per stap", [intro, Spacer(1, 3), table])


def _checklist_section(frame: pd.DataFrame, today: date) -> list:
    intro = [_para(f"Stand op {nl_date(today)}.", "hint"), Spacer(1, 3)]
    if frame.empty:
        empty = _para("Nog geen schoolbrede acties vastgelegd: er is nog geen school bekend.")
        return _kept_with_heading("Schoolbrede acties", [*intro, empty])
    blocks = []
    for name, rows in frame.groupby("school", sort=True):
        table = [["Actie", "Stand"]] + [
            [r.title, f"gedaan op {nl_date(r.done_on)}" if r.done else "open"]
            for r in rows.itertuples()
        ]
        blocks.append(
            KeepTogether(
                [
                    _para(
                        f"{name}: {int(rows['done'].sum())} van {len(rows)} acties gedaan",
                        "cell_bold",
                    ),
                    Spacer(1, 2),
                    _table(table, [WIDTH - 4 * cm, 4 * cm]),
                    Spacer(1, 8),
                ]
            )
        )
    return _kept_with_heading("Schoolbrede acties", [*intro, blocks[0]], blocks[1:])


def _lessons_section(frame: pd.DataFrame) -> list:
    """Lessons given per group: counts of lessons, not of pupils, so shown as they are."""
    reached = int((frame["lessons"] > 0).sum())
    rows = [["Groep of klas", "Leeftijd", "Lessen"]] + [
        [r.group, r.age_band, str(int(r.lessons))] for r in frame.itertuples()
    ]
    summary = (
        f"In {reached} van de {len(frame)} groepen of klassen is in dit schooljaar minstens "
        "één les over online gedrag gegeven."
        if reached
        else "In dit schooljaar zijn nog geen lessen over online gedrag vastgelegd."
    )
    table = _table(rows, [4 * cm, 3.5 * cm, 2.5 * cm])
    return _kept_with_heading("Lessen per groep", [_para(summary), Spacer(1, 3), table])


def _suppressed_note(any_hidden: bool, minimum: int | None, text: str) -> list:
    if not (minimum and any_hidden):
        return []
    return [Spacer(1, 2), _para(text, "small")]
