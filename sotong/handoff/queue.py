"""The handoff queue: open a request, claim it (one officer wins), write to the resident, close it.

Every state change is one conditional UPDATE (``… WHERE state = 'waiting'``), so two
officers claiming at once cannot both win on any backend: the loser gets
``HandoffConflict`` and the request as it is now. Officers see only their department's
requests (another department's is "not found", not "forbidden", so ids reveal nothing);
admins see all. Each staff action is audited in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.handoff import alerts
from sotong.handoff.models import CLAIMED, CLOSED, WAITING, HandoffMessage, HandoffRequest
from sotong.handoff.views import (
    HandoffConflict,
    HandoffNotFound,
    InvalidHandoffInput,
    MessageView,
    RequestView,
    message_view,
    request_view,
)
from sotong.notifications.masking import mask_phones
from sotong.staff import audit
from sotong.staff.errors import Forbidden
from sotong.staff.models import StaffAuditEntry
from sotong.staff.principal import StaffPrincipal

MAX_TEXT = 1000
# lines the resident is shown: an officer's, and the district's own notice (sotong.handoff.sweep)
TO_RESIDENT = ("officer", "system")
MAX_SUMMARY = 2000

__all__ = ["HandoffConflict", "HandoffNotFound", "InvalidHandoffInput", "MessageView", "RequestView"]


def _clean(text: str, limit: int, field: str) -> str:
    text = "".join(ch for ch in (text or "") if ch >= " " or ch == "\n").strip()
    if not text:
        raise InvalidHandoffInput(field)
    if len(text) > limit:
        raise InvalidHandoffInput(field)
    return text


# --- the resident's side (the action server) ------------------------------------------


def open_request(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    resident_ref: str,
    department_code: str,
    summary: str,
    callback: bool,
    now: datetime | None = None,
) -> RequestView:
    """A new waiting request, or the conversation's open one (asking twice queues once)."""
    found = current(session, conversation_id)
    if found is not None:
        return found
    row = HandoffRequest(
        conversation_id=conversation_id[:200],
        channel=channel[:20],
        resident_ref=resident_ref[:200],
        department_code=department_code[:40],
        summary=mask_phones(summary)[:MAX_SUMMARY],
        state=WAITING,
        callback=callback,
        created_at=to_db(now or now_utc()),
    )
    session.add(row)
    session.flush()
    return request_view(row)


def current(session: Session, conversation_id: str) -> RequestView | None:
    """The conversation's request that is still waiting or claimed, if any."""
    row = session.execute(
        select(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.state.in_((WAITING, CLAIMED)))
        .order_by(HandoffRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return request_view(row) if row else None


def mark_urgent(session: Session, conversation_id: str, now: datetime | None = None) -> bool:
    """Flag the conversation's open request: the resident wrote urgent words while waiting.
    True when this call flagged it; the first time counts (the console shows since when), so
    False when it already was, and when nothing is open."""
    found = current(session, conversation_id)
    if found is None:
        return False
    result = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == found.id, HandoffRequest.urgent_at.is_(None))
        .values(urgent_at=to_db(now or now_utc()))
    )
    return bool(result.rowcount)


def pending_for(session: Session, conversation_id: str) -> list[MessageView]:
    """Officer (and system) lines the resident has not been shown yet, oldest first (channels without push)."""
    rows = session.execute(
        select(HandoffMessage)
        .where(
            HandoffMessage.conversation_id == conversation_id,
            HandoffMessage.sender.in_(TO_RESIDENT),
            HandoffMessage.delivered_at.is_(None),
        )
        .order_by(HandoffMessage.id)
    ).scalars()
    return [message_view(m) for m in rows]


def mark_delivered(session: Session, ids: list[int], now: datetime | None = None) -> int:
    """Set delivered_at once; returns how many were still undelivered (a second caller gets 0)."""
    if not ids:
        return 0
    result = session.execute(
        update(HandoffMessage)
        .where(HandoffMessage.id.in_(ids), HandoffMessage.delivered_at.is_(None))
        .values(delivered_at=to_db(now or now_utc()))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


# --- the officer's side (the console) ---------------------------------------------------


def _require_worker(who: StaffPrincipal) -> None:
    if not who.works_complaints:
        raise Forbidden("handoff")


def _row(session: Session, who: StaffPrincipal, request_id: int) -> HandoffRequest:
    _require_worker(who)
    row = session.get(HandoffRequest, request_id)
    if row is None or not who.sees_department(row.department_code):
        raise HandoffNotFound(request_id)
    return row


def list_open(session: Session, who: StaffPrincipal) -> list[RequestView]:
    """Waiting and claimed requests this officer may see: urgent ones first, then oldest first."""
    _require_worker(who)
    stmt = select(HandoffRequest).where(HandoffRequest.state.in_((WAITING, CLAIMED)))
    if not who.is_admin:
        stmt = stmt.where(HandoffRequest.department_code == (who.department_code or ""))
    urgent_last = HandoffRequest.urgent_at.is_(None)  # False (urgent) sorts before True everywhere
    return [request_view(r) for r in session.execute(stmt.order_by(urgent_last, HandoffRequest.id)).scalars()]


def get(session: Session, who: StaffPrincipal, request_id: int, *, ip: str | None = None) -> RequestView:
    """One request; opening it is a view of a resident's conversation, so it is audited."""
    row = _row(session, who, request_id)
    audit.record(session, who, "handoff.view", target=f"handoff:{row.id}", ip=ip)
    return request_view(row)


WATCH_AUDIT_EVERY = timedelta(minutes=10)


def watch(
    session: Session, who: StaffPrincipal, request_id: int, *, ip: str | None = None, now: datetime | None = None
) -> RequestView:
    """One request for a page that refreshes itself: still a view of the conversation, but
    audited at most once per ``WATCH_AUDIT_EVERY`` per officer, not at every poll."""
    row = _row(session, who, request_id)
    at = to_db(now or now_utc())
    target = f"handoff:{row.id}"
    seen = session.execute(
        select(StaffAuditEntry.id)
        .where(
            StaffAuditEntry.account_id == who.account_id,
            StaffAuditEntry.action == "handoff.view",
            StaffAuditEntry.target == target,
            StaffAuditEntry.at > at - WATCH_AUDIT_EVERY,
        )
        .limit(1)
    ).first()
    if seen is None:
        audit.record(session, who, "handoff.view", target=target, detail="live page", ip=ip, now=now)
    return request_view(row)


def peek(session: Session, who: StaffPrincipal, request_id: int) -> RequestView:
    """One request without an audit line (for an action that is audited itself)."""
    return request_view(_row(session, who, request_id))


def messages(session: Session, who: StaffPrincipal, request_id: int) -> list[MessageView]:
    _row(session, who, request_id)
    rows = session.execute(
        select(HandoffMessage).where(HandoffMessage.request_id == request_id).order_by(HandoffMessage.id)
    ).scalars()
    return [message_view(m) for m in rows]


def _conflict(session: Session, request_id: int) -> HandoffConflict:
    session.expire_all()
    row = session.get(HandoffRequest, request_id)
    return HandoffConflict(row.state if row else CLOSED, row.claimed_by_name if row else None)


def claim(
    session: Session, who: StaffPrincipal, request_id: int, *, now: datetime | None = None, ip: str | None = None
) -> RequestView:
    _row(session, who, request_id)
    result = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == request_id, HandoffRequest.state == WAITING)
        .values(
            state=CLAIMED,
            claimed_by=who.account_id,
            claimed_by_name=who.display_name[:60],
            claimed_at=to_db(now or now_utc()),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, request_id)
    audit.record(session, who, "handoff.claim", target=f"handoff:{request_id}", ip=ip)
    session.expire_all()
    return request_view(_row(session, who, request_id))


def _holder(session: Session, who: StaffPrincipal, request_id: int) -> HandoffRequest:
    """The request, only if this officer holds it now."""
    row = _row(session, who, request_id)
    if row.state != CLAIMED or row.claimed_by != who.account_id:
        raise HandoffConflict(row.state, row.claimed_by_name)
    return row


def _public_author(who: StaffPrincipal) -> str | None:
    """The name residents see: the officer's display name, never a login name (an account made
    without a display name shows the department instead, or nothing)."""
    if who.display_name and who.display_name != who.username:
        return who.display_name[:60]
    return (who.department_name or "")[:60] or None


def say(
    session: Session,
    who: StaffPrincipal,
    request_id: int,
    text: str,
    *,
    now: datetime | None = None,
    ip: str | None = None,
) -> MessageView:
    """Record the officer's line (the adapter then puts it into the conversation)."""
    row = _holder(session, who, request_id)
    text = _clean(text, MAX_TEXT, "text")
    message = HandoffMessage(
        request_id=row.id,
        conversation_id=row.conversation_id,
        sender="officer",
        author=_public_author(who),
        text=text,
        created_at=to_db(now or now_utc()),
    )
    session.add(message)
    audit.record(session, who, "handoff.say", target=f"handoff:{row.id}", detail=text, ip=ip)
    alerts.queue_alert(session, row, now)
    session.flush()
    return message_view(message)


def close(
    session: Session, who: StaffPrincipal, request_id: int, *, now: datetime | None = None, ip: str | None = None
) -> RequestView:
    """Hand back: the holder closes a claimed request. A waiting one (a callback ticket after
    the call, or a resident who has gone away) can be closed by anyone of the department, so
    nobody's conversation stays paused because no officer was free."""
    row = _row(session, who, request_id)
    if row.state == CLAIMED:
        _holder(session, who, request_id)
        allowed_from = CLAIMED
    elif row.state == WAITING:
        allowed_from = WAITING
    else:
        raise HandoffConflict(row.state, row.claimed_by_name)
    result = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == request_id, HandoffRequest.state == allowed_from)
        .values(state=CLOSED, closed_at=to_db(now or now_utc()))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _conflict(session, request_id)
    audit.record(session, who, "handoff.close", target=f"handoff:{request_id}", ip=ip)
    session.expire_all()
    return request_view(_row(session, who, request_id))


def officer_lines_since(session: Session, conversation_id: str, after: int, limit: int = 50) -> list[MessageView]:
    """The officer's (and system) lines in this conversation with an id above ``after`` (a live stream's cursor)."""
    rows = session.execute(
        select(HandoffMessage)
        .where(
            HandoffMessage.conversation_id == conversation_id,
            HandoffMessage.sender.in_(TO_RESIDENT),
            HandoffMessage.id > after,
        )
        .order_by(HandoffMessage.id)
        .limit(limit)
    ).scalars()
    return [message_view(m) for m in rows]


def latest_line_id(session: Session, conversation_id: str) -> int:
    from sqlalchemy import func

    found = session.execute(
        select(func.max(HandoffMessage.id)).where(HandoffMessage.conversation_id == conversation_id)
    ).scalar()
    return int(found or 0)
