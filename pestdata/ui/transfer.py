"""Import and export in the care team's page: upload a file, see per row what would happen,
then store; download the log as Excel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets

from .. import analytics, importer
from ..importer import (
    MAX_UPLOAD_BYTES,
    UPLOAD_REFUSAL,
    ImportFileError,
    ImportReport,
    SchoolNeeded,
    import_file,
    megabytes,
    too_large,
    value_key,
)
from ..io import export_bytes, export_frame
from ..markup import counted, meldingen
from ..store import Store
from .common import Actor, css, download_link, esc, message, save

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED_SHOWN = 200  # refused rows in the page's table; the rest is counted under it
VALUES_SHOWN = 30  # values not recognised with a field each, per column

UPLOAD_ESM = """
function megabytes(size) {  // as importer.megabytes: '20 MB', '3,5 MB', rounded up
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


def report_html(report: ImportReport) -> str:
    """The outcome: counts per kind, and each refused row with field and reason (rows that
    are new or already present need no explanation); every value escaped."""
    refused = [r for r in report.rows if r.outcome == "geweigerd"]
    rows = "".join(
        f"<tr><td>{r.row}</td><td>{esc(r.outcome)}</td><td>"
        + "<br>".join(f"{esc(f)}: {esc(reason)}" for f, reason in r.problems)
        + "</td></tr>"
        for r in refused[:REFUSED_SHOWN]
    )
    more = report.count("geweigerd") - min(len(refused), REFUSED_SHOWN)
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
            f"<p class='pd-hint'>En nog {importer.rows(more)} geweigerd; hierboven staan de eerste "
            f"{min(len(refused), REFUSED_SHOWN)}. Verbeter die en controleer opnieuw.</p>"
        )
    return f"<p><b>{esc(report.summary())}</b></p>{ignored}{table}"


class Transfer(w.VBox):
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
        self.school = css(
            w.Dropdown(
                description="School",
                options=[("kies de school van dit bestand", "")],
                style={"description_width": "170px"},
                layout=w.Layout(display="none", width="480px"),
            ),
            "pd-import-school",
        )
        self.add_schools = css(
            w.Checkbox(
                description="Nieuwe scholen uit dit bestand toevoegen",
                indent=False,
                layout=w.Layout(display="none"),
            ),
            "pd-import-add-schools",
        )
        self.add_schools.observe(lambda _: self.run(commit=False), "value")
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
                self.school,
                self.progress,
                self.report,
                self.add_schools,
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
        self.path = None  # a new file: nothing of the last one is re-checked
        self.add_schools.value = False
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
        self.value_fields = {}
        self.run(commit=False)

    def refused(self, name: str, size: int) -> None:
        """The browser refused a file as too large (and said so under the button): what
        this page showed of an earlier file goes, so that nothing of it is stored by
        mistake."""
        self.forget("")

    def forget(self, html: str) -> None:
        """No file: nothing to check or store; `html` in the report."""
        self.path, self.content = None, b""
        self.value_fields = {}
        self.mapping.children = ()
        self.recheck.layout.display = "none"
        self.add_schools.layout.display = "none"
        self.school.layout.display = "none"
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

        reports: list[ImportReport] = []

        def check_or_store() -> None:
            reports.append(
                import_file(
                    self.store,
                    self.path,
                    commit=commit,
                    actor=actor,
                    value_map=self.value_map(),
                    default_school=self.school.value or "",
                    progress=progress,
                    raw=self.content,
                    add_schools=self.add_schools.value,
                )
            )

        try:
            if not save(check_or_store, self.report):  # the database: the same line as anywhere
                return
        except SchoolNeeded as error:
            self.ask_school(error.known)
            self.report.value = message(
                "hint", "Dit bestand noemt geen school. Kies hierboven de school van alle rijen."
            )
            self.commit.disabled = True
            return
        except ImportFileError as error:
            self.report.value = message("error", str(error).replace(str(self.path), self.source))
            self.commit.disabled = True
            return
        finally:
            self.progress.layout.visibility = "hidden"
        report = reports[0]
        report.source = self.source
        self.report.value = report_html(report)
        self.show_mapping(report)
        asked = report.unknown_schools or report.new_schools
        self.add_schools.layout.display = "" if asked else "none"
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

    def ask_school(self, known: list[str]) -> None:
        """Show the school field; a choice re-checks the file for that school."""
        self.school.options = [("kies de school van dit bestand", "")] + [(k, k) for k in known]
        self.school.layout.display = ""
        if not getattr(self, "_school_observed", False):
            self.school.observe(lambda change: change["new"] and self.run(commit=False), "value")
            self._school_observed = True

    def show_mapping(self, report: ImportReport) -> None:
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
        frame = export_frame(self.store, analytics.Filters())
        data = export_bytes(frame)
        self.download.value = download_link(
            data, "meldingen.xlsx", XLSX, f"meldingen.xlsx opslaan ({meldingen(len(frame))})"
        )
