"""The attack of tests/overview/test_disclosure_attack.py: data with known true counts, every shared
view read the way a leader reads it, the readings turned into constraints, and the answer.

A true count is named by a `Cell`: what is counted (reports, a protocol step done, open
cases, …), for which school, group or age band, platform, form and motive, over which days.
Every view's shown value becomes a bound on a Cell (disclosure_solver.read_count/read_share);
the page's own structure gives the sums (a year is its months, all schools are each school,
an age band its groups, 'Overig' the labels left out). The truth is counted here from the
reports themselves, never by pestdata, so a view that rounds or hides wrongly cannot hide it.
"""

from __future__ import annotations

import html
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import pandas as pd
from disclosure_solver import System, UnknownFormat, clean, read_count, read_median, read_share

from pestdata.core.choices import AGE_BANDS, GROUPS, OPEN_STATUSES, Form, Motive, Platform, age_band
from pestdata.core.clock import MONTHS
from pestdata.core.guidance import load_protocol
from pestdata.core.model import validate_incident, validate_step

EVER = (date(2000, 1, 1), date(2099, 12, 31))  # "now" counts: every report, whatever its date
MEASURES_WITH_TRUTH = ("reports", "open")  # and "step:<id>"


class Cell(NamedTuple):
    measure: str  # reports | step:<id> | open | finished | finished_all | followup | overdue@day
    school: str  # "" = all schools
    who: str  # "" | "band:<age band>" | "group:<group>"
    platform: str  # "" | a Platform value
    form: str  # "" | a Form value
    motive: str  # "" | a Motive value
    start: date
    end: date


def cell(measure="reports", school="", who="", platform="", form="", motive="", period=EVER):
    return Cell(measure, school, who, platform, form, motive, period[0], period[1])


def short(c: Cell) -> str:
    """A cell in a few words: 'reports Klein Duimpje group:groep 2 facebook 2025-12'."""
    parts = [x for x in (c.measure, c.school, c.who, c.platform, c.form, c.motive) if x]
    if (c.start, c.end) == EVER:
        period = "ever"
    elif c.start.day == 1 and c.end == month_range(f"{c.end:%Y-%m}")[1]:
        first, last = f"{c.start:%Y-%m}", f"{c.end:%Y-%m}"
        period = first if first == last else f"{first}..{last}"
    else:
        period = f"{c.start}..{c.end}"
    return " ".join([*parts, period])


def month_range(month: str) -> tuple[date, date]:
    year, number = map(int, month.split("-"))
    first = date(year, number, 1)
    after = date(year + number // 12, number % 12 + 1, 1)
    return first, after - timedelta(days=1)


def months_between(start: date, end: date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(f"{day:%Y-%m}")
        day = month_range(months[-1])[1] + timedelta(days=1)
    return months


def school_year_of(day: date) -> tuple[date, date]:
    first = day.year if day.month >= 8 else day.year - 1
    return date(first, 8, 1), date(first + 1, 7, 31)


def band_of(who: str) -> str | None:
    if who.startswith("band:"):
        return who[5:]
    if who.startswith("group:"):
        return age_band(who[6:])
    return None


def who_and(who: str, other: str) -> str | None:
    """The intersection of two who-selections ('' all, band:, group:), None when empty."""
    if not who:
        return other
    if not other or who == other:
        return who
    if who.startswith("group:") and other.startswith("band:"):
        return who if band_of(who) == other[5:] else None
    if who.startswith("band:") and other.startswith("group:"):
        return other if band_of(other) == who[5:] else None
    return None


# --- data with known counts --------------------------------------------------------------------

SMALL_SCHOOL, MIDDLE_SCHOOL, BIG_SCHOOL = "Klein Duimpje", "De Linde", "Het Anker"


def _incident(school, day, group, platforms, forms, status="closed", motive="unknown", n=0):
    data = {
        "school": school,
        "reported_on": day,
        "happened_on": None,
        "reporter": "parent",
        "pupils": [{"pupil_number": f"{100000 + n}", "role": "target"}],
        "group": group,
        "platforms": platforms,
        "forms": forms,
        "severity": "medium",
        "motive": motive,
        "status": status,
        "resolved_on": day + timedelta(days=9) if status in ("resolved", "closed") else None,
        "handler": "Mw. Jansen",
        "description": "Vervelende berichten in de groepsapp.",
    }
    return validate_incident(data)


def _steps(day, ids):
    return [
        validate_step(
            {"step_id": s, "done_on": day + timedelta(days=1 + i), "done_by": "Dhr. Bakker"}
        )
        for i, s in enumerate(ids)
    ]


def hand_made_reports() -> list:
    """57 reports in 2025-2026 with the issue's small counts: December has 1 report, the age
    band 4-7 jaar 2, the school Klein Duimpje 3; the December report is the only one on
    Facebook and the only one with the motive 'seksuele oriëntatie'. Steps are done on
    almost every report, so a step's share says almost the number of reports."""
    rng = random.Random(22)
    reports = []
    n = 0

    def add(school, day, group, platforms, forms, steps, **kw):
        nonlocal n
        n += 1
        reports.append((_incident(school, day, group, platforms, forms, n=n, **kw), steps))

    everyday = ["steun", "betrek", "hulp", "ouders_gepeste", "gesprekken"]
    big_months = {(2025, 9): 8, (2025, 10): 8, (2025, 11): 9, (2026, 1): 8, (2026, 2): 8}
    for (year, month), count in big_months.items():
        for i in range(count):
            day = date(year, month, 2 + 3 * i)
            ids = everyday if n % 9 else everyday[:1]
            add(
                BIG_SCHOOL,
                day,
                rng.choice(["groep 5", "groep 6", "groep 7", "groep 8"]),
                rng.choice([["whatsapp"], ["tiktok"], ["whatsapp", "snapchat"], ["instagram"]]),
                rng.choice([["gossip"], ["exclusion"], ["ridicule", "gossip"]]),
                _steps(day, ids),
                status="in_progress" if (year, month) == (2026, 2) and i < 3 else "closed",
                motive=rng.choice(["unknown", "unknown", "appearance"]),
            )
    middle_days = [date(2025, 9, 10), date(2025, 9, 24), date(2025, 10, 8), date(2025, 10, 22)]
    middle_days += [date(2025, 11, 5), date(2025, 11, 19), date(2025, 11, 26)]
    middle_days += [date(2026, 1, 14), date(2026, 1, 21), date(2026, 2, 4), date(2026, 2, 11)]
    middle_days += [date(2026, 2, 18), date(2026, 2, 25)]
    for i, day in enumerate(middle_days):  # 13 reports, 'steun' on 12: 92 %
        add(
            MIDDLE_SCHOOL,
            day,
            "klas 1" if i % 2 else "klas 2",
            ["whatsapp"] if i % 3 else ["tiktok"],
            ["exclusion"] if i % 2 else ["gossip"],
            _steps(day, everyday if i != 5 else everyday[1:]),
            status="closed" if i < 11 else "new",
        )
    # The small school: two reports in groep 2 (the age band 4-7 jaar), one in December.
    add(SMALL_SCHOOL, date(2025, 10, 15), "groep 2", ["whatsapp"], ["gossip"],
        _steps(date(2025, 10, 15), everyday))  # fmt: skip
    add(SMALL_SCHOOL, date(2026, 2, 17), "groep 2", ["tiktok"], ["exclusion"],
        _steps(date(2026, 2, 17), everyday), status="in_progress")  # fmt: skip
    add(SMALL_SCHOOL, date(2025, 12, 9), "groep 6", ["facebook"], ["sharing_images"],
        _steps(date(2025, 12, 9), everyday), motive="sexual_orientation")  # fmt: skip
    return reports


# --- the truth ---------------------------------------------------------------------------------


class Truth:
    """True values of Cells, counted from the reports (measures reports, open, step:<id>)."""

    def __init__(self, reports):
        rows = []
        for incident, steps in reports:
            row = {
                "school": incident.school,
                "group": incident.group,
                "band": age_band(incident.group),
                "day": incident.reported_on,
                "motive": incident.motive.value,
                "open": incident.status in OPEN_STATUSES,
                "resolved": (incident.resolved_on or date(2099, 12, 31)).toordinal(),
            }
            row.update({f"p:{p.value}": True for p in incident.platforms})
            row.update({f"f:{f.value}": True for f in incident.forms})
            row.update({f"s:{s.step_id}": True for s in steps})
            rows.append(row)
        frame = pd.DataFrame(rows)
        for name in [f"p:{p.value}" for p in Platform] + [f"f:{f.value}" for f in Form]:
            frame[name] = frame.get(name, pd.Series(False, index=frame.index)).fillna(False)
        for step in load_protocol():
            name = f"s:{step.id}"
            frame[name] = frame.get(name, pd.Series(False, index=frame.index)).fillna(False)
        self._days = frame["day"].map(date.toordinal).to_numpy()
        self._columns: dict = {}
        self.frame = frame.astype({c: bool for c in frame.columns if c[:2] in ("p:", "f:", "s:")})
        self._cache: dict = {}

    def __call__(self, c: Cell) -> int | None:
        if not (c.measure in MEASURES_WITH_TRUTH or c.measure.startswith(("step:", "open@"))):
            return None
        if c not in self._cache:
            self._cache[c] = int(self._mask(c).sum())
        return self._cache[c]

    def _column(self, name: str, value=True):
        key = (name, value)
        if key not in self._columns:
            self._columns[key] = (self.frame[name] == value).to_numpy()
        return self._columns[key]

    def _mask(self, c: Cell):
        days = self._days
        mask = (days >= c.start.toordinal()) & (days <= c.end.toordinal())
        if c.school:
            mask &= self._column("school", c.school)
        if c.who.startswith("band:"):
            mask &= self._column("band", c.who[5:])
        elif c.who.startswith("group:"):
            mask &= self._column("group", c.who[6:])
        if c.platform:
            mask &= self._column(f"p:{c.platform}")
        if c.form:
            mask &= self._column(f"f:{c.form}")
        if c.motive:
            mask &= self._column("motive", c.motive)
        if c.measure == "open":
            mask &= self._column("open")
        elif c.measure.startswith("open@"):
            then = date.fromisoformat(c.measure[5:]).toordinal()
            mask &= self._column("open") | (self.frame["resolved"].to_numpy() > then)
        elif c.measure.startswith("step:"):
            mask &= self._column(f"s:{c.measure[5:]}")
        return mask


# --- readings ----------------------------------------------------------------------------------

PLATFORM_BY_LABEL = {p.label: p.value for p in Platform}
FORM_BY_LABEL = {f.label: f.value for f in Form}
MOTIVE_BY_LABEL = {m.label: m.value for m in Motive}
OTHER = "Overig"


@dataclass
class Readings:
    """What the views showed, before it is turned into constraints (`Attack.system`)."""

    counts: list = field(default_factory=list)  # (Cell, shown, family, source)
    bounds: list = field(default_factory=list)  # (Cell, lo, hi, source): rules of a view
    shares: list = field(default_factory=list)  # (part Cell, base Cell, shown, source)
    lists: list = field(default_factory=list)  # (Overig cell or None, missing Cells, source)
    medians: list = field(default_factory=list)  # (shown, source)
    sentences: Counter = field(default_factory=Counter)  # no-breakdown sentences seen
    views: Counter = field(default_factory=Counter)  # readings per view

    def count(self, c: Cell, shown, family: str, source: str) -> None:
        self.views[source.split(":")[0]] += 1
        self.counts.append((c, shown, family, source))

    def small_or_zero(self, c: Cell, source: str) -> None:
        """A cell a chart or list leaves out: small or zero (0..4)."""
        self.views[source.split(":")[0]] += 1
        self.bounds.append((c, 0, 4, source))

    def share(self, part: Cell, base: Cell, shown, source: str) -> None:
        self.views[source.split(":")[0]] += 1
        self.shares.append((part, base, shown, source))

    def listing(self, shown_labels: dict, category: str, base: Cell, source: str, family: str):
        """A list of categories with counts (label -> shown), maybe with 'Overig': every
        label left out is in 'Overig' (or zero when there is no 'Overig' row); 'Overig'
        holds at least two categories, so when exactly two are left out both occurred."""
        labels = {"platform": PLATFORM_BY_LABEL, "form": FORM_BY_LABEL, "motive": MOTIVE_BY_LABEL}
        if category == "band":
            labels = {b: b for b in AGE_BANDS}
        elif category == "group":
            labels = {g: g for g in GROUPS}
        else:
            labels = labels[category]
        listed = set()
        for label, shown in shown_labels.items():
            if label == OTHER:
                continue
            if label not in labels:
                raise UnknownFormat(f"{source}: a {category} label {label!r}")
            value = labels[label]
            listed.add(value)
            self.count(_category_cell(base, category, value), shown, family, source)
        if not shown_labels:
            return
        missing = [_category_cell(base, category, v) for v in labels.values() if v not in listed]
        overig = None
        if OTHER in shown_labels:
            overig = cell("overig", period=(date(2000, 1, 1), date(2000, 1, 1)))
            overig = overig._replace(school=f"{source}#{len(self.lists)}")
            self.count(overig, shown_labels[OTHER], family, source)
        self.lists.append((overig, missing, source))


def _category_cell(base: Cell, category: str, value: str) -> Cell:
    if category == "band":
        return base._replace(who=f"band:{value}")
    if category == "group":
        return base._replace(who=f"group:{value}")
    return base._replace(**{category: value})


def _cards(markup: str) -> list[tuple[str, str]]:
    values = re.findall(r"pd-figure-value'>(.*?)</div><div class='pd-hint'>(.*?)</div>", markup)
    return [(html.unescape(v), html.unescape(label)) for v, label in values]


def table_cells(markup: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """A 'Toon als tabel' table: its column heads and (row head, cells) rows."""
    head = re.search(r"<thead>(.*?)</thead>", markup, re.S)
    columns = [html.unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))][1:]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*)</tbody>", markup).group(1)):
        name = html.unescape(re.search(r"<th[^>]*>(.*?)</th>", row).group(1))
        rows.append((name, [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]))
    return columns, rows


def month_of_label(label: str) -> str | None:
    """'sep 2025' -> '2025-09'; None for a row that is not a whole month yet."""
    m = re.match(r"^(\w{3}) (\d{4})$", clean(label))
    if not m:
        if "nog niet" in label.lower():
            return None
        raise UnknownFormat(f"a month shown as {label!r}")
    return f"{m.group(2)}-{MONTHS.index(m.group(1)) + 1:02d}"


def quarter_months(label: str) -> list[str]:
    year, quarter = re.match(r"^(\d{4}) K(\d)$", clean(label)).groups()
    first = 3 * (int(quarter) - 1) + 1
    return [f"{year}-{first + i:02d}" for i in range(3)]


TREND_CATEGORY = {
    "platform": ("platform", PLATFORM_BY_LABEL),
    "form": ("form", FORM_BY_LABEL),
    "age_band": ("who", {b: f"band:{b}" for b in AGE_BANDS}),
    "group": ("who", {g: f"group:{g}" for g in GROUPS}),
    "motive": ("motive", MOTIVE_BY_LABEL),
}
NO_DATA = "Geen meldingen bij deze filters."


def protocol_titles() -> dict[str, str]:
    return {s.title: s.id for s in load_protocol()}


class OverviewReader:
    """Reads a leader's Overview (pestdata.ui.overview.page) as shown: cards, charts' tables,
    the heat map; the page shows one state per setting of the filters."""

    CARDS = [
        (r"Nieuwe meldingen (deze maand|in \w{3} \d{4})", "this_month"),
        (r"Nieuwe meldingen dit schooljaar", "this_year"),
        (r"Meldingen in de gekozen periode", "period"),
        (r"Open meldingen (nu|eind \w{3} \d{4})", "open"),
        (r"Achterstallig (nu|eind \w{3} \d{4})", "overdue"),
        (r"Mediaan (dagen )?tot opgelost", "median"),
        (r"Leerlingen herhaaldelijk gemeld als gepest( \(schooljaar \d{4}-\d{4}\))?", "repeat"),
        (r"Afgeronde meldingen met alle verplichte stappen", "finished_all"),
        (r"Nazorg binnen twee weken", "followup"),
    ]

    @classmethod
    def card_kind(cls, label: str) -> str | None:
        for pattern, kind in cls.CARDS:
            if re.fullmatch(pattern, label):
                return kind
        return None

    def __init__(self, view, readings: Readings, first_month: str, data_end: date):
        self.view, self.r = view, readings
        self.first_month, self.data_end = first_month, data_end

    def set(self, today: date, period=None, school="", who="", platform="", form="") -> None:
        """Set the filters as a leader would, all at once: the page shows the state they give."""
        start, end = period if period else (None, None)
        state = self.view.state
        if state.today != today:  # another day: the page read again (same day: same data)
            state = state.on(today)
        self.view.show(
            state.choose(
                year="", start=start, end=end, school=school, who=who, platform=platform,
                form=form, split="platform", split_age="age_band",
            )
        )  # fmt: skip

    def base(self) -> tuple[Cell, tuple[date, date]]:
        f = self.view.state.filters
        period = (f.start or EVER[0], f.end or EVER[1])
        who = ""
        if f.age_bands:
            who = f"band:{f.age_bands[0]}"
        if f.groups:
            who = f"group:{f.groups[0]}"
        one = lambda values: values[0] if values else ""  # noqa: E731
        return cell(
            school=one(f.schools), who=who, platform=one(f.platforms), form=one(f.forms),
            period=period,
        ), period  # fmt: skip

    def cards(self, only_today: bool = False) -> None:
        """The key figures. The page counts up to the day its filters say (today, or the end
        of the last complete month where the cards say 'in feb 2026', 'eind feb 2026')."""
        v, base = self.view, self.base()[0]
        day = v.state.filters.today
        period = (base.start, base.end)
        shown = _cards(v.figures.value)
        if not shown and "pd-figure-value" not in v.figures.value:
            self.r.sentences[clean(re.sub("<[^>]+>", " ", v.figures.value))] += 1
        for value, label in shown:
            kind = self.card_kind(label)
            if kind is None:
                raise UnknownFormat(f"a card {label!r} ({value!r}): teach OverviewReader.CARDS")
            if only_today and kind not in ("this_month", "this_year", "open", "followup"):
                continue
            source = f"overview card '{label}':{short(base)} @{v.state.today}"
            year = school_year_of(day)
            if kind == "this_month":
                m = re.search(r"in (\w{3}) (\d{4})$", label)
                if m:  # that whole month
                    month = f"{m.group(2)}-{MONTHS.index(m.group(1)) + 1:02d}"
                    c = base._replace(start=month_range(month)[0], end=month_range(month)[1])
                else:  # this month up to today
                    c = base._replace(start=day.replace(day=1), end=day)
                self.r.count(c, value, "overview", source)
            elif kind == "this_year":
                self.r.count(base._replace(start=year[0], end=day), value, "overview", source)
            elif kind == "period":
                self.r.count(base, value, "overview", source)
            elif kind in ("open", "overdue"):
                if label.endswith(" nu"):  # every report open today, whatever its date
                    c = base._replace(measure="open", start=EVER[0], end=EVER[1])
                else:  # the period's reports open at the end of the month named
                    c = base._replace(measure=f"open@{day}", end=min(base.end, day))
                if kind == "overdue":
                    c = c._replace(measure=f"overdue@{day}")
                self.r.count(c, value, "overview", source)
            elif kind == "median":
                read_median(value)
                self.r.medians.append((value, source))
            elif kind == "repeat":
                read_count(value)  # pupils, not reports: read, not solved
            elif kind == "finished_all":
                self.r.share(
                    base._replace(measure="finished_all"),
                    base._replace(measure="finished"),
                    value,
                    source,
                )
            elif kind == "followup":
                due_end = min(period[1], day - timedelta(days=14))
                if period[0] <= due_end:
                    due = base._replace(start=period[0], end=due_end)
                    self.r.share(due._replace(measure="followup"), due, value, source)

    def months(self) -> list[str]:
        base = self.base()[0]
        start = max(base.start, month_range(self.first_month)[0] - timedelta(days=62))
        end = min(base.end, self.data_end)
        return months_between(start, end) if start <= end else []

    def trend(self, chart, by: str) -> None:
        base = self.base()[0]
        dimension, labels = TREND_CATEGORY[by]
        source = f"overview chart per {by}:{short(base)}"
        cells = {}
        for month in self.months():
            for label, value in labels.items():
                c = self._trend_cell(base, dimension, value, month)
                if c is not None:
                    cells[(month, label)] = c
        if chart.empty or not chart.table:
            if clean(chart.empty) != NO_DATA:
                self.r.sentences[clean(chart.empty)] += 1
                return
            for c in cells.values():
                self.r.small_or_zero(c, source)
            return
        columns, rows = table_cells(chart.table)
        seen = set()
        for name, values in rows:
            month = month_of_label(name)
            if month is None:
                continue
            for label, value in zip(columns, values, strict=True):
                if label not in labels:
                    raise UnknownFormat(f"{source}: a column {label!r}")
                c = cells.get((month, label))
                if c is None:
                    if read_count(value) not in (None, (0, 0), "small"):
                        raise UnknownFormat(f"{source}: {label} {month} outside the selection")
                    continue
                seen.add((month, label))
                if value.strip() in ("–", "—", ""):
                    self.r.small_or_zero(c, source)
                else:
                    self.r.count(c, value, "overview chart", source)
        for key, c in cells.items():
            if key not in seen:
                self.r.small_or_zero(c, source)

    @staticmethod
    def _trend_cell(base: Cell, dimension: str, value: str, month: str) -> Cell | None:
        period = month_range(month)
        if period[0] < base.start or period[1] > base.end:
            return None
        c = base._replace(start=period[0], end=period[1])
        if dimension == "who":
            who = who_and(base.who, value)
            return None if who is None else c._replace(who=who)
        if dimension in ("platform", "form") and getattr(base, dimension):
            return c if getattr(base, dimension) == value else None
        return c._replace(**{dimension: value})

    def steps(self) -> None:
        v, base = self.view, self.base()[0]
        titles = protocol_titles()
        source = f"overview protocol:{short(base)}"
        chart = v.steps_chart
        if chart.empty or not chart.table:
            if clean(chart.empty) != NO_DATA:
                self.r.sentences[clean(chart.empty)] += 1
            return
        _, rows = table_cells(chart.table)
        for title, values in rows:
            step = titles[title]
            share, *median = values[0].split("·")
            self.r.share(base._replace(measure=f"step:{step}"), base, _percent(share), source)
            if median:
                read_median(median[0])
                self.r.medians.append((median[0], source))
        for text in (chart.spec.get("data") or [{}])[0].get("text") or []:
            if "mediaan" in text:
                read_median(text.split("·")[-1])
                self.r.medians.append((text, source))
        heat = v.heatmap_chart
        if heat.empty or not heat.table:
            return
        quarters, rows = table_cells(heat.table)
        for title, values in rows:
            step = titles[title]
            for quarter, value in zip(quarters, values, strict=True):
                months = [m for m in quarter_months(quarter) if m in self.months()]
                if not months:
                    continue
                q = base._replace(start=month_range(months[0])[0], end=month_range(months[-1])[1])
                self.r.share(q._replace(measure=f"step:{step}"), q, _percent(value),
                             f"overview heat map:{short(base)}")  # fmt: skip

    def read_all(self, splits: bool = True) -> None:
        v = self.view
        self.cards()
        self.trend(v.trend_chart, "platform")
        self.trend(v.age_chart, "age_band")
        self.steps()
        if splits:
            v.split.value = "form"
            self.trend(v.trend_chart, "form")
            for by in ("group", "motive"):
                v.split_age.value = by
                self.trend(v.age_chart, by)


def _percent(value: str) -> str:
    """The protocol chart's table shows its x values (percentages) as bare numbers."""
    value = clean(value)
    return f"{value}%" if re.fullmatch(r"\d+", value) else value


# --- the yearly report, the board's export, the parent evening -------------------------------


# The yearly report's tables per category (their first column's head): what each lists.
YEAR_REPORT_LISTS = {
    "Platform": "platform",
    "Vorm van pesten": "form",
    "Leeftijd": "band",
    "Groep of klas": "group",
    "Motief": "motive",
}


def read_year_report(store, readings: Readings, year: str, school: str | None, today, minimum):
    """The MR's yearly report as the leader's page makes it: its tables as printed (the rows
    reportlab gets), checked against the PDF's text (pdftotext)."""
    import subprocess
    import tempfile

    from pestdata.documents import pdf, year_report

    tables = []
    original = pdf.table

    def capture(rows, *args, **kwargs):
        tables.append([[clean(_plain(c)) for c in row] for row in rows])
        return original(rows, *args, **kwargs)

    pdf.table = capture
    try:
        made = year_report.year_report_pdf(store, year, school, minimum=minimum, today=today)
    finally:
        pdf.table = original
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(made)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
    flat = re.sub(r"\s+", "", text)
    first = int(year[:4])
    period = (date(first, 8, 1), date(first + 1, 7, 31))
    base = cell(school=school or "", period=period)
    source = f"year report:{school or 'alle scholen'} {year}@{today}"
    titles = protocol_titles()
    if not any(rows[0] == ["Kerncijfer", "Waarde"] for rows in tables):
        raise UnknownFormat(f"{source}: no key figures read (pdf.table no longer used?)")
    for rows in tables:
        head = rows[0]
        for row in rows[1:]:
            for value in row[1:]:
                if re.search(r"\d", value) and re.sub(r"\s+", "", value) not in flat:
                    raise UnknownFormat(f"{source}: {value!r} is not in the PDF's text")
        if head == ["Kerncijfer", "Waarde"]:
            for label, value in rows[1:]:
                if label == "Meldingen in het schooljaar":
                    readings.count(base, value, "year report", source)
                elif label.startswith("Afgeronde meldingen (opgelost"):
                    readings.count(base._replace(measure="finished"), value, "year report",
                                   source)  # fmt: skip
                elif label.startswith("Afgeronde meldingen met alle"):
                    readings.share(base._replace(measure="finished_all"),
                                   base._replace(measure="finished"), value, source)  # fmt: skip
                elif label.startswith("Nazorg binnen twee weken"):
                    due_end = min(period[1], today - timedelta(days=14))
                    due = base._replace(end=due_end)
                    readings.share(due._replace(measure="followup"), due, value, source)
                elif label.startswith("Mediaan"):
                    read_median(value)
                    readings.medians.append((value, source))
                else:
                    raise UnknownFormat(f"{source}: a key figure {label!r}")
        elif head[:1] == [""] and head[1:] == list(MONTHS[7:] + MONTHS[:7]):
            for i, value in enumerate(rows[1][1:]):
                month = f"{first + (i + 7) // 12}-{(i + 7) % 12 + 1:02d}"
                c = base._replace(start=month_range(month)[0], end=month_range(month)[1])
                readings.count(c, value, "year report", source)
        elif head[1:] == ["Meldingen"] and head[0] in YEAR_REPORT_LISTS:
            category = YEAR_REPORT_LISTS[head[0]]
            readings.listing(dict(rows[1:]), category, base, source, "year report")
        elif head[:4] == ["Stap", "Verplicht", "Termijn", "Gedaan"]:
            for title, _, _, done, share, median in rows[1:]:
                step = base._replace(measure=f"step:{titles[title]}")
                readings.count(step, done, "year report", source)
                readings.share(step, base, share, source)
                read_median(median if not median.isdigit() else f"{median} d")
                readings.medians.append((median, source))
        elif head[:1] in (["Groep of klas"], ["Actie"]) or not any(
            re.search(r"\d", v) for row in rows[1:] for v in row
        ):
            continue  # the checklist and the lessons: no report counts
        else:
            raise UnknownFormat(f"{source}: a table headed {head!r}")


def _plain(value) -> str:
    """A reportlab table cell as text (a string, or a Paragraph's text)."""
    if isinstance(value, str):
        return value
    text = getattr(value, "text", None)
    if text is None:
        return str(value)
    return html.unescape(re.sub("<[^>]+>", "", text))


def read_share_export(store, readings: Readings, start: date, end: date, schools: list[str]):
    """`pestdata export --share` (export.share_frame) over whole months."""
    from pestdata.overview.filters import Filters
    from pestdata.registers import export

    frame = export.share_frame(store, Filters(start=start, end=end))
    source = f"share export:{start}..{end}"
    period = (start, end)
    listed = set(frame["School"])
    for school in schools:
        base = cell(school=school, period=period)
        if school not in listed:
            readings.bounds.append((base, 0, 0, source + " (a school without rows)"))
            continue
        mine = frame[frame["School"] == school]
        lists = defaultdict(dict)
        months_seen = set()
        for row in mine.itertuples(index=False):
            kind, value, count, note = row[2], row[3], row[4], row[5]
            shown = None if pd.isna(count) else int(count)
            if shown is None and re.match(r"^minder dan \d+", str(note)):
                shown = "< 5"
            if kind == "Totaal":
                readings.count(base, "x" if shown is None else shown, "share export", source)
            elif kind == "Maand":
                months_seen.add(value)
                c = base._replace(start=month_range(value)[0], end=month_range(value)[1])
                readings.count(c, "x" if shown is None else shown, "share export", source)
            elif kind in ("Platform", "Vorm", "Leeftijd"):
                lists[kind][value] = "x" if shown is None else shown
            else:
                raise UnknownFormat(f"{source}: a row {kind!r}")
        if months_seen:
            for month in months_between(start, end):
                if month not in months_seen:
                    c = base._replace(start=month_range(month)[0], end=month_range(month)[1])
                    readings.bounds.append((c, 0, 0, source + " (a month without a row)"))
        for kind, category in (("Platform", "platform"), ("Vorm", "form"), ("Leeftijd", "band")):
            if lists[kind]:
                readings.listing(lists[kind], category, base, source, "share export")


def read_parent_evening(store, readings: Readings, school: str, today: date):
    """The parent evening's slides (evening_figures.aggregate_figures -> build_slides)."""
    from pestdata.documents import evening_figures, parent_evening

    figures = evening_figures.aggregate_figures(store, school, today=today)
    slides = parent_evening.build_slides(figures)
    year = school_year_of(today)
    base = cell(school=school, period=year)
    source = f"parent evening:{school}@{today}"
    for slide in slides:
        body = clean(html.unescape(re.sub("<[^>]+>", " ", slide.body)))
        if slide.title.startswith("Onze school in"):
            m = re.match(r"^(.*?) meldingen", body)
            if not m:
                raise UnknownFormat(f"{source}: the total in {body[:80]!r}")
            readings.count(base, m.group(1), "parent evening", source)
        if slide.figure is None:
            continue
        data = slide.figure["data"]
        title = slide.figure["layout"]["title"]["text"] or ""
        if title in ("Waar gebeurde het?", "Vormen van online pesten"):
            category = "platform" if title.startswith("Waar") else "form"
            shown = dict(zip(data[0]["y"], data[0]["x"], strict=True))
            readings.listing(shown, category, base, source, "parent evening")
        elif title == "Meldingen per maand":
            for trace in data:
                first = year[0].year if trace["name"] != "vorig schooljaar" else year[0].year - 1
                for label, value in zip(trace["x"], trace["y"], strict=True):
                    index = [*MONTHS[7:], *MONTHS[:7]].index(label)
                    month = f"{first + (index + 7) // 12}-{(index + 7) % 12 + 1:02d}"
                    c = base._replace(start=month_range(month)[0], end=month_range(month)[1])
                    readings.count(c, "x" if value is None else value, "parent evening", source)
        elif "Lessen" in title:
            continue
        else:
            raise UnknownFormat(f"{source}: a chart {title!r}")


# --- from readings to an answer ----------------------------------------------------------------

ADDITIVE = ("reports", "finished", "finished_all", "followup", "open")


def _additive(c: Cell) -> bool:
    return c.measure in ADDITIVE or c.measure.startswith(("step:", "open@", "overdue@"))


def build_system(readings: Readings, schools: list[str], targets=()) -> System:
    """The readings as constraints, with the sums the pages' structure gives."""
    s = System()
    zero_shown = {family for c, shown, family, _ in readings.counts if read_count(shown) == (0, 0)}
    for c, shown, family, source in readings.counts:
        value = read_count(shown)
        if value is None:
            continue
        if value == "small":
            # '< 5' is 0..4; where the same kind of view shows an exact 0, it is 1..4.
            value = (1, 4) if family in zero_shown else (0, 4)
        s.bound(c, value[0], value[1], source)
    for c, lo, hi, source in readings.bounds:
        s.bound(c, lo, hi, source)
    for part, base, shown, source in readings.shares:
        value = read_share(shown)
        if value is not None:
            s.ratio(part, base, value[0], value[1], source)
    for overig, missing, source in readings.lists:
        if overig is None:
            for c in missing:
                s.bound(c, 0, 0, source + " (a list without 'Overig' leaves out only zeros)")
        else:
            s.equal_sum(overig, missing, source + " ('Overig' is the labels left out)")
            if len(missing) == 2:
                s.at_least_one(missing, source + " ('Overig' holds two categories or more)")
    for c in targets:
        s.var(c)
        s.var(c._replace(school=""))
        s.var(c._replace(who=f"band:{band_of(c.who)}"))
    _structure(s, schools)
    return s.solve()


GROUPS_OF_BAND = {b: [g for g in GROUPS if age_band(g) == b] for b in AGE_BANDS}


def _structure(s: System, schools: list[str]) -> None:
    """The sums any leader knows: all schools are each school, all pupils each age band, an
    age band its groups, all motives each motive; a subset counts no more than its whole;
    a period is its days (split at every date any reading starts or ends)."""
    keys = [k for k in list(s.lo) if isinstance(k, Cell)]
    motives_used = {k._replace(motive="") for k in keys if k.motive}
    for k in keys:
        if not _additive(k):
            continue
        if k.measure.startswith("overdue@"):
            day = k.measure[8:]
            open_then = k._replace(measure="open" if (k.start, k.end) == EVER else f"open@{day}")
            s.at_most(k, open_then, "overdue cases are open")
        if k.measure.startswith("open@"):
            s.at_most(k, k._replace(measure="reports"), "open reports")
        if k.measure.split("@")[0] not in ("reports", "open", "overdue"):
            pass  # steps, finished, follow-up: tied to their reports and their months only
        elif not k.school:
            s.equal_sum(k, [k._replace(school=x) for x in schools], "schools")
        if k.measure.split("@")[0] not in ("reports", "open", "overdue"):
            pass
        elif not k.who:
            s.equal_sum(k, [k._replace(who=f"band:{b}") for b in AGE_BANDS], "age bands")
        if k.measure.split("@")[0] not in ("reports", "open", "overdue"):
            pass
        elif k.who.startswith("band:") or not k.who:
            for b in [k.who[5:]] if k.who else AGE_BANDS:
                groups = GROUPS_OF_BAND[b]
                s.equal_sum(k._replace(who=f"band:{b}"),
                            [k._replace(who=f"group:{g}") for g in groups], "groups")  # fmt: skip
        if not k.motive and k in motives_used:
            s.equal_sum(k, [k._replace(motive=m.value) for m in Motive], "motives")
        for dimension in ("platform", "form"):
            if getattr(k, dimension):
                s.at_most(k, k._replace(**{dimension: ""}), f"one {dimension}")
        whole = k._replace(measure="reports")
        if k.measure.startswith("step:") or k.measure in ("finished", "followup"):
            s.at_most(k, whole, f"{k.measure} of the reports")
        if k.measure == "finished_all":
            s.at_most(k, k._replace(measure="finished"), "finished with all steps")
        if k.measure == "open":
            s.at_most(k, whole, "open reports")
    # every report has a platform and a form: the reports are covered by their parts
    keys = [k for k in list(s.lo) if isinstance(k, Cell)]
    present = set(keys)
    for k in keys:
        if k.measure == "reports" and not k.platform and not k.form:
            for dimension, values in (("platform", Platform), ("form", Form)):
                parts = [k._replace(**{dimension: v.value}) for v in values]
                if sum(p in present for p in parts) >= 2:
                    s.covered_by(k, parts, f"every report has a {dimension}")
    # periods: split every cell at the dates any cell of its kind starts or ends
    by_kind = defaultdict(set)
    for k in list(s.lo):
        if isinstance(k, Cell) and _additive(k):
            by_kind[k._replace(start=EVER[0], end=EVER[0])].add((k.start, k.end))
    for kind, periods in by_kind.items():
        cuts = sorted({d for a, b in periods for d in (a, b + timedelta(days=1))})
        for a, b in periods:
            inside = [d for d in cuts if a <= d <= b + timedelta(days=1)]
            ends = [d - timedelta(days=1) for d in inside[1:]]
            if len(ends) > 1:
                parts = [
                    kind._replace(start=x, end=y) for x, y in zip(inside[:-1], ends, strict=True)
                ]
                s.equal_sum(kind._replace(start=a, end=b), parts, "days")


@dataclass
class Finding:
    kind: str
    cell: Cell
    truth: int
    interval: tuple
    because: list


def findings(s: System, truth: Truth, targets=()) -> tuple[list, list]:
    """(leaks, unsound): small true counts pinned, dated finer than a month, a report's
    school + group + month + platform shown to hold a report, a small category shown to have
    occurred; and true values outside what the attack concluded (the attack would be wrong)."""
    leaks, unsound = [], []
    targets = set(targets)
    for k in s.lo:
        if not isinstance(k, Cell):
            continue
        t = truth(k)
        if t is None:
            continue
        lo, hi = s.interval(k)
        why = s.why.get(k, [])
        if not lo <= t <= hi:
            unsound.append(Finding("outside", k, t, (lo, hi), why))
        elif 1 <= t <= 4 and lo == hi:
            leaks.append(Finding("pinned", k, t, (lo, hi), why))
        elif 1 <= t <= 4 and lo >= 1 and _within_a_month(k):
            leaks.append(Finding("dated", k, t, (lo, hi), why))
        elif 1 <= t <= 4 and lo >= 1 and k in targets:
            leaks.append(Finding("report located", k, t, (lo, hi), why))
        elif 1 <= t <= 4 and lo >= 1 and (k.platform or k.form or k.motive or k.who):
            leaks.append(Finding("named", k, t, (lo, hi), why))
    return leaks, unsound


def false_constraints(s: System, truth: Truth) -> list[str]:
    """Constraints the true counts break (where all their cells have a truth): a reading or
    an assumed rule of the page that is wrong. The attack may only use true statements."""
    from disclosure_solver import _parts_for

    wrong = []
    for c in s.constraints:
        values = [truth(k) if isinstance(k, Cell) else None for k in c.keys]
        if None in values:
            continue
        first, *rest = values
        if c.kind == "sum":
            holds = first == sum(rest)
        elif c.kind == "le":
            holds = first <= rest[0]
        elif c.kind == "cover":
            holds = first <= sum(rest)
        else:  # ratio: (part, base)
            holds = rest[0] == 0 or any(
                lo <= first <= hi for lo, hi in _parts_for(rest[0], *c.data)
            )
        if not holds:
            wrong.append(f"{c.kind} from {c.source}: {[short(k) for k in c.keys]} = {values}")
    for k, why in s.why.items():
        t = truth(k) if isinstance(k, Cell) else None
        for reading in why if t is not None else ():
            lo, hi = map(int, reading.rsplit(": ", 1)[1].split(".."))
            if not lo <= t <= hi:
                wrong.append(f"{short(k)} is {t}, read as {reading}")
    return wrong


def _within_a_month(c: Cell) -> bool:
    """A period shorter than its month: a report found there is dated finer than a month."""
    return (c.start.year, c.start.month) == (c.end.year, c.end.month) and (
        c.start.day != 1 or c.end != month_range(f"{c.end:%Y-%m}")[1]
    )


def report_targets(reports) -> list[Cell]:
    """Each report's school + group + month + platform."""
    cells = []
    for incident, _ in reports:
        month = month_range(f"{incident.reported_on:%Y-%m}")
        for p in incident.platforms:
            cells.append(
                cell(
                    school=incident.school,
                    who=f"group:{incident.group}",
                    platform=p.value,
                    period=month,
                )  # fmt: skip
            )
    return sorted(set(cells))


def describe(found: list, limit: int = 12) -> str:
    lines = []
    for f in found[:limit]:
        lines.append(
            f"  {f.kind}: [{short(f.cell)}] true {f.truth}, attack says "
            f"{f.interval[0]}..{f.interval[1]}; shown: {'; '.join(f.because[:3]) or 'derived'}"
        )
    more = f"\n  … and {len(found) - limit} more" if len(found) > limit else ""
    return "\n".join(lines) + more


def summary(leaks: list) -> dict:
    """Counts per kind and per view family (of the direct readings on leaked cells)."""
    kinds = Counter(f.kind for f in leaks)
    views = Counter(
        why.split(":")[0] for f in leaks for why in {w.split(":")[0] for w in f.because}
    )
    return {"kinds": dict(kinds), "views": dict(views)}
