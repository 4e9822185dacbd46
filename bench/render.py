"""Page render time of meldingen.ipynb against a one-button notebook, and the save round trip.

Both notebooks are served by the same `pestdata serve` (Voilà) on a temp SQLite database filled
with `pestdata demo --incidents N`. Each load uses a fresh Chromium context; the notebooks are
interleaved. Render time runs from `page.goto` until a widget is visible: `.pd-save` on
meldingen, the button's own CSS class on the one-button notebook. Save time runs from clicking
`button.pd-save` on a filled-in form until `.pd-result` says "Melding #... opgeslagen".

Nothing is discarded: the first (cold) loads count. Prints median, min and max per notebook.
`--returning`: all loads in one Chromium profile on disk (servers.browser_profile), as a care
team's own browser: Voilà's scripts and plotly.js come from its HTTP cache, compiled from its
code cache (the first load still counts; the code cache is used from the third).

    python bench/render.py [--incidents 2000] [--loads 7] [--saves 5] [--returning]
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
BUTTON_CODE = 'import ipywidgets as w\n\nw.Button(description="Klik").add_class("bench-button")'


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

    def open(self, name: str, selector: str):
        """A new page (in a fresh context, or the kept one); returns (seconds until
        `selector` is visible, page)."""
        page = (self.kept or self.browser.new_context()).new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and self.console.append(f"{name}: {m.text}"),
        )
        page.on("pageerror", lambda e: self.console.append(f"{name}: page error {e}"))
        started = time.perf_counter()
        page.goto(self.url(name), timeout=TIMEOUT)
        page.wait_for_selector(selector, state="visible", timeout=TIMEOUT)
        return time.perf_counter() - started, page

    def close(self, page) -> None:
        # Navigating away makes the page ask Voilà to shut its kernel down (page.close() does not);
        # the server line at the end says how many of those requests Voilà refused.
        page.goto("about:blank")
        page.close() if self.kept else page.context.close()

    def render(self, name: str, selector: str) -> float:
        seconds, page = self.open(name, selector)
        self.close(page)
        return seconds

    def saves(self, count: int) -> list[float]:
        _, page = self.open("meldingen", ".pd-save")
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
    parser.add_argument("--loads", type=int, default=7, help="page loads per notebook")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--returning", action="store_true", help="one context, warm cache")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pd-bench-") as tmp:
        folder = Path(tmp)
        shutil.copy(NOTEBOOKS / "meldingen.ipynb", folder / "meldingen.ipynb")
        one_button_notebook(folder / "button.ipynb")
        db = f"sqlite:///{folder}/x.sqlite"
        started = time.perf_counter()
        subprocess.run(
            ["pestdata", "demo", "--incidents", str(args.incidents), "--db", db],
            check=True,
            capture_output=True,
        )
        print(f"database: {args.incidents} demo incidents ({time.perf_counter() - started:.1f} s)")

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
        times: dict[str, list[float]] = {"meldingen": [], "button": []}
        for load in range(args.loads):
            times["meldingen"].append(bench.render("meldingen", ".pd-save"))
            times["button"].append(bench.render("button", ".bench-button"))
            print(
                f"load {load + 1}: meldingen {times['meldingen'][-1]:.2f} s, "
                f"button {times['button'][-1]:.2f} s"
            )
        saves = bench.saves(args.saves)
        if kept:
            kept.close()
        profile.cleanup()
        browser.close()

    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print()
    print(f"database size: {args.incidents} incidents (before the benchmark's own saves)")
    print(summary("render meldingen", times["meldingen"]))
    print(summary("render one button", times["button"]))
    ratio = statistics.median(times["meldingen"]) / statistics.median(times["button"])
    print(f"ratio of medians (meldingen / button): {ratio:.2f}")
    print(summary("save to confirmation", saves, "ms"))
    if bench.console:
        print(f"browser console errors ({len(bench.console)}):")
        for line in dict.fromkeys(bench.console):
            print("  ", line[:300])


if __name__ == "__main__":
    main()
