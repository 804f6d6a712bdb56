"""Web-chat session ids issued and signed by the web app, verified by Rasa's socket.io channel.

A resident's web-chat identity is its session id, so the id must be one the web app
issued, not one a client chose (issue 7, finding 2). The token is
``<session id>.<issued at, unix seconds>.<HMAC-SHA256 over both, base64url>``, keyed
with SOTONG_SESSION_SECRET, checked in constant time and refused once older than
SOTONG_SESSION_MAX_AGE. Renewing keeps the session id and refreshes the time, so an
active resident keeps the same conversation. No Rasa imports (web app and Rasa both use it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

SECRET_ENV = "SOTONG_SESSION_SECRET"
MAX_AGE_ENV = "SOTONG_SESSION_MAX_AGE"
DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 3600
MIN_SECRET_CHARS = 16
CLOCK_SKEW_SECONDS = 60  # web app and Rasa may run on hosts whose clocks differ a little
_DOMAIN = b"sotong-web-session-v1"  # keeps these signatures apart from any other use of the secret
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{22,64})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


class SessionTokenError(ValueError):
    """Why a token is refused: ``reason`` is "missing", "invalid" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SessionToken:
    session_id: str
    issued_at: int
    token: str


def session_secret() -> str | None:
    """SOTONG_SESSION_SECRET, or None when unset or blank."""
    return os.environ.get(SECRET_ENV, "").strip() or None


def session_max_age() -> int:
    raw = os.environ.get(MAX_AGE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_AGE_SECONDS
    if not raw.isdigit() or not 60 <= int(raw) <= 365 * 24 * 3600:
        raise ValueError(f"{MAX_AGE_ENV} must be a number of seconds between 60 and 31536000, not {raw!r}")
    return int(raw)


def _signature(secret: str, session_id: str, issued_at: int) -> str:
    mac = hmac.new(
        secret.encode("utf-8"), _DOMAIN + b"|" + f"{session_id}.{issued_at}".encode("ascii"), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def issue(secret: str, session_id: str | None = None, now: float | None = None) -> SessionToken:
    """A signed token for ``session_id`` (a new random one when None)."""
    if not secret:
        raise ValueError(f"{SECRET_ENV} is not set")
    session_id = session_id or secrets.token_urlsafe(24)
    issued_at = int(time.time() if now is None else now)
    token = f"{session_id}.{issued_at}.{_signature(secret, session_id, issued_at)}"
    if not _TOKEN.match(token):
        raise ValueError("session id must be 22-64 characters of [A-Za-z0-9_-]")
    return SessionToken(session_id, issued_at, token)


def verify(secret: str | None, token: object, max_age: int, clock: Callable[[], float] = time.time) -> SessionToken:
    """The session behind ``token``, or SessionTokenError. Never trusts an unsigned id."""
    if not isinstance(token, str) or not token:
        raise SessionTokenError("missing")
    match = _TOKEN.match(token)
    if not secret or not match:
        raise SessionTokenError("invalid")
    session_id, issued_at, signature = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(signature, _signature(secret, session_id, issued_at)):
        raise SessionTokenError("invalid")
    age = clock() - issued_at
    if age > max_age or age < -CLOCK_SKEW_SECONDS:
        raise SessionTokenError("expired")
    return SessionToken(session_id, issued_at, token)
