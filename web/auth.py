"""Who may use the staff API, and who is recorded as acting.

One shared bearer token (SOTONG_STAFF_TOKEN) opens the API; without it the API is
closed (503), never open. The token says "this is staff", not which officer: the name
in ``X-Staff-Name`` is declared by the caller and goes into the complaint history as
``staff:<name>`` so every change says who made it.
"""

from __future__ import annotations

import hmac
import logging
import unicodedata

from fastapi import Request

from sotong.complaints.service import Actor
from web.errors import ApiError
from web.settings import staff_token

log = logging.getLogger(__name__)

STAFF_NAME_HEADER = "X-Staff-Name"
MAX_STAFF_NAME = 50
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require_staff_token(request: Request) -> None:
    """Router dependency: 503 when no token is configured, 401 unless the request carries it."""
    expected = staff_token()  # read per request: rotating the token needs no code change
    if expected is None:
        raise ApiError(
            503, "staff_api_disabled", "the staff API is disabled: set SOTONG_STAFF_TOKEN on the server to enable it"
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        raise ApiError(
            401, "unauthorized", "send the staff token as 'Authorization: Bearer <token>'", headers=_CHALLENGE
        )
    # Compare bytes: compare_digest refuses non-ASCII str, and bytes keep it constant-time.
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        log.warning(
            "staff API: wrong token from %s for %s %s",
            request.client.host if request.client else "?",
            request.method,
            request.url.path,
        )
        raise ApiError(
            401,
            "unauthorized",
            "the staff token is not valid",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


def staff_actor(request: Request) -> Actor:
    """Dependency of every write: staff <name> from X-Staff-Name (required, ≤ 50 characters).

    Header values arrive as latin-1; a UTF-8 name (김민수, as curl sends it) is decoded back.
    """
    raw = request.headers.get(STAFF_NAME_HEADER)
    if raw is None or not raw.strip():
        raise ApiError(
            400, "missing_staff_name", f"changes must say who makes them: send the '{STAFF_NAME_HEADER}' header"
        )
    try:
        name = raw.encode("latin-1").decode("utf-8").strip()
    except UnicodeError:
        raise ApiError(400, "invalid_staff_name", f"{STAFF_NAME_HEADER} must be UTF-8 text") from None
    if len(name) > MAX_STAFF_NAME:
        raise ApiError(400, "invalid_staff_name", f"{STAFF_NAME_HEADER} is at most {MAX_STAFF_NAME} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(400, "invalid_staff_name", f"{STAFF_NAME_HEADER} must not contain control characters")
    actor = Actor.staff(name)
    request.state.actor = str(actor)  # for the audit log of refused writes
    return actor
