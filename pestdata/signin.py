"""Signing in to the server (server.py): personal accounts with a Dutch login page, or a
name vouched for by the school's reverse proxy, or (for scripts and tests) a token.

Who is signed in travels to the page's kernel signed with the server's key
(accounts.sign_person in an X-Pestdata-Person header set here, after any header of that name
the browser sent is thrown away); the kernel believes nothing else (ui.common.signed_in).
Each role sees only its dashboards (serve.ROLES); any other page gets a Dutch refusal.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from hmac import compare_digest

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider, User
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import List, Unicode, default
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_identity_provider import VoilaLoginHandler

from . import accounts
from .accounts import Person
from .markup import esc
from .model import StaffRole
from .serve import DASHBOARDS, ROLES
from .store import Store, StoreUnavailable
from .ui.preheat import PREHEAT_KEY

SCHOOL_DAY_HOURS = 10  # a login lasts one school day
COOKIE = "pestdata-sessie"
PERSON_HEADER = "X-Pestdata-Person"  # set by the server only; ui.common reads it in the kernel
PROXY_KEY_HEADER = "X-Pestdata-Proxy-Key"  # proves a request came through the school's proxy


@lru_cache(maxsize=1)
def server_store() -> Store:
    """The server process's own store (accounts), on the database the kernels use."""
    return Store(os.environ.get("PESTDATA_DB")).ensure_schema()


def page(title: str, text: str, status_link: str = "") -> str:
    """A minimal Dutch page for the server's own answers (login, refusals, the start page)."""
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{esc(title)} · '
        "pestdata</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;"
        "margin:3rem auto;padding:0 1rem;line-height:1.5}label{display:block;margin-top:1rem}"
        "input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}"
        "button{margin-top:1.2rem;font-size:1rem;padding:.5rem 1.2rem}"
        ".fout{color:#a00000;font-weight:600}</style></head><body>"
        f"<h1>{esc(title)}</h1>{text}{status_link}</body></html>"
    )


# --- who is signed in -------------------------------------------------------------------------


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
    role = os.environ.get("PESTDATA_ROLE", StaffRole.CARE_TEAM.value)
    return Person(f"toegangscode ({role})", role)


def allowed(role: str, notebook: str) -> bool:
    return notebook in ROLES.get(role, ())


class Attempts:
    """Failed logins per address in a sliding window: passwords or tokens cannot be guessed
    by trying (accounts.py also locks an account after five wrong passwords)."""

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
    """Answer 429 when the address has failed too often lately (both login forms ask)."""
    if not LOGIN_ATTEMPTS.too_many(handler.request.remote_ip or ""):
        return False
    handler.set_status(429)
    handler.finish(TOO_MANY)
    return True


class TokenLoginPage(VoilaLoginHandler):
    """The token form (token mode) in Dutch, with at most 20 failures per address in 5
    minutes. Jupyter checks the code (its field is called 'password')."""

    def _render(self, message=None):
        error = "<p class='fout' role='alert'>Deze toegangscode klopt niet.</p>" if message else ""
        next_url = esc(self.get_argument("next", default=self.base_url))
        self.write(
            page(
                "Toegangscode voor pestdata",
                f"{error}<form method='post'>{self.xsrf_form_html()}"
                f"<input type='hidden' name='next' value='{next_url}'>"
                "<label for='code'>Toegangscode</label><input id='code' name='password' "
                "type='password' autocomplete='current-password' required autofocus>"
                "<button type='submit'>Openen</button></form>"
                "<p>De toegangscode staat in het bericht van wie pestdata startte "
                "(pestdata serve --token …).</p>",
            )
        )

    @allow_unauthenticated
    def post(self):
        if turned_away(self):
            return None
        result = super().post()
        if self.get_status() != 302:  # no redirect: the token was wrong
            LOGIN_ATTEMPTS.failed(self.request.remote_ip or "")
        return result


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
        wanted = self.get_argument("next", "/")
        return wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"

    @allow_unauthenticated
    def get(self):
        self.finish(self.form())

    @allow_unauthenticated
    def post(self):
        if turned_away(self):
            return None
        name = self.get_argument("naam", "")
        try:
            person = accounts.sign_in(
                server_store(),
                name,
                self.get_argument("wachtwoord", ""),
                self.get_argument("code", ""),
                two_factor_roles=tuple(self.identity_provider.two_factor_roles),
            )
        except accounts.SignInRefused as refused:
            LOGIN_ATTEMPTS.failed(self.request.remote_ip or "")
            self.set_status(401)
            return self.finish(self.form(str(refused), name))
        except StoreUnavailable:
            self.set_status(503)
            return self.finish(self.form(StoreUnavailable.MESSAGE, name))
        self.set_signed_cookie(
            COOKIE,
            json.dumps({"name": person.name, "role": person.role, "session": person.session}),
            expires_days=SCHOOL_DAY_HOURS / 24,
            httponly=True,
            samesite="Lax",
            path=self.base_url,
        )
        self.redirect(self.next_page())


class LogoutPage(JupyterHandler):
    """Ends the session and says so in Dutch (Jupyter's own page is missing in Voilà, so
    /logout answered 500)."""

    @allow_unauthenticated
    def get(self):
        self.clear_cookie(COOKIE, path=self.base_url)
        self.identity_provider.clear_login_cookie(self)
        again = "<p><a href='login'>Opnieuw inloggen</a></p>"
        self.finish(page("Afgemeld", "<p>Je bent afgemeld.</p>", again))


class TokenIdentity(PasswordIdentityProvider):
    """Token mode: Voilà's token login with our login and logout pages and a cookie that
    lasts a school day and is not sent along with requests from other sites."""

    def __init__(self, **kwargs):
        kwargs["login_handler_class"] = TokenLoginPage
        kwargs["logout_handler_class"] = LogoutPage
        super().__init__(**kwargs)

    @default("cookie_options")
    def _cookie_options(self):
        return {"samesite": "Lax", "expires_days": SCHOOL_DAY_HOURS / 24}

    @default("get_secure_cookie_kwargs")
    def _cookie_reading(self):
        return {"max_age_days": SCHOOL_DAY_HOURS / 24}


class AccountsIdentity(IdentityProvider):
    """Personal accounts: the person from our session cookie, checked against the accounts
    table on every request (a disabled account or a reset password ends it at once); or,
    with `trusted_header`, the name the school's proxy put in that header, believed only
    with the proxy's key beside it."""

    trusted_header = Unicode("", config=True, help="Header with the user name from the proxy.")
    two_factor_roles = List(Unicode(), config=True, help="Roles that must sign in with a code.")
    proxy_key = Unicode("", config=True, help="Key the proxy sends in X-Pestdata-Proxy-Key.")

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
        person = self._from_proxy(handler) or self._from_cookie(handler)
        if person is None:
            return None
        return SignedInUser(
            username=person.name, name=person.name, display_name=person.name,
            role=person.role, session=person.session,
        )  # fmt: skip

    def _from_cookie(self, handler) -> Person | None:
        raw = handler.get_signed_cookie(COOKIE, max_age_days=SCHOOL_DAY_HOURS / 24)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            claimed = Person(str(data["name"]), str(data["role"]), int(data["session"]))
        except (ValueError, KeyError, TypeError):
            return None
        return accounts.still_valid(server_store(), claimed)

    def _from_proxy(self, handler) -> Person | None:
        if not self.trusted_header:
            return None
        name = handler.request.headers.get(self.trusted_header, "")
        key = handler.request.headers.get(PROXY_KEY_HEADER, "")
        if not name or not self.proxy_key or not compare_digest(key, self.proxy_key):
            return None  # a header that did not come through the proxy counts for nothing
        return accounts.current_person(server_store(), name)


# --- pages ------------------------------------------------------------------------------------


REFUSED = page(
    "Geen toegang",
    "<p>Deze pagina hoort niet bij jouw rol. Vraag de beheerder van pestdata als je denkt dat "
    "dit niet klopt.</p>",
    "<p><a href='/'>Naar je dashboards</a></p>",
)


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
        self.request.headers[PERSON_HEADER] = accounts.sign_person(
            person, os.environ.get(PREHEAT_KEY, "")
        )
        return await super().get(path)


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
                "<p><a href='logout'>Afmelden</a></p>",
            )
        )
