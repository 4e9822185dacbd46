"""The guidance a school works from: protocol, materials, help lines and search words.

Loads the guidance content (data/, or a school's own folder in PESTDATA_DATA): the
protocol, the immediate actions, the materials with their audiences and age ranges, help sites
and the school-wide checklist (guidance.yaml); the national help lines pestdata adds
(hulplijnen.yaml); the words that mean the same when a teacher searches (zoekwoorden.yaml).

A school edits these files, not code, so a mistake in them must give a message that names
the file and the entry, not a traceback. The two optional files follow one rule: absent in
the folder means none (a school that removes hulplijnen.yaml shows no help lines).

Search (`Guidance.search`) reads a teacher's everyday words: normalised (case, accents,
apostrophes), light Dutch stemming (`stem`: naaktfoto's, groepsapps, bedreiging/bedreigd),
the synonym groups of zoekwoorden.yaml (sexting = sextortion = naaktfoto; irregular forms
such as buitengesloten are listed there), then rapidfuzz for a misspelt word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rapidfuzz import fuzz, process

from pestdata.core import settings
from pestdata.core.model import dutch_message
from pestdata.core.shipped import GUIDANCE

DATA_DIR = GUIDANCE  # the shipped defaults (shipped.py: installed copy, else the checkout's)


def data_dir() -> Path:
    """Where the guidance files are: PESTDATA_DATA (a school's own protocol and guidance),
    else the shipped defaults (top-level data/, inside the package once installed)."""
    chosen = settings.get("PESTDATA_DATA")
    return Path(DATA_DIR if chosen is None else chosen)


class GuidanceError(ValueError):
    """A guidance file that cannot be used; the message names the file and the entry."""


class ProtocolStepDef(BaseModel):
    """One step of protocol.yaml; the Dutch keys of the file are the aliases."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(alias="titel", min_length=1)
    explanation: str = Field(alias="uitleg", default="")
    required: bool = Field(alias="verplicht", default=True)
    deadline_days: int = Field(alias="termijn_dagen", ge=0, le=365)
    asks_outcome: bool = Field(alias="vraagt_uitkomst", default=False)


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


AUDIENCES = {"leerkrachten": "Leerkrachten", "ouders": "Ouders", "leerlingen": "Leerlingen"}
Audience = Literal["leerkrachten", "ouders", "leerlingen"]
Link = Annotated[str, Field(pattern=r"^(https://\S+)?$")]


Word = Annotated[str, Field(min_length=1, max_length=80)]


class Entry(BaseModel):
    """An entry of the guidance files; the Dutch keys of the files are the aliases.
    `keywords` (trefwoorden): everyday words a teacher searches with that the text itself does
    not use (added by pestdata for search, not from the handreiking)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(alias="titel", min_length=1)
    keywords: tuple[Word, ...] = Field(alias="trefwoorden", default=())

    @cached_property
    def search_words(self) -> tuple[str, ...]:
        """Every word a search looks in, normalised and stemmed, in reading order."""
        texts = [getattr(self, name, "") for name in SEARCHED_FIELDS]
        return words(" ; ".join([*texts, *self.keywords]))


SEARCHED_FIELDS = ("title", "explanation", "summary", "topic", "kind", "source")


class ImmediateAction(Entry):
    explanation: str = Field(alias="uitleg", min_length=1)
    link: Link = ""


class Material(Entry):
    """A brochure, booklet, lesson or site; `ages` (leeftijd) None means for every age."""

    kind: str = Field(alias="soort", min_length=1)
    audiences: tuple[Audience, ...] = Field(alias="doelgroep", min_length=1)
    ages: tuple[int, int] | None = Field(alias="leeftijd", default=None)
    groups: str = Field(alias="groepen", default="")  # 'groep 7 en 8', shown instead of ages
    topic: str = Field(alias="onderwerp", min_length=1)
    summary: str = Field(alias="samenvatting", min_length=1)
    link: Link = ""
    # who publishes it, as the handreiking names them; empty when it names none
    source: str = Field(alias="bron", default="")

    @model_validator(mode="after")
    def _range_in_order(self) -> Material:
        if self.ages and not 0 < self.ages[0] <= self.ages[1] <= 25:
            raise ValueError("leeftijd moet [van, tot] zijn met van <= tot")
        return self

    def fits_age(self, low: int, high: int | None = None) -> bool:
        """True when the material suits someone aged between low and high (or for all ages)."""
        high = low if high is None else high
        return self.ages is None or (self.ages[0] <= high and low <= self.ages[1])

    @property
    def age_label(self) -> str:
        if self.ages is None:
            return "alle leeftijden"
        return self.groups or f"{self.ages[0]}-{self.ages[1]} jaar"


class HelpSite(Entry):
    audiences: tuple[Audience, ...] = Field(alias="voor", min_length=1)
    anonymous: bool = Field(alias="anoniem", default=False)
    explanation: str = Field(alias="uitleg", min_length=1)
    link: Link = ""
    source: str = Field(alias="bron", default="")


class HelpLine(HelpSite):
    """A national help line (hulplijnen.yaml): not from the handreiking, so every line says
    who added it ('pestdata', or the school's own name for a line it adds)."""

    phone: str = Field(alias="telefoon", default="", pattern=r"^(\d[\d -]{1,14}\d)?$")
    added_by: str = Field(alias="toegevoegd_door", min_length=1)

    @model_validator(mode="after")
    def _reachable(self) -> HelpLine:
        if not (self.phone or self.link):
            raise ValueError("geef een telefoonnummer of een link")
        return self


def where_to_find(entry: Material | HelpSite) -> str:
    """Where to get a material or site that has no link: the one rule for all of them. Its
    publisher when the guidance names one, else the school's own coordinator; '' with a link."""
    if entry.link:
        return ""
    if entry.source:
        return f"Te vinden bij: {entry.source}"
    return "Vraag de anti-pestcoördinator"


class SchoolActionDef(Entry):
    pass


class ParentTip(Entry):
    explanation: str = Field(alias="uitleg", min_length=1)


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


# --- search ---------------------------------------------------------------------------------

# Words that carry no meaning on their own; left out of a query (not of a synonym phrase).
STOP_WORDS = frozenset(
    "de het een en of in op uit van met voor aan te is er die dat wat hoe bij naar om door "
    "over als mijn zijn haar hij zij ze je jij ik we wij wordt worden werd ook via".split()
)
# Dutch endings stripped by `stem`, longest first: plurals, diminutives, verb forms, -ing.
ENDINGS = ("ingen", "jes", "ing", "en", "je", "s", "e")
FUZZY_CUTOFF = 85  # rapidfuzz ratio from which a misspelt word counts as the word
SUBSTRING_FROM = 4  # a searched word this long also matches inside a compound (groepsapp)


def stem(word: str) -> str:
    """A light Dutch stem, the same for query and text: 'naaktfotos' -> 'naaktfoto',
    'bedreiging'/'bedreigd'/'bedreigen' -> 'bedreig', 'groepsapps' -> 'groepsap'.
    Irregular forms (buitengesloten) are not stemmed to their verb: zoekwoorden.yaml lists
    them with it."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("igd"):
        word = word[:-1]
    else:
        for ending in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                if ending == "s" and word.endswith("e") and len(word) >= 4:
                    word = word[:-1]  # nudes -> nud, as nude -> nud
                break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # lessen -> less -> les, appen -> app
    return word


def plain_words(text: str) -> list[str]:
    """Lower case, no accents, no apostrophes: "Foto’s délen!" -> ['fotos', 'delen']."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['`]", "", text.lower())  # foto's -> fotos (’ went with the accents)
    return re.findall(r"[a-z0-9]+", text)


def words(text: str) -> tuple[str, ...]:
    """Normalised, stemmed words: "Foto’s délen!" -> ('foto', 'del')."""
    return tuple(stem(w) for w in plain_words(text))


def _fits(searched: str, word: str) -> bool:
    return searched == word or (len(searched) >= SUBSTRING_FROM and searched in word)


def _occurs(phrase: tuple[str, ...], text: tuple[str, ...]) -> bool:
    """The phrase's words in a row somewhere in the text (each exact or inside a compound)."""
    n = len(phrase)
    return any(
        all(_fits(p, t) for p, t in zip(phrase, text[i : i + n], strict=True))
        for i in range(len(text) - n + 1)
    )


@dataclass(frozen=True)
class Term:
    """One thing searched: the typed word(s) and every phrase that means the same."""

    typed: tuple[str, ...]
    alternatives: frozenset[tuple[str, ...]]
    shown: tuple[str, ...] = ()  # the synonyms as written in zoekwoorden.yaml


def matches(entry: Entry, terms: list[Term]) -> bool:
    """True when the entry is about every term (any of its alternatives)."""
    return all(any(_occurs(a, entry.search_words) for a in t.alternatives) for t in terms)


@dataclass(frozen=True)
class Synonyms:
    """Groups of words that mean the same for a search (zoekwoorden.yaml)."""

    groups: tuple[tuple[str, ...], ...]

    @cached_property
    def _stemmed(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        return tuple(tuple(words(w) for w in group) for group in self.groups)

    @cached_property
    def single_words(self) -> frozenset[str]:
        return frozenset(p[0] for g in self._stemmed for p in g if len(p) == 1)

    def term(self, phrase: tuple[str, ...]) -> Term:
        """The phrase and every group it belongs to."""
        alternatives = {phrase}
        shown: list[str] = []
        for written, stemmed in zip(self.groups, self._stemmed, strict=True):
            if phrase in stemmed:
                alternatives.update(stemmed)
                shown.extend(written)
        return Term(phrase, frozenset(alternatives), tuple(shown))

    def terms(self, text: str) -> list[Term]:
        """The terms of a query: the longest synonym phrase at each place ('uit de groep
        gezet'), else one word; stop words left out."""
        plain = plain_words(text)
        typed = tuple(stem(w) for w in plain)
        phrases = sorted({p for g in self._stemmed for p in g if len(p) > 1}, key=len, reverse=True)
        found: list[Term] = []
        i = 0
        while i < len(typed):
            phrase = next((p for p in phrases if typed[i : i + len(p)] == p), None)
            if phrase:
                found.append(self.term(phrase))
                i += len(phrase)
                continue
            if plain[i] not in STOP_WORDS:
                found.append(self.term((typed[i],)))
            i += 1
        return found

    def closest(self, term: Term, vocabulary: tuple[str, ...]) -> Term:
        """A misspelt single word ('sextorsion', 'whatsap') as the closest known word."""
        if len(term.typed) != 1 or len(term.typed[0]) < 5:
            return term
        best = process.extractOne(
            term.typed[0], vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if best is None:
            return term
        found = self.term((best[0],))
        return Term(term.typed, found.alternatives, found.shown or (best[0],))


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
