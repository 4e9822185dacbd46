"""What the terminal of `pestdata serve` shows: our own Dutch lines and the few that matter.

What the terminal of `pestdata serve` shows: our own Dutch lines, and the few lines of
Jupyter, Voilà and tornado that matter, said in Dutch (the server ready or stopping, a port
it cannot use, a kernel that died, a request that failed). Everything else they log (kernels
started, pools filled, websockets opened: a dozen English lines per page visit) goes to the
terminal only with `pestdata serve --verbose`, which shows their whole log unchanged.

The server (server.py) installs this with `speak_dutch` and starts its kernels as
`QuietKernel`; a page's kernel output that stays off the page carries its own terminal line
(`kernel_line`).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from pestdata.core.shipped import PACKAGE

OWN_CODE = os.path.join(PACKAGE, "")  # logged from in here: Dutch
VERBOSE = "details: pestdata serve --verbose"
TIME_FORMAT = "%H:%M:%S"
# What a page's widgets say to a comm the kernel already closed (every redraw, every page
# left): harmless, and nobody can act on it.
KERNEL_NOISE = ("No such comm",)


def kernel_line(msg_type: str, content: dict) -> str | None:
    """The terminal's line for kernel output kept off the page (handlers.KernelChannel): an
    error with its type and value, the last line written to stderr, or none for noise."""
    if msg_type == "stream":
        lines = [line for line in (content.get("text") or "").splitlines() if line.strip()]
        if not lines or all(line.startswith(KERNEL_NOISE) for line in lines):
            return None
        return (
            f"Let op: een dashboard schreef een melding (niet naar de browser): {lines[-1]} "
            f"({VERBOSE})"
        )
    what = ": ".join(filter(None, [content.get("ename", ""), content.get("evalue", "")]))
    return f"Fout op een dashboard (niet naar de browser): {what or 'onbekende fout'} ({VERBOSE})"


def _exception(record: logging.LogRecord) -> str:
    """The exception of a record in one line: 'KeyError: x' (Voilà logs a notebook's failed
    cell as the exception itself, with the cell's error as `ename` and `evalue`)."""
    error = record.exc_info[1] if record.exc_info else None
    if error is None and isinstance(record.msg, BaseException):
        error = record.msg
    if error is None:
        return ""
    if getattr(error, "ename", None):
        return f"{error.ename}: {getattr(error, 'evalue', '')}".strip()
    text = str(error).strip().splitlines()
    return type(error).__name__ + (f": {text[-1]}" if text else "")


def _is_the_stop(record: logging.LogRecord) -> bool:
    """A record of the Ctrl+C itself: asyncio logs a task that the KeyboardInterrupt cut
    short ("Task exception was never retrieved") while the server stops, seconds after
    "Server stopt." already said so."""
    error = record.exc_info[1] if record.exc_info else record.msg
    return isinstance(error, KeyboardInterrupt)


def _first_line(record: logging.LogRecord) -> str:
    text = record.getMessage().strip()
    return text.splitlines()[0] if text else ""


STOPPED = "Server stopt."  # after Ctrl+C or SIGTERM, however the stop was asked for

# Lines of Jupyter, Voilà and tornado that matter, matched on their text: (pattern, Dutch line).
# A line is a format string given the match and the server's port; None drops the line (one
# event that another line of the table already tells).
TRANSLATED: list[tuple[re.Pattern, str | None]] = [
    (re.compile(r"^Voilà is running at"), "Server klaar op poort {port}."),
    (re.compile(r"^Handle signal \d+|^Stopping\.\.\."), STOPPED),
    (
        re.compile(r"could not be started because no available port"),
        "Fout: poort {port} is al in gebruik; de server start niet. Kies een andere poort "
        "met --port.",
    ),
    (
        re.compile(r"^Permission to listen on port (?P<port>\d+) denied"),
        "Fout: geen toestemming om op poort {m[port]} te luisteren; kies een poort boven 1024 "
        "met --port.",
    ),
    (
        re.compile(r"KernelRestarter: restarting kernel \((?P<n>\d+)/(?P<of>\d+)\)"),
        "Let op: een dashboardkernel stopte onverwacht en start opnieuw (poging {m[n]} van "
        "{m[of]}); wie die pagina open had, moet hem opnieuw laden.",
    ),
    (
        re.compile(r"KernelRestarter: restart failed"),
        "Fout: een dashboardkernel bleef stoppen en is opgegeven; wie die pagina open had, "
        "moet hem opnieuw laden. Gebeurt dit vaker: " + VERBOSE + ".",
    ),
    (
        re.compile(r"^An error occurred while executing the following cell"),
        "Fout: een dashboard liep vast bij het openen: {error} (" + VERBOSE + ")",
    ),
    (re.compile(r"^Kernel \S+ died, removing from map|^kernel \S+ restarted"), None),
    (
        re.compile(r"^Uncaught exception (?P<request>[A-Z]+ [^?\s]+)"),
        "Fout bij het verzoek {m[request]}: {error} (" + VERBOSE + ")",
    ),
    (re.compile(r'^\{\s*"(Host|Accept|Referer|User-Agent)"'), None),  # a 500's headers
    (
        re.compile(r"^(?P<status>5\d\d) (?P<method>[A-Z]+) (?P<path>[^?\s]+)"),
        "Fout: de server antwoordde {m[status]} op {m[method]} {m[path]}.",
    ),
]


def dutch_line(record: logging.LogRecord, port: int | None = None) -> str | None:
    """The terminal's line for a log record, or None: not for the terminal.

    1. A record that carries its own terminal line (`extra={"terminal": ...}`) gets that;
       a record of the Ctrl+C that stops the server gets none.
    2. Ours (logged from pestdata's code, in Dutch): warnings and errors; our info lines
       (a page opened, a kernel culled) only with --verbose.
    3. Jupyter's, Voilà's, tornado's: the lines in TRANSLATED; any other error in one line
       with a Dutch lead; the rest only with --verbose.
    """
    if hasattr(record, "terminal"):
        return record.terminal
    if _is_the_stop(record):
        return None
    error = _exception(record)
    if record.pathname.startswith(OWN_CODE):
        if record.levelno < logging.WARNING:
            return None
        lead = "Let op: " if record.levelno == logging.WARNING else "Fout: "
        return lead + record.getMessage() + (f" ({error}; {VERBOSE})" if error else "")
    text = record.getMessage()
    for pattern, line in TRANSLATED:
        match = pattern.search(text)
        if match:
            return line and line.format(m=match, port=port, error=error or "onbekende fout")
    if record.levelno >= logging.ERROR:
        return f"Fout in de server: {error or _first_line(record)} ({VERBOSE})"
    return None


class DutchLines(logging.Filter):
    """Lets through only the terminal's lines, each rewritten to its Dutch line."""

    def __init__(self, port: Callable[[], int]):
        super().__init__()
        self.port = port  # the server's, once known (a config file may still change it)

    def filter(self, record: logging.LogRecord) -> bool:
        line = dutch_line(record, self.port())
        if line is None:
            return False
        record.msg, record.args, record.exc_info, record.exc_text = line, (), None, None
        record.stack_info = None
        return True


def speak_dutch(app_log: logging.Logger, port: Callable[[], int]) -> logging.Handler:
    """One handler for the app's log and for every other logger (through the root): the
    time and the Dutch line, on stderr. Returns it (server.py adds its secrets filter)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)  # below that nothing is for the terminal
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", TIME_FORMAT))
    handler.addFilter(DutchLines(port))
    root = logging.getLogger()
    for logger in (app_log, root):
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
    root.setLevel(logging.INFO)  # tornado's and ours reach the filter, which decides
    logging.captureWarnings(True)  # a library's DeprecationWarning: a record, not a print
    return handler


class QuietKernel(ServerKernelManager):
    """A kernel whose own stdout and stderr go nowhere. Its output reaches the page (or the
    log, handlers.KernelChannel) over its channels; what it prints outside them is English and
    not for the terminal: ipykernel's warnings at start, the traceback of a start cut short
    when the server stops. A kernel that dies is still told (TRANSLATED)."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        await super()._async_launch_kernel(kernel_cmd, **kw)


QUIET_KERNELS = f"{QuietKernel.__module__}.{QuietKernel.__name__}"
