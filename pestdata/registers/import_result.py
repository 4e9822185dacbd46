"""The result of an import, in Dutch: rows counted, refused ones with their reasons.

Every row's outcome counted, the first rows and the refused ones with their reasons, and
notes on how the file was read.

The result keeps counts for every row but detail only up to a limit, so that a file of a
million rows keeps a result of kilobytes. The notes say what a row got from us (a handler, a
status by the history rules, a school put on the list) and how to choose otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pestdata.core import names, recognise
from pestdata.core.choices import Severity, Status
from pestdata.core.markup import counted, number, plural
from pestdata.registers.history import HANDLING, HistoryRules
from pestdata.registers.mapping import PROPOSABLE, Column
from pestdata.school import school_names

DETAIL_ROWS = 10_000  # the first rows of a file each have their line in the result
REFUSED_IN_DETAIL = 10_000  # refused rows with their reasons, at most; beyond that counted
ASK = "te bevestigen"  # a row's outcome when its group does not fit its school's type
UPDATED = "bijgewerkt"  # a row's outcome when it corrects a stored report (update)


@dataclass
class RowResult:
    """One row's outcome, with its problems or, when it corrects a stored report, its changes."""

    row: int
    outcome: str  # "nieuw", "al aanwezig", "geweigerd", ASK
    problems: list[tuple[str, str]] = field(default_factory=list)  # (Dutch field, reason)
    incident_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # UPDATED: field, old, new


@dataclass
class ImportResult:
    """What an import did. `counts` holds every row's outcome; `rows` the rows in detail:
    each of the first DETAIL_ROWS, then refused rows only, REFUSED_IN_DETAIL at most (a file
    of a million rows keeps a result of kilobytes, not of gigabytes)."""

    source: str
    rows: list[RowResult]  # in detail, in file order (see above)
    committed: bool
    added: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how values were read, defaults used
    unknown: dict[str, Counter] = field(default_factory=dict)  # header -> value -> rows
    allowed: dict[str, str] = field(default_factory=dict)  # header -> what may be written
    options: dict[str, list[str]] = field(default_factory=dict)  # header -> our labels
    readings: dict[str, Counter] = field(default_factory=dict)  # header -> (theirs, ours) -> n
    new_schools: set[str] = field(default_factory=set)  # not on the list yet (add_schools)
    unknown_schools: Counter = field(default_factory=Counter)  # name -> rows refused
    # Schools not on the list -> the kinds of group ('groep', 'klas') their rows have: the
    # type a new school gets unless one is chosen (SchoolType.of_groups).
    school_groups: dict[str, set[str]] = field(default_factory=dict)
    # (school, its type's label, group) -> rows whose group does not fit the school's type
    misfits: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)  # outcome -> rows, all of them
    updated: int = 0  # reports corrected on a commit with update
    differing: int = 0  # rows stored already with another status, severity or date handled
    proposed_columns: dict[str, str] = field(default_factory=dict)  # header -> our field
    unlisted: Counter = field(default_factory=Counter)  # header -> values past VALUES_LISTED
    refused_in_detail: int = 0
    # Rows whose description seems to hold a person's name (names.py), DETAIL_ROWS at most;
    # None when the names could not be checked (no detector in this process).
    with_names: list[tuple[int, list[str]]] | None = field(default_factory=list)

    def add(self, row_result: RowResult) -> None:
        """One row's outcome: counted, and kept in detail while the limits allow."""
        self.counts[row_result.outcome] += 1
        refused = row_result.outcome == "geweigerd"
        if refused and self.refused_in_detail >= REFUSED_IN_DETAIL:
            return
        if len(self.rows) < DETAIL_ROWS or refused:
            self.rows.append(row_result)
            self.refused_in_detail += refused

    def note_names(self, row_numbers: list[int], descriptions: list[str]) -> None:
        """Rows whose description seems to hold a name, DETAIL_ROWS at most (not refused:
        the detector also flags words that are no name, and a school's history is kept
        whole)."""
        if self.with_names is None or not row_numbers:
            return
        found = names.find_all(descriptions)
        if found is None:
            self.with_names = None
            return
        for row, in_text in zip(row_numbers, found, strict=True):
            if in_text and len(self.with_names) < DETAIL_ROWS:
                self.with_names.append((row, in_text))

    def count(self, outcome: str) -> int:
        return self.counts[outcome]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def refused_not_shown(self) -> int:
        """Refused rows beyond REFUSED_IN_DETAIL: counted, not each named."""
        return self.count("geweigerd") - self.refused_in_detail

    def summary(self) -> str:
        verb = "toegevoegd" if self.committed else "zouden worden toegevoegd"
        asked = f", {number(self.count(ASK))} {ASK}" if self.count(ASK) else ""
        updated = self.count(UPDATED)
        if updated:
            updated_verb = UPDATED if self.committed else "zouden worden bijgewerkt"
            verb += f", {number(updated)} {updated_verb}"
        return (
            f"{rows(self.total)}: {number(self.count('nieuw'))} {verb}, "
            f"{number(self.count('al aanwezig'))} al aanwezig, "
            f"{number(self.count('geweigerd'))} geweigerd{asked}."
        )

    def misfit_summary(self) -> str:
        """'Het Baken College (voortgezet onderwijs): groep 7 (2×), groep 8 (1×)'."""
        by_school: dict[tuple[str, str], list[str]] = {}
        for (school, label, group), n in sorted(self.misfits.items()):
            by_school.setdefault((school, label), []).append(f"{group} ({n}×)")
        return "; ".join(f"{s} ({label}): {', '.join(g)}" for (s, label), g in by_school.items())

    def refused(self) -> list[str]:
        lines = [
            f"rij {r.row}: {f}: {reason}"
            for r in self.rows
            if r.outcome == "geweigerd"
            for f, reason in r.problems
        ]
        if self.refused_not_shown:
            lines.append(self.not_shown_line())
        return lines

    def not_shown_line(self) -> str:
        shown = number(REFUSED_IN_DETAIL)
        return (
            f"en nog {rows(self.refused_not_shown)} geweigerd (alleen de eerste {shown} "
            "staan hier met hun reden)"
        )

    def name_lines(self) -> list[str]:
        """One Dutch line per row whose description seems to hold a name."""
        return [
            f"rij {row}: in de beschrijving lijkt een naam te staan: "
            + ", ".join(f"'{n}'" for n in found)
            + ". Gebruik het leerlingnummer."
            for row, found in self.with_names or []
        ]

    def reading_lines(self) -> list[str]:
        """How the school's own words were read, once per column: "Vorm: 'Schelden' →
        Belachelijk maken, grappen uithalen (3×)", so a dry run shows what a commit stores."""
        return [
            f"{header}: "
            + ", ".join(f"'{theirs}' → {ours} ({n}×)" for (theirs, ours), n in counts.most_common())
            for header, counts in self.readings.items()
        ]

    def unknown_lines(self) -> list[str]:
        """Each value not recognised, once per column, with its count and what is allowed."""
        return [
            f"{header}: "
            + ", ".join(f"'{value}' ({n}×)" for value, n in counts.most_common())
            + (
                f" en nog {self.unlisted[header]}× een andere waarde"
                if self.unlisted[header]
                else ""
            )
            + f" — toegestaan: {self.allowed[header]}"
            for header, counts in self.unknown.items()
        ]


def column_notes(result: ImportResult, sure: dict, candidates: list) -> None:
    """Columns read as forms or platforms by their values, or proposed as such."""
    for column, kind, known, filled in candidates:
        ours = PROPOSABLE[kind]
        seen = f"{number(known)} van {counted(filled, 'waarde', 'waarden')}"
        result.proposed_columns.setdefault(column, kind)
        if sure.get(column) == kind:
            result.notes.append(
                f"Kolom '{column}' gelezen als '{ours}' ({seen} herkend); "
                f"klopt dat niet, koppel dan zelf een kolom met --map 'KOLOM={ours}'"
            )
        else:
            result.notes.append(
                f"Kolom '{column}' lijkt '{ours}' te zijn ({seen} "
                f"herkend); gebruik --map '{column}={ours}'"
            )


def history_notes(result: ImportResult, filled: Counter, rules: HistoryRules, targets) -> None:
    """What rows that did not say their status or severity got (HistoryRules.settle)."""
    dry = not result.committed
    has_status = bool({*HANDLING, "resolved_on"} & set(targets.values()))
    closed, new = filled["closed as history"], filled["new this year"]
    if closed or new:
        year = rules.this_year.label if rules.this_year else ""
        parts = []
        if closed:
            verb = plural(closed, "wordt", "worden") if dry else plural(closed, "is", "zijn")
            parts.append(
                f"{rows(closed)} van vóór dit schooljaar ({year}) {verb} 'Afgesloten' (oude "
                "meldingen, niet achterstallig)"
            )
        if new:
            verb = plural(new, "blijft", "blijven") if dry else plural(new, "is", "zijn")
            parts.append(f"{rows(new)} uit dit schooljaar {verb} 'Nieuw'")
        opening = (
            f"{rows(closed + new)} zonder status"
            if has_status
            else "Het bestand heeft geen kolom voor de status (zoals 'Status' of "
            "'Afgehandeld ja/nee')"
        )
        result.notes.append(
            f"{opening}: {'; '.join(parts)}. Kies anders voor alle rijen zonder status: "
            "--history-status afgesloten of --history-status nieuw"
        )
    for code in (Status.CLOSED.value, Status.NEW.value):
        if n := filled[f"status chosen:{code}"]:
            verb = plural(n, "wordt", "worden") if dry else plural(n, "is", "zijn")
            result.notes.append(
                f"{rows(n)} zonder status {verb} '{recognise.label('status', code)}' "
                "(gekozen met --history-status)"
            )
    if n := filled["resolved on report date"]:
        result.notes.append(
            f"{rows(n)} afgehandeld zonder datum: als datum afgehandeld staat er de datum van "
            "melding"
        )
    if n := filled["severity"]:
        level = recognise.label("severity", rules.severity)
        chosen = rules.severity != Severity.UNKNOWN.value
        opening = (
            f"{rows(n)} zonder ernst"
            if "severity" in targets.values()
            else f"Het bestand heeft geen kolom Ernst ({rows(n)})"
        )
        choice = (
            " (gekozen met --severity)"
            if chosen
            else "; kies anders --severity licht, middel of ernstig"
        )
        result.notes.append(f"{opening}: als ernst staat er '{level}'{choice}")
    if result.differing:
        result.notes.append(
            f"{rows(result.differing)} al aanwezig met een andere status, ernst of datum "
            "afgehandeld; werk ze bij met --update (een proefdraai toont per rij wat er verandert)"
        )


def school_notes(result: ImportResult, types: dict[str, school_names.SchoolType]) -> None:
    """Which schools of the file are not on the list: new ones (asked for, with the type
    they get) or refused ones."""
    if result.new_schools:
        verb = "op de lijst gezet" if result.committed else "komen op de lijst"
        names = ", ".join(f"'{n}'" for n in sorted(result.new_schools))
        result.notes.append(f"Nieuwe scholen, {verb}: {names}")
        kinds = ", ".join(f"'{n}': {types[n].label}" for n in sorted(types))
        result.notes.append(
            f"Soort school: {kinds} (gekozen, of volgens de groepen van het bestand; geef "
            "haar anders op: --school-type basis, vo of beide)"
        )
    if result.unknown_schools:
        names = ", ".join(f"'{n}' ({rows(k)})" for n, k in result.unknown_schools.most_common())
        result.notes.append(
            f"Niet op de lijst van scholen: {names}. Is het een nieuwe school, voeg haar dan "
            "toe ('Nieuwe scholen uit dit bestand toevoegen', of --add-schools); is het een "
            "andere schrijfwijze van een bekende school, koppel haar daaraan"
        )


def group_notes(result: ImportResult, accepted: bool) -> None:
    """Rows whose group does not fit their school's type: asked about, or taken as asked."""
    if not result.misfits:
        return
    found = result.misfit_summary()
    if accepted:
        result.notes.append(
            f"{rows(sum(result.misfits.values()))} met een groep die niet bij de soort school "
            f"past, op verzoek toch overgenomen: {found}"
        )
        return
    result.notes.append(
        f"{rows(result.count(ASK))} te bevestigen: de groep past niet bij de soort school "
        f"({found}). Horen ze toch bij die school, bevestig dat dan (--accept-groups; in de "
        "browser: 'Ja, deze rijen horen bij deze school'); anders: kies de juiste school, of "
        "zet de soort school goed (pestdata schools type; in de browser: 'Soort opslaan')"
    )


def rows(n: int) -> str:
    """'1 rij', '3 rijen'."""
    return counted(n, "rij", "rijen")


def scale_notes(result: ImportResult, columns: list[Column]) -> None:
    """How each Ernst column's numbers were read, and whether its scale was guessed."""
    for column in columns:
        if column.scale:
            guessed = (
                ""
                if column.scale_stated
                else " (afgeleid uit het hoogste getal; is de schaal anders, zet haar in de kop, "
                "bijv. 'Ernst (1-5)')"
            )
            result.notes.append(f"{column.header}: {recognise.scale_note(column.scale)}{guessed}")
