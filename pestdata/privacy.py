"""Privacy rules for what is shared: counts only, small ones suppressed, none derivable.

A count below the threshold (default 5, `PESTDATA_MIN_COUNT`) could point to one child, so a
shared view shows it as "< 5" and plots nothing for it; a share or median computed from too
few cases is not shown either. Hiding one number is not enough when others give it away, so
a shared view also:
- rounds every count it shows to a multiple of 5 (`shared_count`): a total minus its shown
  parts, or two filter choices subtracted, no longer lands on one report;
- merges small categories into "Overig" and never names them (`merge_small`);
- hides a second cell of a row whose one hidden cell its total would give away
  (`hide_complementary`);
- counts whole months only (`whole_months`): ranges one day apart cannot isolate a report.
"""

from __future__ import annotations

import os
import re

import pandas as pd

from .clock import month_end

DEFAULT_THRESHOLD = 5


def threshold() -> int:
    """The configured minimum count for shared views."""
    try:
        return max(1, int(os.environ.get("PESTDATA_MIN_COUNT", DEFAULT_THRESHOLD)))
    except ValueError:
        return DEFAULT_THRESHOLD


ROLE_VARIABLE = "PESTDATA_ROLE"  # set by `pestdata serve` for Voilà and its kernels


def exact_counts_allowed() -> bool:
    """May this page show counts below the threshold? Only on the care team's server (or
    outside a server: scripts, tests); on the leadership and presenter servers the shared
    view is the only view, whatever a page's controls say."""
    return os.environ.get(ROLE_VARIABLE, "zorgteam") == "zorgteam"


def is_small(count: int | float | None, minimum: int) -> bool:
    return count is not None and 0 < count < minimum


ROUNDING = 5  # shared counts are shown as multiples of this


def shared_count(count: int, minimum: int | None) -> int | None:
    """The number a shared view may show: None when small, else rounded to a multiple of 5
    (7 → 5, 8 → 10); with minimum None (an internal view) the exact count."""
    if not minimum:
        return count
    if is_small(count, minimum):
        return None
    return ROUNDING * ((int(count) + ROUNDING // 2) // ROUNDING)


def show_count(count: int | None, minimum: int | None) -> str:
    """A count as text: '< 5' when it is small and the view is shared (minimum given),
    rounded to 5 when shared (`shared_count`), exact otherwise."""
    if count is None:
        return "—"
    shown = shared_count(int(count), minimum)
    if shown is None:
        return f"< {minimum}"
    return f"{shown:,}".replace(",", ".")


ROUNDED_NOTE = "Aantallen zijn afgerond op 5; onder de {minimum} tonen we geen aantal."
HIDDEN = "x"  # a cell of a row hidden by hide_complementary (small, or giving one away)
HIDDEN_NOTE = (
    "x: niet getoond, want minder dan {minimum} meldingen of uit de andere cijfers terug "
    "te rekenen."
)
OTHER_NOTE = "Groepen met minder dan {minimum} meldingen tellen mee onder ‘Overig’."


OTHER = "Overig"


def merge_small(
    pairs: list[tuple[str, int]], minimum: int | None, reports: int | None = None
) -> list[tuple[str, int]]:
    """Categories with their counts, small ones merged into "Overig" (last), never named.

    When "Overig" itself would be small, the next smallest categories join it until it is
    not, so no category's count can be had by subtracting from a total. Internal views
    (minimum None) get the pairs unchanged; an empty list means nothing can be broken down:
    fewer than `minimum` reports behind them (`reports`, when a report can fall in several
    categories, e.g. platforms; else the sum of the counts).
    """
    pairs = [(label, int(n)) for label, n in pairs if n]
    if not minimum:
        return pairs
    if min(sum(n for _, n in pairs), reports if reports is not None else 1 << 62) < minimum:
        return []
    kept = sorted(pairs, key=lambda pair: pair[1], reverse=True)
    merged = [pair for pair in kept if is_small(pair[1], minimum)]
    kept = [pair for pair in kept if not is_small(pair[1], minimum)]
    while merged and sum(n for _, n in merged) < minimum:
        merged.append(kept.pop())
    order = [label for label, _ in pairs]
    shown = sorted(kept, key=lambda pair: order.index(pair[0]))
    return shown + ([(OTHER, sum(n for _, n in merged))] if merged else [])


def hide_complementary(counts: list[int], minimum: int | None) -> list[int | None]:
    """A row of counts (e.g. months) with its small cells hidden (None), and as many more
    as it takes that the row's total cannot give a hidden one away: at least two hidden
    cells holding together at least `minimum` reports. The smallest shown cells go first."""
    cells: list[int | None] = [int(n) for n in counts]
    if not minimum:
        return cells
    hidden = {i for i, n in enumerate(counts) if is_small(n, minimum)}

    def exposed() -> bool:
        return bool(hidden) and (len(hidden) < 2 or sum(counts[i] for i in hidden) < minimum)

    while exposed():
        shown = [i for i, n in enumerate(counts) if i not in hidden and n]
        if not shown:
            break
        hidden.add(min(shown, key=lambda i: counts[i]))
    return [None if i in hidden else n for i, n in enumerate(cells)]


def shared_breakdown(
    pairs: list[tuple[str, int]], minimum: int | None, reports: int | None = None
) -> list[tuple[str, int]]:
    """Categories as a shared view shows them: small ones merged (`merge_small`), counts
    rounded (`shared_count`)."""
    merged = merge_small(pairs, minimum, reports)
    return [(label, shared_count(n, minimum)) for label, n in merged]


def shared_row(counts: list[int], minimum: int | None) -> list[int | None]:
    """A row of counts as a shared view shows it: hidden where `hide_complementary` says,
    the rest rounded (`shared_count`)."""
    return [
        None if n is None else shared_count(n, minimum) for n in hide_complementary(counts, minimum)
    ]


def whole_months(start, end):
    """A shared view's period in whole months: from the first of the start's month to the
    last of the end's month (None stays open)."""
    return (start.replace(day=1) if start else None, month_end(end) if end else None)


TOO_FEW = "te weinig meldingen"  # what a share or median over too few cases shows instead


def show_share(part: int | None, whole: int | None, minimum: int | None) -> str:
    """A percentage, unless it would rest on, or give away, a count below the threshold."""
    if not whole:
        return "—"
    if minimum and (is_small(part, minimum) or whole < minimum):
        return TOO_FEW
    return f"{round(100 * (part or 0) / whole)}%"


def show_median(days: float | None, cases: int, minimum: int | None) -> str:
    """A median number of days, unless too few cases make it up."""
    if days is None:
        return "—"
    if minimum and cases < minimum:
        return TOO_FEW
    return f"{days:.0f} dagen"


def suppress(frame: pd.DataFrame, minimum: int | None, column: str = "count") -> pd.DataFrame:
    """Drop rows whose count is small (charts then plot nothing for them) and round the
    others to 5 (`shared_count`).

    Returns a copy; with minimum None (an internal view) the frame is returned unchanged.
    """
    if not minimum or frame.empty:
        return frame
    kept = frame[~frame[column].map(lambda n: is_small(n, minimum))].reset_index(drop=True)
    return kept.assign(**{column: [shared_count(n, minimum) for n in kept[column]]})


class Pseudonyms:
    """Other pupils in a file for one pupil: 'leerling A', 'leerling B'… in the order they
    first appear, the same letter for the same pupil everywhere in the file."""

    def __init__(self, subject: str):
        self.subject, self.names = subject, {}

    def add(self, number: str) -> None:
        if number != self.subject and number not in self.names:
            self.names[number] = f"leerling {self._letters(len(self.names))}"

    @staticmethod
    def _letters(index: int) -> str:
        letters = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters

    def scrub(self, text: str) -> str:
        """Every other pupil's number in the text replaced by their pseudonym (whole words
        only: 12345 stays in 123456)."""
        if not self.names or not text:
            return text
        numbers = sorted(self.names, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![A-Za-z0-9])(" + "|".join(re.escape(n) for n in numbers) + r")(?![A-Za-z0-9])"
        )
        return pattern.sub(lambda m: self.names[m.group(1)], text)
