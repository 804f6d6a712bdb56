"""Per-resident things the channel keeps between requests, in memory.

- held answers: bot messages that finished after the deadline when Kakao gave
  no callbackUrl; they are shown with the resident's next message.
- pages: the rest of an answer too big for one Kakao response ("더 보기").

In memory means: lost on restart and not shared between Rasa processes. That
is acceptable for a single-process deployment (docs/kakao.md says so); the
dialogue's own record (tracker store) is unaffected either way.

Bounded by count as well as by age: at most `max_senders` residents each for
held answers and for pages (least recently touched forgotten first), and at
most MAX_HELD_MESSAGES per resident, so a flood of distinct or chatty senders
cannot grow memory without limit.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Messages = list[dict[str, Any]]
Response = dict[str, Any]

PAGES_TTL_SECONDS = 3600.0
# A resident who never writes again while answers pile up: keep the newest ones.
MAX_HELD_MESSAGES = 50

logger = logging.getLogger(__name__)


@dataclass
class _Held:
    messages: Messages = field(default_factory=list)
    updated_at: float = 0.0


class Mailbox:
    def __init__(
        self, held_ttl_seconds: float, clock: Callable[[], float] = time.monotonic, max_senders: int = 10_000
    ) -> None:
        self._held_ttl = held_ttl_seconds
        self._clock = clock
        self._max_senders = max_senders
        self._evicted = 0
        # Least recently touched first (move_to_end on every write).
        self._held: "OrderedDict[str, _Held]" = OrderedDict()
        self._pages: "OrderedDict[str, tuple[str, list[Response], float]]" = OrderedDict()

    def __len__(self) -> int:
        """Residents with anything kept: at most 2 × max_senders (each kind is capped on its own)."""
        return len(set(self._held) | set(self._pages))

    @property
    def held_senders(self) -> int:
        return len(self._held)

    @property
    def paged_senders(self) -> int:
        return len(self._pages)

    # held answers ---------------------------------------------------------------

    def hold(self, sender_id: str, messages: Messages) -> None:
        """Keep `messages` after anything already kept (later answers last)."""
        self._purge()
        entry = self._touch_held(sender_id)
        entry.messages.extend(messages)
        del entry.messages[:-MAX_HELD_MESSAGES]

    def restore(self, sender_id: str, messages: Messages) -> None:
        """Put back messages that were taken but could not be delivered, in front."""
        entry = self._touch_held(sender_id)
        entry.messages[:0] = messages
        del entry.messages[:-MAX_HELD_MESSAGES]

    def take_held(self, sender_id: str) -> Messages:
        self._purge()
        entry = self._held.pop(sender_id, None)
        return entry.messages if entry else []

    def has_held(self, sender_id: str) -> bool:
        self._purge()
        return sender_id in self._held

    # pages ------------------------------------------------------------------------

    def keep_pages(self, sender_id: str, token: str, pages: list[Response]) -> None:
        """Remember all pages of the latest long answer (replaces an older one)."""
        self._purge()
        if len(pages) > 1:
            self._pages[sender_id] = (token, pages, self._clock())
            self._pages.move_to_end(sender_id)
            self._evict(self._pages, "pages")
        else:
            self._pages.pop(sender_id, None)

    def page(self, sender_id: str, more: str) -> Response | None:
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

    def _touch_held(self, sender_id: str) -> _Held:
        entry = self._held.setdefault(sender_id, _Held())
        entry.updated_at = self._clock()
        self._held.move_to_end(sender_id)
        self._evict(self._held, "held")
        return entry

    def _evict(self, kept: "OrderedDict[str, Any]", what: str) -> None:
        while len(kept) > self._max_senders:
            kept.popitem(last=False)
            self._evicted += 1
            if self._evicted % 1000 == 1:  # a flood would otherwise flood the log too
                logger.warning(
                    "kakao.mailbox.evicted kind=%s max_senders=%s total=%s", what, self._max_senders, self._evicted
                )

    def _purge(self) -> None:
        """Drop expired entries. Both dicts are in last-touched order, so only the front is looked at."""
        now = self._clock()
        while self._held and now - next(iter(self._held.values())).updated_at > self._held_ttl:
            self._held.popitem(last=False)
        while self._pages and now - next(iter(self._pages.values()))[2] > PAGES_TTL_SECONDS:
            self._pages.popitem(last=False)
