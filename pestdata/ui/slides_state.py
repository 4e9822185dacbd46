"""The parent-evening deck's state: which slide is on screen, which are hidden, what it shows.

Plain data without widgets, so a test asks it in-process; slides.py holds the widgets that send
the presenter's intents (next, previous, hide, another school) and show what it publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pestdata.core.markup import esc
from pestdata.documents.parent_evening import Slide

ONE_SLIDE_AT_LEAST = "Er moet minstens één dia te zien zijn."


@dataclass(frozen=True)
class Deck:
    """The slides of one school, the keys the presenter hid and the slide on screen (its
    place among the slides shown). Every intent returns a new deck."""

    slides: tuple[Slide, ...]
    hidden: frozenset[str] = field(default_factory=frozenset)
    index: int = 0
    note: str = ""  # html: why the presenter's last choice was refused

    @property
    def shown(self) -> list[Slide]:
        """The slides of this evening: every slide the presenter did not hide."""
        return [s for s in self.slides if s.key not in self.hidden]

    @property
    def current(self) -> Slide:
        return self.shown[self.index]

    @property
    def position(self) -> str:
        """The count under the slide: '3 / 9'."""
        return f"{self.index + 1} / {len(self.shown)}"

    @property
    def text_html(self) -> str:
        return f"<h1>{esc(self.current.title)}</h1>{self.current.body}"

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """Each slide's key, its label in the presenter's panel and whether it is shown."""
        return [
            (s.key, f"{number}. {s.title}", s.key not in self.hidden)
            for number, s in enumerate(self.slides, start=1)
        ]

    def go(self, index: int) -> Deck:
        """To that slide among the slides shown; past either end it stays at the end."""
        return replace(self, index=max(0, min(len(self.shown) - 1, index)))

    def next(self) -> Deck:
        return self.go(self.index + 1)

    def previous(self) -> Deck:
        return self.go(self.index - 1)

    def first(self) -> Deck:
        return self.go(0)

    def last(self) -> Deck:
        return self.go(len(self.shown) - 1)

    def for_slides(self, slides: list[Slide]) -> Deck:
        """Another school's slides, from its title slide on (the hidden slides stay hidden)."""
        return replace(self, slides=tuple(slides), index=0)

    def hide(self, key: str, hidden: bool = True) -> Deck:
        """Hide a slide (or show it again); the deck stays on the slide it showed, or moves
        on to the next one shown (the one before at the end). The last slide shown cannot
        be hidden: the deck then says why and stays as it was."""
        if hidden and not [s for s in self.shown if s.key != key]:
            return replace(self, note=f"<p class='pd-note'>{esc(ONE_SLIDE_AT_LEAST)}</p>")
        current = self.current.key
        changed = replace(
            self, hidden=self.hidden | {key} if hidden else self.hidden - {key}, note=""
        )
        order = [s.key for s in self.slides]
        at = order.index(current)
        later = order[at:] + order[:at][::-1]
        keys = [s.key for s in changed.shown]
        return changed.go(keys.index(next(k for k in later if k in keys)))
