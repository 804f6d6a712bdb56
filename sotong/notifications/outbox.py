"""Putting stage messages in the outbox, and handing them to the chat.

``enqueue`` is called by the complaint history in the same transaction as the change
it announces. ``pending_in_chat``/``mark_delivered_in_chat`` are for the dialogue
layer: at the start of a conversation turn it shows what the resident has not seen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Mapping, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sotong.complaints.models import Resident
from sotong.complaints.residents import ResidentLike, find_resident
from sotong.deadlines import now_utc, to_db, to_kst
from sotong.notifications.models import QUEUED, Notification
from sotong.notifications.templates import load_templates

CHAT = "chat"
ALIMTALK = "alimtalk"


def enqueue(
    session: Session,
    *,
    complaint_id: int,
    resident: Resident,
    status_change_id: int,
    stage: str,
    values: Mapping[str, object],
    now: Optional[datetime] = None,
) -> Notification:
    """Render the stage's template and queue it for every channel the resident can be reached on."""
    template = load_templates()[stage]
    at = to_db(now or now_utc())
    targets = [CHAT] + ([ALIMTALK] if resident.phone and resident.phone_consent_at else [])
    notification = Notification(
        complaint_id=complaint_id,
        resident_id=resident.id,
        status_change_id=status_change_id,
        stage=stage,
        template_code=template.code,
        params=template.parameters(values),
        text=template.render(values),
        targets=targets,
        status=QUEUED,
        attempts=0,
        next_attempt_at=at,
        idempotency_key=f"sotong-change-{status_change_id}",
        created_at=at,
    )
    session.add(notification)
    session.flush()
    return notification


@dataclass(frozen=True)
class ChatMessage:
    """A stage message to show in the chat (text already in the district's wording)."""

    id: int
    receipt_no: str
    stage: str
    text: str
    created_at: datetime  # KST


def pending_in_chat(session: Session, who: ResidentLike, limit: int = 20) -> List[ChatMessage]:
    """Messages this resident (a ResidentKey or Resident) has not yet seen in the chat, oldest first."""
    resident = find_resident(session, who)
    if resident is None:
        return []
    rows = session.execute(
        select(Notification)
        .where(Notification.resident_id == resident.id, Notification.delivered_in_chat_at.is_(None))
        .order_by(Notification.id)
        .limit(limit)
    ).scalars().all()
    return [
        ChatMessage(id=n.id, receipt_no=n.complaint.receipt_no, stage=n.stage, text=n.text,
                    created_at=to_kst(n.created_at))
        for n in rows
    ]


def mark_delivered_in_chat(
    session: Session, who: ResidentLike, ids: Iterable[int], now: Optional[datetime] = None
) -> int:
    """Mark the given messages as shown; ids of other residents' messages are ignored."""
    ids = list(ids)
    resident = find_resident(session, who)
    if not ids or resident is None:
        return 0
    result = session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.resident_id == resident.id,
            Notification.delivered_in_chat_at.is_(None),
        )
        .values(delivered_in_chat_at=to_db(now or now_utc()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
