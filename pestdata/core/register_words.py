"""The words Dutch schools write in their registers, as lists that recognise.py reads.

Plain data, extended when a register shows a word we did not know: the everyday words for each
of our values besides their labels (EXTRA_WORDS), the Dutch the stemmer knows (separable
prefixes, strong verbs, endings, words without meaning), yes and no, the words of a column
about the handling, and the ordinals of a klas. How they are matched is recognise.py's.
"""

from __future__ import annotations

from pestdata.core.choices import Form, Motive, Outcome, Platform, Reporter, Severity, Status

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
        "unknown": ("onbekend", "niet bekend", "weet niet", "niet ingevuld", "nvt"),
    },
    Status: {
        "new": (
            "nieuw",
            "open",
            "nog open",
            "nog niet",
            "gemeld",
            "nog niet gestart",
            "niet gestart",
            "niet afgerond",
            "niet afgehandeld",
            "niet klaar",
            "nog niet opgelost",
        ),
        "in_progress": (
            "in behandeling",
            "lopend",
            "loopt",
            "loopt nog",
            "bezig",
            "nog bezig",
            "in uitvoering",
            "opgepakt",
            "mee bezig",
            "gestart",
        ),
        "referred": ("doorverwezen", "verwezen", "overgedragen"),
        "resolved": ("opgelost",),
        "closed": (
            "afgesloten",
            "gesloten",
            "afgehandeld",
            "afgerond",
            "klaar",
            "dicht",
            "gereed",
            "voltooid",
            "gedaan",
            "afgewerkt",
            "gearchiveerd",
        ),
    },
    Platform: {
        "whatsapp": (
            "whatsapp",
            "app",
            "whatsappgroep",
            "whatsapp groep",
            "klassenapp",
            "groepsapp",
            "wa",
        ),
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
            "scheldwoorden",
            "beledigen",
            "belediging",
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
            "niet meedoen",
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
            "account nagemaakt",
            "account overgenomen",
            "gehackt",
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

# --- the stemmer's Dutch (recognise.stem) -----------------------------------------------------

SEPARABLE = (
    "buiten", "terug", "door", "over", "voor", "mee", "uit", "aan", "toe", "weg", "neer",
    "vast", "rond", "bij", "af", "op", "na", "om", "in",
)  # fmt: skip
STRONG = {  # past forms of strong verbs registers use, to their infinitive
    "sloten": "sluiten",
    "sloot": "sluiten",
    "scholden": "schelden",
    "schold": "schelden",
    "bedrogen": "bedriegen",
    "schreven": "schrijven",
    "schreef": "schrijven",
    "zonden": "zenden",
    "dwongen": "dwingen",
    "dreven": "drijven",
    "nomen": "nemen",
}
ENDINGS = (
    "ingen", "ende", "tjes", "pjes", "ing", "end", "jes", "tje", "pje", "je", "en", "de", "te",
    "s", "e",
)  # fmt: skip
# Words that carry no meaning of their own in a register's phrase.
STOPWORDS = frozenset(
    "de het een in op uit van via met door naar aan bij voor na over om te tegen is zijn was "
    "waren werd wordt worden er en of ook al nog hem haar hij zij ze ik je jij we wij die dat "
    "deze dit zich als mee elkaar iemand iets heeft hebben had zo heel erg".split()
)
NEGATIONS = frozenset({"niet", "geen", "nooit", "niets"})

# --- yes/no columns (recognise.yes_no) --------------------------------------------------------

YES = {"ja", "j", "x", "1", "yes", "y", "waar", "true", "v", "wel", "ok"}
NO = {"nee", "n", "0", "no", "onwaar", "false", "niet", "-", ""}

# --- columns about the handling (recognise.handling_column) -----------------------------------

DONE_WORDS = (
    "afgehandeld", "afgerond", "opgelost", "klaar", "afgesloten", "gesloten", "gereed",
    "voltooid", "gedaan", "afgewerkt", "afhandeling", "afsluiting",
)  # fmt: skip
OPEN_WORDS = ("open", "lopend", "loopt")
STATUS_PHRASES = ("status", "stand van zaken", "stand zaken", "voortgang", "fase", "stadium")
DATE_WORDS = ("datum", "op", "wanneer", "per", "sinds", "dag")
# A header with one of these words is about something else: 'Afgehandeld door' is the handler.
NOT_HANDLING = frozenset(
    "door wie hoe wijze manier notitie opmerking opmerkingen toelichting uitkomst actie acties "
    "reden waarom omschrijving beschrijving".split()
)

# --- groups and classes (recognise.recognise_group) -------------------------------------------

ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6}
