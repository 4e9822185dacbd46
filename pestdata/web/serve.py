"""Serving the dashboards: the Voilà command line and environment, and which dashboards
each role's server shows. `pestdata serve` (cli.py) prints the addresses and becomes Voilà.

The server process itself (Voilà with our guarded channels, login and logout pages) is
server.py; preheated kernels: the pool's size here, the kernel side in ui/preheat.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from pestdata.core.choices import StaffRole
from pestdata.core.errors import PestdataError
from pestdata.core.shipped import PACKAGE

PAGES_PER_PERSON = 6  # live pages per account (pages.py); one more closes the oldest
TEMPLATES = PACKAGE / "share" / "jupyter"
TOKEN_VARIABLES = ("PESTDATA_TOKEN", "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")  # never inherited


def voila_command(
    notebooks: Path,
    port: int,
    token: str | bool | None,
    ip: str = "127.0.0.1",
    cull_idle: int = 300,
    preheat: int = 1,
    host_names: tuple[str, ...] = (),
    trusted_header: str = "",
    proxy_key_file: Path | None = None,
    two_factor_roles: tuple[str, ...] = (),
    https_only: bool = False,
    pages_per_person: int = PAGES_PER_PERSON,
    max_pages: int = 0,
    verbose: bool = False,
) -> list[str]:
    """The command line of our Voilà (server.py): a signed-in person (personal accounts, or
    `trusted_header` from the school's proxy with the key in `proxy_key_file`) or, when
    `token` is set, a token; no tracebacks, no URL overrides, local assets, only requests for
    this machine or `host_names`.

    The token itself is never on this command line (`ps` shows it to every account on the
    machine): it goes in the environment (voila_env), where only this account can read it.

    Voilà refuses the shutdown a closed page sends (no _xsrf, voila issue 1458), so kernels of
    closed pages are culled after `cull_idle` seconds. Jupyter's culler leaves kernels of open
    pages alone (cull_connected=False), however long someone takes to fill in the form; a page
    left open and unused for two hours loses its kernel (server.py).

    With `preheat` > 0, Voilà keeps that many kernels per dashboard started, with the notebook
    run up to the point where it reads data (`pestdata.ui.preheat.wait_for_page` waits for the
    page request first), and refills the pool a second after a page takes one. Kernels in the
    pool are never culled (Voilà exempts them).

    The terminal shows only pestdata's Dutch lines (terminal.py); `verbose`: Jupyter's and
    Voilà's whole log.
    """
    preheating = ["--preheat_kernel=True", f"--pool_size={preheat}"] if preheat > 0 else []
    names = ["localhost", *host_names]
    return [
        sys.executable,
        "-m",
        "pestdata.web.server",
        str(notebooks),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",  # the port we print, or a loud failure; never another
        *([] if token else ["--PestdataVoila.accounts=True"]),  # the token: voila_env
        *([f"--AccountsIdentity.trusted_header={trusted_header}"] if trusted_header else []),
        *([f"--PestdataVoila.proxy_key_file={proxy_key_file}"] if proxy_key_file else []),
        *(f"--AccountsIdentity.two_factor_roles={role}" for role in two_factor_roles),
        *(["--AccountsIdentity.https_only=True"] if https_only else []),  # Secure cookie
        "--Voila.open_browser=False",
        "--VoilaConfiguration.template=pestdata",
        "--HTMLExporter.language_code=nl",  # <html lang="nl">: Dutch pages, Dutch speech
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        # Charts draw with our own plotly.js bundle (ui/plots.py): no page needs the 4.8 MB
        # jupyterlab-plotly extension, which Voilà would otherwise load on every page.
        "--VoilaConfiguration.extension_denylist=jupyterlab-plotly",
        # Kernels talk to the server over Unix sockets in Voilà's 0700 connection folder,
        # which no other account on this machine can open (TCP on 127.0.0.1 anyone can).
        "--KernelManager.transport=ipc",
        # A kernel waiting in the preheat pool is inside its notebook and cannot answer a
        # shutdown request; Jupyter then waits half of this before SIGTERM (default 5 s: every
        # stop and every cull took 2.5 s). Nothing is lost: a write is one transaction.
        "--KernelManager.shutdown_wait_time=1",
        f"--PestdataVoila.pages_per_person={pages_per_person}",
        f"--PestdataVoila.max_pages={max_pages}",  # 0: as many as the memory holds
        f"--PestdataVoila.verbose={verbose}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 4))}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        "--MappingKernelManager.cull_connected=False",
        *(f"--PestdataVoila.host_names={name}" for name in names),
        *preheating,
    ]


class PortTaken(PestdataError):
    """The port `serve` should listen on is in use."""


def check_port_free(port: int, ip: str = "127.0.0.1") -> None:
    """Refuse a taken port in Dutch before printing addresses (Voilà would move to another
    port, and the printed addresses would lead nowhere: voila_command sets port_retries=0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As tornado binds: connections of a server just stopped (TIME_WAIT) do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError:
            raise PortTaken(
                f"Poort {port} is al in gebruik (draait pestdata serve al?). "
                f"Kies een andere poort met --port, bijv. --port {port + 1}."
            ) from None


def voila_env(db_url: str, role: str, token: str | None = None) -> dict[str, str]:
    """Environment for Voilà and its kernels: our template first, the database URL and the
    server's role set (privacy.server_role reads it; the caller always names one, "" for
    none); a token server's token as JUPYTER_TOKEN (server.py takes it out of the
    environment before a kernel starts)."""
    env = {k: v for k, v in os.environ.items() if k not in TOKEN_VARIABLES}
    if token:
        env["JUPYTER_TOKEN"] = token
    env["PESTDATA_DB"] = db_url
    env["PESTDATA_ROLE"] = role
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH")]))
    return env


DASHBOARDS = {
    "meldingen": "Meldingen (zorgteam)",
    "overzicht": "Overzicht (schoolleiding)",
    "handelingsadvies": "Handelingsadvies (leerkrachten)",
    "ouderavond": "Ouderavond (presentatie)",
}
# Which dashboards each role may open. With personal accounts one server serves everyone and
# refuses a page outside the person's role (dashboards.py); a server per role (`--role`) holds
# only that role's notebooks, so a leader's link cannot open the care team's log there.
# Keyed by model.StaffRole, the one list of roles; no role (privacy.NO_ROLE) opens nothing.
ROLES: dict[str, tuple[str, ...]] = {
    StaffRole.CARE_TEAM.value: ("meldingen", "overzicht", "handelingsadvies", "ouderavond"),
    StaffRole.LEADERSHIP.value: ("overzicht", "handelingsadvies", "ouderavond"),
    StaffRole.TEACHER.value: ("handelingsadvies",),
    StaffRole.PRESENTER.value: ("ouderavond",),
    StaffRole.ADMIN.value: ("overzicht", "handelingsadvies", "ouderavond"),
}
ROLE_NAMES = [role.value for role in StaffRole]  # for the command line's choices


def role_notebooks(notebooks: Path, role: str | None) -> Path:
    """A folder holding only the role's notebooks (copies; they are a few lines each);
    every notebook for no role (personal accounts) or the care team's."""
    if role in (None, StaffRole.CARE_TEAM):
        return notebooks
    folder = Path(tempfile.mkdtemp(prefix=f"pestdata-{role}-"))
    for name in ROLES[role]:
        source = notebooks / f"{name}.ipynb"
        if source.exists():
            shutil.copy(source, folder / source.name)
    return folder
