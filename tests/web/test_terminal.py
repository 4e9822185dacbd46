"""What an ICT coordinator sees in the terminal of `pestdata serve` (issue 23): our own Dutch
lines only, whatever the visitors do; no address with a token; the errors that matter (a
kernel that dies, a port that is taken, a crash) in Dutch; Jupyter's whole log with
--verbose. The shipped notebooks are trusted by a notary of the server alone, not by hiding
Jupyter's warning: with --verbose it is gone too, and nothing is written to the home folder.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import PASSWORD, TIMEOUT, Browser, kernel_of, own_kernels
from playwright.sync_api import Page, expect
from servers import MEDIUM, SMALL, TOKEN, free_port, process_tree, start_server

from pestdata.core.shipped import NOTEBOOKS
from pestdata.db.store import Store
from pestdata.people import accounts
from pestdata.web.serve import voila_command, voila_env
from pestdata.web.terminal import OWN_CODE, dutch_line, kernel_line

CLOCK = r"\d\d:\d\d:\d\d "
# Every line `pestdata serve` may print in a session without trouble: the command's own lines
# before the server starts, the name detector's, and the server's start and stop.
QUIET_SESSION = [
    r"Database: \S+ · rol: .+",
    r"Open in de browser: http://127\.0\.0\.1:\d+/ en log in met je account\.",
    r"Open in de browser \(met de toegangscode achter token=\):",
    r"  [A-Z][a-z]+ \([a-z]+\): http://127\.0\.0\.1:\d+/voila/render/[a-z]+\.ipynb\?token=…",
    r"Stoppen: Ctrl\+C",
    r"pestdata: Namencontrole (laden…|klaar \(\d+,\d s\)\.|: de namenlijsten worden .+…)",
    CLOCK + r"Server klaar op poort \d+\.",
    CLOCK + r"Server stopt\.",
]
# Phrases of Jupyter's, Voilà's and tornado's own log (seen per page visit before issue 23).
ENGLISH = re.compile(
    r"not trusted|without encryption|Kernel (started|shutdown|pool)|Connecting to kernel"
    r"|pre-heated|protocol version|buffering|connection files|static files|Voilà is running"
    r"|Handle signal|Culling|websocket|No such comm|Traceback|\b(INFO|WARNING|ERROR|CRITICAL)\b"
    r"|\[PestdataVoila\]|\[tornado|\[pestdata\.",
)
DASHBOARDS = [
    ("meldingen", "button.pd-save"),
    ("overzicht", ".pd-overview"),
    ("handelingsadvies", ".pd-school"),
    ("ouderavond", ".pd-position"),
]


def not_ours(log: str, also: tuple[str, ...] = ()) -> list[str]:
    """The lines of `log` that are none of our Dutch lines (QUIET_SESSION and `also`)."""
    patterns = [re.compile(p) for p in (*QUIET_SESSION, *also)]
    return [line for line in log.splitlines() if not any(p.fullmatch(line) for p in patterns)]


def add_care_team(db: str) -> None:
    store = Store(db).ensure_schema()
    accounts.add(store, "m.devries", "zorgteam", PASSWORD, actor="test")
    store.close()


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)  # Ctrl+C, as the coordinator stops it
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def poll_log(log: Path, text: str, seconds: float = 90, every: float = 0.3) -> str:
    deadline = time.monotonic() + seconds
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(every)
    return log.read_text()


@pytest.mark.browser
def test_four_dashboards_work_under_the_policy_and_leave_only_dutch_lines(page: Page, tmp_path):
    """Signed in with an account, the care team opens its four dashboards in Chromium: no
    request or script the content security policy blocks, the charts are drawn (anywidget's
    module comes from a blob: URL), and the server's whole output (stdout and stderr, kernels
    included) is our Dutch lines, without a token."""
    process, base, _ = start_server(
        tmp_path, token=None, incidents=MEDIUM, before=add_care_team, verbose=False, preheat=None
    )  # the server's own pool, as a school runs it
    blocked = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.on("console", lambda m: blocked.append(m.text) if "CSP" in m.text else None)
    try:
        page.goto(f"{base}/login")
        page.get_by_label("Naam").fill("m.devries")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.locator("body")).to_contain_text("Aangemeld als m.devries", timeout=TIMEOUT)
        for name, ready in DASHBOARDS:
            page.goto(f"{base}/voila/render/{name}.ipynb")
            page.wait_for_selector(ready, timeout=TIMEOUT)
            if name == "overzicht":
                page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)  # drawn
        page.goto("about:blank")  # the last page closes, as a visitor leaves
    finally:
        stop(process)
    log = (tmp_path / "serve.log").read_text()
    port = base.rsplit(":", 1)[1]
    assert re.search(CLOCK + f"Server klaar op poort {port}\\.\n", log), log
    assert re.search(CLOCK + "Server stopt\\.\n", log), log
    assert ENGLISH.findall(log) == [], log
    assert "token" not in log.lower(), log
    assert not_ours(log) == [], log
    assert blocked == []


def test_the_served_notebooks_are_trusted_by_the_servers_own_notary(tmp_path, monkeypatch):
    """With --verbose (Jupyter's whole log), accounts mode: two dashboards open without
    "Notebook … is not trusted", Voilà's start line has no token, and no notary key or
    signature database lands in the home folder (Jupyter's default notary keeps both there),
    nor IPython's history (every page's kernel wrote its session and cells to one database
    there, which nobody emptied)."""
    home = tmp_path / "home"
    home.mkdir()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    monkeypatch.setenv("XDG_CACHE_HOME", cache)  # the name lists already built
    monkeypatch.setenv("HOME", str(home))
    for variable in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        monkeypatch.delenv(variable, raising=False)
    process, base, _ = start_server(
        tmp_path, None, token=None, incidents=SMALL, before=add_care_team
    )
    try:
        browser = Browser(base)
        assert browser.login("m.devries", PASSWORD)[0] == 200
        for name in ("meldingen", "handelingsadvies"):
            status, _, html = browser.get(f"/voila/render/{name}.ipynb")
            assert status == 200 and kernel_of(html)  # rendered, by a kernel of its own
    finally:
        stop(process)
    log = (tmp_path / "serve.log").read_text()
    assert "Kernel started" in log  # the verbose log: Jupyter's own lines
    assert "not trusted" not in log, log
    assert re.search(r"Voilà is running at:\nhttp://127\.0\.0\.1:\d+/\n", log), log
    assert "token=" not in log, log
    written = sorted(p.name for p in home.rglob("*") if p.is_file())
    assert "nbsignatures.db" not in written and "notebook_secret" not in written, written
    assert not [name for name in written if name.startswith("history.sqlite")], written


def test_a_kernel_that_dies_is_told_in_dutch(tmp_path):
    """... and a Ctrl+C while it restarts still stops the server cleanly: the stop comes as
    soon as the line is there, when the restart is halfway (its old process ended, its new
    one starting), which once ended the stop in an InvalidStateError and exit status 1."""
    process, base, _ = start_server(tmp_path, None, incidents=SMALL, verbose=False)
    log = tmp_path / "serve.log"
    try:
        page = urllib.request.urlopen(
            f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}", timeout=120
        )
        pid = own_kernels(process.pid)[kernel_of(page.read().decode())]
        # What it prints outside its channels (a start cut short at Ctrl+C) goes nowhere.
        assert os.readlink(f"/proc/{pid}/fd/2") == os.readlink(f"/proc/{pid}/fd/1") == "/dev/null"
        os.kill(pid, signal.SIGKILL)
        text = poll_log(log, "stopte onverwacht", every=0.02)
    finally:
        stop(process)
    assert process.returncode == 0, log.read_text()
    died = CLOCK + (
        r"Let op: een dashboardkernel stopte onverwacht en start opnieuw \(poging 1 van 5\); "
        r"wie die pagina open had, moet hem opnieuw laden\."
    )
    assert re.search(died, text), text
    text = log.read_text()
    assert ENGLISH.findall(text) == [] and not_ours(text, (died,)) == [], text


def test_ctrl_c_twice_still_stops_quietly_and_leaves_no_kernel(tmp_path):
    """The coordinator presses Ctrl+C twice (or the stop takes a moment and they press again):
    the second lands while the kernels shut down. It must not cut that short: no English
    traceback in the terminal and no kernel or fork process left running."""
    process, base, _ = start_server(tmp_path, None, incidents=SMALL, verbose=False, preheat=None)
    log = tmp_path / "serve.log"
    try:
        page = urllib.request.urlopen(
            f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}", timeout=120
        )
        assert own_kernels(process.pid).get(kernel_of(page.read().decode()))
        below = process_tree(process.pid)
        process.send_signal(signal.SIGINT)
        poll_log(log, "Server stopt.")
        process.send_signal(signal.SIGINT)  # during the kernels' shutdown
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            stop(process)
    text = log.read_text()
    assert "Server stopt." in text and "Traceback" not in text, text
    assert ENGLISH.findall(text) == [] and not_ours(text) == [], text
    deadline = time.monotonic() + 30
    while [pid for pid in below if Path(f"/proc/{pid}").exists()] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in below if Path(f"/proc/{pid}").exists()] == []


def test_ctrl_c_in_a_terminal_reaches_the_helpers_and_they_stay_quiet(tmp_path):
    """A terminal's Ctrl+C goes to the server's whole process group: the name detector and
    the kernel-fork process got it too and printed English KeyboardInterrupt tracebacks. They
    ignore it and end with the server, which stops as always."""
    process, base, _ = start_server(tmp_path, None, incidents=SMALL, verbose=False)
    log = tmp_path / "serve.log"
    try:
        poll_log(log, "Namencontrole klaar")
        helpers = [
            pid
            for pid in process_tree(process.pid)
            if re.search(
                rb"kernel_forks|pestdata\.core\.names", Path(f"/proc/{pid}/cmdline").read_bytes()
            )
        ]
        assert len(helpers) == 2, helpers
        for pid in helpers:
            os.kill(pid, signal.SIGINT)  # what the terminal sends them beside the server
        time.sleep(1)
        assert all(Path(f"/proc/{pid}").exists() for pid in helpers)
        page = urllib.request.urlopen(
            f"{base}/voila/render/handelingsadvies.ipynb?token={TOKEN}", timeout=120
        )
        assert page.status == 200  # the fork process still gives kernels
    finally:
        stop(process)
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert ENGLISH.findall(text) == [] and not_ours(text) == [], text


def run_server(notebooks: Path, port: int, tmp_path: Path, verbose=False):
    """The server process itself, as `pestdata serve` starts it, until it stops."""
    env = voila_env(f"sqlite:///{tmp_path}/p.sqlite", "zorgteam", token=TOKEN)
    command = voila_command(notebooks, port, TOKEN, preheat=0, verbose=verbose)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_a_port_taken_after_the_check_is_told_in_dutch(tmp_path):
    """`serve` refuses a taken port before it starts (test_cli); taken in between, the server
    itself says it in Dutch and stops."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_server(NOTEBOOKS, port, tmp_path)
    assert done.returncode == 1
    line = CLOCK + (
        f"Fout: poort {port} is al in gebruik; de server start niet. Kies een andere poort met "
        r"--port\."
    )
    assert re.search(line, done.stderr), done.stderr
    assert "Server klaar" not in done.stderr
    assert ENGLISH.findall(done.stderr) == [] and not_ours(done.stderr, (line,)) == []


def test_a_crash_is_one_dutch_line_and_the_traceback_comes_with_verbose(tmp_path):
    missing = tmp_path / "weg"  # the notebooks folder vanished: Voilà raises while starting
    port = free_port()
    done = run_server(missing, port, tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert re.fullmatch(
        CLOCK + r"Fout: pestdata serve is gestopt door een fout \(ValueError: .*weg.*; "
        r"details: pestdata serve --verbose\)",
        lines[0],
    )
    verbose = run_server(missing, port, tmp_path, verbose=True)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "pestdata serve is gestopt" in verbose.stderr


# --- the rules, record by record -------------------------------------------------------------


def record(level: int, message: str, *args, where: str = "jupyter_server", error=None):
    """A log record as a module of package `where` logs it (pestdata's own, or another)."""
    folder = OWN_CODE if where == "pestdata" else f"/venv/lib/python3/site-packages/{where}/"
    exc_info = (type(error), error, None) if error else None
    return logging.LogRecord("x", level, f"{folder}m.py", 1, message, args, exc_info)


def test_what_reaches_the_terminal():
    assert dutch_line(record(logging.WARNING, "Notebook %s is not trusted", "a.ipynb")) is None
    assert dutch_line(record(logging.INFO, "Kernel started: %s", "k")) is None
    assert dutch_line(record(logging.INFO, "Kernel %s hoort bij %s", "k", where="pestdata")) is None
    ours = record(logging.WARNING, "Kernel %s geweigerd voor %s", "k", "ib", where="pestdata")
    assert dutch_line(ours) == "Let op: Kernel k geweigerd voor ib"
    failed = record(logging.ERROR, "Exception in callback %r", "x", error=KeyError("school"))
    assert dutch_line(failed) == (
        "Fout in de server: KeyError: 'school' (details: pestdata serve --verbose)"
    )
    request = record(
        logging.ERROR, "Uncaught exception %s\n%r", "GET /voila/render/a.ipynb?token=geheim "
        "(127.0.0.1)", "request", where="tornado", error=ValueError("kapot"),
    )  # fmt: skip
    assert dutch_line(request) == (
        "Fout bij het verzoek GET /voila/render/a.ipynb: ValueError: kapot "
        "(details: pestdata serve --verbose)"
    )
    stopped = record(logging.ERROR, "Task exception was never retrieved", where="asyncio",
                     error=KeyboardInterrupt())  # fmt: skip
    assert dutch_line(stopped) is None  # the Ctrl+C itself: "Server stopt." said it
    assert dutch_line(record(logging.INFO, "Voilà is running at:\nhttp://x/"), 8866) == (
        "Server klaar op poort 8866."
    )


def test_kernel_output_kept_off_the_page():
    assert kernel_line("stream", {"name": "stderr", "text": "No such comm: 3b2d\n"}) is None
    warned = kernel_line("stream", {"name": "stderr", "text": "x.py:3: FutureWarning: weg\n"})
    assert warned.startswith("Let op: een dashboard schreef een melding (niet naar de browser)")
    assert warned.endswith("x.py:3: FutureWarning: weg (details: pestdata serve --verbose)")
    error = kernel_line("error", {"ename": "KeyError", "evalue": "'groep'", "traceback": []})
    assert error == (
        "Fout op een dashboard (niet naar de browser): KeyError: 'groep' "
        "(details: pestdata serve --verbose)"
    )
