"""Personal accounts on a real `pestdata serve` (no token): the Dutch login page, each role
exactly its dashboards, lockout, a disabled account losing its session, two-factor codes,
logout, the person the kernel believes, and single sign-on behind a real nginx."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp
import pytest
from servers import free_port, start_server, wait_for_port

from pestdata import accounts
from pestdata.serve import DASHBOARDS, ROLES
from pestdata.store import Store

PASSWORD = "een lang wachtwoord"
PEOPLE = {
    "ib": "zorgteam",
    "directeur": "leiding",
    "juf": "leerkracht",
    "ouderavond": "presentator",
}
# A handelingsadvies page (the teacher's) that shows whom the kernel believes signed in.
WHO_CELL = """\
import os
from IPython.display import HTML, display
from pestdata.ui.common import kernel_store, signed_in

kernel_store()
person = signed_in()
role = os.environ["PESTDATA_ROLE"]
display(HTML(f"<p id=who>wie={person.name}|rol={person.role}|env={role}</p>"))
"""


def add_people(db: str) -> None:
    store = Store(db).ensure_schema()
    for name, role in PEOPLE.items():
        accounts.add(store, name, role, PASSWORD, actor="test")
    store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    process, base, db = start_server(folder, token=None, incidents=60, before=add_people)
    yield base, db
    process.terminate()
    process.wait(timeout=30)


class Browser:
    """Cookies and forms the way a browser keeps them (urllib, no JavaScript)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, **headers) -> tuple[int, str, str]:
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            response = self.opener.open(request, timeout=120)
            return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def login(self, name: str, password: str = PASSWORD, code: str = "") -> tuple[int, str]:
        self.get("/login")
        xsrf = next(c.value for c in self.jar if c.name == "_xsrf")
        form = {"naam": name, "wachtwoord": password, "code": code, "_xsrf": xsrf, "next": "/"}
        try:
            response = self.opener.open(
                self.base + "/login", data=urllib.parse.urlencode(form).encode(), timeout=60
            )
            return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_the_login_page_is_dutch_and_a_wrong_password_gets_a_dutch_answer(server):
    base, _ = server
    browser = Browser(base)
    status, url, body = browser.get("/voila/render/meldingen.ipynb")
    assert status == 200 and "/login" in url  # sent to the login first
    assert 'lang="nl"' in body and "Inloggen bij pestdata" in body and "Wachtwoord" in body
    assert "jupyter" not in body.lower() and "token" not in body.lower()
    status, body = browser.login("ib", "niet goed")
    assert status == 401 and "Naam, wachtwoord of code klopt niet." in body
    status, body = browser.login("bestaat-niet")
    assert status == 401 and "klopt niet" in body


@pytest.mark.parametrize("name", list(PEOPLE))
def test_each_role_sees_exactly_its_dashboards(server, name):
    base, _ = server
    browser = Browser(base)
    status, body = browser.login(name)
    assert status == 200 and f"Aangemeld als <b>{name}</b>" in body
    mine = ROLES[PEOPLE[name]]
    listed = re.findall(r"voila/render/(\w+)\.ipynb", body)
    assert listed == list(mine)
    for dashboard in DASHBOARDS:
        status, _, page = browser.get(f"/voila/render/{dashboard}.ipynb")
        if dashboard in mine:
            assert status == 200, dashboard
        else:
            assert status == 403 and "Geen toegang" in page and 'lang="nl"' in page, dashboard
            assert "Traceback" not in page


def test_five_wrong_passwords_lock_the_account(server):
    base, db = server
    store = Store(db)
    accounts.add(store, "slot", "leiding", PASSWORD, actor="test")
    browser = Browser(base)
    for attempt in range(accounts.MAX_FAILURES):
        status, body = browser.login("slot", f"fout {attempt}")
    assert status == 401 and "geblokkeerd" in body
    status, body = browser.login("slot")  # the right password, too late
    assert status == 401 and "geblokkeerd" in body
    store.close()


def test_a_disabled_account_loses_its_session_at_once(server):
    base, db = server
    store = Store(db)
    accounts.add(store, "vertrekt", "leiding", PASSWORD, actor="test")
    browser = Browser(base)
    assert browser.login("vertrekt")[0] == 200
    assert browser.get("/voila/render/overzicht.ipynb")[0] == 200
    subprocess.run(
        [sys.executable, "-m", "pestdata.cli", "users", "disable", "--db", db, "vertrekt"],
        check=True,
        capture_output=True,
    )
    status, url, _ = browser.get("/voila/render/overzicht.ipynb")
    assert "/login" in url  # the same cookie no longer counts
    assert browser.login("vertrekt")[0] == 401
    store.close()


def test_two_factor_login_needs_the_code(server):
    base, db = server
    store = Store(db)
    secret = accounts.add(store, "tweestaps", "zorgteam", PASSWORD, actor="t", two_factor=True)
    browser = Browser(base)
    assert browser.login("tweestaps")[0] == 401
    status, body = browser.login("tweestaps", code=pyotp.TOTP(secret).now())
    assert status == 200 and "Aangemeld als <b>tweestaps</b>" in body
    store.close()


def test_logout_ends_the_session(server):
    base, _ = server
    browser = Browser(base)
    browser.login("directeur")
    status, _, body = browser.get("/logout")
    assert status == 200 and "Je bent afgemeld" in body
    assert "/login" in browser.get("/voila/render/overzicht.ipynb")[1]


def test_the_login_cookie_is_samesite_and_ends_after_a_school_day(server):
    base, _ = server
    browser = Browser(base)
    browser.login("directeur")
    cookie = next(c for c in browser.jar if c.name == "pestdata-sessie")
    assert cookie.has_nonstandard_attr("HttpOnly") or cookie.get_nonstandard_attr("httponly")
    hours = (cookie.expires - time.time()) / 3600
    assert 8 <= hours <= 12


@pytest.fixture(scope="module")
def who_server(tmp_path_factory):
    """A server whose teacher page shows whom its kernel believes signed in, and where the
    care team must sign in with a code."""
    folder = tmp_path_factory.mktemp("who")
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    cell = {"cell_type": "code", "execution_count": None, "id": "who", "metadata": {},
            "outputs": [], "source": WHO_CELL}  # fmt: skip
    document = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3",
                "display_name": "Python 3", "language": "python"}}, "nbformat": 4,
                "nbformat_minor": 5}  # fmt: skip
    (notebooks / "handelingsadvies.ipynb").write_text(json.dumps(document), encoding="utf-8")
    process, base, db = start_server(
        folder, notebooks, "--require-two-factor", "zorgteam",
        token=None, incidents=20, before=add_people,
    )  # fmt: skip
    yield base
    process.terminate()
    process.wait(timeout=30)


def test_the_kernel_believes_the_login_not_a_header_the_browser_sends(who_server):
    browser = Browser(who_server)
    browser.login("juf")
    forged = accounts.sign_person(accounts.Person("ib", "zorgteam"), "geraden sleutel")
    status, _, html = browser.get(
        "/voila/render/handelingsadvies.ipynb",
        **{"X-Pestdata-Person": forged, "X-Forwarded-User": "ib"},
    )
    assert status == 200
    assert "wie=juf|rol=leerkracht|env=leerkracht" in html


# --- single sign-on behind nginx -------------------------------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_KEY = "sleutel-van-de-proxy-0123456789"


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    """pestdata with --trust-header behind Debian's nginx, which signs users in with basic
    auth and passes the name on with the proxy's key."""
    if not Path(NGINX).exists():
        pytest.fail("nginx ontbreekt: installeer het Debian-pakket nginx (scripts/test-setup.sh)")
    folder = tmp_path_factory.mktemp("sso")
    key_file = folder / "proxy.key"
    key_file.write_text(PROXY_KEY)
    key_file.chmod(0o600)
    process, base, db = start_server(
        folder, None, "--trust-header", "X-Forwarded-User", "--proxy-key-file", str(key_file),
        token=None, incidents=20, before=add_people,
    )  # fmt: skip
    port = free_port()
    (folder / "htpasswd").write_text(f"ib:{{PLAIN}}{PASSWORD}\ndirecteur:{{PLAIN}}{PASSWORD}\n")
    for sub in ("logs", "temp"):
        (folder / sub).mkdir()
    # As root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(f"""
{user}
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {folder}/logs/access.log;
  client_body_temp_path {folder}/temp/body; proxy_temp_path {folder}/temp/proxy;
  fastcgi_temp_path {folder}/temp/fcgi; uwsgi_temp_path {folder}/temp/uwsgi;
  scgi_temp_path {folder}/temp/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      auth_basic "pestdata";
      auth_basic_user_file {folder}/htpasswd;
      proxy_pass {base};
      proxy_set_header X-Forwarded-User $remote_user;
      proxy_set_header X-Pestdata-Proxy-Key "{PROXY_KEY}";
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
    }}
  }}
}}
""")
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port(port, nginx)
    yield f"http://127.0.0.1:{port}", base
    nginx.terminate()
    nginx.wait(timeout=30)
    process.terminate()
    process.wait(timeout=30)


def basic(name: str) -> dict:
    import base64

    token = base64.b64encode(f"{name}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_single_sign_on_through_nginx(behind_nginx):
    proxy, _ = behind_nginx
    browser = Browser(proxy)
    status, _, body = browser.get("/", **basic("ib"))
    assert status == 200 and "Aangemeld als <b>ib</b>" in body
    assert re.findall(r"voila/render/(\w+)\.ipynb", body) == list(ROLES["zorgteam"])
    status, _, body = browser.get("/voila/render/meldingen.ipynb", **basic("directeur"))
    assert status == 403 and "Geen toegang" in body  # the role comes from our own account
    # nginx replaces a name the browser sends itself with the one it checked
    status, _, body = browser.get("/", **basic("directeur"), **{"X-Forwarded-User": "ib"})
    assert "Aangemeld als <b>directeur</b>" in body
    assert browser.get("/", **{"X-Forwarded-User": "ib"})[0] == 401  # nginx: no password


def test_the_header_is_refused_when_it_does_not_come_through_the_proxy(behind_nginx):
    _, direct = behind_nginx
    for headers in (
        {"X-Forwarded-User": "ib"},
        {"X-Forwarded-User": "ib", "X-Pestdata-Proxy-Key": "geraden"},
    ):
        status, url, body = Browser(direct).get("/voila/render/meldingen.ipynb", **headers)
        assert "/login" in url and "Inloggen bij pestdata" in body, headers


def test_a_role_that_must_use_a_code_is_refused_without_one(who_server):
    status, body = Browser(who_server).login("ib")  # zorgteam, no code set up
    assert status == 401 and "met een code verplicht" in body
    assert Browser(who_server).login("juf")[0] == 200  # a teacher needs none
