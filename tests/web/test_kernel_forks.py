"""Page kernels forked from the server's fork process (web/kernel_forks.py): a real server,
real page requests, the process tree read from /proc."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers import kernel_of, notebook, own_kernels
from servers import TOKEN, free_port, wait_for_port

from pestdata.web.serve import voila_command, voila_env

# The kernel says who its parent is and whether it has its own environment.
CELL = """\
import os
print(f"parent={os.getppid()} db={os.environ.get('PESTDATA_DB', '')}")
"""


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        return parent_of(pid) > 0 and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False


def until(check, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_page_kernel_is_forked_with_its_own_environment_and_ends_with_the_server(tmp_path):
    """Two pages get two kernels, both children of the one fork process, which is the
    server's child; each runs with the environment the server gave it (its database), its
    command line names no kernel or connection file, and when the server is killed outright
    (SIGKILL: no shutdown of kernels at all) the fork process and both kernels end too."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook(notebooks, "probe", CELL)
    port = free_port()
    db = f"sqlite:///{tmp_path}/p.sqlite"
    command = voila_command(notebooks, port, TOKEN, preheat=0, verbose=True)
    with open(tmp_path / "serve.log", "w") as log:
        process = subprocess.Popen(
            command, env=voila_env(db, "zorgteam", TOKEN), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, process)
        pages = []
        for _ in range(2):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/voila/render/probe.ipynb",
                headers={"Authorization": f"token {TOKEN}"},
            )
            pages.append(urllib.request.urlopen(request, timeout=120).read().decode())
        kernels = own_kernels(process.pid)
        pids = [kernels[kernel_of(html)] for html in pages]
        forks = {parent_of(pid) for pid in pids}
        assert len(set(pids)) == 2 and len(forks) == 1
        (fork,) = forks
        assert b"pestdata.web.kernel_forks" in Path(f"/proc/{fork}/cmdline").read_bytes()
        assert len(os.listdir(f"/proc/{fork}/task")) == 1  # one thread: it forks safely
        assert parent_of(fork) == process.pid
        for html in pages:
            assert f"parent={fork} db={db}" in html
        for pid, html in zip(pids, pages, strict=True):
            command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
            assert kernel_of(html).encode() not in command_line and b".json" not in command_line
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert until(lambda: not alive(fork)), "the fork process outlived its server"
        assert until(lambda: not any(alive(pid) for pid in pids)), "a kernel outlived it"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


# Imports the page modules as the fork process does, with every environment read recorded.
IMPORT_WATCHED = """\
import json, os, sys
class Watched(dict):
    read = set()
    def __getitem__(self, key):
        Watched.read.add(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        Watched.read.add(key)
        return super().get(key, default)
    def __contains__(self, key):
        Watched.read.add(key)
        return super().__contains__(key)
os.environ = Watched(os.environ)
from pestdata.web.kernel_forks import PAGES
for page in PAGES:
    __import__(page)
print(json.dumps(sorted(Watched.read)))
"""


def test_the_page_modules_read_no_setting_when_imported():
    """The fork process imports the page modules once, with the server's environment; each
    kernel gets its own. A PESTDATA_* setting read at import would be the server's in every
    kernel (another database, role or folder), so none may be read then. The probe itself
    must see a read: a module that read PESTDATA_DB at import would show here."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_WATCHED], capture_output=True, text=True, check=True
    )
    read = json.loads(done.stdout.splitlines()[-1])
    assert [key for key in read if key.startswith("PESTDATA")] == []
    probe = IMPORT_WATCHED.replace(
        "for page in PAGES:", "os.environ.get('PESTDATA_DB')\nfor page in PAGES:"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "PESTDATA_DB" in json.loads(done.stdout.splitlines()[-1])
