"""How a teacher's everyday words find guidance (`Guidance.search` asks these).

A search reads the words normalised (case, accents, apostrophes), with light Dutch stemming
(`stem`: naaktfoto's, groepsapps, bedreiging/bedreigd), the synonym groups of zoekwoorden.yaml
(sexting = sextortion = naaktfoto; irregular forms such as buitengesloten are listed there),
then rapidfuzz for a misspelt word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from pestdata.core.guidance_entries import Entry

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
