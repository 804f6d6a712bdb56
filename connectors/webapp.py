"""The resident web page's channel: POST /webhooks/sotong_web/webhook, called only by the web app.

The page never talks to Rasa. The browser holds an HttpOnly device cookie; the web app
(web/chat.py) derives the resident's conversation from it and relays each chat turn
here, server to server, with the shared secret SOTONG_WEB_CHANNEL_SECRET in the header
``X-Sotong-Web-Secret``. So:

- no secret configured → the channel refuses everything (403): it can never be open;
- a missing or wrong secret → 401 (compared in constant time);
- the body is ``{"conversation": "<device public key>", "message": "...", "message_id": "..."}``;
  the Rasa sender id is always ``web:<key>`` (connectors/identity.py), so nobody reaching
  this port without the secret can speak as a web resident, and even the web app cannot
  reach a KakaoTalk or REST conversation through it;
- the same edge limits as the REST channel (connectors/edge.py): body size while it
  streams in (413), message length (413), JSON shape (400), per-conversation rate (429);
  metadata is never stored.

The answer is ``{"messages": [...]}``: every bot message of the turn as Rasa's
CollectingOutputChannel keeps it (text, buttons, image, attachment, custom), so the page
can draw quick replies, cards and images. A refusal is ``{"error": key, "message": <Korean>}``.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.edge import MAX_SENDER_CHARS, EdgeLimits, EdgeTexts, load_limits, message_problem
from connectors.identity import WEB, conversation_id
from connectors.paused_urgent import urgent_while_paused
from connectors.rest import Refused, parse_body

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SECRET_ENV = "SOTONG_WEB_CHANNEL_SECRET"
SECRET_HEADER = "X-Sotong-Web-Secret"
CHANNEL_NAME = "sotong_web"
# Device public keys and message ids are minted by the web app (URL-safe base64 / UUIDs):
# anything else is not from it.
_KEY = re.compile(r"[A-Za-z0-9_-]{8,%d}" % MAX_SENDER_CHARS)
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_turn(body: dict[str, Any]) -> tuple[str, str | None]:
    """(device key, message id or None) of a relayed turn, or Refused(400)."""
    key = body.get("conversation")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Refused(400, "bad_sender")
    message_id = body.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id)):
        raise Refused(400, "bad_request")
    return key, message_id


class WebAppInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "WebAppInput":
        return cls()

    def __init__(self, limits: EdgeLimits | None = None, secret: str | None = None) -> None:
        self.limits = limits or load_limits()
        self.texts = EdgeTexts(self.limits)
        self.secret = (os.environ.get(SECRET_ENV, "") if secret is None else secret).strip() or None
        self.rate = self.limits.limiter()
        if self.secret is None:
            logger.warning("webapp.channel.disabled: %s is not set", SECRET_ENV)

    def _check_caller(self, request: Request) -> None:
        if self.secret is None:
            raise Refused(403, "unauthorized")
        given = request.headers.get(SECRET_HEADER) or ""
        if not hmac.compare_digest(given.encode("utf-8"), self.secret.encode("utf-8")):
            raise Refused(401, "unauthorized")

    async def _read_body(self, request: Request) -> bytes:
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Refused(413, "too_large")
        if request.stream is None:
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

    async def _accept(self, request: Request) -> tuple[str, str, str | None]:
        """(conversation id, text, message id) of an acceptable turn, or Refused."""
        self._check_caller(request)
        body = parse_body(await self._read_body(request))
        key, message_id = parse_turn(body)
        text = body.get("message")
        problem = message_problem(text, self.limits)
        if problem or not isinstance(text, str) or not text.strip():
            raise Refused(413 if problem == "message_too_long" else 400, problem or "bad_request")
        sender_id = conversation_id(WEB, key)
        if not self.rate.allow(sender_id):
            raise Refused(429, "rate_limited", headers={"Retry-After": str(self.limits.rate_seconds)})
        return sender_id, text, message_id

    def _refusal(self, refused: Refused) -> HTTPResponse:
        logger.info("webapp.request.refused status=%s reason=%s", refused.status, refused.key)
        body = {"error": refused.key, "message": self.texts[refused.key]}
        return response.json(
            body, status=refused.status, headers=refused.headers, dumps=lambda b: json.dumps(b, ensure_ascii=False)
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        module = inspect.getmodule(self)
        web = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender_id, text, message_id = await self._accept(request)
            except Refused as refused:
                return self._refusal(refused)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=WEB, message_id=message_id, metadata=None)
            try:
                await urgent_while_paused(request.app, on_new_message)(message)
            except Exception:  # the resident gets what was said so far, never a traceback
                logger.exception("webapp.message.failed")
            messages = [{k: v for k, v in m.items() if k != "recipient_id"} for m in collector.messages]
            return response.json({"messages": messages}, dumps=lambda b: json.dumps(b, ensure_ascii=False))

        return web
