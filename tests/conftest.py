"""Shared fixtures.

Store/model fixtures come first; browser-test and server fixtures belong below them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from helpers import copy_sqlite, demo_store

from pestdata.db.store import Store
from pestdata.people import passwords

# --- store and model fixtures ---------------------------------------------------------------


def valid_incident_data(**changes) -> dict:
    """A small, valid input for ``pestdata.core.model.validate_incident``; override with kwargs."""
    data = {
        "school": "De Regenboog",
        "reported_on": date(2024, 3, 1),
        "happened_on": date(2024, 2, 28),
        "reporter": "parent",
        "pupils": [
            {"pupil_number": "123456", "role": "target"},
            {"pupil_number": "LL-2024-017", "role": "bully"},
        ],
        "group": "groep 7",
        "platforms": ["whatsapp", "tiktok"],
        "forms": ["gossip", "exclusion"],
        "severity": "medium",
        "handler": "Mw. Jansen",
        "description": "Foto gedeeld in de klassenapp zonder toestemming.",
    }
    data.update(changes)
    return data


@pytest.fixture(name="valid_incident_data")
def _valid_incident_data_fixture():
    """The same helper as a fixture: ``valid_incident_data(group="klas 2")``."""
    return valid_incident_data


@pytest.fixture
def size(request) -> str:
    """The stress tests' size (-m stress): "full" with `pytest --stress`, which CI (.ci/run)
    runs after the rest; else "quick", for the README's command. Same assertions."""
    return "full" if request.config.getoption("--stress") else "quick"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated once per run: each store test copies it (~5 ms) instead of
    running every migration again (~0.1 s)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite"
    Store(f"sqlite:///{path}").ensure_schema().close()
    return path


@pytest.fixture
def sqlite_store(tmp_path, migrated_sqlite) -> Store:
    """A migrated Store on a fresh SQLite file, tmp_path/t.sqlite (a copy of
    `migrated_sqlite`; ensure_schema still checks it, as a page load does)."""
    copy_sqlite(migrated_sqlite, tmp_path / "t.sqlite")
    return Store(f"sqlite:///{tmp_path}/t.sqlite").ensure_schema()


@pytest.fixture
def store(sqlite_store) -> Store:
    """A migrated Store on a fresh SQLite file in tmp_path (see `any_store` for both)."""
    return sqlite_store


@pytest.fixture(scope="session")
def five_thousand_sqlite(tmp_path_factory) -> tuple[Path, list[int]]:
    """A SQLite file with 5,000 demo incidents plus three of pupil 777001 (one closed, one
    at another school), and the ids of those three: made once per test process (~5 s),
    copied by each test that reads a big school (`five_thousand_store`)."""
    from pestdata.core import clock
    from pestdata.core.model import validate_incident
    from pestdata.incidents import incident_log

    folder = tmp_path_factory.mktemp("five-thousand")
    store = demo_store(folder, 5000, clock.today(), seed=3)
    mine = []
    for school, status in (("De Regenboog", "new"), ("De Regenboog", "closed"), ("Het Anker",
                           "in_progress")):  # fmt: skip
        data = valid_incident_data(
            school=school, status=status,
            pupils=[{"pupil_number": "777001", "role": "target"}],
        )  # fmt: skip
        mine.append(incident_log.add_incident(store, validate_incident(data), actor="t"))
    store.close()
    return folder / "demo.sqlite", mine


@pytest.fixture
def five_thousand_store(tmp_path, five_thousand_sqlite) -> tuple[Store, list[int]]:
    """A fresh copy of `five_thousand_sqlite` in tmp_path: its Store and pupil 777001's ids."""
    path, mine = five_thousand_sqlite
    copy_sqlite(path, tmp_path / "t.sqlite")
    return Store(f"sqlite:///{tmp_path}/t.sqlite").ensure_schema(), mine


def _test_pg() -> str:
    base = os.environ.get("PESTDATA_TEST_PG")
    if not base:
        pytest.skip("PESTDATA_TEST_PG is not set; scripts/test-setup.sh makes a test database")
    return base


@contextmanager
def _pg_database(base: str, template: str | None = None):
    """A new PostgreSQL database (a copy of `template`, if given); its URL, dropped after."""
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"pestdata_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copied}'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    PESTDATA_TEST_PG points at a database the test user may connect to and whose user may
    create databases (scripts/test-setup.sh makes one). Without it the test is skipped.
    """
    with _pg_database(_test_pg()) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_pg():
    """A PostgreSQL database migrated once per run, the template of each `pg_store`
    (CREATE DATABASE … TEMPLATE: ~0.2 s less per test than migrating). No connection may
    stay open to it, so its engine is closed at once."""
    with _pg_database(_test_pg()) as url:
        Store(url).ensure_schema().engine.dispose()
        yield sa.engine.make_url(url).database


@pytest.fixture
def pg_store(migrated_pg) -> Store:
    """A migrated Store on a fresh PostgreSQL database (a copy of `migrated_pg`)."""
    with _pg_database(_test_pg(), template=migrated_pg) as url:
        store = Store(url).ensure_schema()
        yield store
        store.engine.dispose()


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def any_url(request, tmp_path) -> str:
    """An empty database, once on a SQLite file and once on PostgreSQL (skipped without
    PESTDATA_TEST_PG). Test ids end in [sqlite] / [postgresql]."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/any.sqlite"
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=DATABASES)
def any_store(request) -> Store:
    """A migrated Store, once on SQLite (`sqlite_store`) and once on PostgreSQL (`pg_store`).

    A test module runs every `store` test on both with
    ``@pytest.fixture def store(any_store): return any_store``.
    """
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_store")
    return request.getfixturevalue("pg_store")


REAL_HASHER = passwords.HASHER  # what pestdata ships (test_accounts checks its parameters)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Passwords a test sets are hashed with argon2id at its cheapest (one pass over 8 KiB)
    instead of the shipped 64 MiB x 3 passes: ~0.2 s of CPU per hash and per check, which
    was a tenth of the suite. The cost is in the hash itself, so a server a test starts
    checks such an account cheaply too. Tests marked `real_password_cost` (the timing
    floors) get the shipped hasher back."""
    cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", cheapest)
        yield


@pytest.fixture(autouse=True)
def real_password_cost(request, monkeypatch):
    if request.node.get_closest_marker("real_password_cost"):
        monkeypatch.setattr(passwords, "HASHER", REAL_HASHER)


@pytest.fixture(autouse=True)
def care_team_role(monkeypatch):
    """Pages built in the test process are the care team's unless a test names another role:
    said here, on purpose, because outside `pestdata serve` no role is set, and no role sees
    only the shared view (privacy.server_role). A server a test starts gets its role from
    `pestdata serve`; tests/people/test_staff_roles.py takes this away to test no role."""
    monkeypatch.setenv("PESTDATA_ROLE", "zorgteam")


@pytest.fixture(scope="session")
def name_detector(tmp_path_factory):
    """deduce's name detector (names.py), loaded once per run: built in ~1 s into a folder
    of this run (PESTDATA_NAMES_CACHE, which a server started by a test inherits too)."""
    from pestdata.core import names

    os.environ[names.CACHE_ENV] = str(tmp_path_factory.mktemp("namen"))
    return names.Detector()


@pytest.fixture
def names_here(name_detector, monkeypatch):
    """The detector in this test's process (as in a command); gone again after the test."""
    from pestdata.core import names

    monkeypatch.setattr(names, "_here", name_detector)
    return name_detector


# --- browser fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium for pytest-playwright, launched as servers.py says."""
    from servers import CHROMIUM, chromium_launch_args

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: apt-get install chromium")
    return chromium_launch_args()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL", "viewport": {"width": 1280, "height": 1600}}


@pytest.fixture(scope="session")
def _profile(playwright, browser_context_args, tmp_path_factory):
    """One Chromium profile on disk per test process (servers.browser_profile): pytest-playwright
    gave each test an incognito context, which compiled the pages' JavaScript again each time."""
    from servers import browser_profile

    profile = browser_profile(
        playwright, tmp_path_factory.mktemp("chromium-profile"), **browser_context_args
    )
    yield profile
    profile.close()


@pytest.fixture
def context(_profile):
    """pytest-playwright's `context` (and so `page`), in the profile: every test starts
    without cookies or permissions, and its pages are closed after it, as closing its own
    context did. Tests that need a context of their own use `browser.new_context`."""
    _profile.clear_cookies()
    _profile.clear_permissions()
    yield _profile
    for page in _profile.pages:
        page.close()
    _profile.clear_cookies()


# --- a server behind nginx -------------------------------------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    """pestdata with --trust-header behind Debian's nginx, which signs users in with basic
    auth and passes the name on with the proxy's key."""
    from helpers import PASSWORD, PROXY_KEY, add_people
    from servers import SMALL, serving

    from pestdata.people import accounts

    def add_people_and_joran(db: str) -> None:
        add_people(db)
        store = Store(db)
        accounts.add(store, "jöran", "leerkracht", PASSWORD, actor="test")
        store.close()

    if not Path(NGINX).exists():
        pytest.fail("nginx ontbreekt: installeer het Debian-pakket nginx (scripts/test-setup.sh)")
    folder = tmp_path_factory.mktemp("sso")
    key_file = folder / "proxy.key"
    key_file.write_text(PROXY_KEY)
    key_file.chmod(0o600)
    with serving(
        folder, None, "--trust-header", "X-Forwarded-User", "--proxy-key-file", str(key_file),
        token=None, incidents=SMALL, before=add_people_and_joran,
    ) as (_, base, db):  # fmt: skip
        yield from _nginx_in_front_of(folder, base, db)


def _nginx_in_front_of(folder: Path, base: str, db: str):
    """Debian's nginx with basic auth in front of `base`; yields (nginx URL, base, db)."""
    from helpers import PASSWORD, PROXY_KEY
    from servers import free_port, stop_server, wait_for_port

    port = free_port()
    (folder / "htpasswd").write_text(
        "".join(f"{name}:{{PLAIN}}{PASSWORD}\n" for name in ("ib", "directeur", "jöran")),
        encoding="utf-8",
    )
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
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
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
    try:
        wait_for_port(port, nginx)
        yield f"http://127.0.0.1:{port}", base, db
    finally:
        stop_server(nginx)
