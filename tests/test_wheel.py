"""A wheel built from the repository, installed in a brand-new virtual environment outside
the checkout, serves all four dashboards on demo data: the notebooks, the guidance and the
template travel inside the package, nothing is found relative to a checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ("meldingen", "overzicht", "handelingsadvies", "ouderavond")
TOKEN = "wheel-test-token"

pytestmark = pytest.mark.browser  # a live Voilà; no browser needed, but as slow as one


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin` folder of a new venv holding the wheel, with the test run's own packages
    (voila, pandas, …) on its path instead of installing every dependency again. pestdata
    itself comes only from the wheel: this run's pestdata is an editable install, found
    through a .pth file in its site-packages, and a path line does not run another .pth."""
    folder = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT))
    wheel = next(folder.glob("pestdata-*.whl"))
    venv = folder / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site_packages = Path(run(str(python), "-c", PURELIB).stdout.strip())
    (site_packages / "test-run-packages.pth").write_text(sysconfig.get_paths()["purelib"])
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--no-deps",
        str(wheel),
    )
    return venv / "bin"


PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def test_the_installed_wheel_serves_every_dashboard(installed, tmp_path):
    home = tmp_path / "school"  # far from the checkout: no data/ or notebooks/ to find
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PESTDATA_")}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    # The packages' own data files (Voilà's templates, the widgets' JavaScript) live under
    # the test run's prefix, where its packages were installed, not in the new venv's.
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = run(
        str(installed / "python"), "-c", "import pestdata; print(pestdata.__file__)", cwd=home
    )
    assert where.stdout.startswith(str(installed.parent / "lib")), where.stdout  # not the checkout
    demo = run(str(installed / "pestdata"), "demo", "--incidents", "300", cwd=home, env=env)
    assert "demomeldingen opgeslagen" in demo.stdout
    assert (home / "share" / "pestdata" / "pestdata.sqlite").exists()  # the user's data folder
    port = free_port()
    with open(tmp_path / "serve.log", "w") as log:  # the server has its own copy
        server = subprocess.Popen(
            [str(installed / "pestdata"), "serve", "--port", str(port), "--preheat", "0"],
            cwd=home, env={**env, "PESTDATA_TOKEN": TOKEN}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        for name in DASHBOARDS:
            url = f"http://127.0.0.1:{port}/voila/render/{name}.ipynb?token={TOKEN}"
            page = fetch(url, server, tmp_path / "serve.log")
            assert "pestdata" in page  # our template, found inside the installed package
            assert not re.search(r"Traceback|Error executing|No such file", page), name
            assert "application/vnd.jupyter.widget-view+json" in page, name  # it ran
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(url: str, server: subprocess.Popen, log: Path, deadline_s: float = 180) -> str:
    """The rendered page; polls until the server answers (a busy machine starts slowly)."""
    deadline = time.time() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.time() > deadline:
                raise AssertionError(log.read_text()) from None
            time.sleep(1)


def test_the_wheel_holds_exactly_the_code_the_dashboards_and_the_guidance(tmp_path):
    """notebooks/ and data/ at the top level travel as pestdata/notebooks and pestdata/data;
    nothing else from the checkout does: not a database, key or restore copy left in data/
    or var/ (planted here in a copy of the checkout), not tests, docs or benches."""
    import shutil
    import zipfile

    tracked = run("git", "ls-files", cwd=ROOT).stdout.split()
    copy = tmp_path / "checkout"
    for name in tracked:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    planted = ["data/pestdata.sqlite", "data/pestdata.sqlite-wal", "data/secret.key",
               "data/terugzet-kopieen/voor-terugzetten.backup", "var/pestdata.sqlite",
               "pestdata/data/pestdata.sqlite", "notebooks/.ipynb_checkpoints/x.ipynb"]  # fmt: skip
    for name in planted:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text("leerling 123456")
    out = tmp_path / "wheel"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(copy))
    names = set(zipfile.ZipFile(next(out.glob("pestdata-*.whl"))).namelist())
    expected = {name for name in tracked if name.startswith("pestdata/")}
    expected |= {f"pestdata/{name}" for name in tracked if name.startswith(("notebooks/", "data/"))}
    shipped = {name for name in names if ".dist-info/" not in name}
    assert shipped == expected, (sorted(shipped - expected), sorted(expected - shipped))
    assert {"pestdata/notebooks/overzicht.ipynb", "pestdata/data/protocol.yaml"} <= shipped
    assert not [name for name in names if "sqlite" in name or "secret" in name]
