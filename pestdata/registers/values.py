"""Reading one cell as a school writes it: Dutch dates, lists, and platforms or forms in its
own words."""

from __future__ import annotations

import re
from datetime import date, timedelta

from pestdata.core import clock, recognise

MONTHS = {  # month names as registers write them, Dutch and a few English abbreviations
    **{name: n for n, name in enumerate(clock.MONTHS, start=1)},
    **{name: n for n, name in enumerate(clock.MONTH_NAMES, start=1)},
    **{"mar": 3, "maa": 3, "sept": 9, "oct": 10},
}
WEEKDAYS = r"(?:ma|di|wo|do|vr|za|zo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
EXCEL_EPOCH = date(1899, 12, 30)  # a date cell that lost its format shows days since then


def parse_date(text: str) -> date | str | None:
    """Dutch notations: 23-11-2025, 23/11/25, 23.11.2025, 2025-11-23, 23 nov 2025,
    ma 23 november 2025, 23-nov-25, with or without a time; a bare Excel day number
    (45984). Returns the text itself when it cannot be read (the model refuses it)."""
    text = re.sub(rf"^{WEEKDAYS}\.?,?\s+", "", text.strip().lower())
    text = re.sub(r"[ t]\d{1,2}[:.]\d{2}(?::\d{2})?$", "", text).strip()
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        y += 2000 if y < 100 else 0
    elif m := re.fullmatch(r"(\d{1,2})[ -]([a-z]+)\.?[ -](\d{2}|\d{4})", text):
        d, y, mo = int(m[1]), int(m[3]), MONTHS.get(m[2], 0)
        y += 2000 if y < 100 else 0
    elif re.fullmatch(r"[34]\d{4}", text):  # 30000–49999: the years 1982–2036
        return EXCEL_EPOCH + timedelta(days=int(text))
    else:
        return text
    try:
        return date(y, mo, d)
    except ValueError:
        return text


def split_list(text: str, more: str = "/+") -> list[str]:
    """'a | b' (our export: labels may hold commas), else 'a, b', 'a; b', 'a en b' and,
    unless `more` says otherwise, 'a/b' and 'a + b' (pupil numbers may hold a '/')."""
    pattern = r"\|" if "|" in text else rf"[,;{re.escape(more)}]|\sen\s|\s&\s"
    return [p.strip() for p in re.split(pattern, text) if p.strip()]


def read_choices(kind: str, text: str) -> tuple[list[str], list[str]]:
    """A cell of platforms or forms -> (our codes, parts not recognised).

    Parts first ('WhatsApp, Instagram', 'roddelen en uitsluiten'), so that a phrase holding
    one label does not swallow a second value; the whole cell when the parts are not all
    known ('Belachelijk maken, grappen uithalen' is one of our labels)."""
    parts = split_list(text)
    codes = [recognise.recognise(kind, p) for p in parts]
    if parts and all(codes):
        return list(dict.fromkeys(codes)), []
    whole = recognise.recognise(kind, text)
    if whole:
        return [whole], []
    return [c for c in codes if c], [p for p, c in zip(parts, codes, strict=True) if not c]
