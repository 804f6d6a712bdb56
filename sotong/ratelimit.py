"""Per-key sliding-window rate limits with bounded memory.

Used at the edges (channels) to stop one sender from flooding the bot. The state is
per process: with several replicas each enforces its own share (the production
profile may move it to Redis). Memory is bounded by ``max_keys``: when full, the
least recently seen key is forgotten, which can only make a limit more lenient for
that key, never lock anyone out.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, per_seconds: float, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or per_seconds <= 0 or max_keys < 1:
            raise ValueError("limit, per_seconds and max_keys must be positive")
        self.limit = limit
        self.per_seconds = per_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._hits: "OrderedDict[str, deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record one hit for ``key``; False when it is over the limit (the hit is not counted)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None)
            if hits is None:
                hits = deque()
            while hits and now - hits[0] >= self.per_seconds:
                hits.popleft()
            allowed = len(hits) < self.limit
            if allowed:
                hits.append(now)
            self._hits[key] = hits  # most recently seen last
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return allowed

    def __len__(self) -> int:
        return len(self._hits)
