"""Moved: the outbox is the complaints core's (sotong.complaints.outbox); the names
stay here for existing imports."""

from sotong.complaints.outbox import (  # noqa: F401
    ALIMTALK,
    CHAT,
    ChatMessage,
    enqueue,
    mark_delivered_in_chat,
    pending_in_chat,
)
