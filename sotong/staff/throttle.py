"""Failed sign-ins per client address: a guesser is stopped before any account locks.

The account lockout (sotong.staff.sessions: five wrong passwords lock it for 15 minutes)
protects a password, but it also lets anyone lock an officer out by guessing. This limit
is per client address instead: after ``limit`` failed sign-ins from one address within
``window`` seconds, that address gets no sign-in at all — not even a right password, and
without the account's failure counter being touched — until its oldest failure is older
than the window. Another address is not affected, so the officer can still sign in.

State is per process and bounded like sotong.ratelimit (the least recently seen address
is forgotten first, which can only make the limit more lenient). A successful sign-in
does not reset the count: one valid account must not buy a guesser fresh attempts.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

DEFAULT_LIMIT = 20
WINDOW = 600  # seconds
LIMIT_ENV = "SOTONG_STAFF_SIGNIN_FAILURES"


class SignInThrottle:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = WINDOW,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit, window and max_keys must be positive")
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.pop(key, None) or deque()
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        self._failures[key] = failures  # most recently seen last
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)
        return failures

    def blocked(self, key: str) -> bool:
        """True while ``key`` has ``limit`` failures in the window (checking records nothing)."""
        with self._lock:
            return len(self._recent(key, self._clock())) >= self.limit

    def failed(self, key: str) -> bool:
        """Count one failed sign-in; True when this one brought ``key`` to the limit."""
        with self._lock:
            failures = self._recent(key, self._clock())
            failures.append(self._clock())
            return len(failures) == self.limit

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            now = self._clock()
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                return 0
            return max(1, math.ceil(failures[len(failures) - self.limit] + self.window - now))


def from_env() -> SignInThrottle:
    """``SOTONG_STAFF_SIGNIN_FAILURES`` failed sign-ins per address per 10 minutes (default 20)."""
    raw = os.environ.get(LIMIT_ENV, "").strip()
    limit = int(raw) if raw else DEFAULT_LIMIT  # a typo must not silently turn the limit off
    if limit < 1:
        raise ValueError(f"{LIMIT_ENV} must be 1 or more, not {raw!r}")
    return SignInThrottle(limit)
