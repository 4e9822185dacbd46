"""Personal accounts: who may sign in, with which role. Every change is in the audit.

Passwords and codes are checked in passwords.py (argon2; TOTP codes that work once: the
account keeps the last time step it signed in with). The server asks `sign_in` at the login
(web/login.py) and person.py's `still_valid` on every request (web/sessions.py), so a
disabled account or a reset password ends its sessions at once.

Wrong attempts slow down guessing without handing anyone a way to keep a person out:

- Failures count per (name, client), in the database (`login_failures`). The client is the
  browser's address (the school's proxy names it in X-Forwarded-For, believed only with the
  proxy's key), or a browser this person signed in with before (web/sessions.py's device cookie).
- The first `FREE_FAILURES` wrong attempts of a pair cost nothing; after that the pair waits
  `FIRST_DELAY`, twice as long after each further failure, never longer than `MAX_DELAY`
  (4 minutes). Attempts while it waits are refused unchecked (argon2 still runs) and do not
  make the wait longer. A pair quiet for `FORGET_AFTER` starts again at 0; signing in clears
  it.
- So someone who knows only a name delays only their own client: the person signs in from
  their own browser or address as always, and from the attacker's own address after at most
  `MAX_DELAY`. The right password with a fresh code (two-factor accounts) passes any wait.
  `pestdata users unlock NAAM` clears every wait of an account. Every wait that starts is in
  the audit ('login_locked', with the client), as is every refusal and the unlock.
- An unknown name, a waiting pair, a disabled account and a wrong password or code get the
  same answer (`REFUSED`) after the same work: one argon2 verify, the same writes.
- Besides this, web/login.py refuses a client that failed 20 times in 5 minutes (any names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from pestdata.core.choices import StaffRole
from pestdata.core.errors import PestdataError
from pestdata.db.store import Store, audit_row, now
from pestdata.db.tables import accounts, audit, conflict_insert, login_failures
from pestdata.people.person import Person

FREE_FAILURES = 5  # per (name, client): wrong attempts before the first wait
FIRST_DELAY = timedelta(seconds=30)  # the first wait; each further failure doubles it
MAX_DELAY = timedelta(minutes=4)  # ... up to this: nobody is kept out for longer in a row
FORGET_AFTER = timedelta(hours=24)  # a pair without failures this long starts again at 0
MIN_PASSWORD = 10


class AccountError(PestdataError):
    """An account change refused, with a Dutch message."""


class SignInRefused(PestdataError):
    """A login refused; the message is Dutch and says nothing about which part was wrong."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    two_factor: bool
    locked_until: datetime | None  # the last wait of any client for this name, if one runs
    created_at: datetime


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise AccountError("Naam: vul een naam in van hoogstens 80 tekens")
    return name


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"Wachtwoord: gebruik minstens {MIN_PASSWORD} tekens")
    return password


def _check_role(role: str) -> str:
    if role not in {r.value for r in StaffRole}:
        raise AccountError(f"Rol: kies uit {', '.join(r.value for r in StaffRole)}")
    return role


def _audit(conn, actor: str, action: str, name: str, details: dict | None = None) -> None:
    value = json.dumps({"account": name, **(details or {})}, ensure_ascii=False)
    conn.execute(audit.insert(), audit_row(actor, action, None, "account", None, value))


def add(
    store: Store, name: str, role: str, password: str, actor: str, two_factor: bool = False
) -> str | None:
    """A new account; returns the TOTP secret to put in an authenticator app, if asked."""
    from pestdata.people import passwords  # argon2, pyotp: never in a page's kernel

    name, role = _check_name(name), _check_role(role)
    secret = passwords.new_secret() if two_factor else None
    with store.writing() as conn:
        if conn.execute(sa.select(accounts.c.id).where(accounts.c.name == name)).first():
            raise AccountError(f"Naam: er is al een account '{name}'")
        conn.execute(
            accounts.insert().values(
                name=name,
                role=role,
                password_hash=passwords.hashed(_check_password(password)),
                totp_secret=secret,
                created_at=now(),
            )
        )
        _audit(conn, actor, "account_add", name, {"role": role, "two_factor": two_factor})
    return secret


def listed(store: Store, at: datetime | None = None) -> list[Account]:
    at = at or now()
    waits = (
        sa.select(login_failures.c.name, sa.func.max(login_failures.c.locked_until).label("until"))
        .where(login_failures.c.locked_until > at)
        .group_by(login_failures.c.name)
        .subquery()
    )
    with store.reading() as conn:
        rows = conn.execute(
            sa.select(accounts, waits.c.until)
            .outerjoin(waits, waits.c.name == accounts.c.name)
            .order_by(accounts.c.name)
        ).all()
    return [
        Account(r.name, r.role, r.disabled, bool(r.totp_secret), r.until, r.created_at)
        for r in rows
    ]


def _change(
    store: Store, name: str, actor: str, action: str, values: dict, details=None, unlock=False
):
    with store.writing() as conn:
        found = conn.execute(
            accounts.update()
            .where(accounts.c.name == name)
            .values(session_version=accounts.c.session_version + 1, **values)
        ).rowcount
        if not found:
            raise AccountError(f"Naam: er is geen account '{name}'")
        if unlock:
            conn.execute(login_failures.delete().where(login_failures.c.name == name))
        _audit(conn, actor, action, name, details)


def disable(store: Store, name: str, actor: str) -> None:
    """The account can no longer sign in; its open sessions end at their next request."""
    _change(store, name, actor, "account_disable", {"disabled": True})


def enable(store: Store, name: str, actor: str) -> None:
    _change(store, name, actor, "account_enable", {"disabled": False}, unlock=True)


def unlock(store: Store, name: str, actor: str) -> int:
    """Clear every wait and failure count of an account (all clients); returns how many
    clients were waiting or counting. Sessions stay as they are."""
    name = (name or "").strip()
    with store.writing() as conn:
        if not conn.execute(sa.select(accounts.c.id).where(accounts.c.name == name)).first():
            raise AccountError(f"Naam: er is geen account '{name}'")
        cleared = conn.execute(
            login_failures.delete().where(login_failures.c.name == name)
        ).rowcount
        _audit(conn, actor, "account_unlock", name, {"clients": cleared})
    return cleared


def sign_out(store: Store, name: str) -> None:
    """The person signed out: every session of the account ends (here and in any other
    browser), in the audit as 'logout'."""
    with store.writing() as conn:
        found = conn.execute(
            accounts.update()
            .where(accounts.c.name == name)
            .values(session_version=accounts.c.session_version + 1)
        ).rowcount
        if found:
            _audit(conn, name, "logout", name)


def reset(
    store: Store, name: str, password: str, actor: str, two_factor: bool | None = None
) -> str | None:
    """A new password (and lock lifted); `two_factor` True gives a new TOTP secret, False
    removes it, None keeps it. Ends the account's sessions."""
    from pestdata.people import passwords  # argon2, pyotp: never in a page's kernel

    values = {"password_hash": passwords.hashed(_check_password(password))}
    secret = None
    if two_factor is not None:
        secret = passwords.new_secret() if two_factor else None
        values.update(totp_secret=secret, totp_last_step=None)
    _change(store, name, actor, "account_reset", values, {"two_factor": two_factor}, unlock=True)
    return secret


REFUSED = (
    "Naam, wachtwoord of code klopt niet. Na vijf mislukte pogingen moet je even wachten "
    f"(hoogstens {MAX_DELAY.seconds // 60} minuten) voordat je het opnieuw kunt proberen."
)
NEEDS_TWO_FACTOR = (
    "Voor jouw rol is inloggen met een code verplicht. Vraag de beheerder om tweestaps-inloggen "
    "aan te zetten (pestdata users reset NAAM --two-factor)."
)


def delay(failures: int) -> timedelta | None:
    """How long a (name, client) pair waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return None
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 16))


def sign_in(
    store: Store,
    name: str,
    password: str,
    code: str = "",
    at: datetime | None = None,
    two_factor_roles: tuple[str, ...] = (),
    client: str = "",
) -> Person:
    """The person behind a name and password (and a fresh code, when the account has
    two-factor login); refused in Dutch otherwise, always with the same words (`REFUSED`).
    `client` is who is trying (web/sessions.device_client): failures count and wait per
    (name, client), see the module's text. Every refusal and every wait is audited. An
    account whose role is in `two_factor_roles` but has no code yet cannot sign in."""
    from pestdata.people import passwords  # argon2, pyotp: never in a page's kernel

    at = at or now()
    name = (name or "").strip()
    key, client = name[:80], (client or "onbekend")[:100]
    refusal = None  # raised after the transaction: the failure and its audit must be kept
    with store.writing() as conn:
        row = conn.execute(
            sa.select(accounts).where(accounts.c.name == name).with_for_update()
        ).first()
        pair = _pair(conn, key, client, at)
        waiting = pair.locked_until is not None and pair.locked_until > at
        # One argon2 verify on every path: an unknown name takes as long as a known one.
        good = passwords.verify(row.password_hash if row else passwords.no_account_hash(), password)
        good = good and row is not None and not row.disabled
        step = None
        if good and row.totp_secret:
            step = passwords.fresh_step(row.totp_secret, row.totp_last_step, code, at)
            good = step is not None
        if waiting and not (good and row.totp_secret):
            good = False  # while a pair waits only the password with a fresh code passes
        where = (login_failures.c.name == key) & (login_failures.c.client == client)
        if good:
            conn.execute(login_failures.delete().where(where))
            if step is not None:
                conn.execute(
                    accounts.update().where(accounts.c.id == row.id).values(totp_last_step=step)
                )
            _audit(conn, name, "login", name, {"client": client})
            if row.role in two_factor_roles and not row.totp_secret:
                refusal = NEEDS_TWO_FACTOR
        else:
            refusal, until = REFUSED, None
            details = {"client": client, "waiting": waiting}
            if not waiting:
                failures = (0 if at - pair.last_failed_at > FORGET_AFTER else pair.failures) + 1
                wait = delay(failures)
                until = at + wait if wait else None
                conn.execute(
                    login_failures.update()
                    .where(where)
                    .values(failures=failures, last_failed_at=at, locked_until=until)
                )
                details["failures"] = failures
            _audit(conn, key, "login_refused", key, details)
            if until:
                _audit(conn, key, "login_locked", key, {
                    "client": client, "failures": failures, "until": until.isoformat(),
                    "seconds": int(wait.total_seconds()),
                })  # fmt: skip
            gone = login_failures.c.last_failed_at < at - FORGET_AFTER
            until_col = login_failures.c.locked_until
            gone = gone & sa.or_(until_col.is_(None), until_col < at)
            conn.execute(login_failures.delete().where(gone))  # they count for nothing any more
    if refusal:
        raise SignInRefused(refusal)
    return Person(row.name, row.role, row.session_version)


def _pair(conn, name: str, client: str, at: datetime):
    """The failure count of (name, client), made at 0 if there is none, and held for this
    transaction (two wrong attempts at once both count)."""
    insert = conflict_insert(conn.dialect.name)
    conn.execute(
        insert(login_failures)
        .values(name=name, client=client, failures=0, last_failed_at=at)
        .on_conflict_do_nothing(index_elements=["name", "client"])
    )
    return conn.execute(
        sa.select(login_failures)
        .where((login_failures.c.name == name) & (login_failures.c.client == client))
        .with_for_update()
    ).one()


def needs_code(store: Store, name: str) -> bool:
    with store.reading() as conn:
        secret = conn.execute(
            sa.select(accounts.c.totp_secret).where(accounts.c.name == (name or "").strip())
        ).scalar()
    return bool(secret)
