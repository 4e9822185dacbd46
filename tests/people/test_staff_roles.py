"""The roles come from one enum (model.StaffRole), and the role when none is set is decided
once (privacy.server_role): no role, the least permissive. The care team's role is only ever
given on purpose (`pestdata serve --role zorgteam`, a token server without --role, a
signed-in care team member)."""

from __future__ import annotations

import pytest

from pestdata.core import privacy
from pestdata.core.choices import StaffRole
from pestdata.people.accounts import AccountError, _check_role
from pestdata.people.person import Person
from pestdata.web.dashboards import allowed
from pestdata.web.serve import DASHBOARDS, ROLE_NAMES, ROLES


@pytest.fixture
def no_role(monkeypatch):
    """As outside `pestdata serve`: nobody set a role (conftest's care team taken away)."""
    monkeypatch.delenv("PESTDATA_ROLE", raising=False)
    monkeypatch.delenv("HTTP_X_PESTDATA_PERSON", raising=False)


def test_every_role_of_the_enum_and_no_other_has_dashboards():
    assert list(ROLES) == [role.value for role in StaffRole] == ROLE_NAMES
    assert all(set(dashboards) <= set(DASHBOARDS) for dashboards in ROLES.values())


def test_no_role_set_is_no_role(no_role):
    assert privacy.server_role() == privacy.NO_ROLE == ""


def test_an_empty_role_is_no_role_too(monkeypatch):
    """A server with personal accounts sets PESTDATA_ROLE to nothing: no role stands in for
    the people, each page's kernel takes its signed-in person's."""
    monkeypatch.setenv("PESTDATA_ROLE", "")
    assert privacy.server_role() == privacy.NO_ROLE
    assert not privacy.exact_counts_allowed()


def test_no_role_is_the_least_permissive(no_role):
    """No dashboard opens and no exact count shows: less than any real role may."""
    role = privacy.server_role()
    assert not any(allowed(role, name) for name in DASHBOARDS)
    assert not privacy.exact_counts_allowed()
    for real in StaffRole:
        assert any(allowed(real, name) for name in DASHBOARDS), real


def test_no_role_cannot_be_given_to_an_account():
    with pytest.raises(AccountError, match="Rol: kies uit zorgteam, leiding"):
        _check_role(privacy.NO_ROLE)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_the_care_teams_role_sees_exact_counts(monkeypatch, role):
    monkeypatch.setenv("PESTDATA_ROLE", role)
    assert privacy.server_role() == role
    assert privacy.exact_counts_allowed() == (role == StaffRole.CARE_TEAM)


def test_a_page_outside_a_server_stands_in_as_no_role(no_role):
    from pestdata.ui.common import signed_in

    assert signed_in() == Person("toegangscode (geen rol)", "")


def test_a_token_servers_page_stands_in_as_its_role(monkeypatch):
    from pestdata.ui.common import signed_in

    monkeypatch.delenv("HTTP_X_PESTDATA_PERSON", raising=False)
    monkeypatch.setenv("PESTDATA_ROLE", "leiding")
    assert signed_in() == Person("toegangscode (leiding)", "leiding")
    assert Person.standing_in("zorgteam").name == "toegangscode (zorgteam)"


def test_the_overview_without_a_role_shows_the_shared_view_only(no_role, tmp_path):
    """A notebook opened outside `pestdata serve` forgets nothing on the school's behalf:
    the switch to exact counts is not there, and sending its value changes nothing."""
    from datetime import date

    from pestdata.db.store import Store
    from pestdata.ui.overview.page import Overview

    view = Overview(
        Store(f"sqlite:///{tmp_path}/leeg.sqlite").ensure_schema(), today=date(2026, 3, 2)
    )
    assert not view.state.exact_allowed
    assert view.shared.disabled and view.shared.layout.display == "none"
    view.shared.value = False
    assert view.state.minimum == privacy.threshold()


def test_the_page_says_when_it_has_no_role(no_role):
    from pestdata.ui.common import Actor

    assert "<b>toegangscode (geen rol)</b> (geen rol)" in Actor().value
