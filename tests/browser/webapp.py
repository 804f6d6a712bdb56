"""``uvicorn --factory tests.browser.webapp:build``: the web app the browser tests open.

``web.app.create_app()`` as `make run` serves it, plus the resident page
(web.pages.install) while web/app.py does not include it yet; once it does, nothing
is added twice.
"""

from __future__ import annotations

from fastapi import FastAPI

from web.app import create_app
from web.pages import install


def build() -> FastAPI:
    app = create_app()
    if not any(getattr(route, "path", None) == "/" for route in app.routes):
        install(app)
    return app
