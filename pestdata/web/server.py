"""The Voilà server process that `pestdata serve` runs, with the holes that were found closed.

The Voilà server itself (`python -m pestdata.web.server`, which `pestdata serve` runs): Voilà
0.5 with what an attacker on the same machine or a curious token holder found closed.

- Voilà's preheat channel, kernel websocket, shutdown and dashboard are replaced by ours
  (handlers.py): our own kernels only on the preheat channel, no kernel error or stderr in
  the browser, each page's kernel for its owner only, no token passed on to a kernel; every
  answer with the security headers.
- Log lines carry no token; a request for a foreign Host is refused.
- Signing in: personal accounts or the school's proxy (login.py, proxy.py), or a token
  (token_login.py); the cookie (SameSite=Lax, a school day) and /logout (sessions.py); each
  role's dashboards and the signed person on its way to the kernel (dashboards.py).
- The kernel of a page left open but untouched for two hours is shut down (~150 MB each).
- The served notebooks are signed at start in a notary of this process only, so Jupyter does
  not call each one "not trusted" at every page visit.
- The terminal gets our Dutch lines only (terminal.py) unless `verbose`; no address with a
  token in it either way.

The command line and the environment are in serve.py; the kernel side of preheating in
ui/preheat.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import signal
import sys
import time
from functools import partial
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async
from jupyter_server.log import log_request
from nbformat.sign import NotebookNotary
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Bool, Float, Int, List, Unicode, default
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from pestdata.core import files, names
from pestdata.ui.preheat import PREHEAT_KEY
from pestdata.web import kernel_forks, terminal
from pestdata.web.dashboards import PERSON_HEADER, PageOwners, StartPage
from pestdata.web.handlers import (
    SECRET_PARAMETERS,
    KernelChannel,
    NotFoundPage,
    OwnPageShutdown,
    PreheatChannel,
    SecurityHeaders,
    TokenlessDashboard,
)
from pestdata.web.login import AccountsIdentity
from pestdata.web.pages import CLOSED_PAGE_SECONDS, Pages, record_owners
from pestdata.web.sessions import server_store
from pestdata.web.token_login import TokenIdentity

log = logging.getLogger("pestdata.web.server")

OPEN_PAGE_IDLE_HOURS = 2  # an open page nobody touched for this long loses its kernel


class NoSecretsInLog(logging.Filter):
    """Every log line with the token's value replaced: tornado names the whole URL when a
    request fails ("404 GET /voila/render/x.ipynb?token=...")."""

    PATTERN = re.compile("((?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&\s)'\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(f"{name}=" in text for name in SECRET_PARAMETERS):
            record.msg, record.args = self.PATTERN.sub(r"\1[secret]", text), ()
        return True


def keep_secrets_out_of(*loggers: logging.Logger) -> None:
    """Put NoSecretsInLog on every handler these loggers (and the root) write through. The
    root gets a handler of its own first: otherwise tornado's lines go to logging's
    last-resort handler, which has no filters."""
    logging.basicConfig(format="[%(name)s] %(levelname)s | %(message)s")
    for logger in (*loggers, logging.getLogger()):
        for handler in logger.handlers:
            if not any(isinstance(f, NoSecretsInLog) for f in handler.filters):
                handler.addFilter(NoSecretsInLog())


class PestdataVoila(Voila):
    """Voilà with our handlers (handlers.py), identity provider and Host check."""

    host_names = List(
        Unicode(),
        default_value=["localhost"],
        config=True,
        help="Host names the server answers to besides IP addresses of this machine.",
    )
    open_page_idle_hours = Float(
        OPEN_PAGE_IDLE_HOURS,
        config=True,
        help="A page left open without any use loses its kernel after this many hours.",
    )
    idle_check_seconds = Int(300, config=True)
    closed_page_seconds = Float(
        CLOSED_PAGE_SECONDS,
        config=True,
        help="A page whose last websocket closed loses its kernel after this many seconds.",
    )
    account_check_seconds = Float(
        3, config=True, help="How often pages of disabled or reset accounts are looked for."
    )
    pages_per_person = Int(6, config=True, help="Live pages per account.")
    max_pages = Int(0, config=True, help="Page kernels on this server (0: from the memory).")

    accounts = Bool(False, config=True, help="Personal accounts (login.py) instead of a token.")
    proxy_key_file = Unicode(
        "", config=True, help="File with the key the proxy sends (single sign-on)."
    )
    fork_kernels = Bool(
        True,
        config=True,
        help="Page kernels forked from one process that imported their libraries once "
        "(kernel_forks.py); False: each kernel a new Python.",
    )
    verbose = Bool(
        True,
        config=True,
        help="Jupyter's and Voilà's whole log; False: only pestdata's Dutch lines "
        "(terminal.py), as `pestdata serve` without --verbose.",
    )

    @default("identity_provider_class")
    def _identity_provider(self):
        return AccountsIdentity if self.accounts else TokenIdentity

    @default("authorizer_class")
    def _authorizer(self):
        return PageOwners

    def parse_command_line(self, argv=None):
        super().parse_command_line(argv)
        if not self.verbose:  # as soon as we know, before anything else can log
            terminal.speak_dutch(self.log, lambda: self.port)
            self.config.MappingKernelManager.kernel_manager_class = terminal.QUIET_KERNELS
        if self.fork_kernels:
            self.config.KernelProvisionerFactory.default_provisioner_name = "pestdata-fork"

    def initialize(self, argv=None):
        # Made before any kernel starts: each kernel inherits it, nobody else can read it.
        os.environ[PREHEAT_KEY] = secrets.token_urlsafe(32)
        super().initialize(argv)
        # A token server's token comes in the environment (serve.voila_env), never in the
        # arguments `ps` shows; taken out again before any kernel or helper process starts
        # (they inherit the environment).
        token = os.environ.pop("JUPYTER_TOKEN", "")
        if not self.accounts:
            self.token = token or self.refuse_to_start("Geen toegangscode (PESTDATA_TOKEN).")
        # One name detector for every page (names.py): kernels ask it over a Unix socket in
        # a 0700 folder (PESTDATA_NAMES_SOCKET), none loads deduce. It ends with this server.
        self.names_service = names.start_service()
        if self.fork_kernels:
            self.kernel_forks = kernel_forks.start_service()
        # The signed person (dashboards.DashboardPage) reaches the kernel as HTTP_X_PESTDATA_PERSON.
        self.voila_configuration.http_header_envs = [PERSON_HEADER]
        if self.proxy_key_file:
            try:  # refused in the CLI already; here too, whoever starts the server
                key = files.read_secret(Path(self.proxy_key_file), "Het sleutelbestand")
            except files.FileRefused as refused:
                self.refuse_to_start(str(refused))
            self.config.AccountsIdentity.proxy_key = key  # read when the provider is made
        keep_secrets_out_of(self.log, logging.getLogger("tornado"))

    @property
    def display_url(self):
        """The address Voilà logs at start, without `?token=`: with accounts Jupyter's own
        generated token opens nothing here (login.AccountsIdentity), and a token server's
        token stays out of the log."""
        return super().display_url.split("?", 1)[0]

    def refuse_to_start(self, message: str):
        self.log.critical("pestdata start niet: %s", message)
        self.exit(1)

    def init_settings(self):
        settings = super().init_settings()
        settings["allow_remote_access"] = False  # so jupyter_server checks the Host header
        settings["local_hostnames"] = list(self.host_names)
        settings["log_function"] = partial(log_request, record_prometheus_metrics=False)
        settings["websocket_ping_interval"] = 30  # a page closed without goodbye is noticed
        # An upload crosses the page's websocket as one message: tornado's 10 MiB would drop
        # a file under the stated limit without a word (the browser refuses larger ones).
        from pestdata.registers.reading import UPLOAD_MESSAGE_BYTES

        settings["websocket_max_message_size"] = UPLOAD_MESSAGE_BYTES
        settings["pestdata_notebooks"] = self.root_dir
        if self.config.AccountsIdentity.get("https_only", False):  # serve --https-only
            settings["xsrf_cookie_kwargs"] = {"secure": True}  # as the session cookie
        settings["default_handler_class"] = NotFoundPage
        self.pages = Pages(
            self.kernel_manager, self.pages_per_person, self.max_pages, self.closed_page_seconds
        )
        record_owners(self.kernel_manager, self.pages)
        settings["pestdata_pages"] = self.pages
        settings["pestdata_end_pages"] = self.end_pages  # sessions.LogoutPage calls it
        self.trust_served_notebooks()
        return settings

    def trust_served_notebooks(self) -> None:
        """Sign the notebooks this server serves, in a notary of this process: a new key at
        every start, signatures in memory, nothing written to the home folder (Jupyter's
        default notary keeps both there). jupyter_server checks the signature each time a
        page opens a notebook and warns "Notebook … is not trusted" for any it cannot vouch
        for; whoever starts the server chose these notebooks. Signed as read (nbformat 4),
        as the contents manager reads them."""
        notary = NotebookNotary(
            parent=self.contents_manager, db_file=":memory:", secret=secrets.token_bytes(32)
        )
        for path in sorted(Path(self.root_dir).rglob("*.ipynb")):
            notary.sign(nbformat.read(path, as_version=4))
        self.contents_manager.notary = notary

    def end_pages(self, name: str):
        """Shut the person's pages (logout awaits it): their kernels and websockets."""
        return self.pages.end_person(name)

    def init_handlers(self):
        replaced = {
            RequestInfoSocketHandler: PreheatChannel,
            VoilaKernelWebsocketHandler: KernelChannel,
            VoilaShutdownKernelHandler: OwnPageShutdown,
            TornadoVoilaHandler: TokenlessDashboard,
            TornadoVoilaTreeHandler: StartPage,
        }
        return [
            (route[0], replaced.get(route[1], route[1]), *route[2:])
            for route in super().init_handlers()
        ]

    def listen(self):
        self.app.transforms.append(SecurityHeaders)  # the app exists now; it serves next
        super().listen()

    def start(self):
        PeriodicCallback(self.shut_down_forgotten_pages, self.idle_check_seconds * 1000).start()
        if self.accounts:
            from pestdata.people import passwords

            passwords.no_account_hash()  # made now: the first unknown name waits no longer
            PeriodicCallback(
                lambda: self.pages.check_accounts(server_store()),
                self.account_check_seconds * 1000,
            ).start()
        # Ctrl+C stops the loop between two callbacks, as SIGTERM does in Voilà. Raised as
        # KeyboardInterrupt it landed in whatever ran then (a page request, a kernel's
        # shutdown), and that task failed the stop with an English traceback.
        IOLoop.current().asyncio_loop.add_signal_handler(signal.SIGINT, self._stop_on_ctrl_c)
        super().start()

    def _stop_on_ctrl_c(self) -> None:
        self.log.info("Stopping...", extra={"terminal": terminal.STOPPED})
        IOLoop.current().stop()

    def stop(self):
        """Voilà's stop, after every kernel has settled (settle_kernels). A second Ctrl+C
        while the kernels shut down (a second or two, shutdown_wait_time) is not heard: it
        would cut the shutdown short with an English traceback and leave kernels running."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # On the server's own loop (stopped now): a kernel still starting or shutting down
        # is a task of that loop, and waiting for it on another one (run_sync) never ran it:
        # a closed page's kernel held every stop for the whole 10 s.
        self.ioloop.asyncio_loop.run_until_complete(settle_kernels(self.kernel_manager))
        super().stop()

    async def shut_down_forgotten_pages(self):
        """Kernels of pages still open but unused for `open_page_idle_hours`: Jupyter's own
        culler leaves connected kernels alone (closed pages go after --cull-idle seconds),
        and kernels waiting in the preheat pool are not pages."""
        manager = self.kernel_manager
        limit = self.open_page_idle_hours * 3600
        waiting = pooled_kernels(manager)
        for kernel_id in list(manager.list_kernel_ids()):
            idle = time.time() - manager.get_kernel(kernel_id).last_activity.timestamp()
            if idle >= limit and kernel_id not in waiting:
                self.log.info("Kernel %s: %.1f uur ongebruikt, afgesloten", kernel_id, idle / 3600)
                await manager.shutdown_kernel(kernel_id)


async def settle_kernels(manager, wait_seconds: float = 10) -> None:
    """Before the server's shutdown of all kernels: wait for kernels still starting,
    restarting or shutting down, each of which failed the whole stop. A kernel starting
    (the preheat pool refilling after a page took one) is not yet in the manager's map, and
    jupyter_server's shutdown refuses it with "Kernel does not exist"; a restart not yet
    finished (a page's kernel that died) fails it with InvalidStateError. A restart that
    does not finish in time is killed and forgotten."""
    deadline = time.monotonic() + wait_seconds
    in_flight = dict(getattr(manager, "_pending_kernels", {}))
    if in_flight:
        await asyncio.wait(in_flight.values(), timeout=wait_seconds)
    restarting = {
        kernel_id: manager.get_kernel(kernel_id)
        for kernel_id in manager.list_kernel_ids()
        if kernel_id not in in_flight
    }
    # A restart is two steps (the old process's end, then a new start), each with a `ready`
    # of its own: wait until the one current now is done, not the first one seen.
    while unready := [k.ready for k in restarting.values() if not k.ready.done()]:
        if time.monotonic() >= deadline:
            break
        await asyncio.wait(unready, timeout=deadline - time.monotonic())
    for kernel_id, kernel in restarting.items():
        if not kernel.ready.done():
            try:
                await ensure_async(kernel.shutdown_kernel(now=True))
            except asyncio.InvalidStateError:  # the restart ended under the shutdown, which
                pass  # still ended the process: only their shared `ready` crossed
            manager.remove_kernel(kernel_id)


def pooled_kernels(manager) -> set[str]:
    """Ids of the kernels in Voilà's preheat pool (started, not yet taken by a page)."""
    ids = set()
    for pool in getattr(manager, "_pools", {}).values():
        for item in pool:
            if item.done() and not item.cancelled() and item.exception() is None:
                ids.add(item.result().get("kernel_id"))
    return ids


def main() -> None:
    """Run the server. A crash ends it with one Dutch line (the traceback too with
    verbose), and exit status 1."""
    try:
        PestdataVoila.launch_instance()
    except Exception:
        log.critical("pestdata serve is gestopt door een fout", exc_info=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
