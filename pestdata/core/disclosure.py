"""Disclosure control: the one place that decides which number a shared view publishes.

Every number of a shared view (the leaders' overview, the yearly report, the board's export,
the parent evening, the leaders' signals count) comes from the functions below; the care
team's own views pass `minimum=None` and get the exact numbers. The rules (docs/DESIGN.md,
"Disclosure control"):

- a count is published rounded to 5, and 0 looks like 1–4: "< 5" (`published`, `show_count`);
- a selection of fewer than 10 reports (published total) shows no breakdown, no share and
  no median, only `BASE_NOTE` (`base_met`);
- a row of cells is listed whole (every label, zero and small alike "< 5"), and a cell more is
  hidden ("x") while the published total and the other cells would show that the small
  cells are not all zero (`published_row`, `breakdown`): secondary suppression;
- a total is hidden ("x") when it and its published parts along any hierarchy a reader
  knows (all schools = each school, all pupils = each age band = each group, an age band =
  its groups, a period = its months) would pin a small part or show it is not zero
  (`gives_away`): secondary suppression across views, decided by the total and its parts
  alone, so the total is hidden in every view that shows it;
- a share is computed from the published counts, in bands of ten percent ("40–50%"), and
  hidden when the part or the remainder is small (`share`);
- a median needs 10 cases and is shown in whole weeks ("± 2 weken") (`show_median`);
- time: whole months, ending with the last complete month (`shared_period`, `as_of`); a
  period is one month, one school year or all years (`period_allowed`), so no two periods
  subtract to a few months that are not published as such.

All of it is a function of the true count alone, so one cell gets one value in every view.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from pestdata.core.clock import SchoolYear, month_end
from pestdata.core.markup import counted, number

# A chart trace's meta when its text holds the published cells: charts.py marks them, ui/plots.py
# shows them as the trace's table (so the widgets need not load the chart code).
PUBLISHED = "published"

ROUNDING = 5  # published counts are multiples of this
BASE = 10  # the smallest published total that may be broken down or give a share/median
HIDDEN = "x"  # a cell hidden by secondary suppression
TOO_FEW = "te weinig meldingen"  # what a share or median over too few cases shows instead
NOT_COMPLETE = "nog niet compleet"  # a month (or period) that has not ended yet
BASE_NOTE = (
    "Minder dan {base} meldingen bij deze keuze: we tonen geen verdeling, zodat niemand te "
    "herkennen is."
)
ROUNDED_NOTE = (
    "Aantallen zijn afgerond op 5; 0 tot en met {small} staat er als ‘< {minimum}’; "
    "percentages in stappen van 10; alleen hele, afgelopen maanden."
)
HIDDEN_NOTE = "x: niet getoond, want anders uit de andere cijfers terug te rekenen."
PERIOD_NOTE = (
    "De deelbare weergave toont één hele maand, een heel schooljaar of alle jaren: uit twee "
    "andere perioden zou het verschil, een paar maanden, terug te rekenen zijn."
)

Cell = int | str  # a published count, or "< 5" / "x"


def small_text(minimum: int) -> str:
    return f"< {minimum}"


def base_note() -> str:
    return BASE_NOTE.format(base=BASE)


def rounded_note(minimum: int) -> str:
    return ROUNDED_NOTE.format(small=minimum - 1, minimum=minimum)


# --- counts ------------------------------------------------------------------------------------


def published(count: int | None, minimum: int | None) -> int | None:
    """The count a view publishes: exact without a minimum (the care team's views); shared,
    None below the minimum (0 included: zero looks like 1–4), else rounded to 5."""
    if count is None:
        return None
    if not minimum:
        return int(count)
    if count < minimum:
        return None
    return ROUNDING * ((int(count) + ROUNDING // 2) // ROUNDING)


def published_cell(count: int, minimum: int | None) -> Cell:
    """A count as a view's cell: shared, the rounded number or "< 5"; else exact."""
    shown = published(count, minimum)
    return small_text(minimum) if shown is None else shown


def show_count(count: int | None, minimum: int | None) -> str:
    """A count as text: '< 5', '15' (rounded) or exact ('1.234' with a Dutch point)."""
    if count is None and not minimum:
        return "—"
    return show_cell(published_cell(count or 0, minimum))


def show_cell(cell: Cell) -> str:
    return cell if isinstance(cell, str) else number(cell)


def plotted(cell: Cell) -> int | None:
    """A published cell as a chart plots it: a number, or no bar."""
    return None if isinstance(cell, str) else cell


def bounds(cell: Cell, minimum: int) -> tuple[int, float]:
    """What a reader can tell from a published cell: the true count lies in this range."""
    if cell == HIDDEN:
        return 0, float("inf")
    if isinstance(cell, str):
        return 0, minimum - 1
    return max(minimum, cell - ROUNDING // 2), cell + ROUNDING // 2


def base_met(total: int | None, minimum: int | None) -> bool:
    """May a selection of `total` reports be broken down (shares, medians, categories)?"""
    return not minimum or (published(total or 0, minimum) or 0) >= BASE


def gives_away(total: int, parts: list[int], minimum: int | None) -> bool:
    """Would publishing `total` beside its `parts` (each published on its own) pin a small
    part or prove that one is not zero? Then the total is hidden (the parts are published
    in views of their own, the total only where it is asked for)."""
    if not minimum or not parts or published(total, minimum) is None:
        return False
    cells = [published(n, minimum) for n in parts]
    ranges = [bounds(published_cell(n, minimum), minimum) for n in parts]
    low, high = [lo for lo, _ in ranges], [hi for _, hi in ranges]
    top_low, top_high = bounds(published(total, minimum), minimum)
    for i, cell in enumerate(cells):
        if cell is not None:
            continue
        least = top_low - (sum(high) - high[i])
        most = min(minimum - 1, top_high - (sum(low) - low[i]))
        if least >= 1 or (least >= most and parts[i] >= 1):
            return True
    return False


def published_row(
    counts: list[int], minimum: int | None, total: int | None = None, hidden=()
) -> list[Cell]:
    """A row of counts (months, platforms, age bands…), every cell listed, as published.

    `total` (default: the sum) is the published total the row is read against: the cells
    add up to at least it (a report on two platforms counts under both). While the total and
    the shown cells prove that the small cells are not all zero, the smallest shown cell is
    hidden as well ("x"; secondary suppression), so a "< 5" never names a category. A row
    of small cells only whose total would still name one of them is hidden whole ("x").
    `hidden`: positions already hidden for another reason (`gives_away`)."""
    if not minimum:
        return [int(n) for n in counts]
    cells: list[Cell] = []
    for i, n in enumerate(counts):
        cells.append(HIDDEN if i in hidden else published_cell(n, minimum))
    total = sum(int(n) for n in counts) if total is None else int(total)
    shown_total = published(total, minimum)
    floor = bounds(small_text(minimum) if shown_total is None else shown_total, minimum)[0]

    def proven_nonzero() -> bool:
        small = [c for c in cells if isinstance(c, str)]
        if not small or HIDDEN in small:
            return False
        return floor - sum(bounds(c, minimum)[1] for c in cells if not isinstance(c, str)) > 0

    def one_named() -> bool:
        # A row of small cells only (nothing left to hide): the total may still prove one
        # of them nonzero, e.g. two cells "< 5" under a total "10" (8..12) are both 4.
        uppers = [bounds(c, minimum)[1] for c in cells]
        return any(
            floor - (sum(uppers) - uppers[i]) > 0
            for i, c in enumerate(cells)
            if c == small_text(minimum)
        )

    while proven_nonzero():
        shown = [i for i, c in enumerate(cells) if not isinstance(c, str)]
        if not shown:
            break
        cells[min(shown, key=lambda i: (cells[i], i))] = HIDDEN
    if one_named():  # then none of them is shown as small: all hidden
        cells = [HIDDEN if isinstance(c, str) else c for c in cells]
    return cells


def breakdown(
    pairs: list[tuple[str, int]], minimum: int | None, total: int | None = None, hidden=()
) -> list[tuple[str, Cell]]:
    """Labelled counts as a view publishes them: every label kept, in the order given
    (`published_row`; `hidden`: labels hidden across views); the care team's views get
    them exact."""
    hide = {i for i, (label, _) in enumerate(pairs) if label in hidden}
    cells = published_row([n for _, n in pairs], minimum, total, hide)
    return [(label, cell) for (label, _), cell in zip(pairs, cells, strict=True)]


# --- shares and medians -----------------------------------------------------------------------


def _band(part: int, whole: int, minimum: int) -> int | None:
    """The lower end (0, 10, …, 90) of the ten-percent band a shared share is published in,
    from the published counts; None when no share is published."""
    top, done, rest = (published(n, minimum) for n in (whole, part, whole - part))
    if not base_met(whole, minimum) or done is None or rest is None:
        return None
    return min(9, int(10 * done / top)) * 10


def share(part: int | None, whole: int | None, minimum: int | None) -> tuple[float | None, str]:
    """A share as (value 0..1 for a chart, text). Shared: from the published counts, in a
    band of ten percent ("40–50%", the value its middle), and (None, TOO_FEW) when the
    whole is below the base or the part or the remainder is small."""
    if not whole:
        return None, "—"
    part = part or 0
    if not minimum:
        return part / whole, f"{round(100 * part / whole)}%"
    low = _band(part, whole, minimum)
    if low is None:
        return None, TOO_FEW
    return (low + 5) / 100, f"{low}–{low + 10}%"


def part_range(part: int, whole: int, minimum: int) -> tuple[int, int]:
    """What a reader can tell about `part` from the share of `whole` a view publishes (or,
    without a share, from the published `whole` alone): the band read against every base
    the published whole allows, as a share of the true or of the published counts."""
    whole_low, whole_high = bounds(published_cell(whole, minimum), minimum)
    low = _band(part, whole, minimum) if whole else None
    if low is None:
        return 0, int(min(whole_high, 10**9))
    share_low, share_high = Fraction(low, 100), Fraction(low + 10, 100)
    top = published(whole, minimum)
    rounded_low = max(3, 5 * math.ceil(share_low * top / 5) - 2)
    rounded_high = 5 * math.floor(share_high * top / 5) + 2
    least = min(math.ceil(share_low * whole_low), rounded_low)
    most = max(math.floor(share_high * whole_high), rounded_high)
    return max(0, least), min(int(whole_high), most)


def share_gives_away(
    total: tuple[int, int], parts: list[tuple[int, int]], minimum: int | None
) -> bool:
    """Would a share over a period (part, whole), beside the shares of its months (each
    (part, whole) published on its own), pin a month's small part or show it is not zero?
    Then the period's share is hidden (`gives_away` for counts)."""
    if not minimum or not parts or _band(*total, minimum) is None:
        return False
    top_low, top_high = part_range(*total, minimum)
    # The yearly report also publishes the part as a count: read it too.
    count_low, count_high = bounds(published_cell(total[0], minimum), minimum)
    top_low, top_high = max(top_low, count_low), min(top_high, count_high)
    ranges = [part_range(k, n, minimum) for k, n in parts]
    for i, (k, _) in enumerate(parts):
        if not 1 <= k < minimum:
            continue
        least = top_low - sum(hi for j, (_, hi) in enumerate(ranges) if j != i)
        most = min(ranges[i][1], top_high - sum(lo for j, (lo, _) in enumerate(ranges) if j != i))
        if least >= 1 or least >= most:
            return True
    return False


def show_share(part: int | None, whole: int | None, minimum: int | None) -> str:
    return share(part, whole, minimum)[1]


def show_median(days: float | None, incidents: int | None, minimum: int | None) -> str:
    """A median number of days; shared only over `BASE` cases or more, in whole weeks."""
    if days is None:
        return "—"
    if not minimum:
        return counted(round(days), "dag", "dagen")
    if (incidents or 0) < BASE:
        return TOO_FEW
    weeks = round(days / 7)
    return "< 1 week" if weeks == 0 else f"± {counted(weeks, 'week', 'weken')}"


# --- time -------------------------------------------------------------------------------------


def last_complete_month_end(today: date) -> date:
    """The last day of the last month that has ended."""
    return today.replace(day=1) - timedelta(days=1)


def as_of(today: date, minimum: int | None) -> date:
    """The day a view counts up to: today for the care team, else the end of the last
    complete month (no figure of a shared view runs up to today)."""
    return last_complete_month_end(today) if minimum else today


def shared_period(
    start: date | None, end: date | None, today: date, minimum: int | None
) -> tuple[date | None, date | None]:
    """A view's period: unchanged for the care team; shared, in whole months, ending at the
    latest with the last complete month (start > end: nothing complete yet)."""
    if not minimum:
        return start, end
    last = last_complete_month_end(today)
    start = start.replace(day=1) if start else None
    end = min(month_end(end), last) if end else last
    return start, end


def complete(start: date | None, end: date | None) -> bool:
    """Has a (shared) period at least one complete month?"""
    return not (start and end and start > end)


def period_allowed(start: date | None, end: date | None, today: date) -> bool:
    """May a shared view count over this (shared) period? One whole month, one school year
    (up to the last complete month) or all years up to it. Any other pair of periods, say
    August to December and August to February, would subtract to January and February."""
    last = last_complete_month_end(today)
    if start is None:
        return end == last
    if end is None:
        return False
    if start.day == 1 and end == month_end(start):
        return True
    year = SchoolYear.of(start)
    return start == year.start and end == min(year.end, last)
