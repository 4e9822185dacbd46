"""pestdata.documents.charts: the overview's rows in, small Dutch plotly figures out."""

from __future__ import annotations

import json
import re
from datetime import date

import plotly.graph_objects as go
import pytest

from pestdata.core.choices import Platform, age_band
from pestdata.core.guidance import load_protocol
from pestdata.core.model import validate_incident
from pestdata.documents import charts, pupil_network
from pestdata.incidents import incident_log
from pestdata.overview.filters import Filters
from pestdata.overview.lists import LessonsInGroup
from pestdata.overview.protocol import step_completion_by_quarter
from pestdata.overview.reading import total_per
from pestdata.overview.trends import monthly_trend
from pestdata.ui.plots import figure_spec

MONTHS_36 = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]


def trend_frame(rows) -> list[dict]:
    """monthly_trend-like rows from (month, category, count) tuples."""
    return [{"month": m, "category": c, "count": n} for m, c, n in rows]


def full_trend_frame(scale: int = 1) -> list[dict]:
    """36 months x 11 platforms, counts 1..9 (times `scale`)."""
    return trend_frame(
        [
            (month, p.value, ((i * 7 + j) % 9 + 1) * scale)
            for i, month in enumerate(MONTHS_36)
            for j, p in enumerate(Platform)
        ]
    )


def drawn(figure: dict) -> go.Figure:
    """A figure as plotly reads it: plotly's validator checks every property on the way."""
    return go.Figure(figure)


def sent(figure: dict) -> str:
    """What the browser gets for a figure."""
    return json.dumps(figure_spec(figure))


def colours(figure: dict) -> dict[str, str]:
    return {trace.name: trace.marker.color for trace in drawn(figure).data}


def steps_frame(incidents: int = 20, **done) -> list[dict]:
    """step_completion-like rows in protocol order: `cases` cases, 10 of them with each
    step done unless `done` says otherwise per step (share_done follows)."""
    rows = []
    for step in load_protocol():
        n = done.get(step.id, 10)
        rows.append(
            {
                "step_id": step.id,
                "title": step.title,
                "cases": incidents,
                "done": n,
                "share_done": n / incidents if incidents else None,
                "median_days": 3.0,
            }
        )
    return rows


# --- labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "month, label",
    [("2025-11", "nov 2025"), ("2026-01", "jan 2026"), ("2025-03", "mrt 2025")]
    + [("2025-05", "mei 2025"), ("2025-10", "okt 2025")],
)
def test_month_label(month, label):
    assert charts.month_label(month) == label


@pytest.mark.parametrize(
    "by, category, title, legend, trace",
    [
        ("platform", "game_chat", "Meldingen per maand, per platform", "Platform", "Gamechat"),
        (
            "form",
            "threats",
            "Meldingen per maand, per vorm van pesten",
            "Vorm van pesten",
            "Bedreiging",
        ),
        ("age_band", "8-11 jaar", "Meldingen per maand, per leeftijd", "Leeftijd", "8-11 jaar"),
        ("group", "klas 2", "Meldingen per maand, per groep of klas", "Groep of klas", "klas 2"),
    ],
)
def test_trend_is_a_dutch_figure(by, category, title, legend, trace):
    frame = trend_frame([("2025-11", category, 3), ("2025-12", category, 2)])
    figure = drawn(charts.trend(frame, by))
    assert figure.layout.title.text == title
    assert figure.layout.xaxis.title.text == "Maand"
    assert figure.layout.yaxis.title.text == "Aantal meldingen"
    assert figure.layout.legend.title.text == legend
    assert figure.layout.barmode == "stack"
    assert [t.name for t in figure.data] == [trace]
    assert list(figure.data[0].x) == ["nov 2025", "dec 2025"]
    assert list(figure.data[0].y) == [3, 2]
    assert "meldingen" in figure.data[0].hovertemplate


def test_trend_months_in_order_and_gaps_empty():
    frame = trend_frame(
        [("2026-01", "whatsapp", 2), ("2025-11", "tiktok", 1), ("2025-11", "whatsapp", 4)]
    )
    figure = drawn(charts.trend(frame, "platform"))
    assert [t.name for t in figure.data] == ["WhatsApp", "TikTok"]  # platform order, not frame's
    assert list(figure.data[0].x) == ["nov 2025", "jan 2026"]
    assert list(figure.data[0].y) == [4, 2]
    assert list(figure.data[1].y) == [1, None]  # no report: no bar, not a zero


def test_trend_note_is_shown():
    frame = trend_frame([("2025-11", "whatsapp", 6)])
    assert not drawn(charts.trend(frame, "platform")).layout.annotations
    figure = drawn(charts.trend(frame, "platform", note="Aantallen onder 5 zijn niet getoond."))
    assert [a.text for a in figure.layout.annotations] == ["Aantallen onder 5 zijn niet getoond."]


def test_step_completion_is_a_dutch_figure_in_protocol_order():
    figure = drawn(charts.step_completion(steps_frame(steun=5)))  # 5 of 20
    assert figure.layout.title.text == "Protocol: hoe vaak is elke stap gedaan?"
    assert figure.layout.xaxis.title.text == "% van de meldingen"
    bar = figure.data[0]
    titles = [s.title for s in load_protocol()]
    assert list(bar.y)[::-1] == titles  # drawn bottom-up: the first step on top
    assert bar.x[-1] == 25
    assert bar.text[-1] == "25% · mediaan 3 d"


def test_step_heatmap_is_a_dutch_figure_in_protocol_order():
    quarters = ["2025 K3", "2025 K4", "2026 K1"]
    # Quarter by quarter, steps in protocol order (analytics gives them step by step).
    rows = [
        {"step_id": s.id, "title": s.title, "quarter": q, "share_done": 0.1 * n}
        for q in quarters
        for n, s in enumerate(load_protocol())
    ]
    figure = drawn(charts.step_heatmap(rows))
    assert figure.layout.title.text == "Protocol per kwartaal: % meldingen met de stap gedaan"
    assert figure.data[0].colorbar.title.text == "%"
    heatmap = figure.data[0]
    titles = [s.title for s in load_protocol()]
    assert list(heatmap.y)[::-1] == titles  # drawn bottom-up: the first step on top
    assert list(heatmap.x) == quarters
    assert [row[0] for row in heatmap.z][::-1] == [round(10.0 * n) for n in range(len(titles))]


def test_step_shares_come_from_the_counts_and_a_frame_without_counts_is_exact_only_inside():
    with_counts = {"done": 5, "cases": 20, "share_done": 0.9}  # the counts decide
    assert charts.step_share(with_counts, None) == (0.25, "25%")
    assert charts.step_share({"share_done": 0.25}, None) == (0.25, "25%")  # the care team
    assert charts.step_share({"share_done": None}, None) == (None, "—")
    # A shared view cannot band a share without its counts: it publishes none.
    assert charts.step_share({"share_done": 0.25}, 5) == (None, "te weinig meldingen")


def test_step_heatmap_follows_the_protocol_from_analytics(store, valid_incident_data):
    incident_log.add_incidents(
        store,
        [(validate_incident(valid_incident_data(reported_on=date(2025, 10, 1))), [])],
        actor="test",
    )
    frame = step_completion_by_quarter(store, Filters(today=date(2025, 11, 1)))
    heatmap = drawn(charts.step_heatmap(frame)).data[0]
    assert list(heatmap.y)[::-1] == [s.title for s in load_protocol()]
    assert list(heatmap.x) == ["2025 K4"]


# --- colours --------------------------------------------------------------------------------


def test_platform_keeps_its_colour_whatever_else_is_shown():
    one = charts.trend(
        trend_frame([("2025-11", "whatsapp", 3), ("2025-11", "tiktok", 2)]), "platform"
    )
    other = charts.trend(
        trend_frame(
            [("2025-10", "instagram", 1), ("2025-11", "snapchat", 2), ("2025-11", "whatsapp", 9)]
        ),
        "platform",
    )
    only = charts.trend(trend_frame([("2025-11", "whatsapp", 1)]), "platform")
    assert colours(one)["WhatsApp"] == colours(other)["WhatsApp"] == colours(only)["WhatsApp"]
    assert colours(one)["WhatsApp"] == charts.PLATFORM_COLOURS["whatsapp"]
    full = colours(charts.trend(full_trend_frame(), "platform"))
    assert len(full) == len(Platform)
    assert len(set(full.values())) == len(Platform)  # every platform its own colour
    assert full["TikTok"] == colours(one)["TikTok"]
    assert full["Instagram"] == colours(other)["Instagram"]


def test_form_keeps_its_colour():
    a = charts.trend(trend_frame([("2025-11", "threats", 3)]), "form")
    b = charts.trend(trend_frame([("2025-11", "gossip", 3), ("2025-11", "threats", 3)]), "form")
    assert colours(a)["Bedreiging"] == colours(b)["Bedreiging"] == charts.FORM_COLOURS["threats"]


# --- size -----------------------------------------------------------------------------------


def test_chart_json_is_small_and_has_no_template():
    text = sent(charts.trend(full_trend_frame(), "platform"))
    assert len(text) < 20_000
    template = json.loads(text)["layout"].get("template", {})
    assert len(json.dumps(template)) < 200  # plotly's default template alone is ~6 KB
    assert len(sent(charts.step_completion(steps_frame()))) < 20_000


def test_chart_json_grows_with_bars_not_with_incidents():
    small = sent(charts.trend(full_trend_frame(), "platform"))
    large = sent(charts.trend(full_trend_frame(scale=1000), "platform"))
    bars = len(MONTHS_36) * len(Platform)
    # 1000 times the reports: only the numbers get longer (3 digits per bar).
    assert 0 <= len(large) - len(small) <= 3 * bars
    same = sent(charts.trend(full_trend_frame(scale=1), "platform"))
    assert len(same) == len(small)
    half = [r for r in full_trend_frame() if r["month"] < "2024-07"]
    assert len(sent(charts.trend(half, "platform"))) < len(small) - 10 * bars / 2


# --- suppression ----------------------------------------------------------------------------


def test_a_shared_share_over_a_small_part_or_remainder_has_no_bar_and_says_too_few():
    # 20 cases: steun done 2 (part small), betrek 18 (remainder small: 2 lack it), hulp
    # 9 (a band, but a median over 9 steps is not shown), nazorg 10.
    frame = steps_frame(steun=2, betrek=18, hulp=9)
    figure = charts.step_completion(frame, minimum=5)
    bar = drawn(figure).data[0]
    by_title = dict(zip(bar.y, zip(bar.x, bar.text, strict=True), strict=True))
    titles = {s.id: s.title for s in load_protocol()}
    assert by_title[titles["steun"]] == (None, "te weinig meldingen")
    assert by_title[titles["betrek"]] == (None, "te weinig meldingen")
    assert by_title[titles["hulp"]] == (55, "50–60%")  # 10 of 20 published
    assert by_title[titles["nazorg"]] == (55, "50–60% · mediaan < 1 week")
    assert all(x is None or x % 10 == 5 for x in bar.x)  # only the middle of a band
    assert not any(re.search(r"\d d\b|dagen|\b\d?[1-9]%", t) for t in bar.text)
    # The care team's view of the same frame: exact shares and medians in days.
    inside = drawn(charts.step_completion(frame)).data[0]
    exact = dict(zip(inside.y, zip(inside.x, inside.text, strict=True), strict=True))
    assert exact[titles["steun"]] == (10, "10% · mediaan 3 d")
    assert exact[titles["betrek"]] == (90, "90% · mediaan 3 d")
    # no cases: no bar, no text
    none = drawn(charts.step_completion(steps_frame(incidents=0))).data[0]
    assert set(none.x) == {None} and set(none.text) == {""}


def test_a_shared_share_over_a_small_part_has_no_colour_in_the_heatmap():
    frame = [
        {
            "step_id": s.id,
            "title": s.title,
            "quarter": "2025 K4",
            "cases": 20,
            "done": 2 if s.id == "steun" else 10,
            "share_done": (2 if s.id == "steun" else 10) / 20,
        }
        for s in load_protocol()
    ]
    heatmap = drawn(charts.step_heatmap(frame, minimum=5)).data[0]
    assert heatmap.z[-1][0] is None  # steun, drawn at the top
    assert heatmap.text[-1][0] == "te weinig meldingen"
    assert heatmap.z[0][0] == 55 and heatmap.text[0][0] == "50–60%"
    inside = drawn(charts.step_heatmap(frame)).data[0]  # the care team: exact
    assert inside.z[-1][0] == 10 and inside.z[0][0] == 50


def test_shared_view_trend_never_shows_a_small_count(store, valid_incident_data):
    def report(day, platform):
        return validate_incident(
            valid_incident_data(reported_on=day, happened_on=None, platforms=[platform])
        ), []

    reports = (
        [report(date(2025, 10, d), "whatsapp") for d in range(1, 5)]  # exactly 4 in October
        + [report(date(2025, 10, d), "tiktok") for d in range(10, 16)]  # 6
        + [report(date(2025, 11, d), "whatsapp") for d in range(1, 8)]  # 7
        + [report(date(2025, 11, d), "instagram") for d in range(10, 15)]  # 5
    )
    incident_log.add_incidents(store, reports, actor="test")
    frame = monthly_trend(store, Filters(start=date(2025, 8, 1), today=date(2025, 11, 20)))
    assert ("2025-10", "whatsapp", 4) in [tuple(r.values()) for r in frame]

    def values(figure):
        return [y for trace in figure["data"] for y in trace["y"]]

    assert 4 in values(charts.trend(frame, "platform"))  # the internal view shows it

    totals = total_per(frame, "month")  # 10 and 12 reports
    figure = charts.trend(
        frame,
        "platform",
        note="Aantallen onder 5",
        minimum=5,
        months=["2025-10", "2025-11"],
        totals=totals,
    )
    data = {t["name"]: list(t["y"]) for t in figure["data"]}
    texts = {t["name"]: list(t["text"]) for t in figure["data"]}
    assert list(data) == [p.label for p in Platform]  # every platform listed, none absent
    # 7 and 5 are shown rounded to 5 (disclosure.published); October's 6 would prove
    # WhatsApp's 4 (total 10: 8..12, TikTok at most 7), so it is hidden too ("x").
    assert data["WhatsApp"] == [None, 5] and data["Instagram"] == [None, 5]
    assert data["TikTok"] == [None, None]
    assert texts["WhatsApp"] == ["< 5", "5"] and texts["TikTok"] == ["x", "< 5"]
    assert texts["Discord"] == ["< 5", "< 5"]  # zero looks like 1-4
    assert not {1, 2, 3, 4} & set(values(figure))
    assert {t for row in texts.values() for t in row} <= {"< 5", "x", "5", "10"}
    assert figure["data"][0]["x"] == ["okt 2025", "nov 2025"]


# Four pupils of groep 7: 204533 and 204534 share two cases, 204533 and 300001 one.
NETWORK = (
    {"204533": "bully", "204534": "target", "300001": "both", "300002": "bystander"},
    {("204533", "204534"): 2, ("204533", "300001"): 1},
    "Leerlingen in groep 7",
)


def test_the_network_links_pupils_by_shared_cases_and_colours_their_role():
    figure = drawn(pupil_network.network(*NETWORK))
    lines = [t for t in figure.data if t.mode == "lines"]
    assert [t.line.width for t in lines] == [1, 3]  # thicker for more shared cases
    assert [t.name for t in lines] == ["1 gedeelde melding", "2 gedeelde meldingen"]
    pupils = {t.name: list(t.text) for t in figure.data if t.mode == "markers+text"}
    assert pupils == {
        "Gepeste leerling": ["204534"],
        "Pester": ["204533"],
        "Pester én gepest": ["300001"],
        "Omstander": ["300002"],
    }
    assert figure.layout.title.text == "Leerlingen in groep 7"


def test_every_chart_passes_plotlys_validation():
    """charts.figure skips validation for speed; plotly's validator checks them here."""
    quarters = [
        {"step_id": s.id, "title": s.title, "quarter": q, "cases": 20, "done": done}
        for s in load_protocol()
        for q, done in (("2025 K1", 10), ("2025 K2", 2))
    ]
    shares_only = [  # shares only, no counts: the care team's exact view
        {"step_id": r["step_id"], "title": r["title"], "quarter": r["quarter"],
         "share_done": r["done"] / 20}
        for r in quarters
    ]  # fmt: skip
    lessons = [LessonsInGroup("groep 7", age_band("groep 7"), 2)]
    figures = [
        *(
            charts.trend(
                trend_frame([("2025-01", c, 7) for c in list(labels)[:3]]), by, note="Onder 5"
            )
            for by, (_, labels, _) in charts.DIMENSIONS.items()
        ),
        *(
            charts.trend(
                trend_frame([("2025-01", c, 7) for c in list(labels)[:3]]),
                by,
                note="Onder 5",
                minimum=5,
                months=["2025-01", "2025-02"],
                totals={"2025-01": 21},
            )
            for by, (_, labels, _) in charts.DIMENSIONS.items()
        ),
        charts.step_completion(steps_frame(steun=2), note="x"),
        charts.step_completion(steps_frame(steun=2), note="x", minimum=5),
        charts.step_heatmap(quarters),
        charts.step_heatmap(quarters, minimum=5),
        charts.step_heatmap(shares_only),
        charts.lesson_coverage(lessons, "Lessen"),
        pupil_network.network(*NETWORK),
    ]
    for figure in figures:
        spec = figure
        checked = go.Figure(spec)  # raises ValueError on any property plotly does not know
        assert len(checked.data) == len(figure["data"]) > 0
    with pytest.raises(ValueError):
        go.Figure({"data": [{"type": "bar", "colour": "red"}]})


def test_the_template_and_the_chart_widget_load_the_same_bundle_we_ship():
    from pathlib import Path

    from pestdata.ui import plots

    share = Path(plots.__file__).parents[1] / "share" / "jupyter"
    template = share / "voila" / "templates" / "pestdata" / "index.html.j2"
    bundle = share / "voila" / plots.BUNDLE.removeprefix("voila/")
    assert bundle.stat().st_size > 1_000_000
    assert bundle.read_text()[:200].count("plotly.js (cartesian - minified)") == 1
    assert plots.BUNDLE in template.read_text()
    assert plots.BUNDLE in plots.ESM


def test_every_chart_has_a_dutch_summary_and_a_table_with_the_plotted_numbers():
    """'Toon als tabel' shows exactly what the chart plots: in a shared view the small
    count stays out and the others are rounded, as on the chart."""
    from pestdata.ui.plots import Chart, describe, show_empty, show_figure

    frame = trend_frame(
        [("2025-10", "whatsapp", 4), ("2025-10", "tiktok", 6), ("2025-11", "whatsapp", 7)]
    )
    months, totals = ["2025-10", "2025-11"], {"2025-10": 10, "2025-11": 7}
    shared = charts.trend(frame, "platform", minimum=5, months=months, totals=totals)
    summary, table = describe(figure_spec(shared))
    assert summary.startswith("Meldingen per maand") and "2 rijen" in summary
    assert "<summary>Toon als tabel</summary>" in table
    cells = re.findall(r"<td>([^<]*)</td>", table)
    # Every platform in both months: 7 rounded to 5; 4 and every zero "< 5"; 6 hidden
    # ("x"), since with October's total (10: 8..12) it would prove WhatsApp's 4.
    assert len(cells) == 2 * len(Platform)
    assert sorted(set(cells)) == ["&lt; 5", "5", "x"] and cells.count("5") == 1
    assert "<th scope='row'>okt 2025</th>" in table and "TikTok" in table
    internal = describe(figure_spec(charts.trend(frame, "platform")))[1]
    assert sorted(re.findall(r"<td>([^<]*)</td>", internal)) == ["4", "6", "7", "–"]

    chart = Chart()
    show_figure(chart, shared)
    assert chart.table == table and chart.summary == summary
    show_empty(chart, "Geen gegevens")
    assert chart.table == "" and chart.summary == ""
    evil = trend_frame([("2025-10", "<b>x</b>", 9)])
    assert "<b>x" not in describe(figure_spec(charts.trend(evil, "group")))[1]
