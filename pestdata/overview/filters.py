"""What the overview is narrowed to: the filters, and the school years, months and quarters
its periods are made of."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa

from pestdata.core.clock import SchoolYear
from pestdata.db.tables import incident_forms, incident_platforms, incidents


def school_year_of(day: date) -> str:
    """The school year of a day, as the options show it: '2025-2026' (clock.SchoolYear)."""
    return SchoolYear.of(day).label


def school_year_range(year: str) -> tuple[date, date]:
    """First and last day of '2025-2026'."""
    school_year = SchoolYear.parse(year)
    return school_year.start, school_year.end


@dataclass(frozen=True)
class Filters:
    """What the overview is narrowed to; empty tuples mean 'all'."""

    start: date | None = None
    end: date | None = None
    schools: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    today: date = field(default_factory=date.today)
    raw: bool = False  # read only the raw tables (to check the facts, and in benchmarks)

    @classmethod
    def for_school_year(cls, year: str, **kwargs) -> Filters:
        start, end = school_year_range(year)
        return cls(start=start, end=end, **kwargs)

    def between(self, start: date | None, end: date | None) -> Filters:
        """The same filters over another period."""
        return replace(self, start=start, end=end)

    def without_period(self) -> Filters:
        """The same filters over all dates (for 'this month', 'open now')."""
        return self.between(None, None)

    def period_conditions(self) -> list[sa.ColumnElement]:
        c = incidents.c
        return [
            *([c.reported_on >= self.start] if self.start else []),
            *([c.reported_on <= self.end] if self.end else []),
        ]

    def narrowing(self, c) -> list[sa.ColumnElement]:
        """School, group and age band as IN conditions on the columns `c` of `incidents` or
        of a fact table (they share these names)."""
        return [
            column.in_(values)
            for column, values in (
                (c.school, self.schools),
                (c.group_name, self.groups),
                (c.age_band, self.age_bands),
            )
            if values
        ]

    def conditions(self) -> list[sa.ColumnElement]:
        """WHERE conditions on `incidents`."""
        c = incidents.c
        where = self.period_conditions() + self.narrowing(c)
        for table, column, values in (
            (incident_platforms, "platform", self.platforms),
            (incident_forms, "form", self.forms),
        ):
            if values:
                # An alias, so this EXISTS stays whole when the outer query joins the table too.
                other = table.alias()
                where.append(
                    sa.exists().where(other.c.incident_id == c.id, other.c[column].in_(values))
                )
        return where


def months_between(start, end, rows: list[dict]) -> list[str]:
    """Every month 'YYYY-MM' from start to end (open ends: the rows' first or last)."""
    known = sorted({row["month"] for row in rows})
    first = f"{start:%Y-%m}" if start else (known[0] if known else None)
    last = f"{end:%Y-%m}" if end else (known[-1] if known else None)
    if not first or not last:
        return []
    months, (year, month) = [], map(int, first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def quarter_of(month: str) -> str:
    """'2025-11' -> '2025 K4'."""
    year, number = month.split("-")
    return f"{year} K{(int(number) - 1) // 3 + 1}"
