"""Privacy rules for what is shared: small counts suppressed, pupil numbers pseudonymised.

A count below the threshold (default 5, `PESTDATA_MIN_COUNT`) could point to one child, so a
shared view shows it as "< 5" and plots nothing for it; a share or median computed from too
few cases is not shown either.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from . import files

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


def show_count(count: int | None, minimum: int | None) -> str:
    """A count as text: '< 5' when it is small and the view is shared (minimum given)."""
    if count is None:
        return "—"
    if minimum and is_small(count, minimum):
        return f"< {minimum}"
    return f"{int(count):,}".replace(",", ".")


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
    """Drop rows whose count is small; charts then plot nothing for them.

    Returns a copy; with minimum None (an internal view) the frame is returned unchanged.
    """
    if not minimum or frame.empty:
        return frame
    return frame[~frame[column].map(lambda n: is_small(n, minimum))].reset_index(drop=True)


def secret_path() -> Path:
    """Where this installation's pseudonym key lives: PESTDATA_SECRET_FILE, else the user's
    config folder. Never in the database, so a database copy cannot undo the pseudonyms."""
    if os.environ.get("PESTDATA_SECRET_FILE"):
        return Path(os.environ["PESTDATA_SECRET_FILE"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "pestdata" / "secret.key"


def installation_secret() -> bytes:
    """The key for pseudonyms, made on first use (32 random bytes, readable by the owner)."""
    path = secret_path()
    if not path.exists():
        files.private_dir(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
    return path.read_bytes()


def pseudonym(secret: bytes, pupil_number: str) -> str:
    """A keyed pseudonym: the same pupil gets the same code in every export of this school,
    and without the key nobody can go back to the pupil number."""
    digest = hmac.new(secret, pupil_number.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"P-{digest[:12]}"
