"""HTML and text pestdata writes: free text escaped, counts said in good Dutch.

Pages, slides and the offline parent evening: free text is escaped wherever it is shown; a
count says '1 melding', never '1 meldingen'; a number has a point between thousands and a
decimal comma. Written once here: no hand-made plural or separator elsewhere."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    """Any value as text that HTML shows literally ('<b>' stays '<b>'); None is empty."""
    return html.escape("" if value is None else str(value), quote=True)


def message(kind: str, text: str) -> str:
    """HTML for a status line: kind is 'ok', 'error' or 'hint'; text is escaped here."""
    return f'<div class="pd-{kind}">{esc(text)}</div>'


DUTCH_SEPARATORS = str.maketrans(",.", ".,")  # 1,234.5 -> 1.234,5


def number(value: float, places: int = 0) -> str:
    """A number the Dutch way: '1.234', with places '3,5' or '1.234,5' (a point between
    thousands, a comma before the decimals)."""
    return f"{value:,.{places}f}".translate(DUTCH_SEPARATORS)


def plural(count: int, one: str, many: str) -> str:
    """The word that goes with a count: `one` for exactly 1, else `many` ('zou', 'zouden')."""
    return one if count == 1 else many


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun in Dutch: '1 melding', '0 meldingen', '1.234 meldingen'."""
    return f"{number(count)} {plural(count, one, many)}"


def meldingen(number: int) -> str:
    """'1 melding', '3 meldingen': the count pestdata writes most."""
    return counted(number, "melding", "meldingen")
