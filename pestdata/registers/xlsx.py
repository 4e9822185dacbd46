"""Writing a table as an .xlsx file: SpreadsheetML written directly, with date cells.

A zip of six small XML parts and the sheet: pandas' to_excel through openpyxl builds an object
per cell and took 1.6 s for 2,000 reports, this takes about 0.1 s (bench/export_speed.py).
Text is written as inline strings, numbers as numbers and dates as date cells (a day number
with the style dd-mm-jjjj), so a spreadsheet sorts and filters them as dates. Empty cells are
left out.
"""

from __future__ import annotations

import math
import numbers
import re
import zipfile
from datetime import date, datetime

import pandas as pd

SHEET = "Meldingen"
DAY_ZERO = date(1899, 12, 30)  # day 0 of a spreadsheet's day numbers (the 1900 system)
DATE_STYLE, HEADER_STYLE = 1, 2  # positions in cellXfs below
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        f'<sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
# Characters XML cannot hold, and text that reads as Excel's own escape (_x0041_): written
# as Excel's escape, so the cell reads back as it was.
_EXCEL_ESCAPE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _column_letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as an inline string's content: escaped for XML and for Excel (_xHHHH_)."""
    if _EXCEL_ESCAPE.search(text):
        text = _EXCEL_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("\r", "&#13;")
    return text


def _cells(number: int, letters: list[str], row) -> str:
    """One row's cells as XML. Empty cells (None, '', NaN, NA) are left out."""
    out = []
    for letter, value in zip(letters, row, strict=True):
        kind = type(value)
        if kind is str:
            if value:
                out.append(
                    f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_xml_text(value)}</t></is></c>"
                )
        elif value is None:
            continue
        elif kind is date:
            days = (value - DAY_ZERO).days
            out.append(f'<c r="{letter}{number}" s="{DATE_STYLE}"><v>{days}</v></c>')
        elif kind is int:
            out.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
        else:
            out.append(_other_cell(f"{letter}{number}", value))
    return "".join(out)


def _other_cell(ref: str, value) -> str:
    """A cell of another type: a date and time (its day), a number, a truth value."""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, datetime):
        value = value.date()  # no times in these exports: the day
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - DAY_ZERO).days}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Number):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">' \
        f"{_xml_text(str(value))}</t></is></c>"  # fmt: skip


def write_xlsx(frame: pd.DataFrame, target) -> None:
    """`frame` as one sheet: the header bold and frozen, columns as wide as their text."""
    letters = [_column_letters(i) for i in range(len(frame.columns))]
    header = "".join(
        f'<c r="{letter}1" s="{HEADER_STYLE}" t="inlineStr"><is><t>{_xml_text(str(name))}'
        "</t></is></c>"
        for letter, name in zip(letters, frame.columns, strict=True)
    )
    rows = [f'<row r="1">{header}</row>']
    values = zip(*(frame[column].tolist() for column in frame.columns), strict=True)
    for number, row in enumerate(values, start=2):
        rows.append(f'<row r="{number}">{_cells(number, letters, row)}</row>')
    last = f"{letters[-1]}{len(frame) + 1}" if letters else "A1"
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(_widths(frame), start=1)
    )
    sheet = (
        f'{_HEAD}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, part in XLSX_PARTS.items():
            book.writestr(name, _HEAD + part)
        book.writestr("xl/worksheets/sheet1.xml", sheet.encode("utf-8", "replace"))


def _widths(frame: pd.DataFrame, sample: int = 200) -> list[float]:
    """Column widths (characters) from the header and the first rows: dates 11, at most 50."""
    widths = []
    for column in frame.columns:
        longest = len(str(column))
        for value in frame[column].head(sample).tolist():
            size = 10 if isinstance(value, date) else len(str(value).split("\n")[0])
            longest = max(longest, size if value is not None else 0)
        widths.append(min(50, longest + 1.5))
    return widths
