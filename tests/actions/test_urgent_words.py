"""Urgent words (departments.yml `urgent: true`: 119/112, the crisis lines) stop any form in
progress: the answer first, nothing filed, changed or recorded, and a closing line that does
not pretend the resident asked to stop."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints.changes import (
    ActionApplyCorrection,
    ActionCancelComplaint,
    ValidateCancelForm,
    ValidateEditForm,
)
from actions.complaints.consent import ActionRecordConsent, ValidateAlertConsentForm
from actions.complaints.identity import resident_of
from actions.complaints.report import ActionFileComplaint, ValidateReportForm
from actions.faq import ActionAnswerFaq
from actions.waste_bags import ActionWasteBagVendors, ValidateWasteBagForm
from sotong.complaints import service
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.handoff.hours import FIXED_NOW_ENV
from tests.actions.test_complaint_actions import ME, file_one, slot_events, tracker

FORMS = [
    (ValidateReportForm, {"requested_slot": "report_description", "report_address": "서곶로 1", "report_key": "k"}),
    (ValidateEditForm, {"requested_slot": "edit_value", "edit_field": "address"}),
    (ValidateCancelForm, {"requested_slot": "cancel_confirmed"}),
    (ValidateAlertConsentForm, {"requested_slot": "consent_phone"}),
    (ValidateWasteBagForm, {"requested_slot": "dong"}),
]


def responses(d):
    return [m.get("response") for m in d.messages]


@pytest.mark.parametrize(("form", "slots"), FORMS, ids=lambda v: getattr(v, "__name__", ""))
async def test_urgent_words_in_any_form_are_answered_and_stop_it(core_db, domain, form, slots):
    for text, line in (("죽고 싶어요", "109"), ("집에 불났어요", "119")):
        d = CollectingDispatcher()
        got = slot_events(await form().run(d, tracker(text, "faq", slots=slots), domain))
        assert responses(d)[0].startswith("utter_faq_answer") and line in d.messages[0]["faq_answer"], text
        assert got == {"form_abort": True, "urgent_stop": True, "requested_slot": None}, (
            text
        )  # nothing else taken from the message


async def test_ordinary_answers_still_fill_the_form(core_db, domain):
    d = CollectingDispatcher()
    got = slot_events(
        await ValidateReportForm().run(d, tracker("층간소음 때문에 너무 우울해요", "inform", slots=FORMS[0][1]), domain)
    )
    assert "urgent_stop" not in got and got.get("report_description") == "층간소음 때문에 너무 우울해요"


def test_a_stopped_report_is_not_filed_and_says_so_without_alright(core_db, domain):
    slots = {
        "report_address": "서곶로 1",
        "report_description": "쓰레기가 쌓였어요",
        "report_key": "urgent-k",
        "form_abort": True,
        "urgent_stop": True,
    }
    d = CollectingDispatcher()
    got = slot_events(ActionFileComplaint().run_blocking(d, tracker(slots=slots), domain))
    assert responses(d) == ["utter_form_stopped_for_urgent"]
    assert got["urgent_stop"] is None and got["report_address"] is None
    with session_scope(core_db) as s:
        assert service.list_for_resident(s, resident_of(tracker())) == []
    assert not domain["responses"]["utter_form_stopped_for_urgent"][0]["text"].startswith("알겠어요")


def test_a_stopped_correction_or_cancellation_changes_nothing(core_db, domain):
    receipt = file_one(domain)
    for action, slots in (
        (ActionApplyCorrection(), {"edit_field": "address", "edit_value": "다른 곳"}),
        (ActionCancelComplaint(), {"cancel_confirmed": True}),
    ):
        d = CollectingDispatcher()
        stopped = {"complaint_id": receipt, "form_abort": True, "urgent_stop": True, **slots}
        got = slot_events(action.run_blocking(d, tracker(slots=stopped), domain))
        assert responses(d) == ["utter_form_stopped_for_urgent"] and got["urgent_stop"] is None
    with session_scope(core_db) as s:
        view = service.get_for_resident(s, receipt, resident_of(tracker()))
        assert view is not None and view.status != "cancelled" and view.address != "다른 곳"


def test_a_stopped_consent_records_nothing(core_db, domain):
    d = CollectingDispatcher()
    slots = {"consent_phone": None, "consent_code": None, "form_abort": True, "urgent_stop": True}
    got = slot_events(ActionRecordConsent().run_blocking(d, tracker(slots=slots), domain))
    assert responses(d) == ["utter_form_stopped_for_urgent"]
    assert got["urgent_stop"] is None and got["consent_phone"] is None


def test_a_stopped_waste_bag_question_asks_nothing_more(core_db, domain):
    d = CollectingDispatcher()
    got = slot_events(
        ActionWasteBagVendors().run_blocking(d, tracker(slots={"urgent_stop": True, "dong": None}), domain)
    )
    assert d.messages == [] and got["urgent_stop"] is None  # not "어느 동에 사세요?" again


def test_the_crisis_answer_offers_no_related_topics(core_db, domain):
    """ "함께 많이 찾는 내용도 있어요 [치매안심센터]" under the crisis lines read as if the bot had not listened."""
    d = CollectingDispatcher()
    ActionAnswerFaq().run_blocking(d, tracker("죽고 싶어요", "faq"), domain)
    assert responses(d)[0].startswith("utter_faq_answer") and "109" in d.messages[0]["faq_answer"]
    assert "utter_faq_related" not in responses(d)


def crisis_tracker(classified_as: str | None):
    t = tracker("상담원 연결해 주세요 죽고 싶어요", "faq")
    t.latest_message["urgent_override"] = {"topic": "mental_health_center", "classified_as": classified_as}
    return t


def test_asking_for_a_person_in_a_crisis_gets_the_lines_then_the_queue_marked_urgent(core_db, domain, monkeypatch):
    monkeypatch.setenv(FIXED_NOW_ENV, "2026-12-01T10:00:00")  # a Tuesday morning: an officer can take it
    d = CollectingDispatcher()
    events = ActionAnswerFaq().run_blocking(d, crisis_tracker("request_human"), domain)
    assert responses(d)[0].startswith("utter_faq_answer") and "109" in d.messages[0]["faq_answer"]
    assert "utter_handoff_queued" in responses(d)
    assert [e["event"] for e in events] == ["pause"]
    with session_scope(core_db) as s:
        assert queue.current(s, f"rest:{ME}").urgent_at is not None


def test_a_crisis_without_asking_for_a_person_queues_nobody(core_db, domain):
    for guess in ("report_problem", None):
        d = CollectingDispatcher()
        assert ActionAnswerFaq().run_blocking(d, crisis_tracker(guess), domain) == []
        assert "utter_handoff_queued" not in responses(d) and "109" in d.messages[0]["faq_answer"]
    with session_scope(core_db) as s:
        assert queue.current(s, f"rest:{ME}") is None


def open_request(engine, callback: bool) -> None:
    """This resident's handoff request: waiting for an officer, or a callback ticket."""
    with session_scope(engine) as s:
        queue.open_request(
            s,
            conversation_id=f"rest:{ME}",
            channel="rest",
            resident_ref=ME,
            department_code="civil",
            summary="",
            callback=callback,
        )


async def test_paused_urgent_action_answers_and_flags_only_an_open_request(core_db, domain):
    from actions.urgent import ActionAnswerUrgent

    d = CollectingDispatcher()
    await ActionAnswerUrgent().run(d, tracker("그냥 죽고싶어요", "faq"), domain)
    assert responses(d)[0] == "utter_faq_answer"
    assert "utter_handoff_urgent_flagged" not in responses(d)  # nothing open to flag
    open_request(core_db, callback=False)
    d = CollectingDispatcher()
    assert await ActionAnswerUrgent().run(d, tracker("그냥 죽고싶어요", "faq"), domain) == []
    assert responses(d)[0] == "utter_faq_answer" and responses(d)[-1] == "utter_handoff_urgent_flagged"
    d = CollectingDispatcher()
    assert await ActionAnswerUrgent().run(d, tracker("그냥 죽고싶어요", "faq"), domain) == []
    assert responses(d)[0] == "utter_faq_answer" and "utter_handoff_urgent_flagged" not in responses(d)  # once
    d = CollectingDispatcher()
    assert await ActionAnswerUrgent().run(d, tracker("여보세요", "faq"), domain) == []
    assert d.messages == []  # the keyword was edited out since the channel looked: say nothing


async def test_paused_urgent_words_followed_at_once_by_other_words_are_still_answered(core_db, domain):
    """The channel waits for the conversation's lock; "진짜요" may be logged before it runs."""
    from actions.urgent import ActionAnswerUrgent

    t = tracker("진짜요", "faq")
    t.events = [
        {"event": "user", "text": "상담원 연결해 주세요"},
        {"event": "action", "name": "action_request_human"},
        {"event": "pause"},
        {"event": "user", "text": "너무 힘들어서 죽고 싶어요"},
        {"event": "user", "text": "진짜요"},
    ]
    d = CollectingDispatcher()
    await ActionAnswerUrgent().run(d, t, domain)
    assert responses(d)[0] == "utter_faq_answer" and "109" in d.messages[0]["faq_answer"]
    t.events += [{"event": "action", "name": "action_answer_urgent"}, {"event": "user", "text": "진짜요"}]
    d = CollectingDispatcher()
    await ActionAnswerUrgent().run(d, t, domain)
    assert d.messages == []  # answered already: the action's own run marks it


def test_urgent_words_with_a_callback_ticket_open_flag_it_once(core_db, domain):
    """Outside office hours the bot is not paused, so the normal path answers; the ticket is
    flagged so the morning's officer sees it first."""
    open_request(core_db, callback=True)
    said = []
    for _ in range(2):
        d = CollectingDispatcher()
        assert ActionAnswerFaq().run_blocking(d, crisis_tracker("report_problem"), domain) == []
        said.append(responses(d))
    assert said[0][0].startswith("utter_faq_answer") and said[0][-1] == "utter_handoff_urgent_flagged"
    assert "utter_handoff_urgent_flagged" not in said[1]  # once
    with session_scope(core_db) as s:
        assert queue.current(s, f"rest:{ME}").urgent_at is not None
