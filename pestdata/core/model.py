"""The domain's validated records and their Dutch refusals.

Everything a user types passes through here before the store sees it, so every rule
lives in one place and every refusal is a Dutch message that names the field. The values
the records are made of (the choices with their labels, the groups) are choices.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pestdata.core import clock
from pestdata.core.choices import (
    TRANSITIONS,
    Form,
    Motive,
    Outcome,
    Platform,
    Reporter,
    Role,
    Severity,
    Status,
    age_band,
    normalize_group,
)
from pestdata.core.errors import PestdataError
from pestdata.core.markup import number

MAX_DESCRIPTION = 10_000
MAX_NOTE = 2_000
MAX_NAME = 80


# Dutch field names, used in every message so the user knows where to look.
FIELD_LABELS = {
    "school": "School",
    "reported_on": "Datum melding",
    "happened_on": "Datum voorval",
    "reporter": "Gemeld door",
    "pupils": "Betrokken leerlingen",
    "pupil_number": "Leerlingnummer",
    "role": "Rol",
    "group": "Groep of klas",
    "platforms": "Platforms",
    "forms": "Vormen van pesten",
    "severity": "Ernst",
    "motive": "Motief",
    "status": "Status",
    "resolved_on": "Datum opgelost",
    "handler": "Behandelaar",
    "description": "Beschrijving",
    "step_id": "Stap",
    "done_on": "Datum",
    "done_by": "Gedaan door",
    "note": "Notitie",
    "outcome": "Uitkomst",
    "action_id": "Actie",
    "material_id": "Materiaal",
    "given_on": "Datum",
    "given_by": "Gegeven door",
    "received_on": "Ontvangen op",
    "requested_by": "Gevraagd door",
    "extension_reason": "Reden verlengen",
}

# --- pupil numbers --------------------------------------------------------------------------

_PUPIL_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
# A name shows as a run of letters: five or more, or three or more with a lowercase letter
# (Jansen, jan2010, Fatima). Upper-case school prefixes such as HBC-1234 stay allowed.
_LETTER_RUN = re.compile(r"[^\W\d_]{5,}|(?=[^\W\d_]{3})[^\W\d_]*[a-z][^\W\d_]*")


def check_pupil_number(value: str) -> str:
    """A pupil number is the school's own code, never a name.

    Codes have digits and few letters in a row (123456, LL-2024-017, AB12, HBC-1234); anything
    with a space, without a digit or with a name-like run of letters (Jan, jan2010, de Vries)
    is refused.
    """
    value = str(value).strip()
    if not value:
        raise ValueError("vul het leerlingnummer in")
    if (
        not _PUPIL_NUMBER.fullmatch(value)
        or not any(c.isdigit() for c in value)
        or _LETTER_RUN.search(value)
    ):
        raise ValueError(
            "dit lijkt geen leerlingnummer; gebruik de code van de school (bijv. 123456), "
            "nooit een naam"
        )
    return value


# --- records --------------------------------------------------------------------------------


def _clean_text(value: Any) -> str:
    """Trim and drop NUL and other control characters a database or browser would choke on."""
    if value is not None and not isinstance(value, str):
        raise ValueError("vul tekst in")
    text = value or ""
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    return text.strip()


def _not_future(value: date | None) -> date | None:
    if value is not None and value > clock.today():
        raise ValueError("deze datum ligt in de toekomst")
    return value


class Record(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True, use_enum_values=False)


class InvolvedPupil(Record):
    pupil_number: str
    role: Role

    _check_number = field_validator("pupil_number")(check_pupil_number)


class Incident(Record):
    """A report of online bullying as the care team logs it."""

    school: str = Field(min_length=1, max_length=MAX_NAME)
    reported_on: date
    happened_on: date | None = None
    reporter: Reporter
    pupils: list[InvolvedPupil] = Field(min_length=1)
    group: str
    platforms: list[Platform] = Field(min_length=1)
    forms: list[Form] = Field(min_length=1)
    severity: Severity
    motive: Motive = Motive.UNKNOWN
    status: Status = Status.NEW
    resolved_on: date | None = None  # set by the store on resolving; given by demo and imports
    handler: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)

    @field_validator("school", "handler", "description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return _clean_text(value)

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        return normalize_group(value)

    @field_validator("platforms", "forms")
    @classmethod
    def _unique(cls, values: list) -> list:
        return list(dict.fromkeys(values))

    @field_validator("pupils")
    @classmethod
    def _no_duplicate_pupils(cls, values: list[InvolvedPupil]) -> list[InvolvedPupil]:
        numbers = [p.pupil_number for p in values]
        if len(numbers) != len(set(numbers)):
            raise ValueError("een leerlingnummer staat er twee keer in")
        return values

    _reported_not_future = field_validator("reported_on")(_not_future)
    _happened_not_future = field_validator("happened_on", "resolved_on")(_not_future)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Incident:
        if self.happened_on and self.happened_on > self.reported_on:
            raise FieldError("happened_on", "het voorval kan niet na de melding liggen")
        if self.resolved_on and self.resolved_on < self.reported_on:
            raise FieldError("resolved_on", "de melding kan niet vóór het melden opgelost zijn")
        if self.resolved_on and self.status not in (Status.RESOLVED, Status.CLOSED):
            raise FieldError("resolved_on", "alleen een opgeloste of afgesloten melding")
        return self

    @property
    def age_band(self) -> str:
        return age_band(self.group)

    @cached_property  # asked several times per imported row
    def fingerprint(self) -> str:
        return fingerprint_of(
            self.school,
            self.reported_on.isoformat(),
            self.group,
            [(p.pupil_number, p.role.value) for p in self.pupils],
            [p.value for p in self.platforms],
            [f.value for f in self.forms],
        )


def fingerprint_of(school, reported_on: str, group, pupils, platforms, forms) -> str:
    """What makes a report the same report: school, date, group, pupils with roles, platforms
    and forms (not the description, which grows). Stable: stored fingerprints depend on it."""
    core = [
        school,
        reported_on,
        group,
        sorted([str(n), str(r)] for n, r in pupils),
        sorted(platforms),
        sorted(forms),
    ]
    blob = json.dumps(core, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class StepDone(Record):
    """One protocol step done for an incident: what, when, by whom, with a note."""

    step_id: str = Field(min_length=1)
    done_on: date
    done_by: str = Field(min_length=1, max_length=MAX_NAME)
    note: str = Field(default="", max_length=MAX_NOTE)
    outcome: Outcome | None = None

    @field_validator("done_by", "note", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return _clean_text(value)

    _done_not_future = field_validator("done_on")(_not_future)


def step_date_problem(step: StepDone, reported_on: date) -> str | None:
    """Why a step's date cannot be, for a report made on `reported_on` (None: it can)."""
    if step.done_on < reported_on:
        return "ligt vóór de datum van de melding"
    return None


class SchoolActionDone(Record):
    """A school-wide action ("Heb je de acties uitgevoerd?") done by a school."""

    school: str = Field(min_length=1, max_length=MAX_NAME)
    action_id: str = Field(min_length=1)
    done_on: date
    done_by: str = Field(min_length=1, max_length=MAX_NAME)
    note: str = Field(default="", max_length=MAX_NOTE)

    _text = field_validator("school", "done_by", "note", mode="before")(_clean_text)
    _done_not_future = field_validator("done_on")(_not_future)


class AccessRequestReceived(Record):
    """An inzageverzoek (AVG) as the care team registers it."""

    pupil_number: str
    received_on: date
    requested_by: str = Field(min_length=1, max_length=MAX_NAME)

    _check_number = field_validator("pupil_number")(check_pupil_number)
    _text = field_validator("requested_by", mode="before")(_clean_text)
    _received_not_future = field_validator("received_on")(_not_future)


class LessonGiven(Record):
    """A material used in a group or class on a date."""

    school: str = Field(min_length=1, max_length=MAX_NAME)
    material_id: str = Field(min_length=1)
    group: str
    given_on: date
    given_by: str = Field(min_length=1, max_length=MAX_NAME)

    _text = field_validator("school", "given_by", mode="before")(_clean_text)
    _group = field_validator("group")(normalize_group)
    _given_not_future = field_validator("given_on")(_not_future)


# --- Dutch errors ---------------------------------------------------------------------------


class FieldError(PestdataError, ValueError):  # pydantic reports a ValueError
    """A model-level error that belongs to one field (pydantic reports those without a field)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class InvalidInput(PestdataError):
    """Input refused: ``errors`` maps each field (dotted for nested ones) to a Dutch message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{label_for(k)}: {v}" for k, v in errors.items()))


def label_for(field: str) -> str:
    """'pupils.1.pupil_number' -> 'Leerlingnummer (leerling 2)'."""
    parts = field.split(".")
    label = FIELD_LABELS.get(parts[-1], parts[-1])
    if len(parts) == 3 and parts[1].isdigit():
        label += f" (leerling {int(parts[1]) + 1})"
    return label


_MESSAGES = {
    "missing": "dit veld is verplicht",
    "string_too_short": "dit veld is verplicht",
    "too_short": "kies er minstens één",
    "date_from_datetime_parsing": "geen geldige datum (gebruik dd-mm-jjjj)",
    "date_parsing": "geen geldige datum (gebruik dd-mm-jjjj)",
    "date_type": "geen geldige datum (gebruik dd-mm-jjjj)",
    "enum": "kies een van de mogelijkheden",
    "string_type": "vul tekst in",
    "list_type": "kies er minstens één",
}


def dutch_message(error: dict) -> str:
    """One pydantic error in Dutch."""
    kind = error["type"]
    if error.get("input") is None and kind not in ("value_error", "missing"):
        return "dit veld is verplicht"  # an empty dropdown or date sends None
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        return f"maximaal {number(limit)} tekens (nu {number(len(error['input']))})"
    if kind == "literal_error":
        return f"onbekende waarde '{str(error['input'])[:40]}'; kies uit {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return f"'{str(error['input'])[:60]}' heeft niet de juiste vorm"
    if kind == "enum":
        return f"onbekende waarde '{str(error['input'])[:40]}'; kies een van de mogelijkheden"
    return _MESSAGES.get(kind, "ongeldige waarde")


def validate(record_type: type[Record], data: dict[str, Any]) -> Record:
    """Build a record or raise InvalidInput with one Dutch message per field."""
    data = {k: (None if v == "" else v) for k, v in data.items()}
    try:
        return record_type.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            ctx = error.get("ctx", {}).get("error")
            loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
            if isinstance(ctx, FieldError):
                loc = ctx.field
            # A list of enums reports each bad item; the field is what the user fixes.
            if loc.split(".")[0] in ("platforms", "forms"):
                loc = loc.split(".")[0]
            errors.setdefault(loc or "?", dutch_message(error))
        raise InvalidInput(errors) from None


def check_description_addition(text: Any) -> str:
    """Text appended to a description obeys the same rules as the first description."""
    text = _clean_text(text)
    if not text:
        raise InvalidInput({"description": "dit veld is verplicht"})
    if len(text) > MAX_DESCRIPTION:
        limit = number(MAX_DESCRIPTION)
        raise InvalidInput({"description": f"maximaal {limit} tekens"})
    return text


def validate_incident(data: dict[str, Any]) -> Incident:
    return validate(Incident, data)  # type: ignore[return-value]


def validate_step(data: dict[str, Any]) -> StepDone:
    return validate(StepDone, data)  # type: ignore[return-value]


def check_transition(current: Status | str, new: Status | str) -> Status:
    """Refuse a status change the protocol does not allow, in Dutch."""
    current, new = Status(current), Status(new)
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(s.label for s in TRANSITIONS[current]) or "geen (afgesloten)"
        raise InvalidInput(
            {"status": f"van {current.label} naar {new.label} mag niet; wel naar: {allowed}"}
        )
    return new
