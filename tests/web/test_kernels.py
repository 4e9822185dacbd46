"""A page's kernel belongs to the person who opened it (issue 21): real `pestdata serve`
processes with personal accounts, real websockets and HTTP, another OS account for the
sockets, and Chromium for the headers.

Each test is a probe that worked against the server before: a `nobody` subscriber read a
care-team page over TCP, a teacher's cookie opened, read and shut down a care-team kernel,
a disabled account's page kept writing, one account filled the memory with pages, and the
pages had no Content-Security-Policy worth the name. (The four dashboards working under that
policy in Chromium: test_terminal's care-team session, which opens them once for both.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import PASSWORD, Browser, basic, notebook, own_kernels
from servers import SMALL, start_server
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from pestdata.db.store import Store
from pestdata.people import accounts
from pestdata.people.person import Person, sign_person
from pestdata.school import school_names

PEOPLE = {"ib": "zorgteam", "mentor": "zorgteam", "juf": "leerkracht"}
# The care team's page, small: who the kernel believes, and a button that writes through
# save() (a school added to the list) as every page's writes do.
WRITER_CELL = """\
import ipywidgets as w
from pestdata.school import school_names
from pestdata.ui.common import Actor, kernel_store, save

store = kernel_store()
actor = Actor()
name = w.Text(value="", description="School")
box = w.HTML("")
box.add_class("pd-result")
button = w.Button(description="Opslaan")

def store_school(_):
    if save(lambda: school_names.add(store, name.value, actor.name), box):
        box.value = "opgeslagen"

button.on_click(store_school)
w.VBox([actor, name, button, box])
"""


def add_people(db: str) -> None:
    store = Store(db).ensure_schema()
    for name, role in PEOPLE.items():
        accounts.add(store, name, role, PASSWORD, actor="test")
    store.close()


def start(tmp_path_factory, name: str, *extra: str, preheat: int | None = None):
    folder = tmp_path_factory.mktemp(name)
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    notebook(notebooks, "meldingen", WRITER_CELL)
    process, base, db = start_server(
        folder, notebooks, *extra, token=None, incidents=SMALL, before=add_people, preheat=preheat
    )
    return process, base, db, folder / "serve.log"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, base, db, log = start(tmp_path_factory, "kernels")
    yield process, base, db, log
    process.terminate()
    process.wait(timeout=30)


def open_page(browser: Browser, path: str = "/voila/render/meldingen.ipynb") -> str:
    """Load a page as a browser does (the whole rendered HTML) and return its kernel id."""
    status, _, html = browser.get(path)
    assert status == 200, html[:500]
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', html).group(1)


def cookie(browser: Browser) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in browser.jar)


def channels(base: str, kernel_id: str, browser: Browser):
    """The kernel's websocket as the page opens it (same origin, the person's cookie)."""
    url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?session_id=t"
    headers = {**browser.headers, "Cookie": cookie(browser)}
    return connect(url, open_timeout=30, additional_headers=headers)


def call(browser: Browser, method: str, path: str) -> int:
    xsrf = next(c.value for c in browser.jar if c.name == "_xsrf")
    request = urllib.request.Request(
        browser.base + path, method=method, headers={**browser.headers, "X-XSRFToken": xsrf}
    )
    try:
        return browser.opener.open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def signed_in(base: str, name: str) -> Browser:
    browser = Browser(base)
    assert browser.login(name)[0] == 200
    return browser


def poll(check, seconds: float = 60):
    """Poll `check` until it returns something true or the deadline passes; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


# --- another OS account ----------------------------------------------------------------------

# Run by `nobody` with Debian's own python3 (pytest's venv may sit in a 0700 folder): tries
# every Unix socket path and TCP port the kernels listen on. A TCP port must at most be a
# ZMQ PULL socket, which takes messages in and never sends one out (ipykernel's pipe for
# subprocess output, which drops anything without its random 16-byte key).
AS_NOBODY = r"""
import json, socket, sys
found = {"opened": [], "refused": [], "tcp": {}}
paths, ports = json.loads(sys.argv[1])
for path in paths:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        found["opened"].append(path)
    except OSError as error:
        found["refused"].append(f"{path}: {error.strerror}")
    finally:
        s.close()
for port in ports:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\0") + b"\0" * 32)
    data = b""
    try:
        while len(data) < 64 + 40:
            part = s.recv(4096)
            if not part:
                break
            data += part
    except OSError:
        pass
    s.close()
    kind = data.split(b"Socket-Type", 1)[1][4:8] if b"Socket-Type" in data else b"?"
    found["tcp"][str(port)] = kind.decode("ascii", "replace")
print(json.dumps(found))
"""


def kernel_sockets(kernel_pids: set[int]) -> tuple[list[str], list[int]]:
    """The Unix socket paths and TCP ports the kernels listen on, as `ss` lists them."""
    paths, ports = [], []
    for flag, found in (("-xlpn", paths), ("-ltnp", ports)):
        for line in subprocess.run(["ss", flag], capture_output=True, text=True).stdout.split("\n"):
            pids = {int(p) for p in re.findall(r"pid=(\d+)", line)}
            if pids & kernel_pids:
                if flag == "-xlpn":  # Netid State Recv-Q Send-Q Path ...
                    found.append(line.split()[4])
                else:  # State Recv-Q Send-Q Address:Port ...
                    found.append(int(line.split()[3].rsplit(":", 1)[1]))
    return paths, ports


@pytest.mark.skipif(os.geteuid() != 0, reason="runuser -u nobody needs root (CI runs as root)")
def test_no_other_os_account_can_open_or_read_a_kernel_socket(server):
    process, base, _, log = server
    open_page(signed_in(base, "ib"))  # a care-team page with its kernel, beside the pool
    kernel_pids = set(poll(lambda: own_kernels(process.pid) or None).values())
    paths, ports = kernel_sockets(kernel_pids)
    assert paths, "the kernels listen on Unix sockets (the IPC transport)"
    answer = subprocess.run(
        ["runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", AS_NOBODY,
         json.dumps([paths, ports])],
        capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    found = json.loads(answer.stdout)
    assert found["opened"] == [] and len(found["refused"]) == len(paths)
    assert set(found["tcp"].values()) <= {"PULL"}, found["tcp"]  # nothing to read from
    assert "without encryption" not in log.read_text()


# --- another person with a valid login ---------------------------------------------------------


def test_a_kernel_answers_only_the_person_who_opened_the_page(server):
    process, base, _, _ = server
    ib, juf, mentor = (signed_in(base, name) for name in ("ib", "juf", "mentor"))
    kernel_id = open_page(ib)
    for other in (juf, mentor):  # a teacher, and a colleague of the same role
        with pytest.raises(InvalidStatus) as refused:
            channels(base, kernel_id, other)
        assert refused.value.response.status_code == 403
        assert call(other, "GET", f"/api/kernels/{kernel_id}") == 403
        assert call(other, "DELETE", f"/api/kernels/{kernel_id}") == 403
        assert call(other, "POST", f"/voila/api/shutdown/{kernel_id}") == 403
    assert kernel_id in own_kernels(process.pid)  # still there: nobody else shut it down
    with channels(base, kernel_id, ib) as socket:  # its own person gets in
        socket.send(json.dumps(kernel_info_request()))
        assert poll(lambda: "kernel_info_reply" in socket.recv(timeout=30), 30)
    # someone without a page reaches no kernel at all, those in the preheat pool included
    for any_kernel in own_kernels(process.pid):
        with pytest.raises(InvalidStatus):
            channels(base, any_kernel, mentor)


def kernel_info_request() -> dict:
    return {
        "header": {"msg_id": "info", "msg_type": "kernel_info_request", "session": "t",
                   "username": "", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell", "buffers": [],
    }  # fmt: skip


def test_through_the_schools_proxy_a_kernel_answers_only_its_person(behind_nginx):  # noqa: F811
    proxy, _, db = behind_nginx
    ib, directeur = Browser(proxy, basic("ib")), Browser(proxy, basic("directeur"))
    kernel_id = open_page(ib, "/voila/render/handelingsadvies.ipynb")
    directeur.get("/")  # a _xsrf cookie of its own
    with pytest.raises(InvalidStatus) as refused:
        channels(proxy, kernel_id, directeur)
    assert refused.value.response.status_code == 403
    assert call(directeur, "GET", f"/api/kernels/{kernel_id}") == 403
    assert call(directeur, "POST", f"/voila/api/shutdown/{kernel_id}") == 403
    with channels(proxy, kernel_id, ib) as socket:
        accounts.disable(Store(db), "ib", actor="beheerder")  # SSO: our account still counts
        assert poll(lambda: closed(socket), 30), "the page's websocket stays open"
    accounts.enable(Store(db), "ib", actor="beheerder")


# --- pages end with their person ---------------------------------------------------------------


def closed(socket) -> bool:
    try:
        socket.recv(timeout=1)
        return False
    except TimeoutError:
        return False
    except ConnectionClosed:
        return True


@pytest.mark.parametrize("change", ["disable", "reset", "logout"])
def test_logout_disable_or_reset_ends_the_persons_open_pages(server, change):
    process, base, db, _ = server
    name = f"weg-{change}"
    store = Store(db)
    accounts.add(store, name, "zorgteam", PASSWORD, actor="test")
    browser = signed_in(base, name)
    kernel_id = open_page(browser)
    with channels(base, kernel_id, browser) as socket:
        if change == "logout":
            assert browser.post("/logout", {"_xsrf": browser.xsrf()})[0] == 200
        else:
            command = ["users", change, name, "--by", "beheerder"]
            if change == "reset":
                command += ["--password-stdin"]
            subprocess.run(
                [sys.executable, "-m", "pestdata.cli", *command, "--db", db],
                input="een ander lang wachtwoord\n", capture_output=True, text=True, check=True,
            )  # fmt: skip
        assert poll(lambda: closed(socket), 30), "the page's websocket stays open"
    assert poll(lambda: kernel_id not in own_kernels(process.pid), 30), "its kernel lives on"


def test_a_page_whose_account_was_disabled_stores_nothing(tmp_path, monkeypatch):
    """The seconds between `users disable` and the server closing the page: the kernel
    itself checks before every write (ui.common.save)."""
    from pestdata.ui import common, preheat

    db = f"sqlite:///{tmp_path}/t.sqlite"
    store = Store(db).ensure_schema()
    person = Person("ib", "zorgteam", 1)
    accounts.add(store, "ib", "zorgteam", PASSWORD, actor="test")
    monkeypatch.setenv("PESTDATA_DB", db)
    monkeypatch.setenv(preheat.PREHEAT_KEY, "sleutel")
    monkeypatch.setenv(common.PERSON_VARIABLE, sign_person(person, "sleutel"))
    common.kernel_store.cache_clear()
    try:
        import ipywidgets as w

        box = w.HTML()
        assert common.save(lambda: school_names.add(store, "De Eerste", "ib"), box)
        accounts.disable(store, "ib", actor="beheerder")
        assert not common.save(lambda: school_names.add(store, "De Tweede", "ib"), box)
        assert "afgemeld" in box.value and "niets opgeslagen" in box.value
        assert "De Tweede" not in school_names.names(store)
    finally:
        common.kernel_store.cache_clear()


@pytest.mark.browser
def test_the_click_after_disable_stores_nothing_in_the_browser(server, browser):
    process, base, db, _ = server
    store = Store(db)
    accounts.add(store, "klikker", "zorgteam", PASSWORD, actor="test")
    page = browser.new_page()
    try:
        page.goto(base + "/login")
        page.fill("#naam", "klikker")
        page.fill("#wachtwoord", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/", timeout=60_000)
        page.goto(base + "/voila/render/meldingen.ipynb")
        page.get_by_role("textbox").fill("Na het blokkeren")
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', page.content()).group(1)
        accounts.disable(store, "klikker", actor="beheerder")
        page.get_by_role("button", name="Opslaan").click()
        # once the page's kernel is gone, nothing of the click can still arrive
        assert poll(lambda: kernel_id not in own_kernels(process.pid), 30)
    finally:
        page.close()
    assert "Na het blokkeren" not in school_names.names(store)


# --- limits ------------------------------------------------------------------------------------


def test_a_person_keeps_at_most_six_pages_and_the_oldest_closes(server):
    process, base, _, _ = server
    browser = signed_in(base, "mentor")
    opened = [open_page(browser) for _ in range(7)]
    gone = poll(lambda: opened[0] not in own_kernels(process.pid))
    assert gone, "the least recently used page closes for the seventh"
    assert set(opened[1:]) <= set(own_kernels(process.pid))


def test_a_full_server_says_so_in_dutch(tmp_path_factory):
    process, base, _, _ = start(tmp_path_factory, "full", "--max-pages", "2", preheat=0)
    try:
        open_page(signed_in(base, "ib"))
        open_page(signed_in(base, "mentor"))
        status, _, html = signed_in(base, "ib").get("/voila/render/meldingen.ipynb")
        assert status == 503 and "De server is vol" in html and 'lang="nl"' in html
        assert len(own_kernels(process.pid)) == 2
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- headers ----------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(server):
    _, base, _, _ = server
    browser = signed_in(base, "ib")
    static = "/voila/templates/pestdata/static/plotly-LICENSE.txt"
    for path in ("/login", "/", "/voila/render/meldingen.ipynb", "/nergens", static, "/api/x"):
        request = urllib.request.Request(base + path, headers={"Cookie": cookie(browser)})
        try:
            headers = urllib.request.urlopen(request, timeout=120).headers
        except urllib.error.HTTPError as error:
            headers = error.headers
        policy = headers["Content-Security-Policy"] or ""
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "object-src 'none'" in policy and "'unsafe-eval'" not in policy, path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Server"] == "pestdata", path


def test_the_kernel_connection_folder_is_private(server):
    process, _, _, _ = server
    kernel_id, pid = next(iter(poll(lambda: own_kernels(process.pid) or None).items()))
    sockets = [Path(path) for path in poll(lambda: kernel_sockets({pid})[0] or [])]
    assert sockets, "the kernel listens on Unix sockets (the IPC transport)"
    connection = sockets[0].parent / f"kernel-{kernel_id}.json"  # beside its sockets
    assert connection.parent.stat().st_mode & 0o777 == 0o700
    assert json.loads(connection.read_text())["transport"] == "ipc"
