"""내 계정 in headless Chromium: an officer on the desk sees both their browsers, changes the
password there, and the phone is signed out while the desk stays in; the page passes axe-core
under its real CSP. The console runs in-process on the seeded database (tests/browser/
test_console.py's ``console``), no Rasa needed."""

from __future__ import annotations

from tests.browser.conftest import VIEWPORT
from tests.browser.desk import new_page, sign_in
from tests.browser.test_console import console  # noqa: F401  (a fixture)
from tests.web.console.conftest import PASSWORD

NEW = "a brand new passphrase"


def test_changing_my_password_signs_out_my_other_browser(chromium, console, axe_check, shot):  # noqa: F811
    desk, phone = new_page(chromium, console), new_page(chromium, console, viewport=VIEWPORT)
    sign_in(desk)
    sign_in(phone)
    desk.get_by_role("link", name="내 계정").click()
    desk.wait_for_url("**/console/me")
    assert desk.locator("table tbody tr").count() == 2 and "(이 브라우저)" in desk.inner_text("table")
    axe_check(desk, "console-me")
    shot(desk, "console-me")

    desk.get_by_label("지금 비밀번호").fill(PASSWORD)
    desk.get_by_label("새 비밀번호 (12자 이상)").fill(NEW)
    desk.get_by_label("새 비밀번호 한 번 더").fill(NEW)
    desk.get_by_role("button", name="비밀번호 바꾸기").click()
    desk.wait_for_url("**/console/me?done=password*")
    assert "다른 기기의 로그인은 모두 끝났어요" in desk.inner_text("main")
    assert desk.locator("table tbody tr").count() == 1

    phone.goto("/console/complaints")
    assert "/console/login" in phone.url  # signed out
    phone.get_by_label("아이디").fill("kim")
    phone.get_by_label("비밀번호").fill(NEW)
    phone.get_by_role("button", name="로그인").click()
    phone.wait_for_url("**/console/complaints")
    assert desk.errors == [] and phone.errors == []
