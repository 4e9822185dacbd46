"""The one base class of pestdata's errors: what it refuses or cannot do, said in Dutch.

Every error our code raises for a person to read is a PestdataError, and `str(error)` is one
Dutch line that says what went wrong and, where it can, what to do. The command line turns it
into its error line and exit status in one place (cli/main.py), the widgets in one place
(ui/common.py); neither lists the kinds. `detail` carries technical words (a database
driver's own message) for the log and the administrator, beside the Dutch line, never
instead of it. tests/core/test_errors.py finds every exception class in pestdata and checks that
it is one.
"""

from __future__ import annotations


class PestdataError(Exception):
    """Something pestdata refuses, or cannot do now; `str(error)` is the Dutch line."""

    MESSAGE = "Dat is niet gelukt."  # a kind with one fixed text sets its own

    def __init__(self, message: str | None = None, *, detail: str = ""):
        super().__init__(message or self.MESSAGE)
        self.detail = detail

    def line(self) -> str:
        """The Dutch line with the technical detail after it, for an administrator's
        terminal."""
        return f"{self} ({self.detail})" if self.detail else str(self)


class ValueRefused(PestdataError, ValueError):
    """A value pestdata cannot use (a malformed school year, a period a shared view may not
    show). Also a ValueError: a pydantic validator that raises it reports its field."""
