"""The PDF toolkit every printed document shares: fonts, styles, tables, charts, footer.

Built with reportlab (pure Python, charts drawn as vectors, so nothing needs a browser or
the network).

Text from users goes through `printable`/`para`: reportlab's Paragraph reads a small HTML-like
markup, so '<', '>' and '&' are escaped, and characters the font lacks are replaced by a
readable fallback instead of an empty box.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from pestdata.core.markup import number

MARGIN = 2 * cm
WIDTH = A4[0] - 2 * MARGIN  # the width of the text block
ACCENT = colors.HexColor("#1f5f8b")
LIGHT = colors.HexColor("#e8f0f6")
GRID = colors.HexColor("#b8c6d1")
FALLBACK = {"→": "->", "✓": "v", "○": "o", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"'}


# --- fonts and text ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str, frozenset[int]]:
    """(regular, bold, code points the font has), registered with reportlab once.

    DejaVu Sans when the system has it (wide coverage: arrows, check marks, most scripts),
    else Bitstream Vera, which ships inside reportlab so a report never depends on the system.
    """
    import reportlab

    shipped = Path(reportlab.__file__).parent / "fonts"
    candidates = [
        (Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf")
        for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
    ] + [(shipped / "Vera.ttf", shipped / "VeraBd.ttf")]
    for regular, bold in candidates:
        if regular.exists() and bold.exists():
            font = TTFont("PestdataSans", str(regular))
            pdfmetrics.registerFont(font)
            pdfmetrics.registerFont(TTFont("PestdataSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "PestdataSans",
                normal="PestdataSans",
                bold="PestdataSans-Bold",
                italic="PestdataSans",
                boldItalic="PestdataSans-Bold",
            )
            return "PestdataSans", "PestdataSans-Bold", frozenset(font.face.charWidths)
    return "Helvetica", "Helvetica-Bold", frozenset(range(32, 127))  # pragma: no cover


def printable(value: object) -> str:
    """Plain text the font can show: a missing character becomes its base letter or '?'."""
    text = "" if value is None else str(value)
    known = fonts()[2]
    out = []
    for ch in text:
        if ch in "\n\t" or ord(ch) in known:
            out.append(ch)
        elif ch in FALLBACK:
            out.append(FALLBACK[ch])
        else:
            base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


def markup(value: object) -> str:
    """Text for a Paragraph: escaped (Paragraph parses '<b>', '&amp;'), line breaks kept."""
    return escape(printable(value)).replace("\n", "<br/>")


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    regular, bold, _ = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "hint": ParagraphStyle(
            "hint", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#555555")
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=bold, fontSize=8.5),
        "title": ParagraphStyle(
            "title", parent=body, fontName=bold, fontSize=18, leading=22, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=5,
            textColor=ACCENT,
        ),
        "note": ParagraphStyle(
            "note",
            parent=body,
            borderColor=colors.HexColor("#c0392b"),
            borderWidth=0.8,
            borderPadding=5,
            backColor=colors.HexColor("#fdf2f0"),
            spaceBefore=6,
            spaceAfter=8,
        ),
    }


def para(value: object, style: str = "body") -> Paragraph:
    return Paragraph(markup(value), styles()[style])


def heading(text: str) -> Paragraph:
    return para(text, "h2")


# --- tables and sections -------------------------------------------------------------------


def table(rows: list[list], widths: list[float], header: bool = True, zebra: bool = True) -> Table:
    """A table of Paragraph cells (strings are escaped and wrapped); the header row is bold."""
    cells = [
        [
            cell
            if isinstance(cell, Flowable)
            else para(cell, "cell_bold" if header and r == 0 else "cell")
            for cell in row
        ]
        for r, row in enumerate(rows)
    ]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ]
    if zebra:
        style += [
            ("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f9fb"))
            for r in range(2 if header else 1, len(rows), 2)
        ]
    return Table(
        cells,
        colWidths=widths,
        repeatRows=1 if header else 0,
        style=TableStyle(style),
        hAlign="LEFT",
    )


def label_table(details: list[tuple[str, str]]) -> Table:
    """Label and value side by side, the label bold (a case's details)."""
    return table(
        [[para(label, "cell_bold"), value] for label, value in details],
        [4.2 * cm, WIDTH - 4.2 * cm],
        header=False,
        zebra=False,
    )


def kept_with_heading(title: str, kept: list, rest: Iterable = ()) -> list:
    """A section whose heading never stands alone at the foot of a page: the heading and
    the flowables `kept` (its introduction and first chart or table) move to the next page
    together (KeepTogether); `rest` follows as it fits."""
    return [KeepTogether([heading(title), *kept]), *rest]


# --- bar charts ------------------------------------------------------------------------------


def _bar_style(chart, font: str) -> None:
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = number
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e3e3")
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5


def integer_step(values: Iterable[float]) -> int:
    """A value-axis step of whole reports (1, 2, 5, 10, 20, …) giving at most ~6 ticks."""
    top = max(values, default=0) or 1
    step = 1
    while top / step > 6:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if top / step <= 6:
                break
    return step


def column_chart(values: list[float | None], names: list[str]) -> Drawing:
    """Vertical bars the width of the page, one per name (None: no bar), as months."""
    drawing = Drawing(WIDTH, 5.2 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 18, WIDTH - 40, 5.2 * cm - 28
    chart.data = [values]
    chart.categoryAxis.categoryNames = names
    _bar_style(chart, fonts()[0])
    chart.valueAxis.valueStep = integer_step(n for n in values if n is not None)
    drawing.add(chart)
    return drawing


def _label_width(labels: Iterable[str], size: float = 7.5) -> float:
    """The width the longest label takes in the chart's font, plus a little room."""
    font = fonts()[0]
    return max((pdfmetrics.stringWidth(printable(s), font, size) for s in labels), default=0) + 8


def bar_chart(bars: list[tuple[str, float]]) -> Drawing:
    """Horizontal bars in the order given (top to bottom), 0 without a bar. The labels get
    the room the longest one needs (a form's name is long), at most half."""
    room = min(_label_width(label for label, _ in bars), WIDTH / 2)
    height = 0.55 * cm * len(bars) + 30
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = room, 18, WIDTH - room - 20, height - 26
    chart.data = [[n for _, n in reversed(bars)]]
    chart.categoryAxis.categoryNames = [printable(label) for label, _ in reversed(bars)]
    _bar_style(chart, fonts()[0])
    chart.valueAxis.valueStep = integer_step(n for _, n in bars)
    drawing.add(chart)
    return drawing


# --- the page --------------------------------------------------------------------------------


def build(story: list, title: str, footer: str) -> bytes:
    """Lay the story out on A4 with the footer and page number on every page."""
    regular, _, _ = fonts()
    footer = printable(footer)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.setStrokeColor(GRID)
        canvas.line(MARGIN, 1.45 * cm, A4[0] - MARGIN, 1.45 * cm)
        canvas.drawString(MARGIN, 1.05 * cm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 1.05 * cm, f"Pagina {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.8 * cm,
        bottomMargin=2.2 * cm,
        title=printable(title),
        author="pestdata",
        lang="nl",
        invariant=True,  # the same data gives the same bytes (no timestamp or random id)
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
