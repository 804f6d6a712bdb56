"""Officer operations over HTTP against the real core, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest

from sotong.complaints import service
from sotong.db import session_scope
from sotong.deadlines import now_utc
from sotong.notifications.dispatcher import deliver_due
from sotong.notifications.senders import LogOnlySender
from tests.core.helpers import file
from tests.web.conftest import LONG_AGO, error_of

STAGES = ["received", "assigned", "officer_assigned", "on_site_check", "under_review", "completed"]
KIM_PHONE = "032-000-1201"  # cleaning-kim in the sample district data


def path(receipt: str, action: str = "") -> str:
    return f"/api/staff/complaints/{receipt}" + (f"/{action}" if action else "")


def test_list_and_filters(staff, core_db, resident):
    old = file(core_db, resident, LONG_AGO)  # cleaning, overdue
    new = file(core_db, resident, now_utc(), category="illegal_parking")  # traffic, not yet due
    staff.ok(staff.post(path(new, "assign"), {}))  # -> assigned (traffic)

    every = staff.ok(staff.get("/api/staff/complaints"))
    assert [c["receipt_no"] for c in every] == [old, new]  # oldest due first
    assert every[0]["overdue"] is True and every[1]["overdue"] is False

    def receipts(**params):
        return [c["receipt_no"] for c in staff.ok(staff.get("/api/staff/complaints", params=params))]

    assert receipts(status="received") == [old]
    assert receipts(status="ASSIGNED") == [new]
    assert receipts(status="completed") == []
    assert receipts(overdue="true") == [old]
    assert receipts(department="traffic") == [new]
    assert receipts(department="cleaning") == []  # `old` has no department until assigned
    assert receipts(limit=1) == [old]

    error = error_of(staff.get("/api/staff/complaints", params={"status": "done"}), 400)
    assert error["code"] == "invalid_input" and error["field"] == "status"
    error = error_of(staff.get("/api/staff/complaints", params={"department": "nowhere"}), 400)
    assert error["code"] == "unknown_reference" and error["kind"] == "department"
    assert error_of(staff.get("/api/staff/complaints", params={"overdue": "maybe"}), 422)["code"] == "invalid_input"
    assert error_of(staff.get("/api/staff/complaints", params={"limit": 0}), 422)["code"] == "invalid_input"


def test_show_has_the_timeline_officer_and_due_date(staff, core_db, resident):
    receipt = file(core_db, resident, LONG_AGO)
    staff.ok(staff.post(path(receipt, "assign"), {"department": "cleaning", "note": "무단투기"}))
    staff.ok(staff.post(path(receipt, "assign"), {"officer": "cleaning-kim"}))

    shown = staff.ok(staff.get(path(receipt.lower().replace("-", ""))))  # typed loosely, still found
    assert shown["receipt_no"] == receipt and shown["status"] == "officer_assigned"
    assert shown["department_code"] == "cleaning" and shown["officer_code"] == "cleaning-kim"
    assert shown["officer_name"] and shown["officer_phone"] == KIM_PHONE  # staff see the office number
    with session_scope(core_db) as s:
        core_view = service.get_complaint(s, receipt)
    assert shown["due_date"] == core_view.due_date.isoformat() and shown["due_text"] == core_view.due_text
    assert shown["overdue"] is True
    assert shown["next_statuses"] == ["officer_assigned", "on_site_check", "rejected", "transferred"]
    timeline = shown["timeline"]
    assert [e["status"] for e in timeline] == ["received", "assigned", "officer_assigned"]
    assert [e["actor"] for e in timeline[1:]] == ["staff:kim", "staff:kim"]
    assert timeline[1]["note"] == "무단투기" and timeline[1]["department_name"] == shown["department_name"]
    assert timeline[2]["officer_phone"] == KIM_PHONE


def test_every_stage_through_the_api_queues_one_notification_per_stage(staff, core_db, resident, caplog):
    caplog.set_level(logging.INFO, logger="web")
    receipt = file(core_db, resident, now_utc())
    staff.name = "김민수".encode()  # X-Staff-Name is ignored: the token's account (kim) acts
    steps = [
        ("assign", {"department": "cleaning"}),
        ("assign", {"officer": "cleaning-kim", "note": "담당자 지정"}),
        ("advance", {"status": "on_site_check", "note": "현장 출동"}),
        ("advance", {"status": "under_review"}),
        ("advance", {"status": "completed", "note": "수거 완료 (문의 010-1234-5678)"}),
    ]
    for (action, body), stage in zip(steps, STAGES[1:]):
        answer = staff.ok(staff.post(path(receipt, action), body))
        assert answer["status"] == stage
        # one new message per stage, queued in the same transaction as the change
        outbox = staff.ok(staff.get("/api/staff/notifications", params={"receipt_no": receipt}))
        assert [n["stage"] for n in outbox] == STAGES[: STAGES.index(stage) + 1]

    shown = staff.ok(staff.get(path(receipt)))
    assert [e["status"] for e in shown["timeline"]] == STAGES
    assert {e["actor"] for e in shown["timeline"][1:]} == {"staff:kim"}
    assert shown["next_statuses"] == [] and shown["overdue"] is False

    outbox = staff.ok(staff.get("/api/staff/notifications", params={"receipt_no": receipt}))
    assert [n["stage"] for n in outbox] == STAGES
    assert all(n["receipt_no"] == receipt and n["status"] == "queued" for n in outbox)
    officer_message = outbox[STAGES.index("officer_assigned")]["text"]
    assert "032-****-1201" in officer_message and KIM_PHONE not in officer_message  # masked
    assert "처리 완료" in outbox[-1]["text"]
    with session_scope(core_db) as s:  # the resident sees the same six in the chat
        assert [m.stage for m in service.pending_in_chat(s, resident)] == STAGES

    audit = [r.getMessage() for r in caplog.records if r.name == "web.staff_api"]
    assert len(audit) == 5 and all(line.startswith("staff:kim ") and receipt in line for line in audit)
    assert "010-****-5678" in audit[-1] and "010-1234-5678" not in "\n".join(audit)


def test_notifications_filter_by_status(staff, core_db, resident):
    first = file(core_db, resident, now_utc())
    deliver_due(LogOnlySender(), engine=core_db)  # the default sender, as the worker runs it
    second = file(core_db, resident, now_utc())

    def listed(**params):
        return [(n["receipt_no"], n["status"]) for n in staff.ok(staff.get("/api/staff/notifications", params=params))]

    assert listed() == [(first, "logged"), (second, "queued")]
    assert listed(status="logged") == [(first, "logged")]
    assert listed(status="queued") == [(second, "queued")]
    assert listed(limit=1) == [(second, "queued")]  # the newest
    error = error_of(staff.get("/api/staff/notifications", params={"status": "lost"}), 400)
    assert error["code"] == "invalid_input" and error["field"] == "status"
    assert (
        error_of(staff.get("/api/staff/notifications", params={"receipt_no": "ZZZZ-ZZZZ"}), 404)["code"]
        == "complaint_not_found"
    )


def test_reject_needs_a_reason_and_uses_the_districts_appeal_wording(staff, core_db, resident):
    receipt = file(core_db, resident, now_utc())
    error = error_of(staff.post(path(receipt, "reject"), {"reason": "   "}), 422)
    assert error["code"] == "invalid_input" and error["details"][0]["field"] == "reason"

    rejected = staff.ok(staff.post(path(receipt, "reject"), {"reason": "사유 없음"}))
    assert rejected["status"] == "rejected" and rejected["rejection_reason"] == "사유 없음"
    assert "국민신문고" in rejected["appeal_info"]  # district/*/complaints.yml default_appeal_info

    other = file(core_db, resident, now_utc())
    answer = staff.ok(staff.post(path(other, "reject"), {"reason": "중복 민원", "appeal_info": "민원여권과에 문의"}))
    assert answer["appeal_info"] == "민원여권과에 문의"
    outbox = staff.ok(staff.get("/api/staff/notifications", params={"receipt_no": other}))
    assert [n["stage"] for n in outbox] == ["received", "rejected"] and "중복 민원" in outbox[-1]["text"]


def test_transfer_moves_the_complaint_and_clears_the_officer(staff, core_db, resident):
    receipt = file(core_db, resident, now_utc())
    staff.ok(staff.post(path(receipt, "assign"), {}))  # routed by category: cleaning
    staff.ok(staff.post(path(receipt, "assign"), {"officer": "cleaning-kim"}))
    moved = staff.ok(staff.post(path(receipt, "transfer"), {"department": "roads", "note": "도로 파손"}))
    assert moved["status"] == "transferred" and moved["department_code"] == "roads"
    assert moved["officer_code"] is None and moved["next_statuses"] == ["officer_assigned", "rejected", "transferred"]
    assert staff.ok(staff.post(path(receipt, "assign"), {"officer": "roads-choi"}))["status"] == "officer_assigned"
    error = error_of(staff.post(path(receipt, "transfer"), {"department": "nowhere"}), 400)
    assert error["code"] == "unknown_reference" and error["ref"] == "nowhere"


@pytest.mark.parametrize(
    "setup,action,body,allowed",
    [
        ([], "advance", {"status": "completed"}, ["assigned", "rejected"]),
        ([], "advance", {"status": "cancelled"}, ["assigned", "rejected"]),  # only the resident withdraws
        ([], "advance", {"status": "officer_assigned"}, ["assigned", "rejected"]),  # needs the officer's name
        ([], "assign", {"officer": "cleaning-kim"}, ["assigned", "rejected"]),  # no department yet
        (
            [("assign", {})],
            "assign",
            {"officer": "traffic-park"},  # officer of another department
            ["officer_assigned", "rejected", "transferred"],
        ),
        (
            [("assign", {})],
            "transfer",
            {"department": "cleaning"},  # already there
            ["officer_assigned", "rejected", "transferred"],
        ),
        ([("reject", {"reason": "중복"})], "advance", {"status": "on_site_check"}, []),
    ],
)
def test_a_refused_transition_is_409_with_the_allowed_next_statuses(
    staff, core_db, resident, setup, action, body, allowed
):
    receipt = file(core_db, resident, now_utc())
    for step, step_body in setup:
        staff.ok(staff.post(path(receipt, step), step_body))
    before = staff.ok(staff.get(path(receipt)))

    error = error_of(staff.post(path(receipt, action), body), 409)
    assert error["code"] == "transition_refused"
    assert error["allowed"] == allowed and error["from_status"] == before["status"]
    assert error["reason"] and error["message"].startswith("cannot move a complaint")
    after = staff.ok(staff.get(path(receipt)))  # nothing changed, nothing queued
    assert after["timeline"] == before["timeline"]
    assert len(staff.ok(staff.get("/api/staff/notifications", params={"receipt_no": receipt}))) == len(
        before["timeline"]
    )


def test_an_unknown_status_name_is_bad_input(staff, core_db, resident):
    receipt = file(core_db, resident, now_utc())
    error = error_of(staff.post(path(receipt, "advance"), {"status": "finished"}), 400)
    assert error["code"] == "invalid_input" and error["field"] == "status"


@pytest.mark.parametrize("receipt", ["ZZZZ-ZZZZ", "not-a-receipt", "2345"])
def test_an_unknown_receipt_is_404_everywhere(staff, core_db, receipt):
    answers = [
        staff.get(path(receipt)),
        staff.post(path(receipt, "assign"), {}),
        staff.post(path(receipt, "advance"), {"status": "on_site_check"}),
        staff.post(path(receipt, "reject"), {"reason": "사유"}),
        staff.post(path(receipt, "transfer"), {"department": "roads"}),
    ]
    for response in answers:
        error = error_of(response, 404)
        assert error["code"] == "complaint_not_found" and error["receipt_no"] == receipt
