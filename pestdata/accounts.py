"""Personal accounts: who may sign in, with which role. Every change is in the audit.

Passwords are hashed with argon2 (argon2-cffi); a school can add a second factor per account
(TOTP, pyotp: the six-digit code of an authenticator app). After `MAX_FAILURES` wrong
attempts an account is locked for `LOCK_MINUTES`. The server (server.py) asks `sign_in` at
the login and `still_valid` on every request, so a disabled account or a reset password ends
its sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .model import StaffRole
from .store import Store, audit_row, now
from .tables import accounts, audit

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
HASHER = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
UNKNOWN = HASHER.hash("geen account met deze naam")


@dataclass(frozen=True)
class Person:
    """Who is signed in: the name in every audit entry, the role for what they may open."""

    name: str
    role: str
    session: int = 0  # the account's session_version when they signed in


class AccountError(ValueError):
    """An account change refused, with a Dutch message."""


class SignInRefused(Exception):
    """A login refused; the message is Dutch and says nothing about which part was wrong."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    two_factor: bool
    locked_until: datetime | None
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
    name, role = _check_name(name), _check_role(role)
    secret = pyotp.random_base32() if two_factor else None
    with store.writing() as conn:
        if conn.execute(sa.select(accounts.c.id).where(accounts.c.name == name)).first():
            raise AccountError(f"Naam: er is al een account '{name}'")
        conn.execute(
            accounts.insert().values(
                name=name,
                role=role,
                password_hash=HASHER.hash(_check_password(password)),
                totp_secret=secret,
                created_at=now(),
            )
        )
        _audit(conn, actor, "account_add", name, {"role": role, "two_factor": two_factor})
    return secret


def listed(store: Store) -> list[Account]:
    with store.reading() as conn:
        rows = conn.execute(sa.select(accounts).order_by(accounts.c.name)).all()
    return [
        Account(r.name, r.role, r.disabled, bool(r.totp_secret), r.locked_until, r.created_at)
        for r in rows
    ]


def _change(store: Store, name: str, actor: str, action: str, values: dict, details=None):
    with store.writing() as conn:
        found = conn.execute(
            accounts.update()
            .where(accounts.c.name == name)
            .values(session_version=accounts.c.session_version + 1, **values)
        ).rowcount
        if not found:
            raise AccountError(f"Naam: er is geen account '{name}'")
        _audit(conn, actor, action, name, details)


def disable(store: Store, name: str, actor: str) -> None:
    """The account can no longer sign in; its open sessions end at their next request."""
    _change(store, name, actor, "account_disable", {"disabled": True})


def enable(store: Store, name: str, actor: str) -> None:
    _change(store, name, actor, "account_enable", {"disabled": False, "failed_logins": 0})


def reset(
    store: Store, name: str, password: str, actor: str, two_factor: bool | None = None
) -> str | None:
    """A new password (and lock lifted); `two_factor` True gives a new TOTP secret, False
    removes it, None keeps it. Ends the account's sessions."""
    values = {
        "password_hash": HASHER.hash(_check_password(password)),
        "failed_logins": 0,
        "locked_until": None,
    }
    secret = None
    if two_factor is not None:
        secret = pyotp.random_base32() if two_factor else None
        values["totp_secret"] = secret
    _change(store, name, actor, "account_reset", values, {"two_factor": two_factor})
    return secret


def provisioning_uri(secret: str, name: str, school: str = "pestdata") -> str:
    """The otpauth:// address an authenticator app scans (as a QR code) or takes as text."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=school)


REFUSED = "Naam, wachtwoord of code klopt niet."
LOCKED = "Te vaak een verkeerd wachtwoord: dit account is {minutes} minuten geblokkeerd."
NEEDS_TWO_FACTOR = (
    "Voor jouw rol is inloggen met een code verplicht. Vraag de beheerder om tweestaps-inloggen "
    "aan te zetten (pestdata users reset NAAM --two-factor)."
)


def sign_in(
    store: Store,
    name: str,
    password: str,
    code: str = "",
    at: datetime | None = None,
    two_factor_roles: tuple[str, ...] = (),
) -> Person:
    """The person behind a name and password (and code, when the account has two-factor
    login); refused in Dutch otherwise. Failures count towards a lock; each is audited.
    An account whose role is in `two_factor_roles` but has no code yet cannot sign in."""
    at = at or now()
    name = (name or "").strip()
    refusal = None  # raised after the transaction: the failure and its audit must be kept
    with store.writing() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.name == name)).first()
        if row is None:
            _verify(UNKNOWN, password)
            refusal = REFUSED
        elif row.locked_until and row.locked_until > at:
            refusal = LOCKED.format(minutes=LOCK_MINUTES)
        else:
            good = _verify(row.password_hash, password) and not row.disabled
            if good and row.totp_secret:
                good = pyotp.TOTP(row.totp_secret).verify((code or "").strip(), valid_window=1)
            failures = 0 if good else row.failed_logins + 1
            locked = at + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            conn.execute(
                accounts.update()
                .where(accounts.c.id == row.id)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )
            _audit(conn, name, "login" if good else "login_refused", name,
                   None if good else {"locked": bool(locked)})  # fmt: skip
            if not good:
                refusal = LOCKED.format(minutes=LOCK_MINUTES) if locked else REFUSED
            elif row.role in two_factor_roles and not row.totp_secret:
                refusal = NEEDS_TWO_FACTOR
    if refusal:
        raise SignInRefused(refusal)
    return Person(row.name, row.role, row.session_version)


def needs_code(store: Store, name: str) -> bool:
    with store.reading() as conn:
        secret = conn.execute(
            sa.select(accounts.c.totp_secret).where(accounts.c.name == (name or "").strip())
        ).scalar()
    return bool(secret)


def still_valid(store: Store, person: Person) -> Person | None:
    """The person again if their account still stands as it did at sign-in (not disabled,
    password not reset, role as it is now); None ends the session."""
    with store.reading() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.name == person.name)).first()
    if row is None or row.disabled or row.session_version != person.session:
        return None
    return Person(row.name, row.role, row.session_version)


def current_person(store: Store, name: str) -> Person | None:
    """The person with this account name as it stands now (single sign-on: the proxy vouches
    for the name, pestdata's own account gives the role); None when absent or disabled."""
    with store.reading() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.name == name.strip())).first()
    if row is None or row.disabled:
        return None
    return Person(row.name, row.role, row.session_version)


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


# --- the signed-in person on its way to the kernel -------------------------------------------


def sign_person(person: Person, key: str) -> str:
    """The person as the server hands them to a page's kernel: name and role with an HMAC
    under the server's key, so nothing but the server can make one (server.py)."""
    body = base64.urlsafe_b64encode(
        json.dumps({"name": person.name, "role": person.role}).encode("utf-8")
    ).decode("ascii")
    mac = hmac.new(key.encode("utf-8"), body.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def verify_person(value: str, key: str) -> Person | None:
    """The person in a value `sign_person` made with the same key; None for anything else."""
    body, _, mac = (value or "").partition(".")
    if not key or not body or not mac:
        return None
    wanted = hmac.new(key.encode("utf-8"), body.encode("ascii"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(wanted, mac):
        return None
    data = json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
    return Person(str(data["name"]), str(data["role"]))
