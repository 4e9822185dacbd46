"""A school's own words for our values, read in the context of their column.

A register kept in Excel says "7" in a Groep column, "H2b" in a Klas column, "2" on a 1–4
Ernst scale, "Bedreigen" or "Foto's delen zonder toestemming" in a Vorm column. Each reader
here takes the text of one cell and what is known about its column, and gives our code, or
None when it does not recognise the text (the importer then lists it with the allowed values).

Matching is on normalised Dutch text (lower case, no accents, punctuation as spaces): first the
exact words of a vocabulary (our labels, their parts, common verbs and nouns), then the words
that carry the meaning in a short phrase, inflections and all ("Buitengesloten uit de
groepsapp" is buitensluiten: `read_phrase`, `stem`), then rapidfuzz for spelling variants;
a guess that fits two different values equally well is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from pestdata.core.choices import LABELS, Severity
from pestdata.core.register_words import (
    DATE_WORDS,
    DONE_WORDS,
    ENDINGS,
    EXTRA_WORDS,
    KINDS,
    NEGATIONS,
    NO,
    NOT_HANDLING,
    OPEN_WORDS,
    ORDINALS,
    SEPARABLE,
    STATUS_PHRASES,
    STOPWORDS,
    STRONG,
    YES,
)

FUZZY_CUTOFF = 86  # rapidfuzz score (0–100) from which a spelling variant counts as a match


def normalise(text: str) -> str:
    """'Foto’s  délen!' -> 'foto s delen': what two spellings of one word have in common."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@cache
def vocabulary(kind: str) -> dict[str, str]:
    """Normalised word -> our code, for one kind: codes, labels, label parts, EXTRA_WORDS."""
    enum = KINDS[kind]
    words: dict[str, str] = {}
    for member in enum:
        label = LABELS[member]
        parts = [label, member.value, *re.split(r",|\bof\b|\(|\)", label)]
        for word in (*parts, *EXTRA_WORDS[enum].get(member.value, ())):
            if normalise(word):
                words.setdefault(normalise(word), member.value)
    return words


@lru_cache(maxsize=20_000)  # registers repeat their words: each distinct cell is matched once
def recognise(kind: str, text: str) -> str | None:
    """Our code for one value of `kind` ('platforms', 'forms', 'severity', …), or None."""
    word = normalise(text)
    if not word:
        return None
    words = vocabulary(kind)
    if word in words:
        return words[word]
    if code := read_phrase(kind, word):
        return code
    if len(word) < 4:  # "wa", "ig": short words only exactly, a fuzzy guess would be noise
        return None
    found = process.extract(word, list(words), scorer=_score, limit=4, score_cutoff=FUZZY_CUTOFF)
    if not found:
        return None
    best = found[0][1]
    codes = {words[match] for match, score, _ in found if score == best}
    return codes.pop() if len(codes) == 1 else None  # two values fit equally: no guess


def _score(query: str, choice: str, **_) -> float:
    """Spelling variants (ratio), and a phrase that holds a whole label or its core words
    ("foto s delen zonder toestemming" in our label) when both have two or more words."""
    score = fuzz.ratio(query, choice)
    if " " in query and " " in choice:
        score = max(score, fuzz.token_set_ratio(query, choice) - 1)
    return score


# --- phrases: the words that carry the meaning ------------------------------------------------
#
# A register writes "Buitengesloten uit de groepsapp", "Uitgescholden in de chat", "Bedreigd
# in een privébericht": one word carries the meaning, inflected. No Dutch stemmer is installed
# (snowballstemmer is no dependency), so `stem` is a small suffix rule of our own, applied alike
# to the register's words and to our vocabulary, so that both meet in one stem (its word lists
# are in register_words.py):
#   1. a participle's 'ge' goes, also after a separable prefix (uitgescholden -> uitscholden,
#      buitengesloten -> buitensloten, gepest -> pest);
#   2. the strong verbs of bullying get their present form back (sloten -> sluiten,
#      scholden -> schelden: STRONG);
#   3. one ending goes: -ingen, -ing, -ende, -end, -tjes, -pjes, -jes, -tje, -pje, -je, -en,
#      -de, -te, -s, -e (buitensluiting -> buitensluit, bedreigingen -> bedreig, roddels ->
#      roddel, filmpjes -> film);
#   4. a final -dt, -d or -t goes (bedreigd -> bedreig, scheldt -> schel; pest and pesten
#      both become pes);
#   5. a doubled vowel and a doubled last consonant become single (negeer -> neger,
#      zett -> zet, fotoo -> foto).
# Each step keeps at least three letters. The stems are no words, only meeting points: a
# phrase matches a vocabulary entry when every content word of the entry has its stem among
# the phrase's stems (a compound holds a stem of four letters or more at its start or end:
# groepsapp holds groep, scheldwoorden holds schel).

NO_PHRASE_CODES = frozenset({"other", "unknown"})  # 'anders', 'onbekend': the whole cell only


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The meeting point of a Dutch word's inflections (see the rule above)."""
    w = word
    for prefix in SEPARABLE:
        rest = w[len(prefix) + 2 :]
        if w.startswith(prefix + "ge") and len(rest) >= 3:
            w = prefix + STRONG.get(rest, rest)
            break
    else:
        if w.startswith("ge") and len(w) >= 5 and w.endswith(("d", "t", "en")):
            w = STRONG.get(w[2:], w[2:])
    w = STRONG.get(w, w)
    for ending in ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            w = w[: -len(ending)]
            break
    for ending in ("dt", "d", "t"):
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            w = w[: -len(ending)]
            break
    w = re.sub(r"([aeou])\1", r"\1", w)
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Phrase:
    """A text's content words as stems, and whether it says 'not'."""

    stems: tuple[str, ...]
    negated: bool

    @classmethod
    def of(cls, words: str) -> Phrase:
        tokens = words.split()
        stems = tuple(stem(t) for t in tokens if t not in STOPWORDS | NEGATIONS and len(t) > 1)
        return cls(stems, any(t in NEGATIONS for t in tokens))

    def holds(self, wanted: str) -> bool:
        """One of our stems is here: the same stem, or a compound that starts or ends
        with it (only stems of four letters or more: 'app' is in no compound)."""
        return any(
            s == wanted or (len(wanted) >= 4 and (s.startswith(wanted) or s.endswith(wanted)))
            for s in self.stems
        )


@cache
def _entries(kind: str) -> list[tuple[str, Phrase]]:
    """(code, the entry's phrase) for each vocabulary word of three letters or more."""
    return [
        (code, phrase)
        for word, code in vocabulary(kind).items()
        if code not in NO_PHRASE_CODES and len(word) >= 3 and (phrase := Phrase.of(word)).stems
    ]


def read_phrase(kind: str, words: str) -> str | None:
    """Our code for a short phrase by the words that carry its meaning ('buitengesloten
    uit de groepsapp' -> exclusion), or None. The entries found with the most words decide;
    when they name two different codes there is no guess. A 'not' must be on both sides:
    'nog niet afgerond' is not 'afgerond'."""
    phrase = Phrase.of(words)
    if not phrase.stems:
        return None
    found = [
        (len(entry.stems), code)
        for code, entry in _entries(kind)
        if entry.negated == phrase.negated and all(phrase.holds(s) for s in entry.stems)
    ]
    if not found:
        return None
    most = max(n for n, _ in found)
    codes = {code for n, code in found if n == most}
    return codes.pop() if len(codes) == 1 else None


def label(kind: str, code: str) -> str:
    """The Dutch label of one of our codes."""
    return LABELS[KINDS[kind](code)]


def allowed(kind: str) -> list[str]:
    """The Dutch labels a user may write, for messages (Ernst 'Onbekend' is read, not
    offered: Severity.choices)."""
    return [label for label, _ in KINDS[kind].choices()]


# --- yes/no columns --------------------------------------------------------------------------


def yes_no(text: str) -> bool | None:
    """A cell of a column per platform: True for ja/x/1/✓, False for nee/0/empty, else None."""
    raw = str(text).strip()
    if raw in ("✓", "✔", "☑"):
        return True
    word = normalise(raw)
    if word in YES:
        return True
    if word in NO:
        return False
    return None


# --- columns about the handling: status, done (ja/nee), date handled -------------------------


def handling_column(header: str) -> str | None:
    """What a register's column about the handling holds, from its everyday header:
    'resolved_on' for a date ('Opgelost op', 'Datum afgehandeld', 'Afsluitdatum'), 'done'
    for ja/nee, a date or a status ('Afgehandeld ja/nee', 'Afgehandeld?', 'Klaar'), 'open'
    for the same, said the other way round ('Nog open?'), 'status' for status words
    ('Status', 'Stand van zaken'); None for any other header."""
    words = normalise(header)
    tokens = words.split()
    if not tokens or NOT_HANDLING & set(tokens):
        return None
    phrase = Phrase.of(words)
    done = any(phrase.holds(stem(w)) for w in DONE_WORDS)
    still_open = any(t in OPEN_WORDS for t in tokens)
    stated = any(f" {p} " in f" {words} " for p in STATUS_PHRASES)
    dated = any(t in DATE_WORDS or "datum" in t for t in tokens)
    if stated or (done and still_open):
        return "status"
    if done:
        return "resolved_on" if dated else "done"
    if still_open and not dated:
        return "open"
    return None


# --- severity on a numeric scale -------------------------------------------------------------


def severity_scale(values: list[str]) -> int | None:
    """The top of a numeric Ernst column (3, 4 or 5), read from the largest number from 1 to
    5 in it; None when it has none. A 0 or a 7 does not change the scale: that cell alone
    is not recognised."""
    numbers = [int(v) for v in (str(v).strip() for v in values) if v.isdigit()]
    numbers = [n for n in numbers if 1 <= n <= 5]
    return max(3, max(numbers)) if numbers else None


def severity_from_scale(number: int, top: int) -> str:
    """1..top onto our three levels, by equal thirds: ceil(number × 3 / top)."""
    level = -(-number * 3 // top)
    return (Severity.LOW, Severity.MEDIUM, Severity.HIGH)[level - 1].value


def scale_note(top: int) -> str:
    """How a scale was read, for the import report: '1 = Licht, 2 = Middel, 3–4 = Ernstig'."""
    by_level: dict[str, list[int]] = {}
    for number in range(1, top + 1):
        by_level.setdefault(severity_from_scale(number, top), []).append(number)
    parts = []
    for code, numbers in by_level.items():
        span = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
        parts.append(f"{span} = {LABELS[Severity(code)]}")
    return f"schaal 1–{top} gelezen als " + ", ".join(parts)


# --- groups and classes ----------------------------------------------------------------------

# Secondary school levels that prefix or follow a klas: H2b, V4, 2 havo, m3, 1 vmbo-t.
LEVELS = r"(?:havo|vwo|mavo|vmbo|atheneum|gymnasium|gym|tl|kb|bb|gl|lwoo)"
LEVEL_LETTER = r"(?<![a-z0-9])[hvmbktag](?=\d)"  # the H of H2b, the v of v4
COMBINATION_RULE = "een combinatiegroep (zoals 7/8) telt als de laagste groep"


@dataclass(frozen=True)
class GroupColumn:
    """What a bare number means in this column: 'groep', 'klas', or '' when the header
    does not say (a column 'Groep of klas' needs 'groep 7' or 'klas 2')."""

    kind: str

    @classmethod
    def from_header(cls, header: str) -> GroupColumn:
        words = normalise(header)
        primary = bool(re.search(r"\b(groep|gr|jaargroep|combinatiegroep)\b", words))
        secondary = bool(re.search(r"\b(klas|leerjaar|jaarlaag|klassen)\b", words))
        if primary and secondary:
            return cls("")
        return cls("groep" if primary else "klas" if secondary else "")


@lru_cache(maxsize=4096)
def recognise_group(text: str, column: GroupColumn) -> tuple[str | None, bool]:
    """('groep 7' or 'klas 2', or None) and whether it was a combination group.

    In a Groep column: 7, groep 7, groep7, gr7, gr. 7, 7b, 7/8 (the lowest: COMBINATION_RULE).
    In a Klas column: 2, klas 2, klas2, 2 havo, H2b, 2e klas, tweede klas, 2A; brugklas is
    klas 1. A cell that names its kind ("klas 2" in a Groep column) is read as it says.
    """
    if excel := re.fullmatch(r"\d{4}-0?([1-8])-0?([1-8])", str(text).strip()):
        text = f"{excel[2]}/{excel[1]}"  # '5/6' that Excel made into 5 June: groups 5/6
    words = normalise(text)
    for name, number in ORDINALS.items():
        words = re.sub(rf"\b{name}\b", str(number), words)
    # 'groep8', 'klas2b': the word and its number written together.
    words = re.sub(r"\b(groep|gr|jaargroep|combinatiegroep|klas|leerjaar)(?=\d)", r"\1 ", words)
    words = re.sub(r"\bbrugklas\b", "klas" if re.search(r"\d", words) else "klas 1", words)
    words = re.sub(r"\b(\d)\s*(?:e|de|ste)\b", r"\1", words)  # 2e klas, 2de klas
    kind = column.kind
    if re.search(r"\b(groep|gr|jaargroep|combinatiegroep)\b", words) or re.fullmatch(
        r"gr\d.*", words
    ):
        kind = "groep"
    elif re.search(rf"\b(klas|leerjaar|{LEVELS})\b|{LEVEL_LETTER}|\d{LEVELS}\b", words):
        kind = "klas"
    digits = [int(d) for d in re.findall(r"(?<!\d)(\d{1,2})(?!\d)", words)]
    leftover = re.sub(
        rf"\b(groep|gr|jaargroep|combinatiegroep|klas|leerjaar|{LEVELS})\b", " ", words
    )
    leftover = re.sub(rf"(?<![a-z])(?:gr|{LEVELS})(?=\d)|{LEVEL_LETTER}", " ", leftover)
    leftover = re.sub(rf"(?<=\d)(?:{LEVELS}|[a-z]{{1,2}})\b", " ", leftover)  # 7b, 2A, 4vwo
    if not digits or not kind or re.search(r"[a-z]{3,}", leftover):
        return None, False
    combination = len(digits) > 1
    if combination and not re.fullmatch(r"\D*\d{1,2}\s*\d{1,2}\D*", words):
        return None, False  # '7 8' from '7/8' only; anything else with two numbers is unclear
    number = min(digits)
    top = 8 if kind == "groep" else 6
    if not 1 <= number <= top or (combination and max(digits) > top):
        return None, False
    return f"{kind} {number}", combination
