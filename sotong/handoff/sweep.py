"""Requests nobody is answering: released back to the queue, or turned into callback tickets.

- A claim an officer left (no line from them for ``idle_after``, default 30 minutes,
  ``SOTONG_HANDOFF_IDLE_MINUTES``) goes back to the queue in office hours, so another
  officer of the department can take it; the conversation stays paused for them.
- At closing (office hours from the district profile: weekdays, not public holidays) every
  claim is released and every request still waiting for a live answer becomes a callback
  ticket, as one asked outside office hours would have been. The resident is told once:
  the conditional UPDATE (``… WHERE callback = false``) has one winner on any backend, and
  only the winner writes the notice (a ``system`` line in ``handoff_message``, which the
  web page's stream and the KakaoTalk channel deliver like an officer's line).

Each release and ticket is audited as done by ``system``. The adapter (web/console/
handoff_sweep.py) then resumes the bot in Rasa for each ticket; this module only knows
the database, and the notice's wording is passed in (it lives in the bot's responses).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sotong.deadlines import to_db
from sotong.handoff.models import CLAIMED, WAITING, HandoffMessage, HandoffRequest
from sotong.handoff.views import RequestView, request_view
from sotong.office_hours import OfficeHours, office_state
from sotong.staff import audit

IDLE_ENV = "SOTONG_HANDOFF_IDLE_MINUTES"
DEFAULT_IDLE = timedelta(minutes=30)
SYSTEM = "system"  # the audit log's name for what no officer did


def idle_from_env() -> timedelta:
    raw = os.environ.get(IDLE_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return timedelta(minutes=int(raw))
    return DEFAULT_IDLE


@dataclass(frozen=True)
class Ticketed:
    """A request that became a callback ticket at closing, and what the resident was told."""

    request: RequestView
    notice: str


@dataclass
class SweepResult:
    released: list[RequestView] = field(default_factory=list)
    ticketed: list[Ticketed] = field(default_factory=list)


def _last_officer_activity(session: Session, row: HandoffRequest) -> datetime:
    latest = session.execute(
        select(func.max(HandoffMessage.created_at)).where(
            HandoffMessage.request_id == row.id, HandoffMessage.sender == "officer"
        )
    ).scalar()
    return max(d for d in (row.claimed_at, latest, row.created_at) if d is not None)


def _release(session: Session, row: HandoffRequest, why: str, at: datetime) -> bool:
    """claimed → waiting, only if it is still held by the same officer (one winner)."""
    result = session.execute(
        update(HandoffRequest)
        .where(
            HandoffRequest.id == row.id,
            HandoffRequest.state == CLAIMED,
            HandoffRequest.claimed_by == row.claimed_by,
        )
        .values(state=WAITING, claimed_by=None, claimed_by_name=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    detail = f"{why}; was held by {row.claimed_by_name or row.claimed_by}"
    audit.record(session, None, "handoff.release", username=SYSTEM, target=f"handoff:{row.id}", detail=detail, now=at)
    return True


def _ticket(session: Session, row: HandoffRequest, notice: str, at: datetime, *, won: bool = False) -> bool:
    """waiting → waiting callback ticket, with the resident's notice. A live request is
    ticketed only by whoever turns its ``callback`` on (one winner); a claim this sweep has
    just released (``won``) is ticketed even if it was a callback ticket before (the
    resident was told it would be answered and is told again what happens now)."""
    stmt = update(HandoffRequest).where(HandoffRequest.id == row.id, HandoffRequest.state == WAITING)
    if not won:
        stmt = stmt.where(HandoffRequest.callback.is_(False))
    result = session.execute(stmt.values(callback=True).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    session.add(
        HandoffMessage(
            request_id=row.id,
            conversation_id=row.conversation_id,
            sender=SYSTEM,
            author=None,
            text=notice,
            created_at=at,
        )
    )
    audit.record(
        session, None, "handoff.callback", username=SYSTEM, target=f"handoff:{row.id}", detail="closing", now=at
    )
    return True


def sweep(
    session: Session,
    *,
    now: datetime,
    hours: OfficeHours,
    notice: Callable[[RequestView], str],
    idle_after: timedelta | None = None,
) -> SweepResult:
    """Release left claims and, after closing, ticket what still waits. ``now`` is aware
    (Seoul or UTC); ``notice(request)`` words what the resident is told at closing."""
    at = to_db(now)
    is_open = office_state(now, hours).kind == "open"
    idle_after = idle_after or idle_from_env()
    done = SweepResult()
    held = session.execute(select(HandoffRequest).where(HandoffRequest.state == CLAIMED)).scalars().all()
    for row in held:
        if is_open and _last_officer_activity(session, row) > at - idle_after:
            continue
        view = request_view(row)
        if not _release(session, row, "idle" if is_open else "closing", at):
            continue  # someone else released or closed it meanwhile
        done.released.append(view)
        if not is_open and _ticket(session, row, text := notice(view), at, won=True):
            done.ticketed.append(Ticketed(view, text))
    if is_open:
        return done
    live = session.execute(
        select(HandoffRequest).where(HandoffRequest.state == WAITING, HandoffRequest.callback.is_(False))
    ).scalars()
    for row in live.all():
        view = request_view(row)
        if _ticket(session, row, text := notice(view), at):
            done.ticketed.append(Ticketed(view, text))
    return done
