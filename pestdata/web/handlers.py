"""The handlers that replace Voilà's own: its channels, its shutdown, its dashboard, its 404.

Each closes a hole found in Voilà 0.5 (server.py puts them in its place):
- The preheat channel (/voila/query/KERNEL) tells a preheated kernel that a page took it.
  Voilà lets anyone connect there and hands the next visitor's request info, token
  included, to whoever connected last. Here only our own kernels get in (a key in this
  server's environment, which other local users cannot read), each kernel once, and the
  request info goes without the token.
- Nothing a kernel writes to stderr and no error message reaches the browser (tracebacks,
  values, paths): it goes to the server log instead.
- A page's kernel websocket and its shutdown are for the page's owner only.
- A dashboard's token, once it signed the visitor in, is gone from the request before Voilà
  hands query and URL to a kernel.
- Every answer carries the security headers (`SecurityHeaders`); an unknown address gets a
  Dutch 404.
"""

from __future__ import annotations

import json
import logging
from hmac import compare_digest
from urllib.parse import parse_qsl, urlencode

from tornado import web
from tornado.web import OutputTransform
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from pestdata.core import settings
from pestdata.ui.preheat import PREHEAT_HEADER, PREHEAT_KEY
from pestdata.web import terminal
from pestdata.web.dashboards import DashboardPage
from pestdata.web.html_page import page
from pestdata.web.sessions import person_of

log = logging.getLogger("pestdata.web.handlers")

SECRET_PARAMETERS = ("token",)  # never passed on to a kernel or written to a log


def without_secrets(query: str) -> str:
    """A query string without the token (Voilà passes the whole string on)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(key, value) for key, value in pairs if key not in SECRET_PARAMETERS])


class PreheatChannel(RequestInfoSocketHandler):
    """Voilà's preheat channel, for our own kernels only and once per kernel.

    Refused before the websocket opens (403) when the key is missing or wrong, when the
    kernel id is not a kernel of this server, or when that kernel already connected: so a
    second listener can neither read a visitor's request nor take it from the kernel that
    waits for it (which would hang the visitor's page)."""

    connected: set[str] = set()

    def prepare(self):
        kernel_id = self.path_kwargs.get("kernel_id", "")
        given = self.request.headers.get(PREHEAT_HEADER, "")
        key = settings.get(PREHEAT_KEY)
        known = kernel_id in self.settings["kernel_manager"]
        if not (key and compare_digest(given, key) and known) or kernel_id in self.connected:
            log.warning("Voorverwarmkanaal geweigerd voor kernel %s", kernel_id)
            raise web.HTTPError(403)
        self.connected.add(kernel_id)

    def write_message(self, message, binary=False):
        if isinstance(message, dict) and "QUERY_STRING" in message:
            message = {**message, "QUERY_STRING": without_secrets(message["QUERY_STRING"])}
        sent = super().write_message(message, binary)
        for kernel_id, waiter in list(RequestInfoSocketHandler._waiters.items()):
            if waiter is self:
                RequestInfoSocketHandler._cache.pop(kernel_id, None)  # delivered: forget it
        return sent


def message_parts(message: bytes | str | dict) -> tuple[str, dict]:
    """The msg_type and content of a kernel message as Jupyter's websocket sends it: JSON
    text (the legacy protocol) or the binary v1 protocol (offsets, then channel, header,
    parent header, metadata, content, buffers)."""
    if isinstance(message, dict):
        return message.get("header", {}).get("msg_type", ""), message.get("content", {})
    if isinstance(message, str):
        data = json.loads(message)
        return data.get("header", {}).get("msg_type", ""), data.get("content", {})
    count = int.from_bytes(message[:8], "little")
    offsets = [int.from_bytes(message[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    offsets.append(len(message))
    header = json.loads(message[offsets[1] : offsets[2]])
    content = json.loads(message[offsets[4] : offsets[5]]) if count > 4 else {}
    return header.get("msg_type", ""), content


def for_server_log_only(msg_type: str, content: dict) -> bool:
    """Kernel output the browser must not get: error messages (their traceback, value and
    file paths) and anything written to stderr (a logged exception, a warning)."""
    if msg_type == "error":
        return True
    if msg_type == "execute_reply" and content.get("status") == "error":
        return True
    return msg_type == "stream" and content.get("name") == "stderr"


class KernelChannel(VoilaKernelWebsocketHandler):
    """The page's kernel websocket, for the page's owner only (dashboards.PageOwners answers
    jupyter_server's authorisation), with errors and stderr kept on the server. The page
    knows its sockets, so ending a person's pages closes them."""

    async def open(self, kernel_id):
        self.settings["pestdata_pages"].connected(kernel_id, self)
        await super().open(kernel_id)

    def on_close(self):
        self.settings["pestdata_pages"].disconnected(self.kernel_id, self)
        super().on_close()

    def write_message(self, message, binary=False):
        try:
            msg_type, content = message_parts(message)
        except (ValueError, IndexError, TypeError):
            msg_type, content = "", {}
        if for_server_log_only(msg_type, content):
            text = content.get("text") or "\n".join(content.get("traceback") or [])
            log.warning(
                "Kernel %s (niet naar de browser): %s", msg_type, text[-2000:],
                extra={"terminal": terminal.kernel_line(msg_type, content)},
            )  # fmt: skip
            return None
        return super().write_message(message, binary)


class OwnPageShutdown(VoilaShutdownKernelHandler):
    """Voilà's shutdown when a page closes, for the page's owner only."""

    @web.authenticated
    async def post(self, kernel_id):
        if not self.settings["pestdata_pages"].allows(kernel_id, person_of(self)):
            raise web.HTTPError(403)
        return await super().post(kernel_id)


# What the pages may load, measured on every dashboard in Chromium (tests/web/test_kernels.py
# collects violations): Voilà writes its page config and progress calls as inline scripts;
# widget views and plotly set inline styles; anywidget imports the chart module from a blob:
# URL; downloads and plotly's images are data: URLs; the kernel websocket is this server.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # No address of ours reaches another site. Not "no-referrer": Chromium then sends
    # "Origin: null" with every POST, and jupyter_server's origin check refuses the login
    # form and Voilà's shutdown of a closed page.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Server": "pestdata",  # tornado's says which version runs
}


class SecurityHeaders(OutputTransform):
    """Every answer of the server, whichever handler made it, with the headers above."""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        headers.update(SECURITY_HEADERS)
        return status_code, headers, chunk


class TokenlessDashboard(DashboardPage):
    """A dashboard whose token, once it signed the visitor in (prepare), is gone from the
    request: Voilà hands the query and the whole URL to the page's kernel (QUERY_STRING,
    VOILA_REQUEST_URL in its environment) and even to the next preheated kernel."""

    async def get(self, path=None):
        forget_secrets(self.request)
        return await super().get(path)


def forget_secrets(request) -> None:
    """The request (tornado's HTTPServerRequest) without the token in its query and URL."""
    if not any(name in request.query_arguments for name in SECRET_PARAMETERS):
        return
    request.query = without_secrets(request.query)
    request.uri = request.path + (f"?{request.query}" if request.query else "")
    for name in SECRET_PARAMETERS:
        request.query_arguments.pop(name, None)
        request.arguments.pop(name, None)


class NotFoundPage(web.RequestHandler):
    """Any address no handler serves: a Dutch 404 (tornado's own is an English line)."""

    def prepare(self):
        self.set_status(404)
        home = "<p><a href='/'>Naar de startpagina</a></p>"
        self.finish(page("Deze pagina bestaat niet", "<p>Controleer het adres.</p>", home))
