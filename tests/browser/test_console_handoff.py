"""A handed-off chat answered from the console, both sides in real Chromium on the real stack.

A resident (phone-sized context) opens the web widget; an officer (desk-sized context, a
second browser context: other cookies, another person) signs in to the console and waits
on 상담 연결. The resident asks for a person in office hours; the request appears in the
officer's queue without a reload (handoff-live.js polling /console/handoff/feed). The
officer opens it and claims it (the bot pauses); the resident writes, and the line appears
on the officer's page without a reload; the officer answers in the form, and the line
reaches the resident's open widget live (EventSource). The officer hands back, and the bot
answers the resident again.

Like tests/browser/test_handoff_widget.py this module starts its own stack with
SOTONG_HANDOFF_NOW on a Tuesday morning (the action server must see office hours whatever
day the suite runs) and overrides ``web_app``, so conftest's ``page``, ``shot`` and
``axe_check`` work on it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import sotong.handoff.models
import sotong.staff.models  # noqa: F401
from sotong.db import dispose_engine, get_engine, session_scope
from sotong.handoff import queue
from sotong.staff import accounts
from tests.browser.conftest import WebApp, serving_web_app
from tests.browser.test_chat_page import conversation, open_chat, say, user_texts
from tests.e2e.stack import RasaStack

pytestmark = pytest.mark.e2e

TUESDAY_MORNING = "2026-12-01T10:00:00"
PASSWORD = "correct horse battery"
DESK = {"width": 1280, "height": 900}
RESIDENT_LINE = "서곶로 77 앞 가로등이 며칠째 꺼져 있어요"
OFFICER_LINE = "안녕하세요, 민원여권과 김서진이에요. 바로 확인해 볼게요."
LIVE_WITHIN_MS = 15_000  # the queue polls every 5 s, a conversation every 3 s, the widget's stream every 1 s


@pytest.fixture(scope="module")
def handoff_stack(browser_ready, tmp_path_factory) -> Iterator[RasaStack]:
    stack = RasaStack(tmp_path_factory.mktemp("console-handoff"), extra_env={"SOTONG_HANDOFF_NOW": TUESDAY_MORNING})
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def web_app(handoff_stack) -> Iterator[WebApp]:
    with serving_web_app(handoff_stack) as app:
        yield app


@pytest.fixture(scope="module")
def officer(handoff_stack) -> Iterator[str]:
    url = handoff_stack.env["DATABASE_URL"]
    with session_scope(get_engine(url)) as s:
        accounts.create_account(s, "kim-seojin", PASSWORD, role="officer", department="civil", display_name="김서진")
    yield "kim-seojin"
    dispose_engine(url)


@pytest.fixture
def desk(chromium, web_app) -> Iterator[Any]:
    """The officer's browser: a second context, so nothing is shared with the resident's."""
    ctx = chromium.new_context(viewport=DESK, locale="ko-KR", base_url=web_app.url)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    ctx.close()
    assert not problems, f"JavaScript or CSP errors on the console: {problems}"


def sign_in(desk: Any, username: str) -> None:
    desk.goto("/console/handoff")
    assert "/console/login" in desk.url
    desk.get_by_label("아이디").fill(username)
    desk.get_by_label("비밀번호").fill(PASSWORD)
    desk.get_by_role("button", name="로그인").click()
    desk.wait_for_url("**/console/handoff")


def mark_loaded(desk: Any) -> None:
    """A flag on the window: still there later means the page was not reloaded meanwhile."""
    desk.evaluate("window.__notReloaded = true")


def not_reloaded(desk: Any) -> bool:
    return desk.evaluate("window.__notReloaded === true")


def test_an_officer_answers_a_handed_off_chat_from_the_console(page, desk, web_app, officer, shot, axe_check, figures):
    sign_in(desk, officer)
    assert "기다리는 요청이 없어요" in desk.inner_text("#handoff-queue")
    mark_loaded(desk)

    # The resident asks for a person; the widget subscribes to the officer stream once loaded.
    with page.expect_response(lambda r: "/api/me/handoff/events" in r.url):
        open_chat(page)
    asked = say(page, "상담원 연결해 주세요")
    assert "연결을 요청했어요" in asked, asked
    engine = get_engine(web_app.stack.env["DATABASE_URL"])
    with session_scope(engine) as s:
        request = queue.current(s, conversation(page.context))
    assert request is not None and request.state == "waiting"

    # It appears in the officer's open queue without a reload.
    started = time.monotonic()
    desk.wait_for_selector(f'#handoff-queue tr[data-id="{request.id}"]', timeout=LIVE_WITHIN_MS)
    figures["console_queue_live_ms"] = round((time.monotonic() - started) * 1000)
    assert not_reloaded(desk)
    shot(desk, "console-handoff-queue")
    axe_check(desk, "console-handoff-queue")

    desk.click(f'#handoff-queue tr[data-id="{request.id}"] a')
    desk.wait_for_url(f"**/console/handoff/{request.id}")
    desk.get_by_role("button", name="이 상담 맡기").click()
    desk.wait_for_url(f"**/console/handoff/{request.id}?done=claim")
    assert web_app.stack.tracker(conversation(page.context))["paused"] is True
    mark_loaded(desk)

    # The resident writes while the bot is paused: nothing answers, but the officer sees it live.
    with page.expect_response(lambda r: "/api/chat/message" in r.url and r.request.method == "POST"):
        page.fill("#chat-input", RESIDENT_LINE)
        page.press("#chat-input", "Enter")
    assert RESIDENT_LINE in user_texts(page)
    started = time.monotonic()
    desk.wait_for_function(
        "line => document.getElementById('transcript').innerText.includes(line)",
        arg=RESIDENT_LINE,
        timeout=LIVE_WITHIN_MS,
    )
    figures["console_conversation_live_ms"] = round((time.monotonic() - started) * 1000)
    assert not_reloaded(desk)

    # The officer answers in the form; the resident's open widget shows it live, once.
    before = page.locator("#chat-log .msg-bot").count()
    desk.get_by_label("주민에게 보낼 말").fill(OFFICER_LINE)
    desk.get_by_role("button", name="보내기").click()
    desk.wait_for_url(f"**/console/handoff/{request.id}?done=say")
    page.wait_for_function(
        "([n, line]) => Array.from(document.querySelectorAll('#chat-log .msg-bot'))"
        ".slice(n).some(m => m.innerText.includes(line))",
        arg=[before, OFFICER_LINE],
        timeout=LIVE_WITHIN_MS,
    )
    bot_lines = page.locator("#chat-log .msg-bot").all_inner_texts()
    assert sum(OFFICER_LINE in t for t in bot_lines) == 1 and "[김서진] " + OFFICER_LINE in bot_lines[-1]
    shot(desk, "console-handoff-conversation")
    shot(page, "console-handoff-resident")
    axe_check(desk, "console-handoff-conversation")

    # Hand back: the bot answers the resident again.
    desk.get_by_role("button", name="상담 끝내고 챗봇에게 돌려주기").click()
    desk.wait_for_url(f"**/console/handoff/{request.id}?done=close")
    assert web_app.stack.tracker(conversation(page.context))["paused"] is False
    greeted = say(page, "안녕하세요")
    assert "안녕하세요!" in greeted and "연결을 요청했어요" not in greeted, greeted
    with session_scope(engine) as s:
        assert queue.current(s, conversation(page.context)) is None
