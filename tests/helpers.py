"""Small helpers more than one test file needs (issue 24: one place for them).

Test files import from here, never from each other; fixtures that several files use live in
conftest.py instead, so nobody imports them by name."""

from __future__ import annotations

import base64
import csv
import http.cookiejar
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from servers import children, copy_sqlite, made_once

import pestdata
from pestdata.core.model import validate_incident, validate_step
from pestdata.db.store import Store
from pestdata.db.tables import audit, incidents
from pestdata.incidents import incident_log, lookup
from pestdata.people import accounts
from pestdata.school import demo

# --- stored cases ----------------------------------------------------------------------------


def demo_store(folder: Path, count: int, today: date, seed: int = 5) -> Store:
    """A Store in `folder` with `count` demo incidents (`seed`, reported up to `today`). Each
    such database is made once per test run (about a second per thousand;
    servers.made_once) and copied for each test (milliseconds)."""

    def make(path: Path) -> None:
        store = Store(f"sqlite:///{path}").ensure_schema()
        incident_log.add_incidents(
            store, demo.generate(count, seed=seed, today=today), actor="demo"
        )
        store.close()

    made = made_once(("demo_store", count, seed, today), make)
    copy_sqlite(made, folder / "demo.sqlite")
    return Store(f"sqlite:///{folder}/demo.sqlite").ensure_schema()


def incidents_by_target(store: Store) -> dict[str, dict]:
    """Every stored case, keyed by its first target pupil number."""
    with store.reading() as conn:
        ids = conn.execute(sa.select(incidents.c.id)).scalars().all()
    found = {}
    for incident_id in ids:
        incident = lookup.get_incident(store, incident_id)
        target = next(p["pupil_number"] for p in incident["pupils"] if p["role"] == "target")
        found[target] = incident
    return found


def add_incident(store: Store, day: date, pupils, text: str, note: str = "") -> None:
    """One case of these (pupil number, role) pairs with one step, free text where an
    inzage file or the names check must look: the description and the step's note."""
    incident = validate_incident(
        {
            "school": "De Regenboog",
            "reported_on": day,
            "reporter": "parent",
            "pupils": [{"pupil_number": n, "role": r} for n, r in pupils],
            "group": "groep 7",
            "platforms": ["whatsapp"],
            "forms": ["gossip"],
            "severity": "medium",
            "handler": "mevr. De Jong",
            "description": text,
        }
    )
    steps = [validate_step({"step_id": "steun", "done_on": day, "done_by": "ib", "note": note})]
    incident_log.add_incidents(store, [(incident, steps)], actor="mevr. De Jong")


def six_reports(tmp_path) -> Store:
    """The issue's probe: 5 reports in October, the sixth on 12 November."""
    from conftest import valid_incident_data  # here, not above: conftest imports this module

    store = Store(f"sqlite:///{tmp_path}/zes.sqlite").ensure_schema()
    for day in (*(date(2025, 10, d) for d in (1, 2, 3, 6, 7)), date(2025, 11, 12)):
        incident = validate_incident(valid_incident_data(reported_on=day, happened_on=None))
        incident_log.add_incident(store, incident, actor="t")
    return store


def audit_count(store: Store) -> int:
    """How many audit rows there are: a read that is audited adds one."""
    with store.reading() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit)).scalar_one()


# --- register files and the command line -------------------------------------------------------

HEADER = [
    "Datum melding",
    "School",
    "Gemeld door",
    "Leerlingnummer",
    "Groep",
    "Platform",
    "Vorm",
    "Ernst",
    "Behandelaar",
    "Beschrijving",
]


def row(n: int, **changes: str) -> dict[str, str]:
    """A valid row in Dutch words; pupil number 40000n makes each row its own report."""
    values = {
        "Datum melding": "23-11-2025",
        "School": "De Regenboog",
        "Gemeld door": "Ouder",
        "Leerlingnummer": str(400000 + n),
        "Groep": "groep 7",
        "Platform": "WhatsApp",
        "Vorm": "Roddelen",
        "Ernst": "Middel",
        "Behandelaar": "Mw. Jansen",
        "Beschrijving": f"Melding {n}",
    }
    values.update(changes)
    return values


def csv_bytes(
    rows: list[dict[str, str]],
    header: list[str] = HEADER,
    *,
    sep: str = ";",
    encoding: str = "cp1252",
    bom: bool = False,
) -> bytes:
    """What Dutch Excel writes by default (cp1252, ';', CRLF, '"' only where needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "") for column in header])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    """A file in exactly these bytes, as the program that made it wrote them."""
    path = tmp_path / name
    path.write_bytes(content)
    return path


@dataclass
class Ran:
    """What a finished command left: as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, env: dict | None = None) -> Ran:
    """`pestdata ARGS` run in this process by click's CliRunner: the same command, exit status
    and Dutch output as in a terminal, without starting Python again (~2 s a command).

    A crash is raised here, never hidden in the result (a terminal would show a traceback).
    The command sets an owner-only umask; the test process gets its own back. Tests of the
    process itself (umask, signals, output encoding) use `cli_process`."""
    from click.testing import CliRunner

    from pestdata.cli.main import main

    umask = os.umask(0o077)
    os.umask(umask)
    try:
        result = CliRunner().invoke(main, list(args), env=env, prog_name="pestdata")
    finally:
        os.umask(umask)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def cli_process(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`pestdata` as a school runs it: its own process, its exit status and Dutch output."""
    return subprocess.run(
        [sys.executable, "-m", "pestdata.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=120,
    )


# --- printed documents -----------------------------------------------------------------------


def pdf_text(tmp_path, data: bytes, name: str, mode: str = "-raw") -> str:
    """The PDF's text as pdftotext reads it: what a reader of the file gets, not our input."""
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext ontbreekt: installeer het Debian-pakket poppler-utils")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", mode, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def without_database(store: Store, monkeypatch) -> Path:
    """The store's SQLite file closed and removed, and the default database out of reach:
    whatever runs now can read nothing. The file returned must stay gone."""
    path = Path(sa.engine.make_url(store.url).database)
    store.close()
    for leftover in path.parent.glob(f"{path.name}*"):  # with its -wal and -shm
        leftover.unlink()
    monkeypatch.setenv("PESTDATA_DB", f"sqlite:///{path.parent}/absent/nowhere.sqlite")
    return path


# --- pestdata's own exceptions -----------------------------------------------------------------


def every_module() -> list[str]:
    """Every module of pestdata, from its files (the migrations run only inside Alembic)."""
    root = Path(pestdata.__file__).parent
    names = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] != "__main__" and "migrations" not in parts:
            names.add(".".join(("pestdata", *parts)).removesuffix(".__init__"))
    return sorted(names)


def subclasses(cls: type) -> set[type]:
    """Every class below `cls`, however deep."""
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *subclasses(sub)}
    return found


def our_exceptions() -> list[type]:
    """Every exception class a pestdata module defines, once every module is imported, so a
    new one cannot be forgotten."""
    for name in every_module():
        importlib.import_module(name)
    ours = {c for c in subclasses(BaseException) if c.__module__.startswith("pestdata.")}
    return sorted(ours, key=lambda c: f"{c.__module__}.{c.__qualname__}")


# --- accounts and signing in without a browser -------------------------------------------------

PASSWORD = "een lang wachtwoord"
# One account of each role; the sign-in tests and the server behind nginx have them.
PEOPLE = {
    "ib": "zorgteam",
    "directeur": "leiding",
    "juf": "leerkracht",
    "ouderavond": "presentator",
}
# What nginx sends along with every request, so pestdata believes its name header.
PROXY_KEY = "sleutel-van-de-proxy-0123456789"


def add_people(db: str) -> None:
    """PEOPLE's accounts, all with PASSWORD, before the server starts."""
    store = Store(db).ensure_schema()
    for name, role in PEOPLE.items():
        accounts.add(store, name, role, PASSWORD, actor="test")
    store.close()


class Browser:
    """Cookies and forms the way a browser keeps them (urllib, no JavaScript); `headers` go
    with every request (e.g. what the school's proxy adds)."""

    def __init__(self, base: str, headers: dict | None = None):
        self.base = base
        self.headers = headers or {}
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, **headers) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, headers={**self.headers, **headers})
        try:
            response = self.opener.open(request, timeout=120)
            return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def xsrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "_xsrf")

    def post(self, path: str, form: dict, **headers) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(form).encode(),
            headers={**self.headers, **headers},
        )  # fmt: skip
        try:
            response = self.opener.open(request, timeout=60)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, name: str, password: str = PASSWORD, code: str = "") -> tuple[int, str]:
        self.get("/login")
        form = {"naam": name, "wachtwoord": password, "code": code, "_xsrf": self.xsrf()}
        return self.post("/login", {**form, "next": "/"})


def basic(name: str) -> dict:
    """The basic-auth header nginx asks for, with PASSWORD."""
    token = base64.b64encode(f"{name}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


# --- live servers and their kernels ------------------------------------------------------------


def notebook(folder: Path, name: str, source: str) -> None:
    """A one-cell notebook a test serves, to see what a kernel learns or does."""
    cell = {"cell_type": "code", "execution_count": None, "id": "probe", "metadata": {},
            "outputs": [], "source": source}  # fmt: skip
    document = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3",
                "display_name": "Python 3", "language": "python"}}, "nbformat": 4,
                "nbformat_minor": 5}  # fmt: skip
    (folder / f"{name}.ipynb").write_text(json.dumps(document), encoding="utf-8")


def own_kernels(server_pid: int) -> dict[str, int]:
    """Kernel ids of a server's kernels (and their process ids), read from /proc: the
    server's children and its fork process's (web/kernel_forks.py). A started kernel names
    its connection file in its command line; a forked one has the fork process's command
    line, and is known by the Unix sockets it listens on (kernel-<id>-ipc-<n>)."""
    below = children()
    candidates = [
        pid for child in below.get(server_pid, []) for pid in [child, *below.get(child, [])]
    ]
    sockets = _unix_socket_paths()
    ids = {}
    for pid in candidates:
        try:
            text = Path(f"/proc/{pid}/cmdline").read_bytes()
            found = re.search(rb"kernel-([0-9a-f-]{36})\.json", text) or _listening_kernel(
                pid, sockets
            )
        except OSError:
            continue
        if found:
            ids[found.group(1).decode()] = pid
    return ids


def _unix_socket_paths() -> dict[str, bytes]:
    """Inode → path of every bound Unix socket (/proc/net/unix)."""
    paths = {}
    for line in Path("/proc/net/unix").read_bytes().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8:
            paths[fields[6].decode()] = fields[7]
    return paths


def _listening_kernel(pid: int, sockets: dict[str, bytes]):
    path = kernel_socket(pid, sockets)
    return re.search(rb"kernel-([0-9a-f-]{36})", path) if path else None


def kernel_socket(pid: int, sockets: dict[str, bytes] | None = None) -> bytes | None:
    """The path of a kernel-<id>-ipc-<n> Unix socket this process holds, if any: a kernel's
    connection file kernel-<id>.json lies beside it."""
    sockets = _unix_socket_paths() if sockets is None else sockets
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and b"kernel-" in sockets.get(target[8:-1], b""):
            return sockets[target[8:-1]]
    return None


def kernel_of(html: str) -> str:
    """The kernel id a rendered page carries: what its websocket connects to."""
    found = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"', html) or re.search(
        r"kernel[_-]?[iI]d[\"'=:\s]+([0-9a-f-]{36})", html
    )
    assert found, "no kernel id in the page"
    return found.group(1)


def loaded_by(modules: list[str], watched: list[str]) -> list[str]:
    """Which of `watched` a fresh Python has loaded after importing `modules`: what a page's
    kernel or a page state pulls in, also through what it imports."""
    code = (
        f"import json, sys\nimport {', '.join(modules)}\n"
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- Chromium --------------------------------------------------------------------------------

TIMEOUT = 60_000  # ms: how long a browser test waits for the page before it fails
CHARTS = (
    ".pd-chart-trend",
    ".pd-chart-age",
    ".pd-chart-steps",
    ".pd-chart-steps-quarter",
)  # the overview's
# Who signs in in the browser tests, one of each role; the care team's is m.devries.
BROWSER_PEOPLE = {"m.devries": "zorgteam", "directeur": "leiding", "juf": "leerkracht",
                  "spreker": "presentator"}  # fmt: skip


@contextmanager
def shared_page(browser, context_args: dict, url: str, *ready: str):
    """One page, loaded once, for the tests of a file that only read it or leave it as the next
    one expects (a module-scoped fixture): every page load costs a kernel and Chromium's
    rendering. It has a browser context of its own; about:blank at the end lets Voilà shut
    its kernel down."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(url)
    for selector in ready:
        page.wait_for_selector(selector, timeout=TIMEOUT)
    yield page
    page.goto("about:blank")
    context.close()


def add_browser_people(db: str) -> None:
    """BROWSER_PEOPLE's accounts, all with PASSWORD, before the server starts."""
    store = Store(db).ensure_schema()
    for name, role in BROWSER_PEOPLE.items():
        accounts.add(store, name, role, PASSWORD, actor="test")
    store.close()


def sign_in(page: Page, base: str, name: str) -> None:
    """Through the Dutch login page, as a person does; back on the start page, signed in."""
    page.goto(f"{base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Naam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("body")).to_contain_text(f"Aangemeld als {name}", timeout=TIMEOUT)


def fill_report(
    page: Page, description: str, pupil: str = "123456", school: str = "De Regenboog"
) -> None:
    """The report form filled in as the care team does; saving is up to the test."""
    page.locator(".pd-school-choice select").select_option(school)  # none is preselected
    page.locator(".pd-field-reporter").get_by_label("Leerling", exact=True).check()
    page.locator(".pd-field-group select").select_option(label="klas 2")
    page.locator(".pd-pupil-number input").first.fill(pupil)
    page.locator(".pd-platform", has_text="WhatsApp").locator("input").check()
    page.locator(".pd-form", has_text="Bedreiging").locator("input").check()
    page.locator(".pd-field-description textarea").fill(description)


def saved_id(page: Page) -> int:
    """The number of the report just saved, from the page's Dutch answer."""
    result = page.locator(".pd-result")
    expect(result).to_contain_text("opgeslagen", timeout=TIMEOUT)
    return int(re.search(r"#(\d+)", result.inner_text()).group(1))


def open_incident(page: Page, incident_id: int) -> None:
    """The case opened from the Meldingen tab, whatever its status."""
    page.get_by_role("tab", name="Meldingen").click()
    page.locator(".pd-filter-status select").select_option(label="Alle")
    select = page.locator(".pd-case-select select")
    expect(select.locator("option", has_text=f"#{incident_id} ")).to_have_count(1, timeout=TIMEOUT)
    select.select_option(label=select.locator("option", has_text=f"#{incident_id} ").inner_text())
    expect(page.locator(".pd-case-details")).to_contain_text(
        f"Melding #{incident_id}", timeout=TIMEOUT
    )


# axe-core, from npm: scripts/test-setup.sh puts it in ~/.cache/pestdata/axe.
AXE = (
    Path(os.environ.get("PESTDATA_AXE_DIR", Path.home() / ".cache" / "pestdata" / "axe"))
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG findings on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async rules => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: rules}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => `${v.id}: ${v.nodes.map(n => n.html.slice(0, 120)).join(' | ')}`);
        }""",
        RULES,
    )
    return found
