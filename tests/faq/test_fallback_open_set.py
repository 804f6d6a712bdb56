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


def test_a_public_matter_with_no_department_to_name_gets_the_honest_not_yet_with_the_main_number(domain):
    """The NLU knows it is a public matter (ask_uncovered_matter) but nothing names who handles it:
    "그건 아직 제가 안내하지 못해요" with the main number and 120, not the small-talk refusal."""
    msgs = run("우주항공청 견학 신청", "ask_uncovered_matter", domain)
    assert msgs[0]["response"] == "utter_faq_unknown" and msgs[0]["main_phone"]
    assert 1 < len(msgs[0]["buttons"]) <= 4  # the menu: never a dead end
    assert msgs[-1]["response"] == "utter_fallback_human_hint"
    # with a department to name it is the same pointer as for any civic question
    assert run("강아지 동물등록 어디서 해요", "ask_uncovered_matter", domain)[0]["response"] == (
        "utter_faq_unknown_department"
    )


def test_a_refused_or_unsure_question_the_catalogue_is_sure_of_gets_the_topic_answer(domain):
    """The catalogue has a second say when the NLU refused a public matter or was unsure: a topic
    its selector is sure of is answered (no failed turn); small talk is not second-guessed."""
    for intent in ("ask_uncovered_matter", "nlu_fallback"):
        msgs = run("전입신고는 어떻게 해요", intent, domain)
        assert msgs[0]["response"].startswith("utter_faq_answer") and "전입" in msgs[0]["faq_answer"], intent
    assert not run("전입신고는 어떻게 해요", "out_of_scope", domain)[0]["response"].startswith("utter_faq_answer")
    # not sure: the honest answer, never the closest topic's
    assert not any(m["response"].startswith("utter_faq_answer") for m in run("우주항공청 견학", "nlu_fallback", domain))
