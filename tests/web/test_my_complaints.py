"""내 민원 API: the resident's own complaints as timelines, correct and cancel — and the abuse cases.

Real web app (uvicorn), real database (SQLite and PostgreSQL), real device cookies.
"""

from __future__ import annotations

import uuid

import pytest

from sotong.complaints import service
from sotong.complaints.actors import Actor
from sotong.db import session_scope
from tests.web.conftest import error_of
from tests.web.resident_client import *  # noqa: F403  (fixtures: page, me, other, session_secret)
from tests.web.resident_client import Device, revoke

STAFF = Actor.staff("kim")


def file(engine, device: Device, category: str = "illegal_parking") -> str:
    with session_scope(engine) as s:
        filed = service.file_complaint(
            s,
            service.ResidentKey("web", device.public_key),
            category=category,
            address="인천 서구 청라동 1-1",
            description="흰색 트럭이 소화전 앞에 서 있어요",
            idempotency_key=uuid.uuid4().hex,
        )
    return filed.complaint.receipt_no


def advance_to_done(engine, receipt: str) -> None:
    with session_scope(engine) as s:
        service.assign_department(s, receipt, actor=STAFF)
        service.assign_officer(s, receipt, "traffic-park", actor=STAFF)
        service.advance(s, receipt, "on_site_check", actor=STAFF)
        service.advance(s, receipt, "under_review", actor=STAFF)
        service.advance(s, receipt, "completed", actor=STAFF, note="견인 조치했어요")


def test_list_and_timeline_with_officer_and_note(core_db, me):
    receipt = file(core_db, me)
    listed = me.ok(me.get("/api/me/complaints"))["complaints"]
    assert [c["receipt_no"] for c in listed] == [receipt]
    assert listed[0]["status"] == "received" and listed[0]["status_label"] == "접수"
    assert "timeline" not in listed[0]

    advance_to_done(core_db, receipt)
    shown = me.ok(me.get(f"/api/me/complaints/{receipt}"))
    stages = [e["status"] for e in shown["timeline"]]
    assert stages == ["received", "assigned", "officer_assigned", "on_site_check", "under_review", "completed"]
    done = shown["timeline"][-1]
    assert done["label"] == "처리 완료" and done["note"] == "견인 조치했어요"
    assert done["officer_name"] and done["officer_phone"] and done["department_name"]
    assert done["by"] == "staff"  # never the staff member's login name
    assert all("actor" not in e for e in shown["timeline"])
    assert shown["due_text"] and shown["due_date"]
    assert all(step["reached"] for step in shown["path"])
    assert shown["can_cancel"] is False and shown["can_correct"] is False


def test_rejection_shows_reason_and_appeal(core_db, me):
    receipt = file(core_db, me)
    with session_scope(core_db) as s:
        service.reject(s, receipt, reason="사유지라 단속 대상이 아니에요", appeal_info="이의는 교통과로", actor=STAFF)
    shown = me.ok(me.get(f"/api/me/complaints/{receipt}"))
    assert shown["status"] == "rejected"
    assert shown["rejection_reason"] == "사유지라 단속 대상이 아니에요" and shown["appeal_info"] == "이의는 교통과로"


def test_correct_then_cancel_as_the_resident(core_db, me):
    receipt = file(core_db, me)
    fixed = me.ok(me.post(f"/api/me/complaints/{receipt}/correct", {"address": "인천 서구 청라동 2-2"}))
    assert fixed["address"] == "인천 서구 청라동 2-2"
    assert fixed["timeline"][-1]["kind"] == "correction" and fixed["timeline"][-1]["label"] == "내용 수정"
    cancelled = me.ok(me.post(f"/api/me/complaints/{receipt}/cancel", {"note": "해결됐어요"}))
    assert cancelled["status"] == "cancelled"
    with session_scope(core_db) as s:
        history = service.get_complaint(s, receipt).timeline
    # Recorded as the chat records it: the resident's channel key, never a staff name.
    assert history[-1].actor == f"resident:web:{me.public_key}"
    assert error_of(me.post(f"/api/me/complaints/{receipt}/cancel", {}), 409)["code"]


def test_correction_refused_after_site_visit(core_db, me):
    receipt = file(core_db, me)
    advance_to_done(core_db, receipt)
    err = error_of(me.post(f"/api/me/complaints/{receipt}/correct", {"description": "다른 내용"}), 409)
    assert err["code"] == "correction_not_allowed"


def test_another_residents_complaint_is_404_like_an_unknown_one(core_db, me, other):
    theirs = file(core_db, other)
    unknown = "ZZZZ-9999"
    for receipt in (theirs, unknown):
        assert error_of(me.get(f"/api/me/complaints/{receipt}"), 404)["code"] == "complaint_not_found"
        assert error_of(me.post(f"/api/me/complaints/{receipt}/cancel", {}), 404)["code"] == "complaint_not_found"
        err = error_of(me.post(f"/api/me/complaints/{receipt}/correct", {"address": "어딘가 1"}), 404)
        assert err["code"] == "complaint_not_found"
    assert me.ok(me.get("/api/me/complaints"))["complaints"] == []
    with session_scope(core_db) as s:
        assert service.get_complaint(s, theirs).status == "received"  # untouched


def test_no_forged_or_revoked_cookie(core_db, me):
    receipt = file(core_db, me)
    assert error_of(me.get("/api/me/complaints", cookie=False), 401)["code"] == "unauthorized"
    forged = me.token[:-4] + ("AAAA" if not me.token.endswith("AAAA") else "BBBB")
    assert error_of(me.get("/api/me/complaints", headers={"Cookie": f"sotong_device={forged}"}), 401)
    revoke(core_db, me)
    assert error_of(me.get(f"/api/me/complaints/{receipt}"), 401)["code"] == "unauthorized"
    assert error_of(me.post(f"/api/me/complaints/{receipt}/cancel", {}), 401)["code"] == "unauthorized"


def test_writes_need_csrf(core_db, me):
    receipt = file(core_db, me)
    assert error_of(me.post(f"/api/me/complaints/{receipt}/cancel", {}, csrf=False), 403)["code"] == "csrf_failed"
    evil = {"Origin": "https://evil.example"}
    assert error_of(me.post(f"/api/me/complaints/{receipt}/cancel", {}, headers=evil), 403)["code"] == "csrf_failed"
    with session_scope(core_db) as s:
        assert service.get_complaint(s, receipt).status == "received"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"address": "x" * 301}, 422),
        ({"adress": "typo"}, 422),
        ({}, 400),  # nothing to change: the core says so
        ("not an object", 422),
    ],
)
def test_hostile_correction_bodies(core_db, me, body, status):
    receipt = file(core_db, me)
    assert error_of(me.post(f"/api/me/complaints/{receipt}/correct", body), status)


def test_hostile_receipts_and_bodies(core_db, me):
    for receipt in ("' OR 1=1 --", "A" * 41, "%00", "../../etc/passwd"):
        assert error_of(me.get(f"/api/me/complaints/{receipt}"), 404 if len(receipt) <= 40 else 422)
    receipt = file(core_db, me)
    raw = me.http.post(
        f"{me.base}/api/me/complaints/{receipt}/cancel",
        data="{not json",
        headers={**me.headers(), "Content-Type": "application/json"},
        timeout=10,
    )
    assert error_of(raw, 400)["code"] == "malformed_json"
    big = me.post(f"/api/me/complaints/{receipt}/correct", {"description": "가" * 70000})
    assert error_of(big, 413)["code"] == "body_too_large"


def test_linked_kakao_complaints_show_and_can_be_cancelled_on_the_web(core_db, me):
    from sotong.residents.links import merge_residents

    kakao = service.ResidentKey("kakao", "kakao-" + uuid.uuid4().hex[:8])
    with session_scope(core_db) as s:
        filed = service.file_complaint(
            s,
            kakao,
            category="noise",
            address="인천 서구 가정동 5",
            description="밤마다 공사 소음",
            idempotency_key="k1",
        ).complaint.receipt_no
        kakao_id = service.find_resident(s, kakao).id
        merge_residents(s, kakao_id, me.resident_id)  # the web device now belongs to the KakaoTalk resident
    mine = file(core_db, me)
    assert {c["receipt_no"] for c in me.ok(me.get("/api/me/complaints"))["complaints"]} == {filed, mine}
    assert me.ok(me.post(f"/api/me/complaints/{filed}/cancel", {}))["status"] == "cancelled"
