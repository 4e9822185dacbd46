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

import anywidget
import traitlets

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

export default {
  async render({ model, el }) {
    el.style.width = "100%";  // the widget box fits its content unless told otherwise
    const plot = document.createElement("div");
    plot.style.width = "100%";
    const empty = document.createElement("div");
    empty.className = "pd-empty pd-hint";
    el.append(plot, empty);
    const Plotly = await loadPlotly();
    const draw = () => {
      const spec = model.get("spec") || {};
      const text = model.get("empty");
      empty.textContent = text;
      empty.style.display = text ? "" : "none";
      if (!spec.data) {
        Plotly.purge(plot);
        plot.style.display = "none";
        return;
      }
      plot.style.display = "";
      if (!plot.clientWidth) return;  // not on the page yet: drawn once it has its width
      Plotly.react(plot, spec.data, spec.layout, spec.config);
    };
    model.on("change:spec", draw);
    model.on("change:empty", draw);
    draw();
    // Voilà may render the widget before it is on the page: draw when it gets its width,
    // and follow the width after that.
    const sized = new ResizeObserver(() => {
      if (!plot.clientWidth) return;
      if (plot.data) Plotly.Plots.resize(plot);
      else draw();
    });
    sized.observe(plot);
    return () => {
      sized.disconnect();
      Plotly.purge(plot);
    };
  },
};
""".replace("BUNDLE", BUNDLE)


class Chart(anywidget.AnyWidget):
    """A plotly figure, or a friendly text where there is nothing to plot."""

    _esm = ESM
    spec = traitlets.Dict().tag(sync=True)  # {"data", "layout", "config"}: plain JSON
    empty = traitlets.Unicode("").tag(sync=True)  # shown as text, never as HTML


def figure_spec(figure) -> dict:
    """The figure as plain JSON (no numpy inside), with our plotly config."""
    spec = json.loads(figure.to_json())
    spec["config"] = CONFIG
    return spec


def show_figure(chart: Chart, figure) -> None:
    """Draw a figure; the browser gets one message and redraws in place."""
    with chart.hold_sync():
        chart.spec = figure_spec(figure)
        chart.empty = ""


def show_empty(chart: Chart, text: str) -> None:
    """A friendly empty state instead of a broken chart."""
    with chart.hold_sync():
        chart.spec = {}
        chart.empty = text
