"""Passwords and one-time codes: argon2 hashes, and TOTP codes that work once.

Passwords are hashed with argon2 (argon2-cffi); a school can add a second factor per account
(TOTP, pyotp: the six-digit code of an authenticator app). A code works once: the account
keeps the last time step it signed in with (accounts.sign_in), and a code of that step or an
earlier one is refused. Nothing here reads or writes the database: accounts.py does.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()  # argon2id at argon2-cffi's defaults (RFC 9106's low-memory choice)


def no_account_hash() -> str:
    """What a password is checked against when the name is unknown, so a wrong name takes as
    long as a wrong password (the same hasher). Made on first use, not at import: each
    `pestdata` command and server would otherwise spend one argon2 hash (~0.2 s of CPU)
    before doing anything."""
    return _hash_of_no_account(HASHER)


@cache
def _hash_of_no_account(hasher: PasswordHasher) -> str:
    return hasher.hash("geen account met deze naam")


def hashed(password: str) -> str:
    """The argon2 hash an account keeps instead of its password."""
    return HASHER.hash(password)


def verify(hashed: str, password: str) -> bool:
    """The password matches the hash; False for a wrong one or a hash that is none."""
    try:
        return HASHER.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    """A new TOTP secret, for an authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, name: str, school: str = "pestdata") -> str:
    """The otpauth:// address an authenticator app scans (as a QR code) or takes as text."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=school)


def fresh_step(secret: str, last_step: int | None, code: str, at: datetime) -> int | None:
    """The time step of `code` (this one, the one before or after: a clock a little off),
    if it is later than the last one used; None for a wrong or a used code."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at.replace(tzinfo=UTC) if at.tzinfo is None else at)
    code = (code or "").strip()
    for step in (current - 1, current, current + 1):
        fresh = last_step is None or step > last_step
        if fresh and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
