"""Kernels of the dashboards come and go with their pages: an open page keeps its kernel
however long it sits idle, a closed page's kernel is culled, and the kernels preheated for
the next visitor are never culled and still read data added after they started.

One server and one idle wait prove all three: the culler's timeout has to pass once, and
both the open page and the waiting kernels sit through it."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from helpers import CHARTS, TIMEOUT, kernel_of, own_kernels
from playwright.sync_api import Page, expect
from servers import TOKEN, serving

from pestdata.core import clock
from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.incidents import incident_log

pytestmark = pytest.mark.browser
CULL_IDLE = 6  # seconds; the culler looks every second (web/serve.py)


def test_open_pages_and_waiting_kernels_stay_closed_pages_lose_theirs(page: Page, tmp_path):
    # preheat=None: the server's default pool, one waiting kernel per dashboard.
    server = serving(tmp_path, None, "--cull-idle", str(CULL_IDLE), preheat=None)
    with server as (process, base, db):
        deadline = time.time() + 60  # the pools fill (a busy machine: slowly)
        while len(own_kernels(process.pid)) < 4 and time.time() < deadline:
            time.sleep(0.5)
        waiting = own_kernels(process.pid)
        assert len(waiting) == 4  # one waiting kernel per dashboard of the care team

        # From the pool or started for it (the pool may still be running the notebook).
        page.goto(f"{base}/voila/render/meldingen.ipynb?token={TOKEN}")
        page.wait_for_selector("button.pd-save", timeout=TIMEOUT)
        page_kernel = kernel_of(page.content())
        assert page_kernel in own_kernels(process.pid)
        time.sleep(CULL_IDLE + 4)  # idle for longer than --cull-idle
        page.locator("button.pd-save").click()  # the open page's kernel still answers
        expect(page.locator(".pd-result")).to_contain_text("Niet opgeslagen", timeout=TIMEOUT)
        still_waiting = set(waiting) - {page_kernel}
        assert still_waiting <= set(own_kernels(process.pid))  # not culled while waiting

        # A waiting kernel started before this report reads it when its page opens.
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
        overview = page.context.new_page()
        overview.goto(f"{base}/voila/render/overzicht.ipynb?token={TOKEN}")
        overview.wait_for_selector(CHARTS[0], timeout=TIMEOUT)
        overview_kernel = kernel_of(overview.content())
        assert overview_kernel in still_waiting  # started before the report was added
        log = (tmp_path / "serve.log").read_text()
        assert f"Using pre-heated kernel: {overview_kernel}" in log
        for chart in CHARTS:
            overview.wait_for_selector(f"{chart} .js-plotly-plot", timeout=TIMEOUT)
        options = overview.locator(".pd-filter-school option").all_inner_texts()
        assert school in [option.replace("\xa0", " ") for option in options]

        # Both pages closed: their kernels are culled; the refilled pool stays.
        page.goto("about:blank")
        overview.close()
        pages = {page_kernel, overview_kernel}
        deadline = time.time() + 40
        kernels = own_kernels(process.pid)
        while (pages & set(kernels) or len(kernels) != 4) and time.time() < deadline:
            time.sleep(1)
            kernels = own_kernels(process.pid)
        assert not pages & set(kernels)
        assert len(kernels) == 4
    with pytest.raises(urllib.error.URLError):  # stopping `pestdata serve` stops Voilà itself
        urllib.request.urlopen(f"{base}/?token={TOKEN}", timeout=5)
