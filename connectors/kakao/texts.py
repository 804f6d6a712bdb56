"""The connector's own Korean wording, loaded from messages.yml.

Kept out of Python so wording is edited in one place (style.md: no literal
user-facing strings in code) and a district can swap the file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@dataclass(frozen=True)
class ConnectorTexts:
    callback_wait: str
    processing: str
    held_intro: str
    empty_reply: str
    bad_request: str
    unauthorized: str
    forbidden: str
    too_large: str
    too_long_message: str
    rate_limited: str
    busy: str
    internal_error: str
    action_failed: str
    more_label: str
    more_message: str
    more_expired: str
    more_choices: str
    more_links: str
    image_alt: str
    attachment_text: str
    attachment_label: str
    link_label: str
    phone_label: str
    list_header: str


def load_texts(path: str | Path | None = None) -> ConnectorTexts:
    """Read the messages file; fail at start-up (not mid-conversation) if a key is missing."""
    source = Path(path) if path else DEFAULT_MESSAGES_FILE
    with source.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    names = [field.name for field in dataclasses.fields(ConnectorTexts)]
    missing = [name for name in names if not str(data.get(name) or "").strip()]
    if missing:
        raise ValueError(f"{source}: missing connector texts: {', '.join(missing)}")
    return ConnectorTexts(**{name: str(data[name]).strip() for name in names})
