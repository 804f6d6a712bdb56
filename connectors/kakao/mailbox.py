"""Per-resident things the channel keeps between requests, in memory.

- held answers: bot messages that finished after the deadline when Kakao gave
  no callbackUrl; they are shown with the resident's next message.
- pages: the rest of an answer too big for one Kakao response ("더 보기").

In memory means: lost on restart and not shared between Rasa processes. That
is acceptable for a single-process deployment (docs/kakao.md says so); the
dialogue's own record (tracker store) is unaffected either way.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

Messages = List[Dict[str, Any]]
Response = Dict[str, Any]

PAGES_TTL_SECONDS = 3600.0


@dataclass
class _Held:
    messages: Messages = field(default_factory=list)
    updated_at: float = 0.0


class Mailbox:
    def __init__(self, held_ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._held_ttl = held_ttl_seconds
        self._clock = clock
        self._held: Dict[str, _Held] = {}
        self._pages: Dict[str, Tuple[str, List[Response], float]] = {}

    # held answers ---------------------------------------------------------------

    def hold(self, sender_id: str, messages: Messages) -> None:
        """Keep `messages` after anything already kept (later answers last)."""
        self._purge()
        entry = self._held.setdefault(sender_id, _Held())
        entry.messages.extend(messages)
        entry.updated_at = self._clock()

    def restore(self, sender_id: str, messages: Messages) -> None:
        """Put back messages that were taken but could not be delivered, in front."""
        entry = self._held.setdefault(sender_id, _Held())
        entry.messages[:0] = messages
        entry.updated_at = self._clock()

    def take_held(self, sender_id: str) -> Messages:
        self._purge()
        entry = self._held.pop(sender_id, None)
        return entry.messages if entry else []

    def has_held(self, sender_id: str) -> bool:
        self._purge()
        return sender_id in self._held

    # pages ------------------------------------------------------------------------

    def keep_pages(self, sender_id: str, token: str, pages: List[Response]) -> None:
        """Remember all pages of the latest long answer (replaces an older one)."""
        self._purge()
        if len(pages) > 1:
            self._pages[sender_id] = (token, pages, self._clock())
        else:
            self._pages.pop(sender_id, None)

    def page(self, sender_id: str, more: str) -> Optional[Response]:
        """Page for a "token:index" tap; None if it belongs to an older or expired answer.

        Pages are looked up, not popped, so a retried tap gets the same page.
        """
        token, _, index = more.rpartition(":")
        kept = self._pages.get(sender_id)
        if not kept or kept[0] != token or self._clock() - kept[2] > PAGES_TTL_SECONDS:
            return None
        try:
            return kept[1][int(index)]
        except (ValueError, IndexError):
            return None

    def _purge(self) -> None:
        now = self._clock()
        for sender in [s for s, e in self._held.items() if now - e.updated_at > self._held_ttl]:
            del self._held[sender]
        for sender in [s for s, kept in self._pages.items() if now - kept[2] > PAGES_TTL_SECONDS]:
            del self._pages[sender]
