"""A school's own words for our values, read in the context of their column.

A register kept in Excel says "7" in a Groep column, "H2b" in a Klas column, "2" on a 1–4
Ernst scale, "Bedreigen" or "Foto's delen zonder toestemming" in a Vorm column. Each reader
here takes the text of one cell and what is known about its column, and gives our code, or
None when it does not recognise the text (the importer then lists it with the allowed values).

Matching is on normalised Dutch text (lower case, no accents, punctuation as spaces): first the
exact words of a vocabulary (our labels, their parts, common verbs and nouns), then rapidfuzz
for spelling variants, refusing a guess that fits two different values equally well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from .model import LABELS, Form, Motive, Outcome, Platform, Reporter, Severity, Status

FUZZY_CUTOFF = 86  # rapidfuzz score (0–100) from which a spelling variant counts as a match


def normalise(text: str) -> str:
    """'Foto’s  délen!' -> 'foto s delen': what two spellings of one word have in common."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# --- vocabularies ----------------------------------------------------------------------------

# Words schools use besides our labels (normalised). Verbs and nouns both: a register says
# "bedreigen" where our label says "Bedreiging".
EXTRA_WORDS: dict[type, dict[str, tuple[str, ...]]] = {
    Reporter: {
        "pupil": ("leerling", "leerling zelf", "slachtoffer", "medeleerling", "klasgenoot"),
        "parent": ("ouder", "ouders", "verzorger", "vader", "moeder", "ouder verzorger"),
        "teacher": ("leraar", "lerares", "docent", "docente", "juf", "meester", "leerkracht"),
        "mentor": ("mentor", "coach", "mentrix"),
        "anonymous": ("anoniem", "meldknop", "anonieme melding"),
        "other": ("anders", "overig", "overige", "onbekend"),
    },
    Motive: {
        "appearance": ("uiterlijk", "kleding", "gewicht", "dik", "bril", "lengte", "haar"),
        "origin": (
            "afkomst",
            "huidskleur",
            "herkomst",
            "racisme",
            "racistisch",
            "etniciteit",
            "discriminatie afkomst",
            "buitenlander",
            "kleur",
        ),
        "religion": (
            "geloof",
            "religie",
            "godsdienst",
            "moslim",
            "joods",
            "christelijk",
            "hoofddoek",
            "islam",
        ),
        "sexual_orientation": (
            "seksuele orientatie",
            "homo",
            "homoseksueel",
            "lesbisch",
            "gay",
            "lhbti",
            "lhbtiq",
            "biseksueel",
            "seksualiteit",
        ),
        "gender_identity": (
            "genderidentiteit",
            "gender",
            "transgender",
            "trans",
            "non binair",
            "nonbinair",
        ),
        "disability": (
            "beperking",
            "handicap",
            "gehandicapt",
            "autisme",
            "adhd",
            "dyslexie",
            "ziekte",
            "stotteren",
        ),
        "other": ("anders", "overig", "iets anders"),
        "unknown": ("onbekend", "weet niet", "niet bekend", "geen", "nvt", "n v t"),
    },  # fmt: skip
    Severity: {
        "low": ("laag", "licht", "klein", "gering", "niet ernstig", "mild"),
        "medium": ("middel", "gemiddeld", "matig", "midden", "normaal"),
        "high": ("hoog", "ernstig", "zwaar", "zeer ernstig", "heel ernstig", "groot"),
    },
    Status: {
        "new": ("nieuw", "open", "gemeld", "nog niet gestart"),
        "in_progress": ("in behandeling", "lopend", "loopt", "bezig", "in uitvoering"),
        "referred": ("doorverwezen", "verwezen", "overgedragen"),
        "resolved": ("opgelost",),
        "closed": ("afgesloten", "gesloten", "afgehandeld", "afgerond", "klaar", "dicht"),
    },
    Platform: {
        "whatsapp": ("whatsapp", "app", "whatsappgroep", "whatsapp groep", "klassenapp", "wa"),
        "instagram": ("instagram", "insta", "ig"),
        "tiktok": ("tiktok", "tik tok"),
        "snapchat": ("snapchat", "snap"),
        "youtube": ("youtube", "yt"),
        "discord": ("discord",),
        "game_chat": (
            "game",
            "games",
            "gamechat",
            "game chat",
            "gamen",
            "online game",
            "fortnite",
            "roblox",
            "minecraft",
        ),
        "facebook": ("facebook", "fb"),
        "x": ("x", "twitter", "x twitter"),
        "school_platform": ("schoolplatform", "magister", "somtoday", "teams", "classroom"),
        "other": ("anders", "overig", "overige", "sms", "telegram", "bereal"),
    },
    Form: {
        "gossip": ("roddel", "roddelen", "roddels", "geroddel", "kletsen", "praatjes"),
        "ridicule": (
            "belachelijk maken",
            "uitlachen",
            "grappen",
            "grappen uithalen",
            "pranks",
            "prank",
            "vernederen",
            "schelden",
            "uitschelden",
        ),
        "exclusion": (
            "buitensluiten",
            "uitsluiten",
            "uitsluiting",
            "buitensluiting",
            "uit de groep gezet",
            "uit groep gezet",
            "verwijderd uit groep",
            "negeren",
        ),
        "sharing_images": (
            "foto s delen",
            "foto delen",
            "filmpjes delen",
            "filmpje delen",
            "video delen",
            "foto s of filmpjes delen",
            "foto s delen zonder toestemming",
            "beelden delen",
            "foto",
            "foto s",
            "filmpje",
        ),
        "hate_campaign": ("haatcampagne", "haat campagne", "haat", "hetze"),
        "threats": ("bedreiging", "bedreigen", "dreigen", "dreiging", "bedreigd", "bedreigingen"),
        "impersonation": (
            "nepaccount",
            "nep account",
            "fake account",
            "nepprofiel",
            "zich voordoen als een ander",
            "identiteitsfraude",
        ),
        "sextortion": (
            "sexting",
            "sextortion",
            "afpersing",
            "afpersen",
            "naaktfoto",
            "naaktfoto s",
            "seksueel beeldmateriaal",
            "shamesexting",
        ),
        "other": ("anders", "overig", "overige"),
    },
    Outcome: {
        "stopped": ("gestopt", "gestopt met pesten", "opgehouden"),
        "less": ("minder", "verminderd", "afgenomen"),
        "continued": ("gaat door", "doorgegaan", "nog steeds", "niet gestopt"),
    },
}
KINDS: dict[str, type] = {
    "reporter": Reporter,
    "severity": Severity,
    "motive": Motive,
    "status": Status,
    "platforms": Platform,
    "forms": Form,
    "outcome": Outcome,
}


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


def label(kind: str, code: str) -> str:
    """The Dutch label of one of our codes."""
    return LABELS[KINDS[kind](code)]


def allowed(kind: str) -> list[str]:
    """The Dutch labels a user may write, for messages."""
    return [LABELS[m] for m in KINDS[kind]]


# --- yes/no columns --------------------------------------------------------------------------

YES = {"ja", "j", "x", "1", "yes", "y", "waar", "true", "v", "wel", "ok"}
NO = {"nee", "n", "0", "no", "onwaar", "false", "niet", "-", ""}


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

ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6}
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
