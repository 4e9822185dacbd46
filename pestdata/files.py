"""Files pestdata makes are private: readable by the account that runs it and nobody else.

Pupil numbers, descriptions and case files are the most sensitive data a school keeps; on a
shared machine the default umask (022) would make every new file readable by every local
user. The CLI (and so `serve`, its Voilà and every kernel) runs with umask 077; the helpers
here make the same true when pestdata is used as a library.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """From now on this process (and what it starts) creates files only its owner can read."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Make the folder if it is missing, as 0700; a folder pestdata made is closed again."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=DIR_MODE)
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def make_private(*paths: Path) -> None:
    """0600 for each of these files that exists and is ours (a database, its -wal/-shm)."""
    for path in map(Path, paths):
        try:
            if path.is_file() and path.stat().st_uid == os.getuid():
                path.chmod(FILE_MODE)
        except OSError:
            pass  # not ours to change; the umask still holds for new files


def create_private(path: Path) -> Path:
    """An empty file (or the existing one) as 0600, before anything is written into it."""
    path = Path(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    make_private(path)
    return path


def write_private(path: Path, data: bytes | str) -> None:
    """Write a whole file (a PDF, an HTML file) that only its owner can read."""
    create_private(path)
    if isinstance(data, str):
        Path(path).write_text(data, encoding="utf-8")
    else:
        Path(path).write_bytes(data)
