"""The channels' per-sender rate limit shared by replicas through the machine's Redis
(sotong/ratelimit_shared.py), and its fall-back when Redis is not there."""

from __future__ import annotations

import time

import redis

from connectors.edge import load_limits
from sotong.ratelimit import RateLimiter
from sotong.ratelimit_shared import RETRY_AFTER_SECONDS, SharedRateLimiter, rate_limiter

REDIS = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_two_replicas_share_one_window(redis_prefix):
    clock = Clock()
    one = SharedRateLimiter(3, 60, REDIS, prefix=redis_prefix, wall_clock=clock)
    two = SharedRateLimiter(3, 60, REDIS, prefix=redis_prefix, wall_clock=clock)
    assert [one.allow("rest:a"), two.allow("rest:a"), one.allow("rest:a")] == [True, True, True]
    assert not two.allow("rest:a") and not one.allow("rest:a")  # the limit holds across replicas
    assert two.allow("rest:b")  # another sender has a window of their own
    clock.now += 61  # the window slides: the old messages no longer count
    assert one.allow("rest:a")


def test_a_refused_message_is_not_counted(redis_prefix):
    clock = Clock()
    limiter = SharedRateLimiter(1, 10, REDIS, prefix=redis_prefix, wall_clock=clock)
    assert limiter.allow("k")
    for _ in range(5):
        clock.now += 1
        assert not limiter.allow("k")
    clock.now += 9.5  # 10.5 s after the one counted message, whatever was refused meanwhile
    assert limiter.allow("k")


def test_keys_expire_with_the_window(redis_prefix):
    SharedRateLimiter(5, 30, REDIS, prefix=redis_prefix).allow("web:x")
    ttl_ms = redis.Redis.from_url(REDIS).pttl(f"{redis_prefix}web:x")
    assert 0 < ttl_ms <= 30_000


def test_redis_down_falls_back_to_the_process_window_and_tries_again_later(caplog):
    monotonic = Clock()
    limiter = SharedRateLimiter(2, 60, "redis://127.0.0.1:1/0", clock=monotonic)
    started = time.monotonic()
    assert [limiter.allow("k"), limiter.allow("k"), limiter.allow("k")] == [True, True, False]
    assert time.monotonic() - started < 2  # one short time-out, not one per message
    assert caplog.text.count("ratelimit.redis_unavailable") == 1
    monotonic.now += RETRY_AFTER_SECONDS + 1
    limiter.allow("other")
    assert caplog.text.count("ratelimit.redis_unavailable") == 2  # it tried Redis again


def test_the_channels_use_redis_only_when_configured(monkeypatch):
    monkeypatch.delenv("SOTONG_RATE_REDIS_URL", raising=False)
    assert type(load_limits().limiter()) is RateLimiter
    monkeypatch.setenv("SOTONG_RATE_REDIS_URL", REDIS)
    assert isinstance(load_limits().limiter(), SharedRateLimiter)
    assert isinstance(rate_limiter(5, 60), SharedRateLimiter)
