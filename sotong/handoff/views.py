"""Plain views of handoff requests and lines, and the queue's errors (held after the session closes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sotong.handoff.models import HandoffMessage, HandoffRequest


class HandoffNotFound(LookupError):
    """No such request, or one of another department."""


class HandoffConflict(Exception):
    """The request is not in a state that allows this (someone else claimed or closed it)."""

    def __init__(self, state: str, claimed_by: str | None):
        super().__init__(state)
        self.state, self.claimed_by = state, claimed_by


class InvalidHandoffInput(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class RequestView:
    id: int
    conversation_id: str
    channel: str
    department_code: str
    summary: str
    state: str
    callback: bool
    claimed_by: int | None
    claimed_by_name: str | None
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    urgent_at: datetime | None = None


@dataclass(frozen=True)
class MessageView:
    id: int
    sender: str
    author: str | None
    text: str
    created_at: datetime
    delivered_at: datetime | None


def request_view(r: HandoffRequest) -> RequestView:
    return RequestView(
        r.id,
        r.conversation_id,
        r.channel,
        r.department_code,
        r.summary,
        r.state,
        bool(r.callback),
        r.claimed_by,
        r.claimed_by_name,
        r.created_at,
        r.claimed_at,
        r.closed_at,
        r.urgent_at,
    )


def message_view(m: HandoffMessage) -> MessageView:
    return MessageView(m.id, m.sender, m.author, m.text, m.created_at, m.delivered_at)
