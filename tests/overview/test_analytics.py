"""The overview's questions (pestdata/overview/) against a real SQLite file and a real
PostgreSQL database, with small hand-made datasets. Every test that takes `store` runs on both
(ids [sqlite], [postgresql]).

Every expected number below is counted by hand from the dataset next to it. `today` is always
fixed through `Filters(today=...)`, so nothing depends on the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from pestdata.core.guidance import load_protocol
from pestdata.core.model import validate_incident, validate_step
from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup
from pestdata.overview.cards import key_figures
from pestdata.overview.filters import Filters, quarter_of, school_year_of, school_year_range
from pestdata.overview.lists import overdue_incidents
from pestdata.overview.protocol import step_completion, step_completion_by_quarter
from pestdata.overview.reading import facts_answer, filter_options, median_from_histogram
from pestdata.overview.trends import TREND_DIMENSIONS, monthly_trend

TODAY = date(2025, 11, 15)

# Strings that must never leave the care team's view: a pupil number, description and notes.
PUPIL = "MK-777"
DESCRIPTION = "MARKER-DESC iemand deelde een foto"
NOTE = "MARKER-NOTE gesprek gevoerd"
MARKERS = ("MK-777", "MARKER-DESC", "MARKER-NOTE")

PROTOCOL_IDS = [
    "steun",
    "betrek",
    "hulp",
    "politie",
    "ouders_gepeste",
    "ouders_pester",
    "gesprekken",
    "pestprotocol",
    "nazorg",
]
REQUIRED = [s for s in PROTOCOL_IDS if s != "ouders_pester"]  # verplicht: true in protocol.yaml


@pytest.fixture
def store(any_store):
    return any_store


@pytest.fixture
def make(valid_incident_data):
    """make(reported_on, steps={step_id: days after reporting}, **incident fields)."""

    def make(reported_on: date, steps: dict[str, int] | None = None, **changes):
        data = valid_incident_data(
            reported_on=reported_on,
            happened_on=None,
            pupils=[{"pupil_number": PUPIL, "role": "target"}],
            description=DESCRIPTION,
            **changes,
        )
        done = [
            validate_step(
                {
                    "step_id": step_id,
                    "done_on": reported_on + timedelta(days=days),
                    "done_by": "Dhr. Bakker",
                    "note": NOTE,
                }
            )
            for step_id, days in (steps or {}).items()
        ]
        return validate_incident(data), done

    return make


def load(store: Store, *reports) -> Store:
    incident_log.add_incidents(store, list(reports), actor="test")
    return store


def rows(answer: list[dict]) -> list[tuple]:
    return [tuple(r.values()) for r in answer]


def closed(make, reported_on, **changes):
    return make(reported_on, status="closed", resolved_on=reported_on, **changes)


def test_protocol_is_what_these_tests_assume():
    steps = load_protocol()
    assert [s.id for s in steps] == PROTOCOL_IDS
    assert [s.id for s in steps if s.required] == REQUIRED
    assert {s.id: s.deadline_days for s in steps}["steun"] == 1
    assert {s.id: s.deadline_days for s in steps}["betrek"] == 3
    assert [s.id for s in steps if s.asks_outcome] == ["nazorg"]


# --- school years ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, year",
    [
        (date(2025, 7, 31), "2024-2025"),
        (date(2025, 8, 1), "2025-2026"),
        (date(2025, 12, 31), "2025-2026"),
        (date(2026, 1, 1), "2025-2026"),
        (date(2024, 2, 29), "2023-2024"),
    ],
)
def test_school_year_of(day, year):
    assert school_year_of(day) == year


def test_school_year_range():
    assert school_year_range("2025-2026") == (date(2025, 8, 1), date(2026, 7, 31))
    start, end = school_year_range("2024-2025")
    assert school_year_of(start) == school_year_of(end) == "2024-2025"
    assert school_year_of(start - timedelta(days=1)) == "2023-2024"
    assert school_year_of(end + timedelta(days=1)) == "2025-2026"


def test_filters_for_school_year():
    f = Filters.for_school_year("2025-2026", schools=("A",), today=TODAY)
    assert (f.start, f.end, f.schools, f.today) == (
        date(2025, 8, 1),
        date(2026, 7, 31),
        ("A",),
        TODAY,
    )
    wide = f.without_period()
    assert (wide.start, wide.end, wide.schools, wide.today) == (None, None, ("A",), TODAY)


# --- monthly trend --------------------------------------------------------------------------


def test_trend_month_boundary_and_two_platforms(store, make):
    load(
        store,
        make(date(2025, 1, 31), platforms=["whatsapp", "tiktok"]),
        make(date(2025, 2, 1), platforms=["whatsapp"]),
        make(date(2025, 2, 28), platforms=["instagram"]),
    )
    frame = monthly_trend(store, Filters(today=TODAY))
    assert frame and all(list(r) == ["month", "category", "count"] for r in frame)
    assert rows(frame) == [
        ("2025-01", "tiktok", 1),
        ("2025-01", "whatsapp", 1),
        ("2025-02", "instagram", 1),
        ("2025-02", "whatsapp", 1),
    ]


def test_trend_by_form_age_band_and_group(store, make):
    load(
        store,
        make(date(2025, 3, 3), forms=["gossip", "threats"], group="groep 3"),
        make(date(2025, 3, 31), forms=["gossip"], group="groep 7"),
        make(date(2025, 4, 1), forms=["exclusion"], group="klas 2"),
        make(date(2025, 4, 2), forms=["exclusion"], group="groep 7"),
    )
    f = Filters(today=TODAY)
    assert rows(monthly_trend(store, f, by="form")) == [
        ("2025-03", "gossip", 2),
        ("2025-03", "threats", 1),
        ("2025-04", "exclusion", 2),
    ]
    assert rows(monthly_trend(store, f, by="age_band")) == [
        ("2025-03", "4-7 jaar", 1),
        ("2025-03", "8-11 jaar", 1),
        ("2025-04", "12-14 jaar", 1),
        ("2025-04", "8-11 jaar", 1),
    ]
    assert rows(monthly_trend(store, f, by="group")) == [
        ("2025-03", "groep 3", 1),
        ("2025-03", "groep 7", 1),
        ("2025-04", "groep 7", 1),
        ("2025-04", "klas 2", 1),
    ]


def test_trend_unknown_dimension(store):
    with pytest.raises(ValueError, match="onbekende indeling"):
        monthly_trend(store, Filters(today=TODAY), by="severity")


def test_trend_school_filter(store, make):
    load(
        store,
        make(date(2025, 5, 1), school="A", platforms=["whatsapp"]),
        make(date(2025, 5, 2), school="B", platforms=["whatsapp"]),
        make(date(2025, 5, 3), school="B", platforms=["tiktok"]),
        make(date(2025, 5, 4), school="C", platforms=["tiktok"]),
    )
    frame = monthly_trend(store, Filters(schools=("B",), today=TODAY))
    assert rows(frame) == [("2025-05", "tiktok", 1), ("2025-05", "whatsapp", 1)]
    frame = monthly_trend(store, Filters(schools=("A", "C"), today=TODAY))
    assert rows(frame) == [("2025-05", "tiktok", 1), ("2025-05", "whatsapp", 1)]
    frame = monthly_trend(store, Filters(schools=("B", "C"), today=TODAY))
    assert rows(frame) == [("2025-05", "tiktok", 2), ("2025-05", "whatsapp", 1)]


def test_trend_period_is_inclusive(store, make):
    load(
        store,
        make(date(2025, 1, 31), platforms=["whatsapp"]),
        make(date(2025, 2, 1), platforms=["whatsapp"]),
        make(date(2025, 2, 28), platforms=["tiktok"]),
        make(date(2025, 3, 1), platforms=["tiktok"]),
    )
    f = Filters(start=date(2025, 2, 1), end=date(2025, 2, 28), today=TODAY)
    assert rows(monthly_trend(store, f)) == [
        ("2025-02", "tiktok", 1),
        ("2025-02", "whatsapp", 1),
    ]
    f = Filters(start=date(2025, 2, 28), today=TODAY)
    assert rows(monthly_trend(store, f)) == [
        ("2025-02", "tiktok", 1),
        ("2025-03", "tiktok", 1),
    ]


def test_trend_group_and_age_band_filters(store, make):
    load(
        store,
        make(date(2025, 5, 1), group="groep 5", platforms=["whatsapp"]),
        make(date(2025, 5, 2), group="groep 7", platforms=["tiktok"]),
        make(date(2025, 5, 3), group="groep 7", platforms=["whatsapp"]),
        make(date(2025, 5, 4), group="klas 1", platforms=["snapchat"]),
    )
    f = Filters(groups=("groep 7",), today=TODAY)
    assert rows(monthly_trend(store, f)) == [
        ("2025-05", "tiktok", 1),
        ("2025-05", "whatsapp", 1),
    ]
    f = Filters(age_bands=("8-11 jaar",), today=TODAY)  # groep 5 and groep 7, not klas 1
    assert rows(monthly_trend(store, f)) == [
        ("2025-05", "tiktok", 1),
        ("2025-05", "whatsapp", 2),
    ]
    f = Filters(age_bands=("12-14 jaar",), today=TODAY)
    assert rows(monthly_trend(store, f, by="group")) == [("2025-05", "klas 1", 1)]


@pytest.fixture
def platform_mix(store, make):
    """1: whatsapp+tiktok (threats), 2: instagram (gossip), 3: whatsapp (threats+gossip)."""
    return load(
        store,
        make(date(2025, 1, 10), platforms=["whatsapp", "tiktok"], forms=["threats"]),
        make(date(2025, 1, 11), platforms=["instagram"], forms=["gossip"], group="klas 1"),
        make(date(2025, 2, 12), platforms=["whatsapp"], forms=["threats", "gossip"]),
    )


def test_platform_filter_narrows_other_splits(platform_mix):
    f = Filters(platforms=("whatsapp",), today=TODAY)
    assert rows(monthly_trend(platform_mix, f, by="group")) == [
        ("2025-01", "groep 7", 1),
        ("2025-02", "groep 7", 1),
    ]
    assert rows(monthly_trend(platform_mix, f, by="form")) == [
        ("2025-01", "threats", 1),
        ("2025-02", "gossip", 1),
        ("2025-02", "threats", 1),
    ]
    f = Filters(forms=("gossip",), today=TODAY)
    assert rows(monthly_trend(platform_mix, f, by="platform")) == [
        ("2025-01", "instagram", 1),
        ("2025-02", "whatsapp", 1),
    ]


def test_platform_filter_with_platform_split_counts_only_the_chosen_platform(platform_mix):
    f = Filters(platforms=("whatsapp",), today=TODAY)
    # Reports 1 and 3 have WhatsApp; report 1's TikTok is not shown, report 2 is left out.
    assert rows(monthly_trend(platform_mix, f, by="platform")) == [
        ("2025-01", "whatsapp", 1),
        ("2025-02", "whatsapp", 1),
    ]
    # Two platforms at once is read from the raw tables, with the same meaning.
    f = Filters(platforms=("whatsapp", "tiktok"), today=TODAY)
    assert not facts_answer(f)
    assert rows(monthly_trend(platform_mix, f, by="platform")) == [
        ("2025-01", "tiktok", 1),
        ("2025-01", "whatsapp", 1),
        ("2025-02", "whatsapp", 1),
    ]


def test_form_filter_with_form_split_counts_only_the_chosen_form(platform_mix):
    f = Filters(forms=("gossip",), today=TODAY)
    # Reports 2 and 3 have gossip; report 3's threats is not shown, report 1 is left out.
    assert rows(monthly_trend(platform_mix, f, by="form")) == [
        ("2025-01", "gossip", 1),
        ("2025-02", "gossip", 1),
    ]


@pytest.mark.parametrize("by", TREND_DIMENSIONS)
def test_trend_without_data_has_no_rows(store, make, by):
    assert monthly_trend(store, Filters(today=TODAY), by=by) == []
    load(store, make(date(2025, 5, 1)))
    assert monthly_trend(store, Filters(today=TODAY), by=by)  # the school's report counts
    assert monthly_trend(store, Filters(schools=("Nergens",), today=TODAY), by=by) == []


# --- key figures ----------------------------------------------------------------------------


@pytest.fixture
def dated(store, make):
    """Closed reports on both sides of the month and school-year boundaries."""
    return load(
        store,
        *(
            closed(make, d)
            for d in (
                date(2024, 7, 31),
                date(2024, 8, 1),
                date(2025, 3, 10),
                date(2025, 7, 31),
                date(2025, 8, 1),
                date(2025, 10, 31),
                date(2025, 11, 1),
                date(2025, 11, 15),
            )
        ),
        closed(make, date(2025, 11, 10), school="Andere school"),
    )


@pytest.mark.parametrize(
    "today, this_month, this_year",
    [
        (date(2025, 11, 15), 2, 4),  # 1 and 15 Nov; 1 Aug .. 15 Nov 2025
        (date(2025, 8, 1), 1, 1),  # school year and month start that day
        (date(2025, 7, 31), 1, 3),  # 2024-2025: 1 Aug 2024, 10 Mar and 31 Jul 2025
    ],
)
def test_key_figures_report_counts(dated, today, this_month, this_year):
    k = key_figures(dated, Filters(schools=("De Regenboog",), today=today))
    assert k["reports_this_month"] == this_month
    assert k["reports_this_school_year"] == this_year
    assert k["reports_in_period"] == 8  # no period: every report of the school


def test_key_figures_period_narrows_only_the_period_figures(dated):
    f = Filters(
        start=date(2025, 7, 31), end=date(2025, 10, 31), schools=("De Regenboog",), today=TODAY
    )
    k = key_figures(dated, f)
    assert k["reports_in_period"] == 3  # 31 Jul, 1 Aug, 31 Oct: both ends inclusive
    assert k["reports_this_month"] == 2
    assert k["reports_this_school_year"] == 4
    k = key_figures(dated, Filters(today=TODAY))  # all schools
    assert (k["reports_this_month"], k["reports_this_school_year"], k["reports_in_period"]) == (
        3,
        5,
        9,
    )


@pytest.fixture
def open_and_overdue(store, make):
    """As of TODAY (15 Nov 2025): overdue after 7 days without a step (last step before
    8 Nov), or when the follow-up (term 14 days) is missing for a report before 1 Nov."""
    return load(
        store,
        make(date(2025, 11, 7)),  # 1: no step for 8 days -> overdue
        make(date(2025, 11, 8)),  # 2: no step for 7 days -> not yet
        make(  # 3: recent step and follow-up done -> fine
            date(2025, 10, 1),
            steps={"steun": 0, "nazorg": 14, "gesprekken": 40},
            status="in_progress",
        ),
        make(date(2025, 9, 1), status="closed", resolved_on=date(2025, 9, 10)),  # 4: closed
        make(date(2025, 9, 1), status="resolved", resolved_on=date(2025, 9, 5)),  # 5: resolved
        make(date(2025, 10, 20), steps={"steun": 23}, status="referred"),  # 6: no follow-up
        make(date(2025, 11, 1), steps={"steun": 13}),  # 7: follow-up term ends today
        make(date(2025, 10, 31), steps={"steun": 14}),  # 8: follow-up term ended yesterday
    )


def test_key_figures_open_and_overdue(open_and_overdue):
    k = key_figures(open_and_overdue, Filters(today=TODAY))
    assert k["open_cases"] == 6  # 1, 2, 3, 6, 7, 8
    assert k["overdue_cases"] == 3  # 1 (stale), 6 and 8 (follow-up)
    # A period does not narrow 'open now' and 'overdue now'.
    k = key_figures(open_and_overdue, Filters(start=date(2025, 11, 8), end=TODAY, today=TODAY))
    assert (k["open_cases"], k["overdue_cases"], k["reports_in_period"]) == (6, 3, 1)
    # A day later case 2 has had no step for 8 days and case 7 has missed its follow-up.
    k = key_figures(open_and_overdue, Filters(today=TODAY + timedelta(days=1)))
    assert k["overdue_cases"] == 5


def test_closed_cases_are_never_overdue(store, make):
    load(
        store,
        make(date(2024, 1, 10), status="closed", resolved_on=date(2024, 1, 12)),
        make(date(2024, 1, 10), status="resolved", resolved_on=date(2024, 1, 12)),
    )
    k = key_figures(store, Filters(today=TODAY))
    assert (k["open_cases"], k["overdue_cases"]) == (0, 0)
    assert overdue_incidents(store, Filters(today=TODAY)) == []


@pytest.mark.parametrize(
    "extra, resolved, median",
    [
        ([], 3, 5.0),  # 2, 5, 9 days
        ([11], 4, 5.0),  # 2, 5, 9, 11: the lower median
        ([1], 4, 2.0),  # 1, 2, 5, 9
    ],
)
def test_key_figures_median_days_to_resolved(store, make, extra, resolved, median):
    def done(reported_on, days, status="resolved"):
        return make(reported_on, status=status, resolved_on=reported_on + timedelta(days=days))

    load(
        store,
        done(date(2025, 9, 1), 2),
        done(date(2025, 8, 30), 5, "closed"),  # across the month end
        done(date(2025, 9, 10), 9, "closed"),
        make(date(2025, 9, 15)),  # open: not resolved
        done(date(2025, 7, 15), 31),  # before the period
        *(done(date(2025, 10, 1), days) for days in extra),
    )
    k = key_figures(store, Filters.for_school_year("2025-2026", today=TODAY))
    assert k["resolved_cases"] == resolved
    assert k["median_days_to_resolved"] == median


def test_key_figures_median_without_resolved_cases(store, make):
    load(store, make(date(2025, 9, 15)))
    k = key_figures(store, Filters(today=TODAY))
    assert k["resolved_cases"] == 0
    assert k["median_days_to_resolved"] is None
    assert k["finished_cases"] == 0
    assert k["finished_with_all_required"] == 0


def test_key_figures_finished_with_all_required_steps(store, make):
    all_required = dict.fromkeys(REQUIRED, 1)
    all_steps = dict.fromkeys(PROTOCOL_IDS, 2)
    seven_plus_optional = {**dict.fromkeys(REQUIRED, 1), "ouders_pester": 1}
    del seven_plus_optional["politie"]
    load(
        store,
        closed(make, date(2025, 9, 1), steps=all_required),  # counts
        make(  # counts
            date(2025, 9, 2), steps=all_steps, status="resolved", resolved_on=date(2025, 9, 20)
        ),
        closed(make, date(2025, 9, 3), steps=seven_plus_optional),  # 8 steps, 1 required missing
        closed(make, date(2025, 9, 4)),  # no steps
        make(date(2025, 9, 5), steps=all_required, status="in_progress"),  # not finished
        closed(make, date(2025, 7, 1), steps=all_required),  # before the period
    )
    k = key_figures(store, Filters.for_school_year("2025-2026", today=TODAY))
    assert k["finished_cases"] == 4
    assert k["finished_with_all_required"] == 2
    k = key_figures(store, Filters(today=TODAY))
    assert (k["finished_cases"], k["finished_with_all_required"]) == (5, 3)


def test_key_figures_followup_within_two_weeks(store, make):
    # TODAY is 15 Nov: reports up to 1 Nov (14 days ago) are due for the follow-up.
    load(
        store,
        make(date(2025, 10, 1), steps={"nazorg": 10}),  # in time
        make(date(2025, 10, 1), steps={"nazorg": 14}),  # in time, on the last day
        make(date(2025, 10, 1), steps={"nazorg": 20}),  # too late
        make(date(2025, 10, 1), steps={"steun": 0, "gesprekken": 5}),  # no follow-up
        make(date(2025, 11, 1), steps={"nazorg": 4}),  # due since today; in time
        make(date(2025, 11, 2), steps={"nazorg": 1}),  # not due yet
        make(date(2025, 11, 14)),  # not due yet
    )
    k = key_figures(store, Filters(today=TODAY))
    assert k["followup_due_cases"] == 5
    assert k["followup_within_two_weeks"] == 3
    k = key_figures(store, Filters(start=date(2025, 11, 1), today=TODAY))
    assert (k["followup_due_cases"], k["followup_within_two_weeks"]) == (1, 1)


# --- protocol steps -------------------------------------------------------------------------


@pytest.fixture
def stepped(store, make):
    return load(
        store,
        make(date(2025, 9, 1), steps={"steun": 0, "betrek": 5, "ouders_pester": 5}),
        make(date(2025, 9, 2), steps={"steun": 1}),
        make(date(2025, 9, 3), steps={"steun": 3}),  # late: term is 1 day
        make(date(2025, 9, 30)),
        make(date(2025, 10, 1), steps={"steun": 0, "nazorg": 2}),  # outside September
    )


def test_step_completion_in_a_period(stepped):
    f = Filters(start=date(2025, 9, 1), end=date(2025, 9, 30), today=TODAY)
    frame = step_completion(stepped, f)
    assert list(frame[0]) == [
        "step_id",
        "title",
        "required",
        "term_days",
        "cases",
        "done",
        "share_done",
        "median_days",
        "on_time",
    ]
    assert [r["step_id"] for r in frame] == PROTOCOL_IDS
    assert [r["title"] for r in frame] == [s.title for s in load_protocol()]
    by = {r["step_id"]: SimpleNamespace(**r) for r in frame}
    assert {r["cases"] for r in frame} == {4}
    assert {r["step_id"]: r["done"] for r in frame} == {
        "steun": 3,
        "betrek": 1,
        "hulp": 0,
        "politie": 0,
        "ouders_gepeste": 0,
        "ouders_pester": 1,
        "gesprekken": 0,
        "pestprotocol": 0,
        "nazorg": 0,
    }
    steun, betrek, pester, nazorg = (by[s] for s in ("steun", "betrek", "ouders_pester", "nazorg"))
    assert (steun.share_done, steun.median_days) == (0.75, 1.0)
    assert steun.on_time == pytest.approx(2 / 3)  # 0 and 1 day in time, 3 days late
    assert (betrek.share_done, betrek.median_days, betrek.on_time) == (0.25, 5.0, 0.0)
    assert (bool(betrek.required), betrek.term_days) == (True, 3)
    assert (pester.median_days, pester.on_time, bool(pester.required)) == (5.0, 1.0, False)
    assert nazorg.share_done == 0.0
    assert nazorg.median_days is None and nazorg.on_time is None


def test_step_completion_all_dates(stepped):
    by = {r["step_id"]: r for r in step_completion(stepped, Filters(today=TODAY))}
    assert {r["cases"] for r in by.values()} == {5}
    assert (by["steun"]["done"], by["steun"]["share_done"]) == (4, 0.8)
    assert by["steun"]["median_days"] == 0.0  # 0, 0, 1, 3: the lower median
    assert by["steun"]["on_time"] == 0.75
    assert (by["nazorg"]["done"], by["nazorg"]["median_days"]) == (1, 2.0)
    assert by["nazorg"]["on_time"] == 1.0


def test_step_completion_without_cases(store):
    frame = step_completion(store, Filters(today=TODAY))
    assert [r["step_id"] for r in frame] == PROTOCOL_IDS
    assert {r["cases"] for r in frame} == {0} and {r["done"] for r in frame} == {0}
    assert {r["share_done"] for r in frame} == {None} and {r["on_time"] for r in frame} == {None}


def test_step_completion_by_quarter(store, make):
    load(
        store,
        make(date(2025, 9, 30), steps={"steun": 2}),  # step done in October, counted in K3
        make(date(2025, 10, 1), steps={"steun": 0, "betrek": 1}),
        make(date(2025, 11, 15), steps={"steun": 0}),
        make(date(2025, 12, 31)),
        make(date(2026, 1, 1), steps={"nazorg": 14}),
    )
    frame = step_completion_by_quarter(store, Filters(today=date(2026, 2, 1)))
    columns = ["step_id", "title", "quarter", "cases", "done", "share_done"]
    assert all(list(r) == columns for r in frame)
    assert len(frame) == 3 * len(PROTOCOL_IDS)
    by = {(r["step_id"], r["quarter"]): r for r in frame}
    steun = {q: r for (step, q), r in by.items() if step == "steun"}
    assert {q: r["cases"] for q, r in steun.items()} == {"2025 K3": 1, "2025 K4": 3, "2026 K1": 1}
    assert {q: r["done"] for q, r in steun.items()} == {"2025 K3": 1, "2025 K4": 2, "2026 K1": 0}
    assert by["steun", "2025 K4"]["share_done"] == pytest.approx(2 / 3)
    assert by["steun", "2025 K3"]["share_done"] == 1.0
    assert by["betrek", "2025 K4"]["share_done"] == pytest.approx(1 / 3)
    assert by["nazorg", "2026 K1"]["share_done"] == 1.0
    assert by["nazorg", "2025 K4"]["share_done"] == 0.0
    assert by["hulp", "2025 K3"]["title"] == "Wijs op hulp en advies (ook anoniem)"
    f = Filters(start=date(2025, 10, 1), end=date(2025, 12, 31), today=date(2026, 2, 1))
    assert {r["quarter"] for r in step_completion_by_quarter(store, f)} == {"2025 K4"}


def test_step_completion_by_quarter_without_steps(store, make):
    load(store, make(date(2025, 2, 1)), make(date(2025, 3, 31)))
    frame = step_completion_by_quarter(store, Filters(today=TODAY))
    assert {r["quarter"] for r in frame} == {"2025 K1"}
    assert {r["cases"] for r in frame} == {2} and {r["done"] for r in frame} == {0}
    assert {r["share_done"] for r in frame} == {0.0}


def test_step_completion_by_quarter_empty(store):
    assert step_completion_by_quarter(store, Filters(today=TODAY)) == []


@pytest.mark.parametrize(
    "month, quarter",
    [("2025-01", "2025 K1"), ("2025-03", "2025 K1"), ("2025-04", "2025 K2"), ("2025-09", "2025 K3")]
    + [("2025-10", "2025 K4"), ("2025-11", "2025 K4"), ("2025-12", "2025 K4")],
)
def test_quarter_of(month, quarter):
    assert quarter_of(month) == quarter


# --- overdue cases --------------------------------------------------------------------------


def test_overdue_cases_oldest_first(open_and_overdue):
    frame = overdue_incidents(open_and_overdue, Filters(today=TODAY))
    assert list(frame[0]) == [
        "id",
        "school",
        "group",
        "reported_on",
        "status",
        "handler",
        "last_activity",
        "followup_due",
        "days_without_step",
    ]

    def column(name):
        return [r[name] for r in frame]

    assert column("id") == [6, 8, 1]  # reported 20 Oct, 31 Oct, 7 Nov
    assert column("reported_on") == [date(2025, 10, 20), date(2025, 10, 31), date(2025, 11, 7)]
    assert column("last_activity") == [
        date(2025, 11, 12),
        date(2025, 11, 14),
        date(2025, 11, 7),
    ]
    assert column("days_without_step") == [3, 1, 8]
    assert column("followup_due") == [1, 1, 0]
    assert column("status") == ["referred", "new", "new"]
    # 'As of today': a period does not hide an overdue case; other filters do.
    f = Filters(start=date(2025, 11, 10), end=TODAY, today=TODAY)
    assert [r["id"] for r in overdue_incidents(open_and_overdue, f)] == [6, 8, 1]
    f = Filters(schools=("Andere school",), today=TODAY)
    assert overdue_incidents(open_and_overdue, f) == []
    first_two = overdue_incidents(open_and_overdue, Filters(today=TODAY), limit=2)
    assert [r["id"] for r in first_two] == [6, 8]


def test_analytics_output_carries_no_pupil_numbers_or_free_text(open_and_overdue, make):
    store = load(open_and_overdue, closed(make, date(2025, 9, 1), steps={"steun": 0}))
    incident = lookup.get_incident(store, 1)  # the markers are really in the database
    assert [p["pupil_number"] for p in incident["pupils"]] == [PUPIL]
    assert incident["descriptions"][0]["text"] == DESCRIPTION
    assert lookup.get_incident(store, 3)["steps"]["steun"]["note"] == NOTE

    f = Filters(today=TODAY)
    outputs = [
        repr(filter_options(store)),
        repr(key_figures(store, f)),
        repr(step_completion(store, f)),
        repr(step_completion_by_quarter(store, f)),
        repr(overdue_incidents(store, f)),
        *(repr(monthly_trend(store, f, by=by)) for by in TREND_DIMENSIONS),
    ]
    assert "2025, 11, 7" in outputs[4]  # the overdue list is not empty
    for text in outputs:
        for marker in MARKERS:
            assert marker not in text
    columns = {name for row in overdue_incidents(store, f) for name in row}
    assert columns and not columns & {"pupil_number", "pupils", "description", "note", "text"}


# --- helpers and options --------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, counts, median",
    [
        ([5], [1], 5.0),
        ([2, 5, 9], [1, 1, 1], 5.0),
        ([9, 2, 5], [1, 1, 1], 5.0),  # unsorted
        ([2, 5, 9, 11], [1, 1, 1, 1], 5.0),  # even total: the lower median
        ([1, 2], [1, 1], 1.0),
        ([0, 7], [3, 1], 0.0),
        ([0, 7], [1, 3], 7.0),
        ([0, 7], [2, 2], 0.0),
        ([1, 2, 3], [0, 0, 4], 3.0),  # zero counts are skipped
        ([30, 1, 4], [2, 2, 1], 4.0),  # 1 1 4 30 30
    ],
)
def test_median_from_histogram(values, counts, median):
    assert median_from_histogram(zip(values, counts, strict=True)) == median


def test_median_from_histogram_of_one_step_out_of_many():
    histogram = [("a", 100, 7), ("b", 9, 1), ("b", 2, 1), ("b", 5, 1), ("c", 100, 7)]
    assert median_from_histogram((d, n) for step, d, n in histogram if step == "b") == 5.0


def test_median_from_histogram_empty():
    assert median_from_histogram([]) is None
    assert median_from_histogram([(3, 0)]) is None


def test_filter_options(store, make):
    assert filter_options(store) == {"schools": [], "school_years": []}
    load(
        store,
        make(date(2023, 7, 31), school="Het Baken"),  # 2022-2023
        make(date(2025, 8, 1), school="De Regenboog"),  # 2025-2026
        make(date(2024, 1, 5), school="Het Baken"),
        make(date(2024, 3, 5), school="Atlas College"),
    )
    assert filter_options(store) == {
        "schools": ["Atlas College", "De Regenboog", "Het Baken"],
        "school_years": ["2025-2026", "2024-2025", "2023-2024", "2022-2023"],
    }


def test_filter_options_within_one_school_year(store, make):
    load(store, make(date(2024, 8, 1)), make(date(2025, 7, 31)))
    assert filter_options(store)["school_years"] == ["2024-2025"]


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_gives_the_same_answers_as_sqlite(sqlite_store, make, pg_store):
    store, pg = sqlite_store, pg_store
    try:
        reports = [
            make(date(2025, 1, 31), platforms=["whatsapp", "tiktok"], forms=["threats"]),
            make(date(2025, 2, 1), platforms=["whatsapp"], group="klas 2", steps={"steun": 0}),
            make(
                date(2025, 8, 30),
                steps={"steun": 3, "betrek": 2, "nazorg": 10},
                status="closed",
                resolved_on=date(2025, 9, 4),
            ),
            make(
                date(2025, 9, 1),
                steps=dict.fromkeys(REQUIRED, 1),
                status="resolved",
                resolved_on=date(2025, 9, 10),
            ),
            make(date(2025, 10, 20), steps={"steun": 23}, status="referred"),
            make(date(2025, 11, 7), school="Atlas College", forms=["gossip", "exclusion"]),
        ]
        load(store, *reports)
        load(pg, *reports)
        for f in (
            Filters(today=TODAY),
            Filters.for_school_year("2025-2026", today=TODAY),
            Filters(schools=("De Regenboog",), groups=("groep 7",), today=TODAY),
        ):
            assert key_figures(pg, f) == key_figures(store, f)
            for by in TREND_DIMENSIONS:
                assert monthly_trend(pg, f, by=by) == monthly_trend(store, f, by=by)
            assert step_completion(pg, f) == step_completion(store, f)
            assert overdue_incidents(pg, f) == overdue_incidents(store, f)
        k = key_figures(pg, Filters.for_school_year("2025-2026", today=TODAY))
        assert (k["resolved_cases"], k["median_days_to_resolved"]) == (2, 5.0)  # 5 and 9 days
        assert k["finished_with_all_required"] == 1
    finally:
        pg.engine.dispose()


def test_a_school_year_is_one_value_with_its_own_arithmetic():
    from pestdata.core.clock import SCHOOL_YEAR_MONTHS, SchoolYear

    year = SchoolYear.of(date(2026, 7, 31))
    assert year.label == "2025-2026" and str(year.previous) == "2024-2025"
    assert (year.start, year.end) == (date(2025, 8, 1), date(2026, 7, 31))
    assert SchoolYear.of(date(2026, 8, 1)) == SchoolYear.parse("2026-2027") > year
    assert SchoolYear.month_index(8) == 0 and SchoolYear.month_index(7) == 11
    assert SCHOOL_YEAR_MONTHS[0] == "aug" and SCHOOL_YEAR_MONTHS[-1] == "jul"
    for wrong in ("2025", "2025-2027", "24-25", "schooljaar", ""):
        with pytest.raises(ValueError, match="gebruik de vorm 2025-2026"):
            SchoolYear.parse(wrong)
