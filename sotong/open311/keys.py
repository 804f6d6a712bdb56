"""API keys for ``POST requests``: created by staff (``sotong open311 key create``), kept hashed.

A key is 32 random bytes, so a plain SHA-256 is enough at rest (no password-style slow
hash: nothing to brute-force) and lets a request find its key with one indexed lookup
instead of comparing against every stored key. A revoked key stays in the table so the
list still shows who had it and when it stopped.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import from_db, now_utc, to_db
from sotong.open311.errors import Open311Error
from sotong.open311.models import Open311ApiKey

KEY_PREFIX = "o311_"
MAX_KEY = 100  # longer strings are not ours: refused before hashing
_CLIENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    client: str
    key_prefix: str
    created_at: datetime  # aware UTC
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _view(row: Open311ApiKey) -> ApiKeyView:
    return ApiKeyView(
        id=row.id,
        client=row.client,
        key_prefix=row.key_prefix,
        created_at=from_db(row.created_at),
        revoked_at=from_db(row.revoked_at),
        last_used_at=from_db(row.last_used_at),
    )


def check_client_name(client: str) -> str:
    name = (client or "").strip().lower()
    if not _CLIENT.match(name):
        raise ValueError("client name: 1-60 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
    return name


def create_key(session: Session, client: str, now: datetime | None = None) -> tuple[ApiKeyView, str]:
    """A new key for ``client``: (its record, the key — shown to the operator once, never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = Open311ApiKey(
        client=check_client_name(client),
        key_hash=_hash(key),
        key_prefix=key[: len(KEY_PREFIX) + 4],
        created_at=to_db(now or now_utc()),
    )
    session.add(row)
    session.flush()
    return _view(row), key


def list_keys(session: Session) -> list[ApiKeyView]:
    return [_view(r) for r in session.execute(select(Open311ApiKey).order_by(Open311ApiKey.id)).scalars()]


def revoke_key(session: Session, key_id: int, now: datetime | None = None) -> ApiKeyView:
    """Revoke at once (idempotent: revoking twice keeps the first time). LookupError if unknown."""
    row = session.get(Open311ApiKey, key_id)
    if row is None:
        raise LookupError(f"no Open311 API key with id {key_id}")
    if row.revoked_at is None:
        row.revoked_at = to_db(now or now_utc())
        session.flush()
    return _view(row)


def authenticate(session: Session, key: str | None, now: datetime | None = None) -> ApiKeyView:
    """The active key's record; Open311Error 403 for a missing, unknown or revoked key.

    The three answers are worded alike on purpose: a caller learns nothing about which
    keys exist or existed.
    """
    raw = (key or "").strip()
    row = None
    if raw and len(raw) <= MAX_KEY:
        row = session.execute(select(Open311ApiKey).where(Open311ApiKey.key_hash == _hash(raw))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        what = "missing" if not raw else "invalid or revoked"
        raise Open311Error(403, f"api_key {what} -- can't proceed with create_request")
    row.last_used_at = to_db(now or now_utc())
    return _view(row)
