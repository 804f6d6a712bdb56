"""A conversation from the inbox, as staff may read it: resident and bot lines, masked.

Named by one of its messages' event id (the sender id is a bearer secret on some channels
and never leaves the server). Lines come from the tracker store in plain SQL; the bot's
lines are masked too, because the bot repeats what residents told it ("서곶로 123 맞나요?").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from sotong.studio.inbox import EVENTS, PERSONAL_SLOTS, _aware, _json, _parse_data, _prediction, has_events
from sotong.studio.masking import mask

MAX_LINES = 200


@dataclass(frozen=True)
class Line:
    event_id: int
    who: str  # resident | bot | officer
    text: str
    at: datetime
    intent: str | None = None
    confidence: float | None = None
    button: bool = False  # the resident tapped a button (the text is its payload)


@dataclass(frozen=True)
class Transcript:
    event_id: int
    channel: str  # web, kakao, rest, api …
    lines: tuple[Line, ...]


def _line(row: Any, event: dict[str, Any]) -> Line | None:
    kind, body = row[2], event.get("text")
    if kind == "user" and isinstance(body, str) and body:
        intent, confidence = _prediction(_parse_data(event))
        return Line(row[0], "resident", body, _aware(row[3]), intent, confidence, body.startswith("/"))
    if kind == "bot" and isinstance(body, str) and body:
        custom = (event.get("data") or {}).get("custom") if isinstance(event.get("data"), dict) else None
        who = "officer" if isinstance(custom, dict) and custom.get("kind") == "officer" else "bot"
        return Line(row[0], who, body, _aware(row[3]))
    return None


def transcript(session: Session, event_id: int) -> Transcript | None:
    """The conversation holding user event ``event_id`` (its last MAX_LINES lines up to a while after it)."""
    if not has_events(session):
        return None
    found = session.execute(
        text(f"SELECT sender_id FROM {EVENTS} WHERE id = :id AND type_name = 'user'"), {"id": event_id}
    ).first()
    if found is None:
        return None
    sender = found[0]
    rows = session.execute(
        text(
            f"SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM {EVENTS} "
            "WHERE sender_id = :sender ORDER BY id"
        ),
        {"sender": sender},
    ).all()
    known: list[str] = []
    lines: list[Line] = []
    for row in rows:
        event = _json(row[6])
        if row[2] == "slot" and event.get("name") in PERSONAL_SLOTS and isinstance(event.get("value"), str):
            known.append(event["value"])
        line = _line(row, event)
        if line is not None:
            lines.append(line)
    at = next((i for i, line in enumerate(lines) if line.event_id == event_id), len(lines) - 1)
    window = lines[max(0, at - MAX_LINES + 20) : at + 20]
    masked = tuple(Line(x.event_id, x.who, mask(x.text, known), x.at, x.intent, x.confidence, x.button) for x in window)
    channel = sender.split(":", 1)[0] if ":" in sender else "api"
    return Transcript(event_id, channel, masked)
