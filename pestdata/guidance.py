"""Loads the guidance content in data/: for now the school's protocol steps.

A school edits these files, not code, so a mistake in them must give a message that names
the file and the entry, not a traceback.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .model import dutch_message

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    """Where the guidance files are: PESTDATA_DATA, else data/ beside the package."""
    return Path(os.environ.get("PESTDATA_DATA", DATA_DIR))


class GuidanceError(ValueError):
    """A guidance file that cannot be used; the message names the file and the entry."""


class ProtocolStepDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str = Field(min_length=1)
    uitleg: str = ""
    verplicht: bool = True
    termijn_dagen: int = Field(ge=0, le=365)
    vraagt_uitkomst: bool = False


def _read_yaml(path: Path) -> dict:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GuidanceError(f"{path}: bestand niet gevonden") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise GuidanceError(f"{path}: geen geldige YAML ({exc})") from None
    if not isinstance(content, dict):
        raise GuidanceError(f"{path}: verwacht een lijst onder een sleutel, zoals 'stappen:'")
    return content


def load_protocol(path: Path | None = None) -> tuple[ProtocolStepDef, ...]:
    """The protocol steps in order; refuses duplicates and malformed entries."""
    path = Path(path) if path else data_dir() / "protocol.yaml"
    return _load_protocol(path.resolve(), path.stat().st_mtime if path.exists() else 0)


@lru_cache(maxsize=8)
def _load_protocol(path: Path, _mtime: float) -> tuple[ProtocolStepDef, ...]:
    entries = _read_yaml(path).get("stappen")
    if not isinstance(entries, list) or not entries:
        raise GuidanceError(f"{path}: 'stappen' moet een niet-lege lijst zijn")
    steps: list[ProtocolStepDef] = []
    for number, entry in enumerate(entries, start=1):
        name = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            step = ProtocolStepDef.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'stap'}: {dutch_message(e)}"
                for e in exc.errors()
            )
            raise GuidanceError(f"{path}: stap {number} ({name}): {problems}") from None
        if any(s.id == step.id for s in steps):
            raise GuidanceError(f"{path}: stap {number} ({step.id}): deze id komt twee keer voor")
        steps.append(step)
    return tuple(steps)


def protocol_step(step_id: str) -> ProtocolStepDef:
    for step in load_protocol():
        if step.id == step_id:
            return step
    raise KeyError(step_id)
