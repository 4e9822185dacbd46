"""Personal accounts against real databases: add, sign in, wrong password, lockout, a
disabled account or a reset password ends the session, two-factor codes, the audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pestdata import accounts
from pestdata.accounts import AccountError, Person, SignInRefused
from pestdata.cli import main
from pestdata.store import now
from pestdata.tables import accounts as accounts_table
from pestdata.tables import audit

PASSWORD = "correct paard batterij"


@pytest.fixture
def store(any_store):
    return any_store


def audit_entries(store) -> list[tuple[str, str, dict]]:
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(audit.c.actor, audit.c.action, audit.c.new_value)
            .where(audit.c.field == "account")
            .order_by(audit.c.id)
        ).all()
    return [(r.actor, r.action, json.loads(r.new_value)) for r in rows]


def test_add_then_sign_in_with_the_right_password_only(store):
    assert accounts.add(store, "j.devries", "zorgteam", PASSWORD, actor="beheerder") is None
    person = accounts.sign_in(store, "j.devries", PASSWORD)
    assert person == Person("j.devries", "zorgteam", 1)
    with pytest.raises(SignInRefused, match="klopt niet"):
        accounts.sign_in(store, "j.devries", "verkeerd wachtwoord")
    with pytest.raises(SignInRefused, match="klopt niet"):
        accounts.sign_in(store, "onbekend", PASSWORD)
    with store.reading() as conn:
        stored = conn.execute(sa.select(accounts_table.c.password_hash)).scalar()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    actions = [(actor, action) for actor, action, _ in audit_entries(store)]
    assert actions == [
        ("beheerder", "account_add"),
        ("j.devries", "login"),
        ("j.devries", "login_refused"),
    ]
    assert all(PASSWORD not in json.dumps(entry) for entry in audit_entries(store))


def test_bad_account_input_is_refused_in_dutch(store):
    with pytest.raises(AccountError, match="minstens 10 tekens"):
        accounts.add(store, "kort", "zorgteam", "kort", actor="b")
    with pytest.raises(AccountError, match="Rol: kies uit"):
        accounts.add(store, "x", "directeur", PASSWORD, actor="b")
    accounts.add(store, "x", "leiding", PASSWORD, actor="b")
    with pytest.raises(AccountError, match="al een account"):
        accounts.add(store, "x", "leiding", PASSWORD, actor="b")
    with pytest.raises(AccountError, match="geen account"):
        accounts.disable(store, "niemand", actor="b")


def test_five_wrong_passwords_lock_the_account_for_a_while(store):
    accounts.add(store, "m.bakker", "leiding", PASSWORD, actor="b")
    start = now()
    for attempt in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(SignInRefused, match="klopt niet"):
            accounts.sign_in(store, "m.bakker", f"fout {attempt}", at=start)
    with pytest.raises(SignInRefused, match="geblokkeerd"):
        accounts.sign_in(store, "m.bakker", "nog een keer fout", at=start)
    with pytest.raises(SignInRefused, match="geblokkeerd"):  # even the right one, for now
        accounts.sign_in(store, "m.bakker", PASSWORD, at=start + timedelta(minutes=5))
    later = start + timedelta(minutes=accounts.LOCK_MINUTES + 1)
    assert accounts.sign_in(store, "m.bakker", PASSWORD, at=later).role == "leiding"


def test_a_disabled_account_or_a_new_password_ends_the_session(store):
    accounts.add(store, "a.jansen", "zorgteam", PASSWORD, actor="b")
    person = accounts.sign_in(store, "a.jansen", PASSWORD)
    assert accounts.still_valid(store, person) == person
    accounts.disable(store, "a.jansen", actor="b")
    assert accounts.still_valid(store, person) is None
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "a.jansen", PASSWORD)
    accounts.enable(store, "a.jansen", actor="b")
    again = accounts.sign_in(store, "a.jansen", PASSWORD)
    accounts.reset(store, "a.jansen", "een heel nieuw wachtwoord", actor="b")
    assert accounts.still_valid(store, again) is None
    assert accounts.sign_in(store, "a.jansen", "een heel nieuw wachtwoord").name == "a.jansen"


def test_two_factor_needs_the_current_code(store):
    secret = accounts.add(store, "ib", "zorgteam", PASSWORD, actor="b", two_factor=True)
    assert secret and accounts.needs_code(store, "ib") and not accounts.needs_code(store, "x")
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "ib", PASSWORD)  # no code
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "ib", PASSWORD, code="000000" if pyotp.TOTP(secret).now()
                         != "000000" else "111111")  # fmt: skip
    assert accounts.sign_in(store, "ib", PASSWORD, code=pyotp.TOTP(secret).now()).name == "ib"
    uri = accounts.provisioning_uri(secret, "ib")
    assert uri.startswith("otpauth://totp/") and secret in uri


def test_the_command_line_manages_accounts(tmp_path):
    db = f"sqlite:///{tmp_path}/c.sqlite"
    runner = CliRunner()
    result = runner.invoke(
        main, ["users", "add", "--db", db, "r.smit", "--role", "leerkracht", "--password-stdin",
               "--by", "de beheerder"], input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "r.smit (leerkracht) gemaakt" in result.output
    result = runner.invoke(main, ["users", "list", "--db", db])
    assert "r.smit" in result.output and "leerkracht" in result.output
    result = runner.invoke(main, ["users", "disable", "--db", db, "r.smit"])
    assert result.exit_code == 0 and "uitgezet" in result.output
    assert "uitgezet" in runner.invoke(main, ["users", "list", "--db", db]).output
    result = runner.invoke(
        main, ["users", "add", "--db", db, "kort", "--role", "zorgteam", "--password-stdin"],
        input="kort\n",
    )  # fmt: skip
    assert result.exit_code == 1 and "minstens 10 tekens" in result.output
    assert "Traceback" not in result.output


def test_a_role_that_must_use_a_code_cannot_sign_in_without_one(store):
    accounts.add(store, "zonder", "zorgteam", PASSWORD, actor="b")
    with pytest.raises(SignInRefused, match="met een code verplicht"):
        accounts.sign_in(store, "zonder", PASSWORD, two_factor_roles=("zorgteam",))
    assert accounts.sign_in(store, "zonder", PASSWORD).name == "zonder"  # not required
    secret = accounts.reset(store, "zonder", PASSWORD, actor="b", two_factor=True)
    code = pyotp.TOTP(secret).now()
    person = accounts.sign_in(store, "zonder", PASSWORD, code, two_factor_roles=("zorgteam",))
    assert person.role == "zorgteam"
