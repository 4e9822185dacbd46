"""One column table (registers/columns.py): the export writes its headers from it and the
import recognises them by it, so our own export, as .xlsx or CSV, reads back into an empty
database without a single --map, and --map names a field in the export's words."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from helpers import incidents_by_target

from pestdata.core.guidance import load_protocol
from pestdata.db.store import Store
from pestdata.incidents import incident_log, lookup
from pestdata.overview.filters import Filters
from pestdata.registers.columns import (
    EXPORTED,
    HEADINGS,
    MAP_HEADINGS,
    MAP_TARGETS,
    NAME_MARK,
    NOT_READ,
    step_columns,
)
from pestdata.registers.export import export_frame, write_export
from pestdata.registers.importer import import_file
from pestdata.registers.mapping import check_mapping, column_map
from pestdata.registers.reading import ImportFileError
from pestdata.school import demo

TODAY = date(2026, 3, 1)
REPORTS = 250


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Store:
    """Three school years of demo reports: every status, open and handled, steps done."""
    folder = tmp_path_factory.mktemp("columns")
    store = Store(f"sqlite:///{folder}/demo.sqlite").ensure_schema()
    incident_log.add_incidents(store, demo.generate(REPORTS, seed=11, today=TODAY), actor="demo")
    return store


def handling(incident: dict) -> tuple:
    """What a report's handling is: status, its dates, and each step's date."""
    return (
        incident["status"],
        incident["reported_on"],
        incident["happened_on"],
        incident["resolved_on"],
        {step_id: step["done_on"] for step_id, step in incident["steps"].items()},
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_our_own_export_reads_back_without_a_map(source, tmp_path, suffix):
    out = tmp_path / f"meldingen{suffix}"
    frame = export_frame(source, Filters())
    write_export(frame, out)
    target = Store(f"sqlite:///{tmp_path}/leeg.sqlite").ensure_schema()

    # Every column is known by its header alone: the report's fields and every step's.
    known = column_map(list(frame.columns))
    assert sorted(set(frame.columns) - set(known)) == sorted(NOT_READ)
    assert set(known.values()) >= {h.field for h in EXPORTED if h.read}
    steps = [f"step:{s.id}:{f}" for s in load_protocol() for f in ("done_on", "done_by", "note")]
    assert set(steps) <= set(known.values())

    report = import_file(target, out, commit=True, add_schools=True)  # no mapping, no value map
    assert report.refused() == []
    assert report.ignored_columns == ["Meldingnummer", "Naam in tekst?"] == NOT_READ
    assert report.proposed_columns == {} and report.unknown == {}
    assert not any("zonder status" in note or "geen kolom" in note for note in report.notes)
    assert report.added == REPORTS == lookup.count_incidents(target)
    assert report.count("nieuw") == REPORTS

    original, back = incidents_by_target(source), incidents_by_target(target)
    assert len(original) == REPORTS and original.keys() == back.keys()
    statuses = Counter(incident["status"] for incident in original.values())
    assert Counter(incident["status"] for incident in back.values()) == statuses
    assert len(statuses) >= 4  # new, in progress, referred, resolved or closed: not only one
    assert {pupil: handling(incident) for pupil, incident in back.items()} == {
        pupil: handling(incident) for pupil, incident in original.items()
    }


def test_the_export_writes_the_tables_words_in_its_order(source):
    frame = export_frame(source, Filters())
    steps = [c for s in load_protocol() for c in step_columns(s.id, s.asks_outcome)]
    assert list(frame.columns) == [h.words for h in EXPORTED] + steps + [NAME_MARK.words]
    assert list(frame.columns[:3]) == ["Meldingnummer", "School", "Datum melding"]
    assert [h.words for h in HEADINGS if not h.exported] == ["Afgehandeld (ja/nee)", "Nog open"]


def test_map_names_every_field_in_the_words_of_our_export(tmp_path):
    """What --map and the import tab offer is the export's words (and the two columns it
    reads but never writes), the columns a file must have first."""
    assert MAP_HEADINGS[:2] == ("Datum melding", "Gepeste leerling")
    exported = [h.words for h in EXPORTED if h.read]
    assert set(MAP_HEADINGS) == {*exported, "Afgehandeld (ja/nee)", "Nog open"}
    assert MAP_TARGETS == ", ".join(MAP_HEADINGS)
    path = tmp_path / "eigen.csv"
    for words in MAP_HEADINGS:
        check_mapping(path, ["Eigen kolom"], {"Eigen kolom": words}, {})  # accepted
        field = next(h.field for h in HEADINGS if h.words == words)
        assert column_map(["Eigen kolom"], {"Eigen kolom": words}) == {"Eigen kolom": field}
    with pytest.raises(ImportFileError) as refused:
        check_mapping(path, ["Eigen kolom"], {"Eigen kolom": "Meldingnummer"}, {})
    assert str(refused.value) == (
        f"{path}: --map 'Eigen kolom=Meldingnummer': 'Meldingnummer' is geen veld van "
        f"pestdata; kies uit: {MAP_TARGETS}"
    )
