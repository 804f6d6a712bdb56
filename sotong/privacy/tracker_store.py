"""Personal data in Rasa's tracker store (the ``events`` table in DATABASE_URL), in plain SQL.

Rasa's SQLTrackerStore schema: ``events(id, sender_id, type_name, timestamp, intent_name,
action_name, data)`` where ``data`` is the event as JSON text. Rasa appends events by
count and never rewrites old ones, so editing an old row's ``data`` in place is safe
while Rasa runs; deleting is done only for whole conversations nobody has touched for
the retention period.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

EVENTS = "events"
PHONE_MASK = "***-****-****"
# Korean mobile numbers however typed: 010-1234-5678, 01012345678, +82 10 1234 5678, 010.1234.5678
_MOBILE = re.compile(r"(?<!\d)(?:\+?82[-\s.]?|0)1[016789][-\s.]?\d{3,4}[-\s.]?\d{4}(?!\d)")
_BATCH = 500


def has_events_table(conn: Connection) -> bool:
    return inspect(conn).has_table(EVENTS)


def mask_mobiles(value: str) -> str:
    return _MOBILE.sub(PHONE_MASK, value)


def _walk(value: Any, fix: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [_walk(v, fix) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fix) for k, v in value.items()}
    return value


def _rewrite(conn: Connection, where: str, params: dict, change: Callable[[str, dict], dict]) -> int:
    """Apply ``change(type_name, event) -> event`` to matching rows; count rows changed."""
    changed, last_id = 0, 0
    while True:
        rows = conn.execute(
            text(
                f"SELECT id, type_name, data FROM {EVENTS} WHERE id > :last_id AND {where} ORDER BY id LIMIT {_BATCH}"
            ),
            {**params, "last_id": last_id},
        ).all()
        if not rows:
            return changed
        for row_id, type_name, data in rows:
            last_id = row_id
            try:
                event, unreadable = json.loads(data or "{}"), False
            except ValueError:
                event, unreadable = {"event": type_name}, True  # keep only its type
            new = change(type_name, event)
            if new != event or unreadable:
                conn.execute(
                    text(f"UPDATE {EVENTS} SET data = :data WHERE id = :id"), {"data": json.dumps(new), "id": row_id}
                )
                changed += 1


def scrub_phone_numbers(conn: Connection, sender_id: str) -> int:
    """Mask every mobile number in one conversation's events (texts, slots, entities)."""
    if not sender_id or not has_events_table(conn):
        return 0
    return _rewrite(
        conn, "sender_id = :sender_id", {"sender_id": sender_id}, lambda _type, event: _walk(event, mask_mobiles)
    )


def _anonymised(type_name: str, event: dict) -> dict:
    """What is left of an old event: its kind and time, never what anyone said."""
    if not isinstance(event, dict):
        return {"event": type_name}
    out = dict(event)
    if type_name == "user":
        out["text"] = None
        parse = dict(out.get("parse_data") or {})
        if parse:
            parse["text"] = None
            parse["entities"] = []
            out["parse_data"] = parse
        out["metadata"] = {}
    elif type_name == "bot":
        out["text"] = None
        out["data"] = {}
        out["metadata"] = {}
    elif type_name == "slot":
        out["value"] = None
    return out


@dataclass
class EventsPurge:
    conversations_deleted: int = 0
    events_deleted: int = 0
    events_anonymised: int = 0


def purge_events(conn: Connection, cutoff_timestamp: float, dry_run: bool = False) -> EventsPurge:
    """Delete conversations idle since before the cutoff; anonymise older events of the rest."""
    report = EventsPurge()
    if not has_events_table(conn):
        return report
    stale = "sender_id IN (SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
    params = {"cutoff": cutoff_timestamp}
    report.conversations_deleted = (
        conn.execute(text(f"SELECT COUNT(DISTINCT sender_id) FROM {EVENTS} WHERE {stale}"), params).scalar() or 0
    )
    report.events_deleted = conn.execute(text(f"SELECT COUNT(*) FROM {EVENTS} WHERE {stale}"), params).scalar() or 0
    old = "timestamp < :cutoff AND type_name IN ('user', 'bot', 'slot')"
    if dry_run:
        report.events_anonymised = (
            conn.execute(text(f"SELECT COUNT(*) FROM {EVENTS} WHERE {old} AND NOT ({stale})"), params).scalar() or 0
        )
        return report
    conn.execute(text(f"DELETE FROM {EVENTS} WHERE {stale}"), params)
    report.events_anonymised = _rewrite(conn, old, params, _anonymised)
    return report
