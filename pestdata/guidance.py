"""Loads the guidance content (data/, or a school's own folder in PESTDATA_DATA): the
protocol, the immediate actions, the materials with their audiences and age ranges, help sites
and the school-wide checklist.

A school edits these files, not code, so a mistake in them must give a message that names
the file and the entry, not a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .model import dutch_message
from .shipped import GUIDANCE

DATA_DIR = GUIDANCE  # the shipped defaults (shipped.py: installed copy, else the checkout's)


def data_dir() -> Path:
    """Where the guidance files are: PESTDATA_DATA (a school's own protocol and guidance),
    else the shipped defaults (top-level data/, inside the package once installed)."""
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
        raise GuidanceError(f"{path}: verwacht lijsten onder sleutels, zoals 'stappen:'")
    return content


def load_protocol(path: Path | None = None) -> tuple[ProtocolStepDef, ...]:
    """The protocol steps in order; refuses duplicates and malformed entries."""
    path = Path(path) if path else data_dir() / "protocol.yaml"
    return _load_protocol(path.resolve(), path.stat().st_mtime if path.exists() else 0)


def required_steps() -> list[str]:
    """The ids of the steps that count for "alle verplichte stappen gedaan"."""
    return [s.id for s in load_protocol() if s.verplicht]


def followup_step() -> ProtocolStepDef | None:
    """The protocol's follow-up step (the one that asks for an outcome), if it has one."""
    return next((s for s in load_protocol() if s.vraagt_uitkomst), None)


@lru_cache(maxsize=8)
def _load_protocol(path: Path, _mtime: float) -> tuple[ProtocolStepDef, ...]:
    entries = _read_yaml(path).get("stappen")
    if not isinstance(entries, list) or not entries:
        raise GuidanceError(f"{path}: 'stappen' moet een niet-lege lijst zijn")
    return tuple(_validated(path, "stap", ProtocolStepDef, entries))


AUDIENCES = {"leerkrachten": "Leerkrachten", "ouders": "Ouders", "leerlingen": "Leerlingen"}
Audience = Literal["leerkrachten", "ouders", "leerlingen"]
Link = Annotated[str, Field(pattern=r"^(https://\S+)?$")]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str = Field(min_length=1)


class ImmediateAction(Entry):
    uitleg: str = Field(min_length=1)
    link: Link = ""


class Material(Entry):
    """A brochure, booklet, lesson or site; `leeftijd` None means for every age."""

    soort: str = Field(min_length=1)
    doelgroep: tuple[Audience, ...] = Field(min_length=1)
    leeftijd: tuple[int, int] | None = None
    groepen: str = ""
    onderwerp: str = Field(min_length=1)
    samenvatting: str = Field(min_length=1)
    link: Link = ""

    @model_validator(mode="after")
    def _range_in_order(self) -> Material:
        if self.leeftijd and not 0 < self.leeftijd[0] <= self.leeftijd[1] <= 25:
            raise ValueError("leeftijd moet [van, tot] zijn met van <= tot")
        return self

    def fits_age(self, low: int, high: int | None = None) -> bool:
        """True when the material suits someone aged between low and high (or for all ages)."""
        high = low if high is None else high
        return self.leeftijd is None or (self.leeftijd[0] <= high and low <= self.leeftijd[1])

    @property
    def age_label(self) -> str:
        if self.leeftijd is None:
            return "alle leeftijden"
        return self.groepen or f"{self.leeftijd[0]}-{self.leeftijd[1]} jaar"


class HelpSite(Entry):
    voor: tuple[Audience, ...] = Field(min_length=1)
    anoniem: bool = False
    uitleg: str = Field(min_length=1)
    link: Link = ""


class SchoolActionDef(Entry):
    pass


class ParentTip(Entry):
    uitleg: str = Field(min_length=1)


@dataclass(frozen=True)
class Guidance:
    actions: tuple[ImmediateAction, ...]
    materials: tuple[Material, ...]
    help_sites: tuple[HelpSite, ...]
    school_actions: tuple[SchoolActionDef, ...]
    parent_tips: tuple[ParentTip, ...]

    def material(self, material_id: str) -> Material:
        return next(m for m in self.materials if m.id == material_id)

    @property
    def topics(self) -> list[str]:
        return sorted({m.onderwerp for m in self.materials})

    def find_materials(
        self,
        ages: tuple[int, int] | None = None,
        audience: str | None = None,
        topic: str | None = None,
        text: str = "",
    ) -> list[Material]:
        """Materials that fit every given filter; `text` searches title, summary and topic."""
        words = text.lower().split()
        return [
            m
            for m in self.materials
            if (ages is None or m.fits_age(*ages))
            and (not audience or audience in m.doelgroep)
            and (not topic or m.onderwerp == topic)
            and all(
                w in f"{m.titel} {m.samenvatting} {m.onderwerp} {m.soort}".lower() for w in words
            )
        ]


SECTIONS = {
    "acties": ImmediateAction,
    "materialen": Material,
    "hulp": HelpSite,
    "schoolacties": SchoolActionDef,
    "ouders": ParentTip,
}


def load_guidance(path: Path | None = None) -> Guidance:
    """guidance.yaml, every entry validated; a bad one is named with its file and number."""
    path = Path(path) if path else data_dir() / "guidance.yaml"
    return _load_guidance(path.resolve(), path.stat().st_mtime if path.exists() else 0)


@lru_cache(maxsize=8)
def _load_guidance(path: Path, _mtime: float) -> Guidance:
    content = _read_yaml(path)
    sections = {}
    for key, model in SECTIONS.items():
        entries = content.get(key)
        if not isinstance(entries, list) or not entries:
            raise GuidanceError(f"{path}: '{key}' moet een niet-lege lijst zijn")
        sections[key] = tuple(_validated(path, key, model, entries))  # e.g. 'materialen 3'
    return Guidance(*sections.values())  # SECTIONS is in the order of the fields


def _validated(path: Path, section: str, model: type[BaseModel], entries: list) -> list:
    """Each entry validated; the first bad one is named as '<file>: <section> <n> (<id>)'."""
    seen: set[str] = set()
    result = []
    for number, entry in enumerate(entries, start=1):
        name = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'waarden'}: {dutch_message(e)}"
                for e in exc.errors()
            )
            raise GuidanceError(f"{path}: {section} {number} ({name}): {problems}") from None
        if item.id in seen:
            raise GuidanceError(
                f"{path}: {section} {number} ({item.id}): deze id komt twee keer voor"
            )
        seen.add(item.id)
        result.append(item)
    return result
