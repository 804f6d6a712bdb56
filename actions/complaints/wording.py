"""Fragments of wording kept in the response files, read from the domain the action gets."""
from __future__ import annotations

from typing import Any, Dict, Text

from sotong.complaints.district import status_labels


def response_text(domain: Dict[Text, Any], name: str) -> str:
    """The first text variation of a response (for short labels slotted into others)."""
    variations = (domain.get("responses") or {}).get(name) or [{}]
    return variations[0].get("text", "")


def status_label(status: str) -> str:
    return status_labels().get(status, status)
