"""The outbox: one stage message per recorded event, queued in the same transaction.

The complaint history (history.record) queues a message here for every status change
and correction, so the history and the messages cannot drift apart. Two readers take
them out: the chat shows what the resident has not seen yet (``pending_in_chat``), and
the notification worker (sotong.notifications.dispatcher) pushes them by 알림톡 or to
the log. The worker reads this table; nothing here knows how messages are sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Session, relationship

from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.models import Complaint, Resident
from sotong.complaints.queries import complaint_for_staff
from sotong.complaints.residents import ResidentLike, find_resident
from sotong.complaints.stage_messages import load_templates
from sotong.db import Base
from sotong.deadlines import now_utc, to_db, to_kst

CHAT = "chat"
ALIMTALK = "alimtalk"

# Outbox status of the push (알림톡/log) part; in-chat delivery is tracked separately.
QUEUED = "queued"  # waiting for its next attempt
SENT = "sent"  # accepted by the 알림톡 provider
LOGGED = "logged"  # no provider configured: written to the log only
SKIPPED = "skipped"  # provider configured but the resident gave no phone consent
FAILED = "failed"  # the provider refused it for good (bad template, bad number); see last_error
SENDING = "sending"  # claimed by a worker (claimed_by/claimed_at), its HTTP call under way
UNKNOWN = "unknown"  # the provider may or may not have it (garbage answer, read timeout, worker died
# mid-send); never re-sent on its own — staff look and `notifications retry` it
OUTBOX_STATUSES: tuple[str, ...] = (QUEUED, SENDING, SENT, LOGGED, SKIPPED, FAILED, UNKNOWN)


class Notification(Base):
    """A stage message for a resident, rendered when queued and kept as sent."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_due", "status", "next_attempt_at"),
        Index("ix_notification_in_chat", "resident_id", "delivered_in_chat_at"),
    )

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    # One notification per history line: the change is what is being announced.
    status_change_id = Column(Integer, ForeignKey("complaint_status_change.id"), nullable=False, unique=True)
    stage = Column(String(24), nullable=False)  # received, assigned, ... corrected
    template_code = Column(String(60), nullable=False)  # the provider-approved template
    params = Column(JSON, nullable=False)  # templateParameter
    text = Column(Text, nullable=False)  # rendered, for chat and SMS fallback
    targets = Column(JSON, nullable=False)  # ["chat"] or ["chat", "alimtalk"]
    status = Column(String(12), nullable=False, default=QUEUED)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    last_error = Column(Text, nullable=True)
    provider_request_id = Column(String(120), nullable=True)
    sent_at = Column(DateTime, nullable=True)
    delivered_in_chat_at = Column(DateTime, nullable=True)
    idempotency_key = Column(String(100), nullable=False, unique=True)  # sent to the provider
    # Which worker run took the row and when; a SENDING row older than the lease is UNKNOWN.
    claimed_by = Column(String(64), nullable=True)
    claimed_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False)

    complaint = relationship(Complaint, lazy="joined")
    resident = relationship(Resident, lazy="joined")


def enqueue(
    session: Session,
    *,
    complaint_id: int,
    resident: Resident,
    status_change_id: int,
    stage: str,
    values: Mapping[str, object],
    now: datetime | None = None,
    shown_in_chat: bool = False,
) -> Notification:
    """Render the stage's template and queue it for every channel the resident can be
    reached on. ``shown_in_chat``: the chat that caused the event already said it."""
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
        delivered_in_chat_at=at if shown_in_chat else None,
    )
    session.add(notification)
    session.flush()
    return notification


def mark_change_shown_in_chat(session: Session, status_change_id: int, now: datetime | None = None) -> int:
    """The chat has just told the resident about this change (e.g. a retried filing)."""
    result = session.execute(
        update(Notification)
        .where(Notification.status_change_id == status_change_id, Notification.delivered_in_chat_at.is_(None))
        .values(delivered_in_chat_at=to_db(now or now_utc()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def chat_only(session: Session, resident_id: int) -> None:
    """Consent withdrawn: messages still queued go to the chat only, never to the number."""
    session.execute(
        update(Notification)
        .where(Notification.resident_id == resident_id, Notification.status == QUEUED)
        .values(targets=[CHAT])
        .execution_options(synchronize_session=False)
    )


# --- the chat ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChatMessage:
    """A stage message to show in the chat (text already in the district's wording)."""

    id: int
    receipt_no: str
    stage: str
    text: str
    created_at: datetime  # KST


def pending_in_chat(session: Session, who: ResidentLike, limit: int = 20) -> list[ChatMessage]:
    """Messages this resident (a ResidentKey or Resident) has not yet seen in the chat, oldest first."""
    resident = find_resident(session, who)
    if resident is None:
        return []
    rows = (
        session.execute(
            select(Notification)
            .where(Notification.resident_id == resident.id, Notification.delivered_in_chat_at.is_(None))
            .order_by(Notification.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return [
        ChatMessage(
            id=n.id, receipt_no=n.complaint.receipt_no, stage=n.stage, text=n.text, created_at=to_kst(n.created_at)
        )
        for n in rows
    ]


def mark_delivered_in_chat(session: Session, who: ResidentLike, ids: Iterable[int], now: datetime | None = None) -> int:
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


# --- staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    """One outbox row for staff tools. ``text``/``last_error`` are as stored: a tool that
    shows or logs them masks phone numbers (sotong.notifications.masking)."""

    id: int
    receipt_no: str
    stage: str
    status: str
    template_code: str
    text: str
    targets: tuple[str, ...]
    attempts: int
    last_error: str | None
    created_at: datetime  # KST
    sent_at: datetime | None  # KST
    delivered_in_chat_at: datetime | None  # KST

    @property
    def needs_checking(self) -> bool:
        """Its fate is unknown: staff check with the provider before re-queueing it."""
        return self.status == UNKNOWN


def _view(n: Notification) -> NotificationView:
    def kst(moment):
        return to_kst(moment) if moment else None

    return NotificationView(
        id=n.id,
        receipt_no=n.complaint.receipt_no,
        stage=n.stage,
        status=n.status,
        template_code=n.template_code,
        text=n.text,
        targets=tuple(n.targets or ()),
        attempts=n.attempts,
        last_error=n.last_error,
        created_at=to_kst(n.created_at),
        sent_at=kst(n.sent_at),
        delivered_in_chat_at=kst(n.delivered_in_chat_at),
    )


def list_notifications(
    session: Session,
    *,
    status: str | None = None,
    receipt_no: str | None = None,
    limit: int | None = None,
) -> list[NotificationView]:
    """The outbox for staff (the CLI and the staff API), oldest first; with ``limit``,
    the newest ``limit`` messages. Raises InvalidComplaintInput for an unknown status and
    ComplaintNotFound for an unknown receipt number."""
    if status is not None and status not in OUTBOX_STATUSES:
        raise InvalidComplaintInput("status", f"unknown outbox status {status!r}; one of {', '.join(OUTBOX_STATUSES)}")
    stmt = select(Notification).order_by(Notification.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    if status is not None:
        stmt = stmt.where(Notification.status == status)
    if receipt_no is not None:
        stmt = stmt.where(Notification.complaint_id == complaint_for_staff(session, receipt_no).id)
    rows = session.execute(stmt).unique().scalars().all()
    return [_view(n) for n in reversed(rows)]
