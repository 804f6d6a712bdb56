"""The REST channel, hardened: POST /webhooks/rest/webhook {"sender": "...", "message": "..."}.

Rasa's stock ``RestInput`` reads bodies up to Sanic's 100 MB, stores any ``metadata``
in the tracker, answers a bad body with a 500, lets the client name any
``input_channel`` and keys the conversation by the sender id the client chooses —
so a caller sending a KakaoTalk user's id joined that resident's conversation. Here:

- the conversation id is "rest:<sender>" (connectors/identity.py): a REST caller can
  never share a conversation or resident record with another channel's user;
- in production mode (SOTONG_MODE=production) the channel is off unless
  SOTONG_REST_TOKEN is set, and then needs ``Authorization: Bearer <token>``; any
  configured token is required in development too. Without one, development stays
  open for `make run` and the README's curl examples;
- the body is capped while it streams in (413), JSON is parsed by us (bad or too
  deeply nested → 400), messages longer than the limit are refused (413), each
  sender gets SOTONG_MESSAGE_RATE messages (429), and metadata is dropped: nothing
  reads it, and a client must not plant data in the tracker.

Every refusal is a REST reply list with one Korean message (connectors/messages.yml)
and an ``error`` code, so a chat client shows it like any bot answer.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import os
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.edge import MAX_SENDER_CHARS, EdgeLimits, EdgeTexts, load_limits, message_problem
from connectors.identity import REST, conversation_id
from connectors.paused_urgent import urgent_while_paused
from sotong.settings import production_mode

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
TOKEN_ENV = "SOTONG_REST_TOKEN"
MAX_JSON_DEPTH = 8  # {"sender", "message"} needs 1; anything deeper is not for us


class Refused(Exception):
    """A request answered with ``status`` and the Korean text ``key``."""

    def __init__(self, status: int, key: str, sender: str = "", headers: dict[str, str] | None = None):
        super().__init__(key)
        self.status, self.key, self.sender, self.headers = status, key, sender, headers or {}


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a REST request, or Refused(400)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise Refused(400, "too_deep") from None
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "bad_request") from None
    if not isinstance(body, dict):
        raise Refused(400, "bad_request")
    if _depth(body) > MAX_JSON_DEPTH:
        raise Refused(400, "too_deep")
    return body


def parse_sender(body: dict[str, Any]) -> str:
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise Refused(400, "bad_sender")
    sender = sender.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in sender):
        raise Refused(400, "bad_sender")  # ids end up in logs and URLs: no control characters
    return sender


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return REST

    def __init__(
        self, limits: EdgeLimits | None = None, token: str | None = None, production: bool | None = None
    ) -> None:
        self.limits = limits or load_limits()
        self.texts = EdgeTexts(self.limits)
        self.token = (os.environ.get(TOKEN_ENV, "") if token is None else token).strip() or None
        self.production = production_mode() if production is None else production
        self.rate = self.limits.limiter()
        if self.production and not self.token:
            logger.warning("rest.channel.disabled: production mode and %s is not set", TOKEN_ENV)

    # --- checks, in the order they run -------------------------------------------------

    def _check_caller(self, request: Request) -> None:
        if self.token is None:
            if self.production:
                raise Refused(403, "rest_disabled")
            return
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            raise Refused(401, "unauthorized", headers={"WWW-Authenticate": 'Bearer realm="sotong-rest"'})

    async def _read_body(self, request: Request) -> bytes:
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Refused(413, "too_large")
        if request.stream is None:  # already buffered (a non-streaming app)
            if len(request.body) > limit:
                raise Refused(413, "too_large")
            return request.body
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise Refused(413, "too_large")
            chunks.append(chunk)

    def _message(self, body: dict[str, Any], sender: str) -> str:
        text = body.get("message")
        text = "" if text is None else text
        problem = message_problem(text, self.limits)
        if problem:
            raise Refused(413 if problem == "message_too_long" else 400, problem, sender)
        return text

    async def _accept(self, request: Request) -> tuple[str, str, str]:
        """(sender, conversation id, text) of an acceptable request, or Refused."""
        self._check_caller(request)
        body = parse_body(await self._read_body(request))
        sender = parse_sender(body)
        sender_id = conversation_id(REST, sender)
        text = self._message(body, sender)
        if not self.rate.allow(sender_id):
            raise Refused(429, "rate_limited", sender, {"Retry-After": str(self.limits.rate_seconds)})
        return sender, sender_id, text

    def _refusal(self, refused: Refused) -> HTTPResponse:
        logger.info("rest.request.refused status=%s reason=%s", refused.status, refused.key)
        body = [{"recipient_id": refused.sender, "text": self.texts[refused.key], "error": refused.key}]
        return response.json(
            body, status=refused.status, headers=refused.headers, dumps=lambda b: json.dumps(b, ensure_ascii=False)
        )

    # --- HTTP ---------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        module = inspect.getmodule(self)
        rest = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # stream=True: the size cap applies while the body arrives, before it is buffered.
        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> Any:
            try:
                sender, sender_id, text = await self._accept(request)
            except Refused as refused:
                return self._refusal(refused)
            turn = urgent_while_paused(request.app, on_new_message)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(turn, text, sender_id, REST, None), content_type="text/event-stream"
                )
            collector = CollectingOutputChannel()
            try:
                await turn(UserMessage(text, collector, sender_id, input_channel=REST, metadata=None))
            except Exception:  # the resident gets what was said so far, never a traceback
                logger.exception("rest.message.failed")
            # The client addressed "<sender>"; the "rest:" namespace is ours, not its business.
            return response.json([{**m, "recipient_id": sender} for m in collector.messages])

        return rest
