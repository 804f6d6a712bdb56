"""``create_app()``: the FastAPI app — /healthz, the staff API (web.staff_api) and web-chat
session ids (web.chat_session).

Settings are read when the app is created (body limit) or on each request (staff
token), never at import time. The interactive docs (/docs, /openapi.json) are off: the
API is described in docs/staff-api.md and a district server should expose no more
than it needs.
"""

from __future__ import annotations

from fastapi import FastAPI

from web.chat_session import router as chat_router
from web.errors import BodySizeLimitMiddleware, CatchAllMiddleware, install_error_handlers
from web.settings import WebSettings, load_web_settings
from web.staff_api import router as staff_router


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or load_web_settings()
    app = FastAPI(title="Sotong web", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    # Added last = runs first: the catch-all wraps everything, including the size check.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CatchAllMiddleware)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """Liveness only (no database round trip, so probes never queue behind writers)."""
        return {"status": "ok"}

    app.include_router(staff_router)
    app.include_router(chat_router)  # POST /api/chat/session: signed web-chat session ids
    return app
