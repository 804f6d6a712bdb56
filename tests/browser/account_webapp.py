"""``uvicorn --factory tests.browser.account_webapp:build``: the browser tests' web app
(tests/browser/webapp.py) plus /api/me (web.me) while web/app.py does not include it
yet; once it does, nothing is added twice."""

from __future__ import annotations

from fastapi import FastAPI

from tests.browser.webapp import build as build_page
from web.me import router as me_router


def build() -> FastAPI:
    app = build_page()
    if not any(getattr(route, "path", None) == "/api/me" for route in app.routes):
        app.include_router(me_router)
    return app
