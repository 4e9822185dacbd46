"""Columns and values an import did not recognise, asked in the tab as --map and --map-value.

A column not recognised gets a field: which of our fields it holds (a column the import
proposes as forms or platforms lists that field first, marked 'voorstel', still to be
chosen). A value not recognised gets a field: what it means in our words. Every answer
checks the file again (`on_change`); answers are kept across checks of the same file, so a
school maps its values once and then stores.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from pestdata.registers.columns import MAP_HEADINGS
from pestdata.registers.import_result import ImportResult
from pestdata.registers.mapping import PROPOSABLE, column_map, value_key
from pestdata.ui.common import css

VALUES_SHOWN = 30  # values not recognised with a field each, per column
COLUMNS_SHOWN = 30  # columns not recognised with a field each
# What a column can be named as, in the words of our own export (as --map takes them).
FIELDS = list(MAP_HEADINGS)
NOT_USED = "— niet gebruiken —"


class ColumnQuestions(w.VBox):
    """The fields for columns and values not recognised, and 'Opnieuw controleren'."""

    def __init__(self, on_change: Callable[[], None]):
        self.on_change = on_change
        self.columns = css(w.VBox(), "pd-import-columns")
        self.column_fields: dict[str, w.Dropdown] = {}
        self.mapping = css(w.VBox(), "pd-import-mapping")
        self.value_fields: dict[tuple[str, str], w.Combobox] = {}
        self.recheck = css(
            w.Button(description="Opnieuw controleren", layout=w.Layout(display="none")),
            "pd-import-recheck",
        )
        self.recheck.on_click(lambda _: self.on_change())
        super().__init__([self.columns, self.mapping, self.recheck])

    def forget(self) -> None:
        """A new file: no answer given for the last one holds."""
        self.value_fields, self.column_fields = {}, {}
        self.mapping.children = self.columns.children = ()
        self.recheck.layout.display = "none"

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
                field.observe(lambda _: self.on_change(), "value")
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

    def show_mapping(self, result: ImportResult) -> None:
        """One field per value not recognised: what it means in our words; kept across
        re-checks so a school maps its values once and then stores."""
        rows, more = [], 0
        for header, counts in result.unknown.items():
            more += max(0, len(counts) - VALUES_SHOWN) + bool(result.unlisted[header])
            for value, n in counts.most_common(VALUES_SHOWN):
                key = (header, value)
                if key not in self.value_fields:
                    self.value_fields[key] = css(
                        w.Combobox(
                            description=f"{header}: '{value}' ({n}×)",
                            options=tuple(result.options.get(header, ())),
                            placeholder=result.allowed[header][:60],
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
