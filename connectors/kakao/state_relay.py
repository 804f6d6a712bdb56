"""Late answers, and answers relayed between replicas (a mixin of the channel, channel.py).

Late: a deferred job's answer, once the dialogue is done, goes to the newest
callbackUrl (registered by this replica or, through the shared ledger, by a
retry that landed on another one) or is held for the resident's next message.

Relayed: Kakao's retry of a request that another replica is answering waits,
within the same 5-second budget, for that replica's answer in the ledger; it is
never run a second time. With the in-memory state (one process) the ledger is
empty and only the late path is used.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from connectors.kakao.callback import post_callback
from connectors.kakao.config import KakaoConfig
from connectors.kakao.jobs import Job, Messages
from connectors.kakao.render import callback_ack
from connectors.kakao.request import SkillRequest
from connectors.kakao.state_store import KakaoState, LedgerEntry, Response
from connectors.kakao.texts import ConnectorTexts

logger = logging.getLogger("connectors.kakao.channel")

# How often a retry waiting on another replica's answer looks at the shared ledger.
REMOTE_POLL_SECONDS = 0.05


class LateAnswers:
    """Needs the channel's config, texts, state, clocks, _compose, _processing, _spawn."""

    config: KakaoConfig
    texts: ConnectorTexts
    state: KakaoState
    _clock: Callable[[], float]
    _wall: Callable[[], float]
    _compose: Callable[[str, Messages], Awaitable[tuple[Response, Messages]]]
    _processing: Callable[[str], Awaitable[Response]]
    _usable_callback_url: Callable[[str | None], str | None]
    _spawn: Callable[[Awaitable[Any]], None]

    def _wall_at(self, monotonic: float) -> float:
        """A moment of this process's clock as wall time (what the replicas agree on)."""
        return self._wall() - (self._clock() - monotonic)

    def _defer(self, job: Job, callback_url: str | None, received_at: float) -> None:
        job.defer(callback_url, self._deliver, received_at=received_at)
        # Tell the other replicas; spawned, as this may run while the handler is being cancelled.
        self._spawn(self.state.mark_deferred(job.key, callback_url, self._wall_at(received_at)))

    # --- late ---------------------------------------------------------------------------

    def _deliver(self, job: Job) -> None:
        """Called once when a deferred job is done."""
        self._spawn(self._deliver_late(job))

    async def _deliver_late(self, job: Job) -> None:
        own = job.messages()
        try:
            # A retry on another replica may have brought a newer callbackUrl.
            url, at = await self.state.start_delivery(job.key)
            if at is not None:
                job.prefer_callback(self._usable_callback_url(url), self._clock() - max(0.0, self._wall() - at))
            if not job.callback_url:
                await self.state.hold(job.sender_id, own)
                await self.state.finish(job.key, True, None, own)
                return
            # Compose before any retry can: a retry answered meanwhile must get this same
            # answer instead of composing (and taking kept answers) a second time.
            page, held = await self._compose(job.sender_id, own)
            job.response = page
            await self.state.finish(job.key, True, page, own)
        finally:
            job.delivered.set()
        await self._deliver_by_callback(job, page, held + own)

    async def _deliver_by_callback(self, job: Job, page: Response, messages: Messages) -> None:
        deadline = (job.callback_received_at or self._clock()) + self.config.callback_validity_seconds
        delivered = await post_callback(
            job.callback_url or "",
            page,
            deadline,
            attempt_timeout=self.config.callback_attempt_timeout_seconds,
            clock=self._clock,
            policy=self.config.callback_policy,
        )
        if not delivered:
            # Kakao never showed it: show it with the resident's next message instead.
            await self.state.restore(job.sender_id, messages)
            job.response = None
            await self.state.set_response(job.key, None)

    # --- relayed ------------------------------------------------------------------------

    async def _answer_remote(self, entry: LedgerEntry | None, skill: SkillRequest, started: float) -> Response:
        """A retry of a request another replica runs: wait for its answer in the shared ledger."""
        key = skill.fingerprint
        deadline = started + self.config.reply_deadline_seconds
        while entry is not None and not entry.finished and self._clock() < deadline:
            await asyncio.sleep(min(REMOTE_POLL_SECONDS, max(0.0, deadline - self._clock())))
            entry = await self.state.entry(key)
        if entry is not None and not entry.finished:
            callback_url = self._usable_callback_url(skill.callback_url)
            if await self.state.mark_deferred(key, callback_url, self._wall_at(started)):
                # The owner delivers to the newest callbackUrl, or holds the answer for the next message.
                if callback_url:
                    return callback_ack(self.texts.callback_wait)
                return await self._processing(skill.sender_id)
            entry = await self.state.entry(key)  # it finished meanwhile
        if entry is None or not entry.finished:
            # Gone (its replica died and the claim expired) or delivering right now.
            return await self._processing(skill.sender_id)
        if entry.response is not None:
            return entry.response
        # A late answer held for the next message: as channel._sync_answer does.
        own = [] if await self.state.has_held(skill.sender_id) else list(entry.messages or [])
        page, _ = await self._compose(skill.sender_id, own)
        await self.state.set_response(key, page)
        return page
