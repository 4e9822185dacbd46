"""What the school's reverse proxy vouches for: the client's address, HTTPS, and a name.

A request counts as coming through the proxy only with the proxy's key beside it
(X-Pestdata-Proxy-Key, `through_proxy`); only then do its X-Forwarded-For (the client that
failed logins count against), X-Forwarded-Proto (the cookie is Secure) and the name header
(single sign-on) count. Without the key inventing such a header changes nothing. The name
header is read as UTF-8.
"""

from __future__ import annotations

from hmac import compare_digest

from jupyter_server.base.handlers import JupyterHandler

PROXY_KEY_HEADER = "X-Pestdata-Proxy-Key"  # proves a request came through the school's proxy


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


def vouched_name(handler: JupyterHandler, header: str) -> str:
    """The name the proxy put in `header`, or '' when there is none or the request did not
    come through the proxy (a header of that name from anyone else counts for nothing)."""
    if not header:
        return ""
    name = proxy_name(handler.request.headers.get(header, ""))
    return name if name and through_proxy(handler) else ""
