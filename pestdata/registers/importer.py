"""Import of a school's register (CSV or Excel): read, check and store it, with a row-by-row
result.

The parts: reading.py reads the file, mapping.py says which column is which (the words are
columns.py's), row_checks.py reads and checks each row, history.py settles status and date
handled, import_result.py keeps the result. Nothing is stored on a dry run; a commit stores every
accepted row in one transaction. A fingerprint per row makes a second import of the same file
add nothing.

A file is never held whole: it is read as a stream, twice (what its columns hold, then its
rows), checked against the database and stored a chunk of rows at a time, and the result
keeps counts for every row but detail only up to a limit: `pestdata import` of a million-row
CSV peaks at about 200 MB, dry run or commit (3.9 GB when the file was read whole;
bench/large_files.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pestdata.core.model import label_for
from pestdata.db.store import Store
from pestdata.incidents import incident_log
from pestdata.registers.columns import PUPIL_FIELDS
from pestdata.registers.history import corrections, shown
from pestdata.registers.import_result import (
    ASK,
    UPDATED,
    ImportResult,
    RowResult,
    column_notes,
    group_notes,
    history_notes,
    rows,
    scale_notes,
    school_notes,
)
from pestdata.registers.mapping import (
    Column,
    ColumnsMissing,
    Survey,
    check_mapping,
    column_map,
    propose_columns,
)
from pestdata.registers.reading import ImportFileError, Table, read_table
from pestdata.registers.row_checks import (
    IMPORT_HANDLER,
    RowReader,
    filled_notes,
    read_row,
)
from pestdata.school import school_names

CHUNK_ROWS = 5000  # rows checked against the database and stored at a time
PROGRESS_EVERY = 500


class SchoolNeeded(ImportFileError):
    """The file names no school: the user says which, also when the list has just one (a
    secondary school's register must not land in the only, primary, school unasked)."""

    def __init__(self, path: Path, known: list[str]):
        self.known = known
        if not known:
            choice = (
                "er staat nog geen school op de lijst: geef de school van dit bestand op en "
                "voeg haar toe met --school 'NAAM' --add-schools"
            )
        elif len(known) == 1:
            choice = (
                f"hoort het bij {known[0]} (de enige school op de lijst)? Bevestig dat met "
                f"--school '{known[0]}'; is het een andere school, voeg die toe met "
                "--school 'NAAM' --add-schools"
            )
        else:
            choice = (
                f"kies de school voor alle rijen (bekend: {', '.join(known)}) met "
                "--school 'NAAM'; een nieuwe school voeg je toe met --add-schools"
            )
        super().__init__(f"{path}: het bestand heeft geen kolom School; {choice}.")


class Check:
    """A dry run's look at the database: which reports are stored already. Stores nothing."""

    added = 0

    def __init__(self, store: Store):
        self.store = store

    def known(self, fingerprints: list[str]) -> set[str]:
        return incident_log.known_fingerprints(self.store, fingerprints)

    def stored(self, fingerprints: list[str]) -> dict[str, incident_log.Stored]:
        return incident_log.stored_incidents(self.store, fingerprints)

    def add(self, records: list) -> None:
        pass

    def update(self, changes: list) -> None:
        pass


def import_file(
    store: Store,
    path: Path,
    *,
    commit: bool = False,
    actor: str = "import",
    mapping: dict[str, str] | None = None,
    value_map: dict[tuple[str, str], str] | None = None,
    default_school: str = "",
    progress: Callable[[int, int], None] | None = None,
    raw: bytes | None = None,
    add_schools: bool = False,
    school_type: str | school_names.SchoolType | None = None,
    accept_groups: bool = False,
    history_status: str | None = None,
    severity: str | None = None,
    update: bool = False,
) -> ImportResult:
    """Read, validate and (with commit) store a file; the result says what happened per row.
    `raw`: the file's bytes (an upload), `path` then only its name. A school not on the
    list refuses its rows, unless `add_schools`: then the result names it as new, and a
    commit puts it on the list, with `school_type` or else the type its rows' groups show.
    A row whose group does not fit its school's type ('groep 7' at a secondary school) is
    'te bevestigen', not stored, unless `accept_groups`.

    History (HistoryRules.settle): a row that does not say its status is 'Afgesloten'
    when reported before this school year, else 'Nieuw', or `history_status` ('afgesloten',
    'nieuw') for all; a row without severity gets `severity` (a level in Dutch), else
    'Onbekend'. A column under an unknown header whose values are clearly forms or
    platforms is read as such (propose_columns). With `update`, a row stored before that
    says another status, severity or date handled corrects it ('bijgewerkt', audited).

    The file is read as a stream, twice: a first pass (Survey) learns what the columns
    hold, the second reads, checks and stores the rows CHUNK_ROWS at a time; a commit does
    the second pass inside its one writing transaction. Memory stays the same for ten rows
    and for a million."""
    table = read_table(path, raw)
    path, columns = table.path, table.columns
    check_mapping(path, columns, mapping or {}, value_map or {})
    targets = column_map(columns, mapping)
    if "reported_on" not in targets.values():
        raise ColumnsMissing(
            f"{path}: geen kolom 'Datum melding' gevonden (kolommen: {', '.join(columns[:12])})",
            columns,
        )
    if not set(PUPIL_FIELDS) & set(targets.values()):
        raise ColumnsMissing(
            f"{path}: geen kolom met leerlingnummers gevonden (zoals 'Leerlingnummer' of "
            f"'Gepeste leerling'); koppel de eigen kolom met --map 'KOLOM=Leerlingnummer' "
            f"(kolommen: {', '.join(columns[:12])})",
            columns,
        )
    survey = Survey.of(table, targets)
    targets = column_map(columns, mapping, survey.yes_no)
    sure, candidates = propose_columns(survey, targets)
    targets = column_map(columns, {**sure, **(mapping or {})}, survey.yes_no)
    result = ImportResult(
        str(path),
        [],
        commit,
        ignored_columns=[c for c in columns if c not in targets] + survey.beyond_header,
    )
    column_notes(result, sure, candidates)
    default_school = _school_for_file(
        store, path, targets, survey.school_everywhere, default_school, result, add_schools
    )
    readers = [Column.of(h, t, survey.numbers.get(h, ())) for h, t in targets.items()]
    scale_notes(result, readers)
    reader = RowReader(readers, value_map or {}, result, school_names.names(store), add_schools)
    reader.expect_types(
        school_names.types(store),
        school_type and school_names.SchoolType.parse(school_type),
        accept_groups,
    )
    reader.expect_history(history_status, severity, update)
    if commit:
        with incident_log.importing(store, path.name, actor) as batch:
            filled = _read_rows(table, reader, result, batch, default_school, survey, progress)
            school_names.set_types(batch.conn, reader.new_school_types(), actor)
        result.added, result.updated = batch.added, batch.updated
    else:
        filled = _read_rows(table, reader, result, Check(store), default_school, survey, progress)
    filled_notes(result, filled)
    history_notes(result, filled, reader.rules, targets)
    school_notes(result, reader.new_school_types())
    group_notes(result, accept_groups)
    if filled["without handler"]:  # rows already stored are not stored again: not counted
        result.notes.append(
            f"{rows(filled['without handler'])} zonder behandelaar: als behandelaar staat er "
            f"'{IMPORT_HANDLER}'"
        )
    return result


def _read_rows(
    table: Table,
    reader: RowReader,
    result: ImportResult,
    database: Check | incident_log.Importing,
    default_school: str,
    survey: Survey,
    progress: Callable[[int, int], None] | None,
) -> Counter:
    """The second pass: every row read and checked, CHUNK_ROWS at a time looked up in the
    database (a report stored before, or earlier in this file, is 'al aanwezig') and, on a
    commit, stored. Returns what the accepted rows got from us, for the notes."""
    filled: Counter = Counter()
    seen: set[bytes] = set()  # the fingerprints of this file's reports so far (32 bytes each)
    results: list[RowResult] = []  # this chunk's rows, in file order
    accepted: list[tuple[RowResult, tuple]] = []  # and its accepted rows, with what to store
    history: list[tuple[set, set]] = []  # and what each said and got (RowReader.said, .history)

    def flush() -> None:
        prints = [incident.fingerprint for _, (incident, _) in accepted]
        stored = database.stored(prints) if prints else {}
        new, changes = [], []
        for (row_result, payload), (said, got), fingerprint in zip(
            accepted, history, prints, strict=True
        ):
            key = bytes.fromhex(fingerprint)
            if fingerprint in stored and key not in seen:
                _correction(
                    reader, result, row_result, stored[fingerprint], payload[0], said, changes
                )
            if fingerprint in stored or key in seen:
                if row_result.outcome != UPDATED:
                    row_result.outcome, row_result.problems = "al aanwezig", []
            elif row_result.outcome == ASK:
                pass  # its group does not fit its school: stored only once confirmed
            else:
                new.append(payload)
                filled["without handler"] += payload[0].handler == IMPORT_HANDLER
                filled.update(got)
            seen.add(key)
        if new:
            database.add(new)
        database.update(changes)
        result.note_names(
            [row_result.row for row_result, _ in accepted],
            [incident.description for _, (incident, _) in accepted],
        )
        for row_result in results:
            result.add(row_result)
        results.clear()
        accepted.clear()
        history.clear()

    for done, (row_number, cells, misfit) in enumerate(table.rows(), start=1):
        if progress and (done % PROGRESS_EVERY == 0 or done == survey.total):
            progress(done, survey.total)
        if cells is None:
            results.append(RowResult(row_number, "geweigerd", [("Rij", misfit)]))
        elif not any(v.strip() for v in cells.values()):
            continue  # an empty line
        else:
            row_result, payload = read_row(reader, row_number, cells, default_school)
            results.append(row_result)
            if payload:
                accepted.append((row_result, payload))
                history.append((reader.said, reader.history))
                filled.update(reader.filled)
        if len(results) >= CHUNK_ROWS:
            flush()
    flush()
    return filled


def _correction(
    reader: RowReader,
    result: ImportResult,
    row_result: RowResult,
    stored: incident_log.Stored,
    incident,
    said: set[str],
    changes: list,
) -> None:
    """A row already stored that says another status, severity or date handled: with
    `update` it becomes 'bijgewerkt' (its changes listed; a commit stores them, audited),
    without it the result counts it, so the dry run can say that --update would correct it.
    Only what the row says itself counts: a default (history rule, 'Onbekend') never
    overwrites what is stored."""
    fields = corrections(stored, incident, said)
    if not fields:
        return
    if not reader.rules.update:
        result.differing += 1
        return
    row_result.outcome, row_result.problems = UPDATED, []
    row_result.changes = [
        (label_for(name), shown(name, old), shown(name, new)) for name, (old, new) in fields.items()
    ]
    changes.append((stored.id, fields))


def _school_for_file(
    store, path, targets, school_everywhere, default_school, result, add_schools
) -> str:
    """The school for rows that name none: the one given. A file without a School column
    and no school given raises SchoolNeeded, even when the list has one school; a School
    column with empty cells refuses those rows."""
    known = school_names.names(store)
    if default_school.strip():
        name, _ = school_names.match(default_school, known)
        if name is None and add_schools:
            result.new_schools.add(school_names.tidy(default_school))
            return school_names.tidy(default_school)
        if name is None:
            raise ImportFileError(
                f"{path}: {school_names.unknown_school(default_school, known)}; of importeer "
                "met --add-schools om haar als nieuwe school toe te voegen"
            )
        return name
    school_columns = [h for h, t in targets.items() if t == "school"]
    if not school_columns:
        raise SchoolNeeded(path, known)  # also when the list has one school: asked, not assumed
    return ""
