"""The shared state for several Rasa replicas (`make run-prod`): mailbox and retry ledger in Redis.

Keys (all under the configured prefix, default "sotong:kakao:"):
  job:<fingerprint>   hash: token, status, callback_url, callback_at, response, messages
  held:<sender>       list of JSON messages (newest last, at most MAX_HELD_MESSAGES)
  pages:<sender>      JSON {token, pages} of the latest long answer
  jobs, held, pages   sorted sets bounding each kind by count (state_redis_scripts.py)

Every key expires: a running claim after RUNNING_CLAIM_SECONDS (its replica may
have died), a finished one after the dedupe window, held answers after
held_reply_ttl_seconds, pages after an hour.

Redis down: a call gives up at once when the connection is refused, within
REDIS_TIMEOUT_SECONDS when Redis hangs; the outage is logged once
(kakao.state.redis_down), and for RETRY_AFTER_SECONDS the in-memory store answers
instead (this replica's own retries are still joined by jobs.py; held answers and
pages made meanwhile stay in this process and are still served). Nothing raises
into the channel. The next call after that tries Redis again (kakao.state.redis_back).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from connectors.kakao import state_redis_scripts as lua
from connectors.kakao.mailbox import MAX_HELD_MESSAGES, PAGES_TTL_SECONDS
from connectors.kakao.state_memory import MemoryState
from connectors.kakao.state_store import ANSWERED, DONE, LedgerEntry, Messages, Response

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Longer than any dialogue turn (actions time out well before); a claim left by a replica
# that died mid-turn stops holding the request's retries after this.
RUNNING_CLAIM_SECONDS = 120.0
# A Kakao answer has 4.5 s in all: never spend them waiting on Redis. Not much less either: a
# replica busy with NLU can leave a reply unread for a few hundred ms without Redis being down.
REDIS_TIMEOUT_SECONDS = 1.0
RETRY_AFTER_SECONDS = 2.0


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pairs(flat: list[Any]) -> dict[str, str]:
    return {str(flat[i]): str(flat[i + 1]) for i in range(0, len(flat) - 1, 2)}


def _entry(fields: dict[str, str]) -> LedgerEntry | None:
    if "status" not in fields:
        return None
    at = fields.get("callback_at") or ""
    return LedgerEntry(
        token=fields.get("token", ""),
        status=fields["status"],
        response=json.loads(fields["response"]) if fields.get("response") else None,
        messages=json.loads(fields["messages"]) if fields.get("messages") else None,
        callback_url=fields.get("callback_url") or None,
        callback_at=float(at) if at else None,
    )


class RedisState:
    shared = True

    def __init__(
        self,
        url: str,
        fallback: MemoryState,
        *,
        prefix: str,
        dedupe_window_seconds: float,
        held_ttl_seconds: float,
        max_senders: int,
        max_jobs: int,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        retry_after_seconds: float = RETRY_AFTER_SECONDS,
    ) -> None:
        self.fallback = fallback
        self.prefix = prefix
        self._window_ms = int(dedupe_window_seconds * 1000)
        self._held_ttl = held_ttl_seconds
        self._max_senders = max_senders
        self._max_jobs = max_jobs
        self._clock = clock
        self._wall = wall
        self._retry_after = retry_after_seconds
        self._replica = uuid.uuid4().hex[:8]
        self._down_until: float | None = None  # set while Redis is considered down
        self.redis = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        register = self.redis.register_script
        self._claim, self._defer, self._start = register(lua.CLAIM), register(lua.DEFER), register(lua.START_DELIVERY)
        self._finish, self._set_response = register(lua.FINISH), register(lua.SET_RESPONSE)
        self._hold, self._take, self._keep_pages = register(lua.HOLD), register(lua.TAKE_HELD), register(lua.KEEP_PAGES)

    # --- degradation -------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._down_until is None or self._clock() >= self._down_until

    async def _call(self, operation: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]) -> T:
        if not self.available:
            return await fallback()
        try:
            # wait_for as well as the socket timeouts: a connection attempt can hang in DNS.
            result = await asyncio.wait_for(operation(), REDIS_TIMEOUT_SECONDS * 1.5)
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            if self._down_until is None:
                logger.error(
                    "kakao.state.redis_down: %s; answering from this process's memory until Redis is back "
                    "(retries landing on another replica may run twice meanwhile)",
                    type(error).__name__,
                )
            self._down_until = self._clock() + self._retry_after
            return await fallback()
        if self._down_until is not None:
            logger.warning("kakao.state.redis_back")
            self._down_until = None
        return result

    def _key(self, kind: str, name: str = "") -> str:
        return f"{self.prefix}{kind}:{name}" if name else f"{self.prefix}{kind}"

    # --- mailbox -------------------------------------------------------------------

    async def hold(self, sender_id: str, messages: Messages) -> None:
        await self._held_write(sender_id, messages, front=False)

    async def restore(self, sender_id: str, messages: Messages) -> None:
        await self._held_write(sender_id, messages, front=True)

    async def _held_write(self, sender_id: str, messages: Messages, front: bool) -> None:
        if not messages:
            return
        args = [self._wall(), self._held_ttl, self._max_senders, MAX_HELD_MESSAGES, int(front)]
        keys = [self._key("held", sender_id), self._key("held")]
        local = self.fallback.restore if front else self.fallback.hold

        async def write() -> None:
            await self._hold(keys=keys, args=args + [_dumps(m) for m in messages])

        await self._call(write, lambda: local(sender_id, messages))

    async def take_held(self, sender_id: str) -> Messages:
        # Answers held here while Redis was down come first: they are the older ones.
        local = await self.fallback.take_held(sender_id)

        async def take() -> Messages:
            raw = await self._take(keys=[self._key("held", sender_id), self._key("held")])
            return [json.loads(item) for item in raw]

        return local + await self._call(take, _nothing_held)

    async def has_held(self, sender_id: str) -> bool:
        if await self.fallback.has_held(sender_id):
            return True

        async def exists() -> bool:
            return bool(await self.redis.exists(self._key("held", sender_id)))

        return await self._call(exists, _false)

    async def keep_pages(self, sender_id: str, token: str, pages: list[Response]) -> None:
        kept = _dumps({"token": token, "pages": pages}) if len(pages) > 1 else ""
        args = [self._wall(), PAGES_TTL_SECONDS, self._max_senders, kept]

        async def keep() -> None:
            await self._keep_pages(keys=[self._key("pages", sender_id), self._key("pages")], args=args)

        await self._call(keep, lambda: self.fallback.keep_pages(sender_id, token, pages))

    async def page(self, sender_id: str, more: str) -> Response | None:
        async def lookup() -> Response | None:
            raw = await self.redis.get(self._key("pages", sender_id))
            if not raw:
                return None
            kept = json.loads(raw)
            token, _, index = more.rpartition(":")
            if kept.get("token") != token or not index.isdigit() or int(index) >= len(kept["pages"]):
                return None
            return kept["pages"][int(index)]

        found = await self._call(lookup, _no_page)
        # Pages made while Redis was down live in this process only.
        return found if found is not None else await self.fallback.page(sender_id, more)

    # --- retry ledger ------------------------------------------------------------------

    async def claim(self, key: str) -> LedgerEntry | None:
        token = f"{self._replica}:{uuid.uuid4().hex[:12]}"
        args = [token, int(RUNNING_CLAIM_SECONDS * 1000), self._wall(), RUNNING_CLAIM_SECONDS, self._max_jobs]

        async def claim() -> LedgerEntry | None:
            current = await self._claim(keys=[self._key("job", key), self._key("jobs")], args=args)
            return _entry(_pairs(current)) if current else None

        # Redis down: the claim is ours (this process still joins its own retries).
        return await self._call(claim, _no_entry)

    async def release(self, key: str) -> None:
        async def release() -> None:
            await self.redis.delete(self._key("job", key))

        await self._call(release, _done)

    async def mark_deferred(self, key: str, callback_url: str | None, received_at: float) -> bool:
        async def defer() -> bool:
            return bool(await self._defer(keys=[self._key("job", key)], args=[callback_url or "", received_at]))

        return await self._call(defer, _false)

    async def start_delivery(self, key: str) -> tuple[str | None, float | None]:
        async def start() -> tuple[str | None, float | None]:
            url, at = await self._start(keys=[self._key("job", key)])
            return (url or None, float(at) if at else None)

        return await self._call(start, _no_callback)

    async def finish(self, key: str, deferred: bool, response: Response | None, messages: Messages) -> None:
        status = DONE if deferred else ANSWERED
        args = [status, self._window_ms, _dumps(response) if response else "", _dumps(messages)]

        async def finish() -> None:
            await self._finish(keys=[self._key("job", key)], args=args)

        await self._call(finish, _done)

    async def set_response(self, key: str, response: Response | None) -> None:
        async def store() -> None:
            await self._set_response(keys=[self._key("job", key)], args=[_dumps(response) if response else ""])

        await self._call(store, _done)

    async def entry(self, key: str) -> LedgerEntry | None:
        async def read() -> LedgerEntry | None:
            return _entry(await self.redis.hgetall(self._key("job", key)))

        return await self._call(read, _no_entry)

    async def close(self) -> None:
        try:
            await self.redis.close()
            await self.redis.connection_pool.disconnect()
        except (RedisError, OSError):
            pass


# Fallback answers while Redis is down (coroutines, like the Redis calls they stand for).
async def _nothing_held() -> Messages:
    return []


async def _false() -> bool:
    return False


async def _no_page() -> Response | None:
    return None


async def _no_entry() -> LedgerEntry | None:
    return None


async def _no_callback() -> tuple[str | None, float | None]:
    return None, None


async def _done() -> None:
    return None
