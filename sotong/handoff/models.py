"""Tables of the handoff queue. Times are naive UTC, as everywhere in the core (sotong.deadlines).

``handoff_request`` is one resident asking for a person: waiting → claimed (by one
officer) → closed. Outside office hours it is a callback ticket (``callback`` true) that
waits in the queue for the morning. ``handoff_message`` holds what the officer wrote;
``delivered_at`` stays empty until a channel without push (KakaoTalk) has shown it.
``handoff_alert`` is the 알림톡 telling a KakaoTalk resident with a consented phone that
an officer wrote (sotong.handoff.alerts): its own small outbox, because the complaint
outbox's rows each announce one complaint history line.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text

from sotong.db import Base

WAITING, CLAIMED, CLOSED = "waiting", "claimed", "closed"
STATES = (WAITING, CLAIMED, CLOSED)


class HandoffRequest(Base):
    __tablename__ = "handoff_request"
    __table_args__ = (CheckConstraint("state IN ('waiting', 'claimed', 'closed')", name="state_known"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(200), nullable=False, index=True)  # Rasa sender id ("web:…", "kakao:…")
    channel = Column(String(20), nullable=False)
    resident_ref = Column(String(200), nullable=False)  # the channel's user id (sotong.complaints ResidentKey)
    department_code = Column(String(40), nullable=False, index=True)
    summary = Column(Text, nullable=False, default="")  # what the bot collected, phones masked
    state = Column(String(16), nullable=False, index=True)
    callback = Column(Boolean, nullable=False, default=False)  # asked outside office hours
    claimed_by = Column(Integer, ForeignKey("staff_account.id"), nullable=True)
    claimed_by_name = Column(String(60), nullable=True)
    created_at = Column(DateTime, nullable=False)
    claimed_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    # set when the resident wrote urgent words while waiting (the bot answered 119/112 or a
    # crisis line itself; connectors/paused_urgent.py): the console lists these first
    urgent_at = Column(DateTime, nullable=True)


class HandoffMessage(Base):
    __tablename__ = "handoff_message"
    # system: what the district tells the resident itself (the request became a callback ticket at closing)
    __table_args__ = (CheckConstraint("sender IN ('officer', 'resident', 'system')", name="sender_known"),)

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("handoff_request.id"), nullable=False, index=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    sender = Column(String(16), nullable=False)
    author = Column(String(60), nullable=True)  # the officer's display name
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime, nullable=True)


class HandoffAlert(Base):
    """One 알림톡 "an officer answered" (statuses as in sotong.complaints.outbox)."""

    __tablename__ = "handoff_alert"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("handoff_request.id"), nullable=False, index=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False)
    template_code = Column(String(60), nullable=False)
    params = Column(JSON, nullable=False)
    text = Column(Text, nullable=False)
    status = Column(String(12), nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    last_error = Column(Text, nullable=True)
    provider_request_id = Column(String(120), nullable=True)
    sent_at = Column(DateTime, nullable=True)
    idempotency_key = Column(String(100), nullable=False, unique=True)
    claimed_by = Column(String(64), nullable=True)
    claimed_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False)
