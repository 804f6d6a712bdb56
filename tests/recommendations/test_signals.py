"""Signals from the database: complaints, page taps, favourites, and chat intents read from
Rasa's tracker store (an ``events`` table like Rasa's SQLTrackerStore) — SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from sotong.complaints import service
from sotong.db import session_scope
from sotong.deadlines import now_utc, to_db
from sotong.recommendations import recommendations_for
from sotong.recommendations.signals import all_signals, conversation_ids
from sotong.residents.activity import record_tap, set_recommendations
from sotong.residents.devices import mint_device
from sotong.residents.favourites import add_favourite
from sotong.residents.models import ResidentAlias
from sotong.search.catalogue import load_services

# Rasa 3.6's SQLTrackerStore table, as it creates it.
EVENTS_DDL = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


@pytest.fixture
def events(core_db):
    with core_db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
        conn.execute(text(EVENTS_DDL))
    yield core_db
    with core_db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))


def add_event(engine, sender: str, intent: str, at, entities=()):
    data = {"event": "user", "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}
    with engine.begin() as conn:
        next_id = conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM events")).scalar()
        conn.execute(
            text("INSERT INTO events VALUES (:id, :s, 'user', :t, :i, NULL, :d)"),
            {"id": next_id, "s": sender, "t": at.timestamp(), "i": intent, "d": json.dumps(data)},
        )


@pytest.fixture
def device(core_db):
    with session_scope(core_db) as s:
        d = mint_device(s, "x" * 32).device
        return int(d.resident_id), str(d.public_key)


def test_conversation_ids_cover_devices_and_aliases(core_db, device):
    resident_id, key = device
    with session_scope(core_db) as s:
        s.add(
            ResidentAlias(channel="kakao", channel_user_id="kk1", resident_id=resident_id, created_at=to_db(now_utc()))
        )
        s.flush()
        assert conversation_ids(s, resident_id) == sorted({f"web:{key}", "kakao:kk1"})


def test_chat_intents_and_faq_topics_from_the_tracker_store(events, device):
    resident_id, key = device
    now = now_utc()
    add_event(events, f"web:{key}", "ask_jobs", now - timedelta(days=1))
    add_event(events, f"web:{key}", "faq", now, [{"entity": "faq_topic", "value": "move_in_report"}])
    add_event(events, f"web:{key}", "ask_passport", now - timedelta(days=90))  # outside the window
    add_event(events, "web:someone-else", "report_illegal_parking", now)  # another conversation
    with session_scope(events) as s:
        found = {(x.kind, x.value) for x in all_signals(s, resident_id, to_db(now) - timedelta(days=30))}
        assert found == {("intent", "ask_jobs"), ("intent", "faq"), ("faq", "move_in_report")}
        items = recommendations_for(s, resident_id).items
    assert [i["id"] for i in items][:2] == ["ask_news", "faq:waste_putout_time"]
    assert items[0]["reason"] and items[0]["payload"] == "/ask_news"


def test_complaints_taps_favourites_and_switch(core_db, device):
    resident_id, key = device
    with session_scope(core_db) as s:
        service.file_complaint(
            s,
            service.ResidentKey("web", key),
            category="illegal_parking",
            address="인천 서구 청라동 1",
            description="소화전 앞 주차",
            idempotency_key=uuid.uuid4().hex,
        )
        record_tap(s, resident_id, "ask_bulky_waste")
        add_favourite(s, resident_id, "ask_parking_enforcement", load_services())
    with session_scope(core_db) as s:  # no events table at all: chat signals are just absent
        ids = [i["id"] for i in recommendations_for(s, resident_id).items]
        assert "ask_parking_enforcement" not in ids  # pinned already
        assert {"faq:parking_enforcement_alert", "ask_waste_bag_vendor", "check_complaint_status"} <= set(ids)
        set_recommendations(s, resident_id, False)
        off = recommendations_for(s, resident_id)
        assert off.enabled is False and off.items == ()
