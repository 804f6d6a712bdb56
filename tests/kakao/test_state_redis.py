"""The Redis state (connectors/kakao/state_redis.py) against the real Redis on 127.0.0.1:6379.

Each test gets its own key prefix, deleted afterwards, so tests never see each
other's keys (nor a running deployment's). Redis going away is real too: the
store talks to Redis through a loopback TCP relay that a test can shut and reopen.
Skipped, with the reason printed, when no Redis answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis

from connectors.kakao.mailbox import MAX_HELD_MESSAGES, PAGES_TTL_SECONDS, Mailbox
from connectors.kakao.state_memory import MemoryState
from connectors.kakao.state_redis import RUNNING_CLAIM_SECONDS, RedisState
from connectors.kakao.state_store import ANSWERED, DEFERRED, DELIVERING, DONE, RUNNING

REDIS_URL = "redis://127.0.0.1:6379/0"


# Named fixture (name=...): test_state_replicas.py imports it without shadowing its parameters.
@pytest.fixture(name="redis_keys")
def redis_keys_fixture() -> Any:
    """Keys (and their TTLs in s) under a prefix, read with a plain client."""
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)

    def read(prefix: str) -> dict[str, float]:
        return {key: client.pttl(key) / 1000 for key in client.scan_iter(match=f"{prefix}*", count=500)}

    yield read
    client.close()


def store(prefix: str, url: str = REDIS_URL, **options: Any) -> RedisState:
    settings: dict[str, Any] = dict(
        prefix=prefix, dedupe_window_seconds=30, held_ttl_seconds=600, max_senders=100, max_jobs=100
    )
    settings.update(options)
    return RedisState(url, MemoryState(Mailbox(settings["held_ttl_seconds"])), **settings)


# --- retry ledger ---------------------------------------------------------------------------------


async def test_a_request_is_claimed_by_exactly_one_of_many_concurrent_replicas(redis_prefix) -> None:
    replicas = [store(redis_prefix) for _ in range(4)]
    claims = await asyncio.gather(*(replica.claim("kakao:u|abc") for replica in replicas * 5))
    won = [claim for claim in claims if claim is None]
    assert len(won) == 1
    # Everyone else sees the one owner's entry, still running. (Compared among the losers: the
    # winner may be any of the 20, the last one included, which once made claims[-1] None.)
    seen = {(c.status, c.token) for c in claims if c is not None}
    assert len(seen) == 1 and next(iter(seen))[0] == RUNNING
    for replica in replicas:
        await replica.close()


async def test_claims_expire_and_finished_entries_keep_only_the_dedupe_window(redis_prefix, redis_keys) -> None:
    state = store(redis_prefix, dedupe_window_seconds=30)
    assert await state.claim("k1") is None
    job_key = f"{redis_prefix}job:k1"
    assert 0 < redis_keys(redis_prefix)[job_key] <= RUNNING_CLAIM_SECONDS
    await state.mark_deferred("k1", None, time.time())
    await state.start_delivery("k1")
    await state.finish("k1", True, None, [{"text": "늦은 답"}])
    assert 0 < redis_keys(redis_prefix)[job_key] <= 30
    entry = await state.entry("k1")
    assert entry is not None and entry.status == DONE and entry.messages == [{"text": "늦은 답"}]
    # Deferred and finished: still a retry target within the window.
    assert (await state.claim("k1")) is not None
    await state.close()


async def test_an_answered_request_is_not_a_retry_target(redis_prefix) -> None:
    a, b = store(redis_prefix), store(redis_prefix)
    assert await a.claim("k") is None
    await a.finish("k", False, {"version": "2.0"}, [])
    assert (await a.entry("k")).status == ANSWERED  # a waiting retry can still read the answer
    assert await b.claim("k") is None  # the same words again are a new message
    await a.close()
    await b.close()


async def test_a_released_claim_can_be_taken_again(redis_prefix) -> None:
    a, b = store(redis_prefix), store(redis_prefix)
    assert await a.claim("k") is None
    await a.release("k")
    assert await b.claim("k") is None
    await a.close()
    await b.close()


async def test_the_newest_callback_wins_and_none_is_taken_once_delivery_started(redis_prefix) -> None:
    owner, other = store(redis_prefix), store(redis_prefix)
    assert await owner.claim("k") is None
    assert await owner.mark_deferred("k", "https://bot-api.kakao.com/cb/1", 100.0)
    assert await other.mark_deferred("k", "https://bot-api.kakao.com/cb/2", 105.0)
    assert await other.mark_deferred("k", "https://bot-api.kakao.com/cb/old", 90.0)  # registered, not newest
    entry = await other.entry("k")
    assert entry.status == DEFERRED and entry.callback_url.endswith("/cb/2")
    assert await owner.start_delivery("k") == ("https://bot-api.kakao.com/cb/2", 105.0)
    assert (await other.entry("k")).status == DELIVERING
    assert not await other.mark_deferred("k", "https://bot-api.kakao.com/cb/3", 110.0)
    assert not await other.mark_deferred("gone", "https://bot-api.kakao.com/cb/4", 110.0)
    await owner.close()
    await other.close()


async def test_jobs_are_bounded_by_count(redis_prefix, redis_keys) -> None:
    state = store(redis_prefix, max_jobs=5)
    for n in range(12):
        assert await state.claim(f"k{n}") is None
    jobs = [key for key in redis_keys(redis_prefix) if ":job:" in key]
    assert sorted(jobs) == sorted(f"{redis_prefix}job:k{n}" for n in range(7, 12))
    await state.close()


# --- mailbox -------------------------------------------------------------------------------------


async def test_held_answers_are_shared_ordered_capped_and_taken_once(redis_prefix, redis_keys) -> None:
    a, b = store(redis_prefix, held_ttl_seconds=600), store(redis_prefix, held_ttl_seconds=600)
    await a.hold("kakao:u", [{"text": "둘"}])
    await b.hold("kakao:u", [{"text": "셋"}])
    await a.restore("kakao:u", [{"text": "하나"}])
    assert await b.has_held("kakao:u")
    assert 0 < redis_keys(redis_prefix)[f"{redis_prefix}held:kakao:u"] <= 600
    assert await b.take_held("kakao:u") == [{"text": "하나"}, {"text": "둘"}, {"text": "셋"}]
    assert await a.take_held("kakao:u") == [] and not await a.has_held("kakao:u")
    await a.hold("kakao:u", [{"text": f"{n}"} for n in range(MAX_HELD_MESSAGES + 7)])
    kept = await b.take_held("kakao:u")
    assert len(kept) == MAX_HELD_MESSAGES and kept[-1] == {"text": f"{MAX_HELD_MESSAGES + 6}"}
    await a.close()
    await b.close()


async def test_held_answers_are_bounded_by_count_of_residents(redis_prefix, redis_keys) -> None:
    state = store(redis_prefix, max_senders=3)
    for n in range(8):
        await state.hold(f"kakao:u{n}", [{"text": "답"}])
    held = sorted(key for key in redis_keys(redis_prefix) if ":held:" in key)
    assert held == [f"{redis_prefix}held:kakao:u{n}" for n in range(5, 8)]  # least recent forgotten
    await state.close()


async def test_pages_are_served_by_any_replica_until_replaced(redis_prefix, redis_keys) -> None:
    a, b = store(redis_prefix), store(redis_prefix)
    pages = [{"page": 0}, {"page": 1}, {"page": 2}]
    await a.keep_pages("kakao:u", "tok", pages)
    assert 0 < redis_keys(redis_prefix)[f"{redis_prefix}pages:kakao:u"] <= PAGES_TTL_SECONDS
    assert await b.page("kakao:u", "tok:2") == {"page": 2}
    for stale in ("old:1", "tok:3", "tok:x", "tok", ""):
        assert await b.page("kakao:u", stale) is None
    await b.keep_pages("kakao:u", "new", [{"page": 0}])  # a one-page answer forgets the old pages
    assert await a.page("kakao:u", "tok:1") is None
    await a.close()
    await b.close()


# --- Redis down ----------------------------------------------------------------------------------


class Relay:
    """A loopback TCP relay to Redis that a test can shut (connections cut, port refused) and reopen."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def shut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self._writers.update((writer, up_writer))

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))


@contextlib.asynccontextmanager
async def relay() -> AsyncIterator[Relay]:
    r = Relay()
    await r.open()
    try:
        yield r
    finally:
        with contextlib.suppress(Exception):
            await r.shut()


async def test_redis_down_degrades_to_this_process_and_recovers(redis_prefix, caplog) -> None:
    caplog.set_level(logging.INFO, logger="connectors.kakao.state_redis")
    async with relay() as link:
        state = store(redis_prefix, url=link.url, retry_after_seconds=0.2)
        other = store(redis_prefix)  # straight to Redis
        assert await state.claim("before") is None
        await link.shut()

        # Down: nothing raises, the in-memory store answers, the outage is logged once.
        assert await state.claim("during") is None
        assert await state.claim("during") is None  # only this process's jobs.py joins retries now
        await state.hold("kakao:u", [{"text": "장애 중 답"}])
        await state.keep_pages("kakao:u", "tok", [{"p": 0}, {"p": 1}])
        assert await state.has_held("kakao:u")
        assert await state.page("kakao:u", "tok:1") == {"p": 1}
        assert await state.entry("before") is None
        assert await state.mark_deferred("before", None, time.time()) is False
        assert await state.start_delivery("before") == (None, None)
        downs = [r for r in caplog.records if "kakao.state.redis_down" in r.getMessage()]
        assert len(downs) == 1 and downs[0].levelno == logging.ERROR

        await link.open()  # same port
        await asyncio.sleep(0.3)  # past retry_after_seconds
        await other.hold("kakao:u", [{"text": "복구 후 답"}])
        # Back: Redis is used again, and what was held meanwhile in this process is not lost.
        assert await state.take_held("kakao:u") == [{"text": "장애 중 답"}, {"text": "복구 후 답"}]
        assert any("kakao.state.redis_back" in r.getMessage() for r in caplog.records)
        assert (await other.entry("before")).status == RUNNING  # the claim made before the outage is there
        await state.close()
        await other.close()


async def test_an_unreachable_redis_never_raises(redis_prefix) -> None:
    # A port nothing listens on (an unroutable address is bounded by the timeouts instead).
    state = store(redis_prefix, url="redis://127.0.0.1:1/0")
    await state.hold("kakao:u", [{"text": "답"}])
    assert await state.take_held("kakao:u") == [{"text": "답"}]
    await state.close()
