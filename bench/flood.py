"""One account floods the server: a presentator reloads the parent evening N times in a row.

Starts `pestdata serve` (personal accounts) on a temp SQLite file, signs in as a presentator
and loads /voila/render/ouderavond.ipynb N times (each load waits for the whole page, as a
browser's reload does). Then prints the number of kernels and the server tree's memory
(RSS and PSS summed over the server and every kernel, from /proc/<pid>/smaps_rollup).
Issue 21 measured 41 kernels and 5.8 GB for 30 loads in 50 s before the per-person limit.

    python bench/flood.py [--loads 30]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import free_port, process_tree, wait_for_port  # noqa: E402  (tests/servers.py)

PASSWORD = "een lang wachtwoord voor de bench"


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """RSS and PSS summed over these processes, in MB."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def kernels(pids: list[int]) -> int:
    count = 0
    for pid in pids:
        try:
            count += b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            pass
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pestdata-flood-") as folder:
        db = f"sqlite:///{folder}/flood.sqlite"
        subprocess.run(
            [sys.executable, "-m", "pestdata.cli", "demo", "--db", db, "--incidents", "300"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "pestdata.cli", "users", "add", "ouderavond", "--role",
             "presentator", "--password-stdin", "--db", db],
            input=PASSWORD + "\n", text=True, check=True, capture_output=True,
        )  # fmt: skip
        port = free_port()
        with open(Path(folder) / "serve.log", "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "pestdata.cli", "serve", "--db", db, "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for_port(port, server)
            base = f"http://127.0.0.1:{port}"
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            opener.open(base + "/login", timeout=60).read()
            xsrf = next(c.value for c in jar if c.name == "_xsrf")
            form = {"naam": "ouderavond", "wachtwoord": PASSWORD, "_xsrf": xsrf, "next": "/"}
            opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=60)
            time.sleep(5)  # the preheat pool fills
            idle = memory_mb(process_tree(server.pid))
            print(f"idle: {kernels(process_tree(server.pid))} kernels, RSS {idle[0]:.0f} MB, "
                  f"PSS {idle[1]:.0f} MB")  # fmt: skip
            started = time.monotonic()
            statuses = []
            for _ in range(options.loads):
                try:
                    response = opener.open(base + "/voila/render/ouderavond.ipynb", timeout=300)
                    response.read()
                    statuses.append(response.status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
            took = time.monotonic() - started
            time.sleep(5)  # let closing kernels go
            pids = process_tree(server.pid)
            rss, pss = memory_mb(pids)
            print(f"after {options.loads} loads in {took:.0f} s "
                  f"(answers {sorted(set(statuses))}): {kernels(pids)} kernels, "
                  f"RSS {rss:.0f} MB, PSS {pss:.0f} MB")  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
