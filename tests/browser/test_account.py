"""내 정보 in a real headless Chromium at 390×844: this device, linking with the chat by a
one-time code, and signing out — against the real Rasa stack (REST stands in for
KakaoTalk: same actions, "rest:<sender>" conversation ids).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from devkit.stack import texts

pytestmark = pytest.mark.e2e
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")


def open_account(page: Any) -> None:
    page.goto("/")
    page.click("#tab-account")
    page.wait_for_selector("#panel-account:not([hidden])")
    page.locator("#account-device").filter(has_text="사용 중").wait_for()


def test_this_device_and_a_code_to_type_in_kakaotalk(page, shot, axe_check):
    open_account(page)
    panel = page.locator("#panel-account")
    assert "이 기기에서 로그인됨" in panel.inner_text()
    assert page.locator("#account-channels").inner_text() == "웹 페이지"
    page.click("#account-make-code")
    page.wait_for_selector("#account-code:not([hidden])")
    assert re.fullmatch(r"\d{3} \d{3}", page.locator("#account-code").inner_text())
    assert "연결 코드" in page.locator("#account-code-help").inner_text()
    shot(page, "account-code")
    axe_check(page, "account")


def test_a_code_from_the_chat_links_and_brings_the_chat_complaint(page, rasa_stack, shot):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    rasa_stack.say(me, "청라역 앞에 흰색 승용차가 이틀째 불법주차 돼 있어요 신고해 주세요")
    receipt = RECEIPT.search(texts(rasa_stack.say(me, "네"))).group(1)
    code = CODE.search(texts(rasa_stack.say(me, "웹 연결"))).group(1)
    open_account(page)
    page.fill("#account-link-code", "12")
    page.click("#account-link-submit")
    page.locator("#account-link-status").filter(has_text="6자리").wait_for()
    page.fill("#account-link-code", code)
    page.click("#account-link-submit")
    page.locator("#account-link-status").filter(has_text="연결됐어요").wait_for()
    page.locator("#account-channels").filter(has_text="채팅").wait_for()
    shot(page, "account-linked")
    mine = page.request.get("/api/me/complaints")
    if mine.status != 404:  # the 내 민원 API (web/my_complaints.py) when the app includes it
        assert receipt in mine.text()


def test_sign_out_revokes_this_device(page, shot):
    open_account(page)
    page.click("#account-signout")
    page.click("#account-signout-yes")
    page.wait_for_selector("#account-signed-out:not([hidden])")
    assert "로그아웃됐어요" in page.locator("#account-signed-out-text").inner_text()
    assert page.locator("#account-device-title").inner_text() == "이 기기에서 로그아웃됨"
    assert not page.locator("#account-link-section").is_visible()
    shot(page, "account-signed-out")
    assert page.request.get("/api/me").status == 401
    page.click("#account-restart")  # a new device: the page works again
    open_account(page)
    assert page.request.get("/api/me").status == 200
