"""An officer's own account (내 계정): change one's own password, see one's own signed-in
browsers, end one of them.

Changing the password needs the old one. It ends every *other* session (a new nonce for
the account, and this browser's session moved onto it), so a stolen cookie stops working
while the officer stays signed in where they are. A wrong old password counts like a
wrong sign-in: ``MAX_FAILURES`` in a row lock the account and end every session, so a
borrowed, unlocked screen cannot be used to guess the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit, passwords
from sotong.staff.accounts import MAX_PASSWORD, check_password, new_nonce
from sotong.staff.errors import InvalidStaffInput, NotSignedIn
from sotong.staff.models import StaffAccount, StaffSession
from sotong.staff.passwords import hasher_from_env
from sotong.staff.principal import StaffPrincipal
from sotong.staff.sessions import IDLE, LOCKOUT, MAX_FAILURES, ActiveSession


class SessionNotFound(LookupError):
    """No open session of this account with that id (another officer's is not found either)."""


@dataclass(frozen=True)
class OwnSession:
    id: int
    created_at: datetime
    last_seen_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool  # the browser asking


def _account(session: Session, who: StaffPrincipal) -> StaffAccount:
    account = session.get(StaffAccount, who.account_id)
    if account is None or not account.active:
        raise NotSignedIn("account gone")
    return account


def _open_sessions(account: StaffAccount, at: datetime):
    return (
        select(StaffSession)
        .where(
            StaffSession.account_id == account.id,
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > at,
            StaffSession.last_seen_at > at - IDLE,
            StaffSession.nonce == account.session_nonce,
        )
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )


def list_sessions(session: Session, active: ActiveSession, *, now: datetime | None = None) -> list[OwnSession]:
    """This account's browsers that are still signed in, most recently used first."""
    account = _account(session, active.principal)
    rows = session.execute(_open_sessions(account, to_db(now or now_utc()))).unique().scalars().all()
    return [OwnSession(r.id, r.created_at, r.last_seen_at, r.ip, r.user_agent, r.id == active.session_id) for r in rows]


def end_session(
    session: Session, active: ActiveSession, session_id: int, *, ip: str | None = None, now: datetime | None = None
) -> bool:
    """Sign one of one's own browsers out; True when it was this browser."""
    account = _account(session, active.principal)
    at = to_db(now or now_utc())
    row = session.get(StaffSession, session_id)
    if row is None or row.account_id != account.id or row.revoked_at is not None:
        raise SessionNotFound(session_id)
    row.revoked_at = at
    audit.record(session, active.principal, "end_own_session", target=f"session:{session_id}", ip=ip, now=now)
    return session_id == active.session_id


def change_password(
    session: Session,
    active: ActiveSession,
    old_password: str,
    new_password: str,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """Set a new password; returns how many other sessions were ended.

    InvalidStaffInput("old_password") for a wrong old password (counted, see the module
    docstring), ("password") for a new one that is too short, too long or the same.
    """
    who = active.principal
    account = _account(session, who)
    at = to_db(now or now_utc())
    if not passwords.verify(account.password_hash, (old_password or "")[:MAX_PASSWORD]):
        account.failed_logins = (account.failed_logins or 0) + 1
        detail = f"wrong old password ({account.failed_logins})"
        if account.failed_logins >= MAX_FAILURES:
            account.failed_logins = 0
            account.locked_until = at + LOCKOUT
            _revoke(session, account, at, keep=None)
            detail += "; locked, every session ended"
        audit.record(session, who, "change_own_password_failed", detail=detail, ip=ip, now=now)
        raise InvalidStaffInput("old_password", "wrong password")
    new_password = check_password(new_password)
    if new_password == old_password:
        raise InvalidStaffInput("password", "the new password is the old one")
    account.password_hash = hasher_from_env().hash(new_password)
    account.failed_logins = 0
    ended = _revoke(session, account, at, keep=active.session_id)
    audit.record(session, who, "change_own_password", detail=f"{ended} other session(s) ended", ip=ip, now=now)
    return ended


def _revoke(session: Session, account: StaffAccount, at: datetime, *, keep: int | None) -> int:
    """A new nonce ends every session at once; the one kept is moved onto it."""
    account.session_nonce = new_nonce()
    account.updated_at = at
    others = update(StaffSession).where(StaffSession.account_id == account.id, StaffSession.revoked_at.is_(None))
    if keep is not None:
        others = others.where(StaffSession.id != keep)
    ended = session.execute(others.values(revoked_at=at).execution_options(synchronize_session=False)).rowcount
    if keep is not None:
        session.execute(
            update(StaffSession)
            .where(StaffSession.id == keep)
            .values(nonce=account.session_nonce)
            .execution_options(synchronize_session=False)
        )
    return int(ended or 0)
