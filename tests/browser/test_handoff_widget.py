"""Live handoff seen from the resident's web widget (390×844, real Chromium, real Rasa).

The resident asks for a person in office hours and gets the queued answer; an officer signs
in to the real console (over HTTP, like tests/e2e/test_handoff.py), claims the request and
writes; the line shows up in the open widget without a reload (the page's EventSource on
GET /api/me/handoff/events); the officer hands back and the bot greets the resident again.

The session's ``rasa_stack`` cannot take extra environment, and the action server must see
office hours whatever the day the suite runs: this module starts its own stack with
SOTONG_HANDOFF_NOW on a Tuesday morning and its own web app on it. ``web_app`` is overridden
here, so conftest's ``context``, ``page``, ``shot`` and ``axe_check`` work on this stack.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import sotong.handoff.models
import sotong.staff.models  # noqa: F401
from sotong.db import get_engine, session_scope
from sotong.handoff import queue
from tests.browser.conftest import WebApp
from tests.browser.test_chat_page import conversation, open_chat, say
from tests.web.console.conftest import ConsoleClient

pytestmark = pytest.mark.e2e

LINE = "안녕하세요, 민원여권과 김서진이에요"
LIVE_WITHIN_MS = 5_000  # the stream polls the database every second


@pytest.fixture(scope="module")
def web_app(handoff_web_app) -> WebApp:
    """As conftest's ``web_app``, on the handoff stack."""
    return handoff_web_app


def bot_texts(page: Any) -> list[str]:
    return page.locator("#chat-log .msg-bot").all_inner_texts()


def test_an_officers_line_reaches_the_open_widget_live(page, web_app, officer, shot, axe_check, figures):
    # The page subscribes to the officer stream (an EventSource) once its history is in.
    with page.expect_response(lambda r: "/api/me/handoff/events" in r.url) as stream:
        open_chat(page)
    assert stream.value.status == 200
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    asked = say(page, "상담원 연결해 주세요")
    assert "연결을 요청했어요" in asked, asked

    engine = get_engine(web_app.stack.env["DATABASE_URL"])
    with session_scope(engine) as s:
        request = queue.current(s, conversation(page.context))
    assert request is not None and request.state == "waiting" and not request.callback

    kim = ConsoleClient(web_app.url).signed_in(officer)
    assert f"/console/handoff/{request.id}" in kim.get("/console/handoff").text
    kim.get(f"/console/handoff/{request.id}")
    assert kim.post(f"/console/handoff/{request.id}/claim", {"csrf_token": kim.csrf}).status_code == 303
    kim.get(f"/console/handoff/{request.id}")

    before = len(bot_texts(page))
    written = time.monotonic()
    assert kim.post(f"/console/handoff/{request.id}/say", {"csrf_token": kim.csrf, "text": LINE}).status_code == 303
    page.wait_for_function(
        "([n, line]) => Array.from(document.querySelectorAll('#chat-log .msg-bot'))"
        ".slice(n).some(m => m.innerText.includes(line))",
        arg=[before, LINE],
        timeout=LIVE_WITHIN_MS,
    )
    figures["handoff_line_live_ms"] = round((time.monotonic() - written) * 1000)
    assert sum(LINE in t for t in bot_texts(page)) == 1  # shown once
    assert "[김서진] " + LINE in bot_texts(page)[-1]  # the officer's display name, not the login name
    shot(page, "handoff-widget")
    axe_check(page, "handoff-widget")

    assert kim.post(f"/console/handoff/{request.id}/close", {"csrf_token": kim.csrf}).status_code == 303
    assert web_app.stack.tracker(conversation(page.context))["paused"] is False
    greeted = say(page, "안녕하세요")
    assert "안녕하세요!" in greeted and "연결을 요청했어요" not in greeted, greeted
    with session_scope(engine) as s:
        assert queue.current(s, conversation(page.context)) is None
