"""GET /api/me/events: the resident's complaint updates pushed live (Server-Sent Events).

Fed from the database, not from process memory, so an officer's change made by the
CLI, the staff API or another replica reaches the page: each stream polls the history
table (``complaint_status_change``, indexed by id) for this resident's new rows, off the
event loop, every ``POLL_SECONDS``. Each event carries ``id: <history id>``; a browser
that reconnects sends ``Last-Event-ID`` and gets what it missed, nothing twice.

- ``: ping`` comments keep proxies from closing an idle stream;
- at most ``MAX_STREAMS`` streams per resident in this process (429 beyond: a page
  opened in many tabs, or a script);
- the stream ends when the device is signed out (an ``event: signout`` first), after
  ``MAX_LIFETIME`` (the browser reconnects by itself), or when the client goes away.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sotong.complaints import service
from sotong.db import session_scope
from sotong.residents.updates import device_signed_in, latest_update_id, updates_since
from web.errors import ApiError
from web.resident_auth import WebResident, current_resident

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
MAX_LIFETIME = 30 * 60.0
MAX_STREAMS = 3
BATCH = 50
RETRY_MS = 3000

router = APIRouter(prefix="/api/me", tags=["resident"])


class StreamSlots:
    """At most MAX_STREAMS open streams per resident in this process (each SSE stream kind has its own)."""

    def __init__(self, limit: int = MAX_STREAMS) -> None:
        self.limit = limit
        self._open: dict[int, int] = {}
        self._lock = threading.Lock()

    def acquire(self, resident_id: int) -> bool:
        with self._lock:
            if self._open.get(resident_id, 0) >= self.limit:
                return False
            self._open[resident_id] = self._open.get(resident_id, 0) + 1
            return True

    def release(self, resident_id: int) -> None:
        with self._lock:
            left = self._open.get(resident_id, 1) - 1
            if left > 0:
                self._open[resident_id] = left
            else:
                self._open.pop(resident_id, None)

    def count(self, resident_id: int) -> int:
        return self._open.get(resident_id, 0)


_slots = StreamSlots()


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, "bad_last_event_id", "Last-Event-ID must be a whole number") from None
    if value < 0:
        raise ApiError(400, "bad_last_event_id", "Last-Event-ID must be a whole number")
    return value


def _latest_id(resident_id: int) -> int:
    with session_scope() as session:
        return latest_update_id(session, resident_id)


def _poll(resident: WebResident, after: int, labels: dict[str, str]) -> tuple[bool, list[dict[str, Any]]]:
    """(device still signed in, this resident's history rows after ``after``)."""
    with session_scope() as session:
        if not device_signed_in(session, resident.device_id):
            return False, []
        found = updates_since(session, resident.resident_id, after, BATCH)
    return True, [
        {
            "id": u.id,
            "receipt_no": u.receipt_no,
            "kind": u.kind,
            "status": u.status,
            "label": labels.get(u.stage, u.stage),
        }
        for u in found
    ]


def _frame(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _stream(request: Request, resident: WebResident, after: int) -> AsyncIterator[bytes]:
    labels = service.status_labels()
    started = last_sent = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n".encode() + _frame("ready", {"last_event_id": after}, after)
        while time.monotonic() - started < MAX_LIFETIME:
            if await request.is_disconnected():
                return
            signed_in, events = await run_in_threadpool(_poll, resident, after, labels)
            if not signed_in:
                yield _frame("signout", {})
                return
            for event in events:
                after = event["id"]
                yield _frame("complaint", event, after)
                last_sent = time.monotonic()
            if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                yield b": ping\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
    finally:
        _slots.release(resident.resident_id)


@router.get("/events")
async def events(request: Request, resident: WebResident = Depends(current_resident)) -> StreamingResponse:
    after = _last_event_id(request)
    if after is None:  # a fresh page has just loaded the list: only what happens from now on
        after = await run_in_threadpool(_latest_id, resident.resident_id)
    if not _slots.acquire(resident.resident_id):
        raise ApiError(429, "too_many_streams", f"at most {MAX_STREAMS} live connections per resident; close a tab")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(_stream(request, resident, after), media_type="text/event-stream", headers=headers)
