"""The resident's signals for recommendations, read on the district's own server.

- complaints they filed (category codes), from our tables;
- chat intents and FAQ topics, read-only from Rasa's tracker store (the ``events`` table
  in the same DATABASE_URL) for every conversation that is this resident's: their own
  channel id, each linked alias and each web device ("web:<key>");
- page taps and favourites (sotong.residents).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from sotong.complaints.models import Complaint, ComplaintCategory, Resident
from sotong.deadlines import to_db
from sotong.privacy.tracker_store import EVENTS, has_events_table
from sotong.recommendations.rules import COMPLAINT, FAQ, FAVOURITE, INTENT, TAP, Signal
from sotong.residents.activity import recent_taps
from sotong.residents.favourites import list_favourites
from sotong.residents.models import ResidentAlias, WebDevice

MAX_CHAT_EVENTS = 200  # the newest user messages looked at: enough for a month of a resident's chat
FAQ_INTENT = "faq"
TOPIC_ENTITY = "faq_topic"
WEB_CHANNEL = "web"


def conversation_ids(session: Session, resident_id: int) -> list[str]:
    """Every Rasa sender id that is this resident ("kakao:<key>", "web:<device key>", ...)."""
    ids: list[str] = []
    resident = session.get(Resident, resident_id)
    if resident is not None:
        ids.append(f"{resident.channel}:{resident.channel_user_id}")
    aliases = session.execute(
        select(ResidentAlias.channel, ResidentAlias.channel_user_id).where(ResidentAlias.resident_id == resident_id)
    ).all()
    ids += [f"{channel}:{user}" for channel, user in aliases]
    devices = session.execute(select(WebDevice.public_key).where(WebDevice.resident_id == resident_id)).all()
    ids += [f"{WEB_CHANNEL}:{key}" for (key,) in devices]
    return sorted(set(ids))


def complaint_signals(session: Session, resident_id: int, since: datetime) -> list[Signal]:
    rows = session.execute(
        select(ComplaintCategory.code, Complaint.created_at)
        .join(ComplaintCategory, Complaint.category_id == ComplaintCategory.id)
        .where(Complaint.resident_id == resident_id, Complaint.created_at >= to_db(since))
    ).all()
    return [Signal(COMPLAINT, str(code), at) for code, at in rows]


def _topic(data: str | None) -> str | None:
    """The FAQ topic a quick-reply tap named (/faq{"faq_topic": ...}); typed questions carry none."""
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    for entity in (event.get("parse_data") or {}).get("entities") or ():
        if isinstance(entity, dict) and entity.get("entity") == TOPIC_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


def chat_signals(session: Session, resident_id: int, since: datetime) -> list[Signal]:
    conn = session.connection()
    senders = conversation_ids(session, resident_id)
    if not senders or not has_events_table(conn):
        return []
    query = text(
        f"SELECT intent_name, timestamp, data FROM {EVENTS} "
        "WHERE sender_id IN :senders AND type_name = 'user' AND timestamp >= :since "
        f"ORDER BY id DESC LIMIT {MAX_CHAT_EVENTS}"
    ).bindparams(bindparam("senders", expanding=True))
    cutoff = since.replace(tzinfo=timezone.utc).timestamp() if since.tzinfo is None else since.timestamp()
    signals: list[Signal] = []
    for intent, stamp, data in conn.execute(query, {"senders": senders, "since": cutoff}).all():
        at = datetime.fromtimestamp(float(stamp), tz=timezone.utc).replace(tzinfo=None)
        if intent:
            signals.append(Signal(INTENT, str(intent), at))
        if intent == FAQ_INTENT:
            topic = _topic(data)
            if topic:
                signals.append(Signal(FAQ, topic, at))
    return signals


def page_signals(session: Session, resident_id: int, since: datetime) -> list[Signal]:
    taps = [Signal(TAP, service, at) for service, at in recent_taps(session, resident_id, since)]
    return taps + [Signal(FAVOURITE, service) for service in list_favourites(session, resident_id)]


def all_signals(session: Session, resident_id: int, since: datetime) -> list[Signal]:
    return (
        complaint_signals(session, resident_id, since)
        + chat_signals(session, resident_id, since)
        + page_signals(session, resident_id, since)
    )
