"""The console's calls to Rasa's HTTP API for a handed-off conversation.

- ``append_events``: POST /conversations/<id>/tracker/events with Rasa's token as a Bearer
  header: an officer's line goes in as a ``bot`` event (so the transcript is complete and
  the web widget's history shows it), ``pause``/``resume`` hold and hand back the bot.
- ``transcript``: the tracker's user and bot lines for the console, phones masked.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp

from sotong.notifications.masking import mask_phones
from web.chat_history import user_text
from web.rasa_client import ChatNotConfigured, RasaUnavailable, fetch_events
from web.settings import rasa_token, rasa_url

TIMEOUT = 15
OFFICER = "officer"  # data.custom.kind of an officer's line (tells it from the bot's)


def officer_event(text: str, author: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"custom": {"kind": OFFICER, "author": author}}}


async def append_events(conversation_id: str, events: list[dict[str, Any]]) -> None:
    token = rasa_token()
    if token is None:
        raise ChatNotConfigured("SOTONG_RASA_TOKEN is not set")
    url = f"{rasa_url()}/conversations/{quote(conversation_id, safe='')}/tracker/events"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as http:
            async with http.post(url, json=events, headers={"Authorization": f"Bearer {token}"}) as resp:
                status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}") from None
    if status != 200:
        raise RasaUnavailable(f"Rasa's tracker answered {status}")


def _line(event: dict[str, Any], recent: list[dict[str, Any]]) -> dict[str, Any] | None:
    kind, at = event.get("event"), event.get("timestamp")
    if kind == "user":
        text = user_text(event, recent)
        return {"who": "resident", "text": mask_phones(text), "at": at} if text else None
    if kind == "bot" and isinstance(event.get("text"), str):
        custom = (event.get("data") or {}).get("custom") or {}
        who = OFFICER if isinstance(custom, dict) and custom.get("kind") == OFFICER else "bot"
        return {"who": who, "text": mask_phones(event["text"]), "at": at}
    if kind in ("pause", "resume"):
        return {"who": "system", "text": kind, "at": at}
    return None


async def transcript(conversation_id: str, limit: int = 200) -> list[dict[str, Any]] | None:
    """The conversation's lines, oldest first; None when Rasa cannot be asked."""
    try:
        events = await fetch_events(conversation_id)
    except (ChatNotConfigured, RasaUnavailable):
        return None
    lines: list[dict[str, Any]] = []
    recent: list[dict[str, Any]] = []
    for event in events:
        line = _line(event, recent)
        if event.get("event") == "bot":
            recent.append(event.get("data") or {})
        if line:
            lines.append(line)
    return lines[-limit:]
