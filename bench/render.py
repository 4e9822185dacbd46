"""Page render time of the dashboards against a one-button notebook, and the save round trip.

All notebooks are served by the same `pestdata serve` (Voilà) on a temp SQLite database filled
with `pestdata demo --incidents N`. Each load uses a fresh Chromium context; the notebooks are
interleaved. Render time runs from `page.goto` until the page is usable: every element of its
`USABLE` entry visible (meldingen: the save button; overzicht: its four charts drawn;
handelingsadvies: the search field and its lesson chart; ouderavond: the school choice), the
button's own CSS class on the one-button notebook. Save time runs from clicking
`button.pd-save` on a filled-in form until `.pd-result` says "Melding #... opgeslagen".

Nothing is discarded: the first (cold) loads count. Prints median, min and max per notebook.
`--quiet`: each load waits for the machine to go idle first (render_overview's rule), as
when pages arrive seconds apart; without it a load may share the cores with the previous
page's kernel pool refilling. `--returning`: all loads in one Chromium profile on disk
(servers.browser_profile), as a care team's own browser: Voilà's scripts and plotly.js come
from its HTTP cache, compiled from its code cache (the first load still counts; the code
cache is used from the third).

    python bench/render.py [--incidents 2000 | --db FILE] [--loads 7] [--saves 5] [--returning]
                           [--dashboards meldingen,overzicht,handelingsadvies,ouderavond]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import CHARTS  # noqa: E402  (tests/helpers.py: the overview's four charts)
from servers import (  # noqa: E402  (tests/servers.py)
    browser_profile,
    chromium_launch_args,
    free_port,
    wait_for_port,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TOKEN = "bench-token"
TIMEOUT = 120_000  # ms
# A new confirmation (or a refusal) in .pd-result, different from the previous text.
SAVE_DONE = """previous => {
    const text = document.querySelector('.pd-result')?.innerText || '';
    const done = /Melding #\\d+ opgeslagen|Niet opgeslagen/.test(text);
    return done && text !== previous ? text : null;
}"""
# What must be visible before a page counts as usable (a chart: its plot drawn).
USABLE = {
    "meldingen": [".pd-save"],
    "overzicht": [f"{chart} .js-plotly-plot" for chart in CHARTS],
    "handelingsadvies": [".pd-search input", ".pd-chart-lessons .js-plotly-plot"],
    "ouderavond": [".pd-school-choice select"],
    "button": [".bench-button"],
}
ALL_VISIBLE = """selectors => selectors.every(s => {
    const e = document.querySelector(s);
    if (!e) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
})"""
BUTTON_CODE = 'import ipywidgets as w\n\nw.Button(description="Klik").add_class("bench-button")'


def cpu_quiet(idle_share: float = 0.85, window: float = 0.5, limit: float = 20) -> float:
    """Wait until the machine is idle for one window; returns seconds waited."""

    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)

    started = time.monotonic()
    while time.monotonic() - started < limit:
        idle0, total0 = sample()
        time.sleep(window)
        idle1, total1 = sample()
        if (idle1 - idle0) / max(1, total1 - total0) >= idle_share:
            break
    return time.monotonic() - started


def one_button_notebook(path: Path) -> None:
    cell = {"cell_type": "code", "id": "button", "metadata": {}, "source": BUTTON_CODE}
    cell |= {"execution_count": None, "outputs": []}
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    notebook = {"cells": [cell], "metadata": {"kernelspec": kernel}}
    path.write_text(json.dumps(notebook | {"nbformat": 4, "nbformat_minor": 5}))


def summary(label: str, values: list[float], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    median, low, high = (scale * v for v in (statistics.median(values), min(values), max(values)))
    digits = 0 if unit == "ms" else 2
    return (
        f"{label:<22} median {median:8.{digits}f} {unit}   min {low:8.{digits}f} {unit}"
        f"   max {high:8.{digits}f} {unit}   (n={len(values)})"
    )


class Bench:
    def __init__(self, browser, port: int, kept=None):
        self.browser, self.port = browser, port
        self.console: list[str] = []
        self.kept = kept  # a profile on disk, or None: a fresh context per page

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{name}.ipynb?token={TOKEN}"

    def open(self, name: str):
        """A new page (in a fresh context, or the kept one); returns (seconds until it is
        usable, page)."""
        page = (self.kept or self.browser.new_context()).new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and self.console.append(f"{name}: {m.text}"),
        )
        page.on("pageerror", lambda e: self.console.append(f"{name}: page error {e}"))
        started = time.perf_counter()
        page.goto(self.url(name), timeout=TIMEOUT)
        page.wait_for_function(ALL_VISIBLE, arg=USABLE[name], timeout=TIMEOUT, polling=50)
        return time.perf_counter() - started, page

    def close(self, page) -> None:
        # Navigating away makes the page ask Voilà to shut its kernel down (page.close() does not);
        # the server line at the end says how many of those requests Voilà refused.
        page.goto("about:blank")
        page.close() if self.kept else page.context.close()

    def render(self, name: str) -> float:
        seconds, page = self.open(name)
        self.close(page)
        return seconds

    def saves(self, count: int) -> list[float]:
        _, page = self.open("meldingen")
        print("element carrying .pd-save:", page.locator(".pd-save").evaluate("e => e.tagName"))
        times, previous = [], ""
        for number in range(count):
            fill(page, number)
            started = time.perf_counter()
            page.locator("button.pd-save").click()
            text = page.wait_for_function(
                SAVE_DONE,
                arg=previous,
                timeout=TIMEOUT,
            ).json_value()
            times.append(time.perf_counter() - started)
            if "Niet opgeslagen" in text:
                raise SystemExit(f"save {number + 1} refused: {text}")
            previous = text
        print("last confirmation:", previous.strip())
        self.close(page)
        return times


def fill(page, number: int) -> None:
    page.locator(".pd-field-group select").select_option(label="klas 2")
    page.locator(".pd-school-choice select").select_option("De Regenboog")
    page.locator(".pd-field-reporter").get_by_label("Leerling", exact=True).check()
    page.locator(".pd-pupil-number input").first.fill("123456")
    page.locator(".pd-platform", has_text="WhatsApp").locator("input").check()
    page.locator(".pd-form", has_text="Roddelen").locator("input").check()
    page.locator(".pd-field-description textarea").fill(f"Benchmarkmelding {number + 1}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--db", help="a SQLite file to serve a copy of, instead of --incidents")
    parser.add_argument("--loads", type=int, default=7, help="page loads per notebook")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--returning", action="store_true", help="one context, warm cache")
    parser.add_argument(
        "--quiet", action="store_true", help="wait for an idle machine before each load"
    )
    parser.add_argument(
        "--dashboards",
        default="meldingen",
        help="comma-separated: " + ",".join(name for name in USABLE if name != "button"),
    )
    args = parser.parse_args()
    args.dashboards = args.dashboards.split(",")
    if unknown := set(args.dashboards) - (set(USABLE) - {"button"}):
        parser.error(f"unknown dashboards: {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="pd-bench-") as tmp:
        folder = Path(tmp)
        for name in {"meldingen", *args.dashboards}:  # meldingen: the saves
            shutil.copy(NOTEBOOKS / f"{name}.ipynb", folder / f"{name}.ipynb")
        one_button_notebook(folder / "button.ipynb")
        db = f"sqlite:///{folder}/x.sqlite"
        started = time.perf_counter()
        if args.db:  # a copy: the saves and the kernels' migrations change it
            shutil.copy(args.db, folder / "x.sqlite")
            print(f"database: a copy of {args.db}")
        else:
            subprocess.run(
                ["pestdata", "demo", "--incidents", str(args.incidents), "--db", db],
                check=True,
                capture_output=True,
            )
            seconds = time.perf_counter() - started
            print(f"database: {args.incidents} demo incidents ({seconds:.1f} s)")

        port = free_port()
        command = ["pestdata", "serve", "--notebooks", tmp, "--port", str(port)]
        command += ["--db", db]
        log = open(folder / "serve.log", "w")
        env = {**os.environ, "PESTDATA_TOKEN": TOKEN}  # never on the command line
        server = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True, env=env)
        try:
            wait_for_port(port, server)
            run(args, port)
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # pestdata serve and its Voilà child
            server.wait(timeout=30)
            log.close()
        print(server_notes((folder / "serve.log").read_text()))


def server_notes(log: str) -> str:
    """Kernels started and shut down while the benchmark ran (before the final SIGTERM)."""
    running = log.split("Handle signal 15")[0]
    started = running.count("Kernel started:")
    stopped = running.count("Kernel shutdown:")
    refused = running.count("403 POST /voila/api/shutdown")
    errors = [line for line in running.splitlines() if line.startswith("[E ")]
    return (
        f"server: {started} kernels started, {stopped} shut down during the run, "
        f"{refused} shutdown requests refused (403), {len(errors)} error lines"
        + (f"; first: {errors[0][:200]}" if errors else "")
    )


def run(args, port: int) -> None:
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium_launch_args())
        profile = tempfile.TemporaryDirectory(prefix="pd-bench-profile-")
        kept = browser_profile(p, profile.name) if args.returning else None
        bench = Bench(browser, port, kept)
        times: dict[str, list[float]] = {name: [] for name in [*args.dashboards, "button"]}
        for load in range(args.loads):
            for name, values in times.items():
                if args.quiet:  # a page arriving seconds after the last: its pool refilled
                    cpu_quiet()
                values.append(bench.render(name))
            loads = ", ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items())
            print(f"load {load + 1}: {loads}")
        saves = bench.saves(args.saves) if args.saves else []
        if kept:
            kept.close()
        profile.cleanup()
        browser.close()

    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print()
    size = f"a copy of {args.db}" if args.db else f"{args.incidents} incidents"
    print(f"database: {size} (before the benchmark's own saves)")
    floor = statistics.median(times["button"])
    for name, values in times.items():
        ratio = statistics.median(values) / floor
        print(summary(f"render {name}", values) + f"   {ratio:.2f}× the button")
    if saves:
        print(summary("save to confirmation", saves, "ms"))
    if bench.console:
        print(f"browser console errors ({len(bench.console)}):")
        for line in dict.fromkeys(bench.console):
            print("  ", line[:300])


if __name__ == "__main__":
    main()
