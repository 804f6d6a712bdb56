"""Per-officer API tokens for the staff JSON API (replacing the one shared token).

A token is ``sotong_`` + 32 random bytes (base64url), shown once when made; only its
SHA-256 is stored — enough for a secret this long, and a lookup by hash needs no scan.
The API acts as the token's account: its name goes into the complaint history, its role
and department decide what it may see. A token stops working when revoked or when its
account is disabled.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.accounts import find_account, principal_of
from sotong.staff.errors import InvalidStaffInput, NotSignedIn
from sotong.staff.models import StaffApiToken
from sotong.staff.principal import StaffPrincipal

PREFIX = "sotong_"
_SHAPE = re.compile(r"^sotong_[A-Za-z0-9_-]{43}$")  # what issue() makes; anything else is not looked up
MAX_LABEL = 100
TOUCH_EVERY_SECONDS = 60


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once
    prefix: str
    label: str


@dataclass(frozen=True)
class TokenView:
    id: int
    username: str
    prefix: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    session: Session, username: str, label: str, *, by: StaffPrincipal | None = None, now: datetime | None = None
) -> IssuedToken:
    account = find_account(session, username)
    label = (label or "").strip()
    if not label or len(label) > MAX_LABEL or any(ord(ch) < 32 for ch in label):
        raise InvalidStaffInput("label", f"1-{MAX_LABEL} characters saying what the token is for")
    token = PREFIX + secrets.token_urlsafe(32)
    row = StaffApiToken(
        account=account,
        token_hash=_hash(token),
        prefix=token[: len(PREFIX) + 4],
        label=label,
        created_at=to_db(now or now_utc()),
    )
    session.add(row)
    session.flush()
    audit.record(session, by, "issue_token", target=account.username, detail=label, username="cli", now=now)
    return IssuedToken(row.id, token, row.prefix, label)


def authenticate(session: Session, token: str | None, *, now: datetime | None = None) -> StaffPrincipal:
    """The account behind a bearer token; NotSignedIn for an unknown, revoked or disabled one."""
    if not token or not _SHAPE.match(token):
        raise NotSignedIn("invalid token")
    row = (
        session.execute(select(StaffApiToken).where(StaffApiToken.token_hash == _hash(token)))
        .unique()
        .scalar_one_or_none()
    )
    if row is None or row.revoked_at is not None or not row.account.active:
        raise NotSignedIn("invalid token")
    at = to_db(now or now_utc())
    if row.last_used_at is None or (at - row.last_used_at).total_seconds() >= TOUCH_EVERY_SECONDS:
        row.last_used_at = at
    return principal_of(row.account)


def revoke(
    session: Session, token_id: int, *, by: StaffPrincipal | None = None, now: datetime | None = None
) -> TokenView:
    row = session.get(StaffApiToken, token_id)
    if row is None or (by is not None and not by.is_admin and row.account_id != by.account_id):
        raise InvalidStaffInput("token", f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = to_db(now or now_utc())
        audit.record(session, by, "revoke_token", target=row.account.username, detail=row.label, username="cli")
    return _view(row)


def list_tokens(session: Session, username: str | None = None) -> list[TokenView]:
    stmt = select(StaffApiToken).order_by(StaffApiToken.id)
    rows = session.execute(stmt).unique().scalars().all()
    return [_view(r) for r in rows if username is None or r.account.username == username]


def _view(row: StaffApiToken) -> TokenView:
    return TokenView(
        id=row.id,
        username=row.account.username,
        prefix=row.prefix,
        label=row.label,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked_at is not None,
    )
