"""Linking KakaoTalk-side chat with the web page through the real servers.

A resident files a complaint in chat (the REST channel: "rest:<sender>", the same code
path as KakaoTalk's), asks "웹 연결" there, types the code on the web page (the real web
app on uvicorn, same database and secret as the stack) and the web resident then has
the complaint filed in chat. And the other way: a code made on the web, sent in chat.
"""

from __future__ import annotations

import re
import uuid

import pytest

from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from tests.e2e.stack import texts
from tests.web.conftest import serve
from tests.web.test_me import Browser, _app

pytestmark = pytest.mark.e2e
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")


@pytest.fixture
def web(rasa_stack, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", rasa_stack.env["DATABASE_URL"])
    monkeypatch.setenv("SOTONG_SESSION_SECRET", rasa_stack.session_secret)
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with serve(_app()) as base:
        yield base


def _web_complaints(browser: Browser) -> list[str]:
    key = ResidentKey("web", browser.open().split(":", 1)[1])
    with session_scope() as s:
        return [c.receipt_no for c in service.list_for_resident(s, key)]


def test_a_code_from_chat_typed_on_the_web_shows_the_chat_complaint(rasa_stack, web):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    rasa_stack.say(me, "청라역 앞에 흰색 승용차가 이틀째 불법주차 돼 있어요 신고해 주세요")
    receipt = RECEIPT.search(texts(rasa_stack.say(me, "네"))).group(1)
    answer = texts(rasa_stack.say(me, "웹 연결"))
    assert "내 정보" in answer and "10분" in answer, answer
    code = CODE.search(answer).group(1)

    browser = Browser(web)
    browser.open()
    assert _web_complaints(browser) == []
    assert browser.ok(browser.post("/api/me/link", {"code": code}))["linked"] is True
    assert _web_complaints(browser) == [receipt]
    # The code is spent: a second device cannot reuse it.
    other = Browser(web)
    other.open()
    assert other.post("/api/me/link", {"code": code}).status_code == 400


def test_a_code_from_the_web_sent_in_chat_links_both_ways(rasa_stack, web):
    browser = Browser(web)
    browser.open()
    code = browser.ok(browser.post("/api/me/link-code"))["code"]
    me = f"resident-{uuid.uuid4().hex[:8]}"
    assert "맞지 않거나" in texts(rasa_stack.say(me, f"연결 코드 {(int(code) + 1) % 10**6:06d}"))
    assert "연결됐어요" in texts(rasa_stack.say(me, f"연결 코드 {code}"))
    channels = {c["channel"] for c in browser.ok(browser.get("/api/me"))["channels"]}
    assert channels == {"web", "rest"}
    assert "맞지 않거나" in texts(rasa_stack.say(f"x-{me}", f"연결 코드 {code}"))  # used once
