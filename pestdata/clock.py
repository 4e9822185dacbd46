"""The school's clock: moments are stored in UTC, shown and dated in local time.

A Dutch school reads "14:05" as Amsterdam time, and a report logged at 00:30 on the 2nd is a
report of the 2nd, whatever zone the server runs in. PESTDATA_TZ names another zone.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/Amsterdam"


def zone() -> ZoneInfo:
    """The local time zone: PESTDATA_TZ, else Europe/Amsterdam."""
    return _zone(os.environ.get("PESTDATA_TZ") or DEFAULT_ZONE)


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"PESTDATA_TZ: onbekende tijdzone '{name}' (bijv. {DEFAULT_ZONE})"
        ) from None


def now_utc() -> datetime:
    """UTC wall clock, without tzinfo so SQLite and PostgreSQL store the same value."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Today where the school is (not where the server's clock says)."""
    return datetime.now(zone()).date()


def local(moment: datetime) -> datetime:
    """A stored moment (naive, UTC) in local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def zone_note() -> str:
    """How printed times should be read, for a footer."""
    return (
        f"Tijden in Nederlandse tijd ({zone().key})"
        if zone().key == DEFAULT_ZONE
        else (f"Tijden in de tijdzone {zone().key}")
    )


def nl_date(value: date | datetime | str | None) -> str:
    """dd-mm-jjjj, and for a stored moment (UTC) its local time as dd-mm-jjjj HH:MM;
    '—' when there is no date."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return local(value).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")
