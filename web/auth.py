"""Who may use the staff API, and who is recorded as acting.

Each officer has their own API token (``sotong staff token create <username>``, or the
console's 계정 관리 page); only its hash is stored (sotong.staff.tokens). The token says
which account calls: its username goes into the complaint history as ``staff:<name>``
and its role and department decide what it may see. A caller-written ``X-Staff-Name``
header is no longer read: identity comes from the server only. The old shared
SOTONG_STAFF_TOKEN opens nothing.
"""

from __future__ import annotations

import logging

from fastapi import Request

from sotong.complaints.service import Actor
from sotong.db import session_scope
from sotong.staff import tokens
from sotong.staff.errors import NotSignedIn
from sotong.staff.principal import StaffPrincipal
from web.errors import ApiError

log = logging.getLogger(__name__)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require_staff_token(request: Request) -> StaffPrincipal:
    """Router dependency: 401 unless the request carries a valid, unrevoked token of an
    active account; 403 for an account that does not work complaints (a trainer)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        raise ApiError(
            401, "unauthorized", "send your staff API token as 'Authorization: Bearer <token>'", headers=_CHALLENGE
        )
    try:
        with session_scope() as s:
            principal = tokens.authenticate(s, given)
    except NotSignedIn:
        log.warning(
            "staff API: invalid token from %s for %s %s",
            request.client.host if request.client else "?",
            request.method,
            request.url.path,
        )
        raise ApiError(
            401,
            "unauthorized",
            "the staff token is not valid (unknown, revoked, or its account is disabled)",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    request.state.staff = principal
    request.state.actor = f"staff:{principal.username}"  # for the audit log of refused writes
    if not principal.works_complaints:
        raise ApiError(403, "forbidden", "this account's role does not work complaints")
    return principal


def staff_principal(request: Request) -> StaffPrincipal:
    """The account behind the token (set by ``require_staff_token``, which runs first)."""
    return request.state.staff


def staff_actor(request: Request) -> Actor:
    """Who a write is recorded as: the token's account, never a header the caller wrote."""
    return Actor.staff(staff_principal(request).username)
