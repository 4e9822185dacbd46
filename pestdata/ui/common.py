"""Small pieces every dashboard part uses: the store of this kernel, dates, escaping, messages."""

from __future__ import annotations

import base64
import html
import logging
import os
from collections.abc import Callable
from functools import lru_cache

import ipywidgets as w

from ..model import InvalidInput, label_for
from ..store import Store, StoreUnavailable

log = logging.getLogger(__name__)

LABEL_WIDTH = "170px"
STYLE = {"description_width": LABEL_WIDTH}


def preheated() -> bool:
    """True in a kernel Voilà started ahead of any page request (`--preheat_kernel`)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def wait_for_page(timeout: float = 10) -> None:
    """In a preheated kernel, block until a page request takes it; anywhere else (a normal
    Voilà kernel, nbval, a script) return at once.

    This is `voila.utils.wait_for_request` (Voilà 0.5) without importing Voilà into every
    kernel (~1.3 s and ~45 MB each): Voilà sends the request info (QUERY_STRING and friends)
    to ws://127.0.0.1:PORT/voila/query/KERNEL_ID when a page takes the kernel; it goes into
    os.environ. Unlike Voilà's version this fails loudly when it cannot connect: reading
    the data now would show numbers from whenever the kernel was started.
    """
    if not preheated():
        return
    import json

    from websockets.sync.client import connect

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env['VOILA_KERNEL_ID']}"
    )
    with connect(url, open_timeout=timeout, max_size=2**20) as socket:
        info = json.loads(socket.recv())
    env.update({str(k): str(v) for k, v in info.items()})


@lru_cache(maxsize=1)
def kernel_store() -> Store:
    """One store per kernel (each Voilà page is its own kernel), schema brought up to date.

    Every dashboard reads its data through this store, so it first waits for the page
    request: a preheated kernel runs the notebook before anyone connects, and data read
    then would be stale by the time someone opens the page.
    """
    wait_for_page()
    return Store().ensure_schema()


def esc(value: object) -> str:
    """Free text is escaped wherever it is shown as HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def error_lines(errors: dict[str, str]) -> str:
    """Dutch messages for refused input, one line per field."""
    return "".join(message("error", f"{label_for(k)}: {v}") for k, v in errors.items())


def message(kind: str, text: str) -> str:
    """HTML for a status line: kind is 'ok', 'error' or 'hint'; text is escaped here."""
    return f'<div class="pd-{kind}">{esc(text)}</div>'


def error_box(css_class: str = "") -> w.HTML:
    """An empty line under a field where its Dutch error appears."""
    box = w.HTML("", layout=w.Layout(margin=f"0 0 4px {LABEL_WIDTH}"))
    box.add_class("pd-field-error")
    if css_class:
        box.add_class(css_class)
    return box


def show_errors(boxes: dict[str, w.HTML], error: InvalidInput, fallback: w.HTML) -> None:
    """Put each message beside its field; anything without a box goes to the fallback line."""
    leftovers = []
    for field, text in error.errors.items():
        key = field.split(".")[0]
        box = boxes.get(key)
        line = f"{label_for(field)}: {text}"
        if box is None:
            leftovers.append(line)
        else:
            box.value = (box.value or "") + message("error", line)
    if leftovers:
        fallback.value += "".join(message("error", line) for line in leftovers)


def save(action: Callable[[], object], error_box: w.HTML) -> bool:
    """Run one write of a widget; True when it was stored.

    Every save path of every page goes through here, so a refusal looks the same
    everywhere: bad input gives its Dutch messages in `error_box`, a database that cannot be
    used gives one Dutch line (and the log the reason). The user's input stays in the form.
    """
    try:
        action()
    except InvalidInput as error:
        error_box.value = error_lines(error.errors)
        return False
    except StoreUnavailable:
        log.exception("opslaan mislukt")
        error_box.value = message("error", StoreUnavailable.MESSAGE)
        return False
    return True


def clear(boxes: dict[str, w.HTML]) -> None:
    for box in boxes.values():
        box.value = ""


def css(widget: w.Widget, *classes: str) -> w.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


def download_link(data: bytes, filename: str, mime: str, text: str) -> str:
    """A link that saves `data` as a file; nothing leaves the machine (a data: URL)."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="pd-download" download="{esc(filename)}" '
        f'href="data:{mime};base64,{encoded}">{esc(text)}</a>'
    )
