"""Reading and checking one row of a register, with problems per field in Dutch.

Each cell is read in the context of its column; values not recognised are counted for the
import's result.

A row with a value that is not recognised, or that the model refuses, is refused alone, with
its row number, field and a Dutch reason; a row whose group does not fit its school's type is
asked about. What a row lacks (a handler, a description, who reported) it gets from us, and
the result says so.
"""

from __future__ import annotations

from collections import Counter

from pestdata.core import recognise
from pestdata.core.choices import Reporter, Role
from pestdata.core.model import (
    FIELD_LABELS,
    InvalidInput,
    label_for,
    step_date_problem,
    validate_incident,
    validate_step,
)
from pestdata.registers.columns import PUPIL_FIELDS
from pestdata.registers.history import HANDLING, Handled, HistoryRules, read_handling
from pestdata.registers.import_result import ASK, ImportResult, RowResult, rows
from pestdata.registers.mapping import Column, value_key
from pestdata.registers.values import parse_date, read_choices, split_list
from pestdata.school import school_names

IMPORT_HANDLER = "Onbekend (import)"  # the handler of a history row that names none
IMPORT_DESCRIPTION = "(geen beschrijving in het importbestand)"
VALUES_LISTED = 1000  # different values listed per column; beyond that counted
ROLES = {field: Role(field) for field in PUPIL_FIELDS}  # a pupil number's column → role
CHOICE_FIELDS = ("reporter", "severity", "motive", "status", "platforms", "forms")
GROUP_ALLOWED = {  # what a group column may hold, by what its header says
    "groep": "groep 1 t/m 8 (ook 7, gr7, 7b, 7/8)",
    "klas": "klas 1 t/m 6 (ook 2, 2 havo, H2b, 2e klas)",
    "": "groep 1 t/m 8 of klas 1 t/m 6 (schrijf 'groep 7' of 'klas 2')",
}


class RowReader:
    """Reads the rows of one file: each cell in the context of its column, problems per
    field, values not recognised counted for the result."""

    def __init__(
        self,
        columns: list[Column],
        value_map,
        result: ImportResult,
        schools: list[str],
        add_schools: bool = False,
    ):
        self.columns, self.value_map, self.result = columns, value_map, result
        self.schools = schools  # the list a file's school must be on (school_names.py)
        self.add_schools = add_schools  # a name not on it is a new school (asked for)
        # New schools as rows name them (first spelling); one joins result.new_schools with
        # its first row that is not refused, so a refused totals row ("totaal; 3") names none.
        self.new_names: set[str] = set()
        self.filled: set[str] = set()  # what the row last read got from us, for the notes
        self.types: dict[str, school_names.SchoolType] = {}  # listed schools' types
        self.chosen_type: school_names.SchoolType | None = None  # for new schools
        self.accept_groups = False
        self.rules = HistoryRules()  # what rows that say no status or severity get
        # Which of status, resolved_on and severity the row last read said itself (an update
        # changes only those), and what it got from the history rules (for the notes).
        self.said: set[str] = set()
        self.history: set[str] = set()

    def expect_history(
        self, history_status: str | None, default_severity: str | None, update: bool
    ) -> None:
        """The history rules as the user chose them (HistoryRules.chosen)."""
        self.rules = HistoryRules.chosen(history_status, default_severity, update)

    def expect_types(
        self,
        types: dict[str, school_names.SchoolType],
        chosen: school_names.SchoolType | None,
        accept_groups: bool,
    ) -> None:
        """The schools' types a row's group must fit (a new school: the type chosen for
        it, else none yet), and whether rows that do not fit were confirmed."""
        self.types, self.chosen_type, self.accept_groups = types, chosen, accept_groups

    def note_group(self, school: str, group: str | None) -> None:
        """Remember the kind of group of a school not on the list (its type, if added)."""
        if not school or not group or school in self.types:
            return
        groups = self.result.school_groups
        if school in groups or len(groups) < VALUES_LISTED:
            groups.setdefault(school, set()).add(str(group).split(" ", 1)[0])

    def accepted(self, incident) -> None:
        """A row that is not refused: its school, if new, goes on the list."""
        if incident.school in self.new_names:
            self.result.new_schools.add(incident.school)

    def misfit(self, incident) -> str | None:
        """The Dutch question for a row whose group does not fit its school's type, else
        None. Counted for the result, also once confirmed (accept_groups)."""
        school_type = self.types.get(incident.school)
        if school_type is None and incident.school in self.result.new_schools:
            school_type = self.chosen_type
        if school_type is None or school_type.fits(incident.group):
            return None
        self.result.misfits[(incident.school, school_type.label, incident.group)] += 1
        if self.accept_groups:
            return None
        return (
            f"{incident.group} past niet bij {incident.school} ({school_type.label}: "
            f"{school_names.TYPE_GROUPS[school_type]}); hoort deze rij bij deze school?"
        )

    def new_school_types(self) -> dict[str, school_names.SchoolType]:
        """The type each new school gets: the one chosen, else what its rows' groups show."""
        return {
            name: self.chosen_type
            or school_names.SchoolType.of_groups(self.result.school_groups.get(name, ()))
            for name in self.result.new_schools
        }

    def mapped(self, column: Column, text: str) -> str:
        return self.value_map.get(value_key(column.header, text), text)

    def read_as(self, column: Column, theirs: str, ours: str) -> None:
        """Note how a value was read when the school wrote it in other words than ours."""
        if recognise.normalise(theirs) != recognise.normalise(ours):
            readings = self.result.readings.setdefault(column.header, Counter())
            key = (theirs.strip(), ours)
            if key in readings or len(readings) < VALUES_LISTED:  # else: not listed
                readings[key] += 1

    def tally(self, counts: Counter, value: str, header: str) -> None:
        """Count a value not recognised; past VALUES_LISTED different values, only how many."""
        if value in counts or len(counts) < VALUES_LISTED:
            counts[value] += 1
        else:
            self.result.unlisted[header] += 1

    def unknown(self, column: Column, text: str, kind: str = "", also: str = "") -> str:
        """Count a value not recognised; the Dutch reason for the row. `also`: what the
        column may hold besides our labels ('ja, nee, een datum')."""
        if kind == "school":
            self.result.options[column.header] = self.schools
            allowed = ", ".join(self.schools) or "nog geen school op de lijst"
        elif kind:
            options = recognise.allowed(kind)
            self.result.options[column.header] = options
            allowed = also + ", ".join(options)
        else:
            allowed = GROUP_ALLOWED[column.group.kind]
        self.tally(
            self.result.unknown.setdefault(column.header, Counter()), text.strip(), column.header
        )
        self.result.allowed[column.header] = allowed
        if kind == "school":
            return school_names.unknown_school(text[:40], self.schools)
        return f"onbekende waarde '{text.strip()[:40]}'; toegestaan: {allowed}"

    def read(self, cells: dict[str, str]) -> tuple[dict, dict[str, dict], dict[str, str]]:
        """One row's cells -> (incident input, step inputs, problems per field)."""
        data: dict = {"pupils": []}
        steps: dict[str, dict] = {}
        problems: dict[str, str] = {}
        handling: list[Handled] = []
        self.filled, self.said, self.history = set(), set(), set()
        for column in self.columns:
            raw = "" if cells.get(column.header) is None else str(cells[column.header])
            text = self.mapped(column, raw) if raw.strip() else raw
            target = column.target
            if target.startswith("step:"):
                _, step_id, part = target.split(":")
                if text.strip():
                    steps.setdefault(step_id, {"step_id": step_id})[part] = self.step_value(
                        column, part, text, problems, f"stap {step_id} {part}"
                    )
            elif target.startswith("flag:"):
                _, kind, code = target.split(":")
                if recognise.yes_no(text):
                    data.setdefault(kind, []).append(code)
            elif target in ROLES:
                data["pupils"] += [
                    {"pupil_number": n, "role": ROLES[target].value}
                    for n in split_list(text, more="")
                ]
            elif target in ("reported_on", "happened_on"):
                data[target] = parse_date(text)
            elif target == "resolved_on":
                if text.strip() or target not in data:  # two such columns: the one filled
                    data[target] = parse_date(text)
            elif target in HANDLING:
                handling.append(self.handled(column, text, problems))
            elif target in ("platforms", "forms"):
                if text.strip():
                    codes, unknown = read_choices(target, text)
                    data.setdefault(target, []).extend(codes)
                    if codes and not unknown:
                        self.read_as(
                            column, raw, " + ".join(recognise.label(target, c) for c in codes)
                        )
                    if unknown:
                        problems[target] = self.unknown(column, unknown[0], target)
            elif target == "school":
                data["school"] = self.school(column, text, problems)
            elif target == "group":
                data["group"] = self.group(column, text, problems)
            elif target == "severity":
                data["severity"] = self.severity(column, text, problems)
                if data["severity"]:
                    self.said.add("severity")
            elif target in CHOICE_FIELDS:
                data[target] = self.choice(column, target, text, problems)
            else:
                data[target] = text
        self.rules.settle(data, handling, problems, self.said, self.history)
        if data.get("motive") is None:
            data.pop("motive", None)  # an empty cell: 'Onbekend', the model's default
        if not str(data.get("handler") or "").strip():
            data["handler"] = IMPORT_HANDLER
            self.filled.add("handler")
        if not str(data.get("description") or "").strip():
            data["description"] = IMPORT_DESCRIPTION
            self.filled.add("description")
        if not data.get("reporter") and "reporter" not in problems:
            data["reporter"] = Reporter.OTHER.value
            self.filled.add("reporter")
        return data, steps, problems

    def handled(self, column: Column, text: str, problems: dict) -> Handled:
        """One cell of a column about the handling (Status, Afgehandeld ja/nee, Nog open)."""
        code, day, understood = read_handling(text, column.target)
        if not understood and code is None:
            also = "ja, nee, x, " if column.target in ("done", "open") else ""
            problems["status"] = self.unknown(
                column, text, "status", also=f"{also}een datum (zoals 3 maart 2025), "
            )
        elif not understood:
            problems["status"] = (
                f"'{text.strip()[:40]}': een datum afgehandeld bij de status "
                f"'{recognise.label('status', code)}'; is de melding afgehandeld of niet?"
            )
        elif day:
            self.read_as(column, "(een datum)", f"{recognise.label('status', code)} op die datum")
        elif code:
            self.read_as(column, text, recognise.label("status", code))
        return Handled(column.header, column.target, code, day, text.strip())

    def choice(self, column: Column, kind: str, text: str, problems: dict) -> str | None:
        if not text.strip():
            return None
        code = recognise.recognise(kind, text)
        if code is None:
            problems[kind] = self.unknown(column, text, kind)
        else:
            self.read_as(column, text, recognise.label(kind, code))
        return code

    def school(self, column: Column, text: str, problems: dict) -> str:
        """A school on the list, also when the file spells it a little differently; an
        empty cell gets the file's school later."""
        if not text.strip():
            return ""
        name, spelled_otherwise = school_names.match(text, self.schools)
        if name is None and self.add_schools:
            # One new school however the file writes it ('De Regenboog', 'de regenboog '):
            # the first spelling seen. Only capitals, accents and punctuation: two new names
            # that merely look alike may be two schools (the list's lookalikes asks).
            name = school_names.tidy(text)
            name = school_names.same_name(name, self.new_names) or name
            self.new_names.add(name)
            return name
        if name is None:
            name = school_names.tidy(text)
            if (
                name in self.result.unknown_schools
                or len(self.result.unknown_schools) < VALUES_LISTED
            ):
                self.result.unknown_schools[name] += 1
            problems["school"] = self.unknown(column, text, "school")
            return name
        if spelled_otherwise:
            self.read_as(column, text, name)
        return name

    def severity(self, column: Column, text: str, problems: dict) -> str | None:
        word = text.strip()
        if column.scale and word.isdigit() and 1 <= int(word) <= column.scale:
            code = recognise.severity_from_scale(int(word), column.scale)
            self.read_as(column, word, recognise.label("severity", code))
            return code
        return self.choice(column, "severity", text, problems)

    def group(self, column: Column, text: str, problems: dict) -> str | None:
        if not text.strip():
            return None
        group, combination = recognise.recognise_group(text, column.group)
        if group is None:
            problems["group"] = self.unknown(column, text)
        else:
            self.read_as(column, text, group)
        if combination:
            self.filled.add("combination")
        return group

    def step_value(self, column: Column, part: str, text: str, problems: dict, key: str):
        if part == "done_on":
            return parse_date(text)
        if part == "outcome":
            code = recognise.recognise("outcome", text)
            if code is None:
                problems[key] = self.unknown(column, text, "outcome")
            return code
        return text


def read_row(reader: RowReader, row_number: int, cells: dict, default_school: str):
    """(RowResult, (incident, steps) or None) for one row."""
    data, step_data, problems = reader.read(cells)
    if not str(data.get("school") or "").strip():
        data["school"] = default_school
    reader.note_group(data["school"], data.get("group"))
    incident, steps = None, []
    try:
        incident = validate_incident(data)
    except InvalidInput as error:
        for key, reason in error.errors.items():
            problems.setdefault(key, reason)  # our own reading's reason comes first
    if not data["school"] and "school" in problems:
        problems["school"] += "; geef de school op voor het hele bestand (--school 'NAAM')"
    for step_id, values in step_data.items():
        try:
            steps.append(validate_step({"done_by": "onbekend", **values}))
        except InvalidInput as error:
            for key, reason in error.errors.items():
                problems.setdefault(f"stap {step_id} {key}", reason)
    if incident and not problems:
        for step in steps:
            if problem := step_date_problem(step, incident.reported_on):
                problems[f"stap {step.step_id} done_on"] = problem
    if problems:
        labelled = [(field_label(k), v) for k, v in problems.items()]
        return RowResult(row_number, "geweigerd", labelled), None
    reader.accepted(incident)
    if question := reader.misfit(incident):
        return RowResult(row_number, ASK, [(field_label("group"), question)]), (incident, steps)
    return RowResult(row_number, "nieuw"), (incident, steps)


def field_label(key: str) -> str:
    """A problem's field in Dutch: 'Ernst', 'Stap steun: Datum'."""
    if key.startswith("stap "):
        _, step_id, part = key.split(" ", 2)
        return f"Stap {step_id}: {FIELD_LABELS.get(part, part)}"
    return label_for(key)


def filled_notes(result: ImportResult, filled: Counter) -> None:
    """What the accepted rows got from us: a handler, a description, who reported, and how a
    combination group was read."""
    if filled["combination"]:
        result.notes.append(
            f"{rows(filled['combination'])} met een combinatiegroep: {recognise.COMBINATION_RULE}"
        )
    if filled["description"]:
        result.notes.append(
            f"{rows(filled['description'])} zonder beschrijving: als beschrijving staat er "
            f"'{IMPORT_DESCRIPTION}'"
        )
    if filled["reporter"]:
        result.notes.append(
            f"{rows(filled['reporter'])} zonder 'Gemeld door': als melder staat er "
            f"'{Reporter.OTHER.label}'"
        )
