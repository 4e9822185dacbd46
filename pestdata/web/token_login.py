"""Signing in with the server's token (for scripts and tests): Voilà's token form, in Dutch.

The same guards as the personal login (login.py): at most 20 failures per client in 5
minutes, and `next` only a path on this server. The cookie lasts a school day and is not
sent along with requests from other sites.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import PasswordIdentityProvider
from traitlets import default
from voila.voila_identity_provider import VoilaLoginHandler

from pestdata.core.markup import esc
from pestdata.web.html_page import page
from pestdata.web.login import LOGIN_ATTEMPTS, safe_next, turned_away
from pestdata.web.proxy import client_address
from pestdata.web.sessions import SCHOOL_DAY_HOURS, LogoutPage


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
