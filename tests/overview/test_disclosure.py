"""Disclosure control (issue 22, part 1): each way the shared views gave counts away, closed.

One test per finding under "Why" in the issue; each failed on the code before disclosure.py.
The leaders' page is asked as a leader gets it (PESTDATA_ROLE=leiding: the shared view only),
through its state (pestdata/ui/overview/state.py): what it publishes, without widgets.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import pytest
from helpers import demo_store

from pestdata.core import disclosure
from pestdata.core.choices import Form, Motive, Platform
from pestdata.db.store import Store
from pestdata.documents.evening_figures import aggregate_figures
from pestdata.documents.year_report import year_report_pdf
from pestdata.incidents import incident_log
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters
from pestdata.overview.suppression import hidden_cells
from pestdata.overview.trends import monthly_trend
from pestdata.registers.export import share_frame
from pestdata.ui.overview.state import OverviewState
from pestdata.ui.plots import describe, figure_spec

TODAY = date(2026, 3, 15)
SCHOOL = "De Regenboog"
COUNT = re.compile(r"< 5|\d+(\.\d{3})*|—")
BAND = re.compile(r"\d0–\d+0%|te weinig meldingen|—")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return demo_store(tmp_path_factory.mktemp("disclosure"), 600, TODAY)


@pytest.fixture
def leader(monkeypatch):
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")


def cards(state: OverviewState) -> dict[str, str]:
    return {card.label: card.value for card in state.cards}


def table(shown) -> str:
    """A chart's "Toon als tabel", as the page shows it (ui.plots.describe)."""
    return describe(figure_spec(shown.figure))[1] if shown.figure is not None else ""


# --- counts and zero ------------------------------------------------------------------------


def test_zero_and_one_to_four_look_the_same():
    for n in range(5):
        assert disclosure.show_count(n, 5) == "< 5"
        assert disclosure.published(n, 5) is None
    assert [disclosure.published(n, 5) for n in (5, 7, 8, 12, 13)] == [5, 5, 10, 10, 15]
    assert disclosure.show_count(0, None) == "0"  # the care team's own view stays exact


def test_a_narrowed_overview_never_shows_zero(store, leader):
    state = OverviewState(store, TODAY).choose(
        school=SCHOOL, platform=Platform.X.value, form=Form.SEXTORTION.value
    )
    shown = cards(state)
    assert shown, state.problem
    assert "0" not in shown.values()
    counts = [v for k, v in shown.items() if "Mediaan" not in k and "Afgeronde" not in k]
    assert all(COUNT.fullmatch(v) for v in counts if "Nazorg" not in v), shown


def test_a_breakdown_lists_zero_as_small_not_as_absent():
    row = disclosure.published_row([0, 3, 20], 5)
    assert row[:2] == ["< 5", "< 5"]


def test_below_the_base_no_breakdown_share_or_median(store, leader):
    state = OverviewState(store, TODAY).choose(school=SCHOOL, who="group:groep 3")
    assert disclosure.base_note() == state.base_note
    assert state.charts["trend"].figure is None and state.charts["steps"].figure is None
    assert disclosure.base_note() in state.charts["trend"].empty
    shown = cards(state)
    assert shown["Nazorg binnen twee weken"] == "—"


# --- shares ---------------------------------------------------------------------------------


def test_a_share_is_hidden_when_the_remainder_is_small():
    # 12 of 13 said: exactly one case lacks the step.
    assert disclosure.show_share(12, 13, 5) == disclosure.TOO_FEW
    assert disclosure.show_share(2, 13, 5) == disclosure.TOO_FEW
    assert disclosure.show_share(7, 20, 5) == "20–30%"  # 5 of 20, published counts


def test_shares_are_bands_of_the_published_counts(store, leader):
    state = OverviewState(store, TODAY)
    shown = cards(state)
    for label in ("Afgeronde meldingen met alle verplichte stappen", "Nazorg binnen twee weken"):
        assert BAND.fullmatch(shown[label]), shown[label]
    for chart in (state.charts["steps"], state.charts["heatmap"]):
        for trace in figure_spec(chart.figure)["data"]:
            values = trace.get("x") if trace["type"] == "bar" else sum(trace["z"], [])
            assert all(v is None or v % 10 == 5 for v in values), values
            assert "%" not in table(chart) or not re.search(r"\b\d?[1-9]%", table(chart))
    # Every share is one of a few bands: 57 cases with a step at "92%" no longer solve.
    value, text = disclosure.share(52, 57, 5)
    assert text == "90–100%" and value == 0.95


# --- time -----------------------------------------------------------------------------------


def test_no_published_figure_runs_up_to_today(store, leader):
    """Moved day by day through March, the leaders' page publishes the same figures: the
    last complete month (February) ends them all."""
    seen = set()
    for day in range(1, 32, 3):
        state = OverviewState(store, date(2026, 3, day))
        seen.add((state.cards, table(state.charts["trend"]), table(state.charts["steps"])))
    assert len(seen) == 1
    shown = cards(state)
    assert "Nieuwe meldingen in feb 2026" in shown
    assert "Open meldingen eind feb 2026" in shown


def test_the_yearly_report_and_export_do_not_run_up_to_today(store):
    def text(day):
        filters = Filters.for_school_year("2025-2026", today=day)
        return (
            share_frame(store, filters).to_csv(),
            aggregate_figures(store, SCHOOL, today=day),
            key_figures(
                store,
                Filters(
                    *disclosure.shared_period(filters.start, filters.end, day, 5),
                    today=disclosure.as_of(day, 5),
                ),
                shared=True,
            ),
        )

    first = text(date(2026, 3, 2))
    for day in (date(2026, 3, 9), date(2026, 3, 31)):
        assert text(day) == first


def test_followup_share_counts_only_terms_that_ended_with_the_last_complete_month(store):
    filters = Filters.for_school_year("2025-2026", today=date(2026, 2, 28))
    start, end = disclosure.shared_period(filters.start, filters.end, TODAY, 5)
    assert end == date(2026, 2, 28)
    a = key_figures(store, filters.between(start, end), shared=True)
    later = Filters(start=start, end=end, today=date(2026, 2, 28))
    b = key_figures(store, later, shared=True)
    assert a["followup_due_cases"] == b["followup_due_cases"]


# --- medians --------------------------------------------------------------------------------


def test_medians_need_ten_cases_and_come_in_weeks():
    assert disclosure.show_median(12, 9, 5) == disclosure.TOO_FEW
    assert disclosure.show_median(12, 10, 5) == "± 2 weken"
    assert disclosure.show_median(3, 40, 5) == "< 1 week"
    assert disclosure.show_median(12, 3, None) == "12 dagen"


def test_the_overview_shows_no_median_in_days(store, leader):
    state = OverviewState(store, TODAY)
    assert not re.search(r"mediaan \d+ d", table(state.charts["steps"]))
    median = cards(state)["Mediaan tot opgelost"]
    assert re.fullmatch(r"± \d+ weken?|< 1 week|te weinig meldingen|—", median)


# --- naming by elimination ------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "jaarverslag.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_every_label_is_listed_so_none_is_named_by_its_absence(store, tmp_path):
    text = pdf_text(year_report_pdf(store, "2025-2026", SCHOOL, minimum=5, today=TODAY), tmp_path)
    assert "Overig" not in text
    for label in [m.label for m in Motive] + [p.label for p in Platform]:
        assert label in text, label
    frame = share_frame(store, Filters.for_school_year("2025-2026", today=TODAY))
    mine = frame[frame["School"] == SCHOOL]
    assert set(mine.loc[mine["Kenmerk"] == "Vorm", "Waarde"]) == {f.label for f in Form}
    assert set(mine.loc[mine["Kenmerk"] == "Platform", "Waarde"]) == {p.label for p in Platform}
    evening = aggregate_figures(store, SCHOOL, today=TODAY)
    assert [label for label, _ in evening.by_form] == [f.label for f in Form]


def test_a_small_cell_is_never_proven_nonzero_by_the_total():
    # Total 46 (published 45: 43..47), one band 42 (published 40: 38..42): the three small
    # bands would hold at least one report. So the shown band is hidden too.
    row = disclosure.published_row([0, 42, 4, 0], 5, 46)
    assert row.count("x") == 1 and row.count("< 5") == 3


# --- one cell, one value --------------------------------------------------------------------


def test_the_same_cell_has_the_same_value_in_every_view(store, leader, tmp_path):
    state = OverviewState(store, TODAY).choose(school=SCHOOL)
    overview_total = cards(state)["Meldingen in de gekozen periode"]
    text = pdf_text(year_report_pdf(store, "2025-2026", SCHOOL, minimum=5, today=TODAY), tmp_path)
    report_total = re.search(r"Meldingen in het schooljaar\s+(\S+)", text).group(1)
    frame = share_frame(store, Filters.for_school_year("2025-2026", today=TODAY))
    mine = frame[frame["School"] == SCHOOL]
    export_total = str(mine.loc[mine["Kenmerk"] == "Totaal", "Aantal meldingen"].iloc[0])
    evening = aggregate_figures(store, SCHOOL, today=TODAY)
    assert overview_total == report_total == export_total == evening.shown(evening.total)
    exported = dict(
        zip(
            mine.loc[mine["Kenmerk"] == "Platform", "Waarde"],
            mine.loc[mine["Kenmerk"] == "Platform", "Aantal meldingen"],
            strict=True,
        )
    )
    for label, cell in evening.by_platform:
        assert (None if isinstance(cell, str) else cell) == (
            None if exported[label] is None or str(exported[label]) == "<NA>" else exported[label]
        )
        line = re.search(rf"^[ \t]*{re.escape(label)}[ \t]+(< ?5|\d+|x)[ \t]*$", text, re.M)
        assert line, label
        assert line.group(1).replace(" ", "") == disclosure.show_cell(cell).replace(" ", "")


# --- the repeat-target count ----------------------------------------------------------------


def test_the_repeat_target_count_is_per_school_year_only(store, leader):
    state = OverviewState(store, TODAY).choose(start=date(2025, 11, 1), end=date(2025, 11, 30))
    start, end = state.signal_period
    assert (start, end) == (date(2025, 8, 1), date(2026, 2, 28))
    state = state.choose(end=date(2025, 12, 31))  # two months: refused (period_allowed)
    assert disclosure.PERIOD_NOTE in state.problem
    state = state.choose(start=date(2025, 12, 1))  # the next month: the same year's count
    assert state.signal_period == (start, end)
    assert any("(schooljaar 2025-2026)" in card.label for card in state.cards)
    assert start + timedelta(days=1) != end


# --- across views: a total beside its parts ------------------------------------------------


def test_a_total_is_hidden_when_its_parts_elsewhere_would_give_a_small_one_away():
    # All schools 9 ("10": 8..12), one school 6 ("5": 3..7): the other school, "< 5",
    # would hold at least 8 - 7 = 1 report.
    assert disclosure.gives_away(9, [3, 6], 5)
    # Four groups "< 5" under an age band of 14 ("15": 13..17): each holds at least one.
    assert disclosure.gives_away(14, [3, 3, 4, 4], 5)
    # Enough room left: nothing follows, nothing hidden.
    assert not disclosure.gives_away(14, [2, 13], 5)  # 13..17 beside "15": room for 0
    assert not disclosure.gives_away(9, [3, 3, 3], 5)
    assert not disclosure.gives_away(3, [3, 0], 5)  # a small total is "< 5" itself
    assert not disclosure.gives_away(9, [3, 6], None)  # the care team's own view


def test_all_schools_hide_a_count_a_small_school_could_be_subtracted_from(tmp_path, leader):
    """A month on TikTok: 3 reports at one school, 6 at the other. The all-schools card
    would say 10 and the big school 5, so the small school's '< 5' would be at least 1.
    The all-schools count is 'x' in the overview and in the yearly report alike."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from disclosure_views import _incident

    reports = [
        (_incident(school, date(2025, 10, 6), group, ["tiktok"], ["ridicule"], n=n), [])
        for n, (school, group) in enumerate(
            [("De Linde", "groep 6")] * 3 + [("Het Baken", "klas 2")] * 6
        )
    ]
    reports += [  # enough reports elsewhere for a breakdown
        (_incident(school, date(2025, 11, 3), group, ["whatsapp"], ["gossip"], n=100 + n), [])
        for n, (school, group) in enumerate(
            [("De Linde", "groep 6")] * 12 + [("Het Baken", "klas 2")] * 12
        )
    ]
    db = Store(f"sqlite:///{tmp_path}/two.sqlite").ensure_schema()
    incident_log.add_incidents(db, reports, actor="test")
    state = OverviewState(db, TODAY).choose(platform="tiktok")
    assert cards(state)["Meldingen in de gekozen periode"] == "x"
    state = state.choose(school="Het Baken")
    assert cards(state)["Meldingen in de gekozen periode"] == "5"
    state = state.choose(school="De Linde")
    assert cards(state)["Meldingen in de gekozen periode"] == "< 5"
    # The trend chart for all schools: TikTok in October is hidden too.
    state = state.choose(school="", platform="")
    october = monthly_trend(db, state.filters, "platform", units=True)
    hidden = hidden_cells(october, "platform", state.filters, state.schools, 5)
    assert ("2025-10", "tiktok") in hidden and ("2025-11", "whatsapp") not in hidden
    text = pdf_text(year_report_pdf(db, "2025-2026", None, minimum=5, today=TODAY), tmp_path)
    assert re.search(r"^[ \t]*TikTok[ \t]+x[ \t]*$", text, re.M), text


def test_two_periods_that_would_subtract_to_a_few_months_are_refused(store, leader, tmp_path):
    """August to December and August to February would give January and February: a shared
    period is one month, one school year or all years, in the overview and the export."""
    state = OverviewState(store, TODAY)
    assert cards(state)  # the school year: allowed
    state = state.choose(start=date(2025, 8, 1))
    state = state.choose(end=date(2025, 12, 31))
    assert disclosure.PERIOD_NOTE in state.problem and state.cards == ()
    state = state.choose(start=date(2025, 11, 1), end=date(2025, 11, 30))
    assert state.problem == "" and cards(state)["Meldingen in de gekozen periode"]
    state = state.choose(start=None, end=None)
    state = state.choose(year="")  # all years up to the last complete month: allowed
    assert state.problem == ""
    db = tmp_path / "export.sqlite"
    subprocess.run(["cp", store.url.removeprefix("sqlite:///"), str(db)], check=True)
    done = subprocess.run(
        ["pestdata", "export", "--db", f"sqlite:///{db}", "--share", "--out",
         str(tmp_path / "b.csv"), "--from", "2025-08-01", "--to", "2025-12-31"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0 and "één hele maand, een heel schooljaar" in done.stderr
    assert not (tmp_path / "b.csv").exists()


def test_a_period_share_is_hidden_when_its_months_shares_would_give_one_away():
    """The heat map's quarter (9 of 20 steps done: '40–50%') beside September's share
    (7 of 15: '40–50%') would leave August's 2 of 5 at least 1."""
    assert disclosure.share_gives_away((9, 20), [(2, 5), (7, 15)], 5)
    # A month whose part is 0 cannot be shown to be more; a care-team view hides nothing.
    assert not disclosure.share_gives_away((7, 20), [(0, 5), (7, 15)], 5)
    assert not disclosure.share_gives_away((9, 20), [(2, 5), (7, 15)], None)
    # Wide months leave room: nothing follows.
    assert not disclosure.share_gives_away((30, 60), [(2, 20), (14, 20), (14, 20)], 5)
