"""Kernels of the dashboards come and go with their pages: an open page keeps its kernel
however long it sits idle, a closed page's kernel is culled, and the kernels preheated for
the next visitor are never culled and still read data added after they started."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from helpers import CHARTS, TIMEOUT, own_kernels
from playwright.sync_api import Page, expect
from servers import TOKEN, serving

from pestdata.core import clock
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.incidents import incident_log

pytestmark = pytest.mark.browser


def children_of(pid: int) -> list[int]:
    """Live page kernels of a server (helpers.own_kernels: started or forked; the names and
    fork processes are not pages)."""
    return list(own_kernels(pid).values())


def test_open_pages_keep_their_kernel_and_closed_pages_lose_it(page: Page, tmp_path):
    # No preheated kernels (the test servers' default), so the page's kernel is the only one
    # (the pool: next test).
    with serving(tmp_path, None, "--cull-idle", "6") as (process, base, _):
        page.goto(f"{base}/voila/render/meldingen.ipynb?token={TOKEN}")
        page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
        assert len(children_of(process.pid)) == 1
        time.sleep(10)  # idle for longer than --cull-idle (6 s, checked every second)
        page.locator("button.pd-save").click()
        expect(page.locator(".pd-result")).to_contain_text("Niet opgeslagen", timeout=TIMEOUT)
        page.goto("about:blank")
        deadline = time.time() + 40
        while children_of(process.pid) and time.time() < deadline:
            time.sleep(1)
        assert children_of(process.pid) == []
    with pytest.raises(urllib.error.URLError):  # stopping `pestdata serve` stops Voilà itself
        urllib.request.urlopen(f"{base}/?token={TOKEN}", timeout=5)


def test_preheated_kernels_survive_culling_and_show_data_added_after_they_started(
    page: Page, tmp_path
):
    """A preheated kernel runs the notebook before anyone asks; the data must still be read
    when the page is opened, and the culler must leave the waiting kernels alone."""
    # preheat 1 (the default)
    with serving(tmp_path, None, "--cull-idle", "6", preheat=None) as (process, base, db):
        deadline = time.time() + 60  # the pools fill (a busy machine: slowly)
        while len(children_of(process.pid)) < 4 and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(10)  # then idle for longer than --cull-idle (6 s, checked every second)
        pool = children_of(process.pid)
        assert len(pool) == 4  # one waiting kernel per dashboard of the care team
        school = "De Voorverwarmde School"
        incident = validate_incident(
            {
                "school": school,
                "reported_on": clock.today(),
                "reporter": "parent",
                "pupils": [{"pupil_number": "P-1", "role": "target"}],
                "group": "groep 7",
                "platforms": ["whatsapp"],
                "forms": ["gossip"],
                "severity": "low",
                "status": "new",
                "handler": "dhr. Warm",
                "description": "na het voorverwarmen gemeld",
            }
        )
        incident_log.add_incidents(Store(db), [(incident, [])], actor="test")
        page.goto(f"{base}/voila/render/overzicht.ipynb?token={TOKEN}")
        for chart in CHARTS:
            page.wait_for_selector(f"{chart} .js-plotly-plot", timeout=TIMEOUT)
        options = page.locator(".pd-filter-school option").all_inner_texts()
        assert school in [option.replace("\xa0", " ") for option in options]
        log = (tmp_path / "serve.log").read_text()
        assert "Using pre-heated kernel" in log
        page.goto("about:blank")
        # The page's kernel is culled; the refilled pool stays.
        deadline = time.time() + 40
        while len(children_of(process.pid)) != 4 and time.time() < deadline:
            time.sleep(1)
        assert len(children_of(process.pid)) == 4
