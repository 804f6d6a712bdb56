"""The complaint dialogue's actions and forms, offline, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints.changes import ActionApplyCorrection, ActionCancelComplaint, ValidateEditForm
from actions.complaints.consent import ActionRecordConsent, ValidateAlertConsentForm
from actions.complaints.report import ActionFileComplaint, ValidateReportForm
from actions.complaints.tracking import ActionComplaintStatus
from actions.updates import ActionGreet
from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.senders import LogOnlySender
from sotong.privacy.models import PhoneVerification
from sotong.privacy.verification import send_pending_codes
from tests.actions.conftest import make_tracker, responses

ME = "resident-1"
FORM_SLOTS = {"complaint_category": "illegal_dumping"}


def tracker(text="", intent="inform", slots=None, entities=None, sender=ME):
    # The REST channel hands Rasa "rest:<sender>" (connectors/identity.py).
    t = make_tracker(text, intent, entities, {**FORM_SLOTS, **(slots or {})}, sender=f"rest:{sender}")
    t.latest_input_channel = "rest"
    return t


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_one_message_report_fills_where_what_and_when(core_db, domain):
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d, tracker("서곶로 123 앞에 어제 밤부터 쓰레기가 쌓여 있어요 신고할게요", "report_illegal_dumping"), domain
    )
    got = slot_events(events)
    assert got["report_address"] == "서곶로 123 앞"
    assert got["report_description"].startswith("서곶로 123 앞에")
    assert got["report_seen_at"] == "어제 밤"
    assert len(got["report_key"]) == 32  # the submission's idempotency key
    assert "report_confirmed" not in got  # only the confirmation is left to ask


async def test_a_bare_intent_asks_for_the_address(core_db, domain):
    events = await ValidateReportForm().run(
        CollectingDispatcher(), tracker("무단투기 신고할게요", "report_illegal_dumping"), domain
    )
    got = slot_events(events)
    assert "report_address" not in got and "report_description" not in got and got["report_key"]


KAKAO_PHOTO = "https://talk.kakaocdn.net/dna/x/evidence.jpg?credential=z"


async def test_a_photo_mid_form_is_kept_and_the_question_repeats(core_db, domain):
    d = CollectingDispatcher()
    photo = [{"entity": "photo_url", "value": KAKAO_PHOTO}]
    events = await ValidateReportForm().run(
        d,
        tracker(
            f'/inform{{"photo_url": "{KAKAO_PHOTO}"}}',
            "inform",
            entities=photo,
            slots={"requested_slot": "report_description", "report_address": "서곶로 1", "report_key": "k"},
        ),
        domain,
    )
    got = slot_events(events)
    assert got["report_photo_url"] == KAKAO_PHOTO
    assert "report_description" not in got  # the URL is not taken as the description
    assert responses(d) == ["utter_report_photo_received"]


@pytest.mark.parametrize(
    "url",
    [
        "https://img.example/1.jpg",  # not the channel's media host
        "http://talk.kakaocdn.net/dna/x/evidence.jpg",  # not https
        "https://talk.kakaocdn.net.evil.example/x.jpg",  # a look-alike host
        "https://talk.kakaocdn.net@evil.example/x.jpg",  # userinfo trick: the host is evil.example
        "https://127.0.0.1/x.jpg",
    ],
)
async def test_a_photo_from_elsewhere_is_refused_and_cleared(core_db, domain, url):
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d,
        tracker(
            f'/inform{{"photo_url": "{url}"}}',
            "inform",
            entities=[{"entity": "photo_url", "value": url}],
            slots={
                "requested_slot": "report_description",
                "report_address": "서곶로 1",
                "report_key": "k",
                "report_photo_url": url,
            },
        ),
        domain,
    )
    assert slot_events(events)["report_photo_url"] is None
    assert responses(d) == ["utter_report_photo_refused"]


async def test_no_at_the_summary_files_nothing(core_db, domain):
    events = await ValidateReportForm().run(
        CollectingDispatcher(),
        tracker(
            "아니요",
            "deny",
            slots={
                "requested_slot": "report_confirmed",
                "report_address": "a",
                "report_description": "b",
                "report_key": "k",
            },
        ),
        domain,
    )
    got = slot_events(events)
    assert got["report_confirmed"] is False and got["form_abort"] is True and got["requested_slot"] is None
    d = CollectingDispatcher()
    ActionFileComplaint().run_blocking(
        d, tracker(slots={**got, "report_address": "a", "report_description": "b"}), domain
    )
    assert responses(d) == ["utter_report_not_filed"]
    with session_scope(core_db) as s:
        assert service.list_for_resident(s, ResidentKey("rest", ME)) == []


def filed_slots(key="same-key"):
    return {
        "report_address": "서곶로 123 앞",
        "report_description": "쓰레기가 쌓여 있어요",
        "report_confirmed": True,
        "report_key": key,
    }


def test_filing_is_exactly_once_per_submission_key(core_db, domain):
    receipts = []
    for _ in range(2):  # a retried or double-tapped confirmation
        d = CollectingDispatcher()
        events = ActionFileComplaint().run_blocking(d, tracker("네", "affirm", slots=filed_slots()), domain)
        assert responses(d) == ["utter_report_filed"]
        receipts.append(slot_events(events)["complaint_id"])
    assert receipts[0] == receipts[1]
    filed = d.messages[0]
    assert filed["department_name"] == "자원순환과" and "월" in filed["due_date"]
    with session_scope(core_db) as s:
        assert len(service.list_for_resident(s, ResidentKey("rest", ME))) == 1
        # the chat said "접수됐어요" already: the received stage is not repeated as an update
        assert service.pending_in_chat(s, ResidentKey("rest", ME)) == []


def file_one(domain, sender=ME, key="k1") -> str:
    d = CollectingDispatcher()
    events = ActionFileComplaint().run_blocking(d, tracker(slots=filed_slots(key), sender=sender), domain)
    return slot_events(events)["complaint_id"]


def test_status_shows_the_timeline_and_strangers_see_nothing(core_db, domain):
    receipt = file_one(domain)
    with session_scope(core_db) as s:
        service.assign_department(s, receipt, actor="officer:test")
        service.assign_officer(s, receipt, "cleaning-kim", actor="officer:test")
    d = CollectingDispatcher()
    ActionComplaintStatus().run_blocking(
        d,
        tracker(f"{receipt} 조회", "check_complaint_status", entities=[{"entity": "complaint_id", "value": receipt}]),
        domain,
    )
    said = responses(d)
    assert said[:2] == ["utter_complaint_update", "utter_complaint_update"]  # 배정, 담당자 지정
    detail = d.messages[-1]
    assert detail["utter_action"] == "utter_complaint_detail" and "김서진" in detail["text"]
    assert "담당자 지정" in detail["text"]

    for asked in (receipt, "ZZZZ-2222"):
        d = CollectingDispatcher()
        ActionComplaintStatus().run_blocking(
            d,
            tracker(
                f"{asked} 조회",
                "check_complaint_status",
                sender="stranger",
                entities=[{"entity": "complaint_id", "value": asked}],
            ),
            domain,
        )
        assert responses(d) == ["utter_complaint_not_found"]


async def test_correction_picks_the_only_open_complaint_and_logs_it(core_db, domain):
    receipt = file_one(domain)
    events = await ValidateEditForm().run(
        CollectingDispatcher(),
        tracker("주소를 잘못 썼어요", "edit_complaint", entities=[{"entity": "complaint_field", "value": "address"}]),
        domain,
    )
    got = slot_events(events)
    assert got["complaint_id"] == receipt and got["edit_field"] == "address"
    d = CollectingDispatcher()
    ActionApplyCorrection().run_blocking(
        d, tracker(slots={"complaint_id": receipt, "edit_field": "address", "edit_value": "서곶로 125 앞"}), domain
    )
    assert responses(d) == ["utter_correction_done"] and "• 위치: 서곶로 125 앞\n" in d.messages[0]["text"]


async def test_a_strangers_receipt_cannot_be_corrected_or_cancelled(core_db, domain):
    receipt = file_one(domain)
    d = CollectingDispatcher()
    events = await ValidateEditForm().run(
        d,
        tracker(
            f"{receipt} 주소 고칠래요",
            "edit_complaint",
            sender="stranger",
            entities=[{"entity": "complaint_id", "value": receipt}],
        ),
        domain,
    )
    assert responses(d) == ["utter_complaint_not_found"] and slot_events(events)["form_abort"] is True
    d = CollectingDispatcher()
    ActionCancelComplaint().run_blocking(
        d, tracker(slots={"complaint_id": receipt, "cancel_confirmed": True}, sender="stranger"), domain
    )
    assert responses(d) == ["utter_complaint_not_found"]
    with session_scope(core_db) as s:
        assert service.get_for_resident(s, receipt, ResidentKey("rest", ME)).status == "received"


def test_cancel_after_confirmation(core_db, domain):
    receipt = file_one(domain)
    d = CollectingDispatcher()
    ActionCancelComplaint().run_blocking(d, tracker(slots={"complaint_id": receipt, "cancel_confirmed": True}), domain)
    assert responses(d) == ["utter_cancel_done"]
    with session_scope(core_db) as s:
        assert service.get_for_resident(s, receipt, ResidentKey("rest", ME)).status == "cancelled"


@pytest.mark.parametrize(
    "typed, stored", [("010-1234-5678", "01012345678"), ("제 번호는 010 9876 5432요", "01098765432")]
)
async def test_consent_stores_the_number_only_after_its_code(core_db, domain, typed, stored):
    events = await ValidateAlertConsentForm().run(
        CollectingDispatcher(), tracker(typed, "inform", slots={"requested_slot": "consent_phone"}), domain
    )
    masked = slot_events(events)["consent_phone"]
    assert masked == f"010-****-{stored[-4:]}"  # the slot never holds the number
    with session_scope(core_db) as s:
        code = s.query(PhoneVerification).one().code_to_send
        from sotong.complaints.residents import find_resident

        assert find_resident(s, ResidentKey("rest", ME)).phone is None  # not before the code
    send_pending_codes(LogOnlySender())
    events = await ValidateAlertConsentForm().run(
        CollectingDispatcher(),
        tracker(code, "inform", slots={"requested_slot": "consent_code", "consent_phone": masked}),
        domain,
    )
    assert slot_events(events)["consent_code"] == "verified"
    d = CollectingDispatcher()
    await ActionRecordConsent().run(d, tracker(slots={"consent_phone": masked, "consent_code": "verified"}), domain)
    assert d.messages[0]["masked_phone"] == masked
    with session_scope(core_db) as s:
        from sotong.complaints.residents import find_resident

        resident = find_resident(s, ResidentKey("rest", ME))
        assert resident.phone == stored and resident.phone_consent_at and resident.phone_consent_purpose


async def test_a_wrong_number_is_asked_again_and_no_is_respected(core_db, domain):
    d = CollectingDispatcher()
    events = await ValidateAlertConsentForm().run(
        d, tracker("123", "inform", slots={"requested_slot": "consent_phone"}), domain
    )
    assert slot_events(events)["consent_phone"] is None and responses(d) == ["utter_consent_phone_invalid"]
    events = await ValidateAlertConsentForm().run(
        CollectingDispatcher(), tracker("아니요", "deny", slots={"requested_slot": "consent_phone"}), domain
    )
    assert slot_events(events)["form_abort"] is True


def test_greeting_names_the_district(domain):
    d = CollectingDispatcher()
    ActionGreet().run_blocking(d, tracker("안녕", "greet", sender="nobody-yet"), domain)
    assert d.messages[-1]["response"] == "utter_greet" and d.messages[-1]["district_name"] == "인천광역시 서구"


def test_a_too_long_corrected_address_is_told_the_address_limit(core_db, domain):
    from sotong.complaints.limits import MAX_ADDRESS

    receipt = file_one(domain)
    d = CollectingDispatcher()
    ActionApplyCorrection().run_blocking(
        d,
        tracker(slots={"complaint_id": receipt, "edit_field": "address", "edit_value": "가" * (MAX_ADDRESS + 1)}),
        domain,
    )
    assert responses(d) == ["utter_report_too_long"]
    assert d.messages[0]["max_chars"] == MAX_ADDRESS == 300  # was told 4000


async def test_a_too_long_address_in_the_form_is_told_its_limit(core_db, domain):
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(
        d, tracker("가" * 301, "inform", slots={"requested_slot": "report_address", "report_key": "k"}), domain
    )
    assert responses(d) == ["utter_report_too_long"] and d.messages[0]["max_chars"] == 300
    assert slot_events(events)["report_address"] is None


def test_cancelling_in_chat_leaves_no_cancelled_update_pending(core_db, domain):
    receipt = file_one(domain)
    ActionCancelComplaint().run_blocking(
        CollectingDispatcher(), tracker(slots={"complaint_id": receipt, "cancel_confirmed": True}), domain
    )
    with session_scope(core_db) as s:
        assert service.pending_in_chat(s, ResidentKey("rest", ME)) == []
