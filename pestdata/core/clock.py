"""The school's clock: moments are stored in UTC, shown and dated in local time.

A Dutch school reads "14:05" as Amsterdam time, and a report logged at 00:30 on the 2nd is a
report of the 2nd, whatever zone the server runs in. PESTDATA_TZ names another zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pestdata.core import settings
from pestdata.core.errors import ValueRefused

DEFAULT_ZONE = settings.SETTINGS["PESTDATA_TZ"].default


def zone() -> ZoneInfo:
    """The local time zone: PESTDATA_TZ, else Europe/Amsterdam."""
    return _zone(settings.get("PESTDATA_TZ") or DEFAULT_ZONE)


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


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
FIRST_MONTH = 8  # a Dutch school year starts on 1 August
SCHOOL_YEAR_MONTHS = MONTHS[FIRST_MONTH - 1 :] + MONTHS[: FIRST_MONTH - 1]  # aug … jul


@dataclass(frozen=True, order=True)
class SchoolYear:
    """A Dutch school year, 1 August to 31 July: SchoolYear(2025) is '2025-2026'."""

    first: int  # the calendar year it starts in

    @classmethod
    def of(cls, day: date) -> SchoolYear:
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """'2025-2026' (the form every screen and option shows); ValueError otherwise."""
        first, _, second = str(text).strip().partition("-")
        if not (
            len(first) == len(second) == 4
            and first.isdigit()
            and second.isdigit()
            and int(second) == int(first) + 1
        ):
            raise ValueRefused(f"'{text}' is geen schooljaar; gebruik de vorm 2025-2026")
        return cls(int(first))

    @property
    def label(self) -> str:
        return f"{self.first}-{self.first + 1}"

    @property
    def start(self) -> date:
        return date(self.first, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        return date(self.first + 1, FIRST_MONTH - 1, 31)

    @property
    def previous(self) -> SchoolYear:
        return SchoolYear(self.first - 1)

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def month_index(month: int) -> int:
        """Position of a calendar month in the school year: August 0, July 11."""
        return (month - FIRST_MONTH) % 12
