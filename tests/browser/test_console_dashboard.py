"""The dashboard in headless Chromium: an admin signs in, opens 민원 현황 from the menu,
the page passes axe-core under its real CSP (no CSP report, no script), the SVG charts
are drawn, and on a phone nothing scrolls sideways. Screenshot:
results/browser/console-dashboard.png (desk, whole page) and console-dashboard-phone.png.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from tests.browser.conftest import RESULTS, VIEWPORT
from tests.browser.desk import new_page, sign_in
from tests.browser.test_console import console  # noqa: F401  (a fixture)

KST = timezone(timedelta(hours=9))
STAFF = service.Actor.staff("admin")


def some_complaints(engine) -> str:
    """Seven weeks of complaints: a third completed a day later, a third assigned and left
    open, a third just received. Returns the oldest open one (overdue by now)."""
    start = datetime.now(KST) - timedelta(weeks=7)
    categories = ("illegal_dumping", "illegal_parking", "streetlight", "noise", "missed_pickup")
    receipts = []
    for i in range(24):
        at = start + timedelta(hours=i * 47)
        with session_scope(engine) as s:
            filed = service.file_complaint(
                s,
                ResidentKey("web", "device-" + uuid.uuid4().hex[:8]),
                category=categories[i % len(categories)],
                address="인천 서구 청라동 1-1",
                description="현황 화면 확인용 민원이에요",
                idempotency_key=uuid.uuid4().hex,
                now=at,
            )
            receipt = filed.complaint.receipt_no
            receipts.append(receipt)
            if i % 3 != 2:
                service.assign_department(s, receipt, None, actor=STAFF, now=at + timedelta(hours=1))
            if i % 3 == 0:
                officer = {"cleaning": "cleaning-kim", "traffic": "traffic-park", "roads": "roads-choi"}
                view = service.get_complaint(s, receipt)
                code = officer.get(view.department_code or "")
                if code:
                    service.assign_officer(s, receipt, code, actor=STAFF, now=at + timedelta(hours=2))
                    for n, status in enumerate(("on_site_check", "under_review", "completed")):
                        service.advance(s, receipt, status, actor=STAFF, now=at + timedelta(hours=10 + n * 8))
    return receipts[1]


def test_an_admin_opens_the_dashboard(chromium, console, core_db, axe_check, figures):  # noqa: F811
    overdue = some_complaints(core_db)
    page = new_page(chromium, console)
    sign_in(page, "admin")
    page.get_by_role("link", name="민원 현황").click()
    page.wait_for_url("**/console/dashboard")
    assert page.get_by_role("heading", name="민원 현황").is_visible()
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart rect").count() > 8
    assert page.get_by_role("table", name="주별 접수·처리 완료 (월요일부터, 한국 시간)").is_visible()
    assert page.get_by_role("img", name="최근 8주 주별 접수와 처리 완료 건수 막대그래프").count() == 1
    axe_check(page, "console-dashboard")
    page.screenshot(path=str(RESULTS / "console-dashboard.png"), full_page=True)
    page.get_by_role("link", name=overdue).click()
    page.wait_for_url(f"**/console/complaints/{overdue}")
    assert page.errors == []

    phone = new_page(chromium, console, viewport=VIEWPORT)
    sign_in(phone, "kim")
    phone.goto("/console/dashboard")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
    axe_check(phone, "console-dashboard-phone")
    phone.screenshot(path=str(RESULTS / "console-dashboard-phone.png"), full_page=True)
    assert phone.errors == []
    figures["console_dashboard_charts"] = 4
