"""GET /api/me/handoff/events: an officer's lines reach the resident's chat live (Server-Sent Events).

Like web/live.py (complaint updates) it is fed from the database, not process memory, so
a line written on any web replica reaches the page: the stream polls ``handoff_message``
for this device's conversation ("web:<key>", derived from the HttpOnly device cookie
only) every ``POLL_SECONDS``. Each event is ``event: officer`` with ``id: <line id>``; a
browser that reconnects sends ``Last-Event-ID`` and gets what it missed, nothing twice.
The same lines are in Rasa's tracker too, so a reloaded page shows them in the history.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sotong.db import session_scope
from sotong.handoff import queue
from sotong.residents.updates import device_signed_in
from web.errors import ApiError
from web.live import HEARTBEAT_SECONDS, MAX_LIFETIME, POLL_SECONDS, RETRY_MS, StreamSlots, _frame, _last_event_id
from web.resident_auth import WebResident, current_resident

router = APIRouter(prefix="/api/me/handoff", tags=["resident"])

_slots = StreamSlots()  # separate from the complaint stream's: a page opens one of each


def _latest(conversation_id: str) -> int:
    with session_scope() as session:
        return queue.latest_line_id(session, conversation_id)


def _poll(resident: WebResident, after: int) -> tuple[bool, list[dict[str, Any]]]:
    with session_scope() as session:
        if not device_signed_in(session, resident.device_id):
            return False, []
        lines = queue.officer_lines_since(session, resident.conversation_id, after)
    return True, [{"id": m.id, "text": m.text, "author": m.author} for m in lines]


async def _stream(request: Request, resident: WebResident, after: int) -> AsyncIterator[bytes]:
    started = last_sent = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n".encode() + _frame("ready", {"last_event_id": after}, after)
        while time.monotonic() - started < MAX_LIFETIME:
            if await request.is_disconnected():
                return
            signed_in, lines = await run_in_threadpool(_poll, resident, after)
            if not signed_in:
                yield _frame("signout", {})
                return
            for line in lines:
                after = line["id"]
                yield _frame("officer", line, after)
                last_sent = time.monotonic()
            if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                yield b": ping\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
    finally:
        _slots.release(resident.resident_id)


@router.get("/events")
async def officer_events(request: Request, resident: WebResident = Depends(current_resident)) -> StreamingResponse:
    after = _last_event_id(request)
    if after is None:  # a fresh page has just loaded the history: only what is written from now on
        after = await run_in_threadpool(_latest, resident.conversation_id)
    if not _slots.acquire(resident.resident_id):
        raise ApiError(429, "too_many_streams", f"at most {_slots.limit} live connections per resident; close a tab")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(_stream(request, resident, after), media_type="text/event-stream", headers=headers)
