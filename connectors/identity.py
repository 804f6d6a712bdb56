"""Conversation ids namespaced by channel: "kakao:<userKey>", "rest:<sender>", "web:<session>".

Rasa keys a conversation (tracker) by sender id alone. Without a namespace a REST
caller who sends a KakaoTalk user's id joins that resident's conversation and sees
their complaints. Each channel therefore hands Rasa ``conversation_id(channel, raw)``,
and the actions read the channel back from the prefix (never from the message's
``input_channel``, which a client may influence). Rasa-free: the action server uses it.
"""

from __future__ import annotations

KAKAO = "kakao"
REST = "rest"
WEB = "web"  # socket.io web chat: the session id issued and signed by the web app
CHANNELS = frozenset({KAKAO, REST, WEB})
SEPARATOR = ":"


def conversation_id(channel: str, raw_id: str) -> str:
    """The sender id a channel hands Rasa for its own user ``raw_id``."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {sorted(CHANNELS)}")
    if not isinstance(raw_id, str) or not raw_id:
        raise ValueError("a channel user id must be a non-empty string")
    return f"{channel}{SEPARATOR}{raw_id}"


def parse_conversation_id(sender_id: str) -> tuple[str | None, str]:
    """(channel, raw id) for a namespaced id; (None, sender_id) when no known channel prefix.

    Only the first separator counts, so a raw id may itself contain ":" —
    "rest:kakao:abc" is the REST user "kakao:abc", never the Kakao user "abc".
    """
    channel, sep, raw = (sender_id or "").partition(SEPARATOR)
    if sep and channel in CHANNELS and raw:
        return channel, raw
    return None, sender_id or ""
