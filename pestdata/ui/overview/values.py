"""The overview's plain values: the leader's choices and each part as published.

state.py decides them for one set of choices; page.py draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pestdata.core.choices import ALL


@dataclass(frozen=True)
class Choices:
    """What the leader chose ('' is all): the filters, the shared view and each chart's split."""

    year: str = ALL
    start: date | None = None
    end: date | None = None
    school: str = ALL
    who: str = ALL  # "band:<age band>" or "group:<group>"
    platform: str = ALL
    form: str = ALL
    shared: bool = True
    split: str = "platform"  # the trend chart: per platform or per form
    split_age: str = "age_band"  # the second chart: per age band, group or motive


@dataclass(frozen=True)
class Card:
    """One key figure as published: `name` addresses it, `label` and `value` are shown."""

    name: str
    label: str
    value: str


@dataclass(frozen=True)
class ChartShown:
    """A chart as published: a plotly figure, or the sentence shown instead (`empty`); `note`
    is the sentence under it."""

    figure: object | None = None
    empty: str = ""
    note: str = ""


@dataclass(frozen=True)
class OverdueShown:
    """The overdue list: the cases, or the sentence instead (`none`: there are no cases)."""

    incidents: list[dict] | None = None  # overview.lists.overdue_incidents
    sentence: str = ""
    none: bool = False
