"""Kakao skill response limits (docs/kakao-skill-api.md) and a checker.

The renderer is built to respect these; `response_violations` re-checks any
response independently, for tests, the simulator and the benchmark.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_OUTPUTS = 3
MAX_QUICK_REPLIES = 10
MAX_SIMPLE_TEXT = 1000
MAX_LABEL = 14
MAX_CARD_TITLE = 50
MAX_BASIC_CARD_DESCRIPTION = 230
MAX_TEXT_CARD_TOTAL = 400  # textCard title + description
MAX_CARD_BUTTONS = 3
MAX_LIST_ITEMS = 5
MAX_LIST_BUTTONS = 2
MAX_CAROUSEL_ITEMS = 10
MAX_ALT_TEXT = 50
# "About 30 KB" per one source; we stay under 30,000 bytes of UTF-8 JSON.
MAX_RESPONSE_BYTES = 30_000

CARD_KINDS = ("basicCard", "textCard", "listCard")
OUTPUT_KINDS = ("simpleText", "simpleImage", "carousel") + CARD_KINDS
BUTTON_ACTIONS = ("webLink", "message", "phone", "block", "share", "operator")


_INTENT_PAYLOAD = re.compile(r"^/\w")


def looks_like_payload(text: str) -> bool:
    """True for Rasa's "/intent{...}" syntax, which must never be shown as the resident's words."""
    return bool(_INTENT_PAYLOAD.match(text.strip()))


def response_bytes(response: dict[str, Any]) -> int:
    """Size of the body as we send it (UTF-8, Korean not \\u-escaped)."""
    return len(json.dumps(response, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def response_violations(response: dict[str, Any]) -> list[str]:
    """Every way `response` breaks Kakao's documented limits; empty when valid."""
    problems: list[str] = []
    if response.get("version") != "2.0":
        problems.append("version must be '2.0'")
    if response.get("useCallback") is True:
        text = (response.get("data") or {}).get("text")
        if text is not None and not isinstance(text, str):
            problems.append("useCallback data.text must be a string")
        return problems
    template = response.get("template")
    if not isinstance(template, dict):
        return problems + ["template missing"]
    outputs = template.get("outputs") or []
    if not 1 <= len(outputs) <= MAX_OUTPUTS:
        problems.append(f"{len(outputs)} outputs (1..{MAX_OUTPUTS} allowed)")
    for index, output in enumerate(outputs):
        problems += [f"outputs[{index}]: {p}" for p in _output_violations(output)]
    quick_replies = template.get("quickReplies") or []
    if len(quick_replies) > MAX_QUICK_REPLIES:
        problems.append(f"{len(quick_replies)} quickReplies (max {MAX_QUICK_REPLIES})")
    for index, reply in enumerate(quick_replies):
        problems += [f"quickReplies[{index}]: {p}" for p in _quick_reply_violations(reply)]
    size = response_bytes(response)
    if size > MAX_RESPONSE_BYTES:
        problems.append(f"{size} bytes (max {MAX_RESPONSE_BYTES})")
    return problems


def _output_violations(output: dict[str, Any]) -> list[str]:
    if not isinstance(output, dict) or len(output) != 1:
        return ["an output must have exactly one component"]
    kind, body = next(iter(output.items()))
    if kind not in OUTPUT_KINDS:
        return [f"unknown output kind {kind!r}"]
    if kind == "carousel":
        return _carousel_violations(body)
    return _component_violations(kind, body)


def _component_violations(kind: str, body: dict[str, Any]) -> list[str]:
    if kind == "simpleText":
        text = body.get("text") or ""
        return [] if 0 < len(text) <= MAX_SIMPLE_TEXT else [f"simpleText has {len(text)} chars"]
    if kind == "simpleImage":
        problems = [] if body.get("imageUrl") else ["simpleImage without imageUrl"]
        if len(body.get("altText") or "") > MAX_ALT_TEXT:
            problems.append("altText too long")
        return problems
    if kind == "basicCard":
        return _card_violations(body, needs_thumbnail=True)
    if kind == "textCard":
        return _card_violations(body, needs_thumbnail=False)
    return _list_card_violations(body)


def _card_violations(body: dict[str, Any], needs_thumbnail: bool) -> list[str]:
    problems: list[str] = []
    title = body.get("title") or ""
    description = body.get("description") or ""
    if len(title) > MAX_CARD_TITLE:
        problems.append(f"title has {len(title)} chars")
    if needs_thumbnail:
        if not (body.get("thumbnail") or {}).get("imageUrl"):
            problems.append("basicCard without thumbnail.imageUrl")
        if len(description) > MAX_BASIC_CARD_DESCRIPTION:
            problems.append(f"description has {len(description)} chars")
    else:
        if not title and not description:
            problems.append("textCard needs a title or a description")
        if len(title) + len(description) > MAX_TEXT_CARD_TOTAL:
            problems.append(f"title+description has {len(title) + len(description)} chars")
    problems += _buttons_violations(body.get("buttons") or [], MAX_CARD_BUTTONS)
    return problems


def _list_card_violations(body: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not (body.get("header") or {}).get("title"):
        problems.append("listCard without header.title")
    items = body.get("items") or []
    if not 1 <= len(items) <= MAX_LIST_ITEMS:
        problems.append(f"listCard has {len(items)} items")
    for item in items:
        if not item.get("title"):
            problems.append("listCard item without title")
    problems += _buttons_violations(body.get("buttons") or [], MAX_LIST_BUTTONS)
    return problems


def _carousel_violations(body: dict[str, Any]) -> list[str]:
    kind = body.get("type")
    items = body.get("items") or []
    if kind not in CARD_KINDS:
        return [f"carousel of unsupported type {kind!r}"]
    problems = [] if 1 <= len(items) <= MAX_CAROUSEL_ITEMS else [f"carousel has {len(items)} items"]
    for index, item in enumerate(items):
        problems += [f"items[{index}]: {p}" for p in _component_violations(kind, item)]
    return problems


def _buttons_violations(buttons: list[dict[str, Any]], maximum: int) -> list[str]:
    problems = [f"{len(buttons)} buttons (max {maximum})"] if len(buttons) > maximum else []
    for button in buttons:
        label = button.get("label") or ""
        if not 0 < len(label) <= MAX_LABEL:
            problems.append(f"button label {label!r} has {len(label)} chars")
        action = button.get("action")
        if action not in BUTTON_ACTIONS:
            problems.append(f"button action {action!r}")
        required = {"webLink": "webLinkUrl", "phone": "phoneNumber", "message": "messageText"}.get(action)
        if required and not button.get(required):
            problems.append(f"{action} button without {required}")
    return problems


def _quick_reply_violations(reply: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    label = reply.get("label") or ""
    if not 0 < len(label) <= MAX_LABEL:
        problems.append(f"label {label!r} has {len(label)} chars")
    if reply.get("action") not in ("message", "block"):
        problems.append(f"quick reply action {reply.get('action')!r}")
    if reply.get("action") == "message" and not reply.get("messageText"):
        problems.append("message quick reply without messageText")
    if looks_like_payload(str(reply.get("messageText") or "")):
        problems.append("messageText looks like an intent payload")
    return problems
