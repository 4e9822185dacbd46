"""Dutch wording that holds on every screen: one style of address (je, never u)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pestdata"
TEXT_FILES = ("*.py", "*.yaml", "*.html", "*.j2", "*.js", "*.css")
FORMAL = re.compile(r"\b(u|uw|uzelf|U|Uw|Uzelf)\b")


def texts():
    for pattern in TEXT_FILES:
        for path in PACKAGE.rglob(pattern):
            if "plotly-cartesian" not in path.name:  # a vendored bundle, not our words
                yield path


def test_every_text_says_je_never_u():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in texts()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORMAL.search(line)
    ]
    assert len(list(texts())) > 50  # the scan saw the package
    assert found == []
