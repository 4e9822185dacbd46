"""Small pieces every dashboard part uses: the store of this kernel, dates, escaping, messages."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable, Iterable
from functools import lru_cache

import ipywidgets as w

from pestdata.core import names, privacy, settings
from pestdata.core.choices import StaffRole
from pestdata.core.errors import PestdataError
from pestdata.core.markup import esc, message
from pestdata.core.model import InvalidInput, label_for
from pestdata.db.store import Store
from pestdata.people.person import Person, still_valid, verify_person
from pestdata.ui.preheat import PREHEAT_KEY, wait_for_page

log = logging.getLogger(__name__)

LABEL_WIDTH = "170px"
STYLE = {"description_width": LABEL_WIDTH}
# A dict, not a Layout: each widget gets its own (a shared one dies with Widget.close_all).
WIDE = {"width": "560px"}


@lru_cache(maxsize=1)
def kernel_store() -> Store:
    """One store per kernel (each Voilà page is its own kernel), schema brought up to date.

    Every dashboard reads its data through this store, so it first waits for the page
    request: a preheated kernel runs the notebook before anyone connects, and data read
    then would be stale by the time someone opens the page. The signed-in person's role
    then decides what this page may show (privacy.exact_counts_allowed reads it).
    """
    wait_for_page()
    os.environ[privacy.ROLE_VARIABLE] = signed_in().role
    return Store().ensure_schema()


PERSON_VARIABLE = "HTTP_X_PESTDATA_PERSON"  # the server's signed X-Pestdata-Person header


def signed_in() -> Person:
    """Who opened this page, as the server vouched for it (server.py signs the person into
    the page request; a header a browser sends itself is replaced there, and its signature
    would not match here). Without a signed-in person (a token server, a script, a test)
    the server's role stands in: 'toegangscode (zorgteam)'; where none was set, no role
    (privacy.server_role, the least permissive)."""
    person = verify_person(os.environ.get(PERSON_VARIABLE, ""), settings.get(PREHEAT_KEY))
    if person:
        return person
    return Person.standing_in(privacy.server_role())


class Actor(w.HTML):
    """Who is working on this page, shown at the top. The audit takes `name` from here: a
    plain attribute in the kernel, not a widget value a browser could change."""

    def __init__(self, person: Person | None = None):
        self.person = person or signed_in()
        try:
            role = StaffRole(self.person.role).label
        except ValueError:
            role = self.person.role or "geen rol"
        super().__init__(
            f"<span class='pd-hint'>Aangemeld als <b>{esc(self.person.name)}</b> "
            f"({esc(role)}). Wat je opslaat, komt met deze naam in het logboek.</span>"
        )
        self.add_class("pd-actor")

    @property
    def name(self) -> str:
        return self.person.name


def error_lines(errors: dict[str, str]) -> str:
    """Dutch messages for refused input, one line per field."""
    return "".join(message("error", f"{label_for(k)}: {v}") for k, v in errors.items())


def one_look(kind: type[w.DOMWidget], **layout: str) -> dict[str, w.Widget]:
    """`layout=` and `style=` that a set of widgets of one kind shares. Each Layout and style
    is a model the browser receives at page load (~1 ms apiece, kernel and browser): a
    form's twenty check boxes need two, not forty. Only for widgets whose layout and style
    never change (a change to a shared one changes them all); made per page build, never at
    import (a warm-up's Widget.close_all closes them)."""
    return {"layout": w.Layout(**layout), "style": kind.class_traits()["style"].klass()}


def error_boxes(fields: Iterable[str]) -> dict[str, w.HTML]:
    """Per field, an empty line under it where its Dutch error appears (one look for all)."""
    look = one_look(w.HTML, margin=f"0 0 4px {LABEL_WIDTH}")
    return {
        field: css(w.HTML("", **look), "pd-field-error", f"pd-error-{field}") for field in fields
    }


def show_errors(boxes: dict[str, w.HTML], error: InvalidInput, fallback: w.HTML) -> None:
    """Put each message beside its field; anything without a box goes to the fallback line."""
    leftovers = []
    for field, text in error.errors.items():
        key = field.split(".")[0]
        box = boxes.get(key)
        line = f"{label_for(field)}: {text}"
        if box is None:
            leftovers.append(line)
        else:
            box.value = (box.value or "") + message("error", line)
    if leftovers:
        fallback.value += "".join(message("error", line) for line in leftovers)


SIGNED_OUT = (
    "Je bent afgemeld of je account is gewijzigd: er is niets opgeslagen. Log opnieuw in en "
    "open de pagina opnieuw."
)


def still_signed_in() -> bool:
    """The page's person still has the account they signed in with (not disabled, password
    not reset, not signed out everywhere). The server also closes such pages within
    seconds (pages.py); this check closes the seconds in between."""
    person = signed_in()
    return not person.has_account or still_valid(kernel_store(), person) is not None


def refusal(error: PestdataError) -> str:
    """The one way a widget shows what pestdata refused or could not do: its Dutch line;
    the technical detail (a database's own words) goes to the log, not to the page."""
    log.warning("geweigerd: %s", error.line())
    return message("error", str(error))


def save(
    action: Callable[[], object],
    error_box: w.HTML,
    handled: type[PestdataError] | tuple[type[PestdataError], ...] = (),
) -> bool:
    """Run one write of a widget; True when it was stored.

    Every save path of every page goes through here, so a refusal looks the same
    everywhere: bad input gives its Dutch messages, one per field, in `error_box`, any
    other refusal (a PestdataError: a database that cannot be used, a file, an account) its
    one Dutch line (`refusal`), and a page whose person is no longer signed in stores
    nothing. The user's input stays in the form. Errors of the kinds in `handled` are the
    caller's to answer (the import asks which school).
    """
    try:
        if not still_signed_in():
            error_box.value = message("error", SIGNED_OUT)
            return False
        action()
    except InvalidInput as error:
        error_box.value = error_lines(error.errors)
        return False
    except PestdataError as error:
        if isinstance(error, handled):
            raise
        error_box.value = refusal(error)
        return False
    return True


class NameCheck:
    """Free text is checked for person names before it is saved (names.py asks the server's
    detector; a kernel never loads deduce). The first click shows the Dutch warning and a
    'Toch opslaan' button; that second click saves exactly the text warned about, and the
    write's audit says it was saved with a possible name. While the server's detector is
    still loading, the text is saved unchecked (a save is never held up by it)."""

    def __init__(self, css_class: str, again: Callable[[], None]):
        self.confirm = css(
            w.Button(description="Toch opslaan", layout=w.Layout(display="none")), css_class
        )
        self._warned: str | None = None
        self._accepted: str | None = None

        def confirmed(_):
            self._accepted = self._warned
            again()

        self.confirm.on_click(confirmed)

    def ask(self, text: str, box: w.HTML) -> bool | None:
        """False: save (no names, or not checked now); True: save, the names were accepted
        with the second click; None: do not save, the warning is in `box`."""
        self.confirm.layout.display = "none"
        accepted, self._accepted = self._accepted, None
        found = names.find(text or "")
        if found is None:
            log.warning("namencontrole nog niet klaar: tekst opgeslagen zonder controle")
            return False
        if not found:
            return False
        if accepted is not None and accepted == text:
            return True
        self._warned = text
        box.value = message("hint", names.warning(found))
        self.confirm.layout.display = ""
        return None


def clear(boxes: dict[str, w.HTML]) -> None:
    for box in boxes.values():
        box.value = ""


def css(widget: w.Widget, *classes: str) -> w.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


def download_link(data: bytes, filename: str, mime: str, text: str) -> str:
    """A link that saves `data` as a file; nothing leaves the machine (a data: URL)."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="pd-download" download="{esc(filename)}" '
        f'href="data:{mime};base64,{encoded}">{esc(text)}</a>'
    )
