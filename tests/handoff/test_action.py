"""action_request_human with a fixed clock: a waiting request and a paused bot in office
hours, a callback ticket (bot not paused) outside them, the phone when the queue is down."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from actions.handoff import ActionRequestHuman
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.office_hours import KST
from tests.actions.conftest import domain  # noqa: F401  (fixture)


def at(*args):
    return lambda: datetime(*args, tzinfo=KST)


def tracker(sender: str) -> Tracker:
    events = [{"event": "user", "text": "여권 재발급 문의요 010-1234-5678"}, {"event": "user", "text": "상담원 연결"}]
    latest = {"text": "상담원 연결", "intent": {"name": "request_human", "confidence": 0.9}, "entities": []}
    return Tracker(sender, {"address": "서곶로 77"}, latest, events, False, None, {}, "action_listen")


def run(action, t, dom):
    d = CollectingDispatcher()
    return d, action.run_blocking(d, t, dom)


def test_office_hours_queue_and_pause(core_db, domain):  # noqa: F811
    d, events = run(ActionRequestHuman(at(2026, 12, 1, 10)), tracker("web:resident-0001"), domain)
    assert d.messages[-1]["response"] == "utter_handoff_queued" and d.messages[-1]["department_name"] == "민원여권과"
    assert [e["event"] for e in events] == ["pause"]
    with session_scope(core_db) as s:
        r = queue.current(s, "web:resident-0001")
    assert r.state == "waiting" and not r.callback and r.channel == "web" and r.department_code == "civil"
    assert "address: 서곶로 77" in r.summary and "010-****-5678" in r.summary


def test_holiday_gives_a_callback_ticket_without_pausing(core_db, domain):  # noqa: F811
    d, events = run(ActionRequestHuman(at(2026, 9, 25, 10)), tracker("kakao:user-0001"), domain)  # 추석
    msg = d.messages[-1]
    assert msg["response"] == "utter_handoff_callback" and msg["next_open_day"] == "9월 28일(월)"
    assert msg["opens_at"] == "09:00" and events == []
    with session_scope(core_db) as s:
        assert queue.current(s, "kakao:user-0001").callback is True


def test_queue_down_still_gives_the_phone(tmp_path, monkeypatch, domain):  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-tables.db'}")
    d, events = run(ActionRequestHuman(at(2026, 12, 1, 10)), tracker("web:resident-0002"), domain)
    assert d.messages[-1]["response"] == "utter_handoff_office_hours" and events == []
    d, events = run(ActionRequestHuman(at(2026, 12, 1, 20)), tracker("web:resident-0002"), domain)
    assert d.messages[-1]["response"] == "utter_handoff_after_hours" and events == []
