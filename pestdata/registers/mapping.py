"""Which column is which: a file's headers to our fields, by their words (columns.py), a
--map, or what their cells hold.

Each cell is then read in the context of its column (recognise.py): '7' in a Groep column is
groep 7, '2' in an Ernst column on a 1–4 scale is Middel. A first pass over the file (Survey)
learns what the columns hold before any row is read: a column named after a platform whose
cells are all ja/nee, an Ernst column's scale, and columns under a header of their own whose
values are clearly forms or platforms (propose_columns).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pestdata.core import recognise
from pestdata.core.guidance import load_protocol
from pestdata.registers.columns import (
    HEADERS,
    MAP_TARGETS,
    normalise_header,
    pupil_column,
    step_target,
)
from pestdata.registers.reading import ImportFileError, Table
from pestdata.registers.values import read_choices


class ColumnsMissing(ImportFileError):
    """A column we need (the date, the pupil numbers) is not recognised: the user can name
    it (--map, or the column fields in the browser). `columns` are the file's columns."""

    def __init__(self, message: str, columns: list[str]):
        self.columns = columns
        super().__init__(message)


def column_map(
    columns: list[str], mapping: dict[str, str] | None = None, yes_no: Iterable[str] = ()
) -> dict[str, str]:
    """Our field for each recognised column; `mapping` (their header → our field or header)
    comes first. Step columns look like 'Stap steun: datum'. A column named after a platform
    or form whose cells are all ja/nee (x, 1, ✓; `yes_no`, found by Survey) becomes
    'flag:platforms:tiktok'."""
    yes_no = set(yes_no)
    mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    steps = {s.id for s in load_protocol()}
    found = {}
    for column in columns:
        key = normalise_header(column)
        target = (
            mapping.get(key)
            or HEADERS.get(key)
            or pupil_column(column)
            or recognise.handling_column(column)
        )
        if target and normalise_header(target) in HEADERS:  # a mapping may name our header
            target = HEADERS[normalise_header(target)]
        if not target:
            target = step_target(column, steps)
        if not target and column in yes_no:
            target = flag_target(column)
        if target:
            found[column] = target
    return found


def check_mapping(path: Path, columns: list[str], mapping: dict, value_map: dict) -> None:
    """A --map or --map-value that names a column the file lacks, or a field we do not
    have, is refused before anything is read: silently ignored, it would look applied."""
    present = {normalise_header(c) for c in columns}
    shown = ", ".join(columns[:12])
    for theirs, ours in mapping.items():
        if normalise_header(theirs) not in present:
            raise ImportFileError(
                f"{path}: --map '{theirs}={ours}': het bestand heeft geen kolom '{theirs}' "
                f"(kolommen: {shown})"
            )
        if ours not in set(HEADERS.values()) and normalise_header(ours) not in HEADERS:
            raise ImportFileError(
                f"{path}: --map '{theirs}={ours}': '{ours}' is geen veld van pestdata; "
                f"kies uit: {MAP_TARGETS}"
            )
    for header, _ in value_map:
        if header not in present:
            raise ImportFileError(
                f"{path}: --map-value voor kolom '{header}': die kolom staat niet in het "
                f"bestand (kolommen: {shown})"
            )


def flag_target(header: str) -> str | None:
    """'flag:platforms:whatsapp' for a header 'WhatsApp' (a column of ja/nee cells), else
    None."""
    for kind in ("platforms", "forms"):
        code = recognise.recognise(kind, header)
        if code and code != "other":
            return f"flag:{kind}:{code}"
    return None


@dataclass
class Column:
    """How one column's cells are read: its header, our field and what its values mean."""

    header: str
    target: str
    group: recognise.GroupColumn | None = None
    scale: int | None = None  # top of a numeric Ernst scale
    scale_stated: bool = False  # named in the header, not guessed from the cells

    @classmethod
    def of(cls, header: str, target: str, cells: Iterable[str]) -> Column:
        """A header 'Ernst (1-5)' or 'Ernst 1 t/m 4' names its scale, which then holds even
        when the file's largest number is lower; else the scale is read from the cells."""
        if target == "group":
            return cls(header, target, group=recognise.GroupColumn.from_header(header))
        if target == "severity":
            stated = re.search(r"\b1 (?:t m |tot )?([345])\b", normalise_header(header))
            scale = int(stated[1]) if stated else recognise.severity_scale(list(cells))
            return cls(header, target, scale=scale, scale_stated=bool(stated))
        return cls(header, target)


def parse_value_map(items: list[str] | tuple[str, ...]) -> dict[tuple[str, str], str]:
    """['Ernst:2=gemiddeld'] -> {('ernst', '2'): 'gemiddeld'}: a school's value named once."""
    found = {}
    for item in items:
        left, sep, ours = item.partition("=")
        header, colon, theirs = left.partition(":")
        if not (sep and colon and header.strip() and ours.strip()):
            raise ImportFileError(
                f"'{item}': gebruik KOLOM:WAARDE=ONZE WAARDE, bijv. 'Ernst:2=Middel'"
            )
        found[value_key(header, theirs)] = ours.strip()
    return found


def value_key(header: str, value: str) -> tuple[str, str]:
    """How a value map names one value of one column: both normalised."""
    return normalise_header(header), recognise.normalise(value)


@dataclass
class Survey:
    """What a first pass over the file learns before any row is read: how many rows there
    are (for the progress bar), which columns named after a platform or form hold only
    ja/nee, the numbers in each Ernst column (its scale), whether every row names its
    school, and which columns right of the header hold something. Kept small: sets and
    counts, never the rows."""

    total: int = 0
    yes_no: set[str] = field(default_factory=set)
    numbers: dict[str, set[str]] = field(default_factory=dict)
    school_everywhere: bool = True
    beyond_header: list[str] = field(default_factory=list)
    # Columns we do not read yet: their values (VALUES_SAMPLED at most) and filled cells, to
    # see whether they hold forms or platforms under a header of their own (propose_columns).
    samples: dict[str, Counter] = field(default_factory=dict)
    filled: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, table: Table, targets: dict[str, str]) -> Survey:
        flags = {c for c in table.columns if c not in targets and flag_target(c)}
        severity = [h for h, t in targets.items() if t == "severity"]
        school = next((h for h, t in targets.items() if t == "school"), None)
        survey = cls(yes_no=set(flags), numbers={h: set() for h in severity})
        survey.samples = {c: Counter() for c in table.columns if c not in targets}
        width, beyond = len(table.columns), set()
        for _, cells, _ in table.rows():
            survey.total += 1
            if cells is None or not any(v.strip() for v in cells.values()):
                continue  # a row that does not fit, or an empty line
            for column in [c for c in survey.yes_no if recognise.yes_no(cells[c]) is None]:
                survey.yes_no.discard(column)
            for column in severity:
                value = cells[column].strip()
                if value.isdecimal() and 1 <= int(value) <= 5:
                    survey.numbers[column].add(value)
            if school and not cells[school].strip():
                survey.school_everywhere = False
            survey.sample(cells)
            if len(cells) > width:
                beyond |= {c for c in itertools.islice(cells, width, None) if cells[c].strip()}
        survey.beyond_header = sorted(beyond, key=lambda c: int(c.rsplit(" ", 1)[1]))
        return survey

    def sample(self, cells: dict[str, str]) -> None:
        """Count the values of columns we do not read, in the first CELLS_SAMPLED filled
        cells of each (enough to know what a column holds; a large file is not slowed)."""
        for column, counts in self.samples.items():
            value = (cells.get(column) or "").strip()
            if value and self.filled[column] < CELLS_SAMPLED:
                self.filled[column] += 1
                if value in counts or len(counts) < VALUES_SAMPLED:
                    counts[value] += 1


# A column under a header of its own is read as forms or platforms when it is sure: at least
# CONFIDENT_CELLS filled cells, CONFIDENT_SHARE of them read as that field, the file has no
# column for it, and no other column or field competes. It is only proposed (a note naming
# --map) from PROPOSED_SHARE. Only short phrases count: a description that happens to hold
# 'bedreigd' is no form column.
VALUES_SAMPLED, CELLS_SAMPLED = 200, 2000
CONFIDENT_CELLS, CONFIDENT_SHARE, PROPOSED_SHARE = 3, 0.8, 0.5
SHORT_PHRASE = 60  # characters
PROPOSABLE = {"forms": "Vorm", "platforms": "Platform"}  # our field -> the header to --map


def propose_columns(
    survey: Survey, targets: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, str, int, int]]]:
    """Columns whose header we do not know but whose values are clearly forms or platforms:
    ({header: field} read as such, [(header, field, recognised, filled)] of each candidate)."""
    have = {t.split(":")[1] if t.startswith("flag:") else t for t in targets.values()}
    found = []
    for column, counts in survey.samples.items():
        if column in targets or not survey.filled[column]:
            continue
        for kind in PROPOSABLE:
            if kind in have:
                continue
            known = sum(n for value, n in counts.items() if _reads_as(kind, value))
            if known / survey.filled[column] >= PROPOSED_SHARE:
                found.append((column, kind, known, survey.filled[column]))
    sure = {}
    for column, kind, known, filled in found:
        rivals = [f for f in found if (f[0] == column) != (f[1] == kind)]
        if filled >= CONFIDENT_CELLS and known / filled >= CONFIDENT_SHARE and not rivals:
            sure[column] = kind
    return sure, found


def _reads_as(kind: str, value: str) -> bool:
    """A short cell read whole as forms or platforms."""
    if len(value) > SHORT_PHRASE:
        return False
    codes, unknown = read_choices(kind, value)
    return bool(codes) and not unknown
