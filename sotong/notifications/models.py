"""Moved: the outbox table is the complaints core's (sotong.complaints.outbox), which
queues a message with every recorded event; this package only delivers them. The
names stay here for existing imports."""

from sotong.complaints.outbox import (  # noqa: F401
    FAILED,
    LOGGED,
    OUTBOX_STATUSES,
    QUEUED,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
    Notification,
)
