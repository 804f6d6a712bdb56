"""The staff console at /console/: officers sign in and work complaints in the browser.

Server-rendered Jinja2 pages (templates/console/) with plain HTML forms — no script is
needed to work a complaint — under the same strict Content-Security-Policy as the
resident page. The logic is the core's (sotong.staff); these modules only read forms,
call it, and render the answer. ``install(app)`` adds the routes and the handlers that
turn "not signed in", "not allowed" and "CSRF refused" into pages rather than JSON.
"""

from __future__ import annotations

from fastapi import FastAPI

from web.console.accounts import audit_router
from web.console.accounts import router as accounts_router
from web.console.complaints import router as complaints_router
from web.console.dashboard import router as dashboard_router
from web.console.handoff import router as handoff_router
from web.console.handoff_live import router as handoff_live_router
from web.console.handoff_sweep import router as handoff_sweep_router
from web.console.login import router as login_router
from web.console.me import router as me_router
from web.console.pages import install_handlers
from web.console.studio_answers import router as studio_answers_router
from web.console.studio_changes import router as studio_changes_router
from web.console.studio_inbox import router as studio_inbox_router
from web.console.studio_publish import router as studio_publish_router
from web.console.studio_teach import router as studio_teach_router


def install(app: FastAPI) -> None:
    install_handlers(app)
    app.include_router(login_router)
    app.include_router(complaints_router)
    app.include_router(dashboard_router)
    # the feeds first: /console/handoff/feed must not be taken for a request id
    app.include_router(handoff_live_router)
    app.include_router(handoff_router)
    app.include_router(handoff_sweep_router)  # start-up hook only: releases and tickets left requests
    app.include_router(accounts_router)
    app.include_router(audit_router)
    app.include_router(me_router)
    # the training studio (/console/studio/): trainers teach, admins publish
    app.include_router(studio_inbox_router)
    app.include_router(studio_teach_router)
    app.include_router(studio_answers_router)
    app.include_router(studio_changes_router)
    app.include_router(studio_publish_router)
