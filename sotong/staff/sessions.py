"""Signing in and out of the console: lockout, server-side sessions, CSRF tokens.

The browser holds only a random session id (cookie); the database keeps its SHA-256,
the account's nonce at sign-in and a per-session CSRF token. A session ends when it
is logged out, idles past ``IDLE``, reaches ``MAX_AGE``, or the account's nonce changes
(log out everywhere, disable, new password).

Lockout: ``MAX_FAILURES`` wrong passwords in a row lock the account for ``LOCKOUT``;
the answer to a wrong name, a wrong password and a disabled account is the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit, passwords
from sotong.staff.accounts import MAX_PASSWORD, USERNAME, principal_of
from sotong.staff.errors import AccountLocked, LoginFailed, NotSignedIn
from sotong.staff.models import StaffAccount, StaffSession
from sotong.staff.passwords import hasher_from_env
from sotong.staff.principal import StaffPrincipal

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE = timedelta(hours=2)
MAX_AGE = timedelta(hours=12)  # a working day: sign in again the next morning
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the cookie; shown once, stored hashed
    csrf_token: str
    principal: StaffPrincipal


@dataclass(frozen=True)
class ActiveSession:
    principal: StaffPrincipal
    csrf_token: str
    session_id: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(
    session: Session,
    username: str,
    password: str,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """Check the password and open a session; LoginFailed or AccountLocked otherwise.

    Failures are counted and audited in the caller's transaction, so the caller catches
    the error *inside* its ``session_scope`` (which then commits): otherwise the count
    is rolled back and the lockout never bites.
    """
    now = now or now_utc()
    at = to_db(now)
    name = (username or "").strip().lower()[:40]
    password = (password or "")[:MAX_PASSWORD]
    account = (
        session.execute(select(StaffAccount).where(StaffAccount.username == name).with_for_update(of=StaffAccount))
        .unique()
        .scalar_one_or_none()
        if USERNAME.match(name)  # anything else cannot be an account (and NUL would upset PostgreSQL)
        else None
    )
    if account is None:
        passwords.dummy_verify(password)  # same time as a real check: names do not leak
        audit.record(session, None, "login_failed", username=name or "?", detail="unknown name", ip=ip, now=now)
        raise LoginFailed("wrong name or password")
    who = principal_of(account)
    if account.locked_until is not None and account.locked_until > at:
        audit.record(session, who, "login_refused", detail="locked", ip=ip, now=now)
        raise AccountLocked(account.locked_until)
    if not passwords.verify(account.password_hash, password) or not account.active:
        account.failed_logins = (account.failed_logins or 0) + 1
        detail = "disabled" if account.active is False else f"wrong password ({account.failed_logins})"
        if account.failed_logins >= MAX_FAILURES:
            account.locked_until = at + LOCKOUT
            account.failed_logins = 0
            detail += "; locked"
        audit.record(session, who, "login_failed", detail=detail, ip=ip, now=now)
        raise LoginFailed("wrong name or password")
    hasher = hasher_from_env()
    if hasher.needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = at
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            account=account,
            nonce=account.session_nonce,
            csrf_token=csrf,
            created_at=at,
            last_seen_at=at,
            expires_at=at + MAX_AGE,
            ip=ip[:64] if ip else None,
            user_agent=_printable(user_agent)[:200] or None,
        )
    )
    audit.record(session, who, "login", ip=ip, now=now)
    return SignedIn(token, csrf, who)


def _printable(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch >= " ")


def current(session: Session, token: str | None, *, now: datetime | None = None) -> ActiveSession:
    """The signed-in staff member behind a cookie, or NotSignedIn."""
    if not token or len(token) > 100:
        raise NotSignedIn("no session")
    at = to_db(now or now_utc())
    row = (
        session.execute(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        .unique()
        .scalar_one_or_none()
    )
    if row is None or row.revoked_at is not None or row.expires_at <= at or row.last_seen_at + IDLE <= at:
        raise NotSignedIn("no session")
    account = row.account
    if not account.active or not hmac.compare_digest(row.nonce, account.session_nonce):
        raise NotSignedIn("no session")
    if at - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = at
    return ActiveSession(principal_of(account), row.csrf_token, row.id)


def check_csrf(active: ActiveSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(active.csrf_token.encode(), (given or "").encode("utf-8", "replace"))


def logout(session: Session, token: str | None, *, ip: str | None = None, now: datetime | None = None) -> None:
    """End this one session (idempotent)."""
    if not token:
        return
    at = to_db(now or now_utc())
    row = (
        session.execute(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        .unique()
        .scalar_one_or_none()
    )
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = at
    audit.record(session, principal_of(row.account), "logout", ip=ip, now=now)
