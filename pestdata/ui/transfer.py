"""Import and export in the care team's page: upload a file, see per row what would happen,
then store; download the log as Excel."""

from __future__ import annotations

import tempfile
from pathlib import Path

import ipywidgets as w

from .. import analytics
from ..io import ImportFileError, ImportReport, export_frame, import_file, write_export
from ..store import Store
from .common import css, download_link, esc, message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_html(report: ImportReport) -> str:
    """The outcome: counts per kind, and each refused row with field and reason (rows that
    are new or already present need no explanation); every value escaped."""
    rows = "".join(
        f"<tr><td>{r.row}</td><td>{esc(r.outcome)}</td><td>"
        + "<br>".join(f"{esc(f)}: {esc(reason)}" for f, reason in r.problems)
        + "</td></tr>"
        for r in report.rows
        if r.outcome == "geweigerd"
    )
    ignored = (
        f"<p class='pd-hint'>Genegeerde kolommen: {esc(', '.join(report.ignored_columns))}</p>"
        if report.ignored_columns
        else ""
    )
    table = (
        f"<table class='pd-timeline'><tr><th>Rij</th><th>Uitkomst</th><th>Waarom</th></tr>"
        f"{rows}</table>"
        if rows
        else ""
    )
    return f"<p><b>{esc(report.summary())}</b></p>{ignored}{table}"


class Transfer(w.VBox):
    def __init__(self, store: Store, actor: w.Text, on_import=None):
        self.store, self.actor, self.on_import = store, actor, on_import
        self.upload = css(
            w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Bestand kiezen"),
            "pd-upload",
        )
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
        self.commit = css(
            w.Button(description="Opslaan", button_style="primary", disabled=True),
            "pd-import-commit",
        )
        self.export = css(w.Button(description="Export maken (Excel)"), "pd-export")
        self.download = css(w.HTML(), "pd-export-link")
        self.path: Path | None = None
        self.upload.observe(lambda _: self.check(), "value")
        self.commit.on_click(lambda _: self.run(commit=True))
        self.export.on_click(lambda _: self.make_export())
        super().__init__(
            [
                w.HTML(
                    "<h4>Importeren</h4><p class='pd-hint'>CSV (met ',' of ';') of Excel. "
                    "Eerst ziet u per rij wat er zou gebeuren; pas na 'Opslaan' wordt er iets "
                    "bewaard. Twee keer hetzelfde bestand voegt niets dubbel toe.</p>"
                ),
                self.upload,
                self.progress,
                self.report,
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
        suffix = Path(upload["name"]).suffix.lower() or ".csv"
        folder = Path(tempfile.mkdtemp(prefix="pestdata-import-"))
        self.path = folder / f"upload{suffix}"
        self.path.write_bytes(bytes(upload["content"]))
        self.source = upload["name"]
        self.run(commit=False)

    def run(self, commit: bool) -> None:
        if self.path is None:
            return
        actor = self.actor.value.strip()
        if commit and not actor:
            self.report.value += message("error", "Uw naam: vul bovenaan uw naam in (logboek)")
            return
        self.progress.layout.visibility = "visible"

        def progress(done: int, total: int) -> None:
            self.progress.max, self.progress.value = max(total, 1), done

        try:
            report = import_file(
                self.store, self.path, commit=commit, actor=actor or "import", progress=progress
            )
        except ImportFileError as error:
            self.report.value = message("error", str(error).replace(str(self.path), self.source))
            self.commit.disabled = True
            return
        finally:
            self.progress.layout.visibility = "hidden"
        report.source = self.source
        self.report.value = report_html(report)
        new = report.count("nieuw")
        self.commit.disabled = commit or not new
        self.commit.description = f"Opslaan ({new} nieuwe meldingen)" if new else "Opslaan"
        if commit:
            self.report.value += message("ok", f"{report.added} meldingen opgeslagen.")
            if self.on_import:
                self.on_import()

    def make_export(self) -> None:
        frame = export_frame(self.store, analytics.Filters())
        path = Path(tempfile.mkdtemp(prefix="pestdata-export-")) / "meldingen.xlsx"
        write_export(frame, path)
        data = path.read_bytes()
        path.unlink()
        self.download.value = download_link(
            data, "meldingen.xlsx", XLSX, f"Download meldingen.xlsx ({len(frame)} meldingen)"
        )
