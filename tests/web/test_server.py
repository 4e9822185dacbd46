"""The server against an attacker on the same machine and a curious token holder: real
`pestdata serve` processes, real websockets and HTTP requests, no browser.

Each test is a probe that succeeded against plain Voilà 0.5 (issue 13): the preheat channel
handed the next visitor's token to anyone, kernel tracebacks reached the client, the token
stood in the log, a foreign Host was served, the cookie lasted 30 days without SameSite,
/logout answered 500, /login could be tried without limit, an open page kept its kernel
forever.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from helpers import kernel_of, notebook, own_kernels
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from servers import SMALL, TOKEN, free_port, serving, wait_for_port
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from pestdata.web.handlers import without_secrets
from pestdata.web.serve import voila_command, voila_env
from pestdata.web.server import settle_kernels

# A page that shows what the kernel learnt from the request, and two widgets to abuse.
PROBE_CELL = """\
import os
import ipywidgets as w
from IPython.display import HTML, display
from pestdata.ui.preheat import wait_for_page

wait_for_page()
display(HTML("<p id=query>query=" + os.environ.get("QUERY_STRING", "") + "</p>"))
w.VBox([w.IntSlider(value=3, description="getal"), w.HTML("tekst")])
"""
HOST_NAME = "pestdata.school.test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    notebook(notebooks, "probe", PROBE_CELL)
    # preheat None: the server's own pool of one waiting kernel, whose preheat channel is tested
    options = {"incidents": SMALL, "preheat": None}
    with serving(folder, notebooks, "--host-name", HOST_NAME, **options) as (process, base, _):
        yield process, base, folder / "serve.log"


def wait_for_kernels(server_pid: int, count: int, seconds: float = 90) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ids = own_kernels(server_pid)
        if len(ids) >= count:
            return ids
        time.sleep(0.3)
    raise AssertionError(f"fewer than {count} kernels after {seconds} s: {ids}")


def refused(url: str, headers: dict | None = None) -> bool:
    """True when the websocket is refused; False when it opens (and whatever it heard is
    printed, so a failing test shows what leaked)."""
    try:
        with connect(url, open_timeout=10, additional_headers=headers or {}) as socket:
            try:
                print("heard:", socket.recv(timeout=3))
            except TimeoutError:
                pass
            return False
    except InvalidStatus as error:
        return error.response.status_code == 403


def preheat_key(kernel_pid: int) -> str:
    """The preheat key from a kernel's environment: readable by the server's owner only."""
    environ = Path(f"/proc/{kernel_pid}/environ").read_bytes().split(b"\0")
    return next(v.split(b"=", 1)[1].decode() for v in environ if v.startswith(b"PESTDATA_PRE"))


def get(base: str, path: str, **headers) -> tuple[int, dict, str]:
    parsed = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.headers, response.read().decode("utf-8", "replace")


def test_the_preheat_channel_refuses_everyone_but_the_kernel(server):
    process, base, _ = server
    port = urllib.parse.urlparse(base).port
    waiting = wait_for_kernels(process.pid, 1)
    for kernel_id in waiting:
        query = f"ws://127.0.0.1:{port}/voila/query/{kernel_id}"
        assert refused(query), "an unauthenticated listener got onto the preheat channel"
        assert refused(query, {"X-Pestdata-Preheat": "guessed"})
    assert refused(f"ws://127.0.0.1:{port}/voila/query/{uuid.uuid4()}")

    # The kernel still hears its page: the visit renders, with the request but no token.
    status, _, html = get(base, f"/voila/render/probe.ipynb?token={TOKEN}&klas=7")
    assert status == 200
    shown = re.search(r"query=([^<]*)<", html)
    assert shown and "klas=7" in shown.group(1)
    assert TOKEN not in shown.group(1)

    # Even with the key, a kernel's channel opens once: the kernel already used it.
    for kernel_id, pid in waiting.items():
        key = preheat_key(pid)
        url = f"ws://127.0.0.1:{port}/voila/query/{kernel_id}"
        assert refused(url, {"X-Pestdata-Preheat": key})


def test_the_token_is_taken_out_of_the_request_info():
    assert without_secrets("token=abc&klas=7") == "klas=7"
    assert without_secrets("klas=7&TOKEN=x") == "klas=7&TOKEN=x"  # only our parameter name
    assert without_secrets("") == ""


def shell_message(session: str, msg_type: str, content: dict) -> dict:
    header = {"msg_id": uuid.uuid4().hex, "username": "aanvaller", "session": session,
              "msg_type": msg_type, "version": "5.3",
              "date": datetime.now(UTC).isoformat()}  # fmt: skip
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": []}  # fmt: skip


def test_no_traceback_reaches_the_client(server):
    process, base, log = server
    port = urllib.parse.urlparse(base).port
    status, _, html = get(base, f"/voila/render/probe.ipynb?token={TOKEN}")
    assert status == 200
    kernel_id = kernel_of(html)
    models = set(re.findall(r'"model_id"\s*:\s*"([0-9a-f]{32})"', html))
    assert models, "no widget in the page"
    session = uuid.uuid4().hex
    sent = [
        shell_message(session, "comm_msg", {"comm_id": model, "data": {"method": "update",
                      "state": {"value": ["geen", "getal"]}, "buffer_paths": []}})
        for model in models
    ]  # fmt: skip
    sent.append(
        shell_message(session, "comm_open", {"comm_id": uuid.uuid4().hex,
                      "target_name": "bestaat.niet", "data": {}})
    )  # fmt: skip
    ours = {m["header"]["msg_id"] for m in sent}
    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={session}"
    received = []
    with connect(url, additional_headers={"Authorization": f"token {TOKEN}"}) as socket:
        for message in sent:
            socket.send(json.dumps(message))
        done, deadline = set(), time.monotonic() + 60
        while done != ours and time.monotonic() < deadline:
            try:
                message = json.loads(socket.recv(timeout=1))
            except TimeoutError:
                continue  # not yet
            received.append(message)
            parent = message.get("parent_header", {}).get("msg_id")
            if message["header"]["msg_type"] == "status" and parent in ours:
                if message["content"]["execution_state"] == "idle":
                    done.add(parent)
    assert done == ours, "the kernel did not finish our messages"
    leaked = [m for m in received if m["header"]["msg_type"] in ("error", "stream")]
    assert leaked == []
    assert "Traceback" not in json.dumps(received)
    assert "TraitError" not in json.dumps(received)
    deadline = time.monotonic() + 30
    while "niet naar de browser" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.3)  # the server log got it instead
    assert "niet naar de browser" in log.read_text()


def test_the_token_is_not_in_the_log_of_a_failed_request(server):
    _, base, log = server
    status, _, _ = get(base, f"/voila/render/bestaat-niet.ipynb?token={TOKEN}")
    assert status == 404
    deadline = time.monotonic() + 30
    while "bestaat-niet" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.3)
    lines = [line for line in log.read_text().splitlines() if "bestaat-niet" in line]
    assert lines
    assert not [line for line in lines if TOKEN in line]


def test_a_foreign_host_is_refused(server):
    _, base, _ = server
    port = urllib.parse.urlparse(base).port
    path = f"/voila/render/probe.ipynb?token={TOKEN}"
    assert get(base, path, Host=f"aanvaller.example:{port}")[0] == 403
    assert get(base, path, Host=f"127.0.0.1:{port}")[0] == 200
    assert get(base, path, Host=f"{HOST_NAME}:{port}")[0] == 200  # named with --host-name


def test_the_login_cookie_is_samesite_and_lasts_a_school_day(server):
    _, base, _ = server
    status, headers, _ = get(base, f"/?token={TOKEN}")
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("username-"))
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    expires = parsedate_to_datetime(re.search(r"expires=([^;]+)", cookie).group(1))
    hours = (expires - datetime.now(UTC)).total_seconds() / 3600
    assert 8 <= hours <= 12


def test_logout_answers_in_dutch_and_clears_the_cookie(server):
    """GET asks, in Dutch, with a button; only its POST (with _xsrf) signs out (issue 21)."""
    _, base, _ = server
    status, headers, body = get(base, "/logout")
    assert status == 200
    assert "Wil je afmelden?" in body and 'lang="nl"' in body and "method='post'" in body
    xsrf = next(c for c in headers.get_all("Set-Cookie") if c.startswith("_xsrf="))
    xsrf = xsrf.split(";")[0].removeprefix("_xsrf=")
    assert not any('=""' in c for c in headers.get_all("Set-Cookie"))
    parsed = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    connection.request("POST", "/logout", body=urllib.parse.urlencode({"_xsrf": xsrf}),
                       headers={"Cookie": f"_xsrf={xsrf}",
                                "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    response = connection.getresponse()
    body = response.read().decode()
    assert response.status == 200 and "afgemeld" in body and 'lang="nl"' in body
    assert any('=""' in c for c in response.headers.get_all("Set-Cookie"))


def test_login_attempts_are_rate_limited(server):
    _, base, _ = server
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(f"{base}/login", timeout=30).read()
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    xsrf = next(c.value for c in jar.cookiejar if c.name == "_xsrf")
    statuses = []
    for attempt in range(22):
        form = urllib.parse.urlencode({"password": f"fout-{attempt}", "_xsrf": xsrf}).encode()
        try:
            statuses.append(opener.open(f"{base}/login", data=form, timeout=30).status)
            body = ""
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            body = error.read().decode()
    assert 429 not in statuses[:20]
    assert statuses[-1] == 429
    assert "Wacht vijf minuten" in body


@contextmanager
def probe_server(tmp_path, *flags: str):
    """Our Voilà serving the probe notebook with extra `flags`: (process, port); stopped
    when the block ends."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook(notebooks, "probe", PROBE_CELL)
    port = free_port()
    command = voila_command(notebooks, port, TOKEN, preheat=0, verbose=True) + list(flags)
    env = voila_env(f"sqlite:///{tmp_path}/p.sqlite", "zorgteam", token=TOKEN)
    with open(tmp_path / "serve.log", "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def open_probe(port: int) -> tuple[str, str]:
    """Request the probe page: its kernel id, and the address of that kernel's websocket."""
    _, _, html = get(f"http://127.0.0.1:{port}", f"/voila/render/probe.ipynb?token={TOKEN}")
    kernel_id = kernel_of(html)
    return kernel_id, f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels"


def gone_within(kernel_id: str, server_pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while kernel_id in own_kernels(server_pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    return kernel_id not in own_kernels(server_pid)


def test_a_page_left_open_loses_its_kernel(tmp_path):
    """A page whose socket stays open but that nobody uses: its kernel goes after the limit
    (here 4 seconds instead of two hours); a page in use keeps it."""
    flags = (
        f"--PestdataVoila.open_page_idle_hours={4 / 3600}",
        "--PestdataVoila.idle_check_seconds=1",
    )
    with probe_server(tmp_path, *flags) as (process, port):
        kernel_id, url = open_probe(port)
        with connect(url, additional_headers={"Authorization": f"token {TOKEN}"}):
            assert gone_within(kernel_id, process.pid, 60)  # the socket open all the while
        assert "ongebruikt, afgesloten" in (tmp_path / "serve.log").read_text()


def test_a_closed_page_loses_its_kernel_within_seconds_not_minutes(tmp_path):
    """The page's websocket closes (its visitor left) and stays closed: the kernel goes
    after closed_page_seconds (here 2; the culler's 5 minutes are not waited for). While
    the socket is open, past those seconds, the kernel stays."""
    with probe_server(tmp_path, "--PestdataVoila.closed_page_seconds=2") as (process, port):
        kernel_id, url = open_probe(port)
        with connect(url, additional_headers={"Authorization": f"token {TOKEN}"}):
            time.sleep(4)  # open for longer than the 2 seconds
            assert kernel_id in own_kernels(process.pid)
        assert gone_within(kernel_id, process.pid, 60)  # the culler would take 300 s


def test_a_stop_right_after_a_closed_page_ended_finishes_that_shutdown(tmp_path):
    """The server is stopped the moment a closed page's kernel has died, while Jupyter is
    still finishing its shutdown. settle_kernels waited for that on another event loop,
    which never ran it: every such stop took the full 10 s, and the kernel was shut down a
    second time. Now it finishes on the server's own loop, once."""
    with probe_server(tmp_path, "--PestdataVoila.closed_page_seconds=1") as (process, port):
        kernel_id, url = open_probe(port)
        with connect(url, additional_headers={"Authorization": f"token {TOKEN}"}):
            pass
        deadline = time.monotonic() + 60
        while kernel_id in own_kernels(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)  # stop within Jupyter's 0.1 s poll for the kernel's end
        assert kernel_id not in own_kernels(process.pid)
    assert process.returncode == 0
    log = (tmp_path / "serve.log").read_text()
    assert log.count(f"Kernel shutdown: {kernel_id}") == 1, log


def test_a_kernel_still_starting_when_the_server_stops_is_shut_down_too(tmp_path):
    """Ctrl+C while the preheat pool starts a kernel (a page just took one): the server's
    stop waits for it and then shuts everything down. Without settle_kernels jupyter_server
    refused the starting kernel ("Kernel does not exist"), the stop failed with a Dutch
    error line, and the kernel was left running (CI, 2026-12-03)."""

    async def stop_while_a_kernel_starts() -> list[str]:
        # Its connection file (with the kernel's key) belongs in tmp_path, not the checkout.
        manager = AsyncMappingKernelManager(root_dir=str(tmp_path), connection_dir=str(tmp_path))
        starting = asyncio.ensure_future(manager.start_kernel())
        deadline = time.monotonic() + 60
        while not manager._pending_kernels and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert manager._pending_kernels, "the kernel never began to start"
        await settle_kernels(manager)
        await manager.shutdown_all()
        await asyncio.gather(starting, return_exceptions=True)
        return manager.list_kernel_ids()

    # A thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, stop_while_a_kernel_starts()).result() == []


def test_the_server_starts_without_the_iri_parser_and_still_reads_notebooks():
    """jsonschema (under nbformat) imported rfc3987_syntax, whose Earley parser took 1.3 s of
    every server start (pestdata/web/__init__.py). A process that imports the server as
    `pestdata serve` does has not built it, and nbformat still reads and validates our
    notebooks there."""
    probe = (
        "import sys, pestdata.web.server, nbformat\n"
        "from pestdata.core.shipped import NOTEBOOKS\n"
        "paths = sorted(NOTEBOOKS.glob('*.ipynb'))\n"
        "for path in paths:\n"
        "    nbformat.validate(nbformat.read(path, as_version=4))\n"
        "print(repr(sys.modules['rfc3987_syntax']), 'lark' in sys.modules, len(paths))\n"
    )
    command = [sys.executable, "-c", probe]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "False", "4"]
