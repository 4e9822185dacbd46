"""Small helpers more than one test file needs (issue 24: one place for them)."""

from __future__ import annotations

import sqlalchemy as sa

from pestdata.cases import caseload
from pestdata.db.store import Store
from pestdata.db.tables import incidents


def cases_by_target(store: Store) -> dict[str, dict]:
    """Every stored case, keyed by its first target pupil number."""
    with store.reading() as conn:
        ids = conn.execute(sa.select(incidents.c.id)).scalars().all()
    found = {}
    for incident_id in ids:
        case = caseload.get_incident(store, incident_id)
        target = next(p["pupil_number"] for p in case["pupils"] if p["role"] == "target")
        found[target] = case
    return found
