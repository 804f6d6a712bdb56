"""The dashboard over real HTTP (SQLite and PostgreSQL): a session is needed, an officer
sees their department and an admin all, the charts are SVG beside tables, the strict CSP
holds (no script, no style attribute), views are not audited, and its render time with
1,000 complaints."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.staff import audit

KST = timezone(timedelta(hours=9))


def file(engine, category: str = "illegal_dumping", at: datetime | None = None) -> str:
    with session_scope(engine) as s:
        result = service.file_complaint(
            s,
            ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8]),
            category=category,
            address="인천 서구 청라동 1-1",
            description="집 앞에 쓰레기가 버려져 있어요",
            idempotency_key=uuid.uuid4().hex,
            now=at,
        )
    return result.complaint.receipt_no


def long_ago(days: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


def test_the_dashboard_needs_a_session(client, accounts_made):
    response = client.get("/console/dashboard")
    assert response.status_code == 303 and response.headers["location"] == "/console/login?next=%2Fconsole%2Fdashboard"


def test_a_trainer_may_not_see_it(client, accounts_made):
    response = client.signed_in("teacher").get("/console/dashboard")
    assert response.status_code == 403 and "권한이 있는 직원만" in response.text


def test_an_empty_database_renders_zeros_under_the_strict_csp(client, accounts_made):
    page = client.signed_in("admin").get("/console/dashboard")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "style-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert "<script" not in html and " style=" not in html
    assert "완료된 민원이 아직 없어요" in html and "기한이 지난 민원이 없어요" in html
    assert html.count("<svg") == 4 and html.count("<caption>") == 5 and html.count('scope="col"') == 15
    assert 'href="/console/dashboard"' in html  # the nav link
    rows = re.findall(r'<tr><th scope="row">(\d+)월 (\d+)일 주</th><td>(\d+)</td><td>(\d+)</td></tr>', html)
    assert len(rows) == 8 and all(r[2:] == ("0", "0") for r in rows)


def test_an_officer_sees_their_department_and_an_admin_all(client, new_client, accounts_made, core_db):
    ours = file(core_db, "illegal_dumping", long_ago(30))  # overdue, cleaning
    theirs = file(core_db, "illegal_parking", long_ago(30))  # overdue, traffic
    file(core_db, "missed_pickup")
    kim = client.signed_in("kim").get("/console/dashboard").text
    assert f'href="/console/complaints/{ours}"' in kim and theirs not in kim
    departments = kim.split('id="department-h"')[1].split("</section>")[0]
    assert "자원순환과" in departments and "교통지도과" not in departments
    admin = new_client().signed_in("admin").get("/console/dashboard").text
    assert f'href="/console/complaints/{ours}"' in admin and f'href="/console/complaints/{theirs}"' in admin
    total = re.search(r"<dt>전체 민원</dt><dd>(\d+)건</dd>", admin)
    assert total and total.group(1) == "3"
    assert re.search(r"<dt>처리 기한 지남</dt><dd>2건</dd>", admin)
    # The overdue link leads to the complaint's page, which is audited there.
    page = new_client().signed_in("kim")
    assert page.get(f"/console/complaints/{ours}").status_code == 200


def test_a_view_is_not_audited_and_posting_is_refused(client, accounts_made, core_db):
    file(core_db)
    client.signed_in("admin")
    with session_scope(core_db) as s:
        before = len(audit.recent(s, limit=1000))
    assert client.get("/console/dashboard").status_code == 200
    assert client.get("/console/dashboard?weeks=999&department=traffic").status_code == 200  # no parameters read
    with session_scope(core_db) as s:
        assert len(audit.recent(s, limit=1000)) == before
    refused = client.post("/console/dashboard", {"csrf_token": client.csrf})
    assert refused.status_code == 405 and "Traceback" not in refused.text


def test_a_thousand_complaints_are_all_counted(client, accounts_made, core_db):
    """Correctness at volume on both databases (the render time is a figure in the closing note, not a test)."""
    start = datetime.now(KST) - timedelta(weeks=10)
    for i in range(1000):
        category = ("illegal_dumping", "illegal_parking", "streetlight", "noise")[i % 4]
        receipt = file(core_db, category, start + timedelta(hours=i * 1.6))
        if i % 3 == 0:
            with session_scope(core_db) as s:
                staff = service.Actor.staff("admin")
                at = start + timedelta(hours=i * 1.6 + 5)
                service.assign_department(s, receipt, None, actor=staff, now=at)
    client.signed_in("admin")
    page = client.get("/console/dashboard")
    assert page.status_code == 200
    assert re.search(r"<dt>전체 민원</dt><dd>1000건</dd>", page.text)
