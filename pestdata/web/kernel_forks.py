"""Page kernels forked from one process that has already imported what every kernel loads.

A kernel started as a new Python spends most of its start importing ipykernel, IPython,
ipywidgets, SQLAlchemy, pandas and our page modules, and keeps its own copy of each in
memory. The server starts one fork process (`start_service`) that imports them once;
jupyter_client starts each kernel through `ForkingProvisioner` (its provisioner API, entry
point "pestdata-fork"), which asks that process for a fork over a Unix socket in a 0700
folder. The fork runs ipykernel as `python -m ipykernel_launcher` would, with the kernel's
own environment, folder and arguments, and shares the imported modules' memory with its
siblings copy-on-write.

What stays as before: the connection file and its Unix sockets in Voilà's 0700 folder (the
private transport), the owner binding (server side), signals to the kernel's own process
group. When the fork process is not there (yet), a kernel starts the ordinary way.
The fork process ends when the server does (its stdin closes); a kernel ends when its fork
process does (ipykernel's parent poller, JPY_PARENT_PID).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import time
import traceback

from jupyter_client.provisioning import LocalProvisioner

from pestdata.core import files

# The four dashboards' page modules (each notebook imports one; tests/test_layers.py).
PAGES = (
    "pestdata.ui.meldingen",
    "pestdata.ui.overview.page",
    "pestdata.ui.handelingsadvies",
    "pestdata.ui.slides",
)
# What page kernels import, loaded once in the fork process: a kernel forked from it has these
# in memory it shares with its siblings, so a page starts without importing and its kernel's
# own memory is what the page itself makes (bench/kernels.py). Besides ipykernel, IPython and
# its debugger (debugpy), the page modules and what they import (ipywidgets, SQLAlchemy,
# pydantic, the guidance's yaml and rapidfuzz), this holds pandas, which the care team's
# import and export use: shared, it costs such a kernel ~40 MiB less and the others nothing.
# No page draws its figures with pandas (overview/reading.py): a kernel that runs pandas
# copies ~5 MiB of the pages it shares. A page module reads no setting when imported
# (tests/web/test_kernel_forks.py): a kernel's settings are its own environment's, read when
# the page is built.
SHARED = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.comm",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "sqlite3",
    "pandas",
    *PAGES,
    # What ipykernel's start imports, else in every kernel.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "faulthandler",
    "tornado.platform.asyncio",
)
# In the fork process and its kernels: the modules loaded before the first fork.
preloaded: frozenset[str] = frozenset()
# What a shared module does when imported inside a running kernel, and so did not do in the
# fork process: ipywidgets registers its comm targets ("jupyter.widget", and the control comm
# the page asks all widget states through). Without them every page fell back to asking each
# widget on its own, which now and then left a page at "model not found".
AFTER_IMPORT = ["--IPKernelApp.extra_extensions=ipywidgets"]
# Every page kernel, forked or (while the fork process loads) started: no IPython history. A
# page runs the notebook's one cell and nobody looks back at it; every kernel added its
# session to one database in the home folder, which nothing ever emptied.
NO_HISTORY = ["--HistoryManager.enabled=False"]
LAUNCHER = ["-m", "ipykernel_launcher"]  # the kernel command a fork can stand in for
LOADING_SECONDS = 20  # how long a kernel waits for a fork process still importing
_address: str | None = None  # the fork process's socket, once this server started it
_process: subprocess.Popen | None = None


def start_service() -> subprocess.Popen:
    """Start this server's fork process. It listens once its imports are done; a kernel
    asked for before then waits for it (it would spend that time importing anyway)."""
    global _address, _process
    _address = files.private_socket("pestdata-kernels-", "forks.sock")
    # Imported by its name (not run with -m), so a kernel finds `preloaded` in this module.
    serve_here = "import sys; from pestdata.web.kernel_forks import serve; serve(sys.argv[1])"
    _process = subprocess.Popen(
        [sys.executable, "-c", serve_here, _address],
        stdin=subprocess.PIPE,
        close_fds=True,
    )
    return _process


class ForkingProvisioner(LocalProvisioner):
    """LocalProvisioner, but the kernel comes from the fork process when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        cmd = [*cmd, *NO_HISTORY]
        await _listening()
        process = _fork(cmd, kwargs)
        if process is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = self.pgid = process.pid  # the fork is its own process group (setsid)
        self.cwd = kwargs.get("cwd") or os.getcwd()
        return self.connection_info


async def _listening() -> None:
    """Wait while the fork process is still importing (it is running, its socket not yet
    there), up to LOADING_SECONDS."""
    deadline = time.monotonic() + LOADING_SECONDS
    while (
        _address
        and not os.path.exists(_address)
        and _process is not None
        and _process.poll() is None
        and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.05)


def _fork(cmd: list[str], kwargs: dict) -> ForkedKernel | None:
    """Ask the fork process for a kernel; None when it cannot give one (also for a kernel
    meant to run in another Python than ours: the fork would run it in this one)."""
    if not _address or cmd[1:3] != LAUNCHER or not hasattr(os, "pidfd_open"):
        return None
    if cmd[0] != sys.executable:  # jupyter_client puts ours there for the native "python"
        return None
    request = {
        "args": cmd[3:],
        "env": kwargs.get("env") or dict(os.environ),
        "cwd": str(kwargs.get("cwd") or os.getcwd()),
        "quiet": kwargs.get("stdout") == subprocess.DEVNULL,
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(10)
            connection.connect(_address)
            connection.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(_read_line(connection))
    except (OSError, ValueError):  # not listening yet, or gone: the ordinary way
        return None
    return ForkedKernel(answer["pid"])


class ForkedKernel:
    """The part of Popen that LocalProvisioner uses, for a kernel that is the fork
    process's child, not ours: its end is seen through a pidfd."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._ended = os.pidfd_open(pid)
        except ProcessLookupError:  # ended (and reaped) already
            self._ended, self.returncode = None, -1

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._ended], [], [], 0)[0]:
            self._close(-1)  # its exit status went to the fork process, which reaped it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            select.select([self._ended], [], [], left)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._ended, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _close(self, code: int) -> None:
        os.close(self._ended)
        self.returncode = code

    def __del__(self):
        if self.returncode is None and self._ended is not None:
            self._close(-1)


def _read_line(connection: socket.socket, limit: int = 1 << 20) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk or len(data) > limit:
            raise ValueError("no whole line")
        data += chunk
    return data


# --- the fork process ------------------------------------------------------------------------


def serve(path: str) -> None:
    """Import what kernels share, then fork a kernel for each request, until the server
    that started us goes away (our stdin closes)."""
    global preloaded
    files.become_helper()
    # debugpy checks its files when imported and says so in English on stderr (the
    # server's terminal); nobody debugs a page kernel.
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # Only a process with one thread forks safely (a lock another thread holds stays held in
    # the child); numpy's OpenBLAS starts a worker thread when loaded unless told not to. A
    # page's arithmetic is small: one thread each.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    for name in SHARED:
        importlib.import_module(name)
    preloaded = frozenset(sys.modules)
    # The imported objects leave the collector's lists: a kernel's collections would touch
    # (and so copy) every page that holds them (Python's advice for forking servers).
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
    except OSError:  # the server stopped (and took our folder) already
        os._exit(0)
    listener.listen(16)
    while True:
        ready, _, _ = select.select([listener, 0], [], [])
        if 0 in ready and not os.read(0, 4096):
            os._exit(0)
        if listener in ready:
            connection, _ = listener.accept()
            with connection:
                _answer(connection, listener)


def _answer(connection: socket.socket, listener: socket.socket) -> None:
    try:
        connection.settimeout(10)
        request = json.loads(_read_line(connection))
    except (OSError, ValueError):
        return
    pid = os.fork()
    if pid == 0:
        _become_kernel(request, connection, listener)
    try:
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    except OSError:  # the server gave up on us; the kernel ends with no one to talk to
        os.kill(pid, signal.SIGKILL)


def _reap(signum, frame) -> None:
    """Children that ended are reaped at once (the server sees their end via a pidfd)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _become_kernel(request: dict, *inherited: socket.socket) -> None:
    """In the fork: run ipykernel as `python -m ipykernel_launcher ARGS` would. Never returns."""
    code = 1
    try:
        for each in inherited:
            each.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses
        signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupts reach the kernel
        os.setsid()  # its own process group, which the server signals as a whole
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        if request["quiet"]:
            os.dup2(null, 1)
            os.dup2(null, 2)
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # It ends with the fork process (ipykernel's parent poller). Given as an argument:
        # ipykernel read JPY_PARENT_PID when the fork process imported it.
        parent = f"--IPKernelApp.parent_handle={os.getppid()}"
        sys.argv = ["ipykernel_launcher", *request["args"], parent, *AFTER_IMPORT]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    except BaseException:  # noqa: BLE001 - the kernel's own stderr, as a started one
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - ending anyway
                pass
        os._exit(code)
