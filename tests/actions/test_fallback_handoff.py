"""The second civic question in a row the fallback cannot answer hands the resident over,
read from the tracker's events: queued and paused in office hours, a callback ticket
outside them. Small talk, a new session or an earlier handoff break the run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from actions.fallback import ActionFallbackMenu, previous_failures
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.office_hours import KST
from tests.actions.conftest import domain, responses  # noqa: F401  (fixture)

CIVIC = "재산세 분할납부 신청서 양식"  # a 구청 matter the FAQ catalogue does not cover
OFFICE_HOURS = datetime(2026, 12, 1, 10, tzinfo=KST)  # a Tuesday
EVENING = datetime(2026, 12, 1, 20, tzinfo=KST)


def turn(text: str, action: str, *said: str) -> list[dict[str, Any]]:
    """The events Rasa logs for one resident message answered by ``action``."""
    return [
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "user_featurization", "use_text_for_featurization": False},
        {"event": "action", "name": action},
        *({"event": "bot", "text": "…", "metadata": {"utter_action": u}} for u in said),
        {"event": "action", "name": "action_listen"},
    ]


def failed(text: str = "자동차세 연납 신청 기한") -> list[dict[str, Any]]:
    return turn(text, "action_fallback_menu", "utter_faq_unknown_department", "utter_faq_did_you_mean")


def small_talk() -> list[dict[str, Any]]:
    return turn("오늘 날씨 어때", "action_fallback_menu", "utter_out_of_scope", "utter_fallback_human_hint")


def tracker(history: list[dict[str, Any]], text: str = CIVIC, intent: str = "out_of_scope", sender: str = "web:r1"):
    now = {"event": "user", "text": text, "parse_data": {}}
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [], "intent_ranking": []}
    return Tracker(sender, {}, latest, [*history, now], False, None, {}, "action_listen")


def run(t: Tracker, dom, now: datetime = OFFICE_HOURS):
    d = CollectingDispatcher()
    return d, ActionFallbackMenu(lambda: now).run_blocking(d, t, dom)


def test_counting_reads_only_consecutive_failed_civic_turns():
    assert previous_failures([]) == 0
    assert previous_failures([*failed(), {"event": "user", "text": CIVIC}]) == 1
    assert previous_failures([*failed(), *failed(), {"event": "user"}]) == 2
    # a chit-chat answer, an FAQ answer or a new session in between starts again
    assert previous_failures([*failed(), *small_talk(), {"event": "user"}]) == 0
    assert (
        previous_failures([*failed(), *turn("여권", "action_answer_faq", "utter_faq_answer"), {"event": "user"}]) == 0
    )
    assert previous_failures([*failed(), {"event": "session_started"}, {"event": "user"}]) == 0
    # the turn that already handed over does not count towards the next one
    handed = turn(CIVIC, "action_fallback_menu", "utter_faq_unknown", "utter_handoff_after_failures")
    assert previous_failures([*handed, {"event": "user"}]) == 0
    # the same response from another action (the FAQ's own "don't know") is not the fallback
    assert previous_failures([*turn("x", "action_answer_faq", "utter_faq_unknown"), {"event": "user"}]) == 0


def test_first_failure_only_says_so(core_db, domain):  # noqa: F811
    d, events = run(tracker([]), domain)
    assert responses(d)[0] == "utter_faq_unknown_department" and "utter_handoff_after_failures" not in responses(d)
    assert events == []
    with session_scope(core_db) as s:
        assert queue.current(s, "web:r1") is None


def test_second_failure_in_office_hours_queues_and_pauses(core_db, domain):  # noqa: F811
    d, events = run(tracker([*small_talk(), *failed()]), domain)
    said = responses(d)
    assert said[0] == "utter_faq_unknown_department"  # still the honest answer with the department
    assert said[-2:] == ["utter_handoff_after_failures", "utter_handoff_queued"]
    assert [e["event"] for e in events] == ["pause"]
    with session_scope(core_db) as s:
        r = queue.current(s, "web:r1")
    assert r.state == "waiting" and not r.callback and r.department_code == "civil"
    assert f"> {CIVIC}" in r.summary and "> 자동차세 연납 신청 기한" in r.summary


def test_second_failure_after_hours_leaves_a_callback_ticket(core_db, domain):  # noqa: F811
    d, events = run(tracker(failed(), sender="kakao:u1"), domain, EVENING)
    assert responses(d)[-2:] == ["utter_handoff_after_failures", "utter_handoff_callback"] and events == []
    with session_scope(core_db) as s:
        assert queue.current(s, "kakao:u1").callback is True


def test_a_second_public_matter_with_no_department_hands_over_too(core_db, domain):  # noqa: F811
    uncovered = turn("국회 견학", "action_fallback_menu", "utter_faq_unknown", "utter_fallback_human_hint")
    assert previous_failures([*uncovered, {"event": "user"}]) == 1
    d, events = run(tracker(failed(), text="우주항공청 견학 신청", intent="ask_uncovered_matter"), domain)
    assert responses(d)[-2:] == ["utter_handoff_after_failures", "utter_handoff_queued"]
    assert [e["event"] for e in events] == ["pause"]


def test_a_keyword_only_maybe_never_counts_even_for_a_public_matter(core_db, domain):  # noqa: F811
    """ "유기견" (a 3-letter keyword, no close topic) is said as a maybe: it may have misfired, so two
    of them in a row, or one after a failure, never hand the resident over."""
    maybe = turn("유기견", "action_fallback_menu", "utter_faq_unknown", "utter_faq_maybe_department")
    assert previous_failures([*maybe, {"event": "user"}]) == 0
    d, events = run(tracker(failed(), text="유기견", intent="ask_uncovered_matter"), domain)
    assert "utter_handoff_after_failures" not in responses(d) and events == []
    assert "utter_faq_maybe_department" in responses(d)


def test_small_talk_never_hands_over(core_db, domain):  # noqa: F811
    d, events = run(tracker([*failed(), *small_talk()], text="오늘 날씨 어때"), domain)
    assert responses(d)[0] == "utter_out_of_scope" and events == []
    d, events = run(tracker([*small_talk(), *small_talk()], text="심심해"), domain)
    assert "utter_handoff_after_failures" not in responses(d) and events == []
    with session_scope(core_db) as s:
        assert queue.current(s, "web:r1") is None


def test_queue_down_still_gives_the_phone(tmp_path, monkeypatch, domain):  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-tables.db'}")
    d, events = run(tracker(failed()), domain)
    assert responses(d)[-2:] == ["utter_handoff_after_failures", "utter_handoff_office_hours"] and events == []
