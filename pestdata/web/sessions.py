"""Sessions: who is signed in, kept in a signed cookie for one school day, and how it ends.

The session cookie names the person, their role and the account's session version; it is
checked against the accounts table on every request (still_valid), so a disabled
account or a reset password ends it at once. Logging out is a POST with the _xsrf value (a
link from another site cannot do it); it ends every session of the account and closes the
person's pages. A browser the person signed in with keeps a device cookie: its own client
for failed logins (accounts.sign_in), so an attacker at the same address cannot keep them
out. The cookies are Secure with `--https-only` or when the proxy says HTTPS
(proxy.over_https).
"""

from __future__ import annotations

import inspect
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import User
from jupyter_server.base.handlers import JupyterHandler

from pestdata.core import privacy, settings
from pestdata.core.markup import esc
from pestdata.db.store import Store, StoreUnavailable
from pestdata.people import accounts
from pestdata.people.person import Person, still_valid
from pestdata.web.html_page import page
from pestdata.web.proxy import client_address, over_https

SCHOOL_DAY_HOURS = 10  # a login lasts one school day
COOKIE = "pestdata-sessie"
DEVICE_COOKIE = "pestdata-apparaat"  # a browser this person signed in with: its own client
DEVICE_DAYS = 180


@lru_cache(maxsize=1)
def server_store() -> Store:
    """The server process's own store (accounts), on the database the kernels use."""
    return Store(settings.get("PESTDATA_DB")).ensure_schema()


@dataclass
class SignedInUser(User):
    """Jupyter's user with the role from pestdata's own accounts."""

    role: str = ""
    session: int = 0


def person_of(handler: JupyterHandler) -> Person:
    """The person behind a request that passed authentication. A token server has no
    person: its role stands in ('toegangscode (zorgteam)')."""
    user = handler.current_user
    if isinstance(user, SignedInUser):
        return Person(user.username, user.role, user.session)
    return Person.standing_in(privacy.server_role())


def start_session(handler: JupyterHandler, person: Person) -> None:
    """The session cookie for a person who just signed in: a school day long."""
    handler.set_signed_cookie(
        COOKIE,
        json.dumps({"name": person.name, "role": person.role, "session": person.session}),
        expires_days=SCHOOL_DAY_HOURS / 24,
        httponly=True,
        samesite="Lax",
        secure=over_https(handler),
        path=handler.base_url,
    )


def session_person(handler: JupyterHandler) -> Person | None:
    """The person of the session cookie, if their account still stands as it did then."""
    raw = handler.get_signed_cookie(COOKIE, max_age_days=SCHOOL_DAY_HOURS / 24)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        claimed = Person(str(data["name"]), str(data["role"]), int(data["session"]))
    except (ValueError, KeyError, TypeError):
        return None
    return still_valid(server_store(), claimed)


def device_client(handler: JupyterHandler, name: str) -> str:
    """The client whose failures count for `name` (accounts.sign_in): this browser if the
    person signed in with it before, else the address."""
    raw = handler.get_signed_cookie(DEVICE_COOKIE, max_age_days=DEVICE_DAYS)
    try:
        device = json.loads(raw) if raw else {}
    except ValueError:
        device = {}
    if isinstance(device, dict) and device.get("name") == name.strip() and device.get("id"):
        return f"browser {device['id']}"[:100]
    return f"adres {client_address(handler)}"


def remember_device(handler: JupyterHandler, name: str, client: str) -> None:
    """This browser is the person's own client from now on (or stays so)."""
    device = client.removeprefix("browser ") if client.startswith("browser ") else None
    value = {"name": name, "id": device or secrets.token_hex(8)}
    handler.set_signed_cookie(
        DEVICE_COOKIE, json.dumps(value), expires_days=DEVICE_DAYS, httponly=True,
        samesite="Strict", secure=over_https(handler), path=handler.base_url,
    )  # fmt: skip


def logout_form(handler: JupyterHandler, action: str = "logout") -> str:
    """The 'Afmelden' button: a POST with the _xsrf value, so a link or an image on another
    site cannot sign anyone out."""
    return (
        f"<form method='post' action='{esc(action)}'>{handler.xsrf_form_html()}"
        "<button type='submit'>Afmelden</button></form>"
    )


class LogoutPage(JupyterHandler):
    """GET asks (a Dutch page with the button); the POST it sends, with the _xsrf value
    (Jupyter checks it before `post` runs), ends every session of the account, closes the
    person's pages (server.py's `pestdata_end_pages`) and clears the cookie."""

    @allow_unauthenticated
    def get(self):
        self.finish(
            page("Afmelden bij pestdata", "<p>Wil je afmelden?</p>" + logout_form(self, ""))
        )

    @allow_unauthenticated
    async def post(self):
        user = self.current_user
        if isinstance(user, SignedInUser):
            try:
                accounts.sign_out(server_store(), user.username)
            except StoreUnavailable:
                self.log.warning("Afmelden van %s niet in de database gezet", user.username)
            end_pages = self.settings.get("pestdata_end_pages")
            if end_pages:
                ended = end_pages(user.username)
                if inspect.isawaitable(ended):
                    await ended
        self.clear_cookie(COOKIE, path=self.base_url)
        self.identity_provider.clear_login_cookie(self)
        again = "<p><a href='login'>Opnieuw inloggen</a></p>"
        self.finish(page("Afgemeld", "<p>Je bent afgemeld.</p>", again))
