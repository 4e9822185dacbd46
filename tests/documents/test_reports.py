"""Printed reports (documents/incident_file.py, year_report.py) on a real SQLite file, read back
with pdftotext; the layout on its own makes the same file without any database.

pdftotext comes from the Debian package poppler-utils. `-raw` keeps the order in which the
PDF draws its text (a wrapped table cell stays together); `-layout` keeps table rows on
one line, for checks on a single row.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest
from helpers import audit_count, pdf_text, without_database
from reportlab.platypus import Spacer

from pestdata.core.choices import AGE_BANDS, GROUPS, Form, Platform
from pestdata.core.guidance import load_protocol
from pestdata.core.model import LessonGiven, SchoolActionDone, validate_incident, validate_step
from pestdata.db.store import NotFound
from pestdata.documents import year_report
from pestdata.documents.incident_file import incident_pdf
from pestdata.documents.pdf import build
from pestdata.documents.year_report import (
    BREAKDOWNS,
    lay_out_year_report,
    year_figures,
    year_report_pdf,
)
from pestdata.incidents import incident_log, lookup
from pestdata.incidents.incident_file import gather_incident_file
from pestdata.overview.filters import Filters
from pestdata.registers.export import share_frame
from pestdata.school import demo, school_records

YEAR = "2023-2024"
TODAY = date(2024, 9, 2)  # after the school year: every month of it has passed
MARKERS = ("MK-913377", "MARKER-DESC", "MARKER-NOTE", "Marker Handler")
ESCAPE_ME = "Bericht: <b>vet</b> & <script>alert(1)</script> A&B &amp; <br/>"


def flat(text: str) -> str:
    """Whitespace folded to single spaces, so text wrapped in a cell reads as one phrase."""
    return " ".join(text.split())


def step(step_id: str, done_on: date, **changes):
    data = {"step_id": step_id, "done_on": done_on, "done_by": "Dhr. Smit", "note": ""}
    data.update(changes)
    return validate_step(data)


# --- the case file -------------------------------------------------------------------------


@pytest.fixture
def incident(store, valid_incident_data):
    record = validate_incident(
        valid_incident_data(
            reported_on=date(2024, 3, 1),
            happened_on=date(2024, 2, 28),
            forms=["gossip", "threats"],
            description=ESCAPE_ME,
        )
    )
    incident_id = incident_log.add_incident(store, record, actor="Mw. Jansen")
    incident_log.record_step(
        store,
        incident_id,
        step("steun", date(2024, 3, 4), note="Gesprek <gevoelig> & goed"),
        actor="Dhr. Smit",
    )
    incident_log.record_step(
        store,
        incident_id,
        step("nazorg", date(2024, 3, 15), outcome="stopped", note="na twee weken"),
        actor="Dhr. Smit",
    )
    incident_log.change_status(store, incident_id, "in_progress", actor="Mw. Jansen")
    incident_log.append_description(
        store, incident_id, "Aanvulling: ouders gebeld op 5 maart.", "Dhr. Smit"
    )
    return incident_id


def test_case_file_holds_everything_the_care_team_needs(store, incident, tmp_path):
    text = pdf_text(
        tmp_path, incident_pdf(gather_incident_file(store, incident, today=TODAY)), "case"
    )
    words = flat(text)

    assert f"Dossier melding #{incident}" in words
    for expected in (
        "De Regenboog",
        "groep 7",
        "01-03-2024",  # reported
        "28-02-2024",  # happened
        "02-09-2024",  # printed on
        "Ouder/verzorger",
        "123456 (gepeste leerling)",
        "LL-2024-017 (pester)",
        "TikTok, WhatsApp",
        "Roddelen",
        "Bedreiging",
        "Middel",
        "In behandeling",
        "Mw. Jansen",
        "Vertrouwelijk — zorgteam",
        "Pagina 1",
    ):
        assert expected in words, expected

    # Free text is shown literally: Paragraph markup in it is escaped, not interpreted.
    assert ESCAPE_ME in words
    assert "Aanvulling: ouders gebeld op 5 maart." in words
    assert "Gesprek <gevoelig> & goed" in words

    # Every step of the protocol, done or not, with date, who and outcome.
    for definition in load_protocol():
        assert definition.title in words, definition.title
    assert "04-09-2024" not in words
    assert "04-03-2024 Dhr. Smit" in words
    assert "15-03-2024 Dhr. Smit na twee weken Gestopt" in words
    assert words.count(" nee ") == len(load_protocol()) - 2

    # The timeline, as the case view shows it.
    assert "Tijdlijn" in words
    assert "Melding vastgelegd" in words
    assert "Stap gedaan: Steun de leerling en neem het verhaal serieus" in words
    assert "Beschrijving aangevuld" in words
    assert re.search(r"Status: Nieuw (→|->) In behandeling", words)

    # Threats: the police advice is printed too.
    assert "Beoordeel samen of de politie erbij moet" in words


def test_case_file_without_police_forms_has_no_police_advice(store, valid_incident_data, tmp_path):
    incident_id = incident_log.add_incident(
        store, validate_incident(valid_incident_data()), actor="x"
    )
    words = flat(
        pdf_text(tmp_path, incident_pdf(gather_incident_file(store, incident_id)), "plain")
    )
    assert "Beoordeel samen of de politie" not in words
    assert "Dossier melding" in words


def test_case_file_replaces_characters_the_font_lacks(store, valid_incident_data, tmp_path):
    incident_id = incident_log.add_incident(
        store,
        validate_incident(valid_incident_data(description="Smiley 🙂 in de groepsapp")),
        actor="x",
    )
    words = flat(
        pdf_text(tmp_path, incident_pdf(gather_incident_file(store, incident_id)), "emoji")
    )
    assert "Smiley ? in de groepsapp" in words or "Smiley 🙂 in de groepsapp" in words


def test_unknown_case_is_not_found(store):
    with pytest.raises(NotFound):
        gather_incident_file(store, 999)


def test_the_case_file_and_the_yearly_report_are_laid_out_without_a_database(
    store, incident, year_data, tmp_path, monkeypatch
):
    """Gather, then lay out: the layout reads and writes nothing. Laid out twice, the files
    are the same and the audit has not grown; with the database gone they are made again."""
    incident_file = gather_incident_file(store, incident, today=TODAY)
    figures = year_figures(store, YEAR, "De Regenboog", today=TODAY, minimum=5)
    audited = audit_count(store)
    made = incident_pdf(incident_file), lay_out_year_report(figures)
    assert (incident_pdf(incident_file), lay_out_year_report(figures)) == made
    assert audit_count(store) == audited

    gone = without_database(store, monkeypatch)
    again = incident_pdf(incident_file), lay_out_year_report(figures)
    assert again == made
    assert not gone.exists() and not (gone.parent / "absent").exists()
    words = flat(pdf_text(tmp_path, again[0], "pure-case"))
    for expected in (f"Dossier melding #{incident}", "123456 (gepeste leerling)", ESCAPE_ME):
        assert expected in words, expected
    assert "Stap gedaan: Steun de leerling en neem het verhaal serieus" in words
    report = flat(pdf_text(tmp_path, again[1], "pure-year"))
    for expected in ("Jaarverslag online pesten 2023-2024", "Kerncijfers", "Lessen per groep"):
        assert expected in report, expected
    assert "Meldingen per platform" in report and "MK-913377" not in report


# --- the yearly report ---------------------------------------------------------------------


@pytest.fixture
def year_data(store, valid_incident_data):
    """De Regenboog: 10 reports in 2023-2024 (6 in October, 4 in November), all on WhatsApp,
    4 also on Discord; one report carries the markers. Het Baken College: 7 reports. One
    report in the year before, which the report must not count."""
    ids = []
    for number in range(10):
        reported_on = date(2023, 10, 2 + number) if number < 6 else date(2023, 11, number)
        marker = number == 0
        data = valid_incident_data(
            reported_on=reported_on,
            happened_on=None,
            platforms=["whatsapp", "discord"] if number < 4 else ["whatsapp"],
            forms=["gossip"],
            pupils=[{"pupil_number": "MK-913377" if marker else f"9{number}0001", "role": "bully"}],
            handler="Marker Handler" if marker else "Mw. Jansen",
            description="MARKER-DESC iemand deelde een foto" if marker else "Foto gedeeld.",
        )
        incident_id = incident_log.add_incident(store, validate_incident(data), actor="Mw. Jansen")
        ids.append(incident_id)
        for step_id, days in (("steun", 1), ("hulp", 2), ("ouders_gepeste", 3)):
            incident_log.record_step(
                store,
                incident_id,
                step(
                    step_id,
                    reported_on + timedelta(days=days),
                    done_by="Marker Handler" if marker else "Dhr. Smit",
                    note="MARKER-NOTE gesprek gevoerd" if marker else "",
                ),
                actor="Dhr. Smit",
            )
    for number in range(7):
        incident_log.add_incident(
            store,
            validate_incident(
                valid_incident_data(
                    school="Het Baken College",
                    group="klas 2",
                    reported_on=date(2024, 2, 5 + number),
                    happened_on=None,
                    platforms=["instagram"],
                )
            ),
            actor="x",
        )
    incident_log.add_incident(
        store,
        validate_incident(valid_incident_data(reported_on=date(2023, 6, 1), happened_on=None)),
        actor="x",
    )
    school_records.record_school_action(
        store,
        SchoolActionDone(
            school="De Regenboog",
            action_id="besproken_in_klas",
            done_on=date(2023, 9, 15),
            done_by="Marker Handler",
            note="MARKER-NOTE in alle groepen",
        ),
        actor="x",
    )
    for group in ("groep 7", "groep 7", "groep 8"):
        school_records.log_lesson(
            store,
            LessonGiven(
                school="De Regenboog",
                material_id=_a_material(),
                group=group,
                given_on=date(2023, 11, 20),
                given_by="Marker Handler",
            ),
            actor="x",
        )
    return ids


def _a_material() -> str:
    from pestdata.core.guidance import load_guidance

    return load_guidance().materials[0].id


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def platform_cells(section: str) -> dict[str, str]:
    """The platform table's cells: every platform with the text in its 'Meldingen' column
    (the table comes after the chart, whose axis numbers may follow a label too)."""
    return {
        p.label: re.findall(rf"{re.escape(p.label)} (< 5|x|\d+)\b", section)[-1] for p in Platform
    }


def test_year_report_shows_the_figures_and_headings(store, year_data, tmp_path):
    pdf = year_report_pdf(store, YEAR, school="De Regenboog", today=TODAY)
    words = flat(pdf_text(tmp_path, pdf, "year"))
    layout = pdf_text(tmp_path, pdf, "year_layout", "-layout")

    for expected in (
        "Jaarverslag online pesten 2023-2024",
        "De Regenboog",
        "01-08-2023 t/m 31-07-2024",
        "Kerncijfers",
        "Meldingen in het schooljaar 10",
        "Meldingen per maand",
        "Meldingen per platform",
        "Protocol: uitvoering per stap",
        "Schoolbrede acties",
        "De Regenboog: 1 van",
        "Online pesten besproken in de klas gedaan op 15-09-2023",
        "Lessen per groep",
        "groep 7 8-11 jaar 2",
        "groep 8 8-11 jaar 1",
        "Pagina 1",
    ):
        assert expected in words, expected
    assert "alle scholen" not in words
    assert "Het Baken College" not in words
    for definition in load_protocol():
        assert definition.title in words, definition.title
    # Steps done for all 10 reports: the count, but no share (the remainder, 0, is small:
    # "100%" would say that every case had it) and the median in whole weeks, never days.
    assert "Steun de leerling en neem het verhaal serieus ja 1 dag 10 te weinig < 1 week" in words
    assert "Wijs op hulp en advies (ook anoniem) ja 3 dagen 10 te weinig < 1 week" in words
    assert "100%" not in words

    # Months: November has 4, "< 5" like every empty month; October's 6 (shown 5, at most
    # 7) would then prove November nonzero against the total (10: at least 8), so it is
    # hidden ('x'): neither 6 nor 4 anywhere in the row.
    month_row = next(line for line in layout.splitlines() if line.strip().startswith("Meldingen  "))
    cells = re.findall(r"<\s?5|x|—|\d+", month_row)
    assert [c.replace(" ", "") for c in cells] == ["<5", "<5", "x"] + ["<5"] * 9, month_row
    assert "terug te rekenen" in words

    # Platforms: WhatsApp 10, Discord 4. Every platform is listed, Discord "< 5" like the
    # ones without reports, so its absence names nothing; no "Overig".
    platforms = flat(_section(words, "Meldingen per platform", "Protocol: uitvoering per stap"))
    assert "WhatsApp 10" in platforms and "Discord < 5" in platforms
    assert all(f"{p.label} < 5" in platforms for p in Platform if p.value != "whatsapp")
    assert "Overig" not in words
    assert set(platform_cells(platforms).values()) == {"10", "< 5"}


def test_year_report_leaves_out_pupils_free_text_and_names(store, year_data, tmp_path):
    for school in (None, "De Regenboog"):
        pdf = year_report_pdf(store, YEAR, school=school, today=TODAY)
        text = pdf_text(tmp_path, pdf, f"private-{school}")
        for marker in MARKERS:
            assert marker not in text, marker
        for absent in ("Mw. Jansen", "Dhr. Smit", "Foto gedeeld", "90001"):
            assert absent not in text, absent


def test_year_report_for_all_schools_counts_every_school_of_that_year(store, year_data, tmp_path):
    words = flat(pdf_text(tmp_path, year_report_pdf(store, YEAR, today=TODAY), "all"))
    assert "alle scholen" in words
    assert "Meldingen in het schooljaar 15" in words  # 17, rounded; not June 2023's report
    # WhatsApp 10, Instagram 7 (rounded to 5), Discord 4 ("< 5", as a platform without
    # reports): every platform listed, nothing merged into "Overig".
    platforms = _section(words, "Meldingen per platform", "Protocol: uitvoering per stap")
    assert "WhatsApp 10" in platforms and "Instagram 5" in platforms
    assert "Discord < 5" in platforms and "TikTok < 5" in platforms
    assert "Overig" not in words
    assert set(platform_cells(platforms).values()) == {"10", "5", "< 5"}  # no 4, 7 or 17
    assert "Het Baken College: 0 van" in words


def test_year_report_without_suppression_shows_small_counts(store, year_data, tmp_path):
    pdf = year_report_pdf(store, YEAR, school="De Regenboog", minimum=None, today=TODAY)
    layout = pdf_text(tmp_path, pdf, "internal", "-layout")
    platforms = _section(layout, "Meldingen per platform", "Protocol: uitvoering per stap")
    assert "Discord 4" in flat(platforms)
    assert "< 5" not in layout
    assert "Intern verslag" in flat(layout)


def test_year_report_of_an_empty_database_says_there_are_no_reports(store, tmp_path):
    # The care team's report says so; a shared one shows zero like 1-4: "< 5", below the base.
    pdf = year_report_pdf(store, "2024-2025", minimum=None, today=date(2025, 9, 1))
    words = flat(pdf_text(tmp_path, pdf, "empty"))
    assert "Jaarverslag online pesten 2024-2025" in words
    assert "alle scholen" in words
    assert "Meldingen in het schooljaar 0" in words
    assert "Er zijn in schooljaar 2024-2025 geen meldingen van online pesten vastgelegd." in words
    assert "nog geen school bekend" in words
    assert "Lessen per groep" in words
    shared = flat(
        pdf_text(tmp_path, year_report_pdf(store, "2024-2025", today=date(2025, 9, 1)), "e2")
    )
    assert "Meldingen in het schooljaar < 5" in shared
    assert "Minder dan 10 meldingen bij deze keuze" in shared
    assert "geen meldingen van online pesten" not in shared and "Lessen per groep" in shared


def test_year_report_with_only_small_counts_shows_no_breakdown_but_renders(
    store, valid_incident_data, tmp_path
):
    for number in range(3):
        incident_log.add_incident(
            store,
            validate_incident(
                valid_incident_data(reported_on=date(2023, 10, 2 + number), happened_on=None)
            ),
            actor="x",
        )
    words = flat(pdf_text(tmp_path, year_report_pdf(store, YEAR, today=TODAY), "small"))
    assert "Meldingen in het schooljaar < 5" in words
    # Below the base of 10: no months, platforms, motives or steps, only the sentence why.
    assert "Minder dan 10 meldingen bij deze keuze: we tonen geen verdeling" in words
    for section in ("Meldingen per maand", "Meldingen per platform", "Protocol: uitvoering"):
        assert section not in words, section
    assert "WhatsApp" not in words and "okt" not in words


def test_year_report_marks_months_still_to_come(store, year_data, tmp_path):
    pdf = year_report_pdf(store, YEAR, school="De Regenboog", today=date(2024, 3, 10))
    layout = pdf_text(tmp_path, pdf, "running", "-layout")
    month_row = next(line for line in layout.splitlines() if line.strip().startswith("Meldingen  "))
    assert month_row.split()[-4:] == ["—", "—", "—", "—"]  # april to july


@pytest.mark.parametrize("year", ["2024", "2024-2026", "24-25", "abcd-efgh"])
def test_year_report_refuses_a_malformed_school_year(store, year):
    with pytest.raises(ValueError, match="Schooljaar"):
        year_report_pdf(store, year)


def test_year_report_on_demo_data_shows_no_pupils_or_staff(store, tmp_path):
    today = date(2025, 7, 31)
    incident_log.add_incidents(store, demo.generate(1500, seed=3, today=today), actor="demo")
    pdf = year_report_pdf(store, "2024-2025", today=today)
    text = pdf_text(tmp_path, pdf, "demo")
    words = flat(text)
    assert "Kerncijfers" in words and "Meldingen per platform" in words
    for handler in demo.HANDLERS:
        assert handler not in text
    for incident_id in (1, 700, 1500):
        incident = lookup.get_incident(store, incident_id)
        for pupil in incident["pupils"]:
            assert pupil["pupil_number"] not in text
        assert incident["descriptions"][0]["text"] not in words


# --- sections per form, age band and group -----------------------------------------------------

BREAKDOWN_HEADINGS = [
    ("Meldingen per vorm", "Vorm van pesten", [f.label for f in Form]),
    ("Meldingen per leeftijd", "Leeftijd", AGE_BANDS),
    ("Meldingen per groep of klas", "Groep of klas", GROUPS),
]
SECTION_AFTER = {
    "Meldingen per vorm": "Meldingen per leeftijd",
    "Meldingen per leeftijd": "Meldingen per groep of klas",
    "Meldingen per groep of klas": "Meldingen per motief",
}
CELL = r"(<\s?5|x|\d[\d.]*)"


def section_cells(layout: str, heading: str, head: str) -> dict[str, str]:
    """The cells of a section's table, label -> text, from `pdftotext -layout`: the lines
    under the table's head (the chart's labels and axis come before it)."""
    section = _section(layout, heading, SECTION_AFTER[heading])
    table = section[section.index(head) :].splitlines()[1:]
    cells = {}
    for line in table:
        m = re.match(rf"^\s*(\S.*?)\s{{2,}}{CELL}\s*$", line)
        if m:
            cells[m.group(1)] = m.group(2).replace("< ", "<").replace("<", "< ")
    return cells


SMALL = "< 5"
# year_data: De Regenboog 10 reports in groep 7, all gossip; Het Baken College 7 in klas 2,
# gossip and exclusion. Shared, every label is listed, small and zero alike "< 5".
EXPECTED_SECTIONS = {
    ("De Regenboog", 5): {
        "Vorm van pesten": {Form.GOSSIP.label: "10"},
        "Leeftijd": {"8-11 jaar": "10"},
        "Groep of klas": {"groep 7": "10"},
    },
    (None, 5): {
        "Vorm van pesten": {Form.GOSSIP.label: "15", Form.EXCLUSION.label: "5"},
        "Leeftijd": {"8-11 jaar": "10", "12-14 jaar": "5"},
        "Groep of klas": {"groep 7": "10", "klas 2": "5"},
    },
    ("De Regenboog", None): {
        "Vorm van pesten": {Form.GOSSIP.label: "10"},
        "Leeftijd": {"8-11 jaar": "10"},
        "Groep of klas": {"groep 7": "10"},
    },
    (None, None): {
        "Vorm van pesten": {Form.GOSSIP.label: "17", Form.EXCLUSION.label: "7"},
        "Leeftijd": {"8-11 jaar": "10", "12-14 jaar": "7"},
        "Groep of klas": {"groep 7": "10", "klas 2": "7"},
    },
}


@pytest.mark.parametrize("school", ["De Regenboog", None], ids=["one school", "all schools"])
@pytest.mark.parametrize("minimum", [5, None], ids=["shared", "internal"])
def test_year_report_has_sections_per_form_age_band_and_group(
    store, year_data, tmp_path, school, minimum
):
    pdf = year_report_pdf(store, YEAR, school, minimum=minimum, today=TODAY)
    layout = pdf_text(tmp_path, pdf, "sections", "-layout")
    words = flat(layout)
    order = [words.index(heading) for heading in BREAKDOWNS.values()]
    assert order == sorted(order), "the sections in their order"
    for heading, head, labels in BREAKDOWN_HEADINGS:
        cells = section_cells(layout, heading, head)
        expected = EXPECTED_SECTIONS[(school, minimum)][head]
        if minimum:  # every label, the ones without a count of their own "< 5"
            expected = {label: expected.get(label, SMALL) for label in labels}
        assert cells == expected, heading
    if minimum:
        assert "Overig" not in words
    # Ages and groups read young to old, not by size.
    internal_all = (school, minimum) == (None, None)
    bands = list(section_cells(layout, "Meldingen per leeftijd", "Leeftijd"))
    assert bands == (["8-11 jaar", "12-14 jaar"] if internal_all else bands)
    assert bands == [b for b in AGE_BANDS if b in bands]


def test_year_report_cells_match_the_board_export(store, tmp_path):
    """The same cell reads the same in the yearly report and `export --share`: each school's
    forms and age bands over the school year (the cell-key idea, docs/DESIGN.md)."""
    today = date(2025, 7, 31)
    incident_log.add_incidents(store, demo.generate(1500, seed=3, today=today), actor="demo")
    start, end = date(2024, 8, 1), date(2025, 7, 31)
    board = share_frame(store, Filters(start=start, end=end, today=today))
    compared = 0
    for school in sorted(set(board["School"])):
        mine = board[board["School"] == school]
        pdf = year_report_pdf(store, "2024-2025", school, today=today)
        layout = pdf_text(tmp_path, pdf, "board", "-layout")
        for kind, heading, head in (
            ("Vorm", "Meldingen per vorm", "Vorm van pesten"),
            ("Leeftijd", "Meldingen per leeftijd", "Leeftijd"),
        ):
            rows = mine[mine["Kenmerk"] == kind]
            exported = {
                label: str(int(count)) if pd.notna(count) else note.split(":")[0]
                for label, count, note in zip(
                    rows["Waarde"], rows["Aantal meldingen"], rows["Toelichting"], strict=True
                )
            }
            assert exported, (school, kind)
            assert section_cells(layout, heading, head) == exported, (school, kind)
            compared += len(exported)
    assert compared >= 2 * (len(Form) + len(AGE_BANDS))


def _pages(layout: str) -> list[list[str]]:
    """Each page's lines with text, without the footer (pdftotext ends a page with \\f)."""
    return [
        [line.strip() for line in page.splitlines() if line.strip()][:-1]
        for page in layout.split("\f")
        if page.strip()
    ]


HEADINGS = (
    "Kerncijfers",
    "Meldingen per maand",
    *BREAKDOWNS.values(),
    "Protocol: uitvoering per stap",
    "Schoolbrede acties",
    "Lessen per groep",
)


@pytest.mark.parametrize("school", ["De Regenboog", None], ids=["one school", "all schools"])
@pytest.mark.parametrize("minimum", [5, None], ids=["shared", "internal"])
def test_no_heading_ends_a_page(store, tmp_path, school, minimum):
    today = date(2025, 7, 31)
    incident_log.add_incidents(store, demo.generate(600, seed=5, today=today), actor="demo")
    pdf = year_report_pdf(store, "2024-2025", school, minimum=minimum, today=today)
    pages = _pages(pdf_text(tmp_path, pdf, "pages", "-layout"))
    assert len(pages) > 3
    found = [line for page in pages for line in page if line in HEADINGS]
    assert set(found) == set(HEADINGS)
    for number, lines in enumerate(pages, start=1):
        assert lines[-1] not in HEADINGS, (number, lines[-1])


def test_a_section_heading_moves_to_the_next_page_with_its_table(store, year_data, tmp_path):
    """Whatever stands above it: the heading 'Meldingen per vorm' is on the page of its
    chart and table, at every height from the top to the foot of the page."""
    figures = year_report.year_figures(store, YEAR, "De Regenboog", today=TODAY, minimum=5)
    section = year_report._breakdown_section(figures.trends["form"], "form", 10, 5, frozenset())
    moved = 0
    for height in range(0, 700, 25):
        story = [Spacer(1, height), *section]
        pdf = build(story, "proef", "proef")
        pages = _pages(pdf_text(tmp_path, pdf, f"filler-{height}", "-layout"))
        with_heading = next(p for p in pages if "Meldingen per vorm" in p)
        assert any(line.startswith("Anders") for line in with_heading), height
        assert with_heading[-1] != "Meldingen per vorm", height
        moved += pages.index(with_heading) > 0
    assert moved, "at some height the section did not fit and moved as a whole"
