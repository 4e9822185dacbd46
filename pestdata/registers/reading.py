"""Reading a school's file: its size, CSV in any encoding and separator, or Excel, row by row.

What a Dutch school has: CSV with ';' or ',', in UTF-8 (with or without BOM) or Windows-1252
(what Dutch Excel writes), line by line so a file with mixed encodings still reads, and XLSX.
A file is never held whole: every pass opens it anew and reads one row at a time. A file over
the limit of its way in, and an .xlsx that unpacks to too much, are refused in Dutch before
anything is parsed.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from pestdata.core.errors import PestdataError
from pestdata.core.markup import number

# How large a file may be, by its way in; each refusal names its limit in Dutch (too_large).
# An upload lives whole in the server's and the kernel's memory and crosses the page's
# websocket as one message (server.py lets UPLOAD_MESSAGE_BYTES through, the browser refuses
# a larger file before sending it): 20 MB is some 150,000 rows of CSV (bench/large_files.py's
# register: 133 bytes a row). `pestdata import` reads a file from disk as a stream, row by
# row, so its limit is the size of the work, not of the memory: 200 MB is about 1.5 million
# rows.
MAX_UPLOAD_BYTES = 20_000_000
UPLOAD_MESSAGE_BYTES = MAX_UPLOAD_BYTES + 4_000_000  # the file and its message's envelope
MAX_FILE_BYTES = 200_000_000
# An .xlsx is a zip: what it unpacks to is checked before it is parsed (check_workbook).
# 200 MB of XML is an Excel register of some 300,000 rows (openpyxl: 640 bytes a row of 11
# cells). A sheet unpacks 12 times its packed size, 16 for identical rows (each row still
# has its own number); over 100 is a zip bomb (5 MB that unpack to 1 GB: 200).
MAX_UNPACKED_BYTES = 200_000_000
MAX_RATIO = 100
RATIO_FROM_BYTES = 1_000_000  # small parts (styles, a tiny sheet) may pack better than that


class ImportFileError(PestdataError):
    """The file as a whole cannot be read (not a row problem)."""


def megabytes(size: int) -> str:
    """'20 MB', '3,5 MB': a size as the Dutch message says it (1 MB = 1,000,000 bytes),
    rounded up, so that a file just over a limit never reads as the limit itself."""
    text = number(math.ceil(size / 100_000) / 10, 1).removesuffix(",0")
    return f"{text} MB"


def too_large(path: Path | str, size: int, upload: bool) -> str:
    """The Dutch refusal of a file over the limit of its way in (the same words in the
    browser, the kernel and the command line)."""
    return _too_large(str(path), megabytes(size), upload)


def _too_large(name: str, size: str, upload: bool) -> str:
    if upload:
        return (
            f"{name}: dit bestand is {size}; een upload mag hoogstens "
            f"{megabytes(MAX_UPLOAD_BYTES)} zijn. Splits het bestand (bijvoorbeeld per "
            "schooljaar) of laat de beheerder het importeren met 'pestdata import'."
        )
    return (
        f"{name}: dit bestand is {size}; een import mag hoogstens "
        f"{megabytes(MAX_FILE_BYTES)} zijn. Splits het bestand, bijvoorbeeld per schooljaar."
    )


UPLOAD_REFUSAL = _too_large("{naam}", "{grootte}", upload=True)  # the browser fills it in


@dataclass
class Source:
    """A file to import: on disk (`pestdata import`), or an upload's bytes in memory (`raw`),
    `path` then only its name. Its size is checked against the limit of its way in before
    anything else; every pass over it opens it anew, so a large file is read, never held."""

    path: Path
    raw: bytes | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if self.raw is None:
            if not self.path.exists():
                raise ImportFileError(f"{self.path}: bestand niet gevonden")
            size, limit = self.path.stat().st_size, MAX_FILE_BYTES
        else:
            size, limit = len(self.raw), MAX_UPLOAD_BYTES
        if size > limit:
            raise ImportFileError(too_large(self.path, size, upload=self.raw is not None))

    def open(self) -> BinaryIO:
        return io.BytesIO(self.raw) if self.raw is not None else self.path.open("rb")

    @property
    def is_excel(self) -> bool:
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            return True
        with self.open() as stream:
            return stream.read(2) == b"PK"


class Table:
    """A file's rows as text under the header's column names, numbered as a spreadsheet
    shows them (the header is row 1), read one at a time: `rows()` reads the file anew on
    every call, so that a file of a million rows is never held in memory."""

    def __init__(self, source: Source):
        self.source, self.path = source, source.path
        self.excel = source.is_excel
        if self.excel:
            check_workbook(source)
        rows = self._read()
        try:
            self.columns: list[str] = next(rows)
        finally:
            rows.close()

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, str]]:
        """(row number, the row's cells by column, '') for each row after the header; a row
        that does not fit the header comes as (row number, None, the Dutch reason)."""
        rows = self._read()
        try:
            next(rows)  # the header
            yield from rows
        finally:
            rows.close()

    def _read(self) -> Iterator:
        return self._read_excel() if self.excel else self._read_csv()

    def _read_csv(self) -> Iterator:
        """Rows of the header's width; a row with more or fewer cells is set aside with its
        number (extra cells that are empty are no problem: Excel writes trailing ';')."""
        csv.field_size_limit(MAX_FILE_BYTES)
        with self.source.open() as stream:
            lines = decoded_lines(stream)
            header_line = next((ln for ln in lines if ln.strip("\r\n")), "")
            if not header_line.strip():
                if any(ln.strip() for ln in lines):
                    raise ImportFileError(f"{self.path}: de eerste regel (de kop) is leeg")
                raise ImportFileError(f"{self.path}: het bestand is leeg")
            reader = csv.reader(
                itertools.chain([header_line], lines), delimiter=guess_delimiter(header_line)
            )
            try:
                header = next(reader)
                names, width = _column_names(header), len(header)
                yield names
                for number, cells in enumerate(reader, start=2):
                    if len(cells) > width and not any(c.strip() for c in cells[width:]):
                        cells = cells[:width]
                    if not cells:
                        cells = [""] * width
                    if len(cells) == width:
                        yield number, dict(zip(names, cells, strict=True)), ""
                        continue
                    more = "meer" if len(cells) > width else "minder"
                    yield (
                        number,
                        None,
                        f"deze rij heeft {len(cells)} cellen, {more} dan de {width} kolommen "
                        f"van de kop; controleer of een ';' of ',' in een cel tussen "
                        f"aanhalingstekens staat",
                    )
            except csv.Error as exc:
                raise ImportFileError(f"{self.path}: niet te lezen als CSV ({exc})") from None

    def _read_excel(self) -> Iterator:
        """The first sheet, streamed (openpyxl's read-only mode); the first row with text is
        the header. A cell right of the header is read under 'kolom N' (an ignored column)."""
        import openpyxl

        with self.source.open() as stream:
            try:
                book = openpyxl.load_workbook(
                    stream, read_only=True, data_only=True, keep_links=False
                )
            except Exception as exc:  # openpyxl raises many kinds for a broken workbook
                raise ImportFileError(f"{self.path}: geen leesbaar Excel-bestand ({exc})") from None
            try:
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # a wrong <dimension> must not cut rows off
                header: list[str] | None = None
                for number, values in enumerate(_excel_values(self.path, sheet), start=1):
                    cells = [_cell_text(v) for v in values]
                    if header is None:
                        if any(c.strip() for c in cells):
                            header = _column_names(cells)
                            yield header
                        continue
                    cells += [""] * (len(header) - len(cells))
                    names = header + [f"kolom {i + 1}" for i in range(len(header), len(cells))]
                    yield number, dict(zip(names, cells, strict=True)), ""
                if header is None:
                    raise ImportFileError(f"{self.path}: het bestand is leeg")
            finally:
                book.close()


def _excel_values(path: Path, sheet) -> Iterator[tuple]:
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # a broken sheet shows itself while it is read
        raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None


def _column_names(header: list[str]) -> list[str]:
    """The header's names, stripped; an empty one is 'kolom N', a second 'Groep' is
    'Groep (2)' (so every column keeps its own cells; the second is ignored)."""
    names: list[str] = []
    for i, cell in enumerate(header):
        name = str(cell).strip() or f"kolom {i + 1}"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


def check_workbook(source: Source) -> None:
    """An .xlsx is a zip: before openpyxl reads it, the sizes its parts claim (zipfile never
    unpacks more than a part claims) are added up and refused above MAX_UNPACKED_BYTES, and
    a large part that unpacks to over MAX_RATIO times its packed size is refused outright.
    A 5 MB zip bomb that unpacks to 1 GB is stopped here, in milliseconds."""
    path = source.path
    with source.open() as stream:
        try:
            parts = zipfile.ZipFile(stream).infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFileError(f"{path}: geen leesbaar Excel-bestand ({exc})") from None
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise ImportFileError(
                f"{path}: dit Excel-bestand pakt uit tot meer dan {MAX_RATIO} keer zijn eigen "
                f"grootte ({part.filename}: {megabytes(part.file_size)}); zo'n bestand wordt niet "
                "gelezen. Sla het opnieuw op in Excel, of als CSV."
            )
    if total > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{path}: uitgepakt is dit Excel-bestand {megabytes(total)}; de grens is "
            f"{megabytes(MAX_UNPACKED_BYTES)}. Splits het bestand (bijvoorbeeld per schooljaar) "
            "of sla het op als CSV."
        )


def decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a byte stream as text, line ends kept ('\\r\\n', '\\n' or '\\r'), each
    line UTF-8 where it decodes, else Windows-1252 (a file with mixed encodings still
    reads); a BOM dropped. One line at a time: a large file is never held."""
    first = True
    for chunk in stream:  # split at '\n'; a line of an old Mac file ends in '\r' alone
        if first:
            chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
        for line in chunk.splitlines(keepends=True) if b"\r" in chunk[:-2] else (chunk,):
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                yield line.decode("cp1252", errors="replace")


def decode(raw: bytes) -> str:
    """UTF-8 (BOM dropped) where it decodes, else Windows-1252 — line by line, for mixed files."""
    return "".join(decoded_lines(io.BytesIO(raw)))


def read_table(path: Path, raw: bytes | None = None) -> Table:
    """The file's table; its size checked first. With `raw` (an upload, kept in memory so
    it never lies on disk) `path` only names the file."""
    return Table(Source(path, raw))


def guess_delimiter(text: str) -> str:
    """';', ',' or tab: the one the header line uses most (a header holds no text with
    commas or apostrophes, unlike the rows, which fooled csv.Sniffer)."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    return max((";", ",", "\t"), key=header.count)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
