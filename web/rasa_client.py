"""The web app's two calls to Rasa, server to server: relay one chat turn, read the conversation.

- ``send_turn``: POST /webhooks/sotong_web/webhook with X-Sotong-Web-Secret
  (connectors/webapp.py); Rasa answers with every bot message of the turn.
- ``fetch_events``: GET /conversations/<id>/tracker with Rasa's HTTP API token as a
  Bearer header (scripts/rasa_server.py compares it in constant time).

Both read their settings on each call (web/settings.py), so a rotated secret needs no
restart. Failures become ``RasaUnavailable`` (Rasa down or answering 5xx: retrying is
safe when ``reached`` is False) or ``RasaRefused`` (the channel's own 4xx, with its
Korean sentence); the caller turns them into API errors.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import aiohttp

from web.settings import chat_timeout, rasa_token, rasa_url, web_channel_secret

CHANNEL_PATH = "/webhooks/sotong_web/webhook"
SECRET_HEADER = "X-Sotong-Web-Secret"
HISTORY_TIMEOUT = 15


class RasaUnavailable(Exception):
    """Rasa could not answer. ``reached``: the turn may have been processed (do not resend)."""

    def __init__(self, message: str, reached: bool = False):
        super().__init__(message)
        self.reached = reached


class RasaRefused(Exception):
    """The web channel refused the turn (400/413/429): ``code`` and its Korean ``text``."""

    def __init__(self, status: int, code: str, text: str, retry_after: str | None = None):
        super().__init__(code)
        self.status, self.code, self.text, self.retry_after = status, code, text, retry_after


class ChatNotConfigured(Exception):
    """SOTONG_WEB_CHANNEL_SECRET (or the Rasa token, for history) is not set."""


async def _json(resp: aiohttp.ClientResponse) -> Any:
    try:
        return json.loads(await resp.read())
    except ValueError:
        return None


async def send_turn(key: str, text: str, message_id: str) -> list[dict[str, Any]]:
    """Every bot message Rasa says in answer to ``text`` from the web device ``key``."""
    secret = web_channel_secret()
    if secret is None:
        raise ChatNotConfigured("SOTONG_WEB_CHANNEL_SECRET is not set")
    body = {"conversation": key, "message": text, "message_id": message_id}
    timeout = aiohttp.ClientTimeout(total=chat_timeout())
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(rasa_url() + CHANNEL_PATH, json=body, headers={SECRET_HEADER: secret}) as resp:
                answer = await _json(resp)
                status = resp.status
                retry_after = resp.headers.get("Retry-After")
    except aiohttp.ClientConnectorError as exc:  # no connection: Rasa never saw the turn
        raise RasaUnavailable(f"cannot reach Rasa: {type(exc).__name__}") from None
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        # Sent, but no answer (in time): Rasa may have run the turn, or may still be running it.
        raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}", reached=True) from None
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("messages"), list):
        return [m for m in answer["messages"] if isinstance(m, dict)]
    if status in (400, 413, 429) and isinstance(answer, dict):
        raise RasaRefused(
            status, str(answer.get("error") or "bad_request"), str(answer.get("message") or ""), retry_after
        )
    # 401/403: the two sides disagree about the secret; 404: the channel is not in credentials.yml.
    raise RasaUnavailable(f"Rasa's web channel answered {status}", reached=status >= 500)


async def fetch_events(sender_id: str) -> list[dict[str, Any]]:
    """The conversation's events (all sessions) from Rasa's tracker."""
    token = rasa_token()
    if token is None:
        raise ChatNotConfigured("SOTONG_RASA_TOKEN is not set")
    url = f"{rasa_url()}/conversations/{quote(sender_id, safe='')}/tracker"
    timeout = aiohttp.ClientTimeout(total=HISTORY_TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(
                url, params={"include_events": "ALL"}, headers={"Authorization": f"Bearer {token}"}
            ) as resp:
                answer = await _json(resp)
                status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}") from None
    if status != 200 or not isinstance(answer, dict):
        raise RasaUnavailable(f"Rasa's tracker answered {status}")
    events = answer.get("events") or []
    return [e for e in events if isinstance(e, dict)]
