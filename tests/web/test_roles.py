"""Each role's credential opens exactly its dashboards; no credential opens nothing."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from servers import MEDIUM, start_server, stop_server

from pestdata.web.serve import DASHBOARDS, ROLES

pytestmark = pytest.mark.browser  # a live Voilà per role


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict | None = None) -> tuple[int, str]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=120) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One live server per role on its own port with its own token, each on a copy of the
    same demo database, started side by side. No preheated kernels: these tests ask each page
    once, and five pools of waiting kernels would only take the machine's time (preheating
    has its own tests)."""

    folders = {role: tmp_path_factory.mktemp(f"role-{role}") for role in ROLES}  # not threadsafe

    def start(role: str):
        return start_server(
            folders[role], None, "--role", role, token=f"token-{role}", incidents=MEDIUM
        )[:2]

    with ThreadPoolExecutor(len(ROLES)) as pool:
        futures = {role: pool.submit(start, role) for role in ROLES}
    started = [f.result()[0] for f in futures.values() if f.exception() is None]
    try:
        yield {role: future.result()[1] for role, future in futures.items()}
    finally:  # also when one did not start: stop the others, side by side
        for process in started:
            process.terminate()
        for process in started:
            stop_server(process)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_opens_exactly_its_dashboards(servers, role):
    """Each page asked once, its kernel started once: the role's first page with the token
    in a header, as a school's own login in front (a reverse proxy) passes it."""
    base = servers[role]
    for name in DASHBOARDS:
        if name == ROLES[role][0]:
            header = {"Authorization": f"token token-{role}"}
            status, body = fetch(f"{base}/voila/render/{name}.ipynb", header)
        else:
            status, body = fetch(f"{base}/voila/render/{name}.ipynb?token=token-{role}")
        if name in ROLES[role]:
            assert status == 200, (role, name)
            assert "voila" in body.lower()
        else:
            assert status == 404, (role, name)


@pytest.mark.parametrize("role", list(ROLES))
def test_without_the_right_credential_a_refusal_not_a_page(servers, role):
    base = servers[role]
    name = ROLES[role][0]
    others = [f"token-{other}" for other in ROLES if other != role]
    for token in ["", "geraden", *others]:
        status, body = fetch(f"{base}/voila/render/{name}.ipynb?token={token}")
        assert status in (302, 401, 403), (role, token, status)
        assert "kernel" not in body.lower() and "pestdata" not in body.lower()


def test_the_care_teams_log_is_on_the_care_team_server_only():
    assert "meldingen" in ROLES["zorgteam"]
    assert all("meldingen" not in ROLES[role] for role in ROLES if role != "zorgteam")
    assert ROLES["presentator"] == ("ouderavond",)
