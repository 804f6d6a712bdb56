"""What the handoff pages poll so they refresh themselves (web/static/console/handoff-live.js):

- GET /console/handoff/feed: the waiting and claimed requests, as the queue page lists them;
- GET /console/handoff/{id}/feed: the request's state and the conversation's lines.

JSON for the page's own script (same origin, the session cookie, no CSRF token needed
for a GET). Both are read from the database and Rasa on each call, so a line written on
another replica shows up too. Opening a conversation is audited by its page; the poll
keeps that view going and is audited at most every 10 minutes (sotong.handoff.queue.watch).
Without JavaScript the pages keep their 새로 고침 links.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from sotong.db import session_scope
from sotong.handoff import queue
from sotong.handoff.views import RequestView
from sotong.staff.sessions import ActiveSession
from web.console.handoff_rasa import transcript
from web.console.pages import client_ip, secure_headers, signed_in

router = APIRouter(prefix="/console/handoff", include_in_schema=False)


def _json(body: dict[str, Any], status_code: int = 200) -> Response:
    response = JSONResponse(body, status_code=status_code)
    secure_headers(response)  # no-store: lines of a resident's conversation
    return response


def _row(r: RequestView, account_id: int) -> dict[str, Any]:
    return {
        "id": r.id,
        "created_at": r.created_at.strftime("%Y-%m-%d %H:%M"),
        "channel": r.channel,
        "department": r.department_code,
        "state": r.state,
        "callback": r.callback,
        "urgent_at": r.urgent_at.strftime("%H:%M") if r.urgent_at else None,
        "claimed_by_name": r.claimed_by_name,
        "mine": r.state == "claimed" and r.claimed_by == account_id,
    }


@router.get("/feed")
def queue_feed(active: ActiveSession = Depends(signed_in)) -> Response:
    with session_scope() as s:
        rows = queue.list_open(s, active.principal)
    return _json({"rows": [_row(r, active.principal.account_id) for r in rows]})


@router.get("/{request_id}/feed")
async def conversation_feed(request: Request, request_id: str, active: ActiveSession = Depends(signed_in)) -> Response:
    if not (request_id.isdigit() and len(request_id) <= 12):
        return _json({"error": "not_found"}, 404)
    try:
        with session_scope() as s:
            r = queue.watch(s, active.principal, int(request_id), ip=client_ip(request))
            lines = queue.messages(s, active.principal, r.id)
    except queue.HandoffNotFound:
        return _json({"error": "not_found"}, 404)
    said = await transcript(r.conversation_id)
    return _json(
        {
            **_row(r, active.principal.account_id),
            "transcript": said,  # None when Rasa cannot be asked: the page shows ``lines`` then
            "lines": [{"id": m.id, "sender": m.sender, "author": m.author, "text": m.text} for m in lines],
        }
    )
