"""Web devices: mint, verify, renew and revoke the signed ``sotong_device`` token.

The token is ``<public key>.<random 32 bytes>.<HMAC-SHA256>`` (base64url parts), signed
with SOTONG_SESSION_SECRET under its own domain so a web-chat session signature
(sotong.session_token) can never pass as a device token or the other way round. The
database keeps only sha256 of the random part: a leaked table does not sign anyone in.
A device unused for ``DEVICE_MAX_AGE`` (400 days, the cookie's Max-Age) is refused; use
slides the window, written at most once a day so page views don't all write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.complaints.models import Resident
from sotong.deadlines import from_db, now_utc, to_db
from sotong.residents.models import WebDevice

WEB = "web"  # the channel of a web resident (connectors.identity.WEB; the core cannot import it)
DEVICE_MAX_AGE = timedelta(days=400)  # browsers cap cookies at 400 days (RFC 6265bis)
RENEW_EVERY = timedelta(days=1)
MAX_USER_AGENT = 80
_DOMAIN = b"sotong-web-device-v1"
_CSRF_DOMAIN = b"sotong-web-csrf-v1"
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$")


class DeviceTokenError(ValueError):
    """Why a device token is refused: "missing", "invalid", "unknown", "revoked" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MintedDevice:
    device: WebDevice
    token: str  # the cookie value; shown once, never stored


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(secret: str, domain: bytes, message: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), domain + b"|" + message.encode("ascii"), hashlib.sha256).digest())


def hash_random(random_part: str) -> str:
    return hashlib.sha256(random_part.encode("ascii")).hexdigest()


def csrf_token(secret: str, public_key: str) -> str:
    """The double-submit value for this device: readable by the page's JS, useless on another device."""
    return _mac(secret, _CSRF_DOMAIN, public_key)


def _require(secret: str | None) -> str:
    if not secret:
        raise ValueError("SOTONG_SESSION_SECRET is not set")
    return secret


def mint_device(
    session: Session, secret: str | None, user_agent: str | None = None, now: datetime | None = None
) -> MintedDevice:
    """A new device and, with it, a new web resident (channel "web", user id = the public key)."""
    secret = _require(secret)
    moment = to_db(now or now_utc())
    public_key = secrets.token_urlsafe(16)  # 22 characters
    random_part = secrets.token_urlsafe(32)  # 43 characters
    resident = Resident(channel=WEB, channel_user_id=public_key, created_at=moment)
    session.add(resident)
    session.flush()
    label = " ".join((user_agent or "").split())[:MAX_USER_AGENT] or None
    device = WebDevice(
        resident_id=resident.id,
        public_key=public_key,
        token_hash=hash_random(random_part),
        user_agent=label,
        created_at=moment,
        last_seen_at=moment,
    )
    session.add(device)
    session.flush()
    body = f"{public_key}.{random_part}"
    return MintedDevice(device, f"{body}.{_mac(secret, _DOMAIN, body)}")


def check_signature(secret: str | None, token: object) -> tuple[str, str]:
    """(public key, random part) of a token this server signed, or DeviceTokenError; no database."""
    if not isinstance(token, str) or not token:
        raise DeviceTokenError("missing")
    match = _TOKEN.match(token)
    if not secret or not match:
        raise DeviceTokenError("invalid")
    public_key, random_part, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(secret, _DOMAIN, f"{public_key}.{random_part}")):
        raise DeviceTokenError("invalid")
    return public_key, random_part


def verify_device(session: Session, secret: str | None, token: object, now: datetime | None = None) -> WebDevice:
    """The live device behind ``token`` or DeviceTokenError; the signature is checked before any lookup."""
    public_key, random_part = check_signature(secret, token)
    device = session.execute(select(WebDevice).where(WebDevice.public_key == public_key)).scalar_one_or_none()
    if device is None or not hmac.compare_digest(str(device.token_hash), hash_random(random_part)):
        raise DeviceTokenError("unknown")
    if device.revoked_at is not None:
        raise DeviceTokenError("revoked")
    moment = now or now_utc()
    if moment - from_db(device.last_seen_at) > DEVICE_MAX_AGE:
        raise DeviceTokenError("expired")
    return device


def renewal_due(device: WebDevice, now: datetime | None = None) -> bool:
    return (now or now_utc()) - from_db(device.last_seen_at) >= RENEW_EVERY


def touch_device(session: Session, device: WebDevice, now: datetime | None = None) -> None:
    """Slide the device's 400-day window (the caller re-sends the cookie with a fresh Max-Age)."""
    device.last_seen_at = to_db(now or now_utc())
    session.flush()


def revoke_device(session: Session, device_id: int, now: datetime | None = None) -> None:
    """Sign this device out for good: its cookie is refused from now on, even if copied."""
    device = session.get(WebDevice, device_id)
    if device is not None and device.revoked_at is None:
        device.revoked_at = to_db(now or now_utc())
        session.flush()
