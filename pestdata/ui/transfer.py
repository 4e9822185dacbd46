"""Import and export in the care team's page: upload, check per row, store, download.

Import and export in the care team's page: upload a file, see per row what would happen,
then store; download the log as Excel."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets

from pestdata.core.markup import counted, meldingen
from pestdata.db.store import Store
from pestdata.overview.filters import Filters
from pestdata.registers import report as import_report
from pestdata.registers.columns import MAP_HEADINGS
from pestdata.registers.export import export_bytes, export_frame
from pestdata.registers.importer import SchoolNeeded, import_file
from pestdata.registers.mapping import PROPOSABLE, ColumnsMissing, column_map, value_key
from pestdata.registers.reading import (
    MAX_UPLOAD_BYTES,
    UPLOAD_REFUSAL,
    ImportFileError,
    megabytes,
    too_large,
)
from pestdata.registers.report import ASK, ImportResult
from pestdata.school import school_names
from pestdata.school.school_names import SchoolType
from pestdata.ui.common import Actor, css, download_link, esc, message, save
from pestdata.ui.schools import NewSchool, add_school, chosen_type, type_dropdown

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED_SHOWN = 200  # refused rows in the page's table; the rest is counted under it
VALUES_SHOWN = 30  # values not recognised with a field each, per column
COLUMNS_SHOWN = 30  # columns not recognised with a field each
# What a column can be named as, in the words of our own export (as --map takes them).
FIELDS = list(MAP_HEADINGS)
NOT_USED = "— niet gebruiken —"
CHOOSE_SCHOOL = "kies de school van dit bestand"
BEYOND = re.compile(r"kolom \d+")  # a cell right of the header: no column to name

UPLOAD_ESM = """
function megabytes(size) {  // as reading.megabytes: '20 MB', '3,5 MB', rounded up
  return (Math.ceil(size / 1e5) / 10).toFixed(1).replace(".", ",").replace(/,0$/, "") + " MB";
}

export default {
  render({ model, el }) {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = model.get("accept");
    input.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "jupyter-button widget-button pd-upload-button";
    button.textContent = model.get("label");
    const status = document.createElement("div");
    status.className = "pd-upload-status";
    status.setAttribute("role", "status");
    el.append(button, input, status);
    // Anywhere on the widget chooses a file: the button, or the message under it.
    el.addEventListener("click", (event) => {
      if (event.target !== input) input.click();
    });
    const say = (text, kind) => {
      status.textContent = text;  // text, never HTML: a file name is the user's
      status.className = "pd-upload-status" + (kind ? " pd-" + kind : "");
    };
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      input.value = "";  // choosing the same file again is a new choice
      if (!file) return;
      if (file.size > model.get("limit")) {
        // Refused here, before a byte is sent; the kernel hears only that it was.
        const text = model.get("refusal").replace("{grootte}", megabytes(file.size));
        say(text.replace("{naam}", file.name), "error");
        model.send({ kind: "te groot", name: file.name, size: file.size });
        return;
      }
      say(file.name + " wordt verstuurd…", "hint");
      const data = await file.arrayBuffer();
      model.send({ kind: "bestand", name: file.name, size: file.size }, undefined, [data]);
      say("", "");
    });
  },
};
"""


class Upload(anywidget.AnyWidget):
    """Choosing a file to import. The browser refuses a file over `limit` with the Dutch
    refusal before sending a byte, and tells the kernel (`on_refused`); a file within the
    limit arrives as one message (the server lets one of that size through), and `value`
    then holds it as ipywidgets' FileUpload would: in memory only, never on disk."""

    _esm = UPLOAD_ESM
    limit = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    refusal = traitlets.Unicode(UPLOAD_REFUSAL).tag(sync=True)  # {naam} and {grootte}
    label = traitlets.Unicode("Bestand kiezen").tag(sync=True)
    accept = traitlets.Unicode(".csv,.xlsx").tag(sync=True)
    value = traitlets.Tuple()  # ({"name", "size", "content"},): in the kernel only

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_refused: Callable[[str, int], None] | None = None
        self.on_msg(self._received)

    def _received(self, _, content: dict, buffers: list) -> None:
        name = str(content.get("name") or "")
        if content.get("kind") == "bestand" and buffers:
            data = buffers[0]
            self.value = ({"name": name, "size": len(data), "content": data},)
        elif content.get("kind") == "te groot" and self.on_refused:
            size = content.get("size")
            self.on_refused(name, size if isinstance(size, int) else 0)


def report_html(report: ImportResult) -> str:
    """The outcome: counts per kind, and each refused row with field and reason (rows that
    are new or already present need no explanation); every value escaped."""
    refused = [r for r in report.rows if r.outcome in ("geweigerd", ASK)]
    rows = "".join(
        f"<tr><td>{r.row}</td><td>{esc(r.outcome)}</td><td>"
        + "<br>".join(f"{esc(f)}: {esc(reason)}" for f, reason in r.problems)
        + "</td></tr>"
        for r in refused[:REFUSED_SHOWN]
    )
    more = report.count("geweigerd") + report.count(ASK) - min(len(refused), REFUSED_SHOWN)
    ignored = (
        f"<p class='pd-hint'>Genegeerde kolommen: {esc(', '.join(report.ignored_columns))}</p>"
        if report.ignored_columns
        else ""
    )
    ignored += "".join(f"<p class='pd-hint'>Let op: {esc(note)}.</p>" for note in report.notes)
    # Rows whose description seems to hold a name, as `pestdata import` lists them (kept:
    # the detector also flags words that are no name, and a history is imported whole).
    if report.with_names is None:
        ignored += (
            "<p class='pd-hint pd-import-names'>De beschrijvingen zijn niet op namen "
            "gecontroleerd: de namencontrole is nog niet klaar.</p>"
        )
    elif report.with_names:
        ignored += (
            "<ul class='pd-import-names'>"
            + "".join(f"<li>{esc(line)}</li>" for line in report.name_lines())
            + "</ul>"
        )
    if report.readings:
        ignored += (
            "<details class='pd-import-readings'><summary>Zo gelezen (eigen woorden → "
            "pestdata)</summary><ul>"
            + "".join(f"<li>{esc(line)}</li>" for line in report.reading_lines())
            + "</ul></details>"
        )
    table = (
        f"<table class='pd-timeline'><tr><th>Rij</th><th>Uitkomst</th><th>Waarom</th></tr>"
        f"{rows}</table>"
        if rows
        else ""
    )
    if more:
        table += (
            f"<p class='pd-hint'>En nog {import_report.rows(more)} geweigerd; hierboven staan "
            f"de eerste {min(len(refused), REFUSED_SHOWN)}. Verbeter die en controleer "
            "opnieuw.</p>"
        )
    return f"<p><b>{esc(report.summary())}</b></p>{ignored}{table}"


class Transfer(w.VBox):
    """The import and export tab. An upload is checked (a dry run) and stored only on
    'Opslaan'. What the check cannot decide alone is asked here, and each answer checks the
    file again: which school a file without a School column belongs to (never assumed, also
    when there is one school; a first install adds it here), schools of the file that are
    not listed yet (added with their type on confirmation), rows whose group does not fit
    the school's type, columns not recognised (named as one of our fields, as --map does)
    and values not recognised (as --map-value)."""

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
        self.report = css(w.HTML(), "pd-import-report")
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
        self.new_schools = css(w.VBox(layout=w.Layout(display="none")), "pd-import-new-schools")
        self.new_school_types: dict[str, w.Dropdown] = {}
        self.add_new_schools = css(
            w.Button(description="Deze scholen toevoegen"), "pd-import-add-schools"
        )
        self.add_new_schools.on_click(lambda _: self.add_schools())
        self.new_schools_feedback = css(w.HTML(), "pd-import-add-schools-result")
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
        self.retype = css(w.VBox(layout=w.Layout(display="none")), "pd-import-retype")
        self.retype_fields: dict[str, tuple[w.Dropdown, w.Button]] = {}
        self.retype_feedback = css(w.HTML(), "pd-import-retype-result")
        self.columns = css(w.VBox(), "pd-import-columns")
        self.column_fields: dict[str, w.Dropdown] = {}
        self.mapping = css(w.VBox(), "pd-import-mapping")
        self.value_fields: dict[tuple[str, str], w.Combobox] = {}
        self.recheck = css(
            w.Button(description="Opnieuw controleren", layout=w.Layout(display="none")),
            "pd-import-recheck",
        )
        self.commit = css(
            w.Button(description="Opslaan", button_style="primary", disabled=True),
            "pd-import-commit",
        )
        self.export = css(w.Button(description="Export maken (Excel)"), "pd-export")
        self.download = css(w.HTML(), "pd-export-link")
        self.path: Path | None = None  # the upload's name
        self.content = b""  # its bytes, in memory only
        self.upload.observe(lambda _: self.check(), "value")
        self.commit.on_click(lambda _: self.run(commit=True))
        self.recheck.on_click(lambda _: self.run(commit=False))
        self.export.on_click(lambda _: self.make_export())
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
                self.report,
                self.new_schools,
                self.accept_groups,
                self.retype,
                self.retype_feedback,
                self.columns,
                self.mapping,
                self.recheck,
                self.commit,
                w.HTML(
                    "<h4>Exporteren</h4><p class='pd-hint'>Alle meldingen met leerlingnummers, "
                    "voor het zorgteam. Bewaar het bestand veilig.</p>"
                ),
                self.export,
                self.download,
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
        `html` in the report."""
        self.path, self.content = None, b""  # first: the resets below check nothing again
        self.value_fields, self.column_fields, self.new_school_types = {}, {}, {}
        self.mapping.children = self.columns.children = self.new_schools.children = ()
        self.school.value = ""
        self.accept_groups.value = False
        self.retype_fields, self.retype.children = {}, ()
        self.retype_feedback.value = ""
        parts = (self.recheck, self.new_schools, self.accept_groups, self.retype, self.school_box)
        for part in parts:
            part.layout.display = "none"
        self.school_feedback.value = self.new_schools_feedback.value = ""
        self.commit.disabled = True
        self.commit.description = "Opslaan"
        self.report.value = html

    def run(self, commit: bool) -> None:
        if self.path is None:
            return
        actor = self.actor.name
        self.progress.layout.visibility = "visible"

        def progress(done: int, total: int) -> None:
            self.progress.max, self.progress.value = max(total, 1), done

        reports: list[ImportResult] = []

        def check_or_store() -> None:
            reports.append(
                import_file(
                    self.store,
                    self.path,
                    commit=commit,
                    actor=actor,
                    mapping=self.column_mapping(),
                    value_map=self.value_map(),
                    default_school=self.school.value or "",
                    progress=progress,
                    raw=self.content,
                    accept_groups=self.accept_groups.value,
                )
            )

        self.commit.disabled = True
        try:
            if not save(check_or_store, self.report, handled=ImportFileError):  # see below
                return
        except SchoolNeeded as error:
            self.ask_school(error.known)
            return
        except ColumnsMissing as error:
            self.report.value = message("error", str(error).replace(str(self.path), self.source))
            self.show_columns(error.columns)
            return
        except ImportFileError as error:
            self.report.value = message("error", str(error).replace(str(self.path), self.source))
            return
        finally:
            self.progress.layout.visibility = "hidden"
        report = reports[0]
        report.source = self.source
        self.report.value = report_html(report)
        self.show_columns(
            [c for c in report.ignored_columns if not BEYOND.fullmatch(c)], report.proposed_columns
        )
        self.show_mapping(report)
        self.show_new_schools(report)
        self.accept_groups.layout.display = "" if report.misfits else "none"
        if not report.misfits:  # confirmed for rows that are gone (another school chosen)
            self.quietly(self.accept_groups, False)
        self.show_retype(report)
        new = report.count("nieuw")
        self.commit.disabled = commit or not new
        self.commit.description = (
            f"Opslaan ({counted(new, 'nieuwe melding', 'nieuwe meldingen')})" if new else "Opslaan"
        )
        if commit:
            self.path, self.content = None, b""  # stored: the upload need not be kept
            self.report.value += message("ok", f"{meldingen(report.added)} opgeslagen.")
            if self.on_import:
                self.on_import()

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
        self.report.value = message(
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

    # --- schools of the file's School column not on the list ------------------------------

    def show_new_schools(self, report: ImportResult) -> None:
        """Each school of the file not on the list, with a type (proposed from its rows'
        groups, to be confirmed) and 'Deze scholen toevoegen'."""
        names = [n for n, _ in report.unknown_schools.most_common()]
        if not names:
            self.new_schools.layout.display = "none"
            return
        rows = []
        for name in names:
            if name not in self.new_school_types:
                groups = report.school_groups.get(name, set())
                proposed = SchoolType.of_groups(groups).value if groups else ""
                self.new_school_types[name] = type_dropdown("pd-import-new-school-type", proposed)
            rows.append(
                w.HBox(
                    [
                        w.HTML(
                            f"<span class='pd-import-new-school-name'>{esc(name)} "
                            f"({import_report.rows(report.unknown_schools[name])})</span>",
                            layout=w.Layout(width="320px"),
                        ),
                        self.new_school_types[name],
                    ]
                )
            )
        self.new_schools.children = [
            w.HTML(
                "<p class='pd-hint'>Deze scholen uit het bestand staan nog niet op de lijst. "
                "Is het een nieuwe school, kies dan haar soort en voeg haar toe; is het een "
                "andere schrijfwijze van een bekende school, verbeter dan het bestand.</p>"
            ),
            *rows,
            self.add_new_schools,
            self.new_schools_feedback,
        ]
        self.new_schools.layout.display = ""

    def add_schools(self) -> None:
        """Add the file's new schools with the types chosen, then check the file again."""
        chosen = {name: field.value for name, field in self.new_school_types.items()}

        def add_all() -> None:
            for name, school_type in chosen.items():
                add_school(self.store, name, school_type, self.actor)

        if save(add_all, self.new_schools_feedback):
            self.new_school_types = {}
            self.new_schools_feedback.value = message(
                "ok", "Toegevoegd: " + ", ".join(f"'{n}'" for n in chosen) + "."
            )
            self.run(commit=False)

    # --- a school's type that the file's groups question ------------------------------------

    def show_retype(self, report: ImportResult) -> None:
        """For each school whose type a row's group does not fit: its type, to correct."""
        schools = list(dict.fromkeys(school for school, _, _ in report.misfits))
        if not schools or self.accept_groups.value:
            self.retype.layout.display = "none"
            return
        types = school_names.types(self.store)
        rows = []
        for name in schools:
            if name not in self.retype_fields:
                field = type_dropdown("pd-import-retype-type", types[name].value, "")
                button = css(w.Button(description="Soort opslaan"), "pd-import-retype-save")
                button.on_click(lambda _, name=name: self.set_type(name))
                self.retype_fields[name] = (field, button)
            label = w.HTML(
                f"<span>Of klopt de soort van {esc(name)} niet?</span>",
                layout=w.Layout(width="320px"),
            )
            rows.append(w.HBox([label, *self.retype_fields[name]]))
        self.retype.children = rows
        self.retype.layout.display = ""

    def set_type(self, name: str) -> None:
        """Store the type chosen for a school, then check the file again."""
        chosen = self.retype_fields[name][0].value

        def store_type() -> None:
            school_names.set_type(self.store, name, chosen_type(chosen), self.actor.name)

        if save(store_type, self.retype_feedback):
            label = SchoolType(chosen).label
            self.retype_feedback.value = message("ok", f"{name} is nu: {label}.")
            self.retype_fields.pop(name, None)
            self.run(commit=False)

    # --- columns and values not recognised -------------------------------------------------

    def show_columns(self, columns: list[str], proposed: dict[str, str] | None = None) -> None:
        """One field per column not recognised (and each one named already): which of our
        fields it holds; a choice checks the file again with it, as --map does. A column
        the import proposes as forms or platforms (by its values) lists that field first,
        marked 'voorstel', still to be chosen."""
        proposed = proposed or {}
        recognised = column_map(columns) if columns else {}
        wanted = [h for h, f in self.column_fields.items() if f.value]
        wanted += [c for c in columns if c not in recognised and c not in wanted]
        fields = []
        for header in wanted[:COLUMNS_SHOWN]:
            if header not in self.column_fields:
                offer = PROPOSABLE.get(proposed.get(header, ""))
                first = [(f"{offer} (voorstel)", offer)] if offer else []
                field = css(
                    w.Dropdown(
                        description=header[:40],
                        options=[(NOT_USED, ""), *first] + [(f, f) for f in FIELDS],
                        value="",
                        style={"description_width": "240px"},
                        layout=w.Layout(width="560px"),
                    ),
                    "pd-import-column",
                )
                field.observe(lambda _: self.run(commit=False), "value")
                self.column_fields[header] = field
            fields.append(self.column_fields[header])
        intro = w.HTML(
            "<p class='pd-hint'>Niet herkende kolommen: kies welk veld erin staat, dan wordt "
            "het bestand opnieuw gecontroleerd (niet gebruikt: de kolom wordt genegeerd).</p>"
        )
        self.columns.children = [intro, *fields] if fields else []

    def column_mapping(self) -> dict[str, str]:
        """The columns the user named, as import_file's `mapping` (--map) wants them."""
        return {header: f.value for header, f in self.column_fields.items() if f.value}

    def show_mapping(self, report: ImportResult) -> None:
        """One field per value not recognised: what it means in our words; kept across
        re-checks so a school maps its values once and then stores."""
        rows, more = [], 0
        for header, counts in report.unknown.items():
            more += max(0, len(counts) - VALUES_SHOWN) + bool(report.unlisted[header])
            for value, n in counts.most_common(VALUES_SHOWN):
                key = (header, value)
                if key not in self.value_fields:
                    self.value_fields[key] = css(
                        w.Combobox(
                            description=f"{header}: '{value}' ({n}×)",
                            options=tuple(report.options.get(header, ())),
                            placeholder=report.allowed[header][:60],
                            ensure_option=False,
                            style={"description_width": "240px"},
                            layout=w.Layout(width="560px"),
                        ),
                        "pd-import-value",
                    )
                rows.append(self.value_fields[key])
        later = (
            f" Per kolom staan hier de {VALUES_SHOWN} die het vaakst voorkomen; na opnieuw "
            "controleren volgen de andere."
            if more
            else ""
        )
        intro = (
            [
                w.HTML(
                    "<p class='pd-hint'>Niet herkende waarden: geef aan wat ze betekenen."
                    f"{later}</p>"
                )
            ]
            if rows
            else []
        )
        self.mapping.children = intro + rows
        self.recheck.layout.display = "" if rows else "none"

    def value_map(self) -> dict[tuple[str, str], str]:
        """The values the user named, as import_file wants them."""
        return {
            value_key(header, value): field.value.strip()
            for (header, value), field in self.value_fields.items()
            if field.value.strip()
        }

    def make_export(self) -> None:
        frame = export_frame(self.store, Filters())
        data = export_bytes(frame)
        self.download.value = download_link(
            data, "meldingen.xlsx", XLSX, f"meldingen.xlsx opslaan ({meldingen(len(frame))})"
        )
