"""What the browser tests and the benchmarks share: Debian's Chromium and how to launch it,
free ports, and a live `pestdata serve` on a temp SQLite file.

bench/ imports this file (it puts tests/ on sys.path), so a test and a benchmark drive the
same browser the same way."""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from functools import cache, partial
from pathlib import Path

from pestdata.core import clock

TOKEN = "browser-test-token"
# The demo sizes of test servers: each is made once per run by `pestdata demo` (a subprocess
# of seconds) and then copied, so every other size a test asked for cost a demo of its own.
SMALL, MEDIUM, LARGE = 40, 300, 3000
CHROMIUM = "/usr/bin/chromium"  # Debian's: a browser download does not work here
# Without the networking flags Chromium calls out to Google's servers at every start, and a
# closed network refuses many connections at once (docs/VOILA-NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_launch_args() -> dict:
    """Keyword arguments for Playwright's `chromium.launch`."""
    return {"executable_path": CHROMIUM, "headless": True, "args": list(CHROMIUM_ARGS)}


def browser_profile(playwright, folder, **context_args):
    """Chromium with a profile on disk in `folder`, as a school's browser keeps one: its HTTP
    cache and V8's code cache stay warm from page to page. An incognito context (Playwright's
    `new_context`) keeps no code cache, so each page compiled Voilà's and plotly's 5 MB of
    JavaScript again: 3.0 against 1.5 s of Chromium CPU a page (docs/VOILA-NOTES.md). The code
    cache is used from a script's third load on."""
    return playwright.chromium.launch_persistent_context(
        folder, **chromium_launch_args(), **context_args
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children() -> dict[int, list[int]]:
    """Every process's children, read from /proc."""
    found: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(proc.name))
    return found


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    below = children()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(below.get(current, []))
    return found


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    """Poll until something listens on the port; fail when the server stopped or the
    deadline passed (a busy machine starts Voilà slowly: polls, never one long sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pestdata serve stopped with code {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"port {port} did not answer within {seconds} s")


def _run_demo(path: Path, incidents: int) -> None:
    """`pestdata demo` (`init` for 0 reports) into the SQLite file at `path`, as a school
    runs it."""
    db = f"sqlite:///{path}"
    demo = ["demo", "--db", db, "--incidents", str(incidents), "--add"]
    subprocess.run(
        [sys.executable, "-m", "pestdata.cli", *(demo if incidents else ["init", "--db", db])],
        check=True,
        capture_output=True,
    )


SHARED_FOLDER = "PESTDATA_TEST_SHARED"  # set by conftest.py for a run and all its workers


@cache
def _own_folder() -> Path:
    """Outside a test run (the benchmarks): this process's own folder for `made_once`."""
    folder = Path(tempfile.mkdtemp(prefix="pestdata-made-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def made_once(key: tuple, build) -> Path:
    """The file made by `build(path)` for `key`, made once per test run: the test processes
    (pytest-xdist workers) share it, the first to ask makes it while the others wait. A demo
    database takes seconds to make and milliseconds to copy; each worker made its own (15
    demos a run, 19 s of CPU)."""
    folder = os.environ.get(SHARED_FOLDER) or _own_folder()
    own = Path(folder) / hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    own.mkdir(exist_ok=True)
    path, done = own / "made.sqlite", own / "done"  # a SQLite file is not renamed (its WAL)
    with open(own / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # also between threads: each opens its own
        if not done.exists():
            for left in own.glob("made.sqlite*"):  # a build that failed half-way
                left.unlink()
            build(path)
            done.touch()
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database whole with SQLite's own backup (whatever its WAL still holds)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def demo_database(path: Path, incidents: int) -> None:
    """Put the demo database of this size at `path`: made once per run by `pestdata demo`
    (a subprocess: seconds, `made_once`), then copied (milliseconds). The demo depends on
    the day and on PESTDATA_* settings (time zone, guidance folder), so those are part of
    the key. A file already at `path` gets the demo reports added, as before."""
    if path.exists():
        _run_demo(path, incidents)
        return
    settings = sorted(  # not the run's own (each worker has its own PESTDATA_DB)
        (k, v)
        for k, v in os.environ.items()
        if k.startswith("PESTDATA_") and k not in (SHARED_FOLDER, "PESTDATA_DB")
    )
    made = made_once(
        ("demo", incidents, clock.today(), tuple(settings)), partial(_run_demo, incidents=incidents)
    )
    copy_sqlite(made, path)
    shutil.copymode(made, path)  # owner only, as the command makes it


@contextmanager
def serving(folder, notebooks=None, *extra: str, **options):
    """`start_server` for the length of a `with` block: (process, base URL, db URL), and the
    server stopped when the block ends, also when it ends in a failure."""
    process, base, db = start_server(folder, notebooks, *extra, **options)
    try:
        yield process, base, db
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server process as a service manager does (SIGTERM); kill it if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
        raise


def start_server(
    folder,
    notebooks=None,
    *extra: str,
    token: str | None = TOKEN,
    incidents=LARGE,
    before=None,
    verbose=True,
    preheat: int | None = 0,
):
    """`pestdata serve` on a SQLite file in `folder`; returns (process, base URL, db URL).

    The database gets `incidents` demo reports (added to whatever is there already; 0: an
    empty database, as on a first install);
    `before(db_url)` runs after that, before the server starts (e.g. to add accounts).
    `preheat` 0 (the default here): no waiting kernels, each page starts its own. A pool that
    no test takes from costs a kernel per dashboard and one more for each page taken (measured:
    191 kernels in one run of the suite), CPU every other test waits for. None keeps the
    server's own default (a waiting kernel per dashboard), for the tests of that pool.
    With token None the server uses personal accounts; a token goes in PESTDATA_TOKEN,
    as a school would give it (never on the command line, where `ps` shows it).
    Its stdout and stderr go to `folder`/serve.log: Jupyter's whole log (`--verbose`), which
    tests read; verbose False: only the Dutch lines a school's terminal shows.
    """
    db = f"sqlite:///{folder}/pestdata.sqlite"
    demo_database(Path(folder) / "pestdata.sqlite", incidents)
    if before:
        before(db)
    port = free_port()
    log = open(folder / "serve.log", "w")
    command = [
        sys.executable,
        "-m",
        "pestdata.cli",
        "serve",
        "--db",
        db,
        "--port",
        str(port),
    ]
    if notebooks:
        command += ["--notebooks", str(notebooks)]
    command += list(extra) + (["--verbose"] if verbose else [])
    if preheat is not None:
        command += ["--preheat", str(preheat)]
    env = {k: v for k, v in os.environ.items() if k != "PESTDATA_TOKEN"}
    if token:  # None: personal accounts
        env["PESTDATA_TOKEN"] = token
    with log:  # the server has its own copy of the file
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(
                f"{base}/?token={token}" if token else f"{base}/login", timeout=2
            )
            break
        except urllib.error.HTTPError:
            break  # the server answers
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError((folder / "serve.log").read_text()) from None
            time.sleep(0.3)
    return process, base, db
