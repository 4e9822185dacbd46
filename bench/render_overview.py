"""Render time of overzicht.ipynb against a one-button notebook, one Voilà per variant.

Each server is started as `pestdata serve` starts it (`voila_command` + `voila_env`) but
with preheating off unless a variant's Voilà flags turn it on, on a copy of a cached demo
database. Loads are interleaved, each in a fresh Chromium context. Render time: from
`page.goto` until all four plotly charts are visible (overzicht: its first paint's or its
widgets', whichever come first) or the button is visible (one button). Before each load the machine
is given time to go quiet (CPU idle, so a refilling kernel pool does not land in the next
measurement), as when pages arrive seconds apart.

    PYTHONPATH=. python bench/render_overview.py --db /tmp/render-exp/demo-100000.sqlite \
        [--loads 5] [--variant "LABEL;CODE_DIR;--preheat_kernel=True --pool_size=1"] ...

Several --variant options run side by side (one Voilà each, idle between loads) and their
loads interleave, so a drifting background load hits every variant alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from overview import ALL_CHARTS_VISIBLE, CHARTS  # noqa: E402
from render import (  # noqa: E402
    TOKEN,
    chromium_launch_args,
    cpu_quiet,
    free_port,
    one_button_notebook,
    wait_for_port,
)

from pestdata.core.shipped import NOTEBOOKS  # noqa: E402
from pestdata.web.serve import voila_command, voila_env  # noqa: E402

TIMEOUT = 120_000


def print_profile(name: str, profile: dict) -> None:
    """Self time per script URL and the top functions (CDP Profiler samples)."""
    from collections import Counter

    nodes = {n["id"]: n for n in profile["nodes"]}
    by_node: Counter = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        by_node[sample] += delta / 1000
    by_url: Counter = Counter()
    by_function: Counter = Counter()
    for node_id, ms in by_node.items():
        frame = nodes[node_id]["callFrame"]
        url = frame["url"].split("/")[-1].split("?")[0] or frame["functionName"] or "(native)"
        by_url[url] += ms
        by_function[f"{frame['functionName'] or '(anon)'} {url}:{frame['lineNumber']}"] += ms
    total = sum(by_node.values())
    print(f"  {name} profile: {total:.0f} ms sampled")
    for url, ms in by_url.most_common(12):
        print(f"    {ms:7.0f} ms  {url}")
    for function, ms in by_function.most_common(12):
        print(f"    {ms:7.0f} ms  {function[:120]}")


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s [{min(values):.2f}–{max(values):.2f}]"


class Server:
    """One Voilà as `pestdata serve` starts it, for one variant: its own code (PYTHONPATH,
    inherited by the kernels) and extra Voilà flags."""

    def __init__(self, label: str, code: str, extra: list[str], db: str, notebook: Path):
        self.label, self.folder = label, Path(tempfile.mkdtemp(prefix="pd-render-"))
        shutil.copy(notebook, self.folder / "overzicht.ipynb")
        one_button_notebook(self.folder / "button.ipynb")
        self.port = free_port()
        env = voila_env(f"sqlite:///{db}", "leiding", TOKEN)  # the overview as leaders see it
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [code, env.get("PYTHONPATH")]))
        templates = Path(code) / "pestdata" / "share" / "jupyter"  # the variant's template
        env["JUPYTER_PATH"] = os.pathsep.join([str(templates), env["JUPYTER_PATH"]])
        self.log = open(self.folder / "serve.log", "w")
        self.process = subprocess.Popen(
            voila_command(self.folder, self.port, TOKEN, preheat=0) + extra,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{name}.ipynb?token={TOKEN}"

    def stop(self) -> list[str]:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()
        text = (self.folder / "serve.log").read_text()
        if os.environ.get("KEEP_LOGS"):
            print(f"server log of {self.label}: {self.folder / 'serve.log'}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
        return [line for line in text.splitlines() if line.startswith("[E ")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite file (used as is; pass a copy)")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="LABEL;CODE_DIR;VOILA FLAGS (space separated); loads interleave across variants",
    )
    parser.add_argument("--notebook", default=str(NOTEBOOKS / "overzicht.ipynb"))
    parser.add_argument("--network", action="store_true", help="print request timings once")
    parser.add_argument("--idle", type=float, default=0.85, help="idle share counted as quiet")
    parser.add_argument("--profile", action="store_true", help="CPU profile one load each")
    parser.add_argument(
        "--marks",
        nargs="?",
        const=str(HERE / "render_marks.js"),
        help="print when parts appear (default script: bench/render_marks.js)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    variants = []
    for spec in args.variant or [f"current;{HERE.parent};"]:
        label, code, flags = (spec.split(";") + ["", ""])[:3]
        variants.append((label, code or str(HERE.parent), flags.split()))
    servers = [
        Server(label, code, extra, args.db, Path(args.notebook)) for label, code, extra in variants
    ]
    times = {(s.label, name): [] for s in servers for name in ("overzicht", "button")}
    console: list[str] = []
    errors: dict[str, list[str]] = {}
    try:
        for server in servers:
            wait_for_port(server.port, server.process)
        time.sleep(1)
        cpu_quiet(limit=40)
        with sync_playwright() as p:
            browser = p.chromium.launch(**chromium_launch_args())

            def load(server: Server, name: str, network: bool = False, profile: bool = False):
                context = browser.new_context()
                if args.marks:
                    context.add_init_script(path=args.marks)
                page = context.new_page()
                tag = f"{server.label}/{name}"
                page.on(
                    "console", lambda m: m.type == "error" and console.append(f"{tag}: {m.text}")
                )
                page.on("pageerror", lambda e: console.append(f"{tag}: page error {e}"))
                events: list[tuple[float, str]] = []
                if network:
                    page.on(
                        "request", lambda r: events.append((time.perf_counter(), f"req  {r.url}"))
                    )
                    page.on(
                        "requestfinished",
                        lambda r: events.append((time.perf_counter(), f"done {r.url}")),
                    )
                if profile:
                    cdp = context.new_cdp_session(page)
                    cdp.send("Profiler.enable")
                    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
                    cdp.send("Profiler.start")
                started = time.perf_counter()
                page.goto(server.url(name), timeout=TIMEOUT)
                goto = time.perf_counter() - started
                if name == "overzicht":
                    page.wait_for_function(
                        ALL_CHARTS_VISIBLE,
                        arg=CHARTS,
                        timeout=TIMEOUT,
                        polling="raf",
                    )
                else:
                    page.wait_for_selector(".bench-button", state="visible", timeout=TIMEOUT)
                seconds = time.perf_counter() - started
                if profile:
                    print_profile(tag, cdp.send("Profiler.stop")["profile"])
                if network:
                    print(f"  {tag}: goto returned at {goto:.2f} s, ready at {seconds:.2f} s")
                    for at, text in events:
                        print(f"  {at - started:6.2f} {text[:150]}")
                if args.marks:
                    marks = page.evaluate("() => window.__marks")
                    line = " ".join(
                        f"{k}={v}" for k, v in sorted(marks.items(), key=lambda kv: kv[1])
                    )
                    print(f"  {tag} marks (ms): {line}")
                page.goto("about:blank")
                context.close()
                return seconds

            for server in servers:
                if args.network:
                    load(server, "overzicht", network=True)
                    cpu_quiet(args.idle)
                if args.profile:
                    for name in ("overzicht", "button"):
                        load(server, name, profile=True)
                        cpu_quiet(args.idle)
            for number in range(args.loads):
                # rotate the order, so no variant always comes first after a quiet spell
                turn = servers[number % len(servers) :] + servers[: number % len(servers)]
                for server in turn:
                    for name in ("overzicht", "button"):
                        cpu_quiet(args.idle)
                        times[server.label, name].append(load(server, name))
                    print(
                        f"load {number + 1} {server.label}: overzicht "
                        f"{times[server.label, 'overzicht'][-1]:.2f} s, "
                        f"button {times[server.label, 'button'][-1]:.2f} s",
                        flush=True,
                    )
            browser.close()
    finally:
        for server in servers:
            errors[server.label] = server.stop()
    for server in servers:
        over, button = times[server.label, "overzicht"], times[server.label, "button"]
        if not over:
            continue
        ratio = statistics.median(over) / statistics.median(button)
        print(
            f"RESULT {server.label}: overzicht {span(over)}, button {span(button)}, "
            f"ratio {ratio:.2f}; server error lines: {len(errors[server.label])}"
        )
        for line in errors[server.label][:2]:
            print("   ", line[:300])
    for line in dict.fromkeys(console):
        print("console:", line[:300])


if __name__ == "__main__":
    main()
