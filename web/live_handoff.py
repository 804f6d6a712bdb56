"""GET /api/me/handoff/events: an officer's lines reach the resident's chat live (Server-Sent Events).

Like web/live.py (complaint updates) it is fed from the database (web/sse.py), so a line
written on any web replica reaches the page: the stream polls ``handoff_message`` for this
device's conversation ("web:<key>", derived from the HttpOnly device cookie only). Each event
is ``event: officer`` with ``id: <line id>``.
The same lines are in Rasa's tracker too, so a reloaded page shows them in the history.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sotong.db import session_scope
from sotong.handoff import queue
from sotong.residents.updates import device_signed_in
from web.live import HEARTBEAT_SECONDS, MAX_LIFETIME, MAX_STREAMS, POLL_SECONDS, RETRY_MS
from web.resident_auth import WebResident, current_resident
from web.sse import StreamSlots, Timing, last_event_id, open_stream

router = APIRouter(prefix="/api/me/handoff", tags=["resident"])

_slots = StreamSlots(MAX_STREAMS)  # separate from the complaint stream's: a page opens one of each


def _timing() -> Timing:
    return Timing(POLL_SECONDS, HEARTBEAT_SECONDS, MAX_LIFETIME, RETRY_MS)


def _latest(conversation_id: str) -> int:
    with session_scope() as session:
        return queue.latest_line_id(session, conversation_id)


def _poll(resident: WebResident, after: int) -> tuple[bool, list[dict[str, Any]]]:
    with session_scope() as session:
        if not device_signed_in(session, resident.device_id):
            return False, []
        lines = queue.officer_lines_since(session, resident.conversation_id, after)
    return True, [{"id": m.id, "text": m.text, "author": m.author} for m in lines]


@router.get("/events")
async def officer_events(request: Request, resident: WebResident = Depends(current_resident)) -> StreamingResponse:
    after = last_event_id(request)
    if after is None:  # a fresh page has just loaded the history: only what is written from now on
        after = await run_in_threadpool(_latest, resident.conversation_id)
    return open_stream(request, resident, after, lambda since: _poll(resident, since), "officer", _slots, _timing())
