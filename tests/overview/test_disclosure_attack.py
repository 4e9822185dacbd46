"""An attack that cannot be fooled (issue 22, part 2): a leader's questions over a grid of
filters, every shared view read as shown, all answers solved together.

Hand-made schools with known small counts (a month with 1 report, an age band with 2, a
school with 3, one report with a rare platform and a sensitive motive) and 2,000 demo reports
are asked, through every shared view: the leadership overview exactly as a leader's kernel
builds it (PESTDATA_ROLE=leiding), the yearly report, `export --share`, the parent evening and
the leaders' signals count. Each shown value bounds a true count; the solver
(tests/disclosure_solver.py) adds what any leader knows (a total is the sum of its parts,
shares tie a part to its base) and narrows every count until nothing changes.

Asserted: no true count from 1 to 4 is pinned to one value; no report's school + group +
month + platform is shown to hold a report; no category below 5 is shown to have occurred.
The attack must also be right: every true count lies inside what it concluded (else the
reading or a rule it assumed is wrong), and it does pin values where the numbers allow it
(the solver tests at the top).

The larger grids run with the benchmarks:
`python -m pytest -m bench tests/overview/test_disclosure_attack.py`.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from disclosure_solver import (  # noqa: E402
    Contradiction,
    System,
    UnknownFormat,
    read_count,
    read_median,
    read_share,
)
from disclosure_views import (  # noqa: E402
    BIG_SCHOOL,
    MIDDLE_SCHOOL,
    SMALL_SCHOOL,
    OverviewReader,
    Readings,
    Truth,
    build_system,
    describe,
    false_constraints,
    findings,
    hand_made_reports,
    month_range,
    read_parent_evening,
    read_share_export,
    read_year_report,
    report_targets,
    summary,
)

from pestdata.db.store import Store  # noqa: E402
from pestdata.incidents import incident_log  # noqa: E402
from pestdata.school import demo  # noqa: E402

# --- the solver can win ------------------------------------------------------------------------


def test_an_exact_share_beside_a_rounded_count_pins_both():
    """'15' with one step at 92 %: only 12 of 13 fit."""
    s = System()
    s.bound("cases", *read_count("15"), "card")
    s.ratio("steun", "cases", *read_share("92%"), "protocol chart")
    s.solve()
    assert s.interval("cases") == (13, 13) and s.interval("steun") == (12, 12)


def test_nested_totals_subtract_to_a_small_school():
    """Totals pinned by their shares subtract: 16 − 13 = 3 for the school shown '< 5'."""
    s = System()
    for key, shown, share in (("all", "15", "81%"), ("linde", "15", "92%")):
        s.bound(key, *read_count(shown), "card")
        s.ratio(f"steun {key}", key, *read_share(share), "protocol")
    s.bound("duimpje", *(0, 4), "card: < 5")
    s.equal_sum("all", ["linde", "duimpje"], "schools")
    s.solve()
    assert s.interval("all") == (16, 16) and s.interval("linde") == (13, 13)
    assert s.interval("duimpje") == (3, 3)


def test_zero_beside_small_isolates_and_rounding_alone_does_not():
    s = System()
    s.bound("month", *read_count("5"), "card")  # 3..7
    s.bound("a", 0, 0, "chart: 0")
    s.bound("b", 0, 4, "chart: < 5")
    s.equal_sum("month", ["a", "b", "c"], "parts")
    s.solve()
    assert s.interval("c") == (0, 7) and not s.pinned("b")
    s.bound("c", 0, 0, "chart: 0")
    s.solve()
    assert s.interval("b") == (3, 4)


def test_a_contradiction_is_reported_not_swallowed():
    s = System()
    s.bound("x", 10, 12, "a")
    s.bound("y", 0, 2, "b")
    s.equal_sum("x", ["y"], "c")
    s.equal_sum("y", ["x", "z"], "d")
    with pytest.raises(Contradiction):
        s.solve()


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("< 5", "small"),
        ("<\u00a05", "small"),
        ("minder dan 5", "small"),
        ("0", (0, 0)),
        ("15", (13, 17)),
        ("1.235", (1233, 1237)),
        ("7", (7, 7)),  # not a multiple of 5: exact
        (20, (18, 22)),
        ("–", None),
        ("x", None),
        ("nog niet compleet", None),
        ("te weinig meldingen", None),
        ("10–20", (10, 20)),
    ],
)
def test_counts_are_read_as_shown(shown, expected):
    assert read_count(shown) == expected


@pytest.mark.parametrize(
    "shown, expected",
    [
        ("92%", (Fraction(915, 1000), Fraction(925, 1000))),
        ("40–50%", (Fraction(2, 5), Fraction(1, 2))),
        ("40-50 %", (Fraction(2, 5), Fraction(1, 2))),
        ("meer dan 90%", (Fraction(9, 10), Fraction(1))),
        ("minder dan 10%", (Fraction(0), Fraction(1, 10))),
        ("te weinig meldingen", None),
        ("—", None),
    ],
)
def test_shares_are_read_as_shown(shown, expected):
    assert read_share(shown) == expected


@pytest.mark.parametrize(
    "shown",
    [
        "mediaan 12 d",
        "17 dagen",
        "± 3 weken",
        "± 1 week",
        "< 1 week",
        "mediaan < 1 week",
        "2–3 weken",
    ],
)
def test_medians_are_read_as_shown(shown):
    assert read_median(shown)


@pytest.mark.parametrize("shown", ["ongeveer een handvol", "12,5", "veel"])
def test_an_unknown_format_fails_loudly(shown):
    with pytest.raises(UnknownFormat):
        read_count(shown)


# --- the attack --------------------------------------------------------------------------------

TODAY = date(2026, 3, 1)  # the day after the data: every month with reports is complete
YEAR = (date(2025, 8, 1), date(2026, 7, 31))
MONTHS = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.fixture
def leader(monkeypatch):
    """A leader's kernel: the shared view is the only view."""
    from pestdata.core import privacy

    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    monkeypatch.delenv("PESTDATA_MIN_COUNT", raising=False)
    assert not privacy.exact_counts_allowed()


def load(tmp_path, reports) -> Store:
    store = Store(f"sqlite:///{tmp_path}/attack.sqlite").ensure_schema()
    incident_log.add_incidents(store, reports, actor="attack")
    return store


def present(reports):
    groups = sorted({i.group for i, _ in reports})
    platforms = sorted({p.value for i, _ in reports for p in i.platforms})
    forms = sorted({f.value for i, _ in reports for f in i.forms})
    return groups, platforms, forms


def ask_everything(store, reports, grid) -> tuple[Readings, list[str]]:
    """Every shared view over the grid: the overview's filters, the days, the yearly
    report, the board's export and the parent evening."""
    from pestdata.core import privacy
    from pestdata.overview.reading import filter_options
    from pestdata.ui.overview.page import Overview

    readings = Readings()
    schools = filter_options(store)["schools"]
    first_month = min(f"{i.reported_on:%Y-%m}" for i, _ in reports)
    view = Overview(store, today=grid["today"])
    reader = OverviewReader(view, readings, first_month, grid["today"] - timedelta(days=1))
    assert view.state.minimum == privacy.threshold() == 5
    for setting, splits in grid["overview"]:
        reader.set(grid["today"], **setting)
        reader.read_all(splits=splits)
    for today, setting in grid["days"]:
        reader.set(today, **setting)
        reader.cards(only_today=True)
    for year, school in grid["year_reports"]:
        read_year_report(store, readings, year, school, grid["today"], privacy.threshold())
    for start, end in grid["exports"]:
        read_share_export(store, readings, start, end, schools)
    for school in grid["evenings"]:
        read_parent_evening(store, readings, school, grid["today"])
    return readings, schools


def grid_for(reports, today, months, size="suite"):
    """A leader's questions, one refresh of the overview each.

    Suite: the whole school year and each month, for all schools and each school (with every
    split of the charts for the year, and for all schools per month); for the year, every age
    band, group, platform and form present, for all schools and each school (the chart per
    platform under a group filter then shows each report's school + group + month +
    platform); per month every age band and the rarest platform; the cards day by day
    through the last month, for all schools and the smallest school; the yearly report, the
    board's export (the year and each month) and the parent evening of every school.
    Bench: every filter for every month and school too, and each platform × group."""
    groups, platforms, forms = present(reports)
    subfilters = _subfilters(reports)
    by_school = Counter(i.school for i, _ in reports)
    schools = ["", *sorted(by_school)]
    smallest = min(by_school, key=by_school.get)
    rarest = min(
        platforms, key=lambda p: sum(p in {x.value for x in i.platforms} for i, _ in reports)
    )
    periods = [YEAR] + [month_range(m) for m in months]
    bands = [{"who": f"band:{b}"} for b in sorted({_band(g) for g in groups})]
    overview = [({"period": p, "school": s}, p == YEAR or not s) for p in periods for s in schools]
    overview += [({"period": YEAR, **f}, False) for f in subfilters]
    for school in schools[1:]:  # per school what it has (every filter: the bench)
        mine = [r for r in reports if r[0].school == school]
        own = subfilters if size == "bench" else _subfilters(mine)
        overview += [({"period": YEAR, "school": school, **f}, False) for f in own]
    if size == "bench":
        overview += [
            ({"period": p, "school": s, **f}, False)
            for p in periods[1:]
            for s in schools
            for f in subfilters
        ]
        overview += [
            ({"period": YEAR, "platform": p, "who": f"group:{g}"}, False)
            for p in platforms
            for g in groups
        ]
    else:
        overview += [
            ({"period": p, **f}, False) for p in periods[1:] for f in [*bands, {"platform": rarest}]
        ]
    last = month_range(months[-1])
    days = [last[0] + timedelta(days=d) for d in range((today - last[0]).days + 1)]
    day_schools = schools if size == "bench" else [smallest]
    return {
        "today": today,
        "overview": overview,
        "days": [(d, {"period": YEAR, "school": s}) for d in days for s in day_schools],
        "year_reports": [("2025-2026", s or None) for s in schools],
        "exports": [YEAR] + [month_range(m) for m in months],
        "evenings": schools[1:],
    }


def _subfilters(reports) -> list[dict]:
    """Every age band, group, platform and form these reports have, as filters."""
    groups, platforms, forms = present(reports)
    return (
        [{"who": f"band:{b}"} for b in sorted({_band(g) for g in groups})]
        + [{"who": f"group:{g}"} for g in groups]
        + [{"platform": p} for p in platforms]
        + [{"form": f} for f in forms]
    )


def _band(group):
    from pestdata.core.choices import age_band

    return age_band(group)


def attack(store, reports, grid):
    started = time.perf_counter()
    readings, schools = ask_everything(store, reports, grid)
    asked = time.perf_counter() - started
    targets = report_targets(reports)
    system = build_system(readings, schools, targets)
    truth = Truth(reports)
    leaks, unsound = findings(system, truth, targets)
    unsound += false_constraints(system, truth)
    solved = time.perf_counter() - started - asked
    small = sum(1 for k in system.lo if hasattr(k, "measure") and 1 <= (truth(k) or 0) <= 4)
    print(
        f"\n{len(grid['overview'])} overview settings, {len(grid['days'])} days, "
        f"{sum(readings.views.values())} readings {dict(readings.views)}; "
        f"{len(system.lo)} unknowns, {len(system.constraints)} constraints; "
        f"{small} true counts 1-4 among them; asked in {asked:.1f} s, solved in {solved:.1f} s; "
        f"leaks {summary(leaks)}; no-breakdown sentences {dict(readings.sentences)}"
    )
    return system, leaks, unsound


def assert_cannot_be_solved(leaks, unsound):
    assert not unsound, (
        "the attack is wrong somewhere (a reading or an assumed rule): true counts outside "
        "its conclusion, or constraints the true counts break:\n"
        + describe([f for f in unsound if not isinstance(f, str)])
        + "\n".join(f"  {f}" for f in unsound if isinstance(f, str))[:4000]
    )
    order = {"pinned": 0, "dated": 1, "report located": 2, "named": 3}
    leaks = sorted(leaks, key=lambda f: order.get(f.kind, 9))
    assert not leaks, f"{len(leaks)} small counts given away ({summary(leaks)}):\n" + describe(
        leaks, 20
    )


def test_hand_made_schools_cannot_be_solved(tmp_path, leader):
    reports = hand_made_reports()
    counts = {
        "december": sum(i.reported_on.month == 12 for i, _ in reports),
        "4-7 jaar": sum(_band(i.group) == "4-7 jaar" for i, _ in reports),
        SMALL_SCHOOL: sum(i.school == SMALL_SCHOOL for i, _ in reports),
        "facebook": sum(any(p.value == "facebook" for p in i.platforms) for i, _ in reports),
        "seksuele oriëntatie": sum(i.motive.value == "sexual_orientation" for i, _ in reports),
    }
    assert counts == {
        "december": 1,
        "4-7 jaar": 2,
        SMALL_SCHOOL: 3,
        "facebook": 1,
        "seksuele oriëntatie": 1,
    }
    assert {i.school for i, _ in reports} == {SMALL_SCHOOL, MIDDLE_SCHOOL, BIG_SCHOOL}
    store = load(tmp_path, reports)
    system, leaks, unsound = attack(store, reports, grid_for(reports, TODAY, MONTHS))
    assert_cannot_be_solved(leaks, unsound)


DEMO_TODAY = date(2026, 2, 28)  # demo reports up to here; the leader looks on 1 March


def demo_reports(count=2000, seed=22):
    return list(demo.generate(count, seed=seed, today=DEMO_TODAY))


def test_two_thousand_demo_reports_cannot_be_solved(tmp_path, leader):
    reports = demo_reports()
    store = load(tmp_path, reports)
    grid = grid_for(reports, TODAY, ["2025-12", "2026-01", "2026-02"])
    system, leaks, unsound = attack(store, reports, grid)
    assert_cannot_be_solved(leaks, unsound)


@pytest.mark.bench
def test_bench_hand_made_full_grid(tmp_path, leader):
    reports = hand_made_reports()
    store = load(tmp_path, reports)
    system, leaks, unsound = attack(store, reports, grid_for(reports, TODAY, MONTHS, "bench"))
    assert_cannot_be_solved(leaks, unsound)


@pytest.mark.bench
def test_bench_demo_full_grid(tmp_path, leader):
    reports = demo_reports()
    store = load(tmp_path, reports)
    months = [f"{m}" for m in ("2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02")]
    system, leaks, unsound = attack(store, reports, grid_for(reports, TODAY, months, "bench"))
    assert_cannot_be_solved(leaks, unsound)
