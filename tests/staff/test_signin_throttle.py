"""Failed sign-ins per client address (sotong.staff.throttle), on a clock the test moves."""

from __future__ import annotations

import pytest

from sotong.staff import throttle
from sotong.staff.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_blocks_and_checking_counts_nothing():
    clock = Clock()
    t = SignInThrottle(limit=3, window=600, clock=clock)
    for _ in range(10):
        assert not t.blocked("10.0.0.1")  # asking is free
    assert [t.failed("10.0.0.1") for _ in range(3)] == [False, False, True]  # True once: at the limit
    assert t.blocked("10.0.0.1") and not t.blocked("10.0.0.2")
    assert t.retry_after("10.0.0.1") == 600 and t.retry_after("10.0.0.2") == 0


def test_the_window_slides():
    clock = Clock()
    t = SignInThrottle(limit=2, window=600, clock=clock)
    t.failed("a")
    clock.now += 300
    t.failed("a")
    assert t.blocked("a") and t.retry_after("a") == 300
    clock.now += 300  # the first failure leaves the window
    assert not t.blocked("a") and t.retry_after("a") == 0
    t.failed("a")
    assert t.blocked("a") and t.retry_after("a") == 300


def test_memory_is_bounded_and_forgetting_only_lets_someone_in():
    clock = Clock()
    t = SignInThrottle(limit=1, window=600, max_keys=2, clock=clock)
    t.failed("a")
    t.failed("b")
    t.failed("c")  # "a" is forgotten
    assert len(t._failures) == 2 and not t.blocked("a") and t.blocked("c")


def test_the_limit_from_the_environment(monkeypatch):
    assert throttle.from_env().limit == throttle.DEFAULT_LIMIT == 20
    monkeypatch.setenv(throttle.LIMIT_ENV, "5")
    assert throttle.from_env().limit == 5
    for bad in ("0", "-1", "many"):
        monkeypatch.setenv(throttle.LIMIT_ENV, bad)
        with pytest.raises(ValueError):
            throttle.from_env()
