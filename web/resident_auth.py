"""Who the resident on the web page is: the ``sotong_device`` cookie, checked on the server.

The browser holds only an HttpOnly, Secure, SameSite=Lax cookie with a signed random
device token (sotong/residents/devices.py); the resident and Rasa's conversation id
("web:<device public key>") are derived from it here, never taken from the browser.

- ``ensure_device`` (GET /): the device behind a valid cookie, renewed at most daily;
  otherwise (none, forged, revoked, expired) a fresh device and resident — at most
  SOTONG_WEB_NEW_DEVICES per client address in 10 minutes (``NewDeviceRefused`` beyond),
  so a script fetching / in a loop cannot fill the database with residents.
- ``current_resident`` (every /api/* route): the device, or 401 — never a new one.
- ``require_csrf`` (every write): double-submit. The page's JS copies the readable
  ``sotong_csrf`` cookie (an HMAC of this device's key) into ``X-CSRF-Token``; it must
  match the cookie and this device, and Origin/Referer, when sent, must be this host.
  SameSite=Lax already stops cross-site POSTs carrying the cookie; this covers older
  browsers and same-site subdomains.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from connectors.identity import WEB, conversation_id
from sotong.db import session_scope
from sotong.ratelimit import RateLimiter
from sotong.residents.devices import (
    DEVICE_MAX_AGE,
    DeviceTokenError,
    check_signature,
    csrf_token,
    mint_device,
    renewal_due,
    touch_device,
    verify_device,
)
from sotong.residents.models import WebDevice
from sotong.session_token import SECRET_ENV, session_secret
from web.errors import ApiError
from web.settings import NEW_DEVICE_WINDOW, new_devices_per_address

DEVICE_COOKIE = "sotong_device"
CSRF_COOKIE = "sotong_csrf"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_MAX_AGE = int(DEVICE_MAX_AGE.total_seconds())
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebResident:
    resident_id: int
    device_id: int
    conversation_id: str  # "web:<public_key>" for Rasa


def _resident(device: WebDevice) -> WebResident:
    return WebResident(int(device.resident_id), int(device.id), conversation_id(WEB, str(device.public_key)))


def _secret() -> str:
    secret = session_secret()  # read per request: rotating it signs everyone out, by design
    if secret is None:
        raise ApiError(503, "web_disabled", f"the resident page is disabled: set {SECRET_ENV} on the server")
    return secret


def set_device_cookies(response: Response, token: str, csrf: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", secure=True, httponly=True, samesite="lax"
    )
    # Readable by the page's JS on purpose (double submit); worthless without the HttpOnly one.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=COOKIE_MAX_AGE, path="/", secure=True, httponly=False, samesite="strict"
    )


def clear_device_cookies(response: Response) -> None:
    for name, httponly, samesite in ((DEVICE_COOKIE, True, "lax"), (CSRF_COOKIE, False, "strict")):
        response.delete_cookie(name, path="/", secure=True, httponly=httponly, samesite=samesite)  # type: ignore[arg-type]


class NewDeviceRefused(ApiError):
    """This client address made too many new devices lately; the caller serves no cookie."""

    def __init__(self) -> None:
        super().__init__(
            429,
            "too_many_new_devices",
            "too many new devices from this network; try again in a few minutes",
            headers={"Retry-After": str(NEW_DEVICE_WINDOW // 2)},
        )


def new_device_limiter() -> RateLimiter:
    """One per app (web.pages.install keeps it in ``app.state.new_devices``); per process, like
    the channels' limits."""
    return RateLimiter(new_devices_per_address(), NEW_DEVICE_WINDOW, max_keys=100_000)


def client_network(request: Request) -> str:
    """The key a client's new devices are counted under: its IPv4 address, or its IPv6 /64
    (one phone or household holds a whole /64, so counting single addresses would not limit)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _may_mint(request: Request) -> None:
    limiter = getattr(request.app.state, "new_devices", None)
    if limiter is not None and not limiter.allow(client_network(request)):
        raise NewDeviceRefused()


def ensure_device(request: Request, response: Response) -> WebResident:
    """The page's resident: the cookie's device (renewed at most daily) or a new one, cookies set.
    NewDeviceRefused (nothing written, no cookie) when this address minted too many lately."""
    secret = _secret()
    token = request.cookies.get(DEVICE_COOKIE)
    with session_scope() as session:
        try:
            device = verify_device(session, secret, token)
            if renewal_due(device):
                touch_device(session, device)
                set_device_cookies(response, str(token), csrf_token(secret, str(device.public_key)))
            elif request.cookies.get(CSRF_COOKIE) != csrf_token(secret, str(device.public_key)):
                set_device_cookies(response, str(token), csrf_token(secret, str(device.public_key)))
        except DeviceTokenError:
            _may_mint(request)
            minted = mint_device(session, secret, request.headers.get("user-agent"))
            device = minted.device
            set_device_cookies(response, minted.token, csrf_token(secret, str(device.public_key)))
        resident = _resident(device)
    response.headers["Cache-Control"] = "no-store"
    request.state.actor = f"resident:{resident.conversation_id}"
    return resident


def _verify(token: str | None) -> WebResident:
    secret = _secret()
    with session_scope() as session:
        try:
            return _resident(verify_device(session, secret, token))
        except DeviceTokenError as exc:
            message = (
                "this device is signed out; reload the page to start again"
                if exc.reason in ("revoked", "expired")
                else "no valid device cookie; open the page first"
            )
            raise ApiError(401, "unauthorized", message, reason=exc.reason) from None


async def current_resident(request: Request) -> WebResident:
    """FastAPI dependency: the resident of this device, or 401 (never creates one)."""
    resident = await run_in_threadpool(_verify, request.cookies.get(DEVICE_COOKIE))
    request.state.actor = f"resident:{resident.conversation_id}"
    return resident


def _same_origin(request: Request, value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc) and parts.netloc == request.headers.get("host")


async def require_csrf(request: Request) -> None:
    """Dependency for every POST/PUT/PATCH/DELETE: 403 ``csrf_failed`` unless the double submit holds."""
    if request.method in SAFE_METHODS:
        return
    secret = _secret()
    try:  # "who are you" comes before "is this request genuine"
        public_key, _ = check_signature(secret, request.cookies.get(DEVICE_COOKIE))
    except DeviceTokenError as exc:
        raise ApiError(401, "unauthorized", "no valid device cookie; open the page first", reason=exc.reason) from None
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None and not _same_origin(request, origin):
        raise ApiError(403, "csrf_failed", "cross-origin request refused")
    if origin is None and referer and not _same_origin(request, referer):
        raise ApiError(403, "csrf_failed", "cross-origin request refused")
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = csrf_token(secret, public_key)
    ok = hmac.compare_digest(header.encode(), cookie.encode())
    ok = ok and hmac.compare_digest(cookie.encode(), expected.encode())
    if not ok:
        raise ApiError(403, "csrf_failed", f"missing or wrong {CSRF_HEADER} header; reload the page and try again")
