"""Person names in free text, found with deduce's Dutch name lists.

Person names in free text, found by deduce (Dutch first names, surnames, prefixes such as
'dhr.', interfixes such as 'de' and 'van', and the patterns between them).

Only deduce's name annotators are built, over its name and whitelist lists (the street,
place and institution lists stay empty): 0.1 s to load from the cache, ~1 s to build it,
about 35 MB, against 65 s and 1.1 GB for the whole of deduce, with the same names found.
The cache lives in a folder of our own (0700), never in site-packages.

Who loads it:
- `pestdata init`, `import`, `export` and `inzage` load it in their own process
  (`load_here`, with a Dutch progress line);
- the server starts one detector process (`start_service`, `python -m pestdata.core.names`) that
  listens on a Unix socket in a 0700 folder; page kernels never load deduce, they ask that
  process (`PESTDATA_NAMES_SOCKET`). While it loads it answers "not ready yet", and the asker
  gets None: a save goes ahead, an inzage file waits (`NamesUnchecked`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path

from pestdata.core import files, settings
from pestdata.core.errors import PestdataError
from pestdata.core.markup import number

SOCKET_ENV = "PESTDATA_NAMES_SOCKET"  # set by the server for its kernels
CACHE_ENV = "PESTDATA_NAMES_CACHE"  # the folder for the built lists (tests, services)
ASK_TIMEOUT = 10.0  # seconds a kernel waits for an answer before it goes on unchecked
BATCH = 500  # texts per question over the socket
MAX_MESSAGE = 32 * 1024 * 1024  # one question to the detector process, at most
_NAME_LISTS = ("names", "whitelist")  # the rest of deduce's lists stays empty
PERSON_TAG = "persoon"


class NamesUnchecked(PestdataError):
    """The name check cannot answer now (the server's detector still loading, or gone)."""

    MESSAGE = (
        "De namencontrole is nog niet klaar (die start met de server); probeer het over een "
        "minuut opnieuw."
    )


def warning(found: Sequence[str]) -> str:
    """The Dutch warning for names found in a text."""
    quoted = [f"'{name}'" for name in found]
    if len(quoted) == 1:
        return f"Er lijkt een naam in te staan: {quoted[0]}. Gebruik het leerlingnummer."
    listed = ", ".join(quoted[:-1]) + f" en {quoted[-1]}"
    return f"Er lijken namen in te staan: {listed}. Gebruik het leerlingnummer."


@cache
def _deduce():
    """deduce, imported once, without what its import does to logging: it calls
    `logging.basicConfig(stream=sys.stdout, level=DEBUG)`, after which every library's log
    lines went to stdout (a school's first `pestdata init` printed deduce's English "Please
    wait 1-2 minutes..."). The root logger gets its own handlers and level back; our Dutch
    progress line says what deduce's said."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import deduce

    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    return deduce


def cache_folder() -> Path:
    """Where the built lists are kept: PESTDATA_NAMES_CACHE, else the user's cache folder."""
    deduce = _deduce()

    given = settings.get(CACHE_ENV)
    if given:
        return Path(given)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pestdata" / f"namen-deduce-{deduce.__version__}"


def _trusted(folder: Path) -> Path:
    """The folder, made 0700 when missing; one that others could write is refused (deduce
    reads its cache with pickle, and a pickle runs code)."""
    files.private_dir(folder)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise NamesUnchecked(
            f"De map {folder} is niet alleen van jou; de namencontrole gebruikt hem niet."
        )
    return folder


def _lookup_lists(folder: Path) -> Path:
    """deduce's lookup folder with only the name and whitelist lists filled in."""
    deduce = _deduce()

    target = folder / "lookup"
    if (target / "klaar").exists():
        return target
    source = Path(deduce.__file__).parent / "data" / "lookup" / "src"
    building = Path(tempfile.mkdtemp(prefix="lookup-", dir=folder))
    shutil.copytree(source, building / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for group in (building / "src").iterdir():
        if group.is_dir() and group.name not in _NAME_LISTS:
            for lst in group.glob("lst_*"):
                shutil.rmtree(lst)
                lst.mkdir()
                (lst / "items.txt").write_text("", encoding="utf-8")
    (building / "klaar").write_text("", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def _config() -> dict:
    deduce = _deduce()

    base = json.loads(
        (Path(deduce.__file__).parent / "base_config.json").read_text(encoding="utf-8")
    )
    base["annotators"] = {
        name: annotator
        for name, annotator in base["annotators"].items()
        if annotator.get("group") == "names"
    }
    return base


class Detector:
    """deduce with only its name processors; `names(text)` is the names, in order."""

    def __init__(self, folder: Path | None = None, progress: Callable[[str], None] | None = None):
        deduce = _deduce()

        say = progress or (lambda line: None)
        folder = _trusted(folder or cache_folder())
        started = time.perf_counter()
        with open(folder / "slot", "a") as lock:  # one builder at a time (server and CLI)
            fcntl.flock(lock, fcntl.LOCK_EX)
            built = (folder / "cache" / "lookup_structs.pickle").exists()
            say(
                "Namencontrole laden…"
                if built
                else "Namencontrole: de namenlijsten worden eenmalig opgebouwd…"
            )
            self._deduce = deduce.Deduce(
                load_base_config=False,
                config=_config(),
                lookup_data_path=_lookup_lists(folder),
                cache_path=folder,
            )
        self._lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started
        seconds = number(self.load_seconds, 1)
        say(f"Namencontrole klaar ({seconds} s).")

    def names(self, text: str) -> list[str]:
        if not text or not text.strip():
            return []
        with self._lock:
            annotations = self._deduce.deidentify(text).annotations
        found: list[str] = []
        for a in sorted(annotations, key=lambda a: a.start_char):
            if a.tag == PERSON_TAG and a.text not in found:
                found.append(a.text)
        return found


_here: Detector | None = None


def load_here(progress: Callable[[str], None] | None = None) -> Detector:
    """Load the detector in this process (commands, tests); never in a page's kernel."""
    global _here
    if _here is None:
        _here = Detector(progress=progress)
    return _here


def find_all(texts: Iterable[str]) -> list[list[str]] | None:
    """The names in each text, or None when they cannot be checked now: the detector loaded
    here, else the server's detector process, else (no server, nothing loaded) None."""
    texts = [t or "" for t in texts]
    if _here is not None:
        return [_here.names(t) for t in texts]
    path = settings.get(SOCKET_ENV)
    if not path:
        return None
    found: list[list[str]] = []
    for start in range(0, len(texts), BATCH):
        answer = _ask(path, texts[start : start + BATCH])
        if answer is None:
            return None
        found += answer
    return found


def find(text: str) -> list[str] | None:
    """The names in one text; None when they cannot be checked now."""
    found = find_all([text])
    return None if found is None else found[0]


def _ask(path: str, texts: list[str]) -> list[list[str]] | None:
    question = json.dumps({"texts": texts}).encode("utf-8") + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(ASK_TIMEOUT)
            conn.connect(path)
            conn.sendall(question)
            with conn.makefile("rb") as stream:
                answer = json.loads(stream.readline(MAX_MESSAGE) or b"{}")
    except (OSError, ValueError):
        return None
    names = answer.get("names")
    if not answer.get("ready") or not isinstance(names, list) or len(names) != len(texts):
        return None
    return [[str(n) for n in row] for row in names]


# --- the server's detector process ----------------------------------------------------------


class _Answer(socketserver.StreamRequestHandler):
    def handle(self):
        detector = self.server.detector  # type: ignore[attr-defined]
        try:
            question = json.loads(self.rfile.readline(MAX_MESSAGE))
            texts = [str(t) for t in question["texts"]]
        except (ValueError, KeyError, TypeError):
            return
        if detector is None:
            answer = {"ready": False}
        else:
            answer = {"ready": True, "names": [detector.names(t) for t in texts]}
        self.wfile.write(json.dumps(answer).encode("utf-8") + b"\n")


class _Service(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    detector: Detector | None = None


def serve(path: str) -> None:
    """Listen at once (answering "not ready yet"), load in the background, and stop when
    the server that started us goes away (our stdin closes)."""
    files.become_helper()
    try:
        service = _Service(path, _Answer)
    except FileNotFoundError:  # the server stopped (and took our folder) before we listened
        os._exit(0)

    def say(line: str) -> None:
        print(f"pestdata: {line}", file=sys.stderr, flush=True)

    def load() -> None:
        try:
            service.detector = Detector(progress=say)
        except Exception as error:  # noqa: BLE001 - said in the log; kernels get None
            say(f"Namencontrole niet beschikbaar: {error}")

    threading.Thread(target=load, daemon=True).start()
    threading.Thread(target=service.serve_forever, daemon=True).start()
    sys.stdin.buffer.read()  # EOF: the server is gone
    service.shutdown()
    os._exit(0)


def start_service() -> subprocess.Popen:
    """Start the detector process for this server; kernels started from now on find it
    through PESTDATA_NAMES_SOCKET. The socket is in a new 0700 folder."""
    path = files.private_socket("pestdata-namen-", "namen.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "pestdata.core.names", path], stdin=subprocess.PIPE, close_fds=True
    )
    os.environ[SOCKET_ENV] = path
    return process


if __name__ == "__main__":
    serve(sys.argv[1])
