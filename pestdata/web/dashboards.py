"""Which pages a signed-in person may open: the start page, dashboards by role, kernels by owner.

Who is signed in travels to the page's kernel signed with the server's key
(sign_person in an X-Pestdata-Person header set here, after any header of that name
the browser sent is thrown away); the kernel believes nothing else (ui.common.signed_in).
Each role sees only its dashboards (serve.ROLES); any other page gets a Dutch refusal.
"""

from __future__ import annotations

import os

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from voila.tornado.handler import TornadoVoilaHandler

from pestdata.core import settings
from pestdata.core.markup import esc
from pestdata.people.person import sign_person
from pestdata.ui.preheat import PREHEAT_KEY
from pestdata.web.html_page import page
from pestdata.web.pages import OPENING, ServerFull
from pestdata.web.serve import DASHBOARDS, ROLES
from pestdata.web.sessions import SignedInUser, logout_form, person_of

PERSON_HEADER = "X-Pestdata-Person"  # set by the server only; ui.common reads it in the kernel

REFUSED = page(
    "Geen toegang",
    "<p>Deze pagina hoort niet bij jouw rol. Vraag de beheerder van pestdata als je denkt dat "
    "dit niet klopt.</p>",
    "<p><a href='/'>Naar je dashboards</a></p>",
)


def allowed(role: str, notebook: str) -> bool:
    return notebook in ROLES.get(role, ())


class PageOwners(Authorizer):
    """jupyter_server asks this for every kernel endpoint (the websocket, /api/kernels/ID):
    only the page's owner is allowed."""

    def is_authorized(self, handler, user, action, resource) -> bool:
        if resource != "kernels":
            return True
        kernel_id = handler.path_kwargs.get("kernel_id") or next(iter(handler.path_args), "")
        allowed = handler.settings["pestdata_pages"].allows(kernel_id, person_of(handler))
        if not allowed:
            self.log.warning("Kernel %s geweigerd voor %s", kernel_id, person_of(handler).name)
        return allowed


class DashboardPage(TornadoVoilaHandler):
    """A dashboard, for the roles it belongs to; the signed person goes to its kernel."""

    @web.authenticated
    async def get(self, path=None):
        person = person_of(self)
        notebook = (path or "").removesuffix(".ipynb").strip("/")
        signed = isinstance(self.current_user, SignedInUser)  # a token server: its own folder
        if signed and not allowed(person.role, notebook):
            self.set_status(403)
            return self.finish(REFUSED)
        for name in [h for h in self.request.headers if h.lower() == PERSON_HEADER.lower()]:
            del self.request.headers[name]  # a browser's own "person" counts for nothing
        self.request.headers[PERSON_HEADER] = sign_person(person, settings.get(PREHEAT_KEY))
        pages = self.settings.get("pestdata_pages")
        if pages is not None:
            try:
                closing = pages.make_room(person)
            except ServerFull as full:
                self.set_status(503)
                return self.finish(page("De server is vol", f"<p>{esc(full)}</p>"))
            for kernel_id in closing:
                await pages.end(kernel_id, f"meer dan {pages.per_person} pagina's open")
        opening = OPENING.set(person)  # the kernel this request gets is theirs
        try:
            return await super().get(path)
        finally:
            OPENING.reset(opening)


class StartPage(JupyterHandler):
    """'/': the signed-in person's dashboards, in Dutch (instead of Jupyter's file list)."""

    def initialize(self, **kwargs):
        """Voilà's tree settings are not needed here."""

    @web.authenticated
    async def get(self, path=""):
        person = person_of(self)
        folder = self.settings.get("pestdata_notebooks", "")
        links = "".join(
            f"<li><a href='voila/render/{name}.ipynb'>{esc(DASHBOARDS[name])}</a></li>"
            for name in ROLES.get(person.role, ())
            if not folder or os.path.exists(os.path.join(folder, f"{name}.ipynb"))
        )
        self.finish(
            page(
                "pestdata",
                f"<p>Aangemeld als <b>{esc(person.name)}</b>.</p><ul>{links}</ul>",
                logout_form(self),
            )
        )
