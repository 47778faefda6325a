"""Accounts, roles, sessions and API tokens: the library behind the login page, the API's token
check and ``observatory users``.

Passwords are hashed with argon2id (argon2-cffi's defaults). Session cookies and API tokens are
random secrets of which only a SHA-256 hash is stored, so a copy of the warehouse file opens
nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from observatory import organisations as orgs
from observatory.store import Warehouse

ROLES: dict[str, str] = {
    "member_analyst": "Member analyst",
    "member_admin": "Member admin",
    "network_coordinator": "Network coordinator",
    "administrator": "Administrator",
}
MEMBER_ROLES = frozenset({"member_analyst", "member_admin"})
NETWORK_ROLES = frozenset({"network_coordinator", "administrator"})
# Network staff belong to the network itself rather than to one member.
NETWORK_ORG = "network"
MIN_PASSWORD = 10
TOKEN_PREFIX = "obs_"

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A bad email, role, organisation or password; the message says which and why."""


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    organisation: str
    role: str
    is_demo: bool = False
    disabled: bool = False

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class Viewer:
    """Who is asking, and how they proved it (a session cookie or an API token)."""

    account: Account
    via: str  # session, token
    csrf_token: str | None = None

    @property
    def user_id(self) -> int:
        return self.account.user_id

    @property
    def email(self) -> str:
        return self.account.email

    @property
    def organisation(self) -> str:
        return self.account.organisation

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def is_member(self) -> bool:
        return self.role in MEMBER_ROLES

    def can_load_for(self, organisation: str) -> bool:
        """Members load their own organisation's files; network staff load for any member."""
        if self.role in NETWORK_ROLES:
            return True
        return self.is_member and organisation == self.organisation

    def can_write_records(self, organisation: str) -> bool:
        return self.is_member and organisation == self.organisation

    def can_share_records(self, organisation: str) -> bool:
        return self.role == "member_admin" and organisation == self.organisation

    @property
    def can_manage_users(self) -> bool:
        return self.role == "administrator"

    @property
    def can_read_audit(self) -> bool:
        return self.role in NETWORK_ROLES or self.role == "member_admin"


def _now() -> datetime:
    # Naive UTC throughout: DuckDB TIMESTAMP columns carry no zone.
    return datetime.now(UTC).replace(tzinfo=None)


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _account(row: dict[str, object]) -> Account:
    return Account(
        user_id=int(row["user_id"]),  # type: ignore[arg-type]
        email=str(row["email"]),
        organisation=str(row["organisation"]),
        role=str(row["role"]),
        is_demo=bool(row["is_demo"]),
        disabled=bool(row["disabled"]),
    )


_ACCOUNT_COLUMNS = "user_id, email, organisation, role, is_demo, disabled"


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise AccountError(f"{email!r} is not an email address")
    return value


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def check_role_and_organisation(warehouse: Warehouse, role: str, organisation: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
    members = [o.org_id for o in orgs.known(warehouse)]
    if role in MEMBER_ROLES and organisation not in members:
        raise AccountError(
            f"a {ROLES[role].lower()} belongs to a member organisation; "
            f"{organisation!r} is not one of: {', '.join(members)}"
        )
    if role in NETWORK_ROLES and organisation not in (*members, NETWORK_ORG):
        raise AccountError(
            f"unknown organisation {organisation!r}: use a member ({', '.join(members)}) "
            f"or {NETWORK_ORG!r}"
        )


def add_user(
    warehouse: Warehouse,
    email: str,
    organisation: str,
    role: str,
    password: str | None = None,
    is_demo: bool = False,
) -> tuple[Account, str]:
    """Create an account; returns it and its password (generated when none is given)."""
    address = normalise_email(email)
    check_role_and_organisation(warehouse, role, organisation)
    if find_user(warehouse, address) is not None:
        raise AccountError(f"an account for {address} already exists")
    secret = password if password is not None else secrets.token_urlsafe(12)
    check_password(secret)
    warehouse.execute(
        "INSERT INTO web_users (email, organisation, role, password_hash, is_demo, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [address, organisation, role, _hasher.hash(secret), is_demo, _now()],
    )
    found = find_user(warehouse, address)
    assert found is not None
    return found, secret


def set_password(warehouse: Warehouse, email: str, password: str) -> None:
    check_password(password)
    account = find_user(warehouse, email)
    if account is None:
        raise AccountError(f"no account for {email}")
    warehouse.execute(
        "UPDATE web_users SET password_hash = ? WHERE user_id = ?",
        [_hasher.hash(password), account.user_id],
    )


def find_user(warehouse: Warehouse, email: str) -> Account | None:
    rows = warehouse.fetch(
        f"SELECT {_ACCOUNT_COLUMNS} FROM web_users WHERE email = ?", [email.strip().lower()]
    )
    return _account(rows[0]) if rows else None


def get_user(warehouse: Warehouse, user_id: int) -> Account | None:
    rows = warehouse.fetch(f"SELECT {_ACCOUNT_COLUMNS} FROM web_users WHERE user_id = ?", [user_id])
    return _account(rows[0]) if rows else None


def list_users(warehouse: Warehouse) -> list[Account]:
    rows = warehouse.fetch(f"SELECT {_ACCOUNT_COLUMNS} FROM web_users ORDER BY organisation, email")
    return [_account(r) for r in rows]


def authenticate(warehouse: Warehouse, email: str, password: str) -> Account | None:
    rows = warehouse.fetch(
        f"SELECT {_ACCOUNT_COLUMNS}, password_hash FROM web_users WHERE email = ?",
        [email.strip().lower()],
    )
    stored = str(rows[0]["password_hash"]) if rows and rows[0]["password_hash"] else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    account = _account(rows[0])
    if account.disabled:
        return None
    if _hasher.check_needs_rehash(stored):
        warehouse.execute(
            "UPDATE web_users SET password_hash = ? WHERE user_id = ?",
            [_hasher.hash(password), account.user_id],
        )
    return account


# -- sessions -------------------------------------------------------------------------------


def create_session(warehouse: Warehouse, account: Account, hours: float) -> tuple[str, str]:
    """A new session; returns the cookie value and the session's CSRF token."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    warehouse.execute(
        "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
        [_sha(secret), account.user_id, csrf, now, now + timedelta(hours=hours)],
    )
    return secret, csrf


def session_viewer(warehouse: Warehouse, secret: str) -> Viewer | None:
    rows = warehouse.fetch(
        f"SELECT {', '.join('u.' + c.strip() for c in _ACCOUNT_COLUMNS.split(','))}, "
        "s.csrf_token FROM web_sessions s JOIN web_users u USING (user_id) "
        "WHERE s.session_hash = ? AND s.expires_at > ? AND NOT u.disabled",
        [_sha(secret), _now()],
    )
    if not rows:
        return None
    return Viewer(_account(rows[0]), "session", str(rows[0]["csrf_token"]))


def end_session(warehouse: Warehouse, secret: str) -> None:
    warehouse.execute("DELETE FROM web_sessions WHERE session_hash = ?", [_sha(secret)])


def end_expired_sessions(warehouse: Warehouse) -> None:
    warehouse.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [_now()])


# -- API tokens -----------------------------------------------------------------------------


def create_token(warehouse: Warehouse, account: Account, label: str = "") -> str:
    """A new API token for the account; only its hash is kept, so show it to the user once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    warehouse.execute(
        "INSERT INTO web_api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
        [account.user_id, _sha(token), label or None, _now()],
    )
    return token


def token_viewer(warehouse: Warehouse, token: str) -> Viewer | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    rows = warehouse.fetch(
        f"SELECT {', '.join('u.' + c.strip() for c in _ACCOUNT_COLUMNS.split(','))} "
        "FROM web_api_tokens t JOIN web_users u USING (user_id) "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND NOT u.disabled",
        [_sha(token)],
    )
    return Viewer(_account(rows[0]), "token") if rows else None


def list_tokens(warehouse: Warehouse, user_id: int) -> list[dict[str, object]]:
    return warehouse.fetch(
        "SELECT token_id, label, created_at, revoked_at FROM web_api_tokens WHERE user_id = ? "
        "ORDER BY token_id",
        [user_id],
    )


def revoke_token(warehouse: Warehouse, user_id: int, token_id: int) -> bool:
    rows = warehouse.fetch(
        "SELECT token_id FROM web_api_tokens WHERE token_id = ? AND user_id = ? "
        "AND revoked_at IS NULL",
        [token_id, user_id],
    )
    if not rows:
        return False
    warehouse.execute(
        "UPDATE web_api_tokens SET revoked_at = ? WHERE token_id = ?", [_now(), token_id]
    )
    return True


class LoginThrottle:
    """Refuses logins for an address after repeated failures (in memory, per server process)."""

    def __init__(self, limit: int = 10, window_seconds: float = 900.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, email: str) -> bool:
        with self._lock:
            recent = [
                t for t in self._failures.get(email, []) if time.monotonic() - t < self.window
            ]
            self._failures[email] = recent
            return len(recent) >= self.limit

    def failed(self, email: str) -> None:
        with self._lock:
            self._failures.setdefault(email, []).append(time.monotonic())

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email, None)
