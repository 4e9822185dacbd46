"""Who may see exact counts, the threshold, and pseudonyms for other pupils in a file.

What a shared view publishes (rounding, "< 5", the base of 10, share bands, medians in weeks,
whole complete months, secondary suppression) is decided in one place: disclosure.py. This
module holds what it builds on: the threshold (default 5, `PESTDATA_MIN_COUNT`) and whether
this server may show exact counts at all (only the care team's), from the role it serves
(`server_role`: none set is no role, the least permissive).
"""

from __future__ import annotations

import re

from pestdata.core import settings
from pestdata.core.choices import StaffRole


def threshold() -> int:
    """The configured minimum count for shared views."""
    return settings.integer("PESTDATA_MIN_COUNT", at_least=1)


ROLE_VARIABLE = "PESTDATA_ROLE"  # set by `pestdata serve` for Voilà and its kernels
NO_ROLE = ""  # no dashboard (serve.ROLES has none for it) and no exact counts


def server_role() -> str:
    """The role this process works for: PESTDATA_ROLE, which `pestdata serve` always sets
    (its --role; a token server without one is the care team's, on purpose; with accounts
    each page's kernel sets the signed-in person's role, ui.common.kernel_store).

    When nobody set one (a notebook opened outside `pestdata serve`, a script) the answer is
    no role, the least permissive: a forgotten setting must never show what only the care
    team may see."""
    return settings.get(ROLE_VARIABLE) or NO_ROLE


def exact_counts_allowed() -> bool:
    """May this page show counts below the threshold? Only for the care team's role; on the
    leadership and presenter servers, and with no role at all, the shared view is the only
    view, whatever a page's controls say."""
    return server_role() == StaffRole.CARE_TEAM


class Pseudonyms:
    """Other pupils in a file for one pupil: 'leerling A', 'leerling B'… in the order they
    first appear, the same letter for the same pupil everywhere in the file. Names of people
    found in free text (names.py) become 'persoon 1', 'persoon 2'… the same way."""

    def __init__(self, subject: str):
        self.subject, self.names = subject, {}
        self.persons: dict[str, str] = {}

    def add_person(self, name: str) -> None:
        if name.strip() and name not in self.persons:
            self.persons[name] = f"persoon {len(self.persons) + 1}"

    def scrub_text(self, text: str) -> str:
        """Free text: every person's name found in any text of the file replaced by their
        'persoon N' (whole words, the longest name first), and every other pupil's number."""
        if not self.persons or not text:
            return self.scrub(text)
        # One pass for both, so that no replacement is looked at again ('persoon 1' holds 1).
        people = sorted(self.persons, key=len, reverse=True)
        parts = [r"(?<!\w)(?P<name>" + "|".join(re.escape(n) for n in people) + r")(?!\w)"]
        if self.names:
            numbers = sorted(self.names, key=len, reverse=True)
            parts.insert(
                0,
                r"(?<![A-Za-z0-9])(?P<number>"
                + "|".join(re.escape(n) for n in numbers)
                + r")(?![A-Za-z0-9])",
            )
        return re.sub(
            "|".join(parts),
            lambda m: self.persons[m["name"]] if m["name"] else self.names[m["number"]],
            text,
        )

    def add(self, number: str) -> None:
        if number != self.subject and number not in self.names:
            self.names[number] = f"leerling {self._letters(len(self.names))}"

    @staticmethod
    def _letters(index: int) -> str:
        letters = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, 26)
            letters = chr(ord("A") + rest) + letters
        return letters

    def scrub(self, text: str) -> str:
        """Every other pupil's number in the text replaced by their pseudonym (whole words
        only: 12345 stays in 123456)."""
        if not self.names or not text:
            return text
        numbers = sorted(self.names, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![A-Za-z0-9])(" + "|".join(re.escape(n) for n in numbers) + r")(?![A-Za-z0-9])"
        )
        return pattern.sub(lambda m: self.names[m.group(1)], text)
