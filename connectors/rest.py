"""The REST channel, hardened: bad bodies get a 400 with a reason, never a 500.

Rasa's stock ``RestInput`` answers an empty or non-object body with a 500 and
lets the client name any ``input_channel`` — which would let a REST caller pose
as a KakaoTalk user, since a resident's identity is (channel, sender id). This
subclass serves the same URL (/webhooks/rest/webhook) and payload.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

MAX_SENDER_CHARS = 128
MAX_MESSAGE_CHARS = 10_000


def _body(req: Request) -> Dict[Text, Any]:
    try:
        body = req.json
    except Exception:  # sanic raises on invalid JSON; make the reason explicit
        body = None
    if not isinstance(body, dict):
        raise InvalidUsage('body must be a JSON object: {"sender": "...", "message": "..."}')
    return body


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters')
        return sender.strip()

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            return ""
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        # A resident's message is short; an over-long paste is cut rather than refused.
        return message[:MAX_MESSAGE_CHARS]

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # never trust a client's claim to be another channel

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
