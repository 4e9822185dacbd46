"""The server's own pages in Dutch: one plain frame for login, refusals and the start page."""

from __future__ import annotations

from pestdata.core.markup import esc


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
