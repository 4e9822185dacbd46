"""Names stay out of free text (issue 22, part 3), in real Chromium against a live
`pestdata serve` with personal accounts: the report form warns in Dutch about a name and
stores nothing; 'Toch opslaan' stores exactly the text warned about, and the audit has a
`possible_name` row naming the signed-in person.

The server's name detector is a process of its own (names.py) that answers "not ready yet"
while it loads, and a save in that time goes ahead unchecked; so the test first asks that
process over its socket until it answers, polling to a deadline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import TIMEOUT, add_browser_people, fill_report, saved_id, sign_in
from playwright.sync_api import Page, expect
from servers import SMALL, serving

from pestdata.core import names
from pestdata.db.store import Store
from pestdata.db.tables import audit, descriptions
from pestdata.incidents import audit_rows, lookup

pytestmark = pytest.mark.browser

NAMED = "Daan de Boer (204533) stuurde de foto door in de klassenapp."
WARNING = "Er lijkt een naam in te staan: 'Daan de Boer'. Gebruik het leerlingnummer."
READY_SECONDS = 180  # a busy 2-core machine; the lists are built already (name_detector)


def detector_socket(server_pid: int, seconds: float = 60) -> str:
    """The socket of the server's detector process (`python -m pestdata.core.names <socket>`, a
    child of the server), polled for until it is there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == server_pid and b"pestdata.core.names" in argv and len(argv) > 3:
                return argv[argv.index(b"pestdata.core.names") + 1].decode()
        time.sleep(0.2)
    raise AssertionError(f"no name detector process under the server within {seconds} s")


def wait_until_ready(path: str, seconds: float = READY_SECONDS) -> None:
    """Ask the detector as a kernel does until it answers (None: not ready yet, or the
    socket not listening yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = names._ask(path, [NAMED])
        if found is not None:
            assert found == [["Daan de Boer"]]
            return
        time.sleep(0.2)
    raise AssertionError(f"the server's name detector was not ready within {seconds} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory, name_detector):
    """Personal accounts; the server inherits the run's built name lists (name_detector sets
    PESTDATA_NAMES_CACHE), and is used once its detector answers."""
    folder = tmp_path_factory.mktemp("namen-serve")
    with serving(folder, token=None, incidents=SMALL, before=add_browser_people) as (
        process,
        base,
        db,
    ):
        wait_until_ready(detector_socket(process.pid))
        yield base, db


def audit_since(store: Store, first: int) -> list[tuple]:
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(audit.c.actor, audit.c.action, audit.c.incident_id, audit.c.new_value)
            .where(audit.c.id > first)
            .order_by(audit.c.id)
        ).all()
    return [tuple(r) for r in rows]


def stored_with(store: Store, text: str) -> int:
    with store.reading() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(descriptions.c.text == text)
        ).scalar_one()


def test_a_name_in_the_report_is_warned_about_and_saved_after_toch_opslaan(page: Page, server):
    base, db = server
    store = Store(db)
    sign_in(page, base, "m.devries")
    page.get_by_role("link", name="Meldingen (zorgteam)").click()
    page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
    with store.reading() as conn:  # after the sign-in's own audit row
        first = conn.execute(sa.select(sa.func.max(audit.c.id))).scalar() or 0
    before = lookup.count_incidents(store)
    fill_report(page, NAMED)
    confirm = page.get_by_role("button", name="Toch opslaan")
    expect(confirm).to_be_hidden()
    page.locator("button.pd-save").click()

    result = page.locator(".pd-result")
    expect(result).to_have_text(WARNING, timeout=TIMEOUT)
    expect(confirm).to_be_visible(timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before  # nothing stored, nothing audited
    assert stored_with(store, NAMED) == 0
    assert audit_since(store, first) == []
    expect(page.locator(".pd-field-description textarea")).to_have_value(NAMED)  # kept

    confirm.click()
    incident_id = saved_id(page)
    expect(confirm).to_be_hidden(timeout=TIMEOUT)
    assert lookup.count_incidents(store) == before + 1
    stored = lookup.get_incident(store, incident_id)
    assert [d["text"] for d in stored["descriptions"]] == [NAMED]  # exactly the warned text
    written = audit_since(store, first)
    assert [(actor, action, row_id) for actor, action, row_id, _ in written] == [
        ("m.devries", "create", incident_id),
        ("m.devries", "possible_name", incident_id),
    ]  # the signed-in person, in the save's own transaction
    assert written[1][3] == audit_rows.POSSIBLE_NAME
    store.close()
