"""Lessons given: log a material used in a group, and see which groups were reached."""

from __future__ import annotations

from datetime import date

import ipywidgets as w

from pestdata.core import clock
from pestdata.core.choices import GROUPS
from pestdata.core.guidance import Guidance
from pestdata.core.model import LessonGiven, validate
from pestdata.db.store import Store
from pestdata.documents import charts
from pestdata.overview.filters import Filters, school_year_of
from pestdata.overview.lists import lesson_coverage
from pestdata.school import school_records
from pestdata.ui.common import STYLE, Actor, css, message, save
from pestdata.ui.plots import Chart, show_figure


class Lessons(w.VBox):
    def __init__(
        self,
        store: Store,
        guidance: Guidance,
        actor: Actor,
        school: w.Dropdown,
        today: date | None = None,
    ):
        self.store, self.actor, self.school = store, actor, school
        self.today = today or clock.today()
        lessons = [m for m in guidance.materials if m.kind in ("les", "lespakket", "handboek")]
        others = [m for m in guidance.materials if m not in lessons]
        self.material = css(
            w.Dropdown(
                description="Materiaal",
                value=None,
                style=STYLE,
                layout=w.Layout(width="560px"),
                options=[(f"{m.title} ({m.age_label})", m.id) for m in lessons + others],
            ),
            "pd-lesson-material",
        )
        self.group = css(
            w.Dropdown(description="Groep of klas", options=GROUPS, value=None, style=STYLE),
            "pd-lesson-group",
        )
        self.day = css(
            w.DatePicker(description="Datum", value=self.today, style=STYLE), "pd-lesson-date"
        )
        self.save = css(
            w.Button(description="Les vastleggen", button_style="primary"), "pd-lesson-save"
        )
        self.result = css(w.HTML(), "pd-lesson-result")
        self.chart = css(Chart(), "pd-chart-lessons")
        self.save.on_click(lambda _: self.submit())
        school.observe(lambda _: self.draw(), "value")
        super().__init__([self.material, self.group, self.day, self.save, self.result, self.chart])
        self.draw()

    def submit(self) -> None:
        self.result.value = ""
        lessons: list[LessonGiven] = []

        def log_lesson() -> None:
            lessons.append(validate(LessonGiven, self.lesson_input()))
            school_records.log_lesson(self.store, lessons[0], self.actor.name)

        if not save(log_lesson, self.result):
            return
        lesson = lessons[0]
        self.result.value = message("ok", f"Les vastgelegd voor {lesson.group}.")
        self.group.value = None
        self.draw()

    def lesson_input(self) -> dict:
        return {
            "school": self.school.value,
            "material_id": self.material.value,
            "group": self.group.value,
            "given_on": self.day.value,
            "given_by": self.actor.name,
        }

    def draw(self) -> None:
        year = school_year_of(self.today)
        school = (self.school.value or "").strip()
        filters = Filters.for_school_year(
            year, schools=(school,) if school else (), today=self.today
        )
        groups = lesson_coverage(self.store, filters)
        title = f"Lessen over online gedrag in {year}, per groep"
        show_figure(self.chart, charts.lesson_coverage(groups, title))
