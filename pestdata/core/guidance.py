"""The guidance a school works from: protocol, materials, help lines and search words.

Loads the guidance content (data/, or a school's own folder in PESTDATA_DATA): the
protocol, the immediate actions, the materials with their audiences and age ranges, help sites
and the school-wide checklist (guidance.yaml); the national help lines pestdata adds
(hulplijnen.yaml); the words that mean the same when a teacher searches (zoekwoorden.yaml).

A school edits these files, not code, so a mistake in them must give a message that names
the file and the entry, not a traceback. The two optional files follow one rule: absent in
the folder means none (a school that removes hulplijnen.yaml shows no help lines).

What an entry holds is guidance_entries.py; how a search reads a teacher's words is
guidance_search.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from pestdata.core import settings
from pestdata.core.errors import PestdataError
from pestdata.core.guidance_entries import (
    Entry,
    HelpLine,
    HelpSite,
    ImmediateAction,
    Material,
    ParentTip,
    ProtocolStepDef,
    SchoolActionDef,
)
from pestdata.core.guidance_search import Synonyms, Term, matches, words
from pestdata.core.model import dutch_message
from pestdata.core.shipped import GUIDANCE

DATA_DIR = GUIDANCE  # the shipped defaults (shipped.py: installed copy, else the checkout's)


def data_dir() -> Path:
    """Where the guidance files are: PESTDATA_DATA (a school's own protocol and guidance),
    else the shipped defaults (top-level data/, inside the package once installed)."""
    chosen = settings.get("PESTDATA_DATA")
    return Path(DATA_DIR if chosen is None else chosen)


class GuidanceError(PestdataError):
    """A guidance file that cannot be used; the message names the file and the entry."""


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
    return [s.id for s in load_protocol() if s.required]


def followup_step() -> ProtocolStepDef | None:
    """The protocol's follow-up step (the one that asks for an outcome), if it has one."""
    return next((s for s in load_protocol() if s.asks_outcome), None)


@lru_cache(maxsize=8)
def _load_protocol(path: Path, _mtime: float) -> tuple[ProtocolStepDef, ...]:
    entries = _read_yaml(path).get("stappen")
    if not isinstance(entries, list) or not entries:
        raise GuidanceError(f"{path}: 'stappen' moet een niet-lege lijst zijn")
    return tuple(_validated(path, "stap", ProtocolStepDef, entries))


@dataclass(frozen=True)
class Found:
    """What a search found, each kind in the guidance's order; `also` are the words searched
    besides the typed ones (shown, so a teacher sees why 'sexting' finds 'naaktfoto')."""

    actions: tuple[ImmediateAction, ...] = ()
    materials: tuple[Material, ...] = ()
    help: tuple[HelpSite, ...] = ()  # the handreiking's sites, then the help lines
    also: tuple[str, ...] = ()
    partial: bool = False  # nothing is about every word: these are about some of them

    def __len__(self) -> int:
        return len(self.actions) + len(self.materials) + len(self.help)


@dataclass(frozen=True)
class Guidance:
    actions: tuple[ImmediateAction, ...]
    materials: tuple[Material, ...]
    help_sites: tuple[HelpSite, ...]
    school_actions: tuple[SchoolActionDef, ...]
    parent_tips: tuple[ParentTip, ...]
    help_lines: tuple[HelpLine, ...] = ()
    synonyms: Synonyms = field(default_factory=lambda: Synonyms(()))

    def material(self, material_id: str) -> Material:
        return next(m for m in self.materials if m.id == material_id)

    @property
    def topics(self) -> list[str]:
        return sorted({m.topic for m in self.materials})

    def find_materials(
        self,
        ages: tuple[int, int] | None = None,
        audience: str | None = None,
        topic: str | None = None,
        text: str = "",
    ) -> list[Material]:
        """Materials that fit every given filter; `text` is searched as `search` does."""
        terms = self.terms(text)
        return [
            m
            for m in self.materials
            if (ages is None or m.fits_age(*ages))
            and (not audience or audience in m.audiences)
            and (not topic or m.topic == topic)
            and matches(m, terms)
        ]

    def search(self, text: str) -> Found:
        """The actions, materials and help (sites and lines) about every word of `text`;
        when nothing is about all of them ('sexting via whatsapp'), those about any."""
        terms = self.terms(text)
        if not terms:
            return Found()
        typed = {t.typed for t in terms}
        also = tuple(sorted({w for t in terms for w in t.shown if words(w) not in typed}))
        found = self._found(terms, every=True)
        if not found and len(terms) > 1:
            found = self._found(terms, every=False)
            return Found(found.actions, found.materials, found.help, also, partial=True)
        return Found(found.actions, found.materials, found.help, also)

    def _found(self, terms: list[Term], every: bool) -> Found:
        def fits(entry: Entry) -> bool:
            return matches(entry, terms) if every else any(matches(entry, [t]) for t in terms)

        return Found(
            actions=tuple(filter(fits, self.actions)),
            materials=tuple(filter(fits, self.materials)),
            help=tuple(filter(fits, (*self.help_sites, *self.help_lines))),
        )

    def terms(self, text: str) -> list[Term]:
        """The search terms of `text`; a word found nowhere (not in any entry, not in the
        synonyms) is replaced by the closest word that is (rapidfuzz), if one is close."""
        terms = self.synonyms.terms(text)
        entries = (*self.actions, *self.materials, *self.help_sites, *self.help_lines)
        return [
            term
            if any(matches(e, [term]) for e in entries)
            else self.synonyms.closest(term, self.vocabulary)
            for term in terms
        ]

    @cached_property
    def vocabulary(self) -> tuple[str, ...]:
        """Every stemmed word of the searched entries and the synonyms (for spelling)."""
        entries = (*self.actions, *self.materials, *self.help_sites, *self.help_lines)
        found = {w for e in entries for w in e.search_words}
        return tuple(sorted(found | self.synonyms.single_words))


SECTIONS = {
    "acties": ImmediateAction,
    "materialen": Material,
    "hulp": HelpSite,
    "schoolacties": SchoolActionDef,
    "ouders": ParentTip,
}


HELP_LINES = "hulplijnen.yaml"
SEARCH_WORDS = "zoekwoorden.yaml"


def load_guidance(path: Path | None = None) -> Guidance:
    """guidance.yaml, every entry validated; a bad one is named with its file and number.
    The help lines and search words come from the same folder (each optional)."""
    path = Path(path) if path else data_dir() / "guidance.yaml"
    files = [path, path.parent / HELP_LINES, path.parent / SEARCH_WORDS]
    mtimes = tuple(f.stat().st_mtime if f.exists() else 0 for f in files)
    return _load_guidance(path.resolve(), mtimes)


@lru_cache(maxsize=8)
def _load_guidance(path: Path, _mtimes: tuple[float, ...]) -> Guidance:
    content = _read_yaml(path)
    sections = {}
    for key, model in SECTIONS.items():
        entries = content.get(key)
        if not isinstance(entries, list) or not entries:
            raise GuidanceError(f"{path}: '{key}' moet een niet-lege lijst zijn")
        sections[key] = tuple(_validated(path, key, model, entries))  # e.g. 'materialen 3'
    return Guidance(  # SECTIONS is in the order of the fields
        *sections.values(),
        help_lines=load_help_lines(path.parent / HELP_LINES),
        synonyms=load_synonyms(path.parent / SEARCH_WORDS),
    )


def load_help_lines(path: Path) -> tuple[HelpLine, ...]:
    """The national help lines; none when the file is absent or its list is empty (that is
    how a school removes them)."""
    if not path.exists():
        return ()
    entries = _read_yaml(path).get("hulplijnen")
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise GuidanceError(f"{path}: 'hulplijnen' moet een lijst zijn")
    return tuple(_validated(path, "hulplijnen", HelpLine, entries))


def load_synonyms(path: Path) -> Synonyms:
    """The synonym groups; none when the file is absent."""
    if not path.exists():
        return Synonyms(())
    groups = _read_yaml(path).get("synoniemen") or []
    if not isinstance(groups, list):
        raise GuidanceError(f"{path}: 'synoniemen' moet een lijst van groepen zijn")
    checked = []
    for number, group in enumerate(groups, start=1):
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(w, str) and words(w) for w in group)
        ):
            raise GuidanceError(
                f"{path}: synoniemen {number}: schrijf een groep als [woord, woord, ...] "
                "met minstens twee woorden"
            )
        checked.append(tuple(group))
    return Synonyms(tuple(checked))


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
