"""The entries of the guidance files as validated records.

The protocol's steps, the actions, materials, help sites and lines, the school-wide actions
and the tips for parents.

The files stay in the school's Dutch (titel, uitleg, termijn_dagen, …): those keys are the
aliases of the English attributes the code reads, so a school's file reads as before and
the code reads as English. Each record refuses what a school could get wrong (an empty
title, an age range upside down, a help line without a number or a link).
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pestdata.core.guidance_search import words


class ProtocolStepDef(BaseModel):
    """One step of protocol.yaml; the Dutch keys of the file are the aliases."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(alias="titel", min_length=1)
    explanation: str = Field(alias="uitleg", default="")
    required: bool = Field(alias="verplicht", default=True)
    deadline_days: int = Field(alias="termijn_dagen", ge=0, le=365)
    asks_outcome: bool = Field(alias="vraagt_uitkomst", default=False)


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
