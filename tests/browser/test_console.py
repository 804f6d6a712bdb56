"""The staff console in headless Chromium: an officer signs in, finds a resident's report
in the queue and moves it on; a stale second tab gets the conflict message. Pages are
checked with axe-core and under their real Content-Security-Policy.

No Rasa here: the console needs only the web app and the database, so the app runs
in-process under uvicorn (tests/web/conftest.serve) on a seeded database (SQLite and
PostgreSQL, from tests/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import sotong.staff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.staff import accounts
from tests.browser.conftest import VIEWPORT
from tests.browser.desk import new_page, sign_in
from tests.web.conftest import serve
from tests.web.console.conftest import PASSWORD


@pytest.fixture
def console(core_db, monkeypatch) -> Iterator[str]:
    from web.app import create_app
    from web.console import install

    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    with session_scope(core_db) as s:
        accounts.create_account(s, "kim", PASSWORD, role="officer", department="cleaning", officer="cleaning-kim")
        accounts.create_account(s, "admin", PASSWORD, role="admin")
    app = create_app()
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        install(app)
    with serve(app) as base:
        yield base


@pytest.fixture
def receipt(core_db) -> str:
    with session_scope(core_db) as s:
        filed = service.file_complaint(
            s,
            ResidentKey("web", "device-" + uuid.uuid4().hex[:8]),
            category="illegal_dumping",
            address="인천 서구 청라동 1-1 앞",
            description="대형 소파가 일주일째 버려져 있어요",
            idempotency_key=uuid.uuid4().hex,
        )
    return filed.complaint.receipt_no


def stages(engine, receipt: str) -> list[str]:
    with session_scope(engine) as s:
        return [n.stage for n in service.list_notifications(s, receipt_no=receipt)]


def test_an_officer_signs_in_and_moves_a_complaint_on(chromium, console, receipt, core_db, axe_check, shot, figures):
    page = new_page(chromium, console)
    page.goto("/console/login")
    axe_check(page, "console-login")
    sign_in(page)
    assert page.get_by_role("heading", name="민원 목록").is_visible()
    axe_check(page, "console-queue")
    page.get_by_role("link", name=receipt).click()
    page.wait_for_url(f"**/console/complaints/{receipt}")
    assert page.get_by_text("대형 소파가 일주일째 버려져 있어요").is_visible()
    axe_check(page, "console-complaint")

    page.get_by_role("button", name="부서 배정하기").click()
    page.wait_for_url("**?done=assign_department")
    page.get_by_label("담당자", exact=True).select_option("cleaning-kim")
    page.get_by_role("button", name="담당자 지정하기").click()
    page.wait_for_url("**?done=assign_officer")
    page.get_by_label("단계", exact=True).select_option("on_site_check")
    page.get_by_label("주민에게 전할 메모 (선택)").fill("오늘 오후에 현장에 가 볼게요")
    page.get_by_role("button", name="단계 바꾸기").click()
    page.wait_for_url("**?done=advance")
    assert page.get_by_role("status").inner_text().startswith("처리했어요")
    assert page.locator("h1 .status").inner_text() == "현장 확인 중"
    assert page.get_by_role("cell", name="오늘 오후에 현장에 가 볼게요").is_visible()
    axe_check(page, "console-complaint-on-site")
    shot(page, "console-complaint")
    assert stages(core_db, receipt) == ["received", "assigned", "officer_assigned", "on_site_check"]
    assert page.errors == []
    figures["console_actions_in_browser"] = 3


def test_a_stale_tab_gets_the_conflict_message(chromium, console, receipt, core_db):
    first = new_page(chromium, console)
    sign_in(first)
    second = first.context.new_page()  # the same officer, a second tab on the same page
    first.goto(f"/console/complaints/{receipt}")
    second.goto(f"/console/complaints/{receipt}")
    first.get_by_role("button", name="부서 배정하기").click()
    first.wait_for_url("**?done=assign_department")
    second.get_by_role("button", name="부서 배정하기").click()
    alert = second.get_by_role("alert")
    assert "다른 직원이 먼저 이 민원을 바꿨어요" in alert.inner_text()
    assert "부서 배정" in alert.inner_text()
    assert stages(core_db, receipt) == ["received", "assigned"]


def test_log_out_everywhere_on_a_phone_signs_the_desk_out(chromium, console):
    desk = new_page(chromium, console)
    sign_in(desk)
    phone = new_page(chromium, console, viewport=VIEWPORT)
    sign_in(phone)
    phone.get_by_role("button", name="모든 기기에서 로그아웃").click()
    phone.wait_for_url("**/console/login?bye=all")
    assert "모든 기기에서 로그아웃했어요" in phone.get_by_role("status").inner_text()
    desk.reload()
    assert "/console/login" in desk.url


def test_an_admin_makes_an_officer_account_who_then_signs_in(chromium, console, axe_check):
    admin = new_page(chromium, console)
    sign_in(admin, "admin")
    admin.get_by_role("link", name="계정 관리").click()
    admin.wait_for_url("**/console/accounts")
    axe_check(admin, "console-accounts")
    admin.get_by_label("아이디 (영문 소문자)").fill("choi")
    admin.get_by_label("이름").fill("최민준")
    admin.get_by_label("역할").select_option("officer")
    admin.get_by_label("부서").select_option("roads")
    admin.get_by_label("주민에게 안내할 담당자 (선택)").select_option("roads-choi")
    admin.get_by_label("처음 비밀번호 (12자 이상)").fill("roads officer first pw")
    admin.get_by_role("button", name="계정 만들기").click()
    admin.wait_for_url("**/console/accounts?done=created")
    assert admin.get_by_role("row", name="choi").is_visible()
    admin.get_by_role("link", name="감사 기록").click()
    axe_check(admin, "console-audit")
    officer = new_page(chromium, console)
    sign_in(officer, "choi", "roads officer first pw")
    assert "건설과" in officer.locator(".console-user").inner_text()
