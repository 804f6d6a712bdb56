"""The resident page's chat in a real headless Chromium at 390×844, against real Rasa.

A new browser context is a new phone: a new device cookie, so a new resident. Each test
saves screenshots under results/browser/ (what a reviewer looks at) and the figures
(page weight, time to the first answer) go to results/browser/figures.json.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")
ANSWER_TIMEOUT = 60_000  # ms: the first turn of a fresh stack loads the model's graph


def open_chat(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector("#chat[data-ready='true']")


def conversation(context: Any) -> str:
    """The Rasa conversation of this browser's device: "web:<public key>" (the HttpOnly cookie's first part)."""
    (device,) = [c for c in context.cookies() if c["name"] == "sotong_device"]
    return "web:" + device["value"].split(".", 1)[0]


def bot_count(page: Any) -> int:
    return page.locator("#chat-log .msg-bot").count()


def wait_answer(page: Any, before: int) -> str:
    """The text of the bot messages that arrived after the first ``before`` ones."""
    page.wait_for_function(
        "n => document.querySelectorAll('#chat-log .msg-bot').length > n"
        " && document.getElementById('chat-typing').hidden",
        arg=before,
        timeout=ANSWER_TIMEOUT,
    )
    return "\n".join(page.locator("#chat-log .msg-bot").all_inner_texts()[before:])


def say(page: Any, text: str) -> str:
    before = bot_count(page)
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    return wait_answer(page, before)


def user_texts(page: Any) -> list[str]:
    return page.locator("#chat-log .msg-user .bubble-user").all_inner_texts()


def test_a_waste_bag_question_is_answered_and_the_page_is_light(page, shot, figures, axe_check):
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/")
    page.wait_for_selector("#chat[data-ready='true']")
    page.wait_for_load_state("networkidle")
    weight = 0
    for response in responses:
        # The live-updates stream (SSE) never finishes, and sizes() waits for the end of a body.
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            continue
        sizes = response.request.sizes()
        weight += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    figures["page_weight_kb"] = round(weight / 1024, 1)
    figures["page_requests"] = len(responses)
    assert all(r.url.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]) for r in responses), [
        r.url for r in responses
    ]  # nothing from another origin
    shot(page, "01-chat-empty")
    axe_check(page, "chat-empty")

    started = time.monotonic()
    answer = say(page, "청라동 쓰레기봉투 어디서 사요")
    figures["first_reply_ms"] = round((time.monotonic() - started) * 1000)
    assert "청라동 근처 종량제봉투 판매처" in answer
    assert user_texts(page) == ["청라동 쓰레기봉투 어디서 사요"]
    shot(page, "02-chat-waste-bags")
    axe_check(page, "chat-answer")

    # The smallest phone and a desktop: nothing scrolls sideways, the composer stays on screen.
    for width, height, name in ((360, 740, "09-width-360"), (1280, 800, "10-desktop")):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert page.locator("#chat-send").is_visible() and page.locator("#chat-input").is_visible()
        shot(page, name)


def test_a_dumping_report_is_filed_with_quick_replies_and_shows_the_typing_indicator(page, shot, web_app, axe_check):
    open_chat(page)
    # Record every time the typing indicator is shown (it may be brief on a fast machine).
    page.evaluate(
        """() => {
            window.__typingShown = 0;
            const typing = document.getElementById('chat-typing');
            new MutationObserver(() => { if (!typing.hidden) window.__typingShown++; })
                .observe(typing, {attributes: true, attributeFilter: ['hidden']});
        }"""
    )
    before = bot_count(page)
    chip = page.get_by_role("button", name="무단투기 신고")  # a suggestion chip, pressed from the keyboard
    chip.focus()
    page.keyboard.press("Enter")
    assert "어디인가요" in wait_answer(page, before)
    assert page.evaluate("() => document.activeElement.id") == "chat-log"  # focus is not lost with the chip
    assert page.evaluate("() => window.__typingShown") >= 1
    assert "어떤 상황인가요" in say(page, "서곶로 123 앞이에요")
    summary = say(page, "쓰레기봉투가 일주일째 쌓여서 냄새가 나요")
    assert "이대로 접수할까요" in summary and "서곶로 123 앞" in summary
    shot(page, "03-report-confirm")
    axe_check(page, "report-confirm")  # quick replies on screen

    before = bot_count(page)
    page.get_by_role("button", name="네, 접수해 주세요").click()
    filed = wait_answer(page, before)
    assert "민원이 접수됐어요" in filed
    # The tap shows the button's words, and the old choices are gone.
    assert user_texts(page)[-1] == "네, 접수해 주세요"
    assert page.get_by_role("button", name="주소 고치기").count() == 0
    # Only the log scrolls (hidden labels inside it once made the whole page scroll), and at its
    # end the last answer and its choices sit clear of the floating quick-menu button.
    page.wait_for_function(
        "() => { const l = document.getElementById('chat-log'); return l.scrollTop + l.clientHeight >= l.scrollHeight - 1; }"
    )
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate(
        """() => { const fab = document.getElementById('quick-menu-button').getBoundingClientRect();
                   const last = document.querySelector('#chat-log > :last-child').getBoundingClientRect();
                   return last.bottom <= fab.top; }"""
    )
    shot(page, "04-report-filed")
    receipt = RECEIPT.search(filed).group(1)
    assert web_app.sotong("complaints", "list").count(receipt) == 1


def test_the_conversation_is_back_after_a_reload_and_a_browser_restart(
    chromium, context, page, shot, web_app, axe_check
):
    open_chat(page)
    assert "청라동 근처 종량제봉투 판매처" in say(page, "청라동 쓰레기봉투 어디서 사요")
    page.reload()
    page.wait_for_selector("#chat[data-ready='true']")
    assert user_texts(page) == ["청라동 쓰레기봉투 어디서 사요"]
    assert "청라동 근처 종량제봉투 판매처" in "\n".join(page.locator("#chat-log .msg-bot").all_inner_texts())
    shot(page, "05-history-after-reload")
    axe_check(page, "history")

    # A browser restart: a new browser context with the same (persistent) cookies.
    state = context.storage_state()
    again = chromium.new_context(viewport=page.viewport_size, locale="ko-KR", base_url=web_app.url, storage_state=state)
    try:
        second = again.new_page()
        open_chat(second)
        assert user_texts(second) == ["청라동 쓰레기봉투 어디서 사요"]
    finally:
        again.close()
    # Another phone is another resident: it sees none of it.
    stranger = chromium.new_context(viewport=page.viewport_size, locale="ko-KR", base_url=web_app.url)
    try:
        theirs = stranger.new_page()
        open_chat(theirs)
        assert user_texts(theirs) == []
    finally:
        stranger.close()


def _posts(page: Any) -> list[str]:
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data or "")
            if request.url.endswith("/api/chat/message") and request.method == "POST"
            else None
        ),
    )
    return sent


@pytest.mark.parametrize("how", ["enter", "send-button"])
def test_korean_ime_enter_mid_syllable_sends_the_whole_sentence_once(context, page, shot, how):
    open_chat(page)
    sent = _posts(page)
    page.focus("#chat-input")
    cdp = context.new_cdp_session(page)
    cdp.send("Input.insertText", {"text": "청라동 쓰레기봉투 어디서 사"})
    # The last syllable is still being composed: ㅇ → 요, not committed yet.
    cdp.send("Input.imeSetComposition", {"text": "ㅇ", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.imeSetComposition", {"text": "요", "selectionStart": 1, "selectionEnd": 1})
    before = bot_count(page)
    if how == "enter":
        page.keyboard.press("Enter")
    else:
        page.click("#chat-send")
    answer = wait_answer(page, before)
    page.wait_for_timeout(1500)  # a second send, if any, would have happened by now
    assert user_texts(page) == ["청라동 쓰레기봉투 어디서 사요"]
    assert len(sent) == 1 and "청라동 쓰레기봉투 어디서 사요" in sent[0]
    assert page.input_value("#chat-input") == ""
    assert "청라동 근처 종량제봉투 판매처" in answer
    shot(page, f"06-ime-{how}")


def test_a_message_sent_while_offline_goes_once_when_the_network_is_back(context, page, shot, web_app):
    open_chat(page)
    sent = _posts(page)
    context.set_offline(True)
    page.fill("#chat-input", "여권 발급 필요서류")
    page.press("#chat-input", "Enter")
    page.wait_for_selector("#chat-log .msg-user .msg-note:not(:empty)")
    shot(page, "07-offline-retrying")
    before = bot_count(page)
    context.set_offline(False)
    answer = wait_answer(page, before)
    assert "여권" in answer
    page.wait_for_timeout(1000)
    assert user_texts(page) == ["여권 발급 필요서류"]
    assert page.locator("#chat-log .msg-failed").count() == 0
    # Every attempt carried the same message id, and Rasa heard the message once.
    ids = {body.split('"message_id":"')[1].split('"')[0] for body in sent}
    assert len(ids) == 1
    said = [e for e in web_app.stack.tracker(conversation(context))["events"] if e.get("event") == "user"]
    assert [e["text"] for e in said] == ["여권 발급 필요서류"]
    shot(page, "08-offline-delivered")


def test_a_card_answer_is_drawn_with_its_link_and_call_buttons(page, shot, axe_check):
    open_chat(page)
    answer = say(page, "구청 채용 공고")
    assert "일자리" in answer or "채용" in answer
    card = page.locator("#chat-log .msg-bot .card").last
    card.wait_for()
    link = card.locator("a.link-button[href^='http']").first
    assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
    assert card.locator("a.link-button[href^='tel:']").count() == 1
    shot(page, "11-card")
    axe_check(page, "card")
