"""추천 메뉴 API: recommendations with reasons, the per-resident switch, page taps — and abuse cases."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from sotong.complaints import service
from sotong.db import session_scope
from sotong.deadlines import now_utc
from sotong.residents.activity import MAX_TAPS, recent_taps
from tests.web.conftest import error_of
from tests.web.resident_client import *  # noqa: F403  (fixtures: page, me, other, session_secret)
from tests.web.resident_client import revoke


def test_parking_report_recommends_enforcement_with_reason(core_db, me, other):
    with session_scope(core_db) as s:
        service.file_complaint(
            s,
            service.ResidentKey("web", me.public_key),
            category="illegal_parking",
            address="인천 서구 청라동 1",
            description="소화전 앞 주차",
            idempotency_key=uuid.uuid4().hex,
        )
    body = me.ok(me.get("/api/me/recommendations"))
    assert body["enabled"] is True
    first = body["recommendations"][0]
    assert first["id"] == "ask_parking_enforcement" and first["reason"] == "최근 주정차 신고를 하셔서"
    assert first["title"] == "주정차 단속 안내" and first["payload"] == "/ask_parking_enforcement"
    assert other.ok(other.get("/api/me/recommendations"))["recommendations"] == []  # nothing of mine shows there


def test_taps_feed_recommendations_and_the_switch_is_kept(core_db, me):
    assert me.post("/api/me/activity", {"service_id": "faq:move_in_report"}).status_code == 204
    ids = [r["id"] for r in me.ok(me.get("/api/me/recommendations"))["recommendations"]]
    assert ids[0] == "ask_news"
    off = me.ok(me.post("/api/me/recommendations/settings", {"enabled": False}))
    assert off == {"enabled": False, "recommendations": []}
    assert me.ok(me.get("/api/me/recommendations"))["enabled"] is False
    assert me.ok(me.post("/api/me/recommendations/settings", {"enabled": True}))["recommendations"]


def test_activity_is_bounded_and_deduplicated(core_db, me):
    for _ in range(3):
        assert me.post("/api/me/activity", {"service_id": "ask_jobs"}).status_code == 204
    with session_scope(core_db) as s:
        assert [t for t, _ in recent_taps(s, me.resident_id, now_utc() - timedelta(days=1))] == ["ask_jobs"]
    assert MAX_TAPS <= 50


def test_abuse(core_db, me):
    assert error_of(me.get("/api/me/recommendations", cookie=False), 401)
    assert error_of(me.post("/api/me/activity", {"service_id": "ask_jobs"}, csrf=False), 403)["code"] == "csrf_failed"
    assert error_of(me.post("/api/me/recommendations/settings", {"enabled": False}, csrf=False), 403)
    assert error_of(me.post("/api/me/activity", {"service_id": "nope"}), 400)["code"] == "unknown_service"
    assert error_of(me.post("/api/me/recommendations/settings", {"enabled": "no"}), 422)
    assert error_of(me.post("/api/me/activity", {"service_id": "a" * 81}), 422)
    revoke(core_db, me)
    assert error_of(me.get("/api/me/recommendations"), 401)


@pytest.mark.parametrize("body", [None, [], {"enabled": True, "extra": 1}, {"enabled": None}])
def test_hostile_switch_bodies(me, body):
    response = me.post("/api/me/recommendations/settings", body)
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text
