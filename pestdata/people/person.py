"""Who is signed in: the person behind a request or a page, checked against their account.

Apart from accounts.py (signing in, waits, account changes) because every page's kernel needs
this and nothing of that: a kernel knows its person from what the server signed
(`sign_person`, `verify_person`) and asks `still_valid` before each write (ui/common.save).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

import sqlalchemy as sa

from pestdata.db.store import Store
from pestdata.db.tables import accounts


@dataclass(frozen=True)
class Person:
    """Who is signed in: the name in every audit entry, the role for what they may open."""

    name: str
    role: str
    session: int = 0  # the account's session_version when they signed in

    @classmethod
    def standing_in(cls, role: str) -> Person:
        """Who works on a page without a signed-in person (a token server, a script): the
        role stands in, 'toegangscode (zorgteam)', or 'toegangscode (geen rol)'."""
        return cls(f"toegangscode ({role or 'geen rol'})", role)

    @property
    def has_account(self) -> bool:
        """A personal account (session versions start at 1); a token server's person, which
        stands for its role, has none."""
        return self.session > 0


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


# --- the signed-in person on its way to the kernel -------------------------------------------


def sign_person(person: Person, key: str) -> str:
    """The person as the server hands them to a page's kernel: name, role and session with an
    HMAC under the server's key, so nothing but the server can make one (server.py)."""
    data = {"name": person.name, "role": person.role, "session": person.session}
    body = base64.urlsafe_b64encode(json.dumps(data).encode("utf-8")).decode("ascii")
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
    return Person(str(data["name"]), str(data["role"]), int(data.get("session", 0)))
