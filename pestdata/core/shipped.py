"""Where the shipped dashboards and guidance are.

The checkout keeps them at its top level (`notebooks/`, `data/`: the project's card). A wheel
maps both into the package (pyproject.toml, hatchling's force-include), so an installed
pestdata finds them beside its code; an editable install or a checkout finds the top level.
The database never lives in either: a checkout keeps it in `var/` (store.default_db_path).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # pestdata/, above core/
CHECKOUT = PACKAGE.parent


def shipped(name: str) -> Path:
    """The installed copy of folder `name` (inside the package), else the checkout's. An
    empty folder left in the package by an older checkout counts as none."""
    inside = PACKAGE / name
    return inside if inside.is_dir() and any(inside.iterdir()) else CHECKOUT / name


NOTEBOOKS = shipped("notebooks")
GUIDANCE = shipped("data")
