"""HTML that pestdata writes (pages, slides, the offline parent evening): free text is
escaped wherever it is shown."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """Any value as text that HTML shows literally ('<b>' stays '<b>'); None is empty."""
    return html.escape("" if value is None else str(value), quote=True)


def message(kind: str, text: str) -> str:
    """HTML for a status line: kind is 'ok', 'error' or 'hint'; text is escaped here."""
    return f'<div class="pd-{kind}">{esc(text)}</div>'
