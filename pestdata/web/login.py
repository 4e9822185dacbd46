"""Signing in with a personal account: the Dutch login page, and the identity it gives.

Who is signed in comes from the session cookie (sessions.py), or, with a trusted header, from
the name the school's reverse proxy vouches for (proxy.py); both are checked against the
accounts on every request. A token server signs in with token_login.py instead.

Signing in cannot be turned against the school (issue 21):
- Failures count per client: the address the request came from, or the one the school's
  proxy names in X-Forwarded-For, believed only with the proxy's key beside it
  (proxy.client_address). One client that fails 20 times in 5 minutes waits (429); the
  others behind the same proxy do not. Per account, accounts.sign_in makes only the failing
  (name, client) pair wait, a few minutes at most; a browser in which the person signed in
  before is a client of its own (sessions.device_client), so an attacker at the same address
  cannot keep them out either.
- Every refusal is the same Dutch text and status, whatever was wrong (accounts.REFUSED).
- `next` is a path on this server and nothing else (`safe_next`), in both login forms.
"""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import unquote, urlsplit

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider
from jupyter_server.base.handlers import JupyterHandler
from traitlets import Bool, List, Unicode

from pestdata.core.markup import esc
from pestdata.db.store import StoreUnavailable
from pestdata.people import accounts
from pestdata.people.person import Person, current_person
from pestdata.web.html_page import page
from pestdata.web.proxy import client_address, vouched_name
from pestdata.web.sessions import (
    LogoutPage,
    SignedInUser,
    device_client,
    remember_device,
    server_store,
    session_person,
    start_session,
)

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(wanted: str | None, base: str = "/") -> str:
    """Where to go after signing in: a path under `base` on this server, else `base`.
    Refused, also percent-encoded (once or more): a scheme or host, '//' anywhere, a
    backslash (browsers read '/\\evil' as '//evil'), control characters (browsers drop a
    tab or newline, so '/\\t/evil' is '//evil')."""
    wanted = wanted or ""
    forms = [wanted]
    while len(forms) < 4 and unquote(forms[-1]) != forms[-1]:
        forms.append(unquote(forms[-1]))
    for form in forms:
        parts = urlsplit(form)
        if (
            not form.startswith(base)
            or not form.startswith("/")
            or "//" in form
            or "\\" in form
            or CONTROL.search(form)
            or parts.scheme
            or parts.netloc
        ):
            return base
    return wanted


class Attempts:
    """Failed logins per client (`client_address`) in a sliding window: passwords or tokens
    cannot be guessed by trying many names (accounts.py also makes a (name, client) pair
    wait after five wrong passwords)."""

    def __init__(self, allowed: int, window: float):
        self.allowed, self.window = allowed, window
        self.seen: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        recent = self.seen.setdefault(address, deque())
        while recent and time.monotonic() - recent[0] > self.window:
            recent.popleft()
        return recent

    def too_many(self, address: str) -> bool:
        return len(self._recent(address)) >= self.allowed

    def failed(self, address: str) -> None:
        self._recent(address).append(time.monotonic())


LOGIN_ATTEMPTS = Attempts(allowed=20, window=300)
TOO_MANY = page("Te vaak geprobeerd", "<p>Wacht vijf minuten en probeer het dan opnieuw.</p>")


def turned_away(handler: JupyterHandler) -> bool:
    """Answer 429 when the client has failed too often lately (both login forms ask)."""
    if not LOGIN_ATTEMPTS.too_many(client_address(handler)):
        return False
    handler.set_status(429)
    handler.finish(TOO_MANY)
    return True


class LoginPage(JupyterHandler):
    """The Dutch login page for personal accounts: name, password, and the code when the
    account asks for one."""

    def form(self, error: str = "", name: str = "") -> str:
        message = f"<p class='fout' role='alert'>{esc(error)}</p>" if error else ""
        return page(
            "Inloggen bij pestdata",
            f"{message}<form method='post'>{self.xsrf_form_html()}"
            f"<label for='naam'>Naam</label><input id='naam' name='naam' value='{esc(name)}' "
            "autocomplete='username' required autofocus>"
            "<label for='wachtwoord'>Wachtwoord</label><input id='wachtwoord' "
            "name='wachtwoord' type='password' autocomplete='current-password' required>"
            "<label for='code'>Code uit je app (alleen als je account daarom vraagt)</label>"
            "<input id='code' name='code' inputmode='numeric' autocomplete='one-time-code'>"
            f"<input type='hidden' name='next' value='{esc(self.next_page())}'>"
            "<button type='submit'>Inloggen</button></form>",
        )

    def next_page(self) -> str:
        """Where to go after signing in: a path on this server only."""
        return safe_next(self.get_argument("next", ""), self.base_url)

    @allow_unauthenticated
    def get(self):
        self.finish(self.form())

    @allow_unauthenticated
    def post(self):
        if turned_away(self):
            return None
        name = self.get_argument("naam", "")
        client = device_client(self, name)
        try:
            person = accounts.sign_in(
                server_store(),
                name,
                self.get_argument("wachtwoord", ""),
                self.get_argument("code", ""),
                two_factor_roles=tuple(self.identity_provider.two_factor_roles),
                client=client,
            )
        except accounts.SignInRefused as refused:
            LOGIN_ATTEMPTS.failed(client_address(self))
            self.set_status(401)
            return self.finish(self.form(str(refused), name))
        except StoreUnavailable:
            self.set_status(503)
            return self.finish(self.form(StoreUnavailable.MESSAGE, name))
        start_session(self, person)
        remember_device(self, person.name, client)
        self.redirect(self.next_page())


class AccountsIdentity(IdentityProvider):
    """Personal accounts: the person from our session cookie, checked against the accounts
    table on every request (a disabled account or a reset password ends it at once); or,
    with `trusted_header`, the name the school's proxy put in that header, believed only
    with the proxy's key beside it."""

    trusted_header = Unicode("", config=True, help="Header with the user name from the proxy.")
    two_factor_roles = List(Unicode(), config=True, help="Roles that must sign in with a code.")
    proxy_key = Unicode("", config=True, help="Key the proxy sends in X-Pestdata-Proxy-Key.")
    https_only = Bool(False, config=True, help="The session cookie is always Secure.")

    def __init__(self, **kwargs):
        kwargs["login_handler_class"] = LoginPage
        kwargs["logout_handler_class"] = LogoutPage
        kwargs.pop("token", None)
        super().__init__(**kwargs)

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    def validate_security(self, app, ssl_options=None) -> None:
        """No token to warn about: every page needs a signed-in person."""

    def get_user(self, handler):
        person = self._from_proxy(handler) or session_person(handler)
        if person is None:
            return None
        return SignedInUser(
            username=person.name, name=person.name, display_name=person.name,
            role=person.role, session=person.session,
        )  # fmt: skip

    def _from_proxy(self, handler) -> Person | None:
        name = vouched_name(handler, self.trusted_header)
        return current_person(server_store(), name) if name else None
