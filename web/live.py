"""GET /api/me/events: the resident's complaint updates pushed live (Server-Sent Events).

Each stream polls the history table (``complaint_status_change``, indexed by id) for this
resident's new rows; how streams behave (reconnects with Last-Event-ID, pings, sign-out,
at most ``MAX_STREAMS`` per resident) is web/sse.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from sotong.complaints import service
from sotong.db import session_scope
from sotong.residents.updates import device_signed_in, latest_update_id, updates_since
from web.resident_auth import WebResident, current_resident
from web.sse import StreamSlots, Timing, last_event_id, open_stream

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
MAX_LIFETIME = 30 * 60.0
MAX_STREAMS = 3
BATCH = 50
RETRY_MS = 3000

router = APIRouter(prefix="/api/me", tags=["resident"])

_slots = StreamSlots(MAX_STREAMS)


def _timing() -> Timing:
    """Read at each request (tests shorten the poll)."""
    return Timing(POLL_SECONDS, HEARTBEAT_SECONDS, MAX_LIFETIME, RETRY_MS)


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


@router.get("/events")
async def events(request: Request, resident: WebResident = Depends(current_resident)) -> StreamingResponse:
    after = last_event_id(request)
    if after is None:  # a fresh page has just loaded the list: only what happens from now on
        after = await run_in_threadpool(_latest_id, resident.resident_id)
    labels = service.status_labels()
    return open_stream(
        request, resident, after, lambda since: _poll(resident, since, labels), "complaint", _slots, _timing()
    )
