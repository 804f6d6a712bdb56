"""The notification outbox table."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from sotong.complaints.models import Complaint, Resident
from sotong.db import Base

# Outbox status of the push (알림톡/log) part; in-chat delivery is tracked separately.
QUEUED = "queued"    # waiting for its next attempt
SENT = "sent"        # accepted by the 알림톡 provider
LOGGED = "logged"    # no provider configured: written to the log only
SKIPPED = "skipped"  # provider configured but the resident gave no phone consent
FAILED = "failed"    # the provider refused it for good (bad template, bad number); see last_error
SENDING = "sending"  # claimed by a worker (claimed_by/claimed_at), its HTTP call under way
UNKNOWN = "unknown"  # the provider may or may not have it (garbage answer, read timeout, worker died
                     # mid-send); never re-sent on its own — staff look and `notifications retry` it


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
    stage = Column(String(24), nullable=False)          # received, assigned, ... corrected
    template_code = Column(String(60), nullable=False)  # the provider-approved template
    params = Column(JSON, nullable=False)               # templateParameter
    text = Column(Text, nullable=False)                 # rendered, for chat and SMS fallback
    targets = Column(JSON, nullable=False)              # ["chat"] or ["chat", "alimtalk"]
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
