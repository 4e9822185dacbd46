"""The leadership overview at 1k … 1M incidents: SQL analytics against a naive pandas baseline.

For every size a demo database is generated once (`pestdata demo`) and cached as
DIR/demo-N.sqlite (`--keep DIR`, default /tmp/pestdata-bench). Then, each in its own fresh
subprocess so peak memory is per size and per approach:

* kernel: every analytics function (median of 3, current school year and all years), the
  dashboard's full build (`Overview(store, today)`, one cold build then the median of 3),
  filter changes in the kernel (school → one school and back, median of 3 each; and the
  school year → 'Alle jaren'), peak RSS (ru_maxrss) next to the RSS after imports, and the
  bytes of chart JSON in the four chart Outputs.
* naive: read incidents, incident_platforms, incident_forms and steps_done completely with
  pandas.read_sql and compute the same answers in pandas (key figures, trends by platform
  and age band, step completion, completion per quarter, overdue list); median of 3, its peak
  RSS, and a 'filter change' on the frames already in memory. Its key figures are checked
  against the SQL ones.

For the browser sizes: one `pestdata serve` per size serves a copy of overzicht.ipynb and a
one-button notebook; Chromium (Playwright) loads them interleaved in fresh contexts. Render
time runs from `page.goto` until all four charts are visible (until the button is visible on
the one-button notebook); bytes received over the kernel websocket are counted up to that
point. A filter change in the browser runs from choosing a school until the plotted data of
the trend chart differ (and until all four charts differ). The overview's kernel peak memory
in Voilà is read from /proc (VmHWM of the kernel processes).

Prints figures only; nothing is asserted.

    python bench/overview.py [--sizes 1000,10000,100000,1000000] [--keep DIR]
                             [--browser-sizes 100000,1000000] [--loads 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent / "notebooks"
CHARTS = {
    "trend": ".pd-chart-trend",
    "age": ".pd-chart-age",
    "steps": ".pd-chart-steps",
    "heatmap": ".pd-chart-steps-quarter",
}
SCHOOLS = ("De Regenboog", "Het Baken College")
SETTLE = 6  # seconds between page loads (see browser_part)
TIMEOUT = 300_000  # ms; a 1M-incident overview is slow on a loaded 2-core machine
TARGETS = {
    "render_ratio": 1.2,  # overzicht / one button, at 100k
    "browser_change_ms": {100_000: 150, 1_000_000: 500},
    "speedup_1m": 20,
}


# --- helpers shared by the workers --------------------------------------------------------


def rss_mb() -> float:
    """Current resident set size of this process (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def timed(function, runs: int = 3) -> tuple[float, list[float], object]:
    """Median seconds over `runs` calls, all times, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def plain(value):
    """numpy scalars → Python, for JSON."""
    if hasattr(value, "item"):
        return value.item()
    return value


def result_line(payload: dict) -> None:
    print("RESULT " + json.dumps(payload, default=plain), flush=True)


# --- worker: the dashboard as the kernel runs it ------------------------------------------


def kernel_worker(db: str) -> None:
    from pestdata.core.choices import ALL
    from pestdata.db.store import Store
    from pestdata.overview.cards import key_figures
    from pestdata.overview.filters import Filters, school_year_of
    from pestdata.overview.lists import overdue_incidents
    from pestdata.overview.protocol import step_completion, step_completion_by_quarter
    from pestdata.overview.reading import filter_options
    from pestdata.overview.trends import monthly_trend
    from pestdata.ui.overview.page import Overview

    store = Store(db).ensure_schema()
    today = date.today()
    after_imports = rss_mb()
    year = Filters.for_school_year(school_year_of(today), today=today)
    every = Filters(today=today)
    queries: dict[str, dict[str, float]] = {}

    queries["filter_options"] = {
        "year": timed(lambda: filter_options(store))[0],
    }
    queries["filter_options"]["all"] = queries["filter_options"]["year"]
    calls = {
        "key_figures": lambda f: key_figures(store, f),
        "monthly_trend(platform)": lambda f: monthly_trend(store, f, by="platform"),
        "monthly_trend(age_band)": lambda f: monthly_trend(store, f, by="age_band"),
        "step_completion": lambda f: step_completion(store, f),
        "step_completion_by_quarter": lambda f: step_completion_by_quarter(store, f),
        "overdue_cases": lambda f: overdue_incidents(store, f),
    }
    for name, call in calls.items():
        queries[name] = {
            "year": timed(lambda call=call: call(year))[0],
            "all": timed(lambda call=call: call(every))[0],
        }
    figures = key_figures(store, year)
    trend = monthly_trend(store, year, by="platform")
    after_queries = peak_rss_mb()

    started = time.perf_counter()
    view = Overview(store, today)
    build_cold = time.perf_counter() - started
    build, build_times, view = timed(lambda: Overview(store, today))

    def chart_bytes() -> int:
        outputs = (view.trend_chart, view.age_chart, view.steps_chart, view.heatmap_chart)
        return sum(len(json.dumps(o.spec)) for o in outputs if o.spec)

    bytes_default = chart_bytes()

    change_detail = filter_changes(view, today)

    to_school, back = [], []
    for _ in range(3):
        for school, bucket in ((SCHOOLS[0], to_school), (ALL, back)):
            started = time.perf_counter()
            view.school.value = school
            bucket.append(time.perf_counter() - started)
    started = time.perf_counter()
    view.year.value = ALL
    all_years_change = time.perf_counter() - started
    bytes_all_years = chart_bytes()

    result_line(
        {
            "rss_after_imports_mb": after_imports,
            "rss_after_queries_mb": after_queries,
            "peak_rss_mb": peak_rss_mb(),
            "queries": queries,
            "build_cold": build_cold,
            "build": build,
            "build_times": build_times,
            "change_to_school": statistics.median(to_school),
            "change_back_to_all": statistics.median(back),
            "change_times": to_school + back,
            "change_all_years": all_years_change,
            "change_detail": change_detail,
            "chart_bytes": bytes_default,
            "chart_bytes_all_years": bytes_all_years,
            "key_figures": figures,
            "trend_rows": len(trend),
            "trend_total": sum(r["count"] for r in trend),
        }
    )


def filter_changes(view, today: date) -> dict[str, dict[str, float]]:
    """Every kind of filter change on the overview, each set and undone 3 times: seconds
    until the trend chart is replaced, until all four charts are, and until the refresh ends
    (key figures, overdue list and checklist too). Medians over the six changes."""
    from pestdata.core.choices import AGE_BANDS
    from pestdata.overview.filters import school_year_range

    year_start, _ = school_year_range(view.year.value)
    mid_month = year_start.replace(month=9, day=15)
    outputs = (view.trend_chart, view.age_chart, view.steps_chart, view.heatmap_chart)
    seen: dict = {}
    for number, output in enumerate(outputs):
        output.observe(lambda _, n=number: seen.setdefault(n, time.perf_counter()), "spec")
    changes = {
        "school": [("school", SCHOOLS[0])],
        "platform": [("platform", "whatsapp")],
        "form": [("form", "exclusion")],
        "age band": [("who", f"band:{AGE_BANDS[2]}")],
        "from mid-month": [("start", mid_month)],
        "platform + form": [("platform", "whatsapp"), ("form", "exclusion")],
    }
    detail = {}
    for name, steps in changes.items():
        times: dict[str, list[float]] = {"trend": [], "charts": [], "all": []}
        defaults = [(attribute, getattr(view, attribute).value) for attribute, _ in steps]
        for _ in range(3):
            for values in (steps, defaults[::-1]):
                for attribute, value in values[:-1]:  # set up the rest unmeasured
                    getattr(view, attribute).value = value
                attribute, value = values[-1]
                seen.clear()
                started = time.perf_counter()
                getattr(view, attribute).value = value
                ended = time.perf_counter()
                times["trend"].append(seen.get(0, ended) - started)
                times["charts"].append(max(seen.values(), default=ended) - started)
                times["all"].append(ended - started)
        detail[name] = {k: statistics.median(v) for k, v in times.items()}
    return detail


# --- worker: the naive baseline -----------------------------------------------------------


def naive_worker(db: str) -> None:
    import pandas as pd

    from pestdata.core.choices import OPEN_STATUSES, Status
    from pestdata.core.guidance import load_protocol
    from pestdata.db.store import Store
    from pestdata.incidents.lookup import OVERDUE_DAYS

    store = Store(db).ensure_schema()
    today = date.today()
    after_imports = rss_mb()
    start_year = today.year if today.month >= 8 else today.year - 1
    period = (pd.Timestamp(start_year, 8, 1), pd.Timestamp(start_year + 1, 7, 31))
    protocol = load_protocol()
    required = [s.id for s in protocol if s.required]
    followup = next(s for s in protocol if s.asks_outcome)
    open_statuses = [s.value for s in OPEN_STATUSES]
    finished_statuses = [Status.RESOLVED.value, Status.CLOSED.value]
    now = pd.Timestamp(today)

    def read() -> dict[str, pd.DataFrame]:
        frames = {}
        with store.engine.connect() as conn:
            for table in ("incidents", "incident_platforms", "incident_forms", "steps_done"):
                frames[table] = pd.read_sql(f"SELECT * FROM {table}", conn)
        incidents = frames["incidents"]
        for column in ("reported_on", "resolved_on"):
            incidents[column] = pd.to_datetime(incidents[column])
        frames["steps_done"]["done_on"] = pd.to_datetime(frames["steps_done"]["done_on"])
        return frames

    def lower_median(days: pd.Series) -> float | None:
        if days.empty:
            return None
        ordered = days.sort_values().to_numpy()
        return float(ordered[(len(ordered) + 1) // 2 - 1])

    def answers(frames: dict[str, pd.DataFrame], school: str | None = None) -> dict:
        inc = frames["incidents"]
        steps = frames["steps_done"]
        if school:
            inc = inc[inc["school"] == school]
            steps = steps[steps["incident_id"].isin(inc["id"])]
        reported = inc["reported_on"]
        chosen = inc[(reported >= period[0]) & (reported <= period[1])]
        open_incident = inc["status"].isin(open_statuses)
        last_step = steps.groupby("incident_id")["done_on"].max()
        last_activity = inc["id"].map(last_step).fillna(reported)
        followed_up = inc["id"].isin(steps.loc[steps["step_id"] == followup.id, "incident_id"])
        stale = open_incident & (last_activity < now - pd.Timedelta(days=OVERDUE_DAYS))
        followup_due = (
            open_incident
            & (reported < now - pd.Timedelta(days=followup.deadline_days))
            & ~followed_up
        )
        overdue = stale | followup_due
        figures = {
            "reports_this_month": int(((reported >= now.replace(day=1)) & (reported <= now)).sum()),
            "reports_this_school_year": int(((reported >= period[0]) & (reported <= now)).sum()),
            "reports_in_period": len(chosen),
            "open_cases": int(open_incident.sum()),
            "overdue_cases": int(overdue.sum()),
        }
        resolved = chosen[chosen["resolved_on"].notna()]
        days = (resolved["resolved_on"] - resolved["reported_on"]).dt.days
        figures["resolved_cases"] = len(days)
        figures["median_days_to_resolved"] = lower_median(days)
        finished = chosen[chosen["status"].isin(finished_statuses)]
        required_done = steps[steps["step_id"].isin(required)].groupby("incident_id").size()
        figures["finished_cases"] = len(finished)
        figures["finished_with_all_required"] = int(
            (finished["id"].map(required_done).fillna(0) == len(required)).sum()
        )
        due = chosen[chosen["reported_on"] <= now - pd.Timedelta(days=14)]
        figures["followup_due_cases"] = len(due)
        nazorg = steps[steps["step_id"] == followup.id].merge(
            due[["id", "reported_on"]], left_on="incident_id", right_on="id"
        )
        in_time = nazorg.loc[
            (nazorg["done_on"] - nazorg["reported_on"]).dt.days <= 14, "incident_id"
        ]
        figures["followup_within_two_weeks"] = int(due["id"].isin(in_time).sum())

        month = chosen["reported_on"].dt.strftime("%Y-%m")
        platforms = (
            chosen[["id"]]
            .assign(month=month)
            .merge(frames["incident_platforms"], left_on="id", right_on="incident_id")
        )
        trend = platforms.groupby(["month", "platform"]).size()
        by_age = chosen.assign(month=month).groupby(["month", "age_band"]).size()

        done = steps.merge(chosen[["id", "reported_on"]], left_on="incident_id", right_on="id")
        done["days"] = (done["done_on"] - done["reported_on"]).dt.days
        terms = {s.id: s.deadline_days for s in protocol}
        done["on_time"] = done["days"] <= done["step_id"].map(terms)
        completion = done.groupby("step_id").agg(
            done=("days", "size"),
            median_days=("days", lower_median),
            on_time=("on_time", "mean"),
        )
        completion["share_done"] = completion["done"] / max(len(chosen), 1)

        quarter = (
            chosen["reported_on"].dt.year.astype(str)
            + " K"
            + (chosen["reported_on"].dt.quarter.astype(str))
        )
        incidents = quarter.value_counts()
        done["quarter"] = (
            done["reported_on"].dt.year.astype(str)
            + " K"
            + (done["reported_on"].dt.quarter.astype(str))
        )
        per_quarter = done.groupby(["quarter", "step_id"]).size().rename("done").reset_index()
        per_quarter["share_done"] = per_quarter["done"] / per_quarter["quarter"].map(incidents)

        late = inc[overdue].sort_values(["reported_on", "id"]).head(100)
        return {
            "key_figures": figures,
            "trend_rows": len(trend),
            "trend_total": int(trend.sum()),
            "sizes": [len(by_age), len(completion), len(per_quarter), len(late)],
        }

    def full():
        frames = read()
        return answers(frames)

    total, total_times, result = timed(full)
    read_seconds, _, frames = timed(read, runs=1)
    frame_mb = sum(f.memory_usage(deep=True).sum() for f in frames.values()) / 2**20
    aggregate, _, _ = timed(lambda: answers(frames))
    change, change_times, _ = timed(lambda: answers(frames, school=SCHOOLS[0]))
    result_line(
        {
            "rss_after_imports_mb": after_imports,
            "peak_rss_mb": peak_rss_mb(),
            "frames_mb": frame_mb,
            "total": total,
            "total_times": total_times,
            "read": read_seconds,
            "aggregate": aggregate,
            "change": change,
            "rows": {name: len(f) for name, f in frames.items()},
            **result,
        }
    )


# --- the driver ---------------------------------------------------------------------------


def ensure_database(size: int, folder: Path) -> str:
    """DIR/demo-N.sqlite, generated once; written under another name until complete."""
    path = folder / f"demo-{size}.sqlite"
    if not path.exists():
        part = folder / f"demo-{size}.sqlite.part"
        for leftover in folder.glob(f"demo-{size}.sqlite.part*"):
            leftover.unlink()
        started = time.perf_counter()
        print(f"generating {size} incidents → {path} …", flush=True)
        subprocess.run(
            ["pestdata", "demo", "--incidents", str(size), "--db", f"sqlite:///{part}"],
            check=True,
            capture_output=True,
        )
        # Fold the WAL into the file so a rename carries everything.
        with sqlite3.connect(part) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        part.rename(path)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return f"sqlite:///{path}"


def run_worker(kind: str, db: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--db", db]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"{kind} worker failed on {db} (code {done.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def kernel_peaks(server_pid: int) -> list[tuple[int, float]]:
    """(pid, VmHWM MB) of every ipykernel process below the server."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue

    def below(pid: int) -> bool:
        while pid in parents and pid > 1:
            pid = parents[pid]
            if pid == server_pid:
                return True
        return False

    peaks = []
    for pid in parents:
        if not below(pid):
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if b"ipykernel" not in cmdline:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append((pid, int(line.split()[1]) / 1024))
    return peaks


# Every chart drawn and on the page: the widget's, or its first paint's (drawn from the page
# before the widgets connect; ui/plots.paint_first), whichever the visitor sees first.
ALL_CHARTS_VISIBLE = """charts => Object.entries(charts).every(([name, s]) => {
    const e = document.querySelector(s + ' .js-plotly-plot')
        || document.querySelector(`.pd-first-paint [data-first-paint="${name}"].js-plotly-plot`);
    if (!e) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
})"""
SIGNATURE = """selector => {
    const e = document.querySelector(selector + ' .js-plotly-plot');
    return e && e.data ? JSON.stringify(e.data.map(t => [t.name, t.x, t.y, t.z])) : null;
}"""
TREND_SIGNATURE = """() => {
    const e = document.querySelector('.pd-chart-trend .js-plotly-plot');
    return e && e.data ? JSON.stringify(e.data.map(t => [t.name, t.y])) : null;
}"""
TREND_CHANGED = (
    "previous => { const e = document.querySelector('.pd-chart-trend .js-plotly-plot');"
    " if (!e || !e.data) return false;"
    " return JSON.stringify(e.data.map(t => [t.name, t.y])) !== previous; }"
)
ALL_CHANGED = """previous => Object.entries(previous).every(([s, before]) => {
    const e = document.querySelector(s + ' .js-plotly-plot');
    if (!e || !e.data) return false;
    return JSON.stringify(e.data.map(t => [t.name, t.x, t.y, t.z])) !== before;
})"""


# Filter changes measured in the browser: (kind, the filter's CSS class, options chosen in turn).
BROWSER_CHANGES = [
    ("school", ".pd-filter-school", [SCHOOLS[0], "Alle scholen", SCHOOLS[1], "Alle scholen"]),
    ("platform", ".pd-filter-platform", ["WhatsApp", "Alle", "TikTok", "Alle"]),
    ("age band", ".pd-filter-who", ["Leeftijd 12-14 jaar", "Alle", "Leeftijd 8-11 jaar", "Alle"]),
]


def browser_part(size: int, db: str, loads: int) -> dict:
    import shutil

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(HERE))
    from render import (  # bench/render.py
        TOKEN,
        chromium_launch_args,
        free_port,
        one_button_notebook,
        server_notes,
        wait_for_port,
    )
    from servers import browser_profile

    result: dict = {"overzicht": [], "button": [], "ws_overzicht": [], "ws_button": []}
    with tempfile.TemporaryDirectory(prefix="pd-bench-overview-") as tmp:
        folder = Path(tmp)
        shutil.copy(NOTEBOOKS / "overzicht.ipynb", folder / "overzicht.ipynb")
        one_button_notebook(folder / "button.ipynb")
        port = free_port()
        command = ["pestdata", "serve", "--notebooks", tmp, "--port", str(port)]
        command += ["--db", db]
        log = open(folder / "serve.log", "w")
        env = {**os.environ, "PESTDATA_TOKEN": TOKEN}  # never on the command line
        server = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True, env=env)
        console: list[str] = []
        try:
            wait_for_port(port, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(**chromium_launch_args())

                def open_page(name: str, ready, arg=None, context=None):
                    page = (context or browser.new_context()).new_page()
                    received = [0]

                    def on_socket(ws):
                        ws.on(
                            "framereceived",
                            lambda payload: received.__setitem__(
                                0,
                                received[0]
                                + len(payload.encode() if isinstance(payload, str) else payload),
                            ),
                        )

                    page.on("websocket", on_socket)
                    page.on(
                        "console",
                        lambda m: m.type == "error" and console.append(f"{name}: {m.text}"),
                    )
                    page.on("pageerror", lambda e: console.append(f"{name}: page error {e}"))
                    url = f"http://127.0.0.1:{port}/voila/render/{name}.ipynb?token={TOKEN}"
                    started = time.perf_counter()
                    page.goto(url, timeout=TIMEOUT)
                    if isinstance(ready, str):
                        page.wait_for_selector(ready, state="visible", timeout=TIMEOUT)
                    else:
                        page.wait_for_function(ready[0], arg=ready[1], timeout=TIMEOUT)
                    return time.perf_counter() - started, received[0], page

                def close(page, keep_context=False):
                    page.goto("about:blank")
                    page.close() if keep_context else page.context.close()
                    # Voilà refills its preheated pool a second after a page takes a kernel;
                    # let that finish so it does not slow down the next page measured.
                    time.sleep(SETTLE)

                overview_ready = (ALL_CHARTS_VISIBLE, CHARTS)
                for load in range(loads):
                    seconds, received, page = open_page("overzicht", overview_ready)
                    close(page)
                    result["overzicht"].append(seconds)
                    result["ws_overzicht"].append(received)
                    seconds, received, page = open_page("button", ".bench-button")
                    close(page)
                    result["button"].append(seconds)
                    result["ws_button"].append(received)
                    print(
                        f"  {size}: load {load + 1}: overzicht {result['overzicht'][-1]:.2f} s "
                        f"({result['ws_overzicht'][-1] / 1024:.0f} KiB ws), "
                        f"button {result['button'][-1]:.2f} s",
                        flush=True,
                    )

                # A returning visitor: a browser profile on disk per notebook, so its HTTP
                # and code caches are warm (the first two loads fill them, not counted).
                contexts = {
                    name: browser_profile(p, folder / f"profile-{name}")
                    for name in ("overzicht", "button")
                }
                for load in range(loads + 2):
                    for name, ready in (("overzicht", overview_ready), ("button", ".bench-button")):
                        seconds, _, page = open_page(name, ready, context=contexts[name])
                        close(page, keep_context=True)
                        if load >= 2:
                            result.setdefault(f"{name}_cached", []).append(seconds)
                for context in contexts.values():
                    context.close()

                _, _, page = open_page("overzicht", overview_ready)
                for chart in CHARTS.values():  # the widgets' own charts: filters work now
                    page.wait_for_selector(f".pd-overview {chart} .js-plotly-plot")
                result["changes"] = {}
                for kind, selector, labels in BROWSER_CHANGES:
                    trend_times, all_times = [], []
                    select = page.locator(f"{selector} select")
                    for label in labels:
                        before_trend = page.evaluate(TREND_SIGNATURE)
                        before_all = {s: page.evaluate(SIGNATURE, s) for s in CHARTS.values()}
                        started = time.perf_counter()
                        select.select_option(label=label)
                        page.wait_for_function(
                            TREND_CHANGED, arg=before_trend, timeout=TIMEOUT, polling="raf"
                        )
                        trend_times.append(time.perf_counter() - started)
                        try:
                            page.wait_for_function(
                                ALL_CHANGED, arg=before_all, timeout=10_000, polling="raf"
                            )
                            all_times.append(time.perf_counter() - started)
                        except Exception:  # a chart whose data did not change
                            all_times.append(float("nan"))
                        page.wait_for_timeout(300)  # let the rest of the refresh settle
                    result["changes"][kind] = {"trend": trend_times, "all": all_times}
                result["change_trend"] = [t for c in result["changes"].values() for t in c["trend"]]
                result["change_all"] = [t for c in result["changes"].values() for t in c["all"]]
                result["kernel_peaks_mb"] = [mb for _, mb in kernel_peaks(server.pid)]
                close(page)
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
            log.close()
        result["server"] = server_notes((folder / "serve.log").read_text())
        result["console"] = list(dict.fromkeys(console))
    return result


def ms(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "n/a"
    return f"{1000 * seconds:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--keep", default="/tmp/pestdata-bench", help="folder of cached DBs")
    parser.add_argument("--browser-sizes", default="100000,1000000")
    parser.add_argument("--loads", type=int, default=5, help="page loads per notebook")
    parser.add_argument("--worker", choices=["kernel", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "kernel":
        return kernel_worker(args.db)
    if args.worker == "naive":
        return naive_worker(args.db)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    browser_sizes = [int(s) for s in args.browser_sizes.split(",") if s]
    folder = Path(args.keep)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} cores")
    databases = {n: ensure_database(n, folder) for n in sorted(set(sizes) | set(browser_sizes))}

    kernel, naive, browser = {}, {}, {}
    for n in sizes:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        print(f"size {n}: kernel worker … (load average {load})", flush=True)
        kernel[n] = run_worker("kernel", databases[n])
        print(f"size {n}: naive worker …", flush=True)
        naive[n] = run_worker("naive", databases[n])
        k, b = kernel[n], naive[n]
        same = k["key_figures"] == b["key_figures"] and k["trend_total"] == b["trend_total"]
        print(
            f"  build {ms(k['build'])} ms, naive {ms(b['total'])} ms; "
            f"SQL and naive answers agree: {'yes' if same else 'NO'}",
            flush=True,
        )
        if not same:
            diff = {
                key: (value, b["key_figures"].get(key))
                for key, value in k["key_figures"].items()
                if b["key_figures"].get(key) != value
            }
            print(
                f"  differences (sql, naive): {diff}; trend totals "
                f"{k['trend_total']} / {b['trend_total']}"
            )
    for n in browser_sizes:
        print(f"size {n}: browser ({args.loads} loads per notebook) …", flush=True)
        print("  load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        browser[n] = browser_part(n, databases[n], args.loads)

    print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    report(sizes, kernel, naive, browser)


def span(values, scale=1.0, digits=2) -> str:
    """'median [min–max]' of the values that are numbers."""
    values = [v * scale for v in values if v == v]
    if not values:
        return "n/a"
    return (
        f"{statistics.median(values):.{digits}f} "
        f"[{min(values):.{digits}f}–{max(values):.{digits}f}]"
    )


def report(sizes, kernel, naive, browser) -> None:
    print()
    print("=" * 100)
    if sizes:
        names = list(kernel[sizes[0]]["queries"])
        print("Analytics queries, median of 3 (ms): current school year / all years")
        print(f"{'query':<28}" + "".join(f"{n:>18,}" for n in sizes))
        for name in names:
            pairs = [kernel[n]["queries"][name] for n in sizes]
            cells = "".join(f"{ms(q['year']) + ' / ' + ms(q['all']):>18}" for q in pairs)
            print(f"{name:<28}{cells}")
        print()
        head = (
            f"{'incidents':>10} | {'Σ queries':>9} | {'build':>6} | {'cold':>6} | "
            f"{'change':>13} | {'→ all yrs':>9} | {'RSS peak':>8} | {'(imports)':>9} | "
            f"{'chart JSON':>10} | {'naive':>8} | {'naive RSS':>9} | {'÷ build':>8} | "
            f"{'÷ Σq':>7} | {'naive chg':>9}"
        )
        print(
            "Kernel (ms, MB, bytes); change = school → one school / back to all, median of 3; "
            "speed-up = naive (read + aggregate, no charts) ÷ full build, ÷ Σ queries"
        )
        print(head)
        print("-" * len(head))
        for n in sizes:
            k, b = kernel[n], naive[n]
            total = sum(q["year"] for q in k["queries"].values())
            change = f"{ms(k['change_to_school'])}/{ms(k['change_back_to_all'])}"
            print(
                f"{n:>10,} | {ms(total):>9} | {ms(k['build']):>6} | {ms(k['build_cold']):>6} | "
                f"{change:>13} | {ms(k['change_all_years']):>9} | "
                f"{k['peak_rss_mb']:>8.0f} | {k['rss_after_imports_mb']:>9.0f} | "
                f"{k['chart_bytes']:>10,} | {ms(b['total']):>8} | {b['peak_rss_mb']:>9.0f} | "
                f"{b['total'] / k['build']:>7.1f}× | {b['total'] / total:>6.1f}× | "
                f"{ms(b['change']):>9}"
            )
        print()
        print(
            "Kernel filter changes (ms, median of 6: set and undone 3 times): "
            "trend chart replaced / all 4 charts / whole refresh"
        )
        kinds = list(kernel[sizes[0]]["change_detail"])
        print(f"{'change':<18}" + "".join(f"{n:>20,}" for n in sizes))
        for kind in kinds:
            cells = ""
            for n in sizes:
                d = kernel[n]["change_detail"][kind]
                cells += f"{ms(d['trend']) + ' / ' + ms(d['charts']) + ' / ' + ms(d['all']):>20}"
            print(f"{kind:<18}{cells}")
        print()
        print("Naive baseline detail (ms): read+parse | aggregate on frames in memory | frames MB")
        for n in sizes:
            b = naive[n]
            rows = ", ".join(f"{t} {r:,}" for t, r in b["rows"].items())
            print(
                f"{n:>10,}: read {ms(b['read'])}, aggregate {ms(b['aggregate'])}, "
                f"frames {b['frames_mb']:.0f} MB, RSS after imports "
                f"{b['rss_after_imports_mb']:.0f} MB ({rows})"
            )
        print(
            "chart JSON bytes with 'Alle jaren': "
            + ", ".join(f"{n:,}: {kernel[n]['chart_bytes_all_years']:,}" for n in sizes)
        )
    if browser:
        print()
        head = (
            f"{'incidents':>10} | {'overzicht s':>20} | {'button s':>20} | {'ratio':>5} | "
            f"{'ws KiB':>7} | {'change trend ms':>22} | {'all 4 charts ms':>15} | "
            f"{'kernel MB':>9} | {'target':>6}"
        )
        print("Browser (Chromium, Voilà): render median [min–max]; filter change median [min–max]")
        print(head)
        print("-" * len(head))
        for n, r in browser.items():
            ratio = statistics.median(r["overzicht"]) / statistics.median(r["button"])
            target = TARGETS["browser_change_ms"].get(n)
            print(
                f"{n:>10,} | {span(r['overzicht']):>20} | {span(r['button']):>20} | "
                f"{ratio:>5.2f} | {statistics.median(r['ws_overzicht']) / 1024:>7.0f} | "
                f"{span(r['change_trend'], 1000, 0):>22} | "
                f"{span(r['change_all'], 1000, 0):>15} | "
                f"{max(r['kernel_peaks_mb'], default=float('nan')):>9.0f} | "
                f"{'≤' + str(target) + ' ms' if target else '':>6}"
            )
        for n, r in browser.items():
            ratio = statistics.median(r["overzicht_cached"]) / statistics.median(r["button_cached"])
            print(
                f"{n:,}: returning visitor (browser cache warm): overzicht "
                f"{span(r['overzicht_cached'])} s, button {span(r['button_cached'])} s, "
                f"ratio {ratio:.2f}"
            )
            for kind, times in r["changes"].items():
                print(
                    f"{n:,}: change of {kind}: trend {span(times['trend'], 1000, 0)} ms, "
                    f"all 4 charts {span(times['all'], 1000, 0)} ms"
                )
        for n, r in browser.items():
            print(f"{n:,}: {r['server']}")
            print(
                f"{n:,}: button ws KiB median {statistics.median(r['ws_button']) / 1024:.0f}; "
                f"kernel VmHWM MB: {', '.join(f'{mb:.0f}' for mb in sorted(r['kernel_peaks_mb']))}"
            )
            for line in r["console"][:5]:
                print(f"{n:,}: console: {line[:300]}")

    print()
    print("Targets")
    for n in sizes:
        if n in browser:
            ratio = statistics.median(browser[n]["overzicht"]) / statistics.median(
                browser[n]["button"]
            )
            print(
                f"  render ratio at {n:,}: {ratio:.2f} (target ≤ {TARGETS['render_ratio']} at 100k)"
            )
    for n, r in browser.items():
        target = TARGETS["browser_change_ms"].get(n)
        if target:
            print(
                f"  filter change in the browser at {n:,}: "
                f"{1000 * statistics.median(r['change_trend']):.0f} ms (target ≤ {target} ms)"
            )
    if sizes:
        print(
            "  kernel peak RSS (MB): "
            + ", ".join(f"{n:,}: {kernel[n]['peak_rss_mb']:.0f}" for n in sizes)
            + " (target: flat)"
        )
        print(
            "  chart JSON bytes: "
            + ", ".join(f"{n:,}: {kernel[n]['chart_bytes']:,}" for n in sizes)
            + " (target: flat)"
        )
        biggest = max(sizes)
        print(
            f"  speed-up over naive at {biggest:,}: "
            f"{naive[biggest]['total'] / kernel[biggest]['build']:.1f}× "
            f"(target ≥ {TARGETS['speedup_1m']}× at 1M)"
        )


if __name__ == "__main__":
    main()
