"""What a page kernel costs: forked from the server's fork process (web/kernel_forks.py)
against started as a new Python, side by side in one run.

Two servers (our Voilà, as `pestdata serve` starts it, token mode, no preheat pool) on the
same demo database, one with fork_kernels on and one with it off. The page requests
alternate between them, dashboard by dashboard. Prints:

- per dashboard, the time of its page request (GET …/render/X.ipynb returns once the kernel
  has started and run the notebook) and the kernel's unique (USS) and proportional (PSS)
  memory, from /proc/<pid>/smaps_rollup; for a forked kernel also how much of its USS are
  copies of pages its parent (the fork process) had ("kopie", from /proc/<pid>/pagemap: a
  page of its own at an address where the parent has a page too);
- the server tree's memory (server, names and fork processes, kernels), as PSS summed and as
  RSS summed: idle, with the four dashboards open, and after `--rounds` × 4 page loads (a
  page request without a websocket keeps its kernel until the culler).

Nothing is asserted; the figures go in a note.

    python bench/kernels.py [--incidents 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import array
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import free_port, process_tree, wait_for_port  # noqa: E402  (tests/servers.py)

from pestdata.web.serve import voila_command, voila_env  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
DASHBOARDS = ("meldingen", "overzicht", "handelingsadvies", "ouderavond")
TOKEN = "bench-token"
WAYS = {"gevorkt": True, "nieuw proces": False}


def memory(pid: int) -> tuple[int, int, int]:
    """(USS, PSS, RSS) of a process in KiB, from smaps_rollup; zeros once it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0, 0
    fields = {}
    for line in text.splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return uss, fields.get("Pss", 0), fields.get("Rss", 0)


def copied_from_parent(pid: int) -> int:
    """KiB of the process's own pages (exclusively mapped) at addresses where its parent has
    a page present: what copy-on-write copied, not what the process allocated anew."""
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
        own, theirs = open(f"/proc/{pid}/pagemap", "rb"), open(f"/proc/{parent}/pagemap", "rb")
    except OSError:
        return 0
    copied = 0
    with own, theirs:
        for line in maps:
            start, end = (int(part, 16) // 4096 for part in line.split()[0].split("-"))
            try:
                own.seek(start * 8)
                mine = array.array("Q", own.read((end - start) * 8))
                theirs.seek(start * 8)
                parents = array.array("Q", theirs.read((end - start) * 8))
            except (OSError, ValueError):  # [vsyscall], or a read cut short
                continue
            for entry, parent_entry in zip(mine, parents, strict=False):  # parent: maybe fewer
                # bit 63: present; bit 56: mapped by this process only
                if entry >> 63 and entry >> 56 & 1 and parent_entry >> 63:
                    copied += 4
    return copied


def tree_memory(root: int) -> tuple[float, float]:
    """(PSS, RSS) of the whole tree in MiB."""
    sizes = [memory(pid) for pid in process_tree(root)]
    return sum(s[1] for s in sizes) / 1024, sum(s[2] for s in sizes) / 1024


def kernels(root: int) -> set[int]:
    """The tree's page kernels: started ones run ipykernel_launcher, forked ones are the
    fork process's children."""
    found = set()
    pids = process_tree(root)
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            parent_command = Path(f"/proc/{parent}/cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if b"ipykernel_launcher" in command or b"kernel_forks" in parent_command:
            found.add(pid)
    return found


class Server:
    def __init__(self, folder: Path, db: str, fork: bool):
        self.port = free_port()
        self.fork = fork
        command = voila_command(NOTEBOOKS, self.port, TOKEN, preheat=0, verbose=True)
        command.append(f"--PestdataVoila.fork_kernels={fork}")
        self.log = open(folder / f"serve-{fork}.log", "w")
        self.process = subprocess.Popen(
            command,
            env=voila_env(db, "zorgteam", TOKEN),
            stdout=self.log,
            stderr=self.log,
            cwd=folder,
        )
        wait_for_port(self.port, self.process)

    def page(self, name: str) -> tuple[float, int | None]:
        """Seconds for the page request, and the kernel it started."""
        before = kernels(self.process.pid)
        url = f"http://127.0.0.1:{self.port}/voila/render/{name}.ipynb"
        request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
        started = time.perf_counter()
        urllib.request.urlopen(request, timeout=300).read()
        seconds = time.perf_counter() - started
        new = kernels(self.process.pid) - before
        return seconds, (new.pop() if len(new) == 1 else None)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="times the four pages are loaded")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pd-kernels-") as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder}/bench.sqlite"
        subprocess.run(
            [sys.executable, "-m", "pestdata.cli", "demo", "--db", db,
             "--incidents", str(args.incidents)],
            check=True, capture_output=True,
        )  # fmt: skip
        servers = {way: Server(folder, db, fork) for way, fork in WAYS.items()}
        try:
            time.sleep(5)  # the names and fork processes have loaded
            run(servers, args.rounds)
        finally:
            for server in servers.values():
                server.stop()


def run(servers: dict[str, Server], rounds: int) -> None:
    idle = {way: tree_memory(s.process.pid) for way, s in servers.items()}
    times = {(way, name): [] for way in servers for name in DASHBOARDS}
    sizes: dict[tuple[str, str], tuple[int, int, int]] = {}
    copies: dict[tuple[str, str], int] = {}
    open_four = {}
    for number in range(rounds):
        for name in DASHBOARDS:
            for way, server in servers.items():
                seconds, pid = server.page(name)
                times[way, name].append(seconds)
                if number == 0 and pid:
                    time.sleep(1)  # its widgets are made
                    sizes[way, name] = memory(pid)
                    copies[way, name] = copied_from_parent(pid) if server.fork else 0
        if number == 0:
            open_four = {way: tree_memory(s.process.pid) for way, s in servers.items()}
    after = {way: tree_memory(s.process.pid) for way, s in servers.items()}

    print(
        f"{'dashboard':<18}{'manier':<14}{'pagina (mediaan)':>18}{'USS':>10}{'kopie':>10}"
        f"{'PSS':>10}"
    )
    for name in DASHBOARDS:
        for way in servers:
            uss, pss, _ = sizes.get((way, name), (0, 0, 0))
            median = statistics.median(times[way, name])
            copy = (
                f"{copies[way, name] / 1024:>6.0f} MiB" if copies.get((way, name)) else f"{'-':>10}"
            )
            print(
                f"{name:<18}{way:<14}{median:>16.2f} s{uss / 1024:>7.0f} MiB{copy}"
                f"{pss / 1024:>6.0f} MiB"
            )
    print()
    print(f"{'server (PSS / RSS)':<28}" + "".join(f"{way:>26}" for way in servers))
    for label, figures in (
        ("leeg", idle),
        ("vier dashboards open", open_four),
        (f"na {rounds} x 4 pagina's", after),
    ):
        cells = "".join(
            f"{figures[way][0]:>12.0f} / {figures[way][1]:>5.0f} MiB" for way in servers
        )
        print(f"{label:<28}{cells}")
    ratio = {
        name: statistics.median(times["gevorkt", name])
        / statistics.median(times["nieuw proces", name])
        for name in DASHBOARDS
    }
    print("\npagina gevorkt / nieuw proces:", ", ".join(f"{n} {r:.2f}" for n, r in ratio.items()))


if __name__ == "__main__":
    main()
