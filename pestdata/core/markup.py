"""HTML and text pestdata writes: free text escaped, counts said in good Dutch.

Pages, slides and the offline parent evening: free text is escaped wherever it is shown; a
count says '1 melding', never '1 meldingen'."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """Any value as text that HTML shows literally ('<b>' stays '<b>'); None is empty."""
    return html.escape("" if value is None else str(value), quote=True)


def message(kind: str, text: str) -> str:
    """HTML for a status line: kind is 'ok', 'error' or 'hint'; text is escaped here."""
    return f'<div class="pd-{kind}">{esc(text)}</div>'


def number(value: float) -> str:
    """A whole number the Dutch way: '1.234' (a point between thousands)."""
    return f"{value:,.0f}".replace(",", ".")


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun in Dutch: '1 melding', '0 meldingen', '1.234 meldingen'."""
    return f"{number(count)} {one if count == 1 else many}"


def meldingen(number: int) -> str:
    """'1 melding', '3 meldingen': the count pestdata writes most."""
    return counted(number, "melding", "meldingen")
