"""How to show plotly figures in Voilà: render time, update time and cost of each display route.

One notebook per route, each building the same 4 figures (a stacked bar of 36 months x 11
categories, a horizontal bar of 9 items, a 9 x 12 heatmap, a line chart of 4 series x 36 months;
numpy random data, seed = the variant) plus a Dropdown whose change rebuilds them with another
variant. All are served by one `pestdata serve --notebooks TMPDIR`, with a one-button notebook
as the baseline. Routes:

  A   `fig.show()` inside an `ipywidgets.Output` (`clear_output(wait=True)` on update): goes
      through plotly.io's renderers (which import nbformat and jsonschema).
  B   the raw plotly mime bundle, bypassing plotly.io's renderers:
      `display({"application/vnd.plotly.v1+json": json.loads(fig.to_json(validate=False))
      | config}, raw=True)` inside an Output (`clear_output(wait=True)` on update); rendered
      by the jupyterlab-plotly mime extension that Voilà loads from the labextensions.
  B2  the same bundle, set in one step as `output.outputs = (display_data,)`: no clear, no
      capture context.
  C   `go.FigureWidget(data=..., layout=...)` (anywidget), updated in place with
      `batch_update()`. Needs anywidget: importable here, or `--anywidget-path DIR` holding
      `pip install --target DIR --no-deps anywidget psygnal` (then DIR is put on route C's
      kernel path and DIR/share/jupyter on the server's JUPYTER_PATH, nothing is installed).

Per load (fresh browser context; loads interleaved, order rotated each round; nothing
discarded; route C only in the first --loads-c rounds, it takes ~25 s a load) it measures:
render time from `page.goto` until 4 `.js-plotly-plot` with a `.main-svg` are visible in the
cells (the button notebook: the button visible); the kernel's own times and `sys.modules`
(reported by the notebook into a hidden `.bench-info` element); the bytes in the kernel
websocket frames up to the render; then, after --settle seconds, `--updates` Dropdown changes,
each timed from `select_option` until the 4 plot titles name the new variant and exactly 4 plots
are in the cells, sampling on every animation frame how many plots are painted (and how many
Plotly.toImage copies the mime renderer draws outside the cells). A load that fails (Voilà
issue 1428: a page that uses `with output:` while Voilà executes it can hang until the kernel
is culled) is reported with its kernel and the server log lines stamped with the same clock.
Every request URL is recorded; any not to 127.0.0.1 is reported. Before the browser part, fresh
processes time making the figures' JSON via go.Figure or as plain dicts, and the import of
plotly.io._renderers (nbformat, jsonschema) that `fig.show()` triggers.

    python bench/plotly_routes.py [--loads 5] [--updates 3] [--routes A,B,B2,C]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import (  # noqa: E402  (bench/ is no package)
    CHROMIUM_ARGS,
    free_port,
    one_button_notebook,
    server_notes,
    wait_for_port,
)

TOKEN = "bench-token"
TIMEOUT = 60_000  # ms
UPDATE_TIMEOUT = 10_000  # ms
CLOCK = time.monotonic()  # server log lines and page loads are stamped with seconds since this


def now() -> float:
    return time.monotonic() - CLOCK


# Shared by every route: imports, data, figures, the hidden report element, the Dropdown.
COMMON = '''\
import time

T0 = time.perf_counter()
import faulthandler
import json
import os
import sys

# If the notebook hangs, the stacks of all threads land in this file (the bench prints them).
HANG = open(os.path.join({hang_dir!r}, f"hang-{route}-{{os.getpid()}}.txt"), "w")
faulthandler.dump_traceback_later({hang_after}, file=HANG)
{path_line}
import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from IPython.display import display

T_IMPORT = time.perf_counter()
MONTHS = [f"{{2022 + i // 12}}-{{i % 12 + 1:02d}}" for i in range(36)]
CATEGORIES = [f"Categorie {{i + 1}}" for i in range(11)]
ITEMS = [f"Item {{i + 1}}" for i in range(9)]
GROUPS = [f"Groep {{i + 1}}" for i in range(9)]
PERIODS = [f"Periode {{i + 1}}" for i in range(12)]
SERIES = [f"Reeks {{i + 1}}" for i in range(4)]


def layout(title, variant, height, **more):
    return dict(
        title=dict(text=f"{{title}} (variant {{variant}})"),
        height=height,
        margin=dict(t=50, b=40, l=90, r=20),
        **more,
    )


def figures(variant):
    rng = np.random.default_rng(variant)
    stacked = go.Figure(
        [go.Bar(x=MONTHS, y=rng.integers(0, 30, 36), name=c) for c in CATEGORIES],
        layout=layout("Meldingen per maand", variant, 380, barmode="stack"),
    )
    items = go.Figure(
        go.Bar(x=rng.integers(1, 100, 9), y=ITEMS, orientation="h"),
        layout=layout("Platforms", variant, 300),
    )
    heat = go.Figure(
        go.Heatmap(z=rng.integers(0, 20, (9, 12)), x=PERIODS, y=GROUPS),
        layout=layout("Groepen per periode", variant, 340),
    )
    line = go.Figure(
        [
            go.Scatter(x=MONTHS, y=rng.normal(50, 10, 36).round(1), mode="lines", name=s)
            for s in SERIES
        ],
        layout=layout("Trend", variant, 320),
    )
    return [stacked, items, heat, line]


def modules():
    names = ("plotly.io._renderers", "nbformat", "jsonschema", "anywidget")
    return [name for name in names if name in sys.modules]


def age():
    """Seconds since this kernel process started."""
    ticks = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19])
    return float(open("/proc/uptime").read().split()[0]) - ticks / os.sysconf("SC_CLK_TCK")


info = w.HTML(layout=w.Layout(display="none")).add_class("bench-info")
INFO = {{"route": "{route}", "pid": os.getpid()}}


def report(**values):
    INFO.update(values)
    info.value = json.dumps(INFO)
'''

# Per route: make_views(figs) -> list of widgets showing them; update_views(views, figs).
ROUTES = {
    "A": """\
def show_figure(output, fig):
    output.clear_output(wait=True)
    with output:
        fig.show()


def make_views(figs):
    views = [w.Output() for _ in figs]
    for output, fig in zip(views, figs):
        show_figure(output, fig)
    return views


def update_views(views, figs):
    for output, fig in zip(views, figs):
        show_figure(output, fig)
""",
    "B": """\
CONFIG = {"displaylogo": False, "responsive": True}


def show_figure(output, fig):
    spec = json.loads(fig.to_json(validate=False))
    spec["config"] = CONFIG
    output.clear_output(wait=True)
    with output:
        display({"application/vnd.plotly.v1+json": spec}, raw=True)


def make_views(figs):
    views = [w.Output() for _ in figs]
    for output, fig in zip(views, figs):
        show_figure(output, fig)
    return views


def update_views(views, figs):
    for output, fig in zip(views, figs):
        show_figure(output, fig)
""",
    "B2": """\
CONFIG = {"displaylogo": False, "responsive": True}


def show_figure(output, fig):
    spec = json.loads(fig.to_json(validate=False))
    spec["config"] = CONFIG
    output.outputs = (
        {
            "output_type": "display_data",
            "data": {"application/vnd.plotly.v1+json": spec},
            "metadata": {},
        },
    )


def make_views(figs):
    views = [w.Output() for _ in figs]
    for output, fig in zip(views, figs):
        show_figure(output, fig)
    return views


def update_views(views, figs):
    for output, fig in zip(views, figs):
        show_figure(output, fig)
""",
    "C": """\
def make_views(figs):
    return [go.FigureWidget(data=fig.data, layout=fig.layout) for fig in figs]


def update_views(views, figs):
    for view, fig in zip(views, figs):
        with view.batch_update():
            for old, new in zip(view.data, fig.data):
                for key in ("x", "y", "z"):
                    if key in new and new[key] is not None:
                        old[key] = new[key]
            view.layout.title.text = fig.layout.title.text
""",
}

SHOW = """\
dropdown = w.Dropdown(
    options=[(f"variant {i}", i) for i in range(1, 13)], value=1, description="Variant"
).add_class("bench-dropdown")
T_BUILD = time.perf_counter()
figs = figures(1)
T_FIGS = time.perf_counter()
views = make_views(figs)
display(w.VBox([dropdown, *views, info]))
T_DONE = time.perf_counter()
report(
    import_s=T_IMPORT - T0,
    build_s=T_FIGS - T_BUILD,
    display_s=T_DONE - T_FIGS,
    kernel_age_s=age(),
    modules_after_display=modules(),
)
faulthandler.cancel_dump_traceback_later()


def on_change(change):
    started = time.perf_counter()
    update_views(views, figures(change["new"]))
    report(update_s=time.perf_counter() - started, modules_after_update=modules())


dropdown.observe(on_change, "value")
"""

# Plots in the notebook's cells. The jupyterlab-plotly mime renderer also draws each plot a
# second time in a detached copy outside the cells (Plotly.toImage, for a PNG it stores in the
# output): those copies are counted apart, as "clones".
PLOTS = "[...document.querySelectorAll('.jp-Cell .js-plotly-plot')]"
CLONES = "document.querySelectorAll('.js-plotly-plot').length - PLOTS.length"
# The mime renderer shows a static <img class="plot-img"> instead of the graph when the output
# already holds a PNG.
IMAGES = (
    "[...document.querySelectorAll('.jp-Cell img.plot-img')]"
    ".filter(i => i.src && i.style.display !== 'none' && i.getBoundingClientRect().height > 0)"
)
# Plots drawn and visible; then the titles, for checking that the layout arrived.
PLOTS_SHOWN = f"""n => {PLOTS}.filter(
    p => p.querySelector('.main-svg') && p.getBoundingClientRect().height > 0).length >= n"""
TITLES = f"() => {PLOTS}.map(p => p.querySelector('.gtitle')?.textContent ?? null)"
SIZES = f"""() => {PLOTS}.map(p => {{
    const r = p.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];
}})"""
# Samples on every animation frame, until stopped: the fewest and most plots in the cells, the
# most inside one Output widget (more than 1: an old and a new plot coexist), the most clones
# and the most static images shown.
SAMPLER = f"""() => {{
    const s = window.__plots = {{max: 0, min: 1e9, one: 0, clones: 0, images: 0, run: true}};
    const tick = () => {{
        const PLOTS = {PLOTS};
        s.max = Math.max(s.max, PLOTS.length); s.min = Math.min(s.min, PLOTS.length);
        const per = new Map();
        for (const p of PLOTS) {{
            const box = p.closest('.widget-output') || p;
            per.set(box, (per.get(box) || 0) + 1);
        }}
        s.one = Math.max(s.one, ...per.values(), 0);
        s.clones = Math.max(s.clones, {CLONES});
        s.images = Math.max(s.images, {IMAGES}.length);
        if (s.run) requestAnimationFrame(tick);
    }};
    tick();
}}"""
SAMPLER_STOP = "() => { window.__plots.run = false; return window.__plots; }"
UPDATED = f"""want => {{
    const plots = {PLOTS};
    return plots.length === 4 && plots.every(
        p => (p.querySelector('.gtitle')?.textContent || '').includes(want));
}}"""
STATE = f"""() => {{
    const PLOTS = {PLOTS};
    return {{clones: {CLONES}, images: {IMAGES}.length}};
}}"""
INFO_TEXT = "() => document.querySelector('.bench-info')?.textContent || null"


# The same 4 figures as plain dicts, for comparing the kernel's cost of building them.
SPECS = """
import plotly.io as pio

TEMPLATE = pio.templates["plotly"].to_plotly_json()


def specs(variant):
    rng = np.random.default_rng(variant)

    def spec(data, title, height, **more):
        return {
            "data": data,
            "layout": layout(title, variant, height, template=TEMPLATE, **more),
            "config": {"displaylogo": False},
        }

    def bars(x, y, **more):
        return {"type": "bar", "x": x, "y": y, **more}

    return [
        spec(
            [bars(MONTHS, rng.integers(0, 30, 36).tolist(), name=c) for c in CATEGORIES],
            "Meldingen per maand", 380, barmode="stack",
        ),
        spec([bars(rng.integers(1, 100, 9).tolist(), ITEMS, orientation="h")], "Platforms", 300),
        spec(
            [{"type": "heatmap", "z": rng.integers(0, 20, (9, 12)).tolist(), "x": PERIODS,
              "y": GROUPS}],
            "Groepen per periode", 340,
        ),
        spec(
            [
                {"type": "scatter", "x": MONTHS, "y": rng.normal(50, 10, 36).round(1).tolist(),
                 "mode": "lines", "name": s}
                for s in SERIES
            ],
            "Trend", 320,
        ),
    ]
"""
# Run in a fresh process: first (cold) and warm cost of making the 4 figures' JSON both ways.
COSTS = """
import json, statistics, sys, time
exec(sys.argv[1]); exec(sys.argv[2])
def timed(work):
    started = time.perf_counter(); work(); return time.perf_counter() - started
def via_figures(v):
    return [json.loads(f.to_json(validate=False)) for f in figures(v)]
def via_dicts(v):
    return json.loads(json.dumps(specs(v)))
work = via_figures if sys.argv[3] == "figures" else via_dicts
first = timed(lambda: work(1))
warm = statistics.median(timed(lambda: work(v)) for v in range(2, 12))
sizes = [len(json.dumps(spec)) for spec in work(1)]
t = time.perf_counter(); import plotly.io._renderers; renderers = time.perf_counter() - t
print(json.dumps([first, warm, sizes, renderers]))
"""


def kernel_costs(runs: int = 3) -> None:
    """Fresh processes: making the 4 figures' JSON via go.Figure or as dicts; plotly.io import."""
    found: dict[str, list] = {"figures": [], "dicts": []}
    with tempfile.TemporaryDirectory(prefix="pd-costs-") as tmp:
        common = COMMON.format(route="-", path_line="", hang_dir=tmp, hang_after=600)
        for _ in range(runs):
            for way in found:
                command = [sys.executable, "-c", COSTS, common, SPECS, way]
                out = subprocess.run(command, capture_output=True, text=True, check=True)
                found[way].append(json.loads(out.stdout))
    for way, results in found.items():
        first = statistics.median(r[0] for r in results)
        warm = statistics.median(r[1] for r in results)
        sizes = ", ".join(f"{n / 1024:.1f}" for n in results[0][2])
        how = "via go.Figure + to_json" if way == "figures" else "as dicts"
        print(
            f"kernel cost, 4 figures {how}"
            f" (median of {runs} fresh processes): first {1000 * first:.0f} ms, then"
            f" {1000 * warm:.1f} ms; JSON {sizes} KiB"
        )
    renderers = [r[3] for r in found["figures"]]
    print(
        "then importing plotly.io._renderers (nbformat, jsonschema): "
        + ", ".join(f"{1000 * t:.0f}" for t in renderers)
        + " ms"
    )


def notebook(path: Path, source: list[str]) -> None:
    cells = [
        {
            "cell_type": "code",
            "id": f"c{number}",
            "metadata": {},
            "source": text,
            "execution_count": None,
            "outputs": [],
        }
        for number, text in enumerate(source)
    ]
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    content = {"cells": cells, "metadata": {"kernelspec": kernel}}
    path.write_text(json.dumps(content | {"nbformat": 4, "nbformat_minor": 5}))


HANG_AFTER = 20  # s: a notebook still running then dumps its threads' stacks


def route_notebook(path: Path, route: str, extra_path: str | None, hang_dir: Path) -> None:
    path_line = f"sys.path.insert(0, {extra_path!r})" if route == "C" and extra_path else ""
    common = COMMON.format(
        route=route, path_line=path_line, hang_dir=str(hang_dir), hang_after=HANG_AFTER
    )
    notebook(path, [common, ROUTES[route], SHOW])


class Load:
    """One page load of one notebook in a fresh browser context."""

    def __init__(self, browser, url: str, label: str, log: dict):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.ws = {"received": 0, "sent": 0}
        self.console = log["console"]
        self.label = label
        self.urls: list[str] = []
        self.context.on("request", lambda r: log["requests"].append((label, r.url)))
        self.context.on("request", lambda r: self.urls.append(r.url))
        self.page.on("websocket", self.watch)
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.console.append(f"{label}: {m.text}"),
        )
        self.page.on("pageerror", lambda e: self.console.append(f"{label}: page error {e}"))
        self.url, self.started, self.goto_at = url, 0.0, 0.0

    def go(self) -> None:
        self.started, self.goto_at = time.perf_counter(), now()
        self.page.goto(self.url, timeout=TIMEOUT)

    def kernels(self) -> list[str]:
        found = (re.search(r"/api/kernels/([0-9a-f-]{36})", url) for url in self.urls)
        return sorted({match[1] for match in found if match})

    def watch(self, ws) -> None:
        def count(key):
            def add(payload):
                self.ws[key] += len(payload.encode() if isinstance(payload, str) else payload)

            return add

        ws.on("framereceived", count("received"))
        ws.on("framesent", count("sent"))

    def wait_rendered(self, route: str) -> float:
        if route == "button":
            self.page.wait_for_selector(".bench-button", state="visible", timeout=TIMEOUT)
        else:
            self.page.wait_for_function(PLOTS_SHOWN, arg=4, polling="raf", timeout=TIMEOUT)
        return time.perf_counter() - self.started

    def info(self, key: str | None = None) -> dict:
        """The notebook's report; with `key`, wait until it holds that key."""
        test = INFO_TEXT if key is None else f"() => ({INFO_TEXT})()?.includes('\"{key}\"')"
        self.page.wait_for_function(test, timeout=TIMEOUT)
        return json.loads(self.page.evaluate(INFO_TEXT))

    def update(self, variant: int) -> tuple[float, dict]:
        self.page.evaluate(SAMPLER)
        started = time.perf_counter()
        self.page.locator(".bench-dropdown select").select_option(label=f"variant {variant}")
        self.page.wait_for_function(
            UPDATED, arg=f"(variant {variant})", polling="raf", timeout=UPDATE_TIMEOUT
        )
        seconds = time.perf_counter() - started
        return seconds, self.page.evaluate(SAMPLER_STOP)

    def close(self) -> None:
        # Navigating away makes the page ask Voilà to shut its kernel down (page.close() does not).
        self.page.goto("about:blank")
        self.context.close()


def measure(
    browser, port: int, route: str, load_number: int, updates: int, settle: float, log: dict
) -> dict:
    url = f"http://127.0.0.1:{port}/voila/render/{route}.ipynb?token={TOKEN}"
    load = Load(browser, url, route, log)
    result: dict = {}
    try:
        load.go()
        result["render_s"] = load.wait_rendered(route)
        result["ws_render"] = dict(load.ws)
        if route == "button":
            return result
        result["titles"] = load.page.evaluate(TITLES)
        result["sizes"] = load.page.evaluate(SIZES)
        result["info"] = load.info("modules_after_display")
        result["after_render"] = load.page.evaluate(STATE)
        result["updates"], result["update_errors"] = [], []
        time.sleep(settle)  # a person takes at least this long to pick another value
        for step in range(updates):
            variant = 2 + (load_number * updates + step) % 11
            before = dict(load.ws)
            try:
                seconds, plots = load.update(variant)
            except PlaywrightError as error:
                titles = load.page.evaluate(TITLES)
                result["update_errors"].append(f"variant {variant}: {titles}: {error}"[:300])
                break  # the next ones would wait on the same stuck plots
            ws = {key: load.ws[key] - before[key] for key in before}
            result["updates"].append({"s": seconds, "plots": plots, "ws": ws})
        if updates:
            time.sleep(0.3)  # the report after the last update
            result["info"] = load.info("update_s")
    except Exception as error:  # keep going: one failed load is a finding, not a crash
        result["error"] = (
            f"{type(error).__name__}: {str(error).splitlines()[0][:200]} (goto at"
            f" {load.goto_at:.1f} s, failed at {now():.1f} s, kernel {load.kernels()})"
        )
        if route != "button":
            try:
                result["titles"] = load.page.evaluate(TITLES)
                result["info_text"] = load.page.evaluate(INFO_TEXT)
            except Exception:
                pass
    finally:
        load.close()
    return result


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if unit == "ms" else f"{value:.{digits}f} {unit}"


def kib(value: float | None) -> str:
    return "-" if value is None else f"{value / 1024:,.0f} KiB"


def table(results: dict[str, list[dict]]) -> None:
    rows = []
    for route, loads in results.items():
        ok = [r for r in loads if "render_s" in r and "error" not in r]
        renders = [r["render_s"] for r in loads if "render_s" in r]
        infos = [r["info"] for r in ok if "info" in r]
        ups = [u for r in ok for u in r.get("updates", [])]
        update_errors = [e for r in ok for e in r.get("update_errors", [])]

        def info_median(key, infos=infos):
            return median([i[key] for i in infos if key in i])

        def ws_median(key, items):
            return kib(median([item[key] for item in items]))

        mods = sorted({m for i in infos for m in i.get("modules_after_display", [])})
        mods_up = sorted({m for i in infos for m in i.get("modules_after_update", [])})
        shown = ",".join(mods) or "none"
        if ups and mods_up != mods:
            shown += f" (after update: {','.join(mods_up) or 'none'})"
        renders_ws = [r["ws_render"] for r in loads if "ws_render" in r]
        rows.append(
            {
                "route": route,
                "render med": fmt(median(renders)),
                "min-max": f"{min(renders):.2f}-{max(renders):.2f}" if renders else "-",
                "k import": fmt(info_median("import_s"), "ms"),
                "k build": fmt(info_median("build_s"), "ms"),
                "k display": fmt(info_median("display_s"), "ms"),
                "k age": fmt(info_median("kernel_age_s")),
                "ws in/load": ws_median("received", renders_ws),
                "ws out/load": ws_median("sent", renders_ws),
                "update med": fmt(median([u["s"] for u in ups]), "ms"),
                "upd min-max": (
                    f"{min(u['s'] for u in ups) * 1000:.0f}-{max(u['s'] for u in ups) * 1000:.0f}"
                    if ups
                    else "-"
                ),
                "k update": fmt(info_median("update_s"), "ms"),
                "ws in/upd": ws_median("received", [u["ws"] for u in ups]),
                "ws out/upd": ws_median("sent", [u["ws"] for u in ups]),
                "plots": (
                    f"{min(u['plots']['min'] for u in ups)}-{max(u['plots']['max'] for u in ups)}"
                    f" / {max(u['plots']['one'] for u in ups)}"
                    if ups
                    else "-"
                ),
                "clones": (
                    f"{median([r['after_render']['clones'] for r in ok if 'after_render' in r])}"
                    f" / {max(u['plots']['clones'] for u in ups)}"
                    if ups
                    else "-"
                ),
                "png shown": str(
                    max([u["plots"]["images"] for u in ups] + [0])
                    + max([r["after_render"]["images"] for r in ok if "after_render" in r] + [0])
                ),
                "n": f"{len(ok)}/{len(loads)}, {len(ups)}/{len(ups) + len(update_errors)}",
                "modules": "" if route == "button" else shown,
                "failed": [r["error"] for r in loads if "error" in r] + update_errors,
            }
        )
    groups = [
        ["route", "render med", "min-max", "k import", "k build", "k display", "k age"],
        ["route", "ws in/load", "ws out/load", "update med", "upd min-max", "k update"],
        ["route", "ws in/upd", "ws out/upd", "plots", "clones", "png shown", "n", "modules"],
    ]
    for columns in groups:
        widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in columns}
        print("  ".join(c.ljust(widths[c]) for c in columns))
        for row in rows:
            print("  ".join(row[c].ljust(widths[c]) for c in columns))
        print()
    for row in rows:
        if row["failed"]:
            print(f"{row['route']}: {len(row['failed'])} failures; first: {row['failed'][0]}")


def run(args, port: int, routes: list[str]) -> tuple[dict, dict]:
    log: dict = {"console": [], "requests": []}
    results: dict[str, list[dict]] = {route: [] for route in routes}
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for number in range(args.loads):
            order = routes[number % len(routes) :] + routes[: number % len(routes)]
            if number >= args.loads_c:
                order = [route for route in order if route != "C"]
            line = []
            for route in order:
                result = measure(browser, port, route, number, args.updates, args.settle, log)
                results[route].append(result)
                shown = fmt(result.get("render_s"))
                if result.get("updates"):
                    shown += " / " + ",".join(f"{1000 * u['s']:.0f}" for u in result["updates"])
                line.append(f"{route} {shown}" + (" ERROR" if "error" in result else ""))
            print(f"load {number + 1}: " + "; ".join(line) + "  (render s / updates ms)")
        browser.close()
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return results, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="page loads per notebook")
    parser.add_argument(
        "--loads-c", type=int, default=3, help="page loads of route C (each takes ~25 s)"
    )
    parser.add_argument("--updates", type=int, default=3, help="Dropdown changes per load")
    parser.add_argument("--routes", default="A,B,B2,C", help="comma-separated, of A,B,B2,C")
    parser.add_argument(
        "--anywidget-path",
        default=os.environ.get("PD_ANYWIDGET_PATH"),
        help="pip --target folder with anywidget and psygnal, for route C",
    )
    parser.add_argument(
        "--settle", type=float, default=1.0, help="seconds between the render and the 1st update"
    )
    parser.add_argument("--serve-log", type=Path, help="also write the server's log here")
    # Kernels of closed pages go after this; so does the kernel of a page stuck by voila#1428.
    parser.add_argument("--cull-idle", type=int, default=60, help="seconds, passed to serve")
    args = parser.parse_args()

    kernel_costs()
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    env = dict(os.environ)
    if "C" in routes:
        try:
            import anywidget  # noqa: F401
        except ImportError:
            if not args.anywidget_path:
                print("route C skipped: anywidget is not installed (see --anywidget-path)")
                routes.remove("C")
            else:
                share = str(Path(args.anywidget_path) / "share" / "jupyter")
                paths = [share, env.get("JUPYTER_PATH")]
                env["JUPYTER_PATH"] = os.pathsep.join(filter(None, paths))
                print(f"route C: anywidget from {args.anywidget_path} (kernel path, JUPYTER_PATH)")
    routes = ["button", *routes]

    with tempfile.TemporaryDirectory(prefix="pd-plotly-") as tmp:
        folder = Path(tmp)
        notebooks = folder / "notebooks"
        notebooks.mkdir()
        one_button_notebook(notebooks / "button.ipynb")
        for route in routes[1:]:
            route_notebook(notebooks / f"{route}.ipynb", route, args.anywidget_path, folder)
        db = f"sqlite:///{folder}/x.sqlite"
        port = free_port()
        command = ["pestdata", "serve", "--notebooks", str(notebooks), "--port", str(port)]
        command += ["--token", TOKEN, "--db", db, "--cull-idle", str(args.cull_idle)]
        server = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env=env,
        )
        lines: list[str] = []  # the server's output, each line stamped with now()

        def read() -> None:
            for line in server.stdout:
                lines.append(f"[{now():6.1f}] {line.rstrip()}")

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = time.perf_counter()
        try:
            wait_for_port(port, server)
            results, log = run(args, port, routes)
        finally:
            if server.poll() is not None:
                print(f"pestdata serve stopped early with code {server.returncode}; log tail:")
                print("\n".join(lines[-30:]))
            else:
                os.killpg(server.pid, signal.SIGTERM)  # pestdata serve and its Voilà child
                server.wait(timeout=30)
            reader.join(timeout=10)
        serve_log = "\n".join(lines)
        if args.serve_log:
            args.serve_log.write_text(serve_log + "\n")
        hangs = {
            path.name: path.read_text() for path in folder.glob("hang-*.txt") if path.stat().st_size
        }
    print(f"run took {time.perf_counter() - started:.0f} s")
    print()
    report(results, log, serve_log)
    print(
        f"kernels still running the notebook {HANG_AFTER} s after its start: {len(hangs)}"
        + ("" if hangs else " (a failed load then means Voilà, not the kernel, got stuck)")
    )
    if hangs:
        for name, text in hangs.items():
            print(f"--- {name}")
            print("\n".join(text.splitlines()[:60]))


def report(results: dict, log: dict, serve_log: str) -> None:
    table(results)
    print()
    print("render: goto until 4 plots drawn and visible (button: the button visible), in s.")
    print("k import/build/display: the kernel's times for imports, making the 4 figures, and")
    print("  showing them (median); k age: kernel process age when the display was done;")
    print("  k update: the kernel's time in the Dropdown callback.")
    print("ws in/out: bytes received/sent by the browser on kernel websockets, up to the render")
    print("  and per update. update: select_option until the 4 titles name the new variant and")
    print("  exactly 4 plots are on the page.")
    print("plots: fewest-most plots in the cells painted during updates / most inside one")
    print("  Output (4-4 / 1 is clean; 1 more means old and new plots coexisted).")
    print("clones: plots outside the cells (the mime renderer's Plotly.toImage copies) after")
    print("  the render (median) / most during an update. png shown: most static PNG images")
    print("  shown instead of a graph (the mime renderer does so when an output holds a PNG).")
    print("n: loads without error / all, updates done / tried. modules: of plotly.io._renderers,")
    print("  nbformat, jsonschema, anywidget, those in sys.modules after the display.")
    print()
    for route, loads in results.items():
        if route == "button":
            continue
        first = next((r for r in loads if "titles" in r), {})
        sent = median([r["ws_render"]["sent"] for r in loads if "ws_render" in r])
        print(
            f"{route}: titles at render {first.get('titles')}; plot sizes {first.get('sizes')}; "
            f"ws sent/load {kib(sent)}"
        )
        if "info_text" in first:
            print(f"   report: {first['info_text']}")
    print()
    urls = log["requests"]
    outside = sorted(
        {
            f"{route}: {url}"
            for route, url in urls
            if urlsplit(url).scheme not in ("blob", "data", "about")
            and urlsplit(url).hostname != "127.0.0.1"
        }
    )
    print(f"requests: {len(urls)}; not to 127.0.0.1 (blob:/data: aside): {outside or 'none'}")
    local = {}
    for route, url in urls:
        if urlsplit(url).scheme in ("blob", "data"):
            local[route] = local.get(route, 0) + 1
    if local:
        print(f"blob:/data: URLs (in-page, no network) per route: {local}")
    for route in results:
        names = {url.split("?")[0].rsplit("/", 1)[-1] for r, url in urls if r == route}
        plotly = sorted(name for name in names if "plotly" in name or name.startswith("0."))
        print(f"plotly files fetched over HTTP by {route}: {plotly or 'none'}")
    if log["console"]:
        print(f"browser console errors ({len(log['console'])}):")
        for line in dict.fromkeys(log["console"]):
            print("  ", line[:300])
    else:
        print("browser console errors: none")
    print(server_notes(serve_log))
    running = serve_log.split("Handle signal 15")[0].splitlines()
    culled = sum("Culling 'idle' kernel" in line for line in running)
    print(f"server: {culled} idle kernels culled (pages closed; Voilà refused their shutdown)")
    # Kernels of failed loads: every server line about them, and all errors.
    failed = {
        kernel
        for loads in results.values()
        for result in loads
        for kernel in re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", result.get("error", ""))
    }
    trouble = [
        line[:240]
        for line in running
        if any(word in line for word in ("died", "ERROR", "timed out", "estart"))
        or any(kernel in line for kernel in failed)
    ]
    if trouble:
        print(f"server log on failed loads and errors ({len(trouble)} lines):")
        for line in trouble[:20]:
            print("  ", line)


if __name__ == "__main__":
    main()
