"""What a page's kernel has loaded once its page is drawn, asked of the real kernel.

`tests/test_layers.py` checks what importing a page's module loads; a page also runs code
when it draws (the lessons chart, the checklist, the evening's figures), and the kernel
starts from the server's fork process. Here a real `pestdata serve` renders each page, and
the test asks that page's kernel for its `sys.modules` over the kernel's own connection
file (in the server's private folder, beside the kernel's sockets, readable by this
account only), as a second client beside Voilà's.

A forked kernel holds what the fork process loaded before it forked
(`kernel_forks.preloaded`: ipykernel, pandas, the page modules), in memory it shares with
its siblings; what the page imports on its own is everything else, and costs it alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from helpers import kernel_of, kernel_socket, own_kernels
from jupyter_client import BlockingKernelClient
from servers import MEDIUM, SMALL, TOKEN, demo_database, serving

# Loaded by no kernel, shared or its own: no page checks a password or changes an account
# (argon2, pyotp, people.passwords and people.accounts: a kernel needs only people.person)
# or needs the plotly package (plotly.js draws the charts in the browser).
NEVER = ["argon2", "pyotp", "pestdata.people.accounts", "pestdata.people.passwords", "plotly"]
# Not imported by the page itself: the guidance page draws its one chart from plain rows (no
# pandas, numpy) and neither page reads a register file (the importer; the care team's page
# module, shared by the fork process, holds it).
NOT_ITS_OWN = {
    "handelingsadvies": ["pandas", "numpy", "pestdata.registers.importer"],
    "ouderavond": ["pestdata.registers.importer"],
}
# The modules, those the fork process had loaded, the comm targets the kernel answers, and
# the titles of the charts the page has drawn (its widgets, in the kernel). The probe first
# imports a module of its own (CONTROL, which nothing else uses), so a kernel's own imports
# are seen to be read, not empty by construction.
CONTROL = "colorsys"
ASK = (
    f"import json, sys, {CONTROL}\n"
    + """\
from comm import get_comm_manager
from ipywidgets.widgets.widget import _instances
charts = [w.spec["layout"]["title"]["text"] for w in list(_instances.values())
          if type(w).__name__ == "Chart" and w.spec]
forks = sys.modules.get("pestdata.web.kernel_forks")
print(json.dumps({"modules": sorted(sys.modules), "charts": charts,
                  "preloaded": sorted(getattr(forks, "preloaded", ())),
                  "targets": sorted(get_comm_manager().targets)}))
"""
)


def connection_file(pid: int, kernel_id: str) -> Path:
    """The kernel's connection file: beside the Unix sockets it listens on."""
    socket = kernel_socket(pid)
    assert socket, f"kernel {kernel_id} listens on no Unix socket"
    return Path(socket.decode()).parent / f"kernel-{kernel_id}.json"


def loaded_in_kernel(connection: Path) -> dict:
    """Run one line in the kernel and read what it printed."""
    client = BlockingKernelClient()
    client.load_connection_file(str(connection))
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed = []
        reply = client.execute_interactive(
            ASK,
            timeout=60,
            output_hook=lambda msg: (
                printed.append(msg["content"].get("text", ""))
                if msg["msg_type"] == "stream"
                else None
            ),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        return json.loads("".join(printed))
    finally:
        client.stop_channels()


@pytest.fixture(scope="module")
def drawn_pages(tmp_path_factory):
    """Each page rendered by a real server (its kernel forked, as in production), and what
    its kernel holds afterwards: {"modules": [...], "charts": [titles]}."""
    folder = tmp_path_factory.mktemp("light")
    modules = {}
    with serving(folder, incidents=SMALL) as (process, base, _):
        for page in ("handelingsadvies", "ouderavond"):
            request = urllib.request.Request(
                f"{base}/voila/render/{page}.ipynb", headers={"Authorization": f"token {TOKEN}"}
            )
            html = urllib.request.urlopen(request, timeout=180).read().decode()
            kernel_id = kernel_of(html)
            pid = own_kernels(process.pid)[kernel_id]
            modules[page] = loaded_in_kernel(connection_file(pid, kernel_id))
    return modules


def test_each_kernel_is_forked_from_the_process_that_shares_the_page_modules(drawn_pages):
    """The probe reads real answers: each kernel holds its page module and pandas, loaded
    before the fork (shared), and what it imported after the fork as its own (the probe's
    CONTROL), so 'its own' below is not empty by construction."""
    for page, module in (
        ("handelingsadvies", "pestdata.ui.handelingsadvies"),
        ("ouderavond", "pestdata.ui.slides"),
    ):
        seen = drawn_pages[page]
        preloaded = set(seen["preloaded"])
        assert {module, "pandas", "ipykernel.kernelapp"} <= preloaded <= set(seen["modules"])
        assert CONTROL in set(seen["modules"]) - preloaded, f"{page}: own imports not seen"


@pytest.mark.parametrize("page", NOT_ITS_OWN)
def test_a_drawn_page_has_not_loaded_what_it_does_not_use(drawn_pages, page):
    seen = drawn_pages[page]
    if page == "handelingsadvies":  # its chart is drawn: loading would have happened by now
        assert any(t.startswith("Lessen over online gedrag") for t in seen["charts"]), seen
    assert [m for m in NEVER if m in seen["modules"]] == []
    own = set(seen["modules"]) - set(seen["preloaded"])
    assert [m for m in NOT_ITS_OWN[page] if m in own] == [], f"{page} imported them itself"


# Each page drawn on real data in a fresh Python, as its kernel draws it: the overview for the
# care team (exact, with the overdue list) and for leaders (shared, every cell checked), the
# parent evening with its figures. pandas is shared by the fork process, so a forked kernel's
# sys.modules cannot tell whether the page ran it; a fresh Python can. A kernel that runs
# pandas copies ~5 MiB of the memory it shares with its siblings (bench/kernels.py).
OVERVIEW = "from pestdata.ui.overview.page import overzicht_app as app"
DRAW = {
    "overzicht (zorgteam)": ("zorgteam", OVERVIEW, "page.shared.value = False"),
    "overzicht (leiding)": ("leiding", OVERVIEW, ""),
    "ouderavond": (  # its one chart shows each slide's figure in turn
        "presentator",
        "from pestdata.ui.slides import ouderavond_app as app",
        "for _ in range(40):\n    drawn += bool(page.chart.spec)\n    page.next.click()",
    ),
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("drawn") / "demo.sqlite"
    demo_database(path, MEDIUM)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("view", DRAW)
def test_the_overview_and_the_evening_draw_their_figures_without_pandas(demo_file, view):
    role, page, then = DRAW[view]
    code = f"""import json, sys
from pestdata.db.store import Store
from pestdata.ui.plots import Chart
from ipywidgets.widgets.widget import _instances
{page}
page = app(Store({demo_file!r}))
drawn = 0
{then}
drawn += len([w for w in list(_instances.values()) if isinstance(w, Chart) and w.spec])
loaded = [m for m in ("pandas", "numpy") if m in sys.modules]
print(json.dumps({{"charts": drawn, "loaded": loaded}}))
"""
    env = {**os.environ, "PESTDATA_ROLE": role, "PESTDATA_DB": demo_file}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["charts"] >= 1, seen  # figures were drawn from the school's reports
    assert seen["loaded"] == [], f"{view} ran {seen['loaded']}"


@pytest.mark.parametrize("page", NOT_ITS_OWN)
def test_a_forked_kernel_answers_the_widget_control_comm(drawn_pages, page):
    """The browser asks all widget states at once over ipywidgets' control comm; a kernel
    that does not know that target makes it ask widget by widget, which now and then left a
    page at "model not found". ipywidgets registers its targets when imported in a kernel,
    and the fork process imported it before there was one (failed before the fix: [])."""
    assert {"jupyter.widget", "jupyter.widget.control"} <= set(drawn_pages[page]["targets"])
