"""Signing in to the server: personal accounts, the school's proxy, or a token for scripts.

Signing in to the server (server.py): personal accounts with a Dutch login page, or a
name vouched for by the school's reverse proxy, or (for scripts and tests) a token.

Who is signed in travels to the page's kernel signed with the server's key
(accounts.sign_person in an X-Pestdata-Person header set here, after any header of that name
the browser sent is thrown away); the kernel believes nothing else (ui.common.signed_in).
Each role sees only its dashboards (serve.ROLES); any other page gets a Dutch refusal.

Signing in cannot be turned against the school (issue 21):
- Failures count per client: the address the request came from, or the one the school's
  proxy names in X-Forwarded-For, believed only with the proxy's key beside it
  (`client_address`). One client that fails 20 times in 5 minutes waits (429); the others
  behind the same proxy do not. Per account, accounts.sign_in makes only the failing
  (name, client) pair wait, a few minutes at most; a browser in which the person signed in
  before is a client of its own (a signed device cookie), so an attacker at the same address
  cannot keep them out either.
- Every refusal is the same Dutch text and status, whatever was wrong (accounts.REFUSED).
- `next` is a path on this server and nothing else (`safe_next`), in both login forms.
- Logging out is a POST with the _xsrf value (a link from another site cannot do it); it
  ends every session of the account and closes the person's pages.
- The cookie is Secure with `--https-only`, or when the proxy (with its key) says the
  browser came over HTTPS (X-Forwarded-Proto). The proxy's name header is read as UTF-8.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from hmac import compare_digest
from urllib.parse import unquote, urlsplit

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider, User
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Bool, List, Unicode, default
from voila.tornado.handler import TornadoVoilaHandler
from voila.voila_identity_provider import VoilaLoginHandler

from pestdata.core import privacy, settings
from pestdata.core.markup import esc
from pestdata.db.store import Store, StoreUnavailable
from pestdata.people import accounts
from pestdata.people.accounts import Person
from pestdata.ui.preheat import PREHEAT_KEY
from pestdata.web.pages import OPENING, ServerFull
from pestdata.web.serve import DASHBOARDS, ROLES

SCHOOL_DAY_HOURS = 10  # a login lasts one school day
COOKIE = "pestdata-sessie"
DEVICE_COOKIE = "pestdata-apparaat"  # a browser this person signed in with: its own client
DEVICE_DAYS = 180
PERSON_HEADER = "X-Pestdata-Person"  # set by the server only; ui.common reads it in the kernel
PROXY_KEY_HEADER = "X-Pestdata-Proxy-Key"  # proves a request came through the school's proxy


@lru_cache(maxsize=1)
def server_store() -> Store:
    """The server process's own store (accounts), on the database the kernels use."""
    return Store(settings.get("PESTDATA_DB")).ensure_schema()


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
    return Person.standing_in(privacy.server_role())


def allowed(role: str, notebook: str) -> bool:
    return notebook in ROLES.get(role, ())


def through_proxy(handler: JupyterHandler) -> bool:
    """The request carries the school proxy's key (X-Pestdata-Proxy-Key): only then do its
    X-Forwarded-For, X-Forwarded-Proto and name header count."""
    key = getattr(handler.identity_provider, "proxy_key", "")
    given = handler.request.headers.get(PROXY_KEY_HEADER, "")
    return bool(key) and compare_digest(given.encode("utf-8"), key.encode("utf-8"))


def client_address(handler: JupyterHandler) -> str:
    """Who is asking: the address the request came from, or behind the school's proxy (with
    its key) the last address in X-Forwarded-For, the one the proxy itself added. Without
    the key the header counts for nothing: inventing one does not make a new client."""
    address = handler.request.remote_ip or ""
    if through_proxy(handler):
        forwarded = handler.request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        address = forwarded[:64] or address
    return address


def over_https(handler: JupyterHandler) -> bool:
    """The cookie must be Secure: `--https-only`, or the proxy says the browser used HTTPS."""
    if getattr(handler.identity_provider, "https_only", False):
        return True
    proto = handler.request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return proto == "https" and through_proxy(handler)


def proxy_name(raw: str) -> str:
    """The proxy's name header as UTF-8 (tornado reads headers as latin-1: 'jöran' arrived
    as 'jÃ¶ran'); a value that is not UTF-8 stays as it came."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


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


class TokenLoginPage(VoilaLoginHandler):
    """The token form (token mode) in Dutch, with at most 20 failures per address in 5
    minutes. Jupyter checks the code (its field is called 'password')."""

    def _render(self, message=None):
        error = "<p class='fout' role='alert'>Deze toegangscode klopt niet.</p>" if message else ""
        next_url = esc(safe_next(self.get_argument("next", default=""), self.base_url))
        self.write(
            page(
                "Toegangscode voor pestdata",
                f"{error}<form method='post'>{self.xsrf_form_html()}"
                f"<input type='hidden' name='next' value='{next_url}'>"
                "<label for='code'>Toegangscode</label><input id='code' name='password' "
                "type='password' autocomplete='current-password' required autofocus>"
                "<button type='submit'>Openen</button></form>"
                "<p>De toegangscode krijg je van wie pestdata startte "
                "(PESTDATA_TOKEN of pestdata serve --token-file …).</p>",
            )
        )

    @allow_unauthenticated
    def post(self):
        if turned_away(self):
            return None
        result = super().post()
        if self.get_status() != 302:  # no redirect: the token was wrong
            LOGIN_ATTEMPTS.failed(client_address(self))
        return result

    def _redirect_safe(self, url, default=None):
        """Jupyter's check lets '/%5Cevil.example/' through; ours lets only paths here."""
        self.redirect(safe_next(url, self.base_url))


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

    def client(self, name: str) -> str:
        """The client whose failures count for `name` (accounts.sign_in): this browser if the
        person signed in with it before, else the address."""
        raw = self.get_signed_cookie(DEVICE_COOKIE, max_age_days=DEVICE_DAYS)
        try:
            device = json.loads(raw) if raw else {}
        except ValueError:
            device = {}
        if isinstance(device, dict) and device.get("name") == name.strip() and device.get("id"):
            return f"browser {device['id']}"[:100]
        return f"adres {client_address(self)}"

    def remember_device(self, name: str, client: str) -> None:
        device = client.removeprefix("browser ") if client.startswith("browser ") else None
        value = {"name": name, "id": device or secrets.token_hex(8)}
        self.set_signed_cookie(
            DEVICE_COOKIE, json.dumps(value), expires_days=DEVICE_DAYS, httponly=True,
            samesite="Strict", secure=over_https(self), path=self.base_url,
        )  # fmt: skip

    @allow_unauthenticated
    def get(self):
        self.finish(self.form())

    @allow_unauthenticated
    def post(self):
        if turned_away(self):
            return None
        name = self.get_argument("naam", "")
        client = self.client(name)
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
        self.set_signed_cookie(
            COOKIE,
            json.dumps({"name": person.name, "role": person.role, "session": person.session}),
            expires_days=SCHOOL_DAY_HOURS / 24,
            httponly=True,
            samesite="Lax",
            secure=over_https(self),
            path=self.base_url,
        )
        self.remember_device(person.name, client)
        self.redirect(self.next_page())


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
        name = proxy_name(handler.request.headers.get(self.trusted_header, ""))
        if not name or not through_proxy(handler):
            return None  # a header that did not come through the proxy counts for nothing
        return accounts.current_person(server_store(), name)


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
            person, settings.get(PREHEAT_KEY)
        )
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
