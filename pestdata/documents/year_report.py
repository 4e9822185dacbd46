"""The yearly report for the participation council (MR) as PDF: meant to be shared.

Counts, shares and medians only: no pupil numbers, no free text, no names of staff; counts
below the threshold show as "< 5" and are left out of the charts (pestdata.core.privacy), as
in the shareable overview. The figures are gathered first (`year_figures`, through the
overview's queries), then laid out without reading anything (`lay_out_year_report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Spacer, Table

from pestdata.core import clock, disclosure
from pestdata.core.clock import SchoolYear, nl_date
from pestdata.core.errors import ValueRefused
from pestdata.core.markup import counted, number
from pestdata.db.store import Store
from pestdata.documents import charts, pdf
from pestdata.documents.pdf import WIDTH
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters
from pestdata.overview.lists import (
    ActionStatus,
    LessonsInGroup,
    lesson_coverage,
    per_school,
    school_action_status,
)
from pestdata.overview.protocol import step_completion, step_counts
from pestdata.overview.reading import Rows, total_per
from pestdata.overview.suppression import hidden_in_summary, hide_step_shares
from pestdata.overview.trends import monthly_trend

MONTHS = list(clock.SCHOOL_YEAR_MONTHS)


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
    trends: dict[str, Rows]
    steps: Rows  # step_completion
    checklist: list[ActionStatus]
    lessons: list[LessonsInGroup]
    hidden: dict = field(default_factory=dict)  # shared: cells hidden across views, per part
    minimum: int | None = None  # shared: the threshold the figures were published for


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
        raise ValueRefused(f"Schooljaar: {error}") from None
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
        minimum=minimum,
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
    return lay_out_year_report(year_figures(store, year, school, today=today, minimum=minimum))


def lay_out_year_report(f: YearFigures) -> bytes:
    """The yearly report as PDF bytes from its gathered figures: reads and writes nothing."""
    year, today, school, minimum = f.year.label, f.today, f.school, f.minimum
    start, end = f.year.start, f.year.end
    who = school or "alle scholen"
    title = f"Jaarverslag online pesten {year}"

    figures = f.key
    incidents = int(figures["reports_in_period"] or 0)
    privacy_note = (
        "Dit verslag bevat geen leerlingnummers, geen namen en geen vrije tekst. Aantallen "
        f"zijn afgerond op 5; 0 tot en met {minimum - 1} staat er als '< {minimum}' in, zonder "
        "staaf; percentages in stappen van 10 en medianen in hele weken, alleen over genoeg "
        "meldingen; alleen hele maanden die al voorbij zijn."
        if minimum
        else "Intern verslag: alle aantallen zijn getoond, ook kleine. Niet bedoeld om te delen."
    )
    story: list = [
        pdf.para(title, "title"),
        pdf.para(who, "subtitle"),
        pdf.para(
            f"Schooljaar {nl_date(start)} t/m {nl_date(end)} · opgemaakt op {nl_date(today)}",
            "hint",
        ),
        Spacer(1, 4),
        pdf.para(privacy_note, "hint"),
        pdf.heading("Kerncijfers"),
        _key_figures_table(figures, minimum, f.hidden.get("total", False)),
    ]
    if minimum and not disclosure.base_met(incidents, minimum):
        # Below the base no breakdown, not even per month (as the overview and the export).
        story += [Spacer(1, 6), pdf.para(disclosure.base_note())]
    elif not incidents:
        story.append(Spacer(1, 6))
        story.append(
            pdf.para(f"Er zijn in schooljaar {year} geen meldingen van online pesten vastgelegd.")
        )
    else:
        hidden = f.hidden
        per_incident = f.trends["age_band"]
        story += _months_section(
            per_incident, start, today, minimum, incidents, hidden.get("months")
        )
        for by in BREAKDOWNS:
            story += _breakdown_section(f.trends[by], by, incidents, minimum, hidden.get(by))
        story += _protocol_section(f.steps, minimum)
    story += _checklist_section(f.checklist, today)
    story += _lessons_section(f.lessons)
    return pdf.build(story, f"{title} · {who}", f"{title} · {who}")


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
    return pdf.table(rows, [WIDTH - 4.5 * cm, 4.5 * cm])


def _months_section(
    trend: Rows,
    start: date,
    today: date,
    minimum: int | None,
    incidents: int = 0,
    across: frozenset | None = None,
) -> list:
    per_month = total_per(trend, "month")
    firsts = [date(start.year + (i + 7) // 12, (i + 7) % 12 + 1, 1) for i in range(12)]
    # A month still to come has no count yet ('—'), rather than a misleading 0; shared, the
    # running month is not counted either ("nog niet compleet").
    until = disclosure.as_of(today, minimum)
    past = [int(per_month.get(f"{first:%Y-%m}", 0)) for first in firsts if first <= until]
    running = int(bool(minimum) and len(past) < 12 and firsts[len(past)] <= today)
    # Shared: every month published ("< 5" for 0 to 4), one more hidden ("x") where the
    # total would show that the small ones are not all zero (disclosure.published_row).
    hide = {i for i, first in enumerate(firsts[: len(past)]) if f"{first:%Y-%m}" in (across or ())}
    cells = disclosure.published_row(past, minimum, incidents if minimum else None, hide)
    plotted = [disclosure.plotted(n) for n in cells] + [None] * (12 - len(past))
    hidden = disclosure.HIDDEN in cells

    drawing = pdf.column_chart(plotted, MONTHS)

    cells = [disclosure.show_cell(n) for n in cells] + ["—"] * (12 - len(past))
    rows = [["", *MONTHS], ["Meldingen", *cells]]
    first = 2.1 * cm
    table = pdf.table(rows, [first] + [(WIDTH - first) / 12] * 12, zebra=False)
    return [
        *pdf.kept_with_heading("Meldingen per maand", [drawing, Spacer(1, 4), table]),
        *_suppressed_note(hidden, minimum, disclosure.HIDDEN_NOTE),
        *_suppressed_note(
            running,
            minimum,
            f"De lopende maand ({clock.MONTHS[today.month - 1]}) is "
            f"{disclosure.NOT_COMPLETE} en telt nog niet mee.",
        ),
    ]


def _breakdown_section(
    trend: Rows,
    by: str,
    incidents: int,
    minimum: int | None,
    across: frozenset | None = None,
) -> list:
    """Reports per category of `by` (BREAKDOWNS) for the year: a bar chart and its table.
    Shared, every label is listed (zero and small alike "< 5"; disclosure.breakdown) and a
    cell the overview or the board's export hides is hidden here too (`across`), so no label
    can be named by its absence and one cell reads the same everywhere; nothing is merged
    into "Overig". The care team's report lists the categories that occur, exactly."""
    title, labels, _ = charts.DIMENSIONS[by]
    per = total_per(trend, "category")
    if minimum:  # every label, in the fixed order of the labels
        pairs = [(label, int(per.get(value, 0))) for value, label in labels.items()]
    else:
        pairs = [(label, int(per[value])) for value, label in labels.items() if value in per]
    shown = disclosure.breakdown(pairs, minimum, incidents, {labels[c] for c in across or ()})
    if by not in IN_OWN_ORDER:  # largest first, as the overview's bars
        shown.sort(key=lambda pair: -(disclosure.plotted(pair[1]) or 0))
    rows = [[title, "Meldingen"]] + [[label, disclosure.show_cell(n)] for label, n in shown]
    table = pdf.table(rows, [8 * cm, 3 * cm])  # the longest form fits on one line
    if shown:
        bars = [(label, disclosure.plotted(n) or 0) for label, n in shown]  # "< 5", "x": no bar
        kept = [pdf.bar_chart(bars), Spacer(1, 4), table]
    else:
        kept = [pdf.para(f"Te weinig meldingen om per {title.lower()} te tonen.", "hint"), table]
    parts = pdf.kept_with_heading(BREAKDOWNS[by], kept)
    hidden = any(n == disclosure.HIDDEN for _, n in shown)
    parts += _suppressed_note(hidden, minimum, disclosure.HIDDEN_NOTE)
    if by in charts.COUNTED_IN_EACH:
        parts.append(pdf.para(charts.COUNTED_IN_EACH[by], "small"))
    return parts


def _protocol_section(steps: Rows, minimum: int | None) -> list:
    median_head = "Mediaan" if minimum else "Mediaan dagen"
    rows = [["Stap", "Verplicht", "Termijn", "Gedaan", "% gedaan", median_head]]
    for r in steps:
        # The overview's steps chart publishes the same bands and medians (disclosure.py).
        if r["median_days"] is None:
            median = "—"
        elif minimum:
            median = disclosure.show_median(r["median_days"], int(r["done"]), minimum)
            median = median.replace(" meldingen", "")
        else:
            median = f"{r['median_days']:.0f}"
        share = disclosure.show_share(int(r["done"]), int(r["cases"]), minimum)
        share = share.replace(" meldingen", "")
        done = _count(r["done"], minimum)
        if minimum and r["hidden"]:  # beside its months it would give one away
            share = done = disclosure.HIDDEN
        rows.append(
            [
                r["title"],
                "ja" if r["required"] else "nee",
                counted(r["term_days"], "dag", "dagen"),
                done,
                share,
                median,
            ]
        )
    widths = [2.1 * cm, 2.0 * cm, 1.8 * cm, 1.9 * cm, 2.0 * cm]
    intro = pdf.para(
        "Van de meldingen in dit schooljaar: bij hoeveel is elke stap gedaan, en hoeveel "
        "dagen na de melding (mediaan).",
        "hint",
    )
    table = pdf.table(rows, [WIDTH - sum(widths), *widths])
    return pdf.kept_with_heading("Protocol: uitvoering per stap", [intro, Spacer(1, 3), table])


def _checklist_section(status: list[ActionStatus], today: date) -> list:
    intro = [pdf.para(f"Stand op {nl_date(today)}.", "hint"), Spacer(1, 3)]
    if not status:
        empty = pdf.para("Nog geen schoolbrede acties vastgelegd: er is nog geen school bekend.")
        return pdf.kept_with_heading("Schoolbrede acties", [*intro, empty])
    blocks = []
    for name, rows in per_school(status).items():
        table = [["Actie", "Stand"]] + [
            [r.title, f"gedaan op {nl_date(r.done_on)}" if r.done else "open"] for r in rows
        ]
        blocks.append(
            KeepTogether(
                [
                    pdf.para(
                        f"{name}: {number(sum(r.done for r in rows))} van "
                        f"{counted(len(rows), 'actie', 'acties')} gedaan",
                        "cell_bold",
                    ),
                    Spacer(1, 2),
                    pdf.table(table, [WIDTH - 4 * cm, 4 * cm]),
                    Spacer(1, 8),
                ]
            )
        )
    return pdf.kept_with_heading("Schoolbrede acties", [*intro, blocks[0]], blocks[1:])


def _lessons_section(groups: list[LessonsInGroup]) -> list:
    """Lessons given per group: counts of lessons, not of pupils, so shown as they are."""
    reached = sum(1 for g in groups if g.lessons)
    rows = [["Groep of klas", "Leeftijd", "Lessen"]] + [
        [g.group, g.age_band, str(g.lessons)] for g in groups
    ]
    summary = (
        f"In {reached} van de {len(groups)} groepen of klassen is in dit schooljaar minstens "
        "één les over online gedrag gegeven."
        if reached
        else "In dit schooljaar zijn nog geen lessen over online gedrag vastgelegd."
    )
    table = pdf.table(rows, [4 * cm, 3.5 * cm, 2.5 * cm])
    return pdf.kept_with_heading("Lessen per groep", [pdf.para(summary), Spacer(1, 3), table])


def _suppressed_note(any_hidden: bool, minimum: int | None, text: str) -> list:
    if not (minimum and any_hidden):
        return []
    return [Spacer(1, 2), pdf.para(text, "small")]
