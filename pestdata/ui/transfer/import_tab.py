"""The import in the care team's page: upload a file, see per row what would happen, store.

An upload is checked (a dry run) and stored only on 'Opslaan'. What the check cannot decide
alone is asked here, and each answer checks the file again: which school a file without a
School column belongs to (never assumed, also when there is one school; a first install adds
it here), schools of the file that are not listed yet and a school's type
(school_questions.py), rows whose group does not fit the school's type, and columns and
values not recognised (column_questions.py, as --map and --map-value). No answer given for
one file holds for the next.
"""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w

from pestdata.core.markup import counted, meldingen
from pestdata.db.store import Store
from pestdata.registers.import_result import ImportResult
from pestdata.registers.importer import SchoolNeeded, import_file
from pestdata.registers.mapping import ColumnsMissing
from pestdata.registers.reading import MAX_UPLOAD_BYTES, ImportFileError, megabytes, too_large
from pestdata.school import school_names
from pestdata.ui.common import Actor, css, message, save
from pestdata.ui.schools import NewSchool
from pestdata.ui.transfer.column_questions import ColumnQuestions
from pestdata.ui.transfer.outcome import result_html
from pestdata.ui.transfer.school_questions import NewSchools, SchoolTypes
from pestdata.ui.transfer.upload import Upload

CHOOSE_SCHOOL = "kies de school van dit bestand"
BEYOND = re.compile(r"kolom \d+")  # a cell right of the header: no column to name


class ImportTab(w.VBox):
    """Upload, the questions of the check, the outcome per row, and 'Opslaan'."""

    def __init__(self, store: Store, actor: Actor, on_import=None):
        self.store, self.actor, self.on_import = store, actor, on_import
        self.upload = css(Upload(), "pd-upload")
        self.upload.on_refused = self.refused
        self.progress = css(
            w.IntProgress(
                value=0,
                min=0,
                max=1,
                description="Controleren",
                layout=w.Layout(visibility="hidden"),
            ),
            "pd-progress",
        )
        self.outcome = css(w.HTML(), "pd-import-report")
        # The school of a file without a School column: chosen from the list, or added.
        self.school = css(
            w.Dropdown(
                description="School",
                options=[(CHOOSE_SCHOOL, "")],
                value="",
                style={"description_width": "170px"},
                layout=w.Layout(width="480px"),
            ),
            "pd-import-school",
        )
        self.school.observe(lambda change: self.school_chosen(change["new"]), "value")
        self.school_feedback = css(w.HTML(), "pd-import-school-result")
        self.school_adder = NewSchool(store, actor, self.school_feedback, "pd-import-new-school")
        self.school_adder.on_added = self.school_added
        self.school_box = w.VBox(
            [
                self.school,
                w.HTML(
                    "<p class='pd-hint'>Staat de school er niet bij? Voeg haar toe, met haar "
                    "soort (welke groepen of klassen er horen):</p>"
                ),
                self.school_adder,
                self.school_feedback,
            ],
            layout=w.Layout(display="none"),
        )
        # Schools named in the file's School column that are not listed yet.
        self.new_schools = NewSchools(store, actor, on_change=self.check_again)
        # Rows whose group does not fit their school's type: stored only when confirmed.
        self.accept_groups = css(
            w.Checkbox(
                description="Ja, deze rijen horen bij deze school (toch importeren)",
                indent=False,
                layout=w.Layout(display="none", width="auto"),
            ),
            "pd-import-accept-groups",
        )
        self.accept_groups.observe(lambda _: self.quiet or self.run(commit=False), "value")
        self.quiet = False  # True while the page itself sets a field (no check follows)
        # Or the school's type is wrong: set it right here (in the audit), then check again.
        self.school_types = SchoolTypes(store, actor, on_change=self.check_again)
        self.columns = ColumnQuestions(on_change=self.check_again)
        self.commit = css(
            w.Button(description="Opslaan", button_style="primary", disabled=True),
            "pd-import-commit",
        )
        self.path: Path | None = None  # the upload's name
        self.content = b""  # its bytes, in memory only
        self.upload.observe(lambda _: self.check(), "value")
        self.commit.on_click(lambda _: self.run(commit=True))
        super().__init__(
            [
                w.HTML(
                    "<h4>Importeren</h4><p class='pd-hint'>CSV (met ',' of ';') of Excel, "
                    f"hoogstens {megabytes(MAX_UPLOAD_BYTES)}. "
                    "Eerst zie je per rij wat er zou gebeuren; pas na 'Opslaan' wordt er iets "
                    "bewaard. Twee keer hetzelfde bestand voegt niets dubbel toe.</p>"
                ),
                self.upload,
                self.school_box,
                self.progress,
                self.outcome,
                self.new_schools,
                self.accept_groups,
                self.school_types,
                self.columns,
                self.commit,
            ]
        )

    def check(self) -> None:
        if not self.upload.value:
            return
        upload = self.upload.value[0]
        self.forget("")  # a new file: nothing asked or answered for the last one carries over
        # Kept in memory, never written to disk: an upload holds pupil numbers.
        path = Path(Path(str(upload["name"])).name or "upload.csv")
        size = len(upload["content"])
        if size > MAX_UPLOAD_BYTES:  # the browser refuses it first; a page changed to send
            self.upload.value = ()  # it anyway gets the same refusal here
            self.forget(message("error", too_large(path.name, size, upload=True)))
            return
        self.path = path
        self.content = bytes(upload["content"])
        self.upload.value = ()  # the widget's copy goes too
        self.source = self.path.name
        self.run(commit=False)

    def refused(self, name: str, size: int) -> None:
        """The browser refused a file as too large (and said so under the button): what
        this page showed of an earlier file goes, so that nothing of it is stored by
        mistake."""
        self.forget("")

    def forget(self, html: str) -> None:
        """No file: nothing to check or store, and no answer given for an earlier file
        (its school, its confirmed groups, its columns and values) holds for the next;
        `html` in the result."""
        self.path, self.content = None, b""  # first: the resets below check nothing again
        self.columns.forget()
        self.new_schools.forget()
        self.school.value = ""
        self.accept_groups.value = False
        self.school_types.forget()
        for part in (self.accept_groups, self.school_box):
            part.layout.display = "none"
        self.school_feedback.value = ""
        self.commit.disabled = True
        self.commit.description = "Opslaan"
        self.outcome.value = html

    def run(self, commit: bool) -> None:
        if self.path is None:
            return
        actor = self.actor.name
        self.progress.layout.visibility = "visible"

        def progress(done: int, total: int) -> None:
            self.progress.max, self.progress.value = max(total, 1), done

        results: list[ImportResult] = []

        def check_or_store() -> None:
            results.append(
                import_file(
                    self.store,
                    self.path,
                    commit=commit,
                    actor=actor,
                    mapping=self.columns.column_mapping(),
                    value_map=self.columns.value_map(),
                    default_school=self.school.value or "",
                    progress=progress,
                    raw=self.content,
                    accept_groups=self.accept_groups.value,
                )
            )

        self.commit.disabled = True
        try:
            if not save(check_or_store, self.outcome, handled=ImportFileError):  # see below
                return
        except SchoolNeeded as error:
            self.ask_school(error.known)
            return
        except ColumnsMissing as error:
            self.outcome.value = message("error", str(error).replace(str(self.path), self.source))
            self.columns.show_columns(error.columns)
            return
        except ImportFileError as error:
            self.outcome.value = message("error", str(error).replace(str(self.path), self.source))
            return
        finally:
            self.progress.layout.visibility = "hidden"
        result = results[0]
        result.source = self.source
        self.outcome.value = result_html(result)
        self.columns.show_columns(
            [c for c in result.ignored_columns if not BEYOND.fullmatch(c)], result.proposed_columns
        )
        self.columns.show_mapping(result)
        self.new_schools.show(result)
        self.accept_groups.layout.display = "" if result.misfits else "none"
        if not result.misfits:  # confirmed for rows that are gone (another school chosen)
            self.quietly(self.accept_groups, False)
        self.school_types.show(result, confirmed=self.accept_groups.value)
        new = result.count("nieuw")
        self.commit.disabled = commit or not new
        self.commit.description = (
            f"Opslaan ({counted(new, 'nieuwe melding', 'nieuwe meldingen')})" if new else "Opslaan"
        )
        if commit:
            self.path, self.content = None, b""  # stored: the upload need not be kept
            self.outcome.value += message("ok", f"{meldingen(result.added)} opgeslagen.")
            if self.on_import:
                self.on_import()

    def check_again(self) -> None:
        """An answer given: check the file again with it."""
        self.run(commit=False)

    def quietly(self, field: w.ValueWidget, value) -> None:
        """Set a field without checking the file again for it."""
        self.quiet = True
        try:
            field.value = value
        finally:
            self.quiet = False

    # --- the school of a file without a School column ------------------------------------

    def ask_school(self, known: list[str]) -> None:
        """The file names no school: choose it (nothing chosen beforehand, also when the
        list has one school) or add it; either checks the file again."""
        self.school.options = [(CHOOSE_SCHOOL, "")] + [(k, k) for k in known]
        self.school_box.layout.display = ""
        self.outcome.value = message(
            "hint",
            "Dit bestand noemt geen school. Kies hierboven de school van alle rijen, of "
            "voeg haar toe als ze er nog niet bij staat."
            if known
            else "Dit bestand noemt geen school, en er staat nog geen school op de lijst. "
            "Voeg hierboven de school van dit bestand toe, met haar soort; daarna wordt het "
            "bestand opnieuw gecontroleerd.",
        )

    def school_chosen(self, name: str) -> None:
        """Check the file for the school chosen; a confirmation of groups given for another
        school does not hold for this one."""
        if name:
            self.quietly(self.accept_groups, False)
            self.run(commit=False)

    def school_added(self, name: str) -> None:
        """A school added for this file: listed, chosen, and the file checked for it."""
        self.school.options = [(CHOOSE_SCHOOL, "")] + [
            (k, k) for k in school_names.names(self.store)
        ]
        self.school_feedback.value = message("ok", f"School '{name}' toegevoegd en gekozen.")
        self.school.value = name  # checks the file again (observed)
