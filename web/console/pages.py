"""Rendering console pages, the session cookie, CSRF, and the error pages.

- The browser holds ``sotong_staff``: a random session id (HttpOnly, Secure,
  SameSite=Strict, path /console). The server keeps its hash (sotong.staff.sessions).
- CSRF: every form carries the session's token in ``csrf_token``; a POST without the
  right one, or from another origin (Origin/Referer), gets 403. The sign-in form uses a
  double-submit cookie instead, since there is no session yet.
- Not signed in: a page request is sent to the sign-in page, any other gets 401.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sotong.complaints import service
from sotong.db import session_scope
from sotong.district import load_profile
from sotong.staff import sessions
from sotong.staff.errors import Forbidden, NotSignedIn
from sotong.staff.sessions import ActiveSession
from web.pages import CSP, TEMPLATES_DIR, asset

SESSION_COOKIE = "sotong_staff"
LOGIN_COOKIE = "sotong_staff_login"
COOKIE_PATH = "/console"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["asset"] = asset


class CsrfRefused(Exception):
    """A state change without this session's CSRF token, or from another origin."""


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    profile = load_profile()
    ctx = {
        "district_name": profile.name,
        "short_name": profile.short_name,
        "status_labels": service.status_labels(),
        "staff": None,
        "csrf_token": "",
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    secure_headers(response)
    return response


def secure_headers(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    # Complaints hold residents' addresses: no cache keeps a console page.
    response.headers["Cache-Control"] = "no-store"


def staff_context(active: ActiveSession) -> dict[str, Any]:
    return {"staff": active.principal, "csrf_token": active.csrf_token}


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.MAX_AGE.total_seconds()),
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def _same_origin(request: Request, value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc) and parts.netloc == request.headers.get("host")


def check_origin(request: Request) -> None:
    origin, referer = request.headers.get("origin"), request.headers.get("referer")
    if origin is not None and not _same_origin(request, origin):
        raise CsrfRefused("cross-origin request")
    if origin is None and referer and not _same_origin(request, referer):
        raise CsrfRefused("cross-origin request")


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(
        (expected or "").encode("utf-8"), (given or "").encode("utf-8", "replace")
    )


async def signed_in(request: Request) -> ActiveSession:
    """Dependency of every console route but sign-in: the session, and for a POST its CSRF token."""
    with session_scope() as s:
        active = sessions.current(s, request.cookies.get(SESSION_COOKIE))
    request.state.actor = f"staff:{active.principal.username}"  # for the error log of refused writes
    if request.method not in SAFE_METHODS:
        check_origin(request)
        form = await request.form()
        given = form.get("csrf_token")
        if not isinstance(given, str) or not sessions.check_csrf(active, given):
            raise CsrfRefused("missing or wrong CSRF token")
    return active


def safe_next(value: str | None) -> str:
    """Only a console path: never another site (open redirect) or a protocol-relative URL."""
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/"  # the home page sends each role to its own first page


async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
    else:
        response = render(request, "console/error.html", {"problem": "signed_out"}, status_code=401)
    clear_session_cookie(response)
    return response


async def _forbidden(request: Request, exc: Forbidden) -> Response:
    return render(request, "console/error.html", {"problem": "forbidden"}, status_code=403)


async def _csrf(request: Request, exc: CsrfRefused) -> Response:
    return render(request, "console/error.html", {"problem": "csrf"}, status_code=403)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfRefused, _csrf)
