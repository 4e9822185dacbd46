"""Files pestdata makes are private: readable by the account that runs it and nobody else.

Pupil numbers, descriptions and case files are the most sensitive data a school keeps; on a
shared machine the default umask (022) would make every new file readable by every local
user. The CLI (and so `serve`, its Voilà and every kernel) runs with umask 077; the helpers
here make the same true when pestdata is used as a library.

Every file pestdata writes (an export, a backup, a PDF, the parent evening) is made new:
a temp file beside the target, created exclusively as 0600, written, synced to disk, then
renamed onto the target in one step (`private_output`, `write_private`). So it never
inherits the mode or owner of a file that was there (an old 0666 file gives way to a new
0600 one), no old data is left behind in it, a half-written file never takes the target's
place, and a symlink at the target is replaced itself, never written through. The database
is the one file that is not replaced (other processes have it open): `private_database`.

A key or token is read only from a file of this account that nobody else can read
(`read_secret`).
"""

from __future__ import annotations

import atexit
import errno
import os
import secrets
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pestdata.core.errors import PestdataError

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

REASONS = {
    errno.EACCES: "geen toestemming",
    errno.EPERM: "geen toestemming",
    errno.ENOENT: "de map bestaat niet",
    errno.ENOTDIR: "de map bestaat niet",
    errno.EISDIR: "dat is een map",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijf is vol",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.ELOOP: "dat is een symbolische koppeling",
}


class FileRefused(PestdataError):
    """A file pestdata cannot write, or will not trust with a secret; the message is Dutch
    and names the file."""


def private_umask() -> None:
    """From now on this process (and what it starts) creates files only its owner can read."""
    os.umask(PRIVATE_UMASK)


def become_helper() -> None:
    """A server's helper process (names detector, kernel forks): its files private, and deaf
    to Ctrl+C. A terminal's Ctrl+C reaches the server's whole process group; the helper ends
    when the server closes its stdin, not with an English traceback of its own."""
    private_umask()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def private_dir(path: Path) -> Path:
    """Make the folder if it is missing, as 0700; a folder pestdata made is closed again."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=DIR_MODE)
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_socket(prefix: str, name: str) -> str:
    """A path for a helper process's Unix socket, in a new 0700 folder that no other account
    can enter, removed when this process exits (the names and kernel-fork services)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(DIR_MODE)
    atexit.register(shutil.rmtree, folder, True)
    return str(folder / name)


def make_private(*paths: Path) -> None:
    """0600 for each of these files that exists and is ours (a database, its -wal/-shm)."""
    for path in map(Path, paths):
        try:
            if path.is_file() and path.stat().st_uid == os.geteuid():
                path.chmod(FILE_MODE)
        except OSError:
            pass  # not ours to change; the umask still holds for new files


def private_database(path: Path) -> Path:
    """The SQLite file, private: its folder made 0700 when missing, the file made new
    (exclusively, 0600) when missing, an existing one of ours (and its -wal/-shm) made 0600.
    Never replaced: other processes may have it open."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, _NEW, FILE_MODE))
    except FileExistsError:
        pass  # there already (or made by another process just now): made private below
    make_private(*(Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")))
    return path


@contextmanager
def private_output(path: Path) -> Iterator[Path]:
    """Write a file by name, made new: yields an empty 0600 temp file beside `path` (same
    folder, same suffix, so writers that go by the extension still know it) for the writer
    to fill; when the block ends without error the temp file is checked (still our own
    regular file), made 0600, synced and renamed onto `path` in one step. On an error it is
    removed and `path` is left as it was.

    Raises FileRefused (Dutch) when the folder cannot take a new file or the rename fails
    (`path` is a folder, say); errors of the writer itself pass unchanged."""
    path = Path(path)
    temp = _new_temp(path)
    try:
        yield temp
        _seal(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def write_private(path: Path, data: bytes | str) -> Path:
    """Write a whole file (a PDF, an HTML file) as a new file only its owner can read."""
    content = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with private_output(path) as temp:
        descriptor = os.open(temp, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
    return Path(path)


def read_secret(path: Path, what: str = "Het bestand") -> str:
    """The text in a key or token file (stripped), only when the file is a regular file of
    the account that runs pestdata and nobody else may read or change it (mode 0600 or
    stricter). Anything else raises FileRefused in Dutch, saying how to put it right."""
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise FileRefused(f"{what} {path} is niet te lezen: {_reason(error)}.") from None
    try:
        info = os.fstat(descriptor)  # of the file opened: a swap after a check cannot help
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{what} {path} is geen gewoon bestand.")
        if info.st_uid != os.geteuid():
            raise FileRefused(
                f"{what} {path} is van een ander account ({_account(info.st_uid)}), niet van "
                f"{_account(os.geteuid())} dat pestdata draait. Maak het van dit account en "
                f"alleen voor dit account leesbaar: chown {_account(os.geteuid())} {path} && "
                f"chmod 600 {path}"
            )
        if info.st_mode & 0o077:
            raise FileRefused(
                f"{what} {path} is ook voor anderen leesbaar of schrijfbaar (rechten "
                f"{stat.S_IMODE(info.st_mode):04o}); wie het leest, kan zich voordoen als "
                f"pestdata of de proxy. Maak het privé: chmod 600 {path}"
            )
        chunks = []
        while chunk := os.read(descriptor, 65536):
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    try:
        text = b"".join(chunks).decode("utf-8").strip()
    except UnicodeDecodeError:
        raise FileRefused(f"{what} {path} is geen tekst (UTF-8).") from None
    if not text:
        raise FileRefused(f"{what} {path} is leeg.")
    return text


def _new_temp(path: Path) -> Path:
    """An empty temp file beside `path`, created exclusively (never an existing file or a
    symlink someone put there) as 0600."""
    for _ in range(100):
        temp = path.parent / f".{secrets.token_hex(4)}-{path.name[-200:]}"
        try:
            os.close(os.open(temp, _NEW, FILE_MODE))
            return temp
        except FileExistsError:
            continue
        except OSError as error:
            raise FileRefused(f"{path} kan niet worden geschreven: {_reason(error)}.") from None
    raise FileRefused(f"{path} kan niet worden geschreven: geen vrije tijdelijke naam.")


def _seal(temp: Path, path: Path) -> None:
    """The writer's result, still our own regular file, as 0600 on disk; then in place."""
    try:
        descriptor = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise FileRefused(f"{path} kan niet worden geschreven: {_reason(error)}.") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise FileRefused(f"{path} kan niet worden geschreven: het tijdelijke bestand is "
                              "onderweg vervangen.")  # fmt: skip
        os.fchmod(descriptor, FILE_MODE)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.replace(temp, path)  # a symlink at `path` is replaced itself, not followed
    except OSError as error:
        raise FileRefused(f"{path} kan niet worden geschreven: {_reason(error)}.") from None


def _sync_folder(folder: Path) -> None:
    """The rename on disk too (best effort: not every file system lets a folder sync)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _reason(error: OSError) -> str:
    return REASONS.get(error.errno, error.strerror or str(error))


def _account(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)
