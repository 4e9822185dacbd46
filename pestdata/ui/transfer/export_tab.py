"""The export in the care team's page: every report with its pupil numbers, as Excel."""

from __future__ import annotations

import ipywidgets as w

from pestdata.core.markup import meldingen
from pestdata.db.store import Store
from pestdata.overview.filters import Filters
from pestdata.ui.common import css, download_link

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportTab(w.VBox):
    """'Export maken (Excel)': the whole log as one file, offered as a download link."""

    def __init__(self, store: Store):
        self.store = store
        self.export = css(w.Button(description="Export maken (Excel)"), "pd-export")
        self.download = css(w.HTML(), "pd-export-link")
        self.export.on_click(lambda _: self.make_export())
        super().__init__(
            [
                w.HTML(
                    "<h4>Exporteren</h4><p class='pd-hint'>Alle meldingen met leerlingnummers, "
                    "voor het zorgteam. Bewaar het bestand veilig.</p>"
                ),
                self.export,
                self.download,
            ]
        )

    def make_export(self) -> None:
        from pestdata.registers.export import export_bytes, export_frame  # pandas: on a click

        frame = export_frame(self.store, Filters())
        data = export_bytes(frame)
        self.download.value = download_link(
            data, "meldingen.xlsx", XLSX, f"meldingen.xlsx opslaan ({meldingen(len(frame))})"
        )
