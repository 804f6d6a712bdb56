"""Checking what a resident typed before it reaches the database (limits as in Open311)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from sotong.complaints.errors import InvalidComplaintInput

MAX_ADDRESS = 300
MAX_DESCRIPTION = 4000
MAX_PHOTO_URL = 1000
MAX_SEEN_AT = 100


def _text(field: str, value: Optional[str], limit: int, required: bool) -> Optional[str]:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidComplaintInput(field, "required")
        return None
    if len(text) > limit:
        raise InvalidComplaintInput(field, f"at most {limit} characters")
    return text


def _coordinate(field: str, value: Optional[float], bound: float) -> Optional[float]:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidComplaintInput(field, "not a number") from None
    if not -bound <= number <= bound:
        raise InvalidComplaintInput(field, "out of range")
    return number


def clean_fields(partial: bool = False, **given: Any) -> Dict[str, Any]:
    """Trimmed, checked values for the fields given. ``partial``: only those present
    (a correction); otherwise address and description are required."""
    out: Dict[str, Any] = {}
    if not partial or "address" in given:
        out["address"] = _text("address", given.get("address"), MAX_ADDRESS, required=True)
    if not partial or "description" in given:
        out["description"] = _text("description", given.get("description"), MAX_DESCRIPTION, required=True)
    if "photo_url" in given:
        url = _text("photo_url", given["photo_url"], MAX_PHOTO_URL, required=False)
        if url and not url.lower().startswith(("https://", "http://")):
            raise InvalidComplaintInput("photo_url", "must be an http(s) link")
        out["photo_url"] = url
    if "seen_at" in given:
        out["seen_at"] = _text("seen_at", given["seen_at"], MAX_SEEN_AT, required=False)
    if "lat" in given or "lng" in given:
        lat = _coordinate("lat", given.get("lat"), 90)
        lng = _coordinate("lng", given.get("lng"), 180)
        if (lat is None) != (lng is None):
            raise InvalidComplaintInput("location", "lat and lng go together")
        out["lat"], out["lng"] = lat, lng
    return out
