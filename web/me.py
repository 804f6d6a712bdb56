"""The resident's own account on the web page: this device, sign-out and linking with KakaoTalk.

  GET  /api/me            this device ("이 기기에서 로그인됨" on the page) and the linked channels
  POST /api/me/signout    revokes this device's token for good and clears the cookies
  POST /api/me/link-code  a 6-digit one-time code (10 minutes) to type in KakaoTalk ("웹 연결 123456")
  POST /api/me/link       {"code": "123456"}: a code made in KakaoTalk, typed here

Every route needs the device cookie (401) and every write the CSRF header (403). A
wrong, expired, used or void code gets one answer (400 link_code_invalid), so no
reply tells a guesser that a code exists. Texts for residents are in the page
(web/templates/partials/_account.html); these messages are for developers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Extra, constr

from sotong.db import session_scope
from sotong.deadlines import from_db
from sotong.ratelimit import RateLimiter
from sotong.residents.devices import WEB, revoke_device
from sotong.residents.links import CODE_TTL, LinkError, issue_code, linked_channels, redeem_code
from sotong.residents.models import WebDevice
from sotong.session_token import session_secret
from web.errors import ApiError
from web.resident_auth import WebResident, clear_device_cookies, current_resident, require_csrf

router = APIRouter(prefix="/api/me", tags=["me"])
# Per device and process: a wrong try voids everyone's open codes after 5 (sotong.residents.links),
# so one device must not burn through them; issuing is bounded so rows stay few.
_LINK_TRIES = RateLimiter(limit=10, per_seconds=600, max_keys=50_000)
_CODES_ISSUED = RateLimiter(limit=10, per_seconds=600, max_keys=50_000)


class LinkBody(BaseModel):
    code: constr(strip_whitespace=True, min_length=1, max_length=40)  # type: ignore[valid-type]

    class Config:
        extra = Extra.forbid


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


def _secret() -> str:
    secret = session_secret()
    if secret is None:
        raise ApiError(503, "web_disabled", "linking is disabled: SOTONG_SESSION_SECRET is not set")
    return secret


def _channels(session, resident_id: int) -> list[dict[str, Any]]:
    return [{"channel": c.channel, "since": _iso(c.since)} for c in linked_channels(session, resident_id)]


@router.get("")
def me(response: Response, who: WebResident = Depends(current_resident)) -> dict[str, Any]:
    _no_store(response)
    with session_scope() as session:
        device = session.get(WebDevice, who.device_id)
        return {
            "signed_in": True,
            "device": {
                "created_at": _iso(from_db(device.created_at)),
                "last_seen_at": _iso(from_db(device.last_seen_at)),
                "label": device.user_agent,
            },
            "channels": _channels(session, who.resident_id),
        }


@router.post("/signout", dependencies=[Depends(require_csrf)])
def signout(response: Response, who: WebResident = Depends(current_resident)) -> dict[str, Any]:
    with session_scope() as session:
        revoke_device(session, who.device_id)
    clear_device_cookies(response)
    _no_store(response)
    return {"signed_out": True}


@router.post("/link-code", dependencies=[Depends(require_csrf)])
def link_code(response: Response, who: WebResident = Depends(current_resident)) -> dict[str, Any]:
    secret = _secret()
    if not _CODES_ISSUED.allow(who.conversation_id):
        raise ApiError(429, "too_many_requests", "too many link codes; wait a few minutes")
    with session_scope() as session:
        code = issue_code(session, who.resident_id, WEB, secret)
    _no_store(response)
    return {"code": code, "expires_in": int(CODE_TTL.total_seconds())}


@router.post("/link", dependencies=[Depends(require_csrf)])
def link(body: LinkBody, response: Response, who: WebResident = Depends(current_resident)) -> dict[str, Any]:
    secret = _secret()
    if not _LINK_TRIES.allow(who.conversation_id):
        raise ApiError(429, "too_many_requests", "too many tries; wait a few minutes")
    try:
        with session_scope() as session:
            result = redeem_code(session, body.code, who.resident_id, WEB, secret)
            channels = _channels(session, result.resident_id) if result.resident_id else []
    except LinkError as exc:
        if exc.reason == "disabled":
            raise ApiError(503, "web_disabled", "linking is disabled: SOTONG_SESSION_SECRET is not set") from None
        raise ApiError(400, "link_code_malformed", "the code is 6 digits") from None
    if not result.linked:
        raise ApiError(400, "link_code_invalid", "the code is wrong, expired or already used; ask for a new one")
    _no_store(response)
    return {"linked": True, "already_linked": result.already_linked, "channels": channels}
