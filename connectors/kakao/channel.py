"""The Rasa input channel for KakaoTalk (Kakao i Open Builder skill API 2.0).

Serves POST /webhooks/kakao/webhook (the skill URL) and GET /webhooks/kakao/
(health). Owns the HTTP side and the 5-second rule; parsing, rendering,
retries-dedupe, kept answers and callback POSTs live in their own modules.

Timing. The dialogue runs as its own task. The handler waits for it until the
reply deadline (4.5 s by default) and never cancels it. Late answers go to
Kakao's callbackUrl when the request has one, otherwise they are kept and shown
with the resident's next message (state_relay.py).

State. Kept answers, "더 보기" pages and the retry ledger live in this process
(default) or in Redis shared by every replica (`state: redis`, state_store.py).
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.kakao.config import KakaoConfig, KakaoConfigError, load_config
from connectors.kakao.handoff_lines import take_officer_lines
from connectors.kakao.jobs import Job, JobRegistry, Messages
from connectors.kakao.mailbox import Mailbox
from connectors.kakao.render import callback_ack, render_pages, text_response, without_choices
from connectors.kakao.request import BadSkillRequest, SkillRequest, UtteranceTooLong, parse_skill_request
from connectors.kakao.state_relay import LateAnswers
from connectors.kakao.state_store import KakaoState, build_state
from connectors.kakao.texts import ConnectorTexts, load_texts
from connectors.kakao.turn_watch import install_turn_watch, watching_turn
from connectors.paused_urgent import urgent_while_paused
from sotong.ratelimit_shared import rate_limiter

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Response = dict[str, Any]

SHUTDOWN_GRACE_SECONDS = 10.0


def _dumps(body: Any) -> str:
    # Korean stays readable and a third of the \u-escaped size (Kakao's ~30 KB cap).
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class KakaoChannelRefused(RasaException):
    """Rasa prints a RasaException as one line and exits 1: no traceback at start-up."""


class KakaoInput(LateAnswers, InputChannel):
    """KakaoTalk channel. Options: see connectors/kakao/config.py and docs/kakao.md."""

    @classmethod
    def name(cls) -> str:
        return "kakao"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "KakaoInput":
        try:
            return cls(load_config(credentials))
        except KakaoConfigError as error:
            logger.error("kakao.config.refused: %s", error)
            raise KakaoChannelRefused(f"KakaoTalk channel not started: {error}") from None

    def __init__(
        self,
        config: KakaoConfig | None = None,
        texts: ConnectorTexts | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or load_config({})
        self.texts = texts or load_texts(self.config.messages_file)
        self._clock = clock
        self._wall = wall  # what replicas agree on (the ledger's callback times)
        config = self.config
        self.jobs = JobRegistry(config.dedupe_window_seconds, clock, config.max_jobs, config.max_running_jobs)
        self.mailbox = Mailbox(config.held_reply_ttl_seconds, clock, config.max_tracked_senders)
        # memory (one process) or redis (replicas): see state_store.py. Redis falls back to self.mailbox.
        self.state: KakaoState = build_state(
            config.state_settings,
            self.mailbox,
            dedupe_window_seconds=config.dedupe_window_seconds,
            held_ttl_seconds=config.held_reply_ttl_seconds,
            max_senders=config.max_tracked_senders,
            max_jobs=config.max_jobs,
            clock=clock,
        )
        # Shared by the replicas through Redis when SOTONG_RATE_REDIS_URL is set (sotong/ratelimit_shared.py).
        self.rate_limiter = rate_limiter(
            config.rate_limit_messages, config.rate_limit_seconds, config.max_tracked_senders, "kakao", clock
        )
        self._background: set["asyncio.Task[Any]"] = set()
        install_turn_watch()

    # --- HTTP ------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        module = inspect.getmodule(self)
        kakao = Blueprint(f"kakao_webhook_{type(self).__name__}", module.__name__ if module else None)

        @kakao.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # stream=True: the size limit is enforced while reading, before the body is buffered.
        @kakao.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                return await self._handle(request, urgent_while_paused(request.app, on_new_message))
            except Exception:  # never a 500 or a traceback for Kakao to show
                logger.exception("kakao.request.unexpected_error")
                return self._json(text_response(self.texts.internal_error))

        @kakao.listener("before_server_stop")
        async def drain(*_: Any) -> None:
            await self.drain(SHUTDOWN_GRACE_SECONDS)
            await self.state.close()

        return kakao

    def _json(self, body: Response, status: int = 200) -> HTTPResponse:
        return response.json(body, status=status, dumps=_dumps)

    def _error(self, status: int, text: str) -> HTTPResponse:
        return self._json(text_response(text), status)

    async def _handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        started = self._clock()
        config = self.config
        if config.checks_secret and not self._secret_ok(request):
            logger.warning("kakao.request.bad_secret")
            return self._error(401, self.texts.unauthorized)
        raw = await self._read_body(request)
        if raw is None:
            logger.warning("kakao.request.too_large")
            return self._error(413, self.texts.too_large)
        request_id = request.headers.get(config.request_id_header) if config.request_id_header else None
        try:
            skill = parse_skill_request(raw, config.mapping, request_id, config.limits)
        except UtteranceTooLong as error:
            # A resident can do this by typing: tell them in the chat (Kakao shows only 200s).
            logger.info("kakao.request.utterance_too_long: %s", error)
            return self._json(text_response(self.texts.too_long_message))
        except BadSkillRequest as error:
            logger.info("kakao.request.bad: %s", error)
            return self._error(400, self.texts.bad_request)
        if config.allowed_bot_ids and skill.bot_id not in config.allowed_bot_ids:
            logger.warning("kakao.request.bot_not_allowed bot_id=%s", skill.bot_id)
            return self._error(403, self.texts.forbidden)

        if skill.more:
            # "더 보기" tap: the dialogue already answered; serve the kept page.
            page = await self.state.page(skill.sender_id, skill.more)
            return self._json(page or text_response(self.texts.more_expired))

        job = self.jobs.find_retry_target(skill.fingerprint)
        entry = None
        if job is None:
            # A retry of a request another replica is answering joins that one's answer.
            entry = await self.state.claim(skill.fingerprint)
            # A twin delivery to this process may have started the job while we asked.
            job = self.jobs.find_retry_target(skill.fingerprint)
        if job is None:
            if entry is not None:
                logger.info("kakao.request.retry_joined_replica status=%s", entry.status)
                return self._json(await self._answer_remote(entry, skill, started))
            # Only new messages count: Kakao's own retries join the running job above.
            if not self.rate_limiter.allow(skill.sender_id):
                logger.warning("kakao.request.rate_limited")
                await self.state.release(skill.fingerprint)
                return self._json(text_response(self.texts.rate_limited))
            if not self.jobs.has_room():
                logger.warning("kakao.request.busy")
                await self.state.release(skill.fingerprint)
                return self._json(text_response(self.texts.busy))
            task = asyncio.ensure_future(self._run_dialogue(on_new_message, skill))
            job = self.jobs.start(skill.fingerprint, skill.sender_id, task)
        else:
            logger.info("kakao.request.retry_joined running=%s", not job.done)
        return self._json(await self._answer(job, skill, started))

    def _secret_ok(self, request: Request) -> bool:
        given = request.headers.get(self.config.secret_header_name, "")
        return hmac.compare_digest(given.encode("utf-8"), self.config.secret_header_value.encode("utf-8"))

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None as soon as it is known to exceed max_body_bytes."""
        limit = self.config.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        if request.stream is None:  # body already buffered (e.g. a non-streaming test app)
            return request.body if len(request.body) <= limit else None
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)

    # --- the 5-second rule -------------------------------------------------------------

    async def _answer(self, job: Job, skill: SkillRequest, started: float) -> Response:
        remaining = self.config.reply_deadline_seconds - (self._clock() - started)
        callback_url = self._usable_callback_url(skill.callback_url)
        try:
            # asyncio.wait, unlike wait_for, never cancels the task on timeout and
            # never re-raises its errors here: the same effect as wait_for(shield(task)).
            await asyncio.wait({job.task}, timeout=max(0.0, remaining))
        except asyncio.CancelledError:
            # Kakao hung up or the server is stopping: the answer must still get out.
            self._defer(job, callback_url, started)
            raise
        if job.done:
            return await self._sync_answer(job)
        self._defer(job, callback_url, started)
        if job.callback_url:
            return callback_ack(self.texts.callback_wait)
        return await self._processing(skill.sender_id)

    async def _processing(self, sender_id: str) -> Response:
        page, _ = await self._compose(sender_id, [{"text": self.texts.processing}])
        return page

    async def _sync_answer(self, job: Job) -> Response:
        if job.deferred:
            await job.delivered.wait()  # composed or held by _deliver_late, never twice
        async with job.answer_lock:
            if job.response is None:
                own = job.messages()
                if job.deferred and await self.state.has_held(job.sender_id):
                    # A retry of a late request: its answer is among the kept ones.
                    own = []
                job.response, _ = await self._compose(job.sender_id, own)
                if not job.deferred:
                    await self.state.finish(job.key, False, job.response, own)
        return job.response

    async def _compose(self, sender_id: str, own: Messages) -> tuple[Response, Messages]:
        """First page of kept answers (if any) followed by `own`; returns the kept ones too."""
        held = await self.state.take_held(sender_id)
        messages = ([{"text": self.texts.held_intro}] + without_choices(held) if held else []) + own
        token = uuid.uuid4().hex[:12]
        pages = render_pages(messages, self.texts, token)
        await self.state.keep_pages(sender_id, token, pages)
        return pages[0], held

    def _usable_callback_url(self, url: str | None) -> str | None:
        """`url` if the callback policy allows it; else None (answered as if Kakao sent none)."""
        refusal = self.config.callback_policy.refusal(url) if url else None
        if refusal:
            # Without this, anyone able to reach the webhook could make us POST anywhere.
            logger.warning("kakao.callback.url_refused reason=%s", refusal)
            return None
        return url

    # --- the dialogue --------------------------------------------------------------------

    async def _run_dialogue(self, on_new_message: OnNewMessage, skill: SkillRequest) -> Messages:
        collector = CollectingOutputChannel()
        message = UserMessage(
            skill.text, collector, skill.sender_id, input_channel=self.name(), metadata=skill.metadata
        )
        with watching_turn() as trouble:
            try:
                await on_new_message(message)
            except Exception:  # e.g. the lock store's Redis is down: Rasa cannot lock the conversation
                logger.exception("kakao.dialogue.failed")
                return collector.messages + [{"text": self.texts.internal_error}]
        if trouble.tracker_store_down:
            # Rasa answered from a blank conversation (turn_watch.py): nothing of it is worth showing.
            logger.warning("kakao.dialogue.tracker_store_down")
            return [{"text": self.texts.internal_error}]
        if trouble.failed_actions:
            # Rasa carried on without the action's events: say so, and to say it again.
            logger.warning("kakao.dialogue.action_failed actions=%s", ",".join(trouble.failed_actions))
            return collector.messages + [{"text": self.texts.action_failed}]
        # An officer's lines written since the last turn (live handoff): KakaoTalk cannot push.
        officer = await asyncio.to_thread(take_officer_lines, skill.sender_id)
        return officer + collector.messages

    # --- background work --------------------------------------------------------------------

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        # Keep a reference: the loop holds tasks only weakly.
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self, timeout: float) -> None:
        """Let running dialogues and callback deliveries finish (server shutdown, tests)."""
        pending = [job.task for job in self.jobs.running()] + list(self._background)
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        if self._background:
            await asyncio.wait(list(self._background), timeout=timeout)
