"""Where the KakaoTalk channel keeps what must outlive one HTTP request, and how it is chosen.

Two kinds of state (see docs/kakao.md and docs/production.md):

- the mailbox: answers held for a resident's next message, and "더 보기" pages;
- the retry ledger: which Kakao request (by fingerprint) is being answered, so that
  Kakao's retry of it never runs the dialogue a second time.

`memory` (the default, `make run`): connectors/kakao/state_memory.py, one process.
`redis` (`make run-prod`): connectors/kakao/state_redis.py, shared by every Rasa
replica, so a retry that lands on another replica joins the first one's answer.

The running dialogue itself (an asyncio task) always stays in the process that
started it (connectors/kakao/jobs.py); the ledger only says who runs it and
carries its answer to the other replicas.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.kakao.mailbox import Mailbox

Messages = list[dict[str, Any]]
Response = dict[str, Any]

ENV_STATE = "SOTONG_KAKAO_STATE"
ENV_REDIS_URL = "SOTONG_REDIS_URL"
ENV_KEY_PREFIX = "SOTONG_KAKAO_REDIS_PREFIX"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_KEY_PREFIX = "sotong:kakao:"
STATE_KINDS = ("memory", "redis")

# Ledger statuses. "answered" (in time, on the owner's own request) is not a retry
# target: the same words again are a new message (jobs.py, "Dedupe rule").
RUNNING, DEFERRED, DELIVERING, DONE, ANSWERED = "running", "deferred", "delivering", "done", "answered"
FINISHED = (DONE, ANSWERED)


@dataclass(frozen=True)
class LedgerEntry:
    """A request another replica (or an earlier claim) is answering, as the shared ledger has it."""

    token: str
    status: str
    response: Response | None = None  # first page, once composed
    messages: Messages | None = None  # the dialogue's own messages, once finished
    callback_url: str | None = None  # newest callbackUrl any replica registered
    callback_at: float | None = None  # when that request arrived (wall clock: replicas share no monotonic clock)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class KakaoState(Protocol):
    """The channel's shared state; every method is safe to call when the backend is down."""

    shared: bool  # True when other replicas see the same state

    # mailbox ------------------------------------------------------------------
    async def hold(self, sender_id: str, messages: Messages) -> None: ...
    async def restore(self, sender_id: str, messages: Messages) -> None: ...
    async def take_held(self, sender_id: str) -> Messages: ...
    async def has_held(self, sender_id: str) -> bool: ...
    async def keep_pages(self, sender_id: str, token: str, pages: list[Response]) -> None: ...
    async def page(self, sender_id: str, more: str) -> Response | None: ...

    # retry ledger ----------------------------------------------------------------
    async def claim(self, key: str) -> LedgerEntry | None:
        """Atomically take `key` if nobody answers it; None = ours now, else whoever has it."""
        ...

    async def release(self, key: str) -> None:
        """Give back a claim whose dialogue was never started (rate limit, busy)."""
        ...

    async def mark_deferred(self, key: str, callback_url: str | None, received_at: float) -> bool:
        """The answer will come late; register a (newer) callbackUrl. False: too late, already delivering."""
        ...

    async def start_delivery(self, key: str) -> tuple[str | None, float | None]:
        """The owner's dialogue is done: stop registrations, return the newest callback (url, wall time)."""
        ...

    async def finish(self, key: str, deferred: bool, response: Response | None, messages: Messages) -> None: ...
    async def set_response(self, key: str, response: Response | None) -> None: ...
    async def entry(self, key: str) -> LedgerEntry | None: ...
    async def close(self) -> None: ...


@dataclass(frozen=True)
class StateSettings:
    kind: str = "memory"
    redis_url: str = DEFAULT_REDIS_URL
    key_prefix: str = DEFAULT_KEY_PREFIX


def state_settings(options: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> StateSettings:
    """credentials.yml `state` / `redis_url` / `redis_key_prefix`, else SOTONG_KAKAO_STATE /
    SOTONG_REDIS_URL / SOTONG_KAKAO_REDIS_PREFIX (several deployments may share one Redis)."""
    kind = str(options.get("state") or environ.get(ENV_STATE) or "memory").strip().lower()
    if kind not in STATE_KINDS:
        raise ValueError(f"kakao state must be one of {', '.join(STATE_KINDS)}, not {kind!r}")
    url = str(options.get("redis_url") or environ.get(ENV_REDIS_URL) or DEFAULT_REDIS_URL).strip()
    prefix = str(options.get("redis_key_prefix") or environ.get(ENV_KEY_PREFIX) or DEFAULT_KEY_PREFIX)
    return StateSettings(kind=kind, redis_url=url, key_prefix=prefix)


def build_state(
    settings: StateSettings,
    mailbox: Mailbox,
    *,
    dedupe_window_seconds: float,
    held_ttl_seconds: float,
    max_senders: int,
    max_jobs: int,
    clock: Callable[[], float],
) -> KakaoState:
    """The configured store; `mailbox` is the in-memory one (the store itself, or Redis' fallback)."""
    from connectors.kakao.state_memory import MemoryState

    memory = MemoryState(mailbox)
    if settings.kind == "memory":
        return memory
    from connectors.kakao.state_redis import RedisState

    return RedisState(
        settings.redis_url,
        memory,
        prefix=settings.key_prefix,
        dedupe_window_seconds=dedupe_window_seconds,
        held_ttl_seconds=held_ttl_seconds,
        max_senders=max_senders,
        max_jobs=max_jobs,
        clock=clock,
    )
