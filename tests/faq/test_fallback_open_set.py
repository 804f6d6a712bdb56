"""action_fallback_menu (out_of_scope / low confidence): a 구청 matter the bot does not cover gets
the honest answer with a department; small talk keeps the closest services, as before."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallbackMenu
from tests.actions.conftest import make_tracker


def run(text, intent, domain):
    d = CollectingDispatcher()
    ActionFallbackMenu().answer(d, make_tracker(text, intent), domain)
    return d.messages


def test_uncovered_civic_question_gets_department_and_topics_not_an_answer(domain):
    msgs = run("재산세 분할납부 신청서 양식", "out_of_scope", domain)
    first = msgs[0]
    assert first["response"] == "utter_faq_unknown_department"
    assert first["faq_department"] and first["faq_phone"] and first["main_phone"]
    buttons = [b for m in msgs for b in m.get("buttons") or []]  # the sample notice may come last
    assert 1 <= len(buttons) <= 3 and all(b["payload"].startswith('/faq{"faq_topic": ') for b in buttons)
    assert not any(m["response"].startswith("utter_faq_answer") for m in msgs)


def test_small_talk_keeps_the_menu_answer(domain):
    msgs = run("오늘 날씨 어때", "out_of_scope", domain)
    assert msgs[0]["response"] == "utter_out_of_scope"
    assert 1 < len(msgs[0]["buttons"]) <= 4
    assert msgs[-1]["response"] == "utter_fallback_human_hint"
