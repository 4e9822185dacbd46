"""Plotly charts in Voilà: one small widget that draws with plotly.js's cartesian bundle.

Chosen by measurement (docs/PLOTLY-ROUTES.md; bench/overview.py measures it still). The
figure travels as plain JSON in the widget's state; the browser draws it with plotly.js's
cartesian partial bundle (bar and heatmap, 1.5 MB), which Voilà serves from our template's
static folder and the browser caches. A filter change redraws in place with `Plotly.react`.
Earlier routes cost more: the jupyterlab-plotly mime renderer spends ~0.5 s setting up its
4.8 MB module on every page and builds a new plot on every update; `fig.show()` imports
nbformat and jsonschema (~1.5 s per kernel); FigureWidget ships ~5 MB per page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import anywidget
import traitlets
from IPython import get_ipython
from IPython.display import display

from pestdata.core.disclosure import PUBLISHED
from pestdata.core.markup import counted, esc

BUNDLE = "voila/templates/pestdata/static/plotly-cartesian-4.1.1.min.js"
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}

ESM = """
function bundleUrl() {
  let base = "/";
  try {
    base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl || "/";
  } catch (error) {}
  return base.replace(/\\/?$/, "/") + "BUNDLE";
}

function loadPlotly() {
  // One <script> per page, shared by every chart: the template's own (see index.html.j2)
  // when the notebook asks for it, else one added here.
  if (!window.__pestdataPlotly) {
    window.__pestdataPlotly = new Promise((resolve, reject) => {
      if (window.Plotly) return resolve(window.Plotly);
      let script = document.getElementById("pd-plotly");
      if (!script) {
        script = document.createElement("script");
        script.id = "pd-plotly";
        script.src = bundleUrl();
        script.async = true;
        document.head.appendChild(script);
      }
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => reject(new Error("plotly.js niet geladen")));
    });
  }
  return window.__pestdataPlotly;
}

function firstPaintDone(name) {
  // This chart is drawn on the page: its first paint (drawn by the template before the
  // widgets connected) goes, and the first paint's box once every chart of it has gone.
  const paints = window.__pdFirstPaint || (window.__pdFirstPaint = {});
  if (!name || paints[name] === "done") return;
  const plot = paints[name];
  paints[name] = "done";  // a first paint drawn after this gives way at once
  if (plot instanceof HTMLElement) {
    window.Plotly?.purge(plot);
    plot.remove();
  }
  if (Object.values(paints).every((p) => p === "done")) {
    document.querySelector(".pd-first-paint")?.remove();
  }
}

export default {
  async render({ model, el }) {
    el.style.width = "100%";  // the widget box fits its content unless told otherwise
    const plot = document.createElement("div");
    plot.style.width = "100%";
    const empty = document.createElement("div");
    empty.className = "pd-empty pd-hint";
    // The same numbers for a screen reader and the keyboard: a summary on the chart and a
    // table under it (HTML made and escaped in Python: plots.describe).
    const table = document.createElement("details");
    table.className = "pd-chart-table";
    el.append(plot, empty, table);
    // plotly.js (1.5 MB) loads only once a chart has something to draw: a page whose
    // charts are still empty (a tab not chosen yet) does not fetch it.
    const draw = async () => {
      const spec = model.get("spec") || {};
      const text = model.get("empty");
      empty.textContent = text;
      empty.style.display = text ? "" : "none";
      table.innerHTML = model.get("table") || "";
      table.style.display = model.get("table") ? "" : "none";
      if (!spec.data) {
        if (window.Plotly && plot.data) window.Plotly.purge(plot);
        plot.style.display = "none";
        return;
      }
      plot.setAttribute("role", "figure");  // "img" may not hold the chart's own buttons
      plot.setAttribute("aria-label", model.get("summary") || "");
      plot.style.display = "";
      const Plotly = await loadPlotly();
      if (!plot.clientWidth) return;  // not on the page yet: drawn once it has its width
      await Plotly.react(plot, spec.data, spec.layout, spec.config);
      firstPaintDone(model.get("first_paint"));
    };
    model.on("change:spec", draw);
    model.on("change:empty", draw);
    model.on("change:table", draw);
    await draw();
    // Voilà may render the widget before it is on the page: draw when it gets its width,
    // and follow the width after that.
    const sized = new ResizeObserver(() => {
      if (!plot.clientWidth) return;
      if (plot.data && window.Plotly) window.Plotly.Plots.resize(plot);
      else draw();
    });
    sized.observe(plot);
    return () => {
      sized.disconnect();
      if (window.Plotly && plot.data) window.Plotly.purge(plot);
    };
  },
};
""".replace("BUNDLE", BUNDLE)


class Chart(anywidget.AnyWidget):
    """A plotly figure, or a friendly text where there is nothing to plot."""

    _esm = ESM
    spec = traitlets.Dict().tag(sync=True)  # {"data", "layout", "config"}: plain JSON
    empty = traitlets.Unicode("").tag(sync=True)  # shown as text, never as HTML
    summary = traitlets.Unicode("").tag(sync=True)  # the chart in one Dutch sentence
    table = traitlets.Unicode("").tag(sync=True)  # "Toon als tabel": HTML escaped here
    first_paint = traitlets.Unicode("").tag(sync=True)  # its name in a page's first paint


FIRST_PAINT = "application/vnd.pestdata.first-paint+json"


def first_paint(charts: Iterable[Chart]) -> dict:
    """The page's charts as one output of their own, which the template draws as soon as the
    page has it, before Voilà's widgets connect (~0.5 s later); each chart widget removes its
    first paint (by its `first_paint` name) once it has drawn itself. Only charts that have a
    figure. Voilà shows the empty text/plain, nothing else, where the output stands."""
    figures = [  # a list: the page's order (Voilà's JSON sorts an object's keys)
        {"name": chart.first_paint, "spec": chart.spec} for chart in charts if chart.spec
    ]
    return {FIRST_PAINT: figures, "text/plain": ""}


def paint_first(charts: Iterable[Chart]) -> None:
    """Send `first_paint(charts)` as an output of the running cell (nothing outside a kernel)."""
    if get_ipython() is not None:
        display(first_paint(charts), raw=True)


def describe(spec: dict) -> tuple[str, str]:
    """A figure's numbers as a Dutch sentence and a table, exactly as plotted (so a shared
    view's suppression and rounding hold here too): one row per category, one column per
    series; a value not plotted shows as '–'. A trace of a shared view carries its cells as
    published text ("< 5", "x", "40–50%"; disclosure.py, meta 'published'): the table shows
    that text."""
    data = spec.get("data") or []
    title = ((spec.get("layout") or {}).get("title") or {}).get("text") or "Grafiek"
    if not data:
        return "", ""
    heat = data[0].get("type") == "heatmap"
    if heat:
        rows = list(data[0].get("y") or [])
        columns = list(data[0].get("x") or [])
        published = data[0].get("meta") == PUBLISHED and data[0].get("text")
        cells = [list(row) for row in published or data[0].get("z") or []]
    else:
        across = data[0].get("orientation") == "h"
        rows = list(
            dict.fromkeys(v for t in data for v in (t.get("y") if across else t.get("x")) or [])
        )
        columns = [t.get("name") or "aantal" for t in data]
        cells = [[None] * len(columns) for _ in rows]
        for c, trace in enumerate(data):
            keys = trace.get("y") if across else trace.get("x")
            values = trace.get("x") if across else trace.get("y")
            if trace.get("meta") == PUBLISHED and trace.get("text"):
                values = trace["text"]
            for key, value in zip(keys or [], values or [], strict=False):
                cells[rows.index(key)][c] = value
    shown = [(r, v) for r, line in zip(rows, cells, strict=False) for v in line if v is not None]
    numbers = [v for _, v in shown if isinstance(v, int | float) and not isinstance(v, bool)]
    summary = f"{title}: {counted(len(rows), 'rij', 'rijen')}"
    if numbers and not heat:
        top = max(shown, key=lambda pair: pair[1] if isinstance(pair[1], int | float) else -1)
        summary += f"; het hoogst: {top[0]} ({_number(top[1])})"
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in columns)
    body = "".join(
        f"<tr><th scope='row'>{esc(r)}</th>"
        + "".join(f"<td>{esc(_number(v))}</td>" for v in line)
        + "</tr>"
        for r, line in zip(rows, cells, strict=False)
    )
    table = (
        f"<summary>Toon als tabel</summary><table><caption>{esc(title)}</caption>"
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return summary, table


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        # our charts plot counts as whole numbers and shares as 0..1
        return f"{value:.0%}" if 0 <= value <= 1 else f"{value:g}"
    return str(value)


def figure_spec(figure: dict) -> dict:
    """The figure (charts.figure) as plain JSON, with our plotly config. A number that came
    from numpy or pandas becomes a plain one; anything JSON cannot hold fails here."""
    spec = json.loads(json.dumps(figure, default=_plain))
    spec["config"] = CONFIG
    return spec


def _plain(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"{type(value).__name__} hoort niet in een grafiek")


def show_figure(chart: Chart, figure) -> None:
    """Draw a figure; the browser gets one message and redraws in place."""
    spec = figure_spec(figure)
    with chart.hold_sync():
        chart.spec = spec
        chart.summary, chart.table = describe(spec)
        chart.empty = ""


def show_empty(chart: Chart, text: str) -> None:
    """A friendly empty state instead of a broken chart."""
    with chart.hold_sync():
        chart.spec = {}
        chart.summary = chart.table = ""
        chart.empty = text
