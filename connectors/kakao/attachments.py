"""Photos and locations in a Kakao skill request (pure functions, no I/O).

Photos: the secure-image plugin parameters, userRequest.params.media, or an
image link sent in chat. Only URLs on Kakao's own media hosts are kept, as
https: actions download them, so any other URL would let a caller make the
action server fetch whatever it names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"https?://[^\s,()\"'<>]+")
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|heic|bmp)(?:$|[?#])", re.IGNORECASE)
# Kakao's media hosts (and their subdomains): secure-image plugin URLs are on talk.kakaocdn.net,
# images sent in chat on dn-m.talk.kakao.com (tests/kakao/fixtures/).
DEFAULT_PHOTO_HOSTS = ("kakaocdn.net", "talk.kakao.com")
MAX_URL_CHARS = 2048

# --- photos --------------------------------------------------------------------


def find_photo_urls(
    body: dict[str, Any], names: Sequence[str], hosts: Sequence[str] = DEFAULT_PHOTO_HOSTS
) -> tuple[list[str], int]:
    """Image URLs from the secure-image plugin parameters, userRequest.params.media,
    or an utterance that is itself an image link (a photo sent in chat); and how many
    were dropped for not being on Kakao's media hosts (actions download these URLs,
    so a URL elsewhere would make the action server fetch whatever the caller names)."""
    action = body.get("action") if isinstance(body.get("action"), dict) else {}
    user_request = body.get("userRequest") or {}
    urls: list[str] = []
    for value in _named_values(action, names):
        urls.extend(_urls_in(value))
    media = (user_request.get("params") or {}).get("media") if isinstance(user_request.get("params"), dict) else None
    if isinstance(media, dict) and media.get("type") in (None, "image", "photo"):
        urls.extend(_urls_in(media.get("url")))
    utterance = str(user_request.get("utterance") or "").strip()
    if not urls and _URL.fullmatch(utterance) and _looks_like_image(utterance, hosts):
        urls.append(utterance)
    found = list(dict.fromkeys(urls))  # unique, first seen first
    kept = [url for url in (media_url(u, hosts) for u in found) if url]
    return list(dict.fromkeys(kept)), len(found) - len(kept)


def _on_hosts(host: str, hosts: Sequence[str]) -> bool:
    host = host.rstrip(".").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def media_url(url: str, hosts: Sequence[str] = DEFAULT_PHOTO_HOSTS) -> str | None:
    """`url` as an https URL on Kakao's media hosts, or None.

    Chat images come as http://dn-m.talk.kakao.com/...: on a Kakao host the
    scheme is upgraded (same host, so nothing new is trusted); elsewhere dropped.
    """
    if len(url) > MAX_URL_CHARS:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("https", "http") or parts.username or parts.password:
        return None
    if not parts.hostname or not _on_hosts(parts.hostname, hosts):
        return None
    return urlunsplit(("https",) + tuple(parts[1:]))


def _named_values(action: dict[str, Any], names: Sequence[str]) -> list[Any]:
    """Values of the named parameters, from detailParams (value, origin) and params."""
    values: list[Any] = []
    detail = action.get("detailParams") if isinstance(action.get("detailParams"), dict) else {}
    params = action.get("params") if isinstance(action.get("params"), dict) else {}
    for name in names:
        entry = detail.get(name)
        if isinstance(entry, dict):
            values.extend([entry.get("value"), entry.get("origin")])
        values.append(params.get(name))
    return [v for v in values if v not in (None, "")]


def _urls_in(value: Any) -> list[str]:
    """URLs inside a plugin value: a URL, JSON like {"secureUrls": "List(u1, u2)"}, or a dict."""
    if isinstance(value, dict):
        found: list[str] = []
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


def _looks_like_image(url: str, hosts: Sequence[str]) -> bool:
    host = url.split("/")[2].split(":")[0] if url.count("/") >= 2 else ""
    return bool(_IMAGE_PATH.search(url)) or _on_hosts(host, hosts)


# --- locations -----------------------------------------------------------------


def find_location(body: dict[str, Any], names: Sequence[str]) -> dict[str, Any] | None:
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


def _location_from(value: Any) -> dict[str, Any] | None:
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
    location: dict[str, Any] = {"address": str(address).strip()}
    if latitude is not None and longitude is not None:
        location.update(latitude=latitude, longitude=longitude)
    return location
