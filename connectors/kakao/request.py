"""Kakao skill request (JSON body) -> what Rasa needs: sender, text, metadata.

Also decides what a non-text input means for the dialogue:
- a tapped button/quick reply carries our Rasa payload in action.clientExtra
  and that payload is sent instead of the displayed words (exact routing);
- a photo (image secure-transfer plugin, or an image sent in chat) and a
  shared location become an `/inform{...}` payload with the URL / address,
  so a form (e.g. a dumping report) can fill its slots from it.
Pure functions; no I/O.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from connectors.kakao.render import MORE_KEY

_URL = re.compile(r"https?://[^\s,()\"'<>]+")
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|heic|bmp)(?:$|[?#])", re.IGNORECASE)
_KAKAO_MEDIA_HOSTS = ("kakaocdn.net", "talk.kakao.com", "kakao.com")


class BadSkillRequest(ValueError):
    """The body is not a usable Kakao skill request (answered with 400)."""


@dataclass(frozen=True)
class InputMapping:
    """Which Kakao parameters carry photos / locations and how they reach Rasa."""

    photo_params: Sequence[str] = ("secureimage", "photo", "image")
    location_params: Sequence[str] = ("location", "address")
    inform_intent: str = "inform"
    photo_entity: str = "photo_url"
    location_entity: str = "address"


@dataclass(frozen=True)
class SkillRequest:
    sender_id: str
    text: str  # what Rasa receives
    utterance: str  # what the resident saw themselves say
    bot_id: Optional[str]
    callback_url: Optional[str]
    fingerprint: str
    metadata: Dict[str, Any] = field(default_factory=dict)
    more: Optional[str] = None  # "token:page" when the paging quick reply was tapped


def parse_skill_request(raw: bytes, mapping: InputMapping = InputMapping(), request_id: Optional[str] = None) -> SkillRequest:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
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

    client_extra = action.get("clientExtra") if isinstance(action.get("clientExtra"), dict) else {}
    photo_urls = find_photo_urls(body, mapping.photo_params)
    location = find_location(body, mapping.location_params)
    text = _dialogue_text(utterance, client_extra, photo_urls, location, mapping)
    more = client_extra.get(MORE_KEY)
    if not text and not more:
        raise BadSkillRequest("empty utterance")

    callback_url = user_request.get("callbackUrl")
    callback_url = callback_url if isinstance(callback_url, str) and callback_url.startswith("http") else None
    bot_id = bot.get("id") if isinstance(bot.get("id"), str) else None
    return SkillRequest(
        sender_id=sender_id.strip(),
        text=text,
        utterance=utterance,
        bot_id=bot_id,
        callback_url=callback_url,
        fingerprint=fingerprint(body, sender_id.strip(), request_id),
        metadata={"kakao": _metadata(body, user_request, user, action, bot, photo_urls, location)},
        more=str(more) if more else None,
    )


def _dict(value: Any, name: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise BadSkillRequest(f"{name} missing")
    return value


def fingerprint(body: Dict[str, Any], sender_id: str, request_id: Optional[str] = None) -> str:
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
    client_extra: Dict[str, Any],
    photo_urls: List[str],
    location: Optional[Dict[str, Any]],
    mapping: InputMapping,
) -> str:
    payload = client_extra.get("payload")
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    entities: Dict[str, Any] = {}
    if photo_urls:
        entities[mapping.photo_entity] = photo_urls[0]
    if location and location.get("address"):
        entities[mapping.location_entity] = location["address"]
    if entities:
        return f"/{mapping.inform_intent}{json.dumps(entities, ensure_ascii=False)}"
    return utterance.strip()


# --- photos --------------------------------------------------------------------


def find_photo_urls(body: Dict[str, Any], names: Sequence[str]) -> List[str]:
    """Image URLs from the secure-image plugin parameters, userRequest.params.media,
    or an utterance that is itself an image link (a photo sent in chat)."""
    action = body.get("action") if isinstance(body.get("action"), dict) else {}
    user_request = body.get("userRequest") or {}
    urls: List[str] = []
    for value in _named_values(action, names):
        urls.extend(_urls_in(value))
    media = (user_request.get("params") or {}).get("media") if isinstance(user_request.get("params"), dict) else None
    if isinstance(media, dict) and media.get("type") in (None, "image", "photo"):
        urls.extend(_urls_in(media.get("url")))
    utterance = str(user_request.get("utterance") or "").strip()
    if not urls and _URL.fullmatch(utterance) and _looks_like_image(utterance):
        urls.append(utterance)
    return list(dict.fromkeys(urls))  # unique, first seen first


def _named_values(action: Dict[str, Any], names: Sequence[str]) -> List[Any]:
    """Values of the named parameters, from detailParams (value, origin) and params."""
    values: List[Any] = []
    detail = action.get("detailParams") if isinstance(action.get("detailParams"), dict) else {}
    params = action.get("params") if isinstance(action.get("params"), dict) else {}
    for name in names:
        entry = detail.get(name)
        if isinstance(entry, dict):
            values.extend([entry.get("value"), entry.get("origin")])
        values.append(params.get(name))
    return [v for v in values if v not in (None, "")]


def _urls_in(value: Any) -> List[str]:
    """URLs inside a plugin value: a URL, JSON like {"secureUrls": "List(u1, u2)"}, or a dict."""
    if isinstance(value, dict):
        found: List[str] = []
        for key in ("secureUrls", "imageUrl", "url", "value", "origin"):
            found.extend(_urls_in(value.get(key)))
        return found
    if isinstance(value, list):
        return [url for item in value for url in _urls_in(item)]
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("{"):
        try:
            return _urls_in(json.loads(text))
        except ValueError:
            pass
    return _URL.findall(text)


def _looks_like_image(url: str) -> bool:
    host = url.split("/")[2].lower() if url.count("/") >= 2 else ""
    return bool(_IMAGE_PATH.search(url)) or any(host.endswith(h) for h in _KAKAO_MEDIA_HOSTS)


# --- locations -----------------------------------------------------------------


def find_location(body: Dict[str, Any], names: Sequence[str]) -> Optional[Dict[str, Any]]:
    """{"address", "latitude", "longitude"} from location parameters, if any."""
    action = body.get("action") if isinstance(body.get("action"), dict) else {}
    candidates = _named_values(action, names)
    media = ((body.get("userRequest") or {}).get("params") or {}).get("media")
    if isinstance(media, dict) and media.get("type") == "location":
        candidates.append(media)
    for value in candidates:
        location = _location_from(value)
        if location:
            return location
    return None


def _location_from(value: Any) -> Optional[Dict[str, Any]]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                return _location_from(json.loads(text))
            except ValueError:
                pass
        return {"address": text} if text else None
    if not isinstance(value, dict):
        return None
    latitude = value.get("latitude", value.get("lat"))
    longitude = value.get("longitude", value.get("lng", value.get("lon")))
    address = value.get("address") or value.get("value") or value.get("origin")
    if not address and latitude is not None and longitude is not None:
        # Coordinates only: still something a geocoder or an officer can use.
        address = f"{latitude},{longitude}"
    if not address:
        return None
    location: Dict[str, Any] = {"address": str(address).strip()}
    if latitude is not None and longitude is not None:
        location.update(latitude=latitude, longitude=longitude)
    return location


# --- metadata ------------------------------------------------------------------


def _metadata(
    body: Dict[str, Any],
    user_request: Dict[str, Any],
    user: Dict[str, Any],
    action: Dict[str, Any],
    bot: Dict[str, Any],
    photo_urls: List[str],
    location: Optional[Dict[str, Any]],
) -> Dict[str, Any]:
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
        "location": location,
    }
