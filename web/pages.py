"""The resident page: GET / (server-rendered, Jinja2) and its static files under /static.

GET / recognises the device from its HttpOnly cookie or makes a new one
(web/resident_auth.ensure_device) and renders templates/index.html. The other
helpers' panels (my complaints, quick menu, account) are included only when their
partial and script exist, so the page works with any subset of them.

Static files carry a content hash in their URL (``asset("app.js")`` →
``/static/app.js?v=<hash>``): such a request is cached for a year (immutable); any
other is revalidated with its ETag. Everything is served by this app: no CDN, no
outside fonts. The page sends a strict Content-Security-Policy (scripts and styles
only from this origin, no inline script).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from sotong.district import load_profile
from web.resident_auth import NewDeviceRefused, ensure_device, new_device_limiter

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
# (tab name, partial, script) of the panels other modules may provide.
PANELS = (("complaints", "_complaints.html", "complaints.js"), ("account", "_account.html", "account.js"))
EXTRAS = (("menu", "_menu.html", "menu.js"),)  # the floating quick menu: not a tab panel
CORE_STYLES = ("base.css", "chat.css")  # linked by base.html itself
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset(name: str) -> str:
    """The URL of a static file, versioned by its content (a changed file gets a new URL)."""
    path = STATIC_DIR / name
    try:
        version = _digest(str(path), path.stat().st_mtime_ns)
    except OSError:
        return f"/static/{name}"
    return f"/static/{name}?v={version}"


templates.env.globals["asset"] = asset


def _present(partial: str, script: str | None) -> bool:
    return (TEMPLATES_DIR / "partials" / partial).is_file() and (script is None or (STATIC_DIR / script).is_file())


def page_context() -> dict[str, Any]:
    panels = [name for name, partial, script in PANELS if _present(partial, script)]
    extras = [name for name, partial, script in EXTRAS if _present(partial, script)]
    scripts = [script for name, _, script in PANELS + EXTRAS if name in panels + extras]
    styles = sorted(p.name for p in (STATIC_DIR / "css").glob("*.css") if p.name not in CORE_STYLES)
    profile = load_profile()  # checked and cached once; a broken profile stops the app at start-up
    return {
        "panels": panels,
        "extras": extras,
        "scripts": scripts,
        "styles": styles,
        "district_name": profile.name,
        "short_name": profile.short_name,
        "bot_name": profile.bot_name,
        "main_phone": profile.main_phone,
    }


def security_headers(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> Response:
    context = page_context()
    response = templates.TemplateResponse(request, "index.html", context)
    try:
        ensure_device(request, response)  # sets/renews the cookies on this very response
    except NewDeviceRefused as refused:
        # Too many new devices from this address (a script, or a big shared NAT): still the
        # page — the district's phone number, the service list and search work without a
        # device — saying why the chat waits, and 429 for machines. Nothing was written.
        response = templates.TemplateResponse(
            request, "index.html", {**context, "device_refused": True}, status_code=429, headers=refused.headers
        )
        response.headers["Cache-Control"] = "no-store"
    security_headers(response)
    return response


class CachedStaticFiles(StaticFiles):
    """StaticFiles with Cache-Control: a year for hashed URLs, revalidate otherwise."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in (scope.get("query_string") or b"")
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE if versioned else "no-cache"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install(app: FastAPI) -> None:
    """The resident page on ``app``: GET /, /static/*, POST /api/chat/message, GET /api/chat/history."""
    from web.chat import router as chat_router

    app.state.new_devices = new_device_limiter()  # GET /'s budget of new devices per client address
    app.include_router(router)
    app.include_router(chat_router)
    app.mount("/static", CachedStaticFiles(directory=str(STATIC_DIR)), name="static")
