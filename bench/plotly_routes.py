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
discarded) it measures: render time from `page.goto` until 4 `.js-plotly-plot` with a
`.main-svg` are visible (the button notebook: the button visible); the kernel's own times and
`sys.modules` (reported by the notebook into a hidden `.bench-info` element); the bytes in the
kernel websocket frames up to the render; then `--updates` Dropdown changes, each timed from
`select_option` until the 4 plot titles name the new variant and exactly 4 plots are shown,
recording the most and fewest plots painted meanwhile (rAF sampling). Every request URL is
recorded; any not to 127.0.0.1 is reported. Prints a table of medians.

    python bench/plotly_routes.py [--loads 5] [--updates 3] [--routes A,B,B2,C]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

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
TIMEOUT = 120_000  # ms
UPDATE_TIMEOUT = 30_000  # ms
MIME = "application/vnd.plotly.v1+json"

# Shared by every route: imports, data, figures, the hidden report element, the Dropdown.
COMMON = '''\
import time

T0 = time.perf_counter()
import json
import os
import sys

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
    "A": '''\
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
''',
    "B": '''\
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
''',
    "B2": '''\
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
''',
    "C": '''\
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
''',
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


def on_change(change):
    started = time.perf_counter()
    update_views(views, figures(change["new"]))
    report(update_s=time.perf_counter() - started, modules_after_update=modules())


dropdown.observe(on_change, "value")
"""

# Plots drawn and visible; then the titles, for checking that the layout arrived.
PLOTS_SHOWN = """n => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')].filter(
        p => p.querySelector('.main-svg') && p.getBoundingClientRect().height > 0);
    return plots.length >= n;
}"""
TITLES = "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].map(e => e.textContent)"
SIZES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
    const r = p.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)];
})"""
# Samples the number of plots on every animation frame until stopped.
SAMPLER = """() => {
    const s = window.__plots = {max: 0, min: 1e9, run: true};
    const tick = () => {
        const n = document.querySelectorAll('.js-plotly-plot').length;
        s.max = Math.max(s.max, n); s.min = Math.min(s.min, n);
        if (s.run) requestAnimationFrame(tick);
    };
    tick();
}"""
SAMPLER_STOP = "() => { window.__plots.run = false; return window.__plots; }"
UPDATED = """want => {
    const plots = document.querySelectorAll('.js-plotly-plot');
    const titles = [...document.querySelectorAll('.js-plotly-plot .gtitle')];
    return plots.length === 4 && titles.length === 4
        && titles.every(t => t.textContent.includes(want));
}"""
INFO_TEXT = "() => document.querySelector('.bench-info')?.textContent || null"


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


def route_notebook(path: Path, route: str, extra_path: str | None) -> None:
    path_line = f"sys.path.insert(0, {extra_path!r})" if route == "C" and extra_path else ""
    common = COMMON.format(route=route, path_line=path_line)
    notebook(path, [common, ROUTES[route], SHOW])


class Load:
    """One page load of one notebook in a fresh browser context."""

    def __init__(self, browser, url: str, label: str, log: dict):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.ws = {"received": 0, "sent": 0}
        self.console = log["console"]
        self.label = label
        self.context.on("request", lambda r: log["requests"].append(r.url))
        self.page.on("websocket", self.watch)
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.console.append(f"{label}: {m.text}"),
        )
        self.page.on("pageerror", lambda e: self.console.append(f"{label}: page error {e}"))
        started = time.perf_counter()
        self.page.goto(url, timeout=TIMEOUT)

        self.started = started

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


def measure(browser, port: int, route: str, load_number: int, updates: int, log: dict) -> dict:
    url = f"http://127.0.0.1:{port}/voila/render/{route}.ipynb?token={TOKEN}"
    load = Load(browser, url, route, log)
    result: dict = {}
    try:
        result["render_s"] = load.wait_rendered(route)
        result["ws_render"] = dict(load.ws)
        if route == "button":
            return result
        result["titles"] = load.page.evaluate(TITLES)
        result["sizes"] = load.page.evaluate(SIZES)
        result["info"] = load.info("modules_after_display")
        result["updates"] = []
        for step in range(updates):
            variant = 2 + (load_number * updates + step) % 11
            before = dict(load.ws)
            seconds, plots = load.update(variant)
            ws = {key: load.ws[key] - before[key] for key in before}
            result["updates"].append({"s": seconds, "plots": plots, "ws": ws})
        if updates:
            time.sleep(0.3)  # the report after the last update
            result["info"] = load.info("update_s")
    except Exception as error:  # keep going: one failed load is a finding, not a crash
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
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
    head = (
        f"{'route':<7}{'render med':>11}{'min':>7}{'max':>7}{'kernel import':>15}"
        f"{'build':>9}{'display':>10}{'kernel age':>12}{'update med':>12}{'upd kernel':>12}"
        f"{'ws recv/load':>15}{'ws recv/upd':>13}{'plots min-max':>15}  modules"
    )
    print(head)
    print("-" * len(head))
    for route, loads in results.items():
        ok = [r for r in loads if "render_s" in r and "error" not in r]
        renders = [r["render_s"] for r in loads if "render_s" in r]
        infos = [r["info"] for r in ok if "info" in r]
        ups = [u for r in ok for u in r.get("updates", [])]

        def info_median(key, infos=infos):
            return median([i[key] for i in infos if key in i])

        plots = (
            f"{min(u['plots']['min'] for u in ups)}-{max(u['plots']['max'] for u in ups)}"
            if ups
            else "-"
        )
        mods = sorted({m for i in infos for m in i.get("modules_after_display", [])})
        mods_up = sorted({m for i in infos for m in i.get("modules_after_update", [])})
        shown = ",".join(mods) or "none"
        if mods_up != mods and ups:
            shown += f" (after update: {','.join(mods_up) or 'none'})"
        print(
            f"{route:<7}{fmt(median(renders)):>11}{fmt(min(renders, default=None), '', 2):>7}"
            f"{fmt(max(renders, default=None), '', 2):>7}"
            f"{fmt(info_median('import_s'), 'ms'):>15}{fmt(info_median('build_s'), 'ms'):>9}"
            f"{fmt(info_median('display_s'), 'ms'):>10}{fmt(info_median('kernel_age_s')):>12}"
            f"{fmt(median([u['s'] for u in ups]), 'ms'):>12}"
            f"{fmt(info_median('update_s'), 'ms'):>12}"
            f"{kib(median([r['ws_render']['received'] for r in loads if 'ws_render' in r])):>15}"
            f"{kib(median([u['ws']['received'] for u in ups])):>13}{plots:>15}  "
            + ("" if route == "button" else shown)
        )
        failed = [r["error"] for r in loads if "error" in r]
        if failed:
            print(f"        {len(failed)} of {len(loads)} loads failed; first: {failed[0]}")


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
            line = []
            for route in order:
                result = measure(browser, port, route, number, args.updates, log)
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
    parser.add_argument("--updates", type=int, default=3, help="Dropdown changes per load")
    parser.add_argument("--routes", default="A,B,B2,C", help="comma-separated, of A,B,B2,C")
    parser.add_argument(
        "--anywidget-path",
        default=os.environ.get("PD_ANYWIDGET_PATH"),
        help="pip --target folder with anywidget and psygnal, for route C",
    )
    parser.add_argument("--cull-idle", type=int, default=10, help="seconds, passed to serve")
    args = parser.parse_args()

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
                env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [share, env.get("JUPYTER_PATH")]))
                print(f"route C: anywidget from {args.anywidget_path} (kernel path, JUPYTER_PATH)")
    routes = ["button", *routes]

    with tempfile.TemporaryDirectory(prefix="pd-plotly-") as tmp:
        folder = Path(tmp)
        notebooks = folder / "notebooks"
        notebooks.mkdir()
        one_button_notebook(notebooks / "button.ipynb")
        for route in routes[1:]:
            route_notebook(notebooks / f"{route}.ipynb", route, args.anywidget_path)
        db = f"sqlite:///{folder}/x.sqlite"
        port = free_port()
        command = ["pestdata", "serve", "--notebooks", str(notebooks), "--port", str(port)]
        command += ["--token", TOKEN, "--db", db, "--cull-idle", str(args.cull_idle)]
        log_file = open(folder / "serve.log", "w")
        server = subprocess.Popen(
            command, stdout=log_file, stderr=log_file, start_new_session=True, env=env
        )
        started = time.perf_counter()
        try:
            wait_for_port(port, server)
            results, log = run(args, port, routes)
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # pestdata serve and its Voilà child
            server.wait(timeout=30)
            log_file.close()
        serve_log = (folder / "serve.log").read_text()
    print(f"run took {time.perf_counter() - started:.0f} s")
    print()
    report(results, log, serve_log)


def report(results: dict, log: dict, serve_log: str) -> None:
    table(results)
    print()
    print("render: goto until 4 plots drawn and visible (button: the button visible);")
    print("kernel import/build/display: medians reported by the notebook; kernel age: kernel")
    print("process age when the notebook's display was done; update: select_option until the 4")
    print("titles name the new variant; ws: bytes the browser received on kernel websockets;")
    print("plots min-max: fewest and most .js-plotly-plot painted during updates (4 = clean).")
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
    outside = sorted(
        {
            url
            for url in log["requests"]
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).hostname != "127.0.0.1"
        }
    )
    other = sorted({url[:60] for url in log["requests"] if urlsplit(url).scheme not in ("http",)})
    print(f"requests: {len(log['requests'])}; not to 127.0.0.1: {outside or 'none'}")
    if other:
        print(f"non-http requests: {other}")
    plotly_chunks = sorted({u.split("?")[0] for u in log["requests"] if "plotly" in u})
    print(f"plotly assets requested: {plotly_chunks}")
    if log["console"]:
        print(f"browser console errors ({len(log['console'])}):")
        for line in dict.fromkeys(log["console"]):
            print("  ", line[:300])
    else:
        print("browser console errors: none")
    print(server_notes(serve_log))


if __name__ == "__main__":
    main()
