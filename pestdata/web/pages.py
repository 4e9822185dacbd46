"""Open pages and the kernels behind them: each belongs to the person who opened it.

A page's kernel holds what that person may see and acts in their name, so nobody else may
reach it. The server (server.py) records the owner when a page starts a kernel or takes one
from the preheat pool, and every kernel endpoint (the channels websocket, /api/kernels/ID,
Voilà's shutdown) answers 403 to anyone else (dashboards.PageOwners asks `Pages.allows`).
Kernels waiting in the pool have no owner, so no browser can connect to them at all.

Limits one person cannot exceed: at most `per_person` live pages per account (opening one
more closes that person's least recently used page), and a server-wide number of pages
derived from the machine's memory (a Dutch page says when it is full).

Pages end with their person: logout, `users disable` and `users reset` shut the person's
kernels and close their websockets within seconds (`check_accounts` runs every few seconds).
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextvars import ContextVar
from dataclasses import dataclass, field

from pestdata.core.errors import PestdataError
from pestdata.people.person import Person, still_valid
from pestdata.web.serve import PAGES_PER_PERSON

log = logging.getLogger("pestdata.web.pages")

# A closed page (its last websocket gone) ends after this: Voilà's own shutdown on unload is
# refused (no _xsrf, voila issue 1458), and the culler takes minutes. Long enough for a
# websocket that reconnects after a network hiccup; a reload opens a new page anyway.
CLOSED_PAGE_SECONDS = 30
KERNEL_MB = 180  # what one page's kernel costs (docs/VOILA-NOTES.md: 150–180 MB)
MEMORY_SHARE = 0.6  # of the machine's memory, the rest for the database, browsers, the OS

# The person whose page request is running: set by dashboards.DashboardPage around Voilà's
# rendering, read when that request starts a kernel or takes one from the pool.
OPENING: ContextVar[Person | None] = ContextVar("pestdata_opening", default=None)


def pages_for_memory(total_bytes: int | None = None) -> int:
    """How many page kernels this machine can hold: a share of its memory, at least 4."""
    if total_bytes is None:
        total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(4, int(total_bytes * MEMORY_SHARE) // (KERNEL_MB * 1024 * 1024))


@dataclass
class Page:
    """One page's kernel: whose it is, and the websockets open to it."""

    owner: Person
    sockets: set = field(default_factory=set)


class ServerFull(PestdataError):
    """The server holds as many pages as its memory allows."""

    MESSAGE = (
        "De server heeft nu te veel pagina's open. Sluit pagina's die je niet gebruikt en "
        "probeer het over een paar minuten opnieuw."
    )


class Pages:
    """Which person each page's kernel belongs to, and the limits on them."""

    def __init__(
        self,
        manager,
        per_person: int = PAGES_PER_PERSON,
        server_limit: int = 0,
        closed_seconds: float = CLOSED_PAGE_SECONDS,
    ):
        self.manager = manager
        self.closed_seconds = closed_seconds
        self.per_person = per_person
        self.server_limit = server_limit or pages_for_memory()
        self.pages: dict[str, Page] = {}

    # --- owners ---------------------------------------------------------------------------

    def claim(self, kernel_id: str, person: Person) -> None:
        self.pages[kernel_id] = Page(person)
        log.info("Kernel %s hoort bij %s", kernel_id, person.name)

    def allows(self, kernel_id: str, person: Person | None) -> bool:
        """Only the person who opened the page (same name, same session) reaches its kernel;
        a kernel without an owner (in the pool, or unknown) nobody."""
        page = self.pages.get(kernel_id)
        return bool(
            page
            and person
            and page.owner.name == person.name
            and page.owner.session == person.session
        )

    def of(self, name: str) -> list[str]:
        return [kernel_id for kernel_id, page in self.pages.items() if page.owner.name == name]

    def forget_ended(self) -> None:
        """Drop owners of kernels the manager no longer has (culled, shut down)."""
        alive = set(self.manager.list_kernel_ids())
        for kernel_id in [k for k in self.pages if k not in alive]:
            del self.pages[kernel_id]

    # --- websockets -----------------------------------------------------------------------

    def connected(self, kernel_id: str, socket) -> None:
        if kernel_id in self.pages:
            self.pages[kernel_id].sockets.add(socket)

    def disconnected(self, kernel_id: str, socket) -> None:
        """A websocket closed; the page's last one: the page ends after `closed_seconds`
        unless one opens again."""
        page = self.pages.get(kernel_id)
        if page is None:
            return
        page.sockets.discard(socket)
        if not page.sockets:
            loop = asyncio.get_running_loop()
            loop.call_later(self.closed_seconds, self._end_if_closed, kernel_id, page)

    def _end_if_closed(self, kernel_id: str, page: Page) -> None:
        if self.pages.get(kernel_id) is page and not page.sockets:
            asyncio.ensure_future(self.end(kernel_id, "pagina gesloten"))

    # --- limits ---------------------------------------------------------------------------

    def make_room(self, person: Person) -> list[str]:
        """Before a page opens: the kernels to close first so the person stays within their
        limit (least recently used first). Raises ServerFull when the server is full."""
        self.forget_ended()
        closing = []
        if person.has_account:  # a token server's pages all belong to its role
            own = sorted(self.of(person.name), key=self._last_used)
            closing = own[: max(0, len(own) - self.per_person + 1)]
        if len(self.manager.list_kernel_ids()) - len(closing) >= self.server_limit:
            raise ServerFull(ServerFull.MESSAGE)
        return closing

    def _last_used(self, kernel_id: str) -> float:
        try:
            return self.manager.get_kernel(kernel_id).last_activity.timestamp()
        except KeyError:
            return 0.0

    # --- ending pages ---------------------------------------------------------------------

    async def end(self, kernel_id: str, why: str) -> None:
        """Close the page's websockets and shut its kernel down."""
        page = self.pages.pop(kernel_id, None)
        for socket in list(page.sockets if page else ()):
            socket.close(code=4001, reason="afgemeld")
        if kernel_id in self.manager:
            log.info("Kernel %s afgesloten: %s", kernel_id, why)
            await self.manager.shutdown_kernel(kernel_id, now=True)

    async def end_person(self, name: str, why: str = "afgemeld") -> None:
        for kernel_id in self.of(name):
            await self.end(kernel_id, why)

    async def check_accounts(self, store) -> None:
        """Every few seconds: pages of an account that was disabled or reset, or whose
        person signed out everywhere, end."""
        self.forget_ended()
        checked: dict[Person, bool] = {}
        for kernel_id, page in list(self.pages.items()):
            if not page.owner.has_account:
                continue
            if page.owner not in checked:
                try:
                    checked[page.owner] = still_valid(store, page.owner) is not None
                except Exception:  # a database hiccup ends nobody's page
                    log.exception("accounts niet te lezen")
                    checked[page.owner] = True
            if not checked[page.owner]:
                await self.end(kernel_id, f"account {page.owner.name} niet meer geldig")


def record_owners(manager, pages: Pages) -> None:
    """Wrap the two ways a page request gets its kernel (Voilà's handler calls them on the
    manager): a new kernel, or one taken from the preheat pool. The pool's own starts call
    the class's method and stay ownerless until a page takes them."""
    start, take = manager.start_kernel, getattr(manager, "get_rendered_notebook", None)

    async def start_kernel(*args, **kwargs):
        kernel_id = await start(*args, **kwargs)
        if OPENING.get():
            pages.claim(kernel_id, OPENING.get())
        return kernel_id

    async def get_rendered_notebook(*args, **kwargs):
        render_task, rendered, kernel_id = await take(*args, **kwargs)
        if OPENING.get():
            pages.claim(kernel_id, OPENING.get())
        return render_task, rendered, kernel_id

    manager.start_kernel = start_kernel
    if take:
        manager.get_rendered_notebook = get_rendered_notebook
