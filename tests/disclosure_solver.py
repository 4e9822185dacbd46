"""The attacker's arithmetic for tests/overview/test_disclosure_attack.py: what a set of published
numbers says about the true counts behind them.

Every unknown is a whole number ≥ 0 with an interval [lo, hi]. Published numbers narrow the
intervals (`bound`), and constraints tie unknowns together:

- `equal_sum(total, parts)`: a total is the sum of its disjoint parts (a school year is its
  months, all schools are each school, an age band is its groups, 'Overig' is the labels not
  listed beside it);
- `at_most(part, whole)`: a subset counts no more than its whole (reports on WhatsApp, steps
  done, open cases);
- `covered_by(whole, parts)`: every report has a platform and a form, so the platforms'
  counts add up to at least the reports';
- `ratio(part, base, low, high)`: a share low ≤ part/base ≤ high (a shown "92%" is
  0.915..0.925), of the true counts or of the published (rounded) ones: either reading is
  kept (`_parts_for`). Shares are solved by enumerating the bases in range and the parts
  each allows, so the integers decide (15 ± 2 with 92% leaves only 12 of 13);
- `at_least_one(keys)`: a rule of the page says these occurred.

`solve()` repeats every constraint until no bound changes (interval constraint propagation:
sound, since each step only removes values no solution can take). An interval that empties
means the readings or the rules assumed are wrong: `Contradiction`, naming the constraint.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from fractions import Fraction

INF = 10**9
MAX_ENUMERATION = 4000  # a share's base is enumerated only over a range this wide


class Contradiction(AssertionError):
    """The published numbers and the assumed rules cannot all hold."""


class UnknownFormat(AssertionError):
    """A shown value in a format this attack does not read yet: teach `read_count` or
    `read_share` (a new format must be noticed, not skipped)."""


@dataclass
class Constraint:
    kind: str
    keys: tuple
    source: str
    data: tuple = ()


@dataclass
class System:
    lo: dict = field(default_factory=dict)
    hi: dict = field(default_factory=dict)
    constraints: list = field(default_factory=list)
    watching: dict = field(default_factory=lambda: defaultdict(list))
    why: dict = field(default_factory=dict)  # key -> sources of its direct bounds

    # --- building --------------------------------------------------------------------------

    def var(self, key) -> None:
        if key not in self.lo:
            self.lo[key], self.hi[key] = 0, INF

    def bound(self, key, lo: int, hi: int, source: str) -> None:
        self.var(key)
        self.why.setdefault(key, []).append(f"{source}: {lo}..{hi}")
        self._set(key, max(self.lo[key], lo), min(self.hi[key], hi), source)

    def _add(self, kind: str, keys, source: str, data: tuple = ()) -> None:
        keys = tuple(keys)
        for key in keys:
            self.var(key)
        constraint = Constraint(kind, keys, source, data)
        self.constraints.append(constraint)
        for key in set(keys):
            self.watching[key].append(constraint)

    def equal_sum(self, total, parts, source: str) -> None:
        parts = list(parts)
        if parts == [total]:
            return
        self._add("sum", [total, *parts], source)

    def at_most(self, part, whole, source: str) -> None:
        if part != whole:
            self._add("le", [part, whole], source)

    def covered_by(self, whole, parts, source: str) -> None:
        self._add("cover", [whole, *parts], source)

    def ratio(self, part, base, low: Fraction, high: Fraction, source: str) -> None:
        self._add("ratio", [part, base], source, (Fraction(low), Fraction(high)))

    def at_least_one(self, keys, source: str) -> None:
        for key in keys:
            self.bound(key, 1, INF, source)

    # --- solving ---------------------------------------------------------------------------

    def _set(self, key, lo: int, hi: int, source: str) -> bool:
        if lo > hi:
            raise Contradiction(
                f"{key}: no value fits ({lo} > {hi}) after {source}; direct bounds: "
                f"{self.why.get(key, [])}"
            )
        changed = lo != self.lo[key] or hi != self.hi[key]
        self.lo[key], self.hi[key] = lo, hi
        return changed

    def solve(self) -> System:
        queue = deque(self.constraints)
        queued = set(map(id, queue))
        while queue:
            constraint = queue.popleft()
            queued.discard(id(constraint))
            for key in getattr(self, "_" + constraint.kind)(constraint):
                for other in self.watching[key]:
                    if id(other) not in queued:
                        queued.add(id(other))
                        queue.append(other)
        return self

    def _narrow(self, c: Constraint, key, lo, hi) -> list:
        lo, hi = max(self.lo[key], lo), min(self.hi[key], hi)
        return [key] if self._set(key, lo, hi, f"{c.kind} from {c.source}") else []

    def _sum(self, c: Constraint) -> list:
        total, *parts = c.keys
        lo, hi = self.lo, self.hi
        sum_lo = sum(lo[p] for p in parts)
        finite = [hi[p] for p in parts if hi[p] < INF]
        infinite = len(parts) - len(finite)
        sum_hi = sum(finite) if not infinite else INF
        changed = self._narrow(c, total, sum_lo, sum_hi)
        for p in parts:
            others_inf = infinite - (hi[p] >= INF)
            others_hi = sum(finite) - (hi[p] if hi[p] < INF else 0)
            new_lo = lo[total] - others_hi if not others_inf else 0
            new_hi = hi[total] - (sum_lo - lo[p]) if hi[total] < INF else INF
            if new_lo > lo[p] or new_hi < hi[p]:
                changed += self._narrow(c, p, new_lo, new_hi)
        return changed

    def _le(self, c: Constraint) -> list:
        part, whole = c.keys
        return self._narrow(c, part, 0, self.hi[whole]) + self._narrow(c, whole, self.lo[part], INF)

    def _cover(self, c: Constraint) -> list:
        whole, *parts = c.keys
        lo, hi = self.lo, self.hi
        sum_hi = min(INF, sum(hi[p] for p in parts))
        changed = self._narrow(c, whole, 0, sum_hi)
        if sum_hi < INF:
            for p in parts:
                changed += self._narrow(c, p, lo[whole] - (sum_hi - hi[p]), INF)
        return changed

    def _ratio(self, c: Constraint) -> list:
        part, base = c.keys
        low, high = c.data
        b_lo, b_hi = max(1, self.lo[base]), self.hi[base]
        if b_hi - b_lo > MAX_ENUMERATION:
            # Too wide to enumerate yet: only what the extreme bases allow.
            return self._narrow(c, part, 0, b_hi)
        a_lo, a_hi = self.lo[part], self.hi[part]
        bases, parts_lo, parts_hi = [], INF, -1
        for b in range(b_lo, b_hi + 1):
            first, last = INF, -1
            for lo, hi in _parts_for(b, low, high):
                lo, hi = max(a_lo, lo), min(a_hi, hi, b)
                if lo <= hi:
                    first, last = min(first, lo), max(last, hi)
            if first <= last:
                bases.append(b)
                parts_lo, parts_hi = min(parts_lo, first), max(parts_hi, last)
        if not bases:
            raise Contradiction(
                f"share {low}..{high} of {part} / {base}: no pair fits "
                f"({a_lo}..{a_hi} of {b_lo}..{b_hi}) from {c.source}"
            )
        return self._narrow(c, base, bases[0], bases[-1]) + self._narrow(
            c, part, parts_lo, parts_hi
        )

    # --- reading the answer ------------------------------------------------------------------

    def pinned(self, key) -> bool:
        return self.lo[key] == self.hi[key]

    def interval(self, key) -> tuple[int, int]:
        return self.lo[key], self.hi[key]


def rounded(n: int) -> int:
    """A count rounded to 5 as the shared views publish it (7 -> 5, 8 -> 10)."""
    return 5 * ((n + 2) // 5)


def _parts_for(b: int, low: Fraction, high: Fraction) -> list[tuple[int, int]]:
    """The parts a of base b a shown share allows: a/b in [low, high] (a share of the true
    counts), or a share of the published counts: rounded(a)/rounded(b) in [low, high] (both
    published, so at least 5). Either reading may be the page's, so both are kept."""
    ranges = [(math.ceil(low * b), math.floor(high * b))]
    if b >= 3 and rounded(b) >= 5:
        shown_b = rounded(b)
        first = 5 * math.ceil(low * shown_b / 5) - 2
        last = 5 * math.floor(high * shown_b / 5) + 2
        ranges.append((max(3, first), last))
    return ranges


# --- reading shown values -------------------------------------------------------------------

DASHES = {"", "–", "—", "-", "x", "X"}
NOT_COUNTED = re.compile(
    r"^(nog niet (compleet|geteld|af)|niet geteld|te weinig( meldingen)?|geen cijfer|"
    r"niet getoond|verborgen|n\.?v\.?t\.?)\b",
    re.I,
)
SMALL = re.compile(r"^(<\s*|minder dan\s+|kleiner dan\s+|onder (de\s+)?)(\d+)$", re.I)
NUMBER = re.compile(r"^\d{1,3}(\.\d{3})*$|^\d+$")
RANGE = re.compile(r"^(\d+)\s*[–-]\s*(\d+)$")
ABOUT = re.compile(r"^(±|ca\.?|circa|ongeveer)\s*(\d+)$", re.I)


def clean(text) -> str:
    return " ".join(str(text).replace("\u00a0", " ").replace("\u202f", " ").split())


def read_count(text, step: int = 5) -> tuple[int, int] | str | None:
    """What a shown count says about the true count: (lo, hi); 'small' for '< 5' (0..4, or
    1..4 where the same view shows an exact 0); None when it says nothing (hidden, not yet
    counted). An unknown format raises UnknownFormat."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise UnknownFormat(f"a count shown as {text!r}")
    if isinstance(text, int | float):
        if isinstance(text, float) and math.isnan(text):
            return None
        if float(text) != int(text):
            raise UnknownFormat(f"a count shown as {text!r}")
        text = str(int(text))
    t = clean(text)
    if t in DASHES or NOT_COUNTED.match(t):
        return None
    if SMALL.match(t):
        return "small"
    if RANGE.match(t):
        a, b = RANGE.match(t).groups()
        return int(a), int(b)
    if ABOUT.match(t):
        v = int(ABOUT.match(t).group(2))
        return max(0, v - step // 2), v + step // 2
    if NUMBER.match(t):
        v = int(t.replace(".", ""))
        if v == 0:
            return 0, 0
        if v % step == 0:
            return max(0, v - step // 2), v + step // 2
        return v, v  # not a multiple of the rounding step: the exact count
    raise UnknownFormat(f"a count shown as {text!r}")


PERCENT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%$")
PERCENT_RANGE = re.compile(r"^(\d+)\s*%?\s*[–-]\s*(\d+)\s*%$")
MORE = re.compile(r"^(meer dan|boven( de)?|>|ruim)\s*(\d+)\s*%$", re.I)
LESS = re.compile(r"^(minder dan|onder( de)?|<|nog geen)\s*(\d+)\s*%$", re.I)
ALL_OR_NONE = {"alle": (1, 1), "geen": (0, 0), "(bijna) alle": (Fraction(9, 10), 1)}


def read_share(text) -> tuple[Fraction, Fraction] | None:
    """A shown share as (low, high) of part/base; None when it says nothing. '92%' is
    0.915..0.925 (whatever the rounding of a tie); '40–50%' 0.40..0.50; 'meer dan 90%'
    0.90..1."""
    if text is None:
        return None
    if isinstance(text, int | float):
        if isinstance(text, float) and math.isnan(text):
            return None
        text = f"{text}%"
    t = clean(text)
    if t in DASHES or NOT_COUNTED.match(t):
        return None
    if m := PERCENT.match(t):
        p = Fraction(m.group(1).replace(",", "."))
        return max(Fraction(0), (p - Fraction(1, 2)) / 100), min(
            Fraction(1), (p + Fraction(1, 2)) / 100
        )
    if m := PERCENT_RANGE.match(t):
        return Fraction(int(m.group(1)), 100), Fraction(int(m.group(2)), 100)
    if m := MORE.match(t):
        return Fraction(int(m.group(3)), 100), Fraction(1)
    if m := LESS.match(t):
        return Fraction(0), Fraction(int(m.group(3)), 100)
    if t.lower() in ALL_OR_NONE:
        return tuple(map(Fraction, ALL_OR_NONE[t.lower()]))
    raise UnknownFormat(f"a share shown as {text!r}")


MEDIAN_BELOW = re.compile(r"^(?:mediaan\s+)?<\s*(\d+)\s*(week|weken|dag|dagen|d)$", re.I)
MEDIAN = re.compile(
    r"^(mediaan\s+)?(±\s*|ca\.?\s*|circa\s+|ongeveer\s+)?(\d+)(\s*[–-]\s*\d+)?\s*"
    r"(d|dag|dagen|w|wk|week|weken)$",
    re.I,
)


def read_median(text) -> tuple[str, int] | None:
    """A shown median: ('dagen'|'weken', value), None when not shown; unknown formats raise."""
    if text is None:
        return None
    t = clean(text)
    if t in DASHES or NOT_COUNTED.match(t):
        return None
    if m := MEDIAN_BELOW.match(t):
        return ("weken" if m.group(2).lower().startswith("w") else "dagen"), 0
    if m := MEDIAN.match(t):
        unit = "weken" if m.group(5).lower().startswith("w") else "dagen"
        return unit, int(m.group(3))
    raise UnknownFormat(f"a median shown as {text!r}")
