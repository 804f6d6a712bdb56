"""The report form with categories and answers that make sense (issue 9, items 3-5), offline."""

from __future__ import annotations

import json
import shutil

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints.changes import ValidateEditForm
from actions.complaints.report import (
    ActionAskReportAddress,
    ActionAskReportConfirmed,
    ActionAskReportDescription,
    ActionFileComplaint,
    ValidateReportForm,
)
from sotong.complaints import service
from sotong.db import session_scope
from tests.actions.test_complaint_actions import file_one, slot_events, tracker
from tests.e2e.stack import ROOT

AT_ADDRESS = {"requested_slot": "report_address", "report_key": "k"}
AT_DESCRIPTION = {"requested_slot": "report_description", "report_address": "서곶로 1", "report_key": "k"}
AT_SUMMARY = {
    "requested_slot": "report_confirmed",
    "report_address": "서곶로 45 앞",
    "report_key": "k",
    "report_description": "가로등 불이 안 들어오고 도로에 구멍도 났어요",
    "complaint_category": "streetlight",
}


def said(d):
    return [m.get("response") or m.get("utter_action") for m in d.messages]


async def validate(text, intent, slots=None, entities=None, domain=None):
    d = CollectingDispatcher()
    events = await ValidateReportForm().run(d, tracker(text, intent, slots=slots, entities=entities), domain)
    return d, slot_events(events)


async def test_the_article_sentence_opens_a_dumping_report(core_db, domain):
    _, got = await validate(
        "집 앞에 쓰레기봉투가 계속 쌓여요. 신고하고 싶어요",
        "report_illegal_dumping",
        slots={"complaint_category": None},
        domain=domain,
    )
    assert got["complaint_category"] == "illegal_dumping" and "report_address" not in got


async def test_an_emergency_or_a_crisis_in_a_report_is_answered_first_and_nothing_is_filed(core_db, domain):
    """The running bot classified "죽고 싶어요 살려주세요" as a report and asked where: an urgent
    keyword of departments.yml (the crisis lines, 119/112) is answered first, on any turn, and the
    report ends unfiled. Other words of feeling in a report ("우울해요") do not stop it."""
    for text, slots, topic in (
        ("죽고 싶어요 살려주세요", {"complaint_category": None}, "서구 정신건강복지센터"),
        ("불났어요 신고할게요", {"complaint_category": None}, "119"),
        ("가스냄새가 나요", AT_DESCRIPTION, "119"),
    ):
        d, got = await validate(text, "report_problem", slots=slots, domain=domain)
        assert d.messages[0]["response"].startswith("utter_faq_answer") and topic in d.messages[0]["faq_answer"]
        assert got["form_abort"] is True and got["urgent_stop"] is True, text  # ends unfiled
    d, got = await validate(
        "층간소음 때문에 너무 우울해요", "report_problem", slots={"complaint_category": None}, domain=domain
    )
    assert not got.get("form_abort") and not any((m.get("response") or "").startswith("utter_faq") for m in d.messages)


async def test_a_streetlight_report_is_recognised_and_asked_about_its_own_place(core_db, domain):
    _, got = await validate("가로등이 고장났어요", "report_problem", slots={"complaint_category": None}, domain=domain)
    assert got["complaint_category"] == "streetlight"
    d = CollectingDispatcher()
    ActionAskReportAddress().run_blocking(d, tracker(slots={"complaint_category": "streetlight"}), domain)
    assert d.messages[0]["response"] == "utter_ask_report_address"
    assert d.messages[0]["category_name"] == "가로등·보안등 고장" and d.messages[0]["place"] == "고장 난 등이 있는 곳"
    d = CollectingDispatcher()
    ActionAskReportDescription().run_blocking(d, tracker(slots={"complaint_category": "illegal_parking"}), domain)
    assert "차량 번호" in d.messages[0]["details"]  # the parking form asks for the plate


async def test_yes_a_greeting_or_a_button_title_is_never_an_address_or_description(core_db, domain):
    for text, intent in (
        ("네", "affirm"),
        ("안녕하세요", "greet"),
        ("네, 접수해 주세요", "inform"),
        ("주소 고치기", "inform"),
    ):
        d, got = await validate(text, intent, slots=AT_ADDRESS, domain=domain)
        assert got.get("report_address") is None and "report_address" in got, text  # asked again
        assert said(d) == ["utter_report_address_unclear"], text
        d, got = await validate(text, intent, slots=AT_DESCRIPTION, domain=domain)
        assert got.get("report_description") is None and "report_description" in got, text
        assert said(d) == ["utter_report_description_unclear"], text


async def test_an_address_with_a_lot_number_is_taken_whole(core_db, domain):
    d, got = await validate(
        "가정동 123-4 빌라 앞",
        "inform",
        slots=AT_ADDRESS,
        entities=[{"entity": "dong", "value": "가정동"}],
        domain=domain,
    )
    assert got["report_address"] == "가정동 123-4 빌라 앞" and "report_description" not in got
    assert said(d) == []


async def test_place_and_details_in_one_answer_fill_both(core_db, domain):
    text = "청라동 커낼웨이 앞 흰색 소나타 12가3456"
    _, got = await validate(
        text, "inform", slots={**AT_ADDRESS, "complaint_category": "illegal_parking"}, domain=domain
    )
    assert got["report_address"] == "청라동 커낼웨이 앞" and got["report_description"] == text


def payload_of(button):
    intent, _, body = button["payload"][1:].partition("{")
    return intent, json.loads("{" + body) if body else {}


async def test_the_summary_names_the_department_and_changes_category_in_one_tap(core_db, domain):
    d = CollectingDispatcher()
    ActionAskReportConfirmed().run_blocking(d, tracker(slots=AT_SUMMARY), domain)
    summary = d.messages[0]
    assert "가로등·보안등 고장 (담당: 건설과)" in summary["text"]
    payloads = [payload_of(b) for b in summary["buttons"]]
    assert ("report_problem", {"complaint_category": "road_damage"}) in payloads  # the runner-up, one tap
    assert ("edit_complaint", {"complaint_field": "address"}) in payloads
    assert ("edit_complaint", {"complaint_field": "category"}) in payloads and ("deny", {}) in payloads
    # The tap: the category changes and the summary is asked again.
    tap = [{"entity": "complaint_category", "value": "road_damage"}]
    _, got = await validate(
        '/report_problem{"complaint_category": "road_damage"}',
        "report_problem",
        slots=AT_SUMMARY,
        entities=tap,
        domain=domain,
    )
    assert got["complaint_category"] == "road_damage" and got["report_confirmed"] is None
    # A code the district does not have changes nothing.
    _, got = await validate(
        '/report_problem{"complaint_category": "nope"}',
        "report_problem",
        slots=AT_SUMMARY,
        entities=[{"entity": "complaint_category", "value": "nope"}],
        domain=domain,
    )
    assert "complaint_category" not in got


async def test_other_categories_lists_every_category_as_a_button(core_db, domain):
    d = CollectingDispatcher()
    ask = tracker(
        '/edit_complaint{"complaint_field": "category"}',
        "edit_complaint",
        slots=AT_SUMMARY,
        entities=[{"entity": "complaint_field", "value": "category"}],
    )
    _, got = await validate(
        ask.latest_message["text"],
        "edit_complaint",
        slots=AT_SUMMARY,
        entities=[{"entity": "complaint_field", "value": "category"}],
        domain=domain,
    )
    assert got == {"report_confirmed": None}  # nothing cleared, the list comes next
    ActionAskReportConfirmed().run_blocking(d, ask, domain)
    assert said(d) == ["utter_report_choose_category"]
    codes = [payload_of(b)[1]["complaint_category"] for b in d.messages[0]["buttons"]]
    assert codes == [c.code for c in service.category_infos()] and len(codes) >= 11


async def test_the_field_to_fix_comes_from_the_entity_not_from_words_in_python(core_db, domain):
    fix = [{"entity": "complaint_field", "value": "description"}]
    _, got = await validate(
        '/edit_complaint{"complaint_field": "description"}',
        "edit_complaint",
        slots=AT_SUMMARY,
        entities=fix,
        domain=domain,
    )
    assert got["report_description"] is None and "report_address" not in got
    receipt = file_one(domain)
    events = await ValidateEditForm().run(
        CollectingDispatcher(), tracker("사진 바꿀래요", "edit_complaint", entities=fix), domain
    )
    assert slot_events(events)["complaint_id"] == receipt and slot_events(events)["edit_field"] == "description"


async def test_yes_is_not_a_corrected_address(core_db, domain):
    receipt = file_one(domain)
    events = await ValidateEditForm().run(
        CollectingDispatcher(),
        tracker(
            "네", "affirm", slots={"requested_slot": "edit_value", "complaint_id": receipt, "edit_field": "address"}
        ),
        domain,
    )
    assert slot_events(events).get("edit_value") is None


async def test_a_category_added_to_the_data_file_is_filed_by_the_bot(core_db, domain, tmp_path, monkeypatch):
    district = tmp_path / "district"
    shutil.copytree(ROOT / "district" / "incheon-seogu", district)
    path = district / "complaints.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["categories"].insert(
        0,
        {
            "code": "graffiti",
            "name": "낙서",
            "department": "landscape",
            "processing_days": 5,
            "place": "낙서가 있는 곳",
            "keywords": ["낙서"],
        },
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(district))
    with session_scope(core_db) as s:
        service.seed_district(s, district)
    _, got = await validate(
        "담벼락에 낙서 신고할게요", "report_problem", slots={"complaint_category": None}, domain=domain
    )
    assert got["complaint_category"] == "graffiti"
    d = CollectingDispatcher()
    slots = {
        "complaint_category": "graffiti",
        "report_address": "서곶로 9",
        "report_description": "낙서",
        "report_confirmed": True,
        "report_key": "g",
    }
    ActionFileComplaint().run_blocking(d, tracker(slots=slots), domain)
    assert said(d) == ["utter_report_filed"] and d.messages[0]["department_name"] == "도시경관과"
