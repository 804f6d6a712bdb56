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
from sotong.db import get_engine, session_scope
from sotong.handoff import queue
from tests.browser.conftest import WebApp
from tests.browser.desk import new_page, sign_in
from tests.browser.test_chat_page import conversation, open_chat, say, user_texts

pytestmark = pytest.mark.e2e


RESIDENT_LINE = "서곶로 77 앞 가로등이 며칠째 꺼져 있어요"
OFFICER_LINE = "안녕하세요, 민원여권과 김서진이에요. 바로 확인해 볼게요."
LIVE_WITHIN_MS = 15_000  # the queue polls every 5 s, a conversation every 3 s, the widget's stream every 1 s


@pytest.fixture(scope="module")
def web_app(handoff_web_app) -> WebApp:
    return handoff_web_app


@pytest.fixture
def desk(chromium, web_app) -> Iterator[Any]:
    """The officer's browser: a second context, so nothing is shared with the resident's."""
    page = new_page(chromium, web_app.url, timeout_ms=30_000)
    yield page
    page.context.close()
    assert not page.errors, f"JavaScript or CSP errors on the console: {page.errors}"


def mark_loaded(desk: Any) -> None:
    """A flag on the window: still there later means the page was not reloaded meanwhile."""
    desk.evaluate("window.__notReloaded = true")


def not_reloaded(desk: Any) -> bool:
    return desk.evaluate("window.__notReloaded === true")


def test_an_officer_answers_a_handed_off_chat_from_the_console(page, desk, web_app, officer, shot, axe_check, figures):
    sign_in(desk, officer, at="/console/handoff")
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


def test_urgent_words_while_waiting_reach_the_resident_and_lead_the_live_queue(page, desk, web_app, officer):
    """Paused for an officer, the bot answers nothing, except urgent words
    (connectors/paused_urgent.py): the crisis lines in the widget at once, and the request
    jumps to the top of the officer's open queue with a 긴급 badge, without a reload."""
    from sotong.faq import load_catalogue
    from sotong.settings import load_settings

    crisis = " ".join(load_catalogue(load_settings().district_dir).topic("mental_health_center").answer.split())
    open_chat(page)
    assert "연결을 요청했어요" in say(page, "상담원 연결해 주세요")
    engine = get_engine(web_app.stack.env["DATABASE_URL"])
    with session_scope(engine) as s:
        request = queue.current(s, conversation(page.context))
    sign_in(desk, officer, at="/console/handoff")
    desk.wait_for_selector(f'#handoff-queue tr[data-id="{request.id}"]')
    mark_loaded(desk)

    said = " ".join(say(page, "너무 힘들어서 죽고 싶어요").split())
    assert crisis[:60] in said and "급한 요청으로 표시" in said, said
    assert web_app.stack.tracker(conversation(page.context))["paused"] is True  # still the officer's

    desk.wait_for_selector(f'#handoff-queue tr[data-id="{request.id}"] .badge.urgent', timeout=LIVE_WITHIN_MS)
    assert desk.locator("#handoff-queue tbody tr").first.get_attribute("data-id") == str(request.id)
    assert not_reloaded(desk)
    desk.click(f'#handoff-queue tr[data-id="{request.id}"] a')
    desk.wait_for_url(f"**/console/handoff/{request.id}")
    assert "긴급" in desk.inner_text("main")
    desk.get_by_role("button", name="이 상담 맡기").click()
    desk.wait_for_url(f"**/console/handoff/{request.id}?done=claim")
    desk.get_by_role("button", name="상담 끝내고 챗봇에게 돌려주기").click()
    desk.wait_for_url(f"**/console/handoff/{request.id}?done=close")
