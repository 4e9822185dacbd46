"""Privacy rules for views that are shared: small counts are suppressed.

A count below the threshold (default 5, `PESTDATA_MIN_COUNT`) could point to one child, so a
shared view shows it as "< 5" and plots nothing for it; a share or median computed from too
few cases is not shown either.
"""

from __future__ import annotations

import os

import pandas as pd

DEFAULT_THRESHOLD = 5


def threshold() -> int:
    """The configured minimum count for shared views."""
    try:
        return max(1, int(os.environ.get("PESTDATA_MIN_COUNT", DEFAULT_THRESHOLD)))
    except ValueError:
        return DEFAULT_THRESHOLD


def is_small(count: int | float | None, minimum: int) -> bool:
    return count is not None and 0 < count < minimum


def show_count(count: int | None, minimum: int | None) -> str:
    """A count as text: '< 5' when it is small and the view is shared (minimum given)."""
    if count is None:
        return "—"
    if minimum and is_small(count, minimum):
        return f"< {minimum}"
    return f"{int(count):,}".replace(",", ".")


def suppress(frame: pd.DataFrame, minimum: int | None, column: str = "count") -> pd.DataFrame:
    """Drop rows whose count is small; charts then plot nothing for them.

    Returns a copy; with minimum None (an internal view) the frame is returned unchanged.
    """
    if not minimum or frame.empty:
        return frame
    return frame[~frame[column].map(lambda n: is_small(n, minimum))].reset_index(drop=True)
