"""The parent evening: no free text, staff name or pupil number reaches the slides, small
counts are suppressed, and the exported file works offline in real Chromium.

Everything is real: SQLite files in tmp_path, the CLI as a school runs it, the notebook in an
nbclient kernel, the exported page in Debian's Chromium with the network blocked.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from datetime import date, timedelta

import nbclient
import nbformat
import plotly.graph_objects as go
import pytest
from helpers import cli
from playwright.sync_api import expect

from pestdata.core import clock
from pestdata.core.choices import Form, Platform
from pestdata.core.model import (
    LessonGiven,
    SchoolActionDone,
    check_pupil_number,
    validate_incident,
    validate_step,
)
from pestdata.core.shipped import NOTEBOOKS
from pestdata.db.store import Store
from pestdata.documents.evening_figures import aggregate_figures, is_this_evening
from pestdata.documents.parent_evening import build_slides, export_html
from pestdata.incidents import incident_log
from pestdata.overview.filters import school_year_of
from pestdata.school import demo, school_names, school_records
from pestdata.ui.slides import SlideShow, offline_name, ouderavond_app

NOTEBOOK = NOTEBOOKS / "ouderavond.ipynb"  # the checkout's, or the installed copy
TIMEOUT = 20_000

FIXED_TODAY = date(2026, 6, 15)  # school year 2025-2026; the year before is 2024-2025
YEAR = "2025-2026"

# --- planted markers: none of these may ever reach a parent-evening view --------------------

PUPIL_MARKERS = [f"MK-9133{n:02d}" for n in range(40)]
MARKER_RE = re.compile(
    r"MARKER-(?:DESC|NOTE)-\d+|Marker (?:Handler|Stapzetter|Actiedoener|Lesgever) \d+"
    r"|MK-9133\d\d"
)


def assert_no_marker(text: str, where: str) -> None:
    found = MARKER_RE.search(text)
    assert found is None, (
        f"{where} shows {found.group()!r}: …{text[max(0, found.start() - 80) : found.end() + 80]}…"
    )


def test_marker_check_itself_finds_every_kind_of_marker():
    """The leak check is only worth something if it recognises each planted marker."""
    samples = [
        "MARKER-DESC-1",
        "MARKER-NOTE-12",
        "Marker Handler 3",
        "Marker Stapzetter 4",
        "Marker Actiedoener 5",
        "Marker Lesgever 6",
        *PUPIL_MARKERS,
    ]
    for sample in samples:
        with pytest.raises(AssertionError):
            assert_no_marker(f"x {sample} y", "sample")
    for code in PUPIL_MARKERS:
        assert check_pupil_number(code) == code  # valid codes, so the store accepts them


# --- building data ---------------------------------------------------------------------------


def report(
    school: str,
    reported_on: date,
    platforms=("whatsapp",),
    forms=("gossip",),
    group: str = "klas 2",
    pupils=("700001",),
    handler: str = "mevr. Test",
    description: str = "Berichten in de klassengroep.",
):
    """A validated incident (the real validation: pupil codes, dates, groups)."""
    return validate_incident(
        {
            "school": school,
            "reported_on": reported_on,
            "happened_on": reported_on,
            "reporter": "parent",
            "pupils": [
                {"pupil_number": p, "role": "target" if i == 0 else "bully"}
                for i, p in enumerate(pupils)
            ],
            "group": group,
            "platforms": list(platforms),
            "forms": list(forms),
            "severity": "medium",
            "handler": handler,
            "description": description,
        }
    )


def step(step_id: str, done_on: date, done_by: str, note: str = ""):
    return validate_step({"step_id": step_id, "done_on": done_on, "done_by": done_by, "note": note})


def plant_markers(store: Store, real_today: date) -> None:
    """Markers in every free-text, staff-name and pupil-number field, in each school and in
    this school year (real and fixed), the year before and the year after the fixed one."""
    dates = [
        real_today - timedelta(days=3),
        max(real_today - timedelta(days=40), date(int(school_year_of(real_today)[:4]), 8, 1)),
        FIXED_TODAY - timedelta(days=20),
        date(2025, 10, 7),
        date(2025, 3, 11),
    ]
    serial = iter(range(1, 1000))
    pupils = iter(PUPIL_MARKERS)
    reports = []
    for school, group in (("De Regenboog", "groep 7"), ("Het Baken College", "klas 2")):
        for day in dates:
            n = next(serial)
            incident = report(
                school,
                day,
                platforms=("whatsapp", "snapchat"),
                forms=("gossip", "threats"),
                group=group,
                pupils=(next(pupils), next(pupils), next(pupils)),
                handler=f"Marker Handler {n}",
                description=f"MARKER-DESC-{n} zag berichten over de leerling.",
            )
            steps = [
                step("steun", day, f"Marker Stapzetter {n}", f"MARKER-NOTE-{n} gesprek"),
                step("betrek", day, f"Marker Stapzetter {n + 500}", f"MARKER-NOTE-{n + 500}"),
            ]
            reports.append((incident, steps))
    incident_log.add_incidents(store, reports[1:], actor="Marker Handler 901")
    # The one-at-a-time paths too: one report, its steps ticked, its description appended.
    ids = [incident_log.add_incident(store, reports[0][0], actor="Marker Handler 900")]
    for done in reports[0][1]:
        incident_log.record_step(store, ids[0], done, actor="Marker Handler 900")
    incident_log.append_description(
        store, ids[0], "MARKER-DESC-902 aanvulling", actor="Marker Handler 902"
    )
    incident_log.record_step(
        store, ids[0], step("hulp", dates[0], "Marker Stapzetter 903", "MARKER-NOTE-903"), "x"
    )
    for school, group in (("De Regenboog", "groep 6"), ("Het Baken College", "klas 1")):
        for n, action in enumerate(("ouderavond", "besproken_in_klas"), start=910):
            school_records.record_school_action(
                store,
                SchoolActionDone(
                    school=school,
                    action_id=action,
                    done_on=real_today - timedelta(days=2),
                    done_by=f"Marker Actiedoener {n}",
                    note=f"MARKER-NOTE-{n}",
                ),
                actor=f"Marker Actiedoener {n}",
            )
        # Today's lessons (the running month) and some in a month already over (counted).
        for n, day in enumerate((real_today, FIXED_TODAY, dates[1], dates[2]), start=920):
            school_records.log_lesson(
                store,
                LessonGiven(
                    school=school,
                    material_id="slim_online",
                    group=group,
                    given_on=day,
                    given_by=f"Marker Lesgever {n}",
                ),
                actor=f"Marker Lesgever {n}",
            )


@pytest.fixture(scope="module")
def marker_db(tmp_path_factory):
    """Demo data up to the real today (the CLI and the notebook use the real date) plus
    hand-made reports carrying markers. Returns (url, path, store)."""
    path = tmp_path_factory.mktemp("markers") / "markers.sqlite"
    url = f"sqlite:///{path}"
    store = Store(url).ensure_schema()
    real_today = clock.today()
    incident_log.add_incidents(store, demo.generate(1200, seed=11, today=real_today), actor="demo")
    # Whatever the date, this school year has enough reports per school for a breakdown.
    year_start = date(int(school_year_of(real_today)[:4]), 8, 1)
    incident_log.add_incidents(
        store,
        [
            (report(school, year_start, group=group), [])
            for school, group in (("De Regenboog", "groep 8"), ("Het Baken College", "klas 3"))
            for _ in range(6)
        ],
        actor="test",
    )
    plant_markers(store, real_today)
    return url, path, store


def test_markers_are_really_in_the_database(marker_db):
    """Guard against a vacuous leak test: every kind of marker is stored."""
    _, path, _ = marker_db
    with sqlite3.connect(path) as db:

        def count(sql):
            return db.execute(sql).fetchone()[0]

        assert count("select count(*) from descriptions where text like 'MARKER-DESC-%'") == 11
        assert count("select count(*) from steps_done where note like 'MARKER-NOTE-%'") == 21
        assert count("select count(*) from steps_done where done_by like 'Marker Stap%'") == 21
        assert count("select count(*) from incidents where handler like 'Marker Handler%'") == 10
        assert (
            count("select count(*) from incident_pupils where pupil_number like 'MK-9133%'") == 30
        )
        assert count("select count(*) from school_actions_done where done_by like 'Marker%'") == 4
        assert count("select count(*) from lessons_given where given_by like 'Marker Les%'") == 8


def figure_texts(slides) -> list[tuple[str, str]]:
    out = []
    for number, s in enumerate(slides):
        out += [(f"slide {number} title", s.title), (f"slide {number} body", s.body)]
        if s.figure is not None:
            out.append((f"slide {number} figure", json.dumps(s.figure)))
    return out


@pytest.mark.parametrize("today", [FIXED_TODAY, None], ids=["fixed-today", "real-today"])
def test_no_marker_in_figures_or_slides(marker_db, today):
    _, _, store = marker_db
    schools = school_names.names(store)
    assert set(schools) == {"De Regenboog", "Het Baken College"}
    for school in schools:
        figures = aggregate_figures(store, school, today=today or clock.today())
        if (today or clock.today()).month == 8:  # no month of this school year is over yet
            assert not figures.breakdown and figures.by_platform == ()
        else:  # Not vacuous: a full breakdown with platforms, forms, months, actions, lessons.
            assert figures.breakdown and figures.by_platform and figures.by_form
            assert figures.actions_done and any(n for _, n in figures.lessons_by_band)
        assert_no_marker(repr(figures), f"repr(aggregate_figures) for {school}")
        slides = build_slides(figures)
        assert sum(s.figure is not None for s in slides) == 4
        for s in slides:  # drawn by plotly.js as made: plotly's validator reads each one
            assert s.figure is None or go.Figure(s.figure).data
        for where, text in figure_texts(slides):
            assert_no_marker(text, f"{school} {where}")


@pytest.fixture(scope="module")
def cli_export(marker_db, tmp_path_factory):
    """`pestdata parent-evening` on the marker database, with no PESTDATA_* of the tests."""
    url, _, store = marker_db
    out = tmp_path_factory.mktemp("export") / "ouderavond.html"
    unset = {"PESTDATA_DB": None, "PESTDATA_MIN_COUNT": None}
    result = cli("parent-evening", "--db", url, "--out", str(out), env=unset)
    assert result.returncode == 0, result.stderr
    school = school_names.names(store)[0]
    slides = build_slides(aggregate_figures(store, school))
    return out, result.stdout, school, slides


def test_cli_export_has_no_marker(cli_export):
    out, stdout, school, slides = cli_export
    assert f"Presentatie voor {school}: {len(slides)} dia's" in stdout
    page = out.read_text(encoding="utf-8")
    # Not vacuous: this is the busiest school's presentation with all its slides.
    assert page.count("<section class='pd-slide'>") == len(slides) == 9
    assert f"<title>Ouderavond · {school}</title>" in page
    assert_no_marker(page, "exported HTML")


def test_notebook_output_has_no_marker(marker_db, monkeypatch, tmp_path):
    url, _, store = marker_db
    monkeypatch.setenv("PESTDATA_DB", url)  # the kernel inherits it; restored afterwards
    monkeypatch.delenv("PESTDATA_MIN_COUNT", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    original_cells = len(nb.cells)
    # An extra cell after the notebook's own steps the presentation through every slide, so
    # every slide's widget values end up in the output, not only the first.
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "_show = _\n"
            "for _i in range(len(_show.state.slides)):\n"
            "    _show.show(_i)\n"
            "    print(_show.position.value, _show.text.value, _show.chart.spec)\n"
        )
    )
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert len(nb.cells) == original_cells + 1
    assert "application/vnd.jupyter.widget-view+json" in nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})
    text = nbformat.writes(nb) + json.dumps(dict(nb.metadata))
    school = school_names.names(store)[0]
    slides = build_slides(aggregate_figures(store, school))
    # Not vacuous: the kernel read the planted database and showed every slide.
    assert f"<h1>{school}</h1>" in text
    assert f"{len(slides)} / {len(slides)}" in text
    assert "Waar gebeurde het?" in text  # a figure went into the chart output
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert_no_marker(text, "executed ouderavond.ipynb")


# --- hand-made data for suppression ----------------------------------------------------------


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    """Kleine School: 4 reports this school year. Middenschool: 12 (TikTok 4). Andere School:
    27, mostly TikTok, never counted for the others."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('small')}/small.sqlite").ensure_schema()
    reports = []

    def add(school, days, **kw):
        reports.extend((report(school, d, **kw), []) for d in days)

    # Kleine School: 4 now, 6 the year before, 3 the year after; none of those others count.
    add("Kleine School", [date(2025, 9, 1 + i) for i in range(4)], group="groep 5")
    add("Kleine School", [date(2024, 11, 1 + i) for i in range(6)], group="groep 5")
    add("Kleine School", [date(2026, 8, 1 + i) for i in range(3)], group="groep 5")
    # Middenschool, 2025-2026: aug 5 (the first day of the year), okt 3, nov 4.
    add("Middenschool", [date(2025, 8, 1 + i) for i in range(5)], group="klas 1")
    add("Middenschool", [date(2025, 10, 6), date(2025, 10, 7)], group="klas 2")
    add("Middenschool", [date(2025, 10, 8)], forms=("exclusion",), group="klas 2")
    add(
        "Middenschool",
        [date(2025, 11, 3 + i) for i in range(4)],
        platforms=("tiktok",),
        forms=("exclusion",),
        group="klas 2",
    )
    # Middenschool, 2024-2025: okt 6, mrt 2, jul 5 (the last day of the year).
    add("Middenschool", [date(2024, 10, 1 + i) for i in range(6)], group="klas 1")
    add("Middenschool", [date(2025, 3, 3), date(2025, 3, 4)], group="klas 1")
    add("Middenschool", [date(2025, 7, 31)] * 5, group="klas 1")
    # Andere School in 2025-2026: 20 TikTok in november, 7 in august.
    add("Andere School", [date(2025, 11, 3)] * 20, platforms=("tiktok",), group="groep 6")
    add("Andere School", [date(2025, 8, 4)] * 7, platforms=("tiktok",), group="groep 6")
    incident_log.add_incidents(store, reports, actor="test")

    school_records.record_school_action(
        store,
        SchoolActionDone(
            school="Middenschool", action_id="ouderavond", done_on=date(2025, 9, 1), done_by="x"
        ),
        actor="x",
    )
    school_records.record_school_action(
        store,
        SchoolActionDone(
            school="Andere School",
            action_id="besproken_in_klas",
            done_on=date(2025, 9, 1),
            done_by="x",
        ),
        actor="x",
    )
    for school, group, day in (
        ("Middenschool", "klas 1", date(2025, 9, 10)),
        ("Middenschool", "klas 2", date(2025, 9, 11)),
        ("Middenschool", "klas 1", date(2025, 5, 1)),  # the year before: not counted
        ("Andere School", "groep 6", date(2025, 9, 10)),
    ):
        school_records.log_lesson(
            store,
            LessonGiven(
                school=school, material_id="slim_online", group=group, given_on=day, given_by="x"
            ),
            actor="x",
        )
    return store


def figure_values(figure) -> list:
    """Every x, y and text value of every trace."""
    values = []
    for trace in figure["data"]:
        for key in ("x", "y", "text"):
            values += list(trace.get(key) or ())
    return values


def by_title(slides):
    return {s.title: s for s in slides}


def test_four_reports_give_no_breakdown(small_db):
    figures = aggregate_figures(small_db, "Kleine School", today=FIXED_TODAY, minimum=5)
    assert figures.school_year == YEAR
    assert figures.total == 4
    assert figures.breakdown is False
    assert figures.by_platform == figures.by_form == figures.by_month == ()
    assert figures.shown(figures.total) == "< 5"
    assert figures.actions_done == () and figures.lessons_by_band == (
        ("4-7 jaar", 0),
        ("8-11 jaar", 0),
    )

    slides = build_slides(figures)
    titles = [s.title for s in slides]
    assert "Welke vormen?" not in titles and "De trend" not in titles
    assert [s.title for s in slides if s.figure is not None] == []
    ours = by_title(slides)[f"Onze school in {YEAR}"]
    assert "&lt; 5 meldingen" in ours.body and "te weinig" in ours.body
    assert not re.search(r"\b4 meldingen", " ".join(s.body for s in slides))


def test_four_reports_with_the_default_threshold_from_the_environment(small_db, monkeypatch):
    monkeypatch.delenv("PESTDATA_MIN_COUNT", raising=False)
    assert aggregate_figures(small_db, "Kleine School", today=FIXED_TODAY).breakdown is False
    assert aggregate_figures(small_db, "Kleine School", today=FIXED_TODAY).shown(4) == "< 5"
    monkeypatch.setenv("PESTDATA_MIN_COUNT", "3")
    figures = aggregate_figures(small_db, "Kleine School", today=FIXED_TODAY)
    # 4 is not small with minimum 3 (shown rounded: 5), but below the base of 10 reports
    # there is still no breakdown.
    assert figures.minimum == 3 and figures.shown(figures.total) == "5"
    assert figures.breakdown is False and figures.by_platform == ()


def test_a_platform_with_four_reports_is_listed_like_one_without_any(small_db):
    """12 reports: WhatsApp 8, TikTok 4. Every platform is listed, TikTok "< 5" exactly
    like the platforms without reports, so neither its count nor that it occurred can be
    read; no "Overig" (12, shown rounded as 10)."""
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    assert figures.total == 12 and figures.breakdown is True
    assert figures.by_platform == tuple(
        (p.label, 10 if p is Platform.WHATSAPP else "< 5") for p in Platform
    )
    assert figures.by_form == tuple(  # 7 and 5, rounded
        (f.label, 5 if f in (Form.GOSSIP, Form.EXCLUSION) else "< 5") for f in Form
    )
    assert figures.shown(figures.total) == "10"
    # The evening itself (ticked as done) is not on the slides: neither done nor to do.
    assert figures.actions_done == ()
    assert len(figures.actions_open) == 5
    assert figures.lessons_by_band == (("12-14 jaar", 2), ("15-18 jaar", 0))

    slides = build_slides(figures)
    ours = by_title(slides)[f"Onze school in {YEAR}"]
    assert "10 meldingen van online pesten" in ours.body
    assert "12" not in ours.body and "Overig" not in ours.body
    bars = ours.figure["data"][0]
    assert list(bars["y"])[0] == Platform.WHATSAPP.label and list(bars["x"])[0] == 10
    assert sorted(bars["y"]) == sorted(p.label for p in Platform)
    tiktok = list(bars["y"]).index(Platform.TIKTOK.label)
    instagram = list(bars["y"]).index(Platform.INSTAGRAM.label)  # no reports
    assert bars["x"][tiktok] is None and bars["x"][instagram] is None
    assert bars["text"][tiktok] == bars["text"][instagram] == "< 5"
    forms = by_title(slides)["Welke vormen?"].figure["data"][0]
    assert list(forms["y"])[:2] == [Form.GOSSIP.label, Form.EXCLUSION.label]
    assert list(forms["x"]) == [5, 5] + [None] * (len(Form) - 2)
    for s in slides:
        if s.figure is not None:
            values = figure_values(s.figure)
            assert values, s.title
            for exact in (4, 8, 7, 12):  # exact counts, small or not, never reach a slide
                assert exact not in values and str(exact) not in values, (s.title, values)


def test_months_this_year_and_last_year(small_db):
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    months = ["aug", "sep", "okt", "nov", "dec", "jan", "feb", "mrt", "apr", "mei", "jun", "jul"]
    # This year up to May, the last complete month (June and July not counted yet: None):
    # aug 5, okt 3, nov 4, the rest 0. Every month "< 5" but August: its 5 (at most 7)
    # would prove okt and nov nonzero against the total (12, shown 10: at least 8), so it
    # is hidden ("x").
    now = {"aug": "x", "jun": None, "jul": None}
    # Last year: okt 6 and jul 5 (31 July) shown rounded, mrt 2 "< 5" like the empty months.
    before = {"okt": 5, "jul": 5}
    assert figures.by_month == tuple((m, now.get(m, "< 5"), before.get(m, "< 5")) for m in months)

    trend = by_title(build_slides(figures))["De trend"].figure["data"]
    assert [t["name"] for t in trend] == [YEAR, "vorig schooljaar"]
    assert list(trend[0]["x"]) == list(trend[1]["x"]) == months
    assert list(trend[0]["y"]) == [None] * 12  # no bar for "< 5", "x" or not counted
    assert list(trend[1]["y"]) == [before.get(m) for m in months]


def test_trend_slide_tells_months_without_a_bar_from_months_not_counted_yet(small_db):
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    trend = by_title(build_slides(figures))["De trend"]
    data = trend.figure["data"][0]
    months = list(data["x"])
    texts = list(data.get("text") or [""] * len(months))
    # okt 3, nov 4 and sep 0 alike: counted, without a bar (zero looks like 1-4).
    for month in ("okt", "nov", "sep"):
        marked = re.search(rf"Zonder staaf:[^<(]*\b{month}\b", trend.body)
        assert marked, (month, texts, trend.body)
    for month in ("jun", "jul"):  # not over yet on 15 June: not counted, not listed
        assert not re.search(rf"Zonder staaf:[^<(]*\b{month}\b", trend.body), month


def test_custom_minimum_changes_the_rule(small_db):
    three = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=3)
    assert three.minimum == 3
    # 8 and 4 are not small with minimum 3; shown rounded to 5; 0 is "< 3".
    shown = {label: n for label, n in three.by_platform if n != "< 3"}
    assert shown == {Platform.WHATSAPP.label: 10, Platform.TIKTOK.label: 5}
    assert len(three.by_platform) == len(Platform)
    assert dict((m, n) for m, n, _ in three.by_month)["okt"] == 5  # 3
    assert dict((m, n) for m, _, n in three.by_month)["mrt"] == "< 3"  # 2 < 3
    small = aggregate_figures(small_db, "Kleine School", today=FIXED_TODAY, minimum=3)
    # 4 reports (shown 5) stay below the base of 10, whatever the minimum.
    assert small.shown(small.total) == "5" and small.breakdown is False
    body = by_title(build_slides(three))[f"Onze school in {YEAR}"].body
    assert "‘&lt; 3’" in body and "Overig" not in str(three.by_platform)

    thirteen = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=13)
    assert thirteen.breakdown is False and thirteen.shown(thirteen.total) == "< 13"
    assert thirteen.by_platform == thirteen.by_month == ()


def test_other_schools_are_not_counted(small_db):
    other = aggregate_figures(small_db, "Andere School", today=FIXED_TODAY, minimum=5)
    assert other.total == 27
    assert dict(other.by_platform) == {
        p.label: 25 if p is Platform.TIKTOK else "< 5" for p in Platform
    }
    assert other.actions_done == ("Online pesten besproken in de klas",)
    assert other.lessons_by_band == (("4-7 jaar", 0), ("8-11 jaar", 1))
    mine = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    assert mine.total == 12 and dict(mine.by_platform)[Platform.TIKTOK.label] == "< 5"  # 4
    unknown = aggregate_figures(small_db, "Nergens", today=FIXED_TODAY, minimum=5)
    assert unknown.total == 0 and unknown.breakdown is False and unknown.actions_done == ()


def test_school_name_is_escaped_in_the_export(small_db):
    figures = aggregate_figures(small_db, "<i>Sint & Co</i>", today=FIXED_TODAY, minimum=5)
    page = export_html(build_slides(figures), figures.school)
    assert "<i>Sint" not in page
    assert "<h1>&lt;i&gt;Sint &amp; Co&lt;/i&gt;</h1>" in page
    assert "<title>Ouderavond · &lt;i&gt;Sint &amp; Co&lt;/i&gt;</title>" in page


# --- the SlideShow widget (no browser) -------------------------------------------------------


def test_slideshow_widget_clamps_and_shows_figures(small_db):
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    slides = build_slides(figures)
    show = SlideShow(lambda school: slides, ["Middenschool"], "Middenschool")
    assert len(slides) == 9
    assert show.state.index == 0 and show.position.value == "1 / 9" and show.chart.spec == {}
    assert show.text.value.startswith("<h1>Middenschool</h1>")

    show.show(2)  # Onze school: the platform chart
    assert show.position.value == "3 / 9"
    assert show.chart.spec["data"][0]["y"][0] == Platform.WHATSAPP.label
    assert len(show.chart.spec["data"][0]["y"]) == len(Platform)  # every platform listed
    assert show.chart.spec["config"]["displaylogo"] is False
    assert f"<h1>Onze school in {YEAR}</h1>" in show.text.value

    show.show(1)  # no figure: the chart is cleared
    assert show.chart.spec == {} and show.position.value == "2 / 9"
    show.show(-3)
    assert show.state.index == 0 and show.position.value == "1 / 9"
    show.prev.click()
    assert show.state.index == 0
    show.next.click()
    assert show.state.index == 1 and show.position.value == "2 / 9"
    show.show(100)
    assert show.state.index == 8 and show.position.value == "9 / 9"
    assert "<h1>Hier vinden kinderen en ouders hulp</h1>" in show.text.value
    show.next.click()
    assert show.state.index == 8


def test_ouderavond_app_defaults_to_the_busiest_school_and_the_presenter_chooses(small_db):
    app = ouderavond_app(small_db)
    assert app.school.value == "Andere School"
    assert set(app.school.options) == set(school_names.names(small_db)) >= {"Middenschool"}
    assert app.text.value.startswith("<h1>Andere School</h1>")
    app.show(3)
    app.school.value = "Middenschool"  # what the presenter's choice in the bar does
    assert app.state.index == 0 and app.text.value.startswith("<h1>Middenschool</h1>")
    app.show(2)
    assert f"<h1>Onze school in {clock.SchoolYear.of(clock.today()).label}</h1>" in (app.text.value)


EVENING = "Ouderavond over kinderen en sociale media gehouden"


@pytest.mark.parametrize("school", ["Middenschool", "Andere School", "Kleine School"])
def test_the_school_slide_leaves_out_the_evening_itself(small_db, school):
    """Middenschool ticked the parent evening as done, the others did not: during the
    evening it is neither 'Gedaan' nor 'Nog te doen'; every other action is listed."""
    from pestdata.core.guidance import load_guidance

    figures = aggregate_figures(small_db, school, today=FIXED_TODAY, minimum=5)
    others = [a.title for a in load_guidance().school_actions if a.id != "ouderavond"]
    assert len(others) == len(load_guidance().school_actions) - 1
    assert sorted(figures.actions_done + figures.actions_open) == sorted(others)
    body = by_title(build_slides(figures))["Wat doet de school?"].body
    assert "Ouderavond" not in body and "ouderavond" not in body
    for title in others:
        assert html.escape(title, quote=True) in body or title in body, title
    if school == "Andere School":
        assert figures.actions_done == ("Online pesten besproken in de klas",)


@pytest.mark.parametrize(
    "action_id, title, expected",
    [
        ("ouderavond", EVENING, True),
        ("info_ouders", "Ouderavond sociale media georganiseerd", True),  # a school's own list
        ("OUDERAVOND_2025", "Avond voor ouders", True),
        ("besproken_in_klas", "Online pesten besproken in de klas", False),
        ("ouders_informeren", "Ouders geïnformeerd via de nieuwsbrief", False),
    ],
)
def test_the_evening_is_known_by_its_id_or_its_title(action_id, title, expected):
    assert is_this_evening(action_id, title) is expected


def middenschool_show(small_db) -> SlideShow:
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    slides = build_slides(figures)
    return SlideShow(lambda school: slides, ["Middenschool"], "Middenschool")


def choice(show: SlideShow, key: str):
    return next(c for c in show.choices.children if f"pd-slide-choice-{key}" in c._dom_classes)


def test_hidden_slides_are_skipped_by_the_buttons(small_db):
    show = middenschool_show(small_db)
    keys = [s.key for s in show.state.slides]
    assert keys == ["titel", "wat_is", "cijfers", "vormen", "trend", "school", "ouders",
                    "materiaal", "hulp"]  # fmt: skip
    assert [c.description for c in show.choices.children][:2] == [
        "1. Middenschool",
        "2. Wat is online pesten?",
    ]
    assert all(c.value for c in show.choices.children)
    show.show(4)  # De trend
    choice(show, "trend").value = False  # the presenter unticks the slide on screen
    assert show.state.hidden == {"trend"}
    assert show.text.value.startswith("<h1>Wat doet de school?</h1>")  # moved on
    assert show.position.value == "5 / 8"
    choice(show, "vormen").value = False
    assert show.position.value == "4 / 7"
    seen = []
    show.show(0)
    for _ in range(10):
        seen.append(show.text.value.split("</h1>")[0][4:])
        show.next.click()
    assert "De trend" not in seen and "Welke vormen?" not in seen
    assert seen[:7] == [s.title for s in show.state.slides if s.key not in ("trend", "vormen")]
    choice(show, "trend").value = True  # back again, in its place
    show.show(0)
    assert show.position.value == "1 / 8"
    show.show(3)
    assert show.text.value.startswith("<h1>De trend</h1>")


def test_the_last_slide_shown_cannot_be_hidden(small_db):
    show = middenschool_show(small_db)
    for key in [s.key for s in show.state.slides][1:]:
        choice(show, key).value = False
    assert show.position.value == "1 / 1"
    choice(show, "titel").value = False
    assert show.state.hidden == {s.key for s in show.state.slides} - {"titel"}
    assert choice(show, "titel").value is True
    assert "minstens één dia" in show.note.value
    assert show.text.value.startswith("<h1>Middenschool</h1>")


def test_the_offline_file_from_the_page_holds_the_slides_shown(small_db):
    import base64

    show = middenschool_show(small_db)
    assert show.offline_link.value == ""
    choice(show, "trend").value = False
    show.make_offline.click()
    link = show.offline_link.value
    assert 'download="ouderavond-middenschool.html"' in link
    assert "Offline bestand opslaan: ouderavond-middenschool.html (8 dia&#x27;s," in link
    page = base64.b64decode(re.search(r"base64,([^\"]+)", link).group(1)).decode("utf-8")
    shown = [s for s in show.state.slides if s.key != "trend"]
    assert page == export_html(shown, "Middenschool")  # what `pestdata parent-evening` writes
    assert page.count("<section class='pd-slide'>") == 8 and "De trend" not in page
    choice(show, "trend").value = True  # another choice: the old file is gone
    assert show.offline_link.value == ""


def test_offline_file_names_are_plain():
    assert offline_name("De Regenboog") == "ouderavond-de-regenboog.html"
    assert offline_name("Basisschool 't Startpunt / Zuid") == (
        "ouderavond-basisschool-t-startpunt-zuid.html"
    )
    assert offline_name("***") == "ouderavond-school.html"


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_unknown_school_is_refused_in_dutch(marker_db, tmp_path):
    url, _, _ = marker_db
    out = tmp_path / "x.html"
    result = cli("parent-evening", "--db", url, "--out", str(out), "--school", "Nergensschool")
    assert result.returncode != 0
    assert "onbekende school 'Nergensschool'" in result.stderr
    assert "bekend: Het Baken College, De Regenboog" in result.stderr or (
        "bekend: De Regenboog, Het Baken College" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_cli_export_is_one_self_contained_file(cli_export):
    from plotly.offline import get_plotlyjs

    out, _, _, _ = cli_export
    page = out.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    assert get_plotlyjs() in page  # plotly.js inlined
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    # plotly.js itself names cdn.plot.ly (topojson), jsdelivr (mapbox icons) and map-tile
    # hosts in its code, never loaded for bar charts; outside the library nothing is named.
    rest = page.replace(get_plotlyjs(), "")
    assert len(rest) < 200_000
    assert "https://cdn" not in rest and "<script src" not in rest
    assert not re.search(r"<link\b", rest, flags=re.IGNORECASE)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", rest)


# --- the exported file in real Chromium ------------------------------------------------------


@pytest.fixture
def offline_page(browser):
    """A page that can reach nothing but file:// URLs; records what it tried and its errors."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    tried, errors = [], []
    page.route(
        "**/*", lambda r: r.abort() if not r.request.url.startswith("file:") else r.continue_()
    )
    page.on("request", lambda r: tried.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, tried, errors
    context.close()


@pytest.fixture(scope="module")
def middenschool_export(small_db, tmp_path_factory):
    figures = aggregate_figures(small_db, "Middenschool", today=FIXED_TODAY, minimum=5)
    slides = build_slides(figures)
    out = tmp_path_factory.mktemp("middenschool") / "ouderavond.html"
    out.write_text(export_html(slides, "Middenschool"), encoding="utf-8")
    return out, slides


def goto(page, index: int, total: int) -> None:
    """Arrow keys to slide `index` (0-based)."""
    position = page.locator(".pd-position")
    current = int(position.inner_text().split(" / ")[0]) - 1
    for _ in range(abs(index - current)):
        page.keyboard.press("ArrowRight" if index > current else "ArrowLeft")
    expect(position).to_have_text(f"{index + 1} / {total}")


def expect_charts(page, slides) -> None:
    for number, s in enumerate(slides):
        if s.figure is None:
            continue
        goto(page, number, len(slides))
        current = page.locator(".pd-slide.pd-current")
        expect(current.locator("h1")).to_have_text(s.title)
        svg = current.locator(".js-plotly-plot .main-svg").first
        expect(svg).to_be_visible()
        assert svg.bounding_box()["width"] > 300, s.title
        title = s.figure["layout"]["title"]["text"]
        expect(current.locator(".js-plotly-plot .gtitle")).to_have_text(title)
        # One drawn bar per shown count above zero; suppressed (None) counts draw nothing.
        values = [
            v for t in s.figure["data"] for v in (t["x"] if t.get("orientation") == "h" else t["y"])
        ]
        expect(current.locator(".js-plotly-plot .point")).to_have_count(len(values))
        drawn = current.locator(".js-plotly-plot .point path").evaluate_all(
            "ps => ps.filter(p => { const r = p.getBoundingClientRect();"
            " return r.width > 0.5 && r.height > 0.5; }).length"
        )
        assert drawn == sum(1 for v in values if v), (s.title, values)


@pytest.mark.browser
def test_export_works_offline_with_every_chart(offline_page, middenschool_export):
    page, tried, errors = offline_page
    out, slides = middenschool_export
    page.goto(out.as_uri())
    expect(page.locator(".pd-position")).to_have_text("1 / 9")
    assert page.evaluate("typeof Plotly") == "object"
    assert [s.title for s in slides if s.figure is not None] == [
        f"Onze school in {YEAR}",
        "Welke vormen?",
        "De trend",
        "Wat doet de school?",
    ]
    expect_charts(page, slides)
    assert [u for u in tried if not u.startswith("file:")] == []
    assert errors == []
    # Controls: a request the page would make is recorded (and blocked), an error is seen.
    blocked = page.evaluate(
        "fetch('https://cdn.plot.ly/probe.js').then(() => 'loaded', () => 'blocked')"
    )
    assert blocked == "blocked" and tried[-1] == "https://cdn.plot.ly/probe.js"
    page.evaluate("setTimeout(() => { throw new Error('probe'); }, 0)")
    page.wait_for_timeout(100)
    assert errors and "probe" in errors[-1]


@pytest.mark.browser
def test_export_navigation_buttons_and_keys(offline_page, middenschool_export):
    page, tried, errors = offline_page
    out, slides = middenschool_export
    page.goto(out.as_uri())
    position = page.locator(".pd-position")
    heading = page.locator(".pd-slide.pd-current h1")
    expect(position).to_have_text("1 / 9")
    expect(page.locator(".pd-slide.pd-current")).to_have_count(1)
    expect(heading).to_have_text("Middenschool")

    page.get_by_role("button", name="Volgende").click()
    expect(position).to_have_text("2 / 9")
    expect(heading).to_have_text(slides[1].title)
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text("3 / 9")
    expect(heading).to_have_text(slides[2].title)
    page.get_by_role("button", name="Vorige").click()
    expect(position).to_have_text("2 / 9")
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text("1 / 9")
    page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Vorige").click()
    expect(position).to_have_text("1 / 9")
    expect(heading).to_have_text("Middenschool")

    for n in range(2, 10):
        page.keyboard.press("ArrowRight")
        expect(position).to_have_text(f"{n} / 9")
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Volgende").click()
    expect(position).to_have_text("9 / 9")
    expect(heading).to_have_text(slides[-1].title)
    expect(page.locator(".pd-slide.pd-current")).to_have_count(1)
    assert [u for u in tried if not u.startswith("file:")] == []
    assert errors == []


@pytest.mark.browser
def test_export_age_select_filters_materials(offline_page, middenschool_export):
    page, _, errors = offline_page
    out, slides = middenschool_export
    page.goto(out.as_uri())
    goto(page, [s.title for s in slides].index("Materiaal voor ouders"), len(slides))
    current = page.locator(".pd-slide.pd-current")
    spelend = current.locator(".pd-parent-material", has_text="Spelend leren")
    wijs = current.locator(".pd-parent-material", has_text="WIJS")
    expect(spelend).to_be_visible()
    expect(wijs).to_be_visible()
    current.locator("select.pd-child-age").select_option("13")
    expect(spelend).to_be_hidden()
    expect(wijs).to_be_visible()
    expect(current.locator(".pd-parent-material", has_text="Sociale Media")).to_be_visible()
    current.locator("select.pd-child-age").select_option("4")
    expect(spelend).to_be_visible()
    expect(wijs).to_be_hidden()  # WIJS is for 5 to 17
    current.locator("select.pd-child-age").select_option("")
    expect(wijs).to_be_visible()
    assert errors == []


@pytest.mark.browser
def test_no_marker_in_the_rendered_export(offline_page, cli_export):
    page, tried, errors = offline_page
    out, _, school, slides = cli_export
    page.goto(out.as_uri())
    total = len(slides)
    position = page.locator(".pd-position")
    for number in range(total):
        expect(position).to_have_text(f"{number + 1} / {total}")
        expect(page.locator(".pd-slide.pd-current h1")).to_have_text(slides[number].title)
        assert_no_marker(page.content(), f"rendered page at slide {number + 1}")
        assert_no_marker(page.inner_text("body"), f"visible text at slide {number + 1}")
        page.keyboard.press("ArrowRight")
    expect(position).to_have_text(f"{total} / {total}")
    expect_charts(page, slides)  # the CLI's charts draw too (walking back from the last)
    assert [u for u in tried if not u.startswith("file:")] == []
    assert errors == []


@pytest.mark.browser
def test_space_after_clicking_next_moves_one_slide(offline_page, middenschool_export):
    page, _, errors = offline_page
    out, _ = middenschool_export
    page.goto(out.as_uri())
    position = page.locator(".pd-position")
    page.get_by_role("button", name="Volgende").click()
    expect(position).to_have_text("2 / 9")
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    assert position.inner_text() == "3 / 9"
    assert errors == []


@pytest.mark.browser
def test_keys_in_the_age_select_do_not_change_slides(offline_page, middenschool_export):
    page, _, errors = offline_page
    out, slides = middenschool_export
    page.goto(out.as_uri())
    number = [s.title for s in slides].index("Materiaal voor ouders")
    goto(page, number, len(slides))
    select = page.locator(".pd-slide.pd-current select.pd-child-age")
    select.select_option("13")
    for key in ("ArrowLeft", "ArrowRight", " "):
        select.focus()
        page.keyboard.press(key)
        page.wait_for_timeout(200)
        assert page.locator(".pd-position").inner_text() == f"{number + 1} / 9", key
    assert errors == []
