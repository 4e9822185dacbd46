"""Files as schools (and attackers) make them: dates written the ways registers mix them,
and a zip bomb (a real workbook, small on disk and huge unpacked). Shared by
tests/registers/test_large_files.py and bench/large_files.py (bench/ puts tests/ on sys.path)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"
DAYS = "ma di wo do vr za zo".split()


def dutch_date(day: date, n: int) -> str:
    """23-11-2024, 'ma 23 november 2024' or '23-nov-24', as registers mix them."""
    month = MONTHS.split()[day.month - 1]
    return (
        day.strftime("%d-%m-%Y"),
        f"{DAYS[day.weekday()]} {day.day} {month} {day.year}",
        f"{day.day}-{month[:3]}-{day.year % 100:02d}",
    )[n % 3]


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="Meldingen" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def zip_bomb(path: Path, megabytes: float) -> Path:
    """A real workbook (Excel and openpyxl open it) whose one sheet is `megabytes` MB of
    the same row of inline text cells: a few MB on disk."""
    cells = "".join(
        f'<c t="inlineStr"><is><t>{text}</t></is></c>'
        for text in ("Datum melding", "Leerlingnummer", "Groep", "Platform", "Vorm")
    )
    row = f"<row>{cells}</row>".encode()
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    tail = b"</sheetData></worksheet>"
    block = row * (1_000_000 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            written = 0
            while written < megabytes * 1e6:
                sheet.write(block)
                written += len(block)
            sheet.write(tail)
    return path
