"""Working complaints in the console over HTTP: queue, detail, every transition, the
concurrent-edit conflict, role and department scope, and hostile input."""

from __future__ import annotations

import re
import uuid

import pytest

from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.staff import audit


def file(engine, category="illegal_dumping", address="인천 서구 청라동 1-1") -> str:
    with session_scope(engine) as s:
        result = service.file_complaint(
            s,
            ResidentKey("kakao", "r-" + uuid.uuid4().hex[:8]),
            category=category,
            address=address,
            description="집 앞에 쓰레기가 버려져 있어요. 연락은 010-1234-5678",
            idempotency_key=uuid.uuid4().hex,
        )
    return result.complaint.receipt_no


def stages(engine, receipt):
    with session_scope(engine) as s:
        return [n.stage for n in service.list_notifications(s, receipt_no=receipt)]


def act(client, receipt, action, **fields):
    page = client.get(f"/console/complaints/{receipt}")
    assert page.status_code == 200, page.text
    data = {"csrf_token": client.csrf, "version": client.hidden("version"), **fields}
    return client.post(f"/console/complaints/{receipt}/{action}", data)


def forms_on(html: str) -> set[str]:
    return set(re.findall(r'action="/console/complaints/[^/"]+/(\w+)"', html))


def test_an_officer_works_a_complaint_from_received_to_completed(client, accounts_made, core_db):
    receipt = file(core_db)
    client.signed_in("kim")
    queue = client.get("/console/complaints")
    assert receipt in queue.text and '<th scope="col">처리 기한</th>' in queue.text
    detail = client.get(f"/console/complaints/{receipt}")
    assert forms_on(detail.text) == {"assign_department", "reject"}
    assert "map.kakao.com/link/search/" in detail.text and "청라동" in detail.text
    for action, fields, shown in (
        ("assign_department", {}, "assign_officer"),
        ("assign_officer", {"officer": "cleaning-kim"}, "advance"),
        ("advance", {"status": "on_site_check", "note": "내일 오전에 가 볼게요"}, "advance"),
        ("advance", {"status": "under_review"}, "advance"),
        ("advance", {"status": "completed"}, None),
    ):
        response = act(client, receipt, action, **fields)
        assert response.status_code == 303 and response.headers["location"].endswith(f"?done={action}")
        page = client.get(response.headers["location"])
        assert "처리했어요" in page.text
        assert (shown in forms_on(page.text)) if shown else forms_on(page.text) == set()
    assert "처리 완료" in page.text and "내일 오전에 가 볼게요" in page.text and "staff:kim" in page.text
    assert stages(core_db, receipt) == [
        "received", "assigned", "officer_assigned", "on_site_check", "under_review", "completed"
    ]  # fmt: skip
    with session_scope(core_db) as s:
        logged = {e.action for e in audit.recent(s, target=receipt)}
    assert {"view_complaint", "assign_department", "assign_officer", "advance"} <= logged


def test_reject_with_reason_and_the_districts_appeal_notice(client, accounts_made, core_db):
    receipt = file(core_db)
    client.signed_in("kim")
    assert act(client, receipt, "reject", reason="").status_code == 400
    response = act(client, receipt, "reject", reason="사유지 안이라 구청이 처리할 수 없어요")
    page = client.get(response.headers["location"])
    assert "반려" in page.text and "국민신문고" in page.text and forms_on(page.text) == set()
    assert stages(core_db, receipt) == ["received", "rejected"]


def test_transfer_then_the_other_department_takes_it(new_client, accounts_made, core_db):
    receipt = file(core_db)
    kim, park = new_client().signed_in("kim"), new_client().signed_in("park")
    assert park.get(f"/console/complaints/{receipt}").status_code == 404
    act(kim, receipt, "assign_department")
    assert act(kim, receipt, "transfer", department="traffic", note="주차 문제예요").status_code == 303
    assert kim.get(f"/console/complaints/{receipt}").status_code == 404  # out of kim's department now
    assert act(park, receipt, "assign_officer", officer="traffic-park").status_code == 303


def test_a_transition_the_lifecycle_refuses_is_409_with_the_page(client, accounts_made, core_db):
    receipt = file(core_db)
    client.signed_in("kim")
    response = act(client, receipt, "advance", status="completed")
    assert response.status_code == 409 and "할 수 없는 처리예요" in response.text
    assert act(client, receipt, "advance", status="cancelled").status_code == 400  # the resident's
    assert act(client, receipt, "explode").status_code == 400
    assert stages(core_db, receipt) == ["received"]


def test_two_officers_on_one_complaint_the_second_gets_a_conflict(new_client, accounts_made, core_db):
    receipt = file(core_db)
    kim, lee = new_client().signed_in("kim"), new_client().signed_in("lee")
    act(kim, receipt, "assign_department")
    kim.get(f"/console/complaints/{receipt}")
    lee.get(f"/console/complaints/{receipt}")
    first = kim.post(
        f"/console/complaints/{receipt}/assign_officer",
        {"csrf_token": kim.csrf, "version": kim.hidden("version"), "officer": "cleaning-kim"},
    )
    second = lee.post(
        f"/console/complaints/{receipt}/assign_officer",
        {"csrf_token": lee.csrf, "version": lee.hidden("version"), "officer": "cleaning-lee"},
    )
    assert first.status_code == 303
    assert second.status_code == 409 and "다른 직원이 먼저 이 민원을 바꿨어요" in second.text
    assert "김서진" in second.text  # the page as it is now
    assert stages(core_db, receipt).count("officer_assigned") == 1


def test_scope_other_departments_are_404_trainers_403_admins_see_all(new_client, accounts_made, core_db):
    dumping, parking = file(core_db), file(core_db, category="illegal_parking")
    kim, admin, teacher = (
        new_client().signed_in("kim"),
        new_client().signed_in("admin"),
        new_client().signed_in("teacher"),
    )
    queue = kim.get("/console/complaints").text
    assert dumping in queue and parking not in queue
    assert kim.get(f"/console/complaints/{parking}").status_code == 404
    kim.get(f"/console/complaints/{dumping}")
    refused = kim.post(f"/console/complaints/{parking}/reject", {"csrf_token": kim.csrf, "version": "1", "reason": "x"})
    assert refused.status_code == 404 and stages(core_db, parking) == ["received"]
    assert teacher.get("/console/complaints").status_code == 403
    assert teacher.get(f"/console/complaints/{dumping}").status_code == 403
    both = admin.get("/console/complaints").text
    assert dumping in both and parking in both


@pytest.mark.parametrize(
    "query, status",
    [
        ("?status=assigned", 200),
        ("?overdue=1", 200),
        ("?category=illegal_dumping&department=cleaning&officer=cleaning-kim", 200),
        ("?status=%3Cscript%3E", 400),
        ("?department=nope", 400),
        ("?officer=" + "x" * 5000, 400),
    ],
)
def test_queue_filters(client, accounts_made, core_db, query, status):
    file(core_db)
    response = client.signed_in("admin").get("/console/complaints" + query)
    assert response.status_code == status and "Traceback" not in response.text and "<script>" not in response.text


@pytest.mark.parametrize("receipt", ["ZZZZ-ZZZZ", "not-a-receipt", "%3Cscript%3E", "x" * 300])
def test_unknown_or_hostile_receipt_numbers_are_404(client, accounts_made, receipt):
    client.signed_in("kim").get("/console/complaints")
    assert client.get(f"/console/complaints/{receipt}").status_code == 404
    response = client.post(f"/console/complaints/{receipt}/advance", {"csrf_token": client.csrf, "version": "1"})
    assert response.status_code == 404


def test_hostile_notes_are_escaped_and_oversized_ones_refused(client, accounts_made, core_db):
    receipt = file(core_db)
    client.signed_in("kim")
    response = act(client, receipt, "assign_department", note='<img src=x onerror="alert(1)">')
    page = client.get(response.headers["location"])
    assert '<img src=x onerror="alert(1)">' not in page.text and "&lt;img src=x" in page.text
    too_long = act(client, receipt, "assign_officer", officer="cleaning-kim", note="가" * 1001)
    assert too_long.status_code == 422 and "Traceback" not in too_long.text
    assert act(client, receipt, "assign_officer", officer="cleaning-kim", note="nul\x00byte").status_code == 400
    missing_version = client.post(
        f"/console/complaints/{receipt}/assign_officer", {"csrf_token": client.csrf, "officer": "cleaning-kim"}
    )
    assert missing_version.status_code == 400
    assert stages(core_db, receipt) == ["received", "assigned"]


def test_viewing_a_complaint_is_audited(client, accounts_made, core_db):
    receipt = file(core_db)
    client.signed_in("kim").get(f"/console/complaints/{receipt}")
    with session_scope(core_db) as s:
        views = [e for e in audit.recent(s, target=receipt) if e.action == "view_complaint"]
    assert [(e.username, e.ip) for e in views] == [("kim", "127.0.0.1")]
