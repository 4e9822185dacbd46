"""Secrets of a running server, probed as another account on the machine would: the token
in no process argument (`ps` shows them to everyone) and in no kernel's environment, while it
still opens the dashboard; a key or token file anyone else can read, or that belongs to
someone else, refused in Dutch (by `pestdata serve` and by the server itself)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import SMALL, free_port, serving

from pestdata.cli.main import main
from pestdata.web.serve import voila_command

NOBODY = 65534
PROBE = """\
import os
from IPython.display import HTML, display
from pestdata.ui.preheat import wait_for_page

wait_for_page()
display(HTML("<pre id=env>" + "\\n".join(f"{k}={v}" for k, v in os.environ.items()) + "</pre>"))
"""


def probe_notebook(folder: Path) -> Path:
    folder.mkdir()
    cell = {"cell_type": "code", "execution_count": None, "id": "probe", "metadata": {},
            "outputs": [], "source": PROBE}  # fmt: skip
    document = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3",
                "display_name": "Python 3", "language": "python"}}, "nbformat": 4,
                "nbformat_minor": 5}  # fmt: skip
    (folder / "probe.ipynb").write_text(json.dumps(document), encoding="utf-8")
    return folder


def get(base: str, path: str) -> tuple[int, str]:
    parsed = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def process_tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc (as `ps` reads them)."""
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, added = [root], True
    while added:
        found = [pid for pid, parent in parents.items() if parent in tree and pid not in tree]
        tree += found
        added = bool(found)
    return tree


def wait_for_children(pid: int, count: int, seconds: float = 90) -> list[int]:
    deadline = time.monotonic() + seconds
    while len(tree := process_tree(pid)) < count + 1 and time.monotonic() < deadline:
        time.sleep(0.3)
    return tree


@pytest.mark.parametrize("preheat", ["1", "0"])
def test_the_token_is_in_no_process_argument_and_no_kernel_yet_opens_the_page(tmp_path, preheat):
    """Pooled kernels (preheat 1) get the visitor's request through the preheat channel and
    the next one Voilà's whole URL; without a pool Voilà puts query and URL in the new
    kernel's environment. None of them may hold the token."""
    token = f"geheime-code-{uuid.uuid4().hex}"
    notebooks = probe_notebook(tmp_path / "notebooks")
    options = {"token": token, "incidents": SMALL}
    with serving(tmp_path, notebooks, preheat=int(preheat), **options) as (process, base, _):
        if preheat == "1":
            wait_for_children(process.pid, 1)
            time.sleep(3)  # the pooled kernel runs up to wait_for_page
        status, html = get(base, f"/voila/render/probe.ipynb?token={token}&klas=7")
        assert status == 200, html[-2000:]
        assert "QUERY_STRING=klas=7" in html  # the page ran and heard its request
        assert f"VOILA_PREHEAT={preheat == '1'}" in html  # from the pool, or started for it
        assert token not in html  # not in the kernel's os.environ either
        assert get(base, "/voila/render/probe.ipynb?token=geraden")[0] in (302, 401, 403)
        tree = wait_for_children(process.pid, 2 if preheat == "1" else 1)
        assert len(tree) >= 2, tree  # the server and at least the page's kernel
        listing = subprocess.run(["ps", "-eo", "pid,args", "-ww"], capture_output=True,
                                 text=True, check=True).stdout  # fmt: skip
        assert token not in listing
        for pid in tree:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            assert token.encode() not in cmdline, (pid, cmdline)
            if pid != process.pid:  # kernels: not even in the environment they started with
                environ = Path(f"/proc/{pid}/environ").read_bytes()
                assert token.encode() not in environ, (pid, environ[:2000])
        # The server's own start environment holds it, readable by its owner only.
        assert os.stat(f"/proc/{process.pid}/environ").st_mode & 0o077 == 0


def serve_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["serve", "--db", f"sqlite:///{tmp_path}/s.sqlite", "--port", str(free_port()), *extra]


def started(monkeypatch, tmp_path, *args: str, env: dict | None = None):
    """`pestdata serve` up to the point where it becomes Voilà: (exit code, output, the
    command line and environment it would have started)."""
    import pestdata.cli.serve

    seen = {}

    def execve(path, command, environment):
        seen.update(command=command, env=environment)
        raise SystemExit(0)

    monkeypatch.setattr(pestdata.cli.serve.os, "execve", execve)
    result = CliRunner().invoke(main, serve_args(tmp_path, *args), env=env or {})
    return result.exit_code, result.output, seen.get("command"), seen.get("env")


def test_a_token_on_the_command_line_is_refused_in_dutch(monkeypatch, tmp_path):
    code, output, command, _ = started(monkeypatch, tmp_path, "--token", "geheim")
    assert code == 2 and command is None  # never started
    assert "kan iedereen op deze computer zien (ps)" in output
    assert "PESTDATA_TOKEN" in output and "--token-file" in output


def test_the_token_from_the_environment_or_a_private_file_goes_to_voila_in_its_environment(
    monkeypatch, tmp_path
):
    code, output, command, env = started(
        monkeypatch, tmp_path, env={"PESTDATA_TOKEN": "uit-de-omgeving"}
    )
    assert code == 0, output
    assert not any("uit-de-omgeving" in part for part in command)
    assert env["JUPYTER_TOKEN"] == "uit-de-omgeving" and "PESTDATA_TOKEN" not in env
    assert "uit-de-omgeving" not in output  # the printed addresses leave the code out
    token_file = tmp_path / "token"
    token_file.write_text("uit-een-bestand\n")
    token_file.chmod(0o600)
    code, output, command, env = started(
        monkeypatch, tmp_path, "--token-file", str(token_file), env={"PESTDATA_TOKEN": ""}
    )
    assert code == 0, output
    assert env["JUPYTER_TOKEN"] == "uit-een-bestand"
    assert not any("uit-een-bestand" in part for part in command)
    code, output, _, _ = started(
        monkeypatch, tmp_path, "--token-file", str(token_file), env={"PESTDATA_TOKEN": "x"}
    )
    assert code == 2 and "niet allebei" in output


def refused_file(tmp_path: Path, how: str) -> Path:
    path = tmp_path / f"{how}.key"
    path.write_text("sleutel-van-de-proxy-0123456789\n")
    path.chmod(0o600)
    if how == "0644":
        path.chmod(0o644)
    else:
        os.chown(path, NOBODY, NOBODY)
    return path


@pytest.mark.parametrize("how", ["0644", "nobody"])
def test_a_key_or_token_file_others_can_read_or_own_is_refused_in_dutch(monkeypatch, tmp_path, how):
    if how == "nobody" and os.geteuid() != 0:
        pytest.skip("only root can give a file to nobody")
    path = refused_file(tmp_path, how)
    dutch = "rechten 0644" if how == "0644" else "van een ander account (nobody)"
    code, output, command, _ = started(
        monkeypatch, tmp_path, "--trust-header", "X-Forwarded-User", "--proxy-key-file", str(path)
    )
    assert code == 2 and command is None  # never started
    assert "Het sleutelbestand" in output and dutch in output, output
    code, output, command, _ = started(monkeypatch, tmp_path, "--token-file", str(path))
    assert code == 2 and command is None
    assert "Het tokenbestand" in output and dutch in output, output


@pytest.mark.parametrize("how", ["0644", "nobody", "no token"])
def test_the_server_itself_refuses_a_readable_key_file_and_a_token_server_without_token(
    tmp_path, how
):
    """Whoever starts `python -m pestdata.web.server` directly: the same refusal, in its log."""
    if how == "nobody" and os.geteuid() != 0:
        pytest.skip("only root can give a file to nobody")
    notebooks = probe_notebook(tmp_path / "notebooks")
    if how == "no token":
        command = voila_command(notebooks, free_port(), True, preheat=0)
        dutch = "Geen toegangscode"
    else:
        key = refused_file(tmp_path, how)
        command = voila_command(notebooks, free_port(), None, preheat=0, proxy_key_file=key,
                                trusted_header="X-Forwarded-User")  # fmt: skip
        dutch = "rechten 0644" if how == "0644" else "van een ander account (nobody)"
    env = {k: v for k, v in os.environ.items() if "TOKEN" not in k}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired as running:
        raise AssertionError(f"the server started: {running.stderr}") from None
    assert done.returncode == 1, done.stderr[-3000:]
    assert "pestdata start niet" in done.stderr and dutch in done.stderr, done.stderr[-3000:]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
