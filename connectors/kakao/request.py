"""Kakao skill request (JSON body) -> what Rasa needs: sender, text, metadata.

Also decides what a non-text input means for the dialogue:
- a tapped button/quick reply carries our Rasa payload in action.clientExtra
  and that payload is sent instead of the displayed words (exact routing);
- a photo (image secure-transfer plugin, or an image sent in chat) and a
  shared location become an `/inform{...}` payload with the URL / address,
  so a form (e.g. a dumping report) can fill its slots from it.
Input is bounded here, at the edge: JSON nesting depth, id lengths, the
utterance's length, and photo URLs (only Kakao's own media hosts, https).
The sender id handed to Rasa is namespaced ("kakao:<botUserKey>") so no other
channel can name a Kakao resident's conversation.
Pure functions; no I/O.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors import identity
from connectors.kakao.attachments import DEFAULT_PHOTO_HOSTS, find_location, find_photo_urls
from connectors.kakao.render import MORE_KEY

# "{" / "[" outside strings; strings are skipped whole (an unrolled, linear pattern).
_JSON_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

logger = logging.getLogger(__name__)


class BadSkillRequest(ValueError):
    """The body is not a usable Kakao skill request (answered with 400)."""


class UtteranceTooLong(ValueError):
    """A real resident typed too much: answered with a Kakao message (200), the dialogue not run."""


@dataclass(frozen=True)
class InputLimits:
    # KakaoTalk messages can be long; a complaint description fits easily in this, a flood does not.
    max_utterance_chars: int = 2000
    # botUserKey is about 70 characters; every other id Kakao sends is shorter.
    max_id_chars: int = 128
    # Kakao's deepest shape (action.detailParams.<name>.value) is 4 levels.
    max_json_depth: int = 32


def conversation_id(raw_user_id: str) -> str:
    """The Rasa sender id of a Kakao resident (namespaced per channel, issue 7 finding 2)."""
    return identity.conversation_id(identity.KAKAO, raw_user_id)


@dataclass(frozen=True)
class InputMapping:
    """Which Kakao parameters carry photos / locations and how they reach Rasa."""

    photo_params: Sequence[str] = ("secureimage", "photo", "image")
    location_params: Sequence[str] = ("location", "address")
    inform_intent: str = "inform"
    photo_entity: str = "photo_url"
    location_entity: str = "address"
    photo_hosts: Sequence[str] = DEFAULT_PHOTO_HOSTS


@dataclass(frozen=True)
class SkillRequest:
    sender_id: str
    text: str  # what Rasa receives
    utterance: str  # what the resident saw themselves say
    bot_id: str | None
    callback_url: str | None
    fingerprint: str
    metadata: dict[str, Any] = field(default_factory=dict)
    more: str | None = None  # "token:page" when the paging quick reply was tapped


def parse_skill_request(
    raw: bytes,
    mapping: InputMapping = InputMapping(),
    request_id: str | None = None,
    limits: InputLimits = InputLimits(),
) -> SkillRequest:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadSkillRequest(f"body is not UTF-8: {error}") from None
    if nesting_depth(decoded) > limits.max_json_depth:
        # Before json.loads: deep nesting costs recursion there and everywhere the body goes next.
        raise BadSkillRequest("body nested too deeply")
    try:
        body = json.loads(decoded)
    except (ValueError, RecursionError) as error:
        raise BadSkillRequest(f"body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadSkillRequest("body is not a JSON object")
    user_request = _dict(body.get("userRequest"), "userRequest")
    utterance = user_request.get("utterance")
    if not isinstance(utterance, str):
        raise BadSkillRequest("userRequest.utterance missing")
    user = _dict(user_request.get("user"), "userRequest.user")
    sender_id = user.get("id")
    if not isinstance(sender_id, str) or not sender_id.strip():
        raise BadSkillRequest("userRequest.user.id missing")
    action = body.get("action") if isinstance(body.get("action"), dict) else {}
    bot = body.get("bot") if isinstance(body.get("bot"), dict) else {}
    _check_ids(user, bot, limits.max_id_chars)

    client_extra = action.get("clientExtra") if isinstance(action.get("clientExtra"), dict) else {}
    payload = client_extra.get("payload")
    if len(utterance) > limits.max_utterance_chars or (
        isinstance(payload, str) and len(payload) > limits.max_utterance_chars
    ):
        raise UtteranceTooLong(f"{len(utterance)} characters")
    photo_urls, dropped = find_photo_urls(body, mapping.photo_params, mapping.photo_hosts)
    if dropped:
        logger.info("kakao.request.photo_urls_dropped count=%s", dropped)
    location = find_location(body, mapping.location_params)
    text = _dialogue_text(utterance, client_extra, photo_urls, location, mapping)
    more = client_extra.get(MORE_KEY)
    if not text and not more:
        raise BadSkillRequest("empty utterance")

    callback_url = user_request.get("callbackUrl")
    callback_url = callback_url if isinstance(callback_url, str) and callback_url.startswith("http") else None
    bot_id = bot.get("id") if isinstance(bot.get("id"), str) else None
    return SkillRequest(
        sender_id=conversation_id(sender_id.strip()),
        text=text,
        utterance=utterance,
        bot_id=bot_id,
        callback_url=callback_url,
        fingerprint=fingerprint(body, sender_id.strip(), request_id),
        metadata={"kakao": _metadata(body, user_request, user, action, bot, photo_urls, location, dropped)},
        more=str(more) if more else None,
    )


def nesting_depth(text: str) -> int:
    """Deepest {/[ nesting of a JSON text, in one linear pass (strings skipped)."""
    depth = deepest = 0
    for match in _JSON_NESTING.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "}]":
            depth -= 1
    return deepest


def _check_ids(user: dict[str, Any], bot: dict[str, Any], limit: int) -> None:
    """Ids become conversation keys, URL parts and log fields: short and printable only."""
    properties = user.get("properties") if isinstance(user.get("properties"), dict) else {}
    for name, value in (
        ("user.id", user.get("id")),
        ("bot.id", bot.get("id")),
        ("plusfriendUserKey", properties.get("plusfriendUserKey")),
        ("appUserId", properties.get("appUserId")),
    ):
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise BadSkillRequest(f"{name} is not a string")
        text = str(value)
        if len(text) > limit or not text.isprintable():
            raise BadSkillRequest(f"{name} too long or not printable ({len(text)} characters)")


def _dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadSkillRequest(f"{name} missing")
    return value


def fingerprint(body: dict[str, Any], sender_id: str, request_id: str | None = None) -> str:
    """Same key for Kakao's retries of one request.

    Kakao sends no request id, so the key is the body itself minus the
    callbackUrl (a retry may carry a fresh one-time URL). A request-id header,
    when the operator's proxy adds one, is used instead.
    """
    if request_id:
        return f"{sender_id}|id:{request_id}"
    stable = json.loads(json.dumps(body))
    if isinstance(stable.get("userRequest"), dict):
        stable["userRequest"].pop("callbackUrl", None)
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"{sender_id}|{digest}"


def _dialogue_text(
    utterance: str,
    client_extra: dict[str, Any],
    photo_urls: list[str],
    location: dict[str, Any] | None,
    mapping: InputMapping,
) -> str:
    payload = client_extra.get("payload")
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    entities: dict[str, Any] = {}
    if photo_urls:
        entities[mapping.photo_entity] = photo_urls[0]
    if location and location.get("address"):
        entities[mapping.location_entity] = location["address"]
    if entities:
        return f"/{mapping.inform_intent}{json.dumps(entities, ensure_ascii=False)}"
    return utterance.strip()


# --- metadata ------------------------------------------------------------------


def _metadata(
    body: dict[str, Any],
    user_request: dict[str, Any],
    user: dict[str, Any],
    action: dict[str, Any],
    bot: dict[str, Any],
    photo_urls: list[str],
    location: dict[str, Any] | None,
    photo_urls_dropped: int = 0,
) -> dict[str, Any]:
    """Everything an action may need, under metadata["kakao"] (documented in docs/kakao.md)."""
    properties = user.get("properties") if isinstance(user.get("properties"), dict) else {}
    return {
        "user_id": user.get("id"),
        "user_type": user.get("type"),
        "plusfriend_user_key": properties.get("plusfriendUserKey"),
        "app_user_id": properties.get("appUserId"),
        "is_friend": properties.get("isFriend"),
        "bot_id": bot.get("id"),
        "bot_name": bot.get("name"),
        "intent": body.get("intent"),
        "block": user_request.get("block"),
        "utterance": user_request.get("utterance"),
        "lang": user_request.get("lang"),
        "timezone": user_request.get("timezone"),
        "request_params": user_request.get("params"),
        "action": {"id": action.get("id"), "name": action.get("name")},
        "params": action.get("params") or {},
        "detail_params": action.get("detailParams") or {},
        "client_extra": action.get("clientExtra") or {},
        "callback_url": user_request.get("callbackUrl"),
        "photo_urls": photo_urls,
        "photo_urls_dropped": photo_urls_dropped,
        "location": location,
    }
