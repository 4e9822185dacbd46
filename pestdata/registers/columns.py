"""The columns of a school's file, in one table for the export and the import.

The export writes its headers from it and the import recognises them by it, so our own
export reads back without a --map.

Each field has one heading, the words our export writes and --map (and the import tab's
column fields) name it by, and the other headings schools write for it. A column our export
writes but the import does not read back says why (`read` False). The protocol's steps follow
the report's columns as 'Stap <id>: datum', 'door', 'notitie' and, for a step that asks one,
'uitkomst'; the name mark comes last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """One column: our field, the words our export writes for it, the headings schools write
    for the same (compared normalised, see normalise_header), and whether our export writes
    it, the import reads it and a file must have it."""

    field: str
    words: str
    also: tuple[str, ...] = ()
    exported: bool = True
    read: bool = True
    needed: bool = False


# The report's columns, in the export's order.
HEADINGS = (
    # The number in the database it came from: another database gives its own.
    Heading("id", "Meldingnummer", read=False),
    Heading("school", "School", ("locatie", "vestiging")),
    Heading(
        "reported_on",
        "Datum melding",
        ("meldingsdatum", "gemeld op", "datum gemeld", "datum"),
        needed=True,
    ),
    Heading("happened_on", "Datum voorval", ("datum incident", "datum gebeurd", "gebeurd op")),
    Heading("reporter", "Gemeld door", ("melder", "melding door")),
    Heading(
        "target",
        "Gepeste leerling",
        (
            "leerlingnummer",
            "leerling",
            "leerlingen",
            "leerling nr",
            "leerlingnr",
            "llnr",
            "leerlingnummer gepeste leerling",
            "leerlingnummer gepeste",
            "betrokken leerlingen",
            "gepeste leerlingen",
            "slachtoffer",
        ),
        needed=True,
    ),
    Heading("bully", "Pester", ("leerlingnummer pester", "pesters", "dader", "daders")),
    Heading("bystander", "Omstanders", ("omstander",)),
    Heading(
        "group",
        "Groep of klas",
        ("groep", "klas", "jaargroep", "leerjaar", "groep klas", "groepklas"),
    ),
    Heading("platforms", "Platforms", ("platform", "kanaal", "via", "waar", "medium", "app")),
    Heading(
        "forms",
        "Vormen",
        (
            "vorm",
            "vormen van pesten",
            "vorm van pesten",
            "soort melding",
            "soort pesten",
            "soort",
        ),
    ),
    Heading("severity", "Ernst", ("ernst 1 4", "ernst 1 5", "ernst 1 3")),
    Heading("motive", "Motief", ("reden", "reden pesten", "waarom", "waarom gepest")),
    Heading("status", "Status", ("stand van zaken",)),
    # Read, not written: ja/nee, a date or a status word (recognise.handling_column); 'Nog
    # open' says the same the other way round. The export's Status says it in one word.
    Heading("done", "Afgehandeld (ja/nee)", ("afgehandeld",), exported=False),
    Heading("open", "Nog open", exported=False),
    Heading("resolved_on", "Datum opgelost", ("opgelost op", "datum afgehandeld")),
    Heading(
        "handler",
        "Behandelaar",
        ("afhandelaar", "behandeld door", "afgehandeld door", "opgepakt door"),
    ),
    Heading("description", "Beschrijving", ("omschrijving", "toelichting", "wat is er gebeurd")),
)
# After the steps: whether a text seems to hold a name (names.py), found anew on every export.
NAME_MARK = Heading("name_mark", "Naam in tekst?", read=False)
# A step's columns: 'Stap steun: datum' → the step's field.
STEP_PARTS = {"datum": "done_on", "door": "done_by", "notitie": "note", "uitkomst": "outcome"}
PUPIL_FIELDS = ("target", "bully", "bystander")  # a pupil's role, by the column of the number


def normalise_header(name: str) -> str:
    """How a header is compared: lower case, letters, digits and single spaces
    ('Ernst (1-4)' → 'ernst 1 4')."""
    return re.sub(
        r"\s+", " ", re.sub(r"[^a-z0-9_ ]", "", re.sub(r"[/\-()]", " ", name.lower()))
    ).strip()


# Every heading the import reads, normalised → our field.
HEADERS = {
    normalise_header(words): heading.field
    for heading in HEADINGS
    if heading.read
    for words in (heading.words, *heading.also)
}
# Words that say a column holds pupil numbers, written before the role ('Llnr dader').
NUMBER_WORDS = ("leerlingnummer", "leerlingnr", "leerling nr", "llnr")


def pupil_column(header: str) -> str | None:
    """A pupil-number word followed by a role's heading ('Leerlingnr slachtoffer', 'Llnr
    dader', 'Leerlingnummer omstander'): that role's field. Each role's heading is already
    on the list; schools put the number word before it in many ways."""
    key = normalise_header(header)
    for word in NUMBER_WORDS:
        if key.startswith(word + " "):
            field = HEADERS.get(key.removeprefix(word + " "))
            return field if field in PUPIL_FIELDS else None
    return None


EXPORTED = [h for h in HEADINGS if h.exported]
# What --map may name, in the words of our own export: the columns a file must have first.
MAP_HEADINGS = tuple(h.words for h in sorted(HEADINGS, key=lambda h: not h.needed) if h.read)
MAP_TARGETS = ", ".join(MAP_HEADINGS)
NOT_READ = [h.words for h in (*HEADINGS, NAME_MARK) if not h.read]  # written, never read back


def step_columns(step_id: str, asks_outcome: bool) -> dict[str, str]:
    """The export's columns of one protocol step → the step's field ('Stap steun: datum' →
    'done_on'); 'uitkomst' only for a step that asks one."""
    return {
        f"Stap {step_id}: {part}": field
        for part, field in STEP_PARTS.items()
        if asks_outcome or field != "outcome"
    }


def step_target(header: str, steps: set[str]) -> str | None:
    """'step:steun:done_on' for a header 'Stap steun: datum' of a step of the protocol."""
    parts = "|".join(STEP_PARTS)
    match = re.fullmatch(rf"stap (\w+) ({parts})", normalise_header(header))
    if match and match.group(1) in steps:
        return f"step:{match.group(1)}:{STEP_PARTS[match.group(2)]}"
    return None
