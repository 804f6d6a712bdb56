"""The per-sender rate limit shared by replicas, in Redis (SOTONG_RATE_REDIS_URL).

With one process sotong.ratelimit.RateLimiter is enough. With replicas each keeps its own
window, so a resident whose messages are spread over *n* replicas may send *n* times the limit.
This limiter keeps the window in Redis instead: one sorted set per sender, pruned, counted and
added to by one Lua script (atomic, so two replicas cannot both let the last message through).

When Redis does not answer it falls back to its own in-process window (the one-replica limit, as
before) and leaves Redis alone for ``RETRY_AFTER_SECONDS``, so a Redis outage never slows a turn
by more than one short time-out.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable

from sotong.ratelimit import RateLimiter

logger = logging.getLogger(__name__)

URL_ENV = "SOTONG_RATE_REDIS_URL"
PREFIX_ENV = "SOTONG_RATE_REDIS_PREFIX"
RETRY_AFTER_SECONDS = 10.0
TIMEOUT_SECONDS = 0.25

# KEYS[1]: the sender's window; ARGV: now (ms), window (ms), limit, a unique member.
# Returns 1 when allowed (and counted), 0 when over the limit (not counted).
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


class SharedRateLimiter(RateLimiter):
    """``allow(key)`` as RateLimiter's, counted in Redis across every process that shares ``prefix``."""

    def __init__(
        self,
        limit: int,
        per_seconds: float,
        url: str,
        prefix: str = "sotong:rate:",
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(limit, per_seconds, max_keys=max_keys, clock=clock)
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        self._script = self._redis.register_script(_SLIDING_WINDOW)
        self._prefix = prefix
        self._wall_clock = wall_clock  # shared windows need the same clock on every replica
        self._redis_down_until = 0.0

    def allow(self, key: str) -> bool:
        if self._clock() < self._redis_down_until:
            return super().allow(key)
        now_ms = int(self._wall_clock() * 1000)
        try:
            allowed = self._script(
                keys=[self._prefix + key],
                args=[now_ms, int(self.per_seconds * 1000), self.limit, f"{now_ms}-{uuid.uuid4().hex[:8]}"],
            )
        except Exception as exc:  # any Redis trouble: this process's own window, for a while
            logger.warning("ratelimit.redis_unavailable error=%s", type(exc).__name__)
            self._redis_down_until = self._clock() + RETRY_AFTER_SECONDS
            return super().allow(key)
        return bool(allowed)


def rate_limiter(
    limit: int,
    per_seconds: float,
    max_keys: int = 100_000,
    scope: str = "msg",
    clock: Callable[[], float] = time.monotonic,
) -> RateLimiter:
    """Shared through Redis when SOTONG_RATE_REDIS_URL is set, else per process."""
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        return RateLimiter(limit, per_seconds, max_keys=max_keys, clock=clock)
    prefix = (os.environ.get(PREFIX_ENV, "").strip() or "sotong:rate:") + scope + ":"
    return SharedRateLimiter(limit, per_seconds, url, prefix=prefix, max_keys=max_keys, clock=clock)
