"""Shared fixtures.

Store/model fixtures come first; browser-test fixtures (if any) belong below them.
"""

from __future__ import annotations

from datetime import date

import pytest

from pestdata.store import Store

# --- store and model fixtures ---------------------------------------------------------------


def valid_incident_data(**changes) -> dict:
    """A small, valid input for ``pestdata.model.validate_incident``; override with kwargs."""
    data = {
        "school": "De Regenboog",
        "reported_on": date(2024, 3, 1),
        "happened_on": date(2024, 2, 28),
        "reporter": "parent",
        "pupils": [
            {"pupil_number": "123456", "role": "target"},
            {"pupil_number": "LL-2024-017", "role": "bully"},
        ],
        "group": "groep 7",
        "platforms": ["whatsapp", "tiktok"],
        "forms": ["gossip", "exclusion"],
        "severity": "medium",
        "handler": "Mw. Jansen",
        "description": "Foto gedeeld in de klassenapp zonder toestemming.",
    }
    data.update(changes)
    return data


@pytest.fixture(name="valid_incident_data")
def _valid_incident_data_fixture():
    """The same helper as a fixture: ``valid_incident_data(group="klas 2")``."""
    return valid_incident_data


@pytest.fixture
def store(tmp_path) -> Store:
    """A migrated Store on a fresh SQLite file in tmp_path."""
    return Store(f"sqlite:///{tmp_path}/t.sqlite").ensure_schema()


# --- (browser fixtures go below this line) --------------------------------------------------
