"""The values a report is made of, with their Dutch labels.

The fixed choices, the status changes the protocol allows, and the groups and classes of
Dutch schools.

Codes are English and stored; labels are Dutch and only shown (LABELS), so a label can be
reworded without touching a stored report.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Labeled(StrEnum):
    """A StrEnum whose members carry a Dutch label for the UI."""

    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(label, value) pairs in declaration order, as ipywidgets wants them."""
        return [(m.label, m.value) for m in cls]


class Reporter(Labeled):
    PUPIL = "pupil"
    PARENT = "parent"
    TEACHER = "teacher"
    MENTOR = "mentor"
    ANONYMOUS = "anonymous"
    OTHER = "other"


class Role(Labeled):
    TARGET = "target"
    BULLY = "bully"
    BYSTANDER = "bystander"


class Platform(Labeled):
    WHATSAPP = "whatsapp"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"
    YOUTUBE = "youtube"
    DISCORD = "discord"
    GAME_CHAT = "game_chat"
    FACEBOOK = "facebook"
    X = "x"
    SCHOOL_PLATFORM = "school_platform"
    OTHER = "other"


class Form(Labeled):
    GOSSIP = "gossip"
    RIDICULE = "ridicule"
    EXCLUSION = "exclusion"
    SHARING_IMAGES = "sharing_images"
    HATE_CAMPAIGN = "hate_campaign"
    THREATS = "threats"
    IMPERSONATION = "impersonation"
    SEXTORTION = "sextortion"
    OTHER = "other"


class Motive(Labeled):
    """Why a pupil is bullied, when it is about who they are (one in three bullied Dutch
    children is): counted so a school sees it, optional per report."""

    APPEARANCE = "appearance"
    ORIGIN = "origin"
    RELIGION = "religion"
    SEXUAL_ORIENTATION = "sexual_orientation"
    GENDER_IDENTITY = "gender_identity"
    DISABILITY = "disability"
    OTHER = "other"
    UNKNOWN = "unknown"


class Severity(Labeled):
    """How serious a report is. UNKNOWN is for history: a register without an Ernst column
    (or with an empty cell) says nothing, and a made-up level would be a false figure."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """The levels a new report is judged on: 'Onbekend' only comes with imported history."""
        return [(m.label, m.value) for m in cls if m is not cls.UNKNOWN]


class Status(Labeled):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    REFERRED = "referred"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Outcome(Labeled):
    STOPPED = "stopped"
    LESS = "less"
    CONTINUED = "continued"


class StaffRole(Labeled):
    """What a signed-in person may open (serve.ROLES maps a role to its dashboards)."""

    CARE_TEAM = "zorgteam"
    LEADERSHIP = "leiding"
    TEACHER = "leerkracht"
    PRESENTER = "presentator"
    ADMIN = "beheer"


LABELS: dict[StrEnum, str] = {
    StaffRole.CARE_TEAM: "Zorgteam",
    StaffRole.LEADERSHIP: "Schoolleiding",
    StaffRole.TEACHER: "Leerkracht",
    StaffRole.PRESENTER: "Presentator",
    StaffRole.ADMIN: "Beheer",
    Reporter.PUPIL: "Leerling",
    Reporter.PARENT: "Ouder/verzorger",
    Reporter.TEACHER: "Leerkracht",
    Reporter.MENTOR: "Mentor",
    Reporter.ANONYMOUS: "Anoniem",
    Reporter.OTHER: "Anders",
    Role.TARGET: "Gepeste leerling",
    Role.BULLY: "Pester",
    Role.BYSTANDER: "Omstander",
    Platform.WHATSAPP: "WhatsApp",
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.SNAPCHAT: "Snapchat",
    Platform.YOUTUBE: "YouTube",
    Platform.DISCORD: "Discord",
    Platform.GAME_CHAT: "Gamechat",
    Platform.FACEBOOK: "Facebook",
    Platform.X: "X (Twitter)",
    Platform.SCHOOL_PLATFORM: "Schoolplatform",
    Platform.OTHER: "Anders",
    Form.GOSSIP: "Roddelen",
    Form.RIDICULE: "Belachelijk maken, grappen uithalen",
    Form.EXCLUSION: "Buitensluiten uit een groep",
    Form.SHARING_IMAGES: "Foto's of filmpjes delen zonder toestemming",
    Form.HATE_CAMPAIGN: "Haatcampagne",
    Form.THREATS: "Bedreiging",
    Form.IMPERSONATION: "Nepaccount, zich voordoen als een ander",
    Form.SEXTORTION: "Seksueel beeldmateriaal, afpersing (sextortion)",
    Form.OTHER: "Anders",
    Motive.APPEARANCE: "Uiterlijk",
    Motive.ORIGIN: "Afkomst of huidskleur",
    Motive.RELIGION: "Geloof",
    Motive.SEXUAL_ORIENTATION: "Seksuele oriëntatie",
    Motive.GENDER_IDENTITY: "Genderidentiteit",
    Motive.DISABILITY: "Beperking",
    Motive.OTHER: "Anders",
    Motive.UNKNOWN: "Onbekend",
    Severity.LOW: "Licht",
    Severity.MEDIUM: "Middel",
    Severity.HIGH: "Ernstig",
    Severity.UNKNOWN: "Onbekend",
    Status.NEW: "Nieuw",
    Status.IN_PROGRESS: "In behandeling",
    Status.REFERRED: "Doorverwezen",
    Status.RESOLVED: "Opgelost",
    Status.CLOSED: "Afgesloten",
    Outcome.STOPPED: "Gestopt",
    Outcome.LESS: "Minder",
    Outcome.CONTINUED: "Gaat door",
}

OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.REFERRED)

# "Every one", wherever it is meant: a filter's 'Alle', and the platform or form of the
# month counts (report_facts) that count every platform or form. One sentinel for all.
ALL = ""

# The only status changes allowed. A resolved or referred case can be taken up again when
# the follow-up finds the bullying continues; a closed case is final.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.IN_PROGRESS,),
    Status.IN_PROGRESS: (Status.REFERRED, Status.RESOLVED),
    Status.REFERRED: (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED),
    Status.RESOLVED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.CLOSED: (),
}

# Forms for which the case view advises judging whether the police must be involved.
POLICE_FORMS = frozenset({Form.THREATS, Form.SEXTORTION})


# --- groups, classes and age bands ---------------------------------------------------------

GROUPS = [f"groep {n}" for n in range(1, 9)] + [f"klas {n}" for n in range(1, 7)]

AGE_BANDS = ["4-7 jaar", "8-11 jaar", "12-14 jaar", "15-18 jaar"]


def ages_for_group(group: str) -> tuple[int, int]:
    """Typical ages in a Dutch groep (primary) or klas (secondary): groep 1 is 4, klas 1 is 12."""
    kind, number = _parse_group(group)
    if kind == "groep":
        return (number + 3, number + 4)
    return (number + 11, number + 12)


def age_band(group: str) -> str:
    """The chart band of a group: groep 1-4, groep 5-8, klas 1-3 and klas 4-6."""
    kind, number = _parse_group(group)
    if kind == "groep":
        return AGE_BANDS[0] if number <= 4 else AGE_BANDS[1]
    return AGE_BANDS[2] if number <= 3 else AGE_BANDS[3]


def normalize_group(value: str) -> str:
    """'Groep7', ' klas 2 ' and 'KLAS 2' all become the canonical 'groep 7' / 'klas 2'."""
    kind, number = _parse_group(value)
    return f"{kind} {number}"


def _parse_group(value: str) -> tuple[str, int]:
    match = re.fullmatch(r"\s*(groep|klas)\s*(\d{1,2})\s*", str(value), flags=re.IGNORECASE)
    if not match:
        raise ValueError("kies groep 1 t/m 8 of klas 1 t/m 6")
    kind, number = match.group(1).lower(), int(match.group(2))
    if (kind == "groep" and not 1 <= number <= 8) or (kind == "klas" and not 1 <= number <= 6):
        raise ValueError("kies groep 1 t/m 8 of klas 1 t/m 6")
    return kind, number
