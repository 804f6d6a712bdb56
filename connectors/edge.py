"""What the REST and socket.io channels check before a message reaches the bot.

One place for the limits both web-facing channels share (issue 7, findings 5 and 9):
message length, sender length, body size and the per-sender message rate, and for
their Korean wording (connectors/messages.yml). Read from the environment once, when
the channel is created:

  SOTONG_MAX_MESSAGE_CHARS  longest message (default 2000 characters); longer → refused
  SOTONG_CHANNEL_MAX_BODY   largest REST body / socket.io packet (default 65536 bytes)
  SOTONG_MESSAGE_RATE       messages per sender, "count/seconds" (default 30/60)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from sotong.ratelimit import RateLimiter
from sotong.ratelimit_shared import rate_limiter

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
MAX_SENDER_CHARS = 128
MAX_RATE_KEYS = 50_000  # bounded memory: the limiter forgets the least recently seen sender


class EdgeConfigError(ValueError):
    """A variable is set to something unusable; the message names it."""


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise EdgeConfigError(f"{name} must be a whole number between {low} and {high}, not {raw!r}")
    return int(raw)


def _rate(name: str, default: str) -> tuple:
    return parse_rate(name, os.environ.get(name, ""), default)


def parse_rate(name: str, value: str, default: str = "30/60") -> tuple:
    """ "30/60" → (30, 60): messages per seconds; one format for every channel."""
    raw = (value or "").strip() or default
    count, sep, seconds = raw.partition("/")
    if not (sep and count.strip().isdigit() and seconds.strip().isdigit() and int(count) >= 1 and int(seconds) >= 1):
        raise EdgeConfigError(f'{name} must look like "30/60" (messages/seconds), not {raw!r}')
    return int(count), int(seconds)


@dataclass(frozen=True)
class EdgeLimits:
    max_message_chars: int
    max_body_bytes: int
    rate_count: int
    rate_seconds: int

    def limiter(self) -> RateLimiter:
        # Shared by every replica through Redis when SOTONG_RATE_REDIS_URL is set.
        return rate_limiter(self.rate_count, self.rate_seconds, max_keys=MAX_RATE_KEYS)


def load_limits() -> EdgeLimits:
    count, seconds = _rate("SOTONG_MESSAGE_RATE", "30/60")
    return EdgeLimits(
        max_message_chars=_int("SOTONG_MAX_MESSAGE_CHARS", 2000, 10, 100_000),
        max_body_bytes=_int("SOTONG_CHANNEL_MAX_BODY", 64 * 1024, 1024, 10 * 1024 * 1024),
        rate_count=count,
        rate_seconds=seconds,
    )


class EdgeTexts:
    """The channels' Korean sentences by key; a missing key fails at start-up, not mid-chat."""

    KEYS = (
        "bad_request",
        "bad_sender",
        "too_deep",
        "too_large",
        "message_too_long",
        "rate_limited",
        "rest_disabled",
        "unauthorized",
        "session_missing",
        "session_invalid",
        "session_expired",
        "session_mismatch",
    )

    def __init__(self, limits: EdgeLimits, path: Path = MESSAGES_FILE) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        missing = [k for k in self.KEYS if not str(data.get(k) or "").strip()]
        if missing:
            raise EdgeConfigError(f"{path}: missing texts: {', '.join(missing)}")
        values = {"max_chars": f"{limits.max_message_chars:,}", "seconds": limits.rate_seconds}
        self._texts: dict[str, str] = {k: str(data[k]).strip().format(**values) for k in self.KEYS}

    def __getitem__(self, key: str) -> str:
        return self._texts[key]


def message_problem(text: object, limits: EdgeLimits) -> str:
    """The texts key saying what is wrong with a message, or "" when it may go to the bot."""
    if not isinstance(text, str):
        return "bad_request"
    if len(text) > limits.max_message_chars:
        return "message_too_long"
    return ""
