"""Server-Sent Events for the resident page, fed from the database (web/live.py: complaint
updates; web/live_handoff.py: an officer's lines).

A stream polls the database off the event loop every ``poll`` seconds, so a change made by
any process (CLI, staff API, another replica) reaches the page. Each event carries
``id: <row id>``; a browser that reconnects sends ``Last-Event-ID`` and gets what it missed,
nothing twice. ``: ping`` comments keep proxies from closing an idle stream; a stream ends when
the device is signed out (``event: signout`` first), after ``lifetime`` (the browser reconnects
by itself) or when the client goes away. Each stream kind allows a few open streams per
resident in a process (429 beyond: many tabs, or a script).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from web.errors import ApiError
from web.resident_auth import WebResident

# (device still signed in, new rows as event payloads each with an "id"), for rows after an id.
Poll = Callable[[int], tuple[bool, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Timing:
    poll: float
    heartbeat: float
    lifetime: float
    retry_ms: int


class StreamSlots:
    """At most ``limit`` open streams per resident in this process (one StreamSlots per stream kind)."""

    def __init__(self, limit: int) -> None:
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


def last_event_id(request: Request) -> int | None:
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


def frame(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _stream(
    request: Request, resident: WebResident, after: int, poll: Poll, event: str, slots: StreamSlots, timing: Timing
) -> AsyncIterator[bytes]:
    started = last_sent = time.monotonic()
    try:
        yield f"retry: {timing.retry_ms}\n".encode() + frame("ready", {"last_event_id": after}, after)
        while time.monotonic() - started < timing.lifetime:
            if await request.is_disconnected():
                return
            signed_in, rows = await run_in_threadpool(poll, after)
            if not signed_in:
                yield frame("signout", {})
                return
            for row in rows:
                after = row["id"]
                yield frame(event, row, after)
                last_sent = time.monotonic()
            if time.monotonic() - last_sent >= timing.heartbeat:
                yield b": ping\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(timing.poll)
    finally:
        slots.release(resident.resident_id)


def open_stream(
    request: Request, resident: WebResident, after: int, poll: Poll, event: str, slots: StreamSlots, timing: Timing
) -> StreamingResponse:
    if not slots.acquire(resident.resident_id):
        raise ApiError(429, "too_many_streams", f"at most {slots.limit} live connections per resident; close a tab")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    body = _stream(request, resident, after, poll, event, slots, timing)
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
