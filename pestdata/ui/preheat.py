"""Preheated kernels, kernel side: Voilà starts them before anyone asks for a page.

Such a kernel runs the notebook ahead of the request, so it must not read school data until
a page takes it (`wait_for_page`), and may first warm itself on made-up data (`warm_up`).
The server side (Voilà's flags) is in pestdata/web/serve.py.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from pestdata.core import settings
from pestdata.core.errors import PestdataError

if TYPE_CHECKING:
    import ipywidgets as w

    from pestdata.db.store import Store

log = logging.getLogger(__name__)

# The key our server makes at its start (server.py) and its kernels inherit; the preheat
# channel refuses a connection without it, so only our own kernels hear a page request.
PREHEAT_KEY = "PESTDATA_PREHEAT_KEY"
PREHEAT_HEADER = "X-Pestdata-Preheat"


class PageNotTaken(PestdataError):
    """The preheated kernel never heard which page took it: it must not read data."""

    MESSAGE = (
        "Deze pagina kon niet worden klaargezet. Laad de pagina opnieuw; blijft dit zo, "
        "vraag dan de beheerder de server opnieuw te starten."
    )


def preheated() -> bool:
    """True in a kernel Voilà started ahead of any page request (`--preheat_kernel`)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def wait_for_page(timeout: float = 10) -> None:
    """In a preheated kernel, block until a page request takes it; anywhere else (a normal
    Voilà kernel, nbval, a script) return at once.

    This is `voila.utils.wait_for_request` (Voilà 0.5) without importing Voilà into every
    kernel (~1.3 s and ~45 MB each): the server sends the request info (QUERY_STRING without
    the token, and friends) to ws://127.0.0.1:PORT/voila/query/KERNEL_ID when a page takes
    the kernel; it goes into os.environ. The kernel proves itself with PREHEAT_KEY. Waiting
    has no end while the kernel sits in the pool, but a refused or lost connection (no
    answer to a ping within 20 s) ends it with a Dutch message on the page: reading the data
    now would show numbers from whenever the kernel was started.
    """
    if not preheated():
        return
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}"
    )
    headers = {PREHEAT_HEADER: settings.get(PREHEAT_KEY)}
    try:
        with connect(
            url, open_timeout=timeout, additional_headers=headers, max_size=2**20,
            ping_interval=20, ping_timeout=20,
        ) as socket:  # fmt: skip
            info = json.loads(socket.recv())
    except (OSError, WebSocketException, ValueError) as error:
        log.error("Voorverwarmde kernel kreeg geen paginaverzoek: %s", error)
        from IPython.display import HTML, display

        from pestdata.core.markup import message

        display(HTML(message("error", PageNotTaken.MESSAGE)))
        raise PageNotTaken(PageNotTaken.MESSAGE) from None
    env.update({str(k): str(v) for k, v in info.items()})


def warm_up(build: Callable[[Store], w.Widget]) -> None:
    """Build a whole page once on a small made-up database, then throw it away.

    A preheated kernel does this before anyone asks for the page (no school data is read):
    the first build in a kernel pays ~200 ms for compiling queries and first runs of pandas
    and plotly code; the page's own build then runs warm."""
    import ipywidgets as w

    from pestdata.db.store import Store
    from pestdata.incidents import incident_log
    from pestdata.school import demo

    with tempfile.TemporaryDirectory(prefix="pestdata-warm-up-") as folder:
        store = Store(f"sqlite:///{folder}/warm-up.sqlite").ensure_schema()
        incident_log.add_incidents(store, demo.generate(200, seed=1), actor="warm-up")
        build(store).close()
        store.close()
    w.Widget.close_all()  # nothing of it reaches the page
