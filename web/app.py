"""``create_app()``: the FastAPI app on :8000 — the resident page and its APIs, the staff
API and /healthz.

- resident page (web.pages): GET /, /static, chat relay to Rasa (web.chat), identity by
  device cookie (web.resident_auth, web.me), 내 민원 (web.my_complaints), live updates
  (web.live, SSE), favourites, recommendations, search;
- staff console (web.console, /console/), Open311 GeoReport v2 (web.open311, /open311/v2/),
  staff JSON API on per-officer tokens (web.staff_api), web-chat session ids for the socket.io channel
  (web.chat_session).

Settings are read when the app is created (body limit) or on each request (tokens),
never at import time. The interactive docs (/docs, /openapi.json) are off: the APIs are
described in docs/ and a district server should expose no more than it needs.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from web.chat_session import router as chat_session_router
from web.console import install as install_console
from web.errors import BodySizeLimitMiddleware, CatchAllMiddleware, install_error_handlers
from web.favourites import router as favourites_router
from web.live import router as live_router
from web.live_handoff import router as live_handoff_router
from web.me import router as me_router
from web.my_complaints import router as my_complaints_router
from web.open311 import router as open311_router
from web.pages import install as install_resident_page
from web.recommendations import router as recommendations_router
from web.search import router as search_router
from web.settings import WebSettings, load_web_settings
from web.staff_api import router as staff_router


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or load_web_settings()
    app = FastAPI(title="Sotong web", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    # Phones on slow networks: text assets shrink ~3x. SSE responses are left alone by Starlette.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Added last = runs first: the catch-all wraps everything, including the size check.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CatchAllMiddleware)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """Liveness only (no database round trip, so probes never queue behind writers)."""
        return {"status": "ok"}

    app.include_router(staff_router)
    app.include_router(chat_session_router)  # POST /api/chat/session: signed ids for the socket.io channel
    install_resident_page(app)  # GET /, /static, POST /api/chat/message, GET /api/chat/history
    app.include_router(me_router)  # /api/me: this device, sign-out, KakaoTalk link codes
    app.include_router(my_complaints_router)  # /api/me/complaints: 내 민원 timeline, correct, cancel
    app.include_router(live_router)  # GET /api/me/events: live complaint updates (SSE)
    app.include_router(live_handoff_router)  # GET /api/me/handoff/events: officer lines (SSE)
    app.include_router(favourites_router)  # /api/me/favourites (+ /remove, /order)
    app.include_router(recommendations_router)  # /api/me/recommendations (+ /settings), /api/me/activity
    app.include_router(search_router)  # GET /api/search?q=, GET /api/services
    install_console(app)  # /console/: staff sign-in, queue, complaint, accounts, audit log
    # /open311/v2/: GeoReport v2 (XML/JSON); discovery also at /open311/discovery.{xml,json}
    app.include_router(open311_router)
    return app
