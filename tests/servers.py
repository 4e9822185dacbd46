"""Start a live `pestdata serve` for the browser and role tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

TOKEN = "browser-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder, notebooks=None, *extra: str, token: str = TOKEN, incidents=3000):
    """`pestdata serve` on a SQLite file in `folder`; returns (process, base URL, db URL).

    The database gets `incidents` demo reports (added to whatever is there already).
    """
    db = f"sqlite:///{folder}/pestdata.sqlite"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pestdata.cli",
            "demo",
            "--db",
            db,
            "--incidents",
            str(incidents),
            "--add",
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = open(folder / "serve.log", "w")
    command = [
        sys.executable,
        "-m",
        "pestdata.cli",
        "serve",
        "--db",
        db,
        "--port",
        str(port),
        "--token",
        token,
    ]
    if notebooks:
        command += ["--notebooks", str(notebooks)]
    command += list(extra)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/?token={token}", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # the server answers
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError((folder / "serve.log").read_text()) from None
            time.sleep(0.3)
    return process, base, db
