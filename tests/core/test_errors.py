"""One kind of error for people: every exception class pestdata defines is a PestdataError
(found by importing every module and walking the subclasses, so a new one cannot be
forgotten), and each says what went wrong in Dutch."""

from __future__ import annotations

import pytest
from helpers import our_exceptions

from pestdata.core.errors import PestdataError, ValueRefused


def test_every_error_class_in_pestdata_is_a_pestdata_error():
    found = our_exceptions()
    names = {c.__name__ for c in found}
    # The kinds the issue named are among those found: the walk does reach them.
    assert {"StoreUnavailable", "ExportFileError", "ImportFileError", "AccountError",
            "MaintenanceError", "FileRefused", "InvalidInput", "NotFound",
            "PortTaken"} <= names  # fmt: skip
    assert [c for c in found if not issubclass(c, PestdataError)] == []


def test_the_walk_would_see_a_new_error_that_forgot_the_base_class():
    """The check itself: an exception class defined in a pestdata module is found (and
    forgotten again, so the other test does not see it)."""
    import gc

    namespace = {"__name__": "pestdata.core.vergeten"}
    exec("class Vergeten(ValueError):\n    pass\n", namespace)  # noqa: S102
    forgotten = namespace.pop("Vergeten")
    assert forgotten in our_exceptions() and not issubclass(forgotten, PestdataError)
    del forgotten, namespace
    gc.collect()
    assert "Vergeten" not in {c.__name__ for c in our_exceptions()}


def test_a_pestdata_error_is_its_dutch_line_with_the_detail_apart():
    from pestdata.db.store import NotFound, StoreUnavailable

    assert str(StoreUnavailable()) == StoreUnavailable.MESSAGE
    locked = StoreUnavailable(detail="sqlite:///x.sqlite: database is locked")
    assert str(locked) == "De database is niet bereikbaar; probeer het zo opnieuw."
    assert locked.line().endswith("(sqlite:///x.sqlite: database is locked)")
    assert str(NotFound(12)) == "melding #12 bestaat niet" and NotFound(12).key == 12
    # A refused value is still a ValueError, as pydantic validators and callers expect.
    with pytest.raises(ValueError, match="geen schooljaar"):
        from pestdata.core.clock import SchoolYear

        SchoolYear.parse("2025-2027")
    assert issubclass(ValueRefused, PestdataError)
