"""Working complaints as staff: scope, allowed actions, conflicts, one message per change,
the audit log, and API tokens (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from sotong.complaints import service
from sotong.complaints.errors import ComplaintNotFound, InvalidComplaintInput, TransitionRefused
from sotong.db import session_scope
from sotong.staff import audit, tokens, work
from sotong.staff.errors import EditConflict, Forbidden, InvalidStaffInput, NotSignedIn
from tests.staff.conftest import NOW, file, make_account


def detail(engine, who, receipt):
    with session_scope(engine) as s:
        return work.get_complaint(s, who, receipt, now=NOW)


def act(engine, who, receipt, action, version, **fields):
    with session_scope(engine) as s:
        return work.act(s, who, receipt, action, version=version, now=NOW, **fields)


def messages(engine, receipt):
    with session_scope(engine) as s:
        return [n.stage for n in service.list_notifications(s, receipt_no=receipt)]


def test_an_officer_works_a_complaint_from_received_to_completed(core_db, officer):
    receipt = file(core_db)
    page = detail(core_db, officer, receipt)
    assert page.actions == ("assign_department", "reject")
    steps = [
        ("assign_department", {}),
        ("assign_officer", {"officer": "cleaning-kim"}),
        ("advance", {"status": "on_site_check", "note": "내일 오전 현장에 가요"}),
        ("advance", {"status": "under_review"}),
        ("advance", {"status": "completed", "note": "수거했어요"}),
    ]
    for action, fields in steps:
        assert action in page.actions
        page = act(core_db, officer, receipt, action, page.version, **fields)
    assert page.view.status == "completed" and page.actions == ()
    assert page.view.officer_name == "김서진"
    # The resident hears of each stage exactly once: one outbox message per change.
    assert messages(core_db, receipt) == [
        "received",
        "assigned",
        "officer_assigned",
        "on_site_check",
        "under_review",
        "completed",
    ]
    assert [e.actor for e in page.view.timeline][1:] == ["staff:kim"] * 5
    with session_scope(core_db) as s:
        logged = [(e.action, e.target) for e in audit.recent(s, target=receipt)]
    assert ("view_complaint", receipt) in logged and ("advance", receipt) in logged and len(logged) == 6


def test_only_the_allowed_transitions_are_offered_and_done(core_db, officer):
    receipt = file(core_db)
    page = detail(core_db, officer, receipt)
    with pytest.raises(TransitionRefused):
        act(core_db, officer, receipt, "advance", page.version, status="on_site_check")
    with pytest.raises(InvalidComplaintInput):
        act(core_db, officer, receipt, "advance", page.version, status="cancelled")  # the resident's
    with pytest.raises(InvalidStaffInput):
        act(core_db, officer, receipt, "delete", page.version)
    with pytest.raises(InvalidComplaintInput, match="reason"):
        act(core_db, officer, receipt, "reject", page.version, reason="  ")
    page = act(core_db, officer, receipt, "reject", page.version, reason="사유지 안이라 처리할 수 없어요")
    assert page.view.status == "rejected" and "국민신문고" in page.view.appeal_info
    assert messages(core_db, receipt) == ["received", "rejected"]


def test_transfer_moves_the_complaint_out_of_the_officers_scope(core_db, officer):
    receipt = file(core_db)
    page = act(core_db, officer, receipt, "assign_department", detail(core_db, officer, receipt).version)
    assert {d.code for d in page.departments} == {
        "traffic",
        "roads",
        *({d.code for d in page.departments} - {"cleaning"}),
    }
    page = act(core_db, officer, receipt, "transfer", page.version, department="traffic", note="주차 문제예요")
    assert page.view.department_code == "traffic"
    with pytest.raises(ComplaintNotFound):
        detail(core_db, officer, receipt)


def test_scope_officers_see_their_department_admins_everything_trainers_nothing(core_db, officer, admin):
    mine, theirs = file(core_db), file(core_db, category="illegal_parking")
    traffic = make_account(core_db, "park", department="traffic", officer="traffic-park")
    trainer = make_account(core_db, "teacher", role="trainer", department="cleaning")
    with session_scope(core_db) as s:
        assert [v.receipt_no for v in work.list_queue(s, officer, work.QueueFilters(), NOW)] == [mine]
        assert [v.receipt_no for v in work.list_queue(s, traffic, work.QueueFilters(), NOW)] == [theirs]
        assert {v.receipt_no for v in work.list_queue(s, admin, work.QueueFilters(), NOW)} == {mine, theirs}
        with pytest.raises(Forbidden):
            work.list_queue(s, trainer, work.QueueFilters(), NOW)
    for who, receipt in ((officer, theirs), (traffic, mine)):
        with pytest.raises(ComplaintNotFound):  # the same answer as an unknown receipt
            detail(core_db, who, receipt)
        with pytest.raises(ComplaintNotFound):
            act(core_db, who, receipt, "assign_department", "1")
    with pytest.raises(Forbidden):
        detail(core_db, trainer, mine)


def test_queue_filters_and_sorting(core_db, admin):
    first, second = file(core_db), file(core_db, category="illegal_parking")
    page = detail(core_db, admin, second)
    act(core_db, admin, second, "assign_department", page.version)

    def queue(**filters):
        with session_scope(core_db) as s:
            return [v.receipt_no for v in work.list_queue(s, admin, work.QueueFilters(**filters), NOW)]

    assert queue() == [first, second]  # same due date: filing order
    assert queue(status="assigned") == [second] and queue(status="received") == [first]
    assert queue(category="illegal_parking") == [second] and queue(department="traffic") == [second]
    assert queue(officer="traffic-park") == [] and queue(overdue=True) == []
    for bad in ({"status": "bogus"}, {"category": "<script>"}, {"department": "x"}, {"officer": "nobody"}):
        with pytest.raises(InvalidStaffInput):
            queue(**bad)


def test_a_stale_page_gets_a_conflict_not_a_second_change(core_db, officer):
    receipt = file(core_db)
    stale = detail(core_db, officer, receipt)
    act(core_db, officer, receipt, "assign_department", stale.version)
    with pytest.raises(EditConflict) as caught:
        act(core_db, officer, receipt, "assign_department", stale.version)
    assert caught.value.status == "assigned"
    with pytest.raises(InvalidStaffInput, match="version"):
        act(core_db, officer, receipt, "assign_officer", None, officer="cleaning-kim")
    assert messages(core_db, receipt) == ["received", "assigned"]


def test_two_officers_at_once_one_wins_one_is_told(core_db, officer):
    lee = make_account(core_db, "lee", officer="cleaning-lee")
    receipt = file(core_db)
    page = act(core_db, officer, receipt, "assign_department", detail(core_db, officer, receipt).version)
    results: list = []
    barrier = threading.Barrier(2)

    def attempt(who, code):
        barrier.wait()
        try:
            results.append(act(core_db, who, receipt, "assign_officer", page.version, officer=code).view.officer_code)
        except EditConflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=attempt, args=a) for a in ((officer, "cleaning-kim"), (lee, "cleaning-lee"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["EditConflict", "str"]
    assert messages(core_db, receipt).count("officer_assigned") == 1


def test_api_tokens_are_per_account_hashed_and_revocable(core_db, officer, admin):
    with session_scope(core_db) as s:
        issued = tokens.issue(s, "kim", "민원 연동 스크립트", by=admin)
    assert issued.token.startswith("sotong_") and len(issued.token) > 40
    with session_scope(core_db) as s:
        assert tokens.authenticate(s, issued.token).username == "kim"
        listed = tokens.list_tokens(s)
        assert [t.prefix for t in listed] == [issued.prefix] and issued.token not in repr(listed)
        for forged in (None, "", issued.token + "x", "sotong_" + "A" * 43, "Bearer " + issued.token, "x" * 300):
            with pytest.raises(NotSignedIn):
                tokens.authenticate(s, forged)
        with pytest.raises(InvalidStaffInput):
            tokens.issue(s, "kim", "")
        with pytest.raises(InvalidStaffInput):
            tokens.revoke(s, 999999)
    with session_scope(core_db) as s:
        from sotong.staff import accounts

        accounts.set_active(s, "kim", False, by=admin)
    with session_scope(core_db) as s, pytest.raises(NotSignedIn):
        tokens.authenticate(s, issued.token)
    with session_scope(core_db) as s:
        accounts.set_active(s, "kim", True, by=admin)
        tokens.revoke(s, issued.id, by=admin)
    with session_scope(core_db) as s, pytest.raises(NotSignedIn):
        tokens.authenticate(s, issued.token)
