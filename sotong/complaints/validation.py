"""Checking what a resident typed before it reaches the database (limits as in Open311)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from sotong.complaints.errors import InvalidComplaintInput, TooLong
from sotong.complaints.limits import MAX_ADDRESS, MAX_DESCRIPTION, MAX_PHOTO_URL, MAX_SEEN_AT

# Where a channel keeps the photos residents send (KakaoTalk's image CDN and talk hosts).
# A complaint shows its photo to officers: a link anywhere else could be a tracking
# pixel, an internal address or something that is no photo at all.
DEFAULT_PHOTO_HOSTS = ("kakaocdn.net", "kakao.com")
PHOTO_HOSTS_ENV = "SOTONG_PHOTO_HOSTS"


def photo_hosts() -> tuple[str, ...]:
    """The allowed photo hosts; each also allows its subdomains (comma-separated in the env)."""
    raw = os.environ.get(PHOTO_HOSTS_ENV, "")
    hosts = tuple(h.strip().lower().strip(".") for h in raw.split(",") if h.strip())
    return hosts or DEFAULT_PHOTO_HOSTS


def check_photo_url(url: str) -> str:
    """The URL if it is an https link on an allowed media host; else InvalidComplaintInput."""
    if len(url) > MAX_PHOTO_URL:
        raise TooLong("photo_url", MAX_PHOTO_URL)
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise InvalidComplaintInput("photo_url", "not a link") from None
    if parts.scheme.lower() != "https" or not host or port not in (None, 443) or parts.username is not None:
        raise InvalidComplaintInput("photo_url", "must be a plain https link")
    if not any(host == allowed or host.endswith("." + allowed) for allowed in photo_hosts()):
        raise InvalidComplaintInput("photo_url", "not from the channel's media hosts")
    return url


def _text(field: str, value: str | None, limit: int, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidComplaintInput(field, "required")
        return None
    if len(text) > limit:
        raise TooLong(field, limit)
    return text


def _coordinate(field: str, value: float | None, bound: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidComplaintInput(field, "not a number") from None
    if not -bound <= number <= bound:
        raise InvalidComplaintInput(field, "out of range")
    return number


_LIMITS = {"address": MAX_ADDRESS, "description": MAX_DESCRIPTION, "photo_url": MAX_PHOTO_URL, "seen_at": MAX_SEEN_AT}


def check_length(field: str, value: str | None) -> str | None:
    """The value if it fits its field's limit; TooLong (with the limit) otherwise.
    For a dialogue that checks one answer before the whole report is filed."""
    if field not in _LIMITS:
        raise InvalidComplaintInput(field, "not a complaint field")
    if value is not None and len(value) > _LIMITS[field]:
        raise TooLong(field, _LIMITS[field])
    return value


def clean_fields(partial: bool = False, **given: Any) -> dict[str, Any]:
    """Trimmed, checked values for the fields given. ``partial``: only those present
    (a correction); otherwise address and description are required."""
    out: dict[str, Any] = {}
    if not partial or "address" in given:
        out["address"] = _text("address", given.get("address"), MAX_ADDRESS, required=True)
    if not partial or "description" in given:
        out["description"] = _text("description", given.get("description"), MAX_DESCRIPTION, required=True)
    if "photo_url" in given:
        url = _text("photo_url", given["photo_url"], MAX_PHOTO_URL, required=False)
        out["photo_url"] = check_photo_url(url) if url else None
    if "seen_at" in given:
        out["seen_at"] = _text("seen_at", given["seen_at"], MAX_SEEN_AT, required=False)
    if "lat" in given or "lng" in given:
        lat = _coordinate("lat", given.get("lat"), 90)
        lng = _coordinate("lng", given.get("lng"), 180)
        if (lat is None) != (lng is None):
            raise InvalidComplaintInput("location", "lat and lng go together")
        out["lat"], out["lng"] = lat, lng
    return out
