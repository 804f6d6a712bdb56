"""connectors/paused_urgent.py: which turns the channel answers itself (urgent words in a
conversation that was already paused), on real Rasa trackers."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.paused_urgent import has_urgent_words, ran_an_action


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("rest:someone", list(events))


def test_a_message_logged_while_paused_ran_nothing():
    paused = tracker(
        UserUttered("상담원 연결해 주세요"),
        ActionExecuted("action_request_human"),
        ConversationPaused(),
        UserUttered("너무 힘들어서 죽고 싶어요"),
    )
    assert paused.is_paused() and not ran_an_action(paused)


def test_a_message_that_asked_for_a_person_and_was_paused_just_now_was_answered():
    just_now = tracker(
        UserUttered("상담원 연결해 주세요 죽고 싶어요"), ActionExecuted("action_answer_faq"), ConversationPaused()
    )
    assert just_now.is_paused() and ran_an_action(just_now)


def test_listening_is_not_an_answer():
    assert not ran_an_action(tracker(ActionExecuted("action_listen"), UserUttered("죽고 싶어요")))
    assert not ran_an_action(tracker())


def test_urgent_words_are_the_district_directorys():
    assert has_urgent_words("너무힘들어서죽고싶어요") and has_urgent_words("집에 불났어요")
    assert not has_urgent_words("여권 언제 나와요") and not has_urgent_words("")
    assert not has_urgent_words("이중주차 때문에 차가 갇혔어요")  # objects share it: not urgent
