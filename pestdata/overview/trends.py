"""Trends and breakdowns: reports per month per platform, form, age band, group or motive."""

from __future__ import annotations

import sqlalchemy as sa

from pestdata.db.facts import month_of
from pestdata.db.store import Store
from pestdata.db.tables import incident_forms, incident_platforms, incidents, report_facts
from pestdata.overview.filters import Filters
from pestdata.overview.reading import Rows, answer, fact_where, summed

TREND_DIMENSIONS = ("platform", "form", "age_band", "group", "motive")


def monthly_trend(
    store: Store, filters: Filters, by: str = "platform", units: bool = False
) -> Rows:
    """Reports per month per platform, form, age band, group or motive: rows of month,
    category, count (and school and group with `units`: the parts a shared view checks
    each published count against, `splits`).

    A report on two platforms (or with two forms) counts once for each. Filtered on a
    platform and split per platform, only the chosen platform is counted. The motive is not
    in the monthly facts: it is counted from the reports (one column, one GROUP BY).
    """
    if by not in TREND_DIMENSIONS:
        raise ValueError(f"onbekende indeling: {by}")
    columns = ["month", "category", *(["school", "group"] if units else []), "count"]
    if by == "motive":
        with store.reading() as conn:
            rows = conn.execute(_raw_trend(filters, by, units)).all()
        return summed(rows, columns, "count")
    f = report_facts.c
    keys = [f.month, f["group_name" if by == "group" else by]]
    keys += [f.school, f.group_name] if units else []
    with store.reading() as conn:
        rows = answer(
            conn,
            filters,
            lambda months: conn.execute(
                sa.select(*keys, sa.func.sum(f.reports))
                .where(*fact_where(report_facts, filters, months, split_by=by))
                .group_by(*keys)
            ).all(),
            lambda edge: conn.execute(_raw_trend(edge, by, units)).all(),
        )
    return summed(rows, columns, "count")


def _raw_trend(filters: Filters, by: str, units: bool = False) -> sa.Select:
    month = month_of(incidents.c.reported_on)
    where = filters.conditions()
    if by == "platform":
        category, source = incident_platforms.c.platform, incidents.join(incident_platforms)
        if filters.platforms:
            where.append(category.in_(filters.platforms))
    elif by == "form":
        category, source = incident_forms.c.form, incidents.join(incident_forms)
        if filters.forms:
            where.append(category.in_(filters.forms))
    else:
        category = incidents.c[{"group": "group_name"}.get(by, by)]  # age_band, motive
        source = incidents
    keys = [month, category, *([incidents.c.school, incidents.c.group_name] if units else [])]
    return sa.select(*keys, sa.func.count()).select_from(source).where(*where).group_by(*keys)
