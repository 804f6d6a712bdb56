"""Signing in and out: GET/POST /console/login, POST /console/logout and
/console/logout-everywhere.

Failed sign-ins are also counted per client address (sotong.staff.throttle): an address
over its limit gets 429 before the password is checked, so guessing from one place
cannot lock an officer's account.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff import accounts, audit, sessions, throttle
from sotong.staff.errors import AccountLocked, LoginFailed, NotSignedIn
from sotong.staff.sessions import ActiveSession
from web.console.pages import (
    COOKIE_PATH,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    check_origin,
    clear_session_cookie,
    client_ip,
    new_login_token,
    render,
    safe_next,
    same_token,
    set_session_cookie,
    signed_in,
)
from web.pages import security_headers
from web.resident_auth import client_network

router = APIRouter(prefix="/console", include_in_schema=False)
_THROTTLE_LOCK = threading.Lock()


def _throttle(request: Request) -> throttle.SignInThrottle:
    """One per app (per process, like the other rate limits), made on first use."""
    with _THROTTLE_LOCK:
        found = getattr(request.app.state, "console_sign_in", None)
        if found is None:
            found = request.app.state.console_sign_in = throttle.from_env()
        return found


def _login_page(request: Request, next_url: str, problem: str | None = None, status_code: int = 200, **extra):
    token = new_login_token()
    response = render(
        request,
        "console/login.html",
        {"login_token": token, "next": safe_next(next_url), "problem": problem, **extra},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, path=f"{COOKIE_PATH}/login", secure=True, httponly=True, samesite="strict"
    )
    return response


@router.get("/")
def home(request: Request) -> Response:
    """Officers start at the complaint queue, trainers (who work no complaints) at the studio."""
    with session_scope() as s:
        try:
            active = sessions.current(s, request.cookies.get(SESSION_COOKIE))
        except NotSignedIn:
            active = None
    works_complaints = active is None or active.principal.works_complaints
    response = RedirectResponse("/console/complaints" if works_complaints else "/console/studio/", status_code=303)
    security_headers(response)
    return response


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next or "")


@router.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=1000),
    login_token: str = Form("", max_length=100),
    next: str = Form("", max_length=500),
) -> Response:
    check_origin(request)
    if not same_token(request.cookies.get(LOGIN_COOKIE), login_token):
        raise CsrfRefused("sign-in form without its token")
    limiter, address = _throttle(request), client_network(request)
    if limiter.blocked(address):  # before the password check: the account's counter stays as it is
        wait = limiter.retry_after(address)
        response = _login_page(request, next, "throttled", status_code=429, minutes=max(1, -(-wait // 60)))
        response.headers["Retry-After"] = str(wait)
        return response
    failure: Exception | None = None
    with session_scope() as s:
        try:
            signed = sessions.login(
                s, username, password, ip=client_ip(request), user_agent=request.headers.get("user-agent")
            )
        except (LoginFailed, AccountLocked) as exc:
            failure = exc  # caught inside the transaction: the failure count and audit line commit
            if limiter.failed(address):  # audited once, when the address reaches its limit
                detail = f"{limiter.limit} failed sign-ins in {limiter.window // 60:.0f} minutes from {address}"
                audit.record(s, None, "login_throttled", username=username, detail=detail, ip=client_ip(request))
    if isinstance(failure, AccountLocked):
        return _login_page(request, next, "locked", status_code=429, username=username[:40])
    if failure is not None:
        return _login_page(request, next, "wrong", status_code=401, username=username[:40])
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, signed.token)
    response.delete_cookie(LOGIN_COOKIE, path=f"{COOKIE_PATH}/login", secure=True, httponly=True, samesite="strict")
    security_headers(response)
    return response


@router.post("/logout")
def logout(request: Request, active: ActiveSession = Depends(signed_in)) -> Response:
    with session_scope() as s:
        sessions.logout(s, request.cookies.get(SESSION_COOKIE), ip=client_ip(request))
    response = RedirectResponse("/console/login?bye=1", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(request: Request, active: ActiveSession = Depends(signed_in)) -> Response:
    with session_scope() as s:
        accounts.log_out_everywhere(s, active.principal, ip=client_ip(request))
    response = RedirectResponse("/console/login?bye=all", status_code=303)
    clear_session_cookie(response)
    return response
