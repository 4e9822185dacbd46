"""Personal accounts against real databases: add, sign in, wrong password, the waits after
failures (per name and client, never longer than a few minutes, cleared by `users unlock`),
one answer for every refusal, a disabled account or a reset password ends the session,
two-factor codes that work once, the audit."""

from __future__ import annotations

import json
import time
from datetime import UTC, timedelta

import argon2
import pyotp
import pytest
import sqlalchemy as sa
from argon2.exceptions import VerificationError
from click.testing import CliRunner

from pestdata.cli.main import main
from pestdata.db.store import Store, now
from pestdata.db.tables import accounts as accounts_table
from pestdata.db.tables import audit, login_failures
from pestdata.people import accounts, passwords
from pestdata.people.accounts import AccountError, SignInRefused
from pestdata.people.person import Person, still_valid

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


@pytest.mark.real_password_cost
def test_passwords_are_kept_as_argon2id_hashes_at_the_shipped_cost(store):
    """What a school's accounts get (the other tests hash at argon2's cheapest: conftest.py):
    argon2id, 64 MiB, 3 passes, 4 lanes, and never the password itself."""
    accounts.add(store, "sterk", "zorgteam", PASSWORD, actor="b")
    with store.reading() as conn:
        stored = conn.execute(sa.select(accounts_table.c.password_hash)).scalar()
    shipped = argon2.extract_parameters(stored)
    assert shipped.type is argon2.Type.ID and PASSWORD not in stored
    assert (shipped.memory_cost, shipped.time_cost, shipped.parallelism) == (65536, 3, 4)
    assert argon2.extract_parameters(passwords.no_account_hash()) == shipped
    assert accounts.sign_in(store, "sterk", PASSWORD).name == "sterk"


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
        ("onbekend", "login_refused"),
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


ATTACKER = "adres 10.0.0.66"
PERSON = "adres 10.0.0.7"


def refused(store, name, password, at, client=ATTACKER, code="") -> str:
    with pytest.raises(SignInRefused) as refusal:
        accounts.sign_in(store, name, password, code, at=at, client=client)
    return str(refusal.value)


def test_failures_make_only_that_client_wait_and_never_for_long(store):
    """Issue 21: five wrong passwords per 15 minutes kept any named account locked, and 20
    from the school's proxy locked out everybody. Now the attacker's own client waits, the
    person signs in from theirs, and no wait is longer than MAX_DELAY."""
    accounts.add(store, "m.bakker", "leiding", PASSWORD, actor="b")
    start = now()
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "m.bakker", f"fout {attempt}", start)
    # the attacker's client waits, even with the right password ...
    assert refused(store, "m.bakker", PASSWORD, start + timedelta(seconds=5)) == accounts.REFUSED
    # ... while the person, from another client, signs in at once
    person = accounts.sign_in(store, "m.bakker", PASSWORD, at=start, client=PERSON)
    assert person.role == "leiding"
    # An attacker who fails again as soon as each wait ends, for two hours: every wait is at
    # most MAX_DELAY, and the right password passes once it is over.
    at, longest = start, timedelta(0)
    while at < start + timedelta(hours=2):
        pair = waits(store, "m.bakker")[ATTACKER]
        longest = max(longest, pair - at)
        at = pair + timedelta(seconds=1)
        refused(store, "m.bakker", "weer fout", at)
    assert timedelta(0) < longest <= accounts.MAX_DELAY == timedelta(minutes=4)
    at = waits(store, "m.bakker")[ATTACKER] + timedelta(seconds=1)
    assert accounts.sign_in(store, "m.bakker", PASSWORD, at=at, client=ATTACKER).name
    assert ATTACKER not in waits(store, "m.bakker")  # signing in clears the pair
    locks = [d for _, action, d in audit_entries(store) if action == "login_locked"]
    assert len(locks) > 20 and all(d["client"] == ATTACKER for d in locks)
    assert {d["seconds"] for d in locks} == {30, 60, 120, 240}


def test_attempts_while_waiting_do_not_make_the_wait_longer(store):
    accounts.add(store, "k.visser", "leerkracht", PASSWORD, actor="b")
    start = now()
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "k.visser", f"fout {attempt}", start)
    until = waits(store, "k.visser")[ATTACKER]
    for second in range(1, 20):
        refused(store, "k.visser", "fout", start + timedelta(seconds=second))
    assert waits(store, "k.visser")[ATTACKER] == until == start + accounts.FIRST_DELAY
    assert accounts.sign_in(store, "k.visser", PASSWORD, at=until, client=ATTACKER).name


def waits(store, name: str) -> dict[str, object]:
    """The clients of `name` that wait, and until when."""
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(login_failures.c.client, login_failures.c.locked_until).where(
                (login_failures.c.name == name) & login_failures.c.locked_until.is_not(None)
            )
        ).all()
    return {r.client: r.locked_until for r in rows}


def test_the_right_password_with_a_fresh_code_passes_a_wait(store):
    secret = accounts.add(store, "ib.code", "zorgteam", PASSWORD, actor="b", two_factor=True)
    start = now()
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "ib.code", f"fout {attempt}", start)
    code = pyotp.TOTP(secret).at(start.replace(tzinfo=UTC))
    assert refused(store, "ib.code", PASSWORD, start, code="000000" if code != "000000"
                   else "111111") == accounts.REFUSED  # fmt: skip
    person = accounts.sign_in(store, "ib.code", PASSWORD, code, at=start, client=ATTACKER)
    assert person.name == "ib.code"


@pytest.mark.real_password_cost
def test_unknown_waiting_disabled_and_wrong_get_the_same_answer_after_argon2(store):
    """A locked account answered in 3 ms with its own text: which names exist showed. Every
    refusal is now the same text, and each runs argon2 (takes at least what one verify
    takes; a busy machine only makes it slower, so the floor holds)."""
    accounts.add(store, "bestaat", "leiding", PASSWORD, actor="b")
    accounts.add(store, "uit", "leiding", PASSWORD, actor="b")
    accounts.disable(store, "uit", actor="b")
    start = now()
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "bestaat", f"fout {attempt}", start)
    verify = []
    for _ in range(3):
        began = time.perf_counter()
        with pytest.raises(VerificationError):
            passwords.HASHER.verify(passwords.no_account_hash(), "iets anders")
        verify.append(time.perf_counter() - began)
    floor = 0.5 * min(verify)
    incidents = {
        "onbekende naam": ("bestaat-niet", PASSWORD),
        "wacht": ("bestaat", PASSWORD),
        "uitgezet": ("uit", PASSWORD),
        "verkeerd": ("bestaat", "verkeerd wachtwoord"),
    }
    answers = {}
    for incident, (name, password) in incidents.items():
        client = PERSON if incident == "verkeerd" else ATTACKER
        began = time.perf_counter()
        answers[incident] = refused(store, name, password, start + timedelta(seconds=1), client)
        assert time.perf_counter() - began >= floor, incident
    assert set(answers.values()) == {accounts.REFUSED}, answers


def test_unlock_clears_every_wait_and_is_audited(store):
    accounts.add(store, "s.dekker", "zorgteam", PASSWORD, actor="b")
    start = now()
    for client in (ATTACKER, PERSON):
        for attempt in range(accounts.FREE_FAILURES):
            refused(store, "s.dekker", f"fout {attempt}", start, client)
    assert set(waits(store, "s.dekker")) == {ATTACKER, PERSON}
    assert [a.locked_until for a in accounts.listed(store, at=start)] == [
        start + accounts.FIRST_DELAY
    ]
    assert accounts.unlock(store, "s.dekker", actor="beheerder") == 2
    assert waits(store, "s.dekker") == {}
    assert accounts.sign_in(store, "s.dekker", PASSWORD, at=start, client=PERSON).name
    assert ("beheerder", "account_unlock", {"account": "s.dekker", "clients": 2}) in (
        audit_entries(store)
    )
    with pytest.raises(AccountError, match="geen account"):
        accounts.unlock(store, "niemand", actor="beheerder")


def test_reset_and_enable_also_lift_the_waits(store):
    accounts.add(store, "r.wit", "leiding", PASSWORD, actor="b")
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "r.wit", f"fout {attempt}", now())
    accounts.reset(store, "r.wit", "een ander lang wachtwoord", actor="b")
    assert waits(store, "r.wit") == {}
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "r.wit", f"fout {attempt}", now())
    accounts.disable(store, "r.wit", actor="b")
    accounts.enable(store, "r.wit", actor="b")
    assert waits(store, "r.wit") == {}


def test_a_totp_code_works_once(store):
    """The same code was accepted 5 times within 52 s. Now a code of a time step already
    used, or of an earlier one, is refused (and counts as a failure)."""
    secret = accounts.add(store, "ib.once", "zorgteam", PASSWORD, actor="b", two_factor=True)
    totp = pyotp.TOTP(secret)
    at = now()
    code = totp.at(at.replace(tzinfo=UTC))
    assert accounts.sign_in(store, "ib.once", PASSWORD, code, at=at, client=PERSON).name
    later = at + timedelta(seconds=10)
    assert refused(store, "ib.once", PASSWORD, later, PERSON, code) == accounts.REFUSED
    earlier = totp.at(at.replace(tzinfo=UTC) - timedelta(seconds=30))
    assert refused(store, "ib.once", PASSWORD, later, PERSON, earlier) == accounts.REFUSED
    following = at + timedelta(seconds=30)
    fresh = totp.at(following.replace(tzinfo=UTC))
    assert accounts.sign_in(store, "ib.once", PASSWORD, fresh, at=following, client=PERSON)
    refusals = [d for _, action, d in audit_entries(store) if action == "login_refused"]
    assert len(refusals) == 2


def test_a_disabled_account_or_a_new_password_ends_the_session(store):
    accounts.add(store, "a.jansen", "zorgteam", PASSWORD, actor="b")
    person = accounts.sign_in(store, "a.jansen", PASSWORD)
    assert still_valid(store, person) == person
    accounts.disable(store, "a.jansen", actor="b")
    assert still_valid(store, person) is None
    with pytest.raises(SignInRefused):
        accounts.sign_in(store, "a.jansen", PASSWORD)
    accounts.enable(store, "a.jansen", actor="b")
    again = accounts.sign_in(store, "a.jansen", PASSWORD)
    accounts.reset(store, "a.jansen", "een heel nieuw wachtwoord", actor="b")
    assert still_valid(store, again) is None
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
    uri = passwords.provisioning_uri(secret, "ib")
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


def test_users_unlock_on_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path}/u.sqlite"
    store = Store(db).ensure_schema()
    accounts.add(store, "l.mulder", "leerkracht", PASSWORD, actor="b")
    at = now()
    for attempt in range(accounts.FREE_FAILURES):
        refused(store, "l.mulder", f"fout {attempt}", at)
    runner = CliRunner()
    listing = runner.invoke(main, ["users", "list", "--db", db]).output
    assert "wacht na mislukte pogingen tot" in listing
    result = runner.invoke(main, ["users", "unlock", "--db", db, "l.mulder", "--by", "de ib"])
    assert result.exit_code == 0, result.output
    assert "kan weer meteen inloggen" in result.output
    assert waits(store, "l.mulder") == {}
    assert "wacht" not in runner.invoke(main, ["users", "list", "--db", db]).output
    assert ("de ib", "account_unlock", {"account": "l.mulder", "clients": 1}) in (
        audit_entries(store)
    )
    result = runner.invoke(main, ["users", "unlock", "--db", db, "niemand"])
    assert result.exit_code == 1 and "er is geen account 'niemand'" in result.output
    assert "Traceback" not in result.output
    help_text = runner.invoke(main, ["users", "unlock", "--help"]).output
    assert "wachttijd" in help_text and "NAAM" in help_text
