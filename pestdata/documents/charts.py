"""Pure functions: the overview's rows (overview/reading.py: one dict per row) → a plotly
figure. No I/O.

A figure is the plain JSON plotly.js draws (`{"data": [...], "layout": {...}}`), made
without the plotly package: a page that draws a chart need not import it (the tests run
plotly's own validator over every chart), nor pandas.

Dutch labels, a colour-blind-safe palette (Paul Tol's 'muted' plus grey for 'other'), and one
fixed colour per platform and per form, so WhatsApp has the same colour in every chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pestdata.core import disclosure
from pestdata.core.choices import AGE_BANDS, GROUPS, Form, Motive, Platform
from pestdata.core.clock import MONTHS

if TYPE_CHECKING:
    from pestdata.overview.lists import LessonsInGroup

Figure = dict  # {"data": [trace, ...], "layout": {...}}: what plotly.js draws

MUTED = [
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#4477AA",
]
GREY = "#BBBBBB"

PLATFORM_COLOURS = {
    p.value: c for p, c in zip([p for p in Platform if p is not Platform.OTHER], MUTED, strict=True)
}
PLATFORM_COLOURS[Platform.OTHER.value] = GREY
FORM_COLOURS = {
    f.value: c for f, c in zip([f for f in Form if f is not Form.OTHER], MUTED, strict=False)
}
FORM_COLOURS[Form.OTHER.value] = GREY
AGE_BAND_COLOURS = dict(zip(AGE_BANDS, ["#88CCEE", "#44AA99", "#332288", "#882255"], strict=True))
# Groups in age order, on a sequential scale (cividis is readable with colour blindness).
MOTIVE_COLOURS = {
    m.value: c
    for m, c in zip(
        [m for m in Motive if m not in (Motive.OTHER, Motive.UNKNOWN)], MUTED, strict=False
    )
}
MOTIVE_COLOURS[Motive.OTHER.value] = GREY
MOTIVE_COLOURS[Motive.UNKNOWN.value] = "#DDDDDD"
GROUP_COLOURS = dict(
    zip(
        GROUPS,
        [
            "#00224E",
            "#123570",
            "#3B496C",
            "#575D6D",
            "#707173",
            "#8A8779",
            "#A69D75",
            "#C4B56C",
            "#E4CF5B",
            "#FDE945",
            "#F6D645",
            "#E8C33F",
            "#D9AF3A",
            "#CA9C35",
        ],
        strict=True,
    )
)

DIMENSIONS = {
    "platform": ("Platform", {p.value: p.label for p in Platform}, PLATFORM_COLOURS),
    "form": ("Vorm van pesten", {f.value: f.label for f in Form}, FORM_COLOURS),
    "age_band": ("Leeftijd", {b: b for b in AGE_BANDS}, AGE_BAND_COLOURS),
    "group": ("Groep of klas", {g: g for g in GROUPS}, GROUP_COLOURS),
    "motive": ("Motief", {m.value: m.label for m in Motive}, MOTIVE_COLOURS),
}
FONT = {"family": "Arial, sans-serif", "size": 14}
# Why the bars per platform (or form) add up to more than the reports: said wherever they show.
COUNTED_IN_EACH = {
    "platform": "Een melding over meer platforms telt bij elk platform één keer mee; opgeteld "
    "zijn dat dus meer dan het aantal meldingen.",
    "form": "Een melding met meer vormen telt bij elke vorm één keer mee; opgeteld zijn dat "
    "dus meer dan het aantal meldingen.",
}


def month_label(month: str) -> str:
    """'2025-11' -> 'nov 2025'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def base_layout(title: str, **extra) -> dict:
    """The look every chart shares: Dutch separators, our font, light axes."""
    # No plotly template: its ~6 KB of JSON would travel with every chart.
    axis = {"gridcolor": "#E5E5E5", "zerolinecolor": "#CCCCCC", "automargin": True}
    layout = {
        "title": {"text": title},
        "font": FONT,
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 420,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "separators": ",.",
        "hoverlabel": {"align": "left"},
    }
    for name in ("xaxis", "yaxis"):
        layout[name] = {**axis, **extra.pop(name, {})}
    return {**layout, **extra}


def figure(traces: list[dict], layout: dict) -> Figure:
    """A figure from plain dicts, without the plotly package (its import and property
    validation cost a page ~0.1 s and a chart 20 ms). The tests validate every chart."""
    return {"data": traces, "layout": layout}


def trend(
    rows: list[dict],
    by: str,
    note: str = "",
    minimum: int | None = None,
    months: list[str] | None = None,
    totals: dict[str, int] | None = None,
    hidden: frozenset = frozenset(),
) -> Figure:
    """Stacked bars: reports per month (rows of month, category, count), split by platform,
    form, age band or group.

    Shared (`minimum`): every label and every month of `months` is listed, each month's
    cells published against that month's report total (`totals`; disclosure.published_row),
    so a label without a bar says "< 5" whether it had 0 or 4 reports. `hidden`: the
    (month, category) cells hidden across views (disclosure.gives_away)."""
    title, labels, colours = DIMENSIONS[by]
    months = months or sorted({r["month"] for r in rows})
    x = [month_label(m) for m in months]
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["category"], r["month"])
        counts[key] = counts.get(key, 0) + int(r["count"])
    if minimum:
        columns = {
            m: disclosure.published_row(
                [counts.get((c, m), 0) for c in labels],
                minimum,
                (totals or {}).get(m),
                {i for i, c in enumerate(labels) if (m, c) in hidden},
            )
            for m in months
        }
        cells = {c: [columns[m][i] for m in months] for i, c in enumerate(labels)}
    else:
        present = {category for category, _ in counts}
        cells = {c: [counts.get((c, m)) for m in months] for c in labels if c in present}
    traces = [
        {
            "type": "bar",
            "name": labels[category],
            "x": x,
            "y": [disclosure.plotted(n) if n is not None else None for n in row],
            "marker": {"color": colours.get(category, GREY)},
            "hovertemplate": "%{x}: %{y} meldingen<extra>" + labels[category] + "</extra>",
            **(
                {
                    "text": [disclosure.show_cell(n) for n in row],
                    "textposition": "none",
                    "meta": disclosure.PUBLISHED,
                    "hovertemplate": "%{x}: %{text} meldingen<extra>"
                    + labels[category]
                    + "</extra>",
                }
                if minimum
                else {}
            ),
        }
        for category, row in cells.items()
    ]
    return figure(
        traces,
        base_layout(
            f"Meldingen per maand, per {title.lower()}",
            barmode="stack",
            xaxis={"title": {"text": "Maand"}, "type": "category"},
            yaxis={"title": {"text": "Aantal meldingen"}, "rangemode": "tozero"},
            legend={"title": {"text": title}},
            annotations=[_note(note)] if note else [],
        ),
    )


def _count(value) -> int | None:
    return None if value is None else int(value)


def step_share(row: dict, minimum: int | None) -> tuple[float | None, str]:
    """A step's share of cases as disclosure.share publishes it, from the row's `done` and
    `cases` (the overview gives both). A row with only `share_done` (no counts): exact for
    the care team; a shared view publishes no share it cannot compute from the counts."""
    done, incidents = _count(row.get("done")), _count(row.get("cases"))
    if minimum and row.get("hidden"):  # overview.suppression.hide_step_shares
        return None, disclosure.HIDDEN
    if done is not None and incidents is not None:
        return disclosure.share(done, incidents, minimum)
    if minimum:
        return None, disclosure.TOO_FEW
    share = row.get("share_done")
    if share is None:
        return None, "—"
    return float(share), f"{round(100 * share)}%"


def step_completion(rows: list[dict], note: str = "", minimum: int | None = None) -> Figure:
    """Per protocol step (overview.protocol.step_completion's rows): share of cases with the
    step done, with the median as text.

    Shares and medians as disclosure.py publishes them: shared, in bands of ten percent
    (the bar at the band's middle) and medians over 10 steps or more in whole weeks."""
    rows = rows[::-1]  # plotly draws horizontal bars bottom-up; keep protocol order
    shares, texts = [], []
    for r in rows:
        value, text = step_share(r, minimum)
        shares.append(None if value is None else round(100 * value))
        if value is None:
            texts.append(text if minimum else "")
            continue
        if r.get("median_days") is not None:
            median = disclosure.show_median(r["median_days"], _count(r.get("done")), minimum)
            if median != disclosure.TOO_FEW:
                days = f"{int(r['median_days'])} d"
                text += f" · mediaan {median if minimum else days}"
        texts.append(text)
    return figure(
        [
            {
                "type": "bar",
                "x": shares,
                "y": [r["title"] for r in rows],
                "orientation": "h",
                "text": texts,
                "textposition": "auto",
                **({"meta": disclosure.PUBLISHED} if minimum else {}),
                "marker": {"color": MUTED[0]},
                "hovertemplate": "%{y}: %{text}<extra></extra>"
                if minimum
                else "%{y}: %{x}% van de meldingen<extra></extra>",
            }
        ],
        base_layout(
            "Protocol: hoe vaak is elke stap gedaan?",
            xaxis={"title": {"text": "% van de meldingen"}, "range": [0, 100]},
            margin={"l": 330, "r": 20, "t": 60, "b": 60},
            annotations=[_note(note)] if note else [],
        ),
    )


def step_heatmap(rows: list[dict], note: str = "", minimum: int | None = None) -> Figure:
    """Share of cases with each step done, per quarter (step_completion_by_quarter's rows):
    is the protocol followed better?

    Each cell as disclosure.share publishes it (shared: a band of ten percent, hidden over
    too few cases); the text of each cell is what "Toon als tabel" shows."""
    shares, texts = {}, {}
    for r in rows:
        value, text = step_share(r, minimum)
        key = (r["title"], r["quarter"])
        shares[key] = None if value is None else round(value * 100, 0)
        texts[key] = text if minimum or value is not None else ""
    titles = list(dict.fromkeys(r["title"] for r in rows))[::-1]
    quarters = sorted({r["quarter"] for r in rows})
    return figure(
        [
            {
                "type": "heatmap",
                "z": [[shares.get((t, q)) for q in quarters] for t in titles],
                "text": [[texts.get((t, q), "") for q in quarters] for t in titles],
                **({"meta": disclosure.PUBLISHED} if minimum else {}),
                "x": quarters,
                "y": titles,
                "zmin": 0,
                "zmax": 100,
                "colorscale": "Cividis",
                "colorbar": {"title": {"text": "%"}},
                "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
            }
        ],
        base_layout(
            "Protocol per kwartaal: % meldingen met de stap gedaan",
            margin={"l": 330, "r": 20, "t": 60, "b": 60},
            annotations=[_note(note)] if note else [],
        ),
    )


def _note(text: str) -> dict:
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 1.0,
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 12, "color": "#555"},
        "xanchor": "left",
    }


def lesson_coverage(groups: list[LessonsInGroup], title: str) -> Figure:
    """Lessons per group; groups not reached stand out as 'niet bereikt'."""
    return figure(
        [
            {
                "type": "bar",
                "x": [g.group for g in groups],
                "y": [g.lessons for g in groups],
                "marker": {
                    "color": [AGE_BAND_COLOURS[g.age_band] if g.lessons else GREY for g in groups]
                },
                "text": [str(g.lessons) if g.lessons else "niet bereikt" for g in groups],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{x}: %{y} lessen<extra></extra>",
            }
        ],
        base_layout(
            title,
            xaxis={"title": {"text": "Groep of klas"}, "type": "category"},
            yaxis={
                "title": {"text": "Aantal lessen"},
                "rangemode": "tozero",
                "range": [0, max([2] + [g.lessons + 1 for g in groups])],
            },
        ),
    )
