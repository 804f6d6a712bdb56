"""Rasa tracker events → the chat as the page draws it. Pure functions.

Bot messages keep their rich parts (buttons, image, attachment, custom cards) in the
same shape the web channel returns them live, so one renderer draws both. A quick
reply the resident tapped was sent as its payload ("/inform{...}"); the history shows
the button's title instead, found on the bot messages just before it — the same words
the resident saw appear when they tapped.
"""

from __future__ import annotations

from typing import Any

RICH_KEYS = ("buttons", "image", "attachment", "custom")
DEFAULT_LIMIT = 100


def bot_messages(event: dict[str, Any]) -> list[dict[str, Any]]:
    """One bot event as the messages Rasa's CollectingOutputChannel would have produced."""
    data = event.get("data") or {}
    rich = {k: data[k] for k in RICH_KEYS if data.get(k)}
    if not rich.get("buttons") and data.get("quick_replies"):
        rich["buttons"] = data["quick_replies"]
    text = event.get("text")
    text = text.strip() if isinstance(text, str) else ""
    messages: list[dict[str, Any]] = []
    if text and not rich.get("buttons"):
        # Rasa sends a plain text in parts split at blank lines; keep the same bubbles.
        messages.extend({"text": part} for part in text.split("\n\n") if part.strip())
        text = ""
    if text or rich.get("buttons"):
        messages.append({k: v for k, v in (("text", text), ("buttons", rich.get("buttons"))) if v})
    messages.extend({key: rich[key]} for key in ("image", "attachment", "custom") if key in rich)
    return messages


def _buttons(message: dict[str, Any]) -> list[Any]:
    """Every button of a message: its own and those on its custom card(s)."""
    found = list(message.get("buttons") or [])
    custom = message.get("custom")
    if isinstance(custom, dict):
        cards = [custom.get("card"), *(custom.get("cards") or [])]
        for card in cards:
            if isinstance(card, dict):
                found.extend(card.get("buttons") or [])
    return found


def _button_title(payload: str, recent: list[dict[str, Any]]) -> str | None:
    for message in reversed(recent):
        for button in _buttons(message):
            if isinstance(button, dict) and button.get("payload") == payload and button.get("title"):
                return str(button["title"])
    return None


def user_text(event: dict[str, Any], recent: list[dict[str, Any]]) -> str | None:
    text = event.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    if text.startswith("/"):
        return _button_title(text, recent) or None  # a bare payload means nothing to a resident
    return text


def history(events: list[dict[str, Any]], limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """The last ``limit`` chat entries: {"from": "user"|"bot", "at": epoch seconds, ...message}."""
    entries: list[dict[str, Any]] = []
    recent_bot: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        at = event.get("timestamp")
        if kind == "user":
            text = user_text(event, recent_bot)
            recent_bot = []
            if text:
                entries.append({"from": "user", "at": at, "text": text, "message_id": event.get("message_id")})
        elif kind == "bot":
            for message in bot_messages(event):
                recent_bot.append(message)
                entries.append({"from": "bot", "at": at, **message})
    return entries[-limit:]


def replies_to(events: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]] | None:
    """The bot messages that answered the user message ``message_id``; None if Rasa never got it."""
    found = False
    replies: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if found:
                break
            found = event.get("message_id") == message_id
        elif kind == "bot" and found:
            replies.extend(bot_messages(event))
    return replies if found else None
