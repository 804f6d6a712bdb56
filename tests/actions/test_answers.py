"""Every answer action, offline: the right response with the right facts slotted in."""
from __future__ import annotations

from datetime import datetime

from rasa_sdk.executor import CollectingDispatcher

from actions.bulky_waste import ActionBulkyWaste
from actions.fallback import ActionFallbackMenu
from actions.handoff import ActionRequestHuman
from actions.info_links import ActionServiceLink
from actions.office_hours import ActionOfficeHours
from actions.passport import ActionPassport, passport_topic
from actions.waste_bags import ActionWasteBagVendors, ValidateWasteBagForm
from sotong.office_hours import KST
from tests.actions.conftest import make_tracker, responses


def run(action, tracker, domain):
    d = CollectingDispatcher()
    events = action.run_blocking(d, tracker, domain)
    return d, events


def item(value):
    return [{"entity": "waste_item", "value": value, "start": 0, "end": len(value)}]


def test_bulky_waste_fee_for_named_item(directory_db, domain):
    d, _ = run(ActionBulkyWaste(), make_tracker("소파 버리려면 얼마예요", "ask_bulky_waste", item("소파"),
                                                {"waste_item": "소파"}), domain)
    fee = d.messages[0]
    assert fee["response"] == "utter_bulky_waste_fee"
    assert "4,000원" in fee["fee_lines"] and "8,000원" in fee["fee_lines"]
    assert "utter_bulky_waste_howto" in responses(d)
    assert responses(d)[-1] == "utter_sample_data_notice"  # sample data is never passed off as official


def test_large_appliance_mentions_free_pickup(directory_db, domain):
    d, _ = run(ActionBulkyWaste(), make_tracker("냉장고 버려요", "ask_bulky_waste", item("냉장고"),
                                                {"waste_item": "냉장고"}), domain)
    free = [m for m in d.messages if m["response"] == "utter_bulky_waste_appliance_free"]
    assert free and free[0]["free_pickup_phone"] == "1599-0903"


def test_unknown_item_and_no_item(directory_db, domain):
    d, _ = run(ActionBulkyWaste(), make_tracker("우주선 버려요", "ask_bulky_waste", item("우주선"),
                                                {"waste_item": "우주선"}), domain)
    assert responses(d)[0] == "utter_bulky_waste_fee_unknown"
    d, _ = run(ActionBulkyWaste(), make_tracker("대형폐기물 어떻게 버려요", "ask_bulky_waste",
                                                slots={"waste_item": "소파"}), domain)
    assert responses(d) == ["utter_bulky_waste_howto", "utter_bulky_waste_ask_item"]


def test_waste_bag_vendors_for_short_dong_name(directory_db, domain):
    d, _ = run(ActionWasteBagVendors(), make_tracker(slots={"dong": "청라동"}), domain)
    msg = d.messages[0]
    assert msg["response"] == "utter_waste_bag_vendors" and msg["dong"] == "청라동"
    assert msg["vendor_lines"].count("•") == 5  # capped list
    assert "청라" in msg["vendor_lines"]


def test_waste_bag_form_rejects_unknown_dong(directory_db, domain):
    d = CollectingDispatcher()
    assert ValidateWasteBagForm().validate_dong("강남동", d, make_tracker(), domain) == {"dong": None}
    assert responses(d) == ["utter_dong_unknown"]
    assert ValidateWasteBagForm().validate_dong("가정동", d, make_tracker(), domain) == {"dong": "가정동"}


def test_waste_bag_without_dong_asks(directory_db, domain):
    d, _ = run(ActionWasteBagVendors(), make_tracker(), domain)
    assert responses(d) == ["utter_ask_dong"]


def test_passport_topics():
    assert passport_topic("여권 잃어버렸어요") == "utter_passport_lost"
    assert passport_topic("여권 발급 필요서류") == "utter_passport_documents"
    assert passport_topic("여권 수수료 얼마") == "utter_passport_fees"
    assert passport_topic("여권 며칠 걸려요") == "utter_passport_processing"
    assert passport_topic("여권") == "utter_passport_overview"


def test_passport_answer_has_profile_facts(domain):
    d, _ = run(ActionPassport(), make_tracker("여권 발급 필요서류", "ask_passport"), domain)
    msg = d.messages[0]
    assert msg["response"] == "utter_passport_documents"
    assert "여권용 사진" in msg["passport_documents"]


def clock(*args):
    return lambda: datetime(*args, tzinfo=KST)


def test_office_hours_on_a_holiday_weekend_and_evening(domain):
    cases = [((2026, 9, 25, 10), "utter_office_closed_holiday", "9월 28일(월)"),   # 추석
             ((2026, 11, 28, 11), "utter_office_closed_weekend", "11월 30일(월)"),
             ((2026, 11, 25, 20), "utter_office_closed_after_hours", "11월 26일(목)"),
             ((2026, 11, 25, 10), "utter_office_open_now", "11월 25일(수)")]
    for when, response, next_day in cases:
        d, _ = run(ActionOfficeHours(clock(*when)), make_tracker("구청 몇 시까지", "ask_office_hours"), domain)
        assert d.messages[0]["response"] == response
        assert d.messages[0]["next_open_day"] == next_day
    d, _ = run(ActionOfficeHours(clock(2026, 9, 25, 10)), make_tracker(), domain)
    assert d.messages[0]["holiday_name"] == "추석"


def test_service_links_per_intent(domain):
    for intent, response in [("ask_jobs", "utter_jobs"), ("ask_news", "utter_news"),
                             ("ask_parking_enforcement", "utter_parking_enforcement")]:
        d, _ = run(ActionServiceLink(), make_tracker(intent=intent), domain)
        assert d.messages[0]["response"] == response
        assert d.messages[0]["link_url"].startswith("https://")


def test_request_human_names_department_and_phone(domain):
    d, _ = run(ActionRequestHuman(), make_tracker(intent="request_human"), domain)
    msg = d.messages[0]
    assert msg["response"] in ("utter_handoff_office_hours", "utter_handoff_after_hours")
    assert msg["department_phone"] and msg["department_name"]


def test_fallback_offers_closest_services_first(domain):
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "ask_passport", "confidence": 0.3},
               {"name": "ask_office_hours", "confidence": 0.2}]
    d, _ = run(ActionFallbackMenu(), make_tracker("여궈ㄴ?", "nlu_fallback", ranking=ranking), domain)
    first = d.messages[0]
    assert first["response"] == "utter_fallback"
    assert [b["payload"] for b in first["buttons"][:2]] == ["/ask_passport", "/ask_office_hours"]
    assert 1 < len(first["buttons"]) <= 4
    d, _ = run(ActionFallbackMenu(), make_tracker("오늘 날씨 어때", "out_of_scope"), domain)
    assert d.messages[0]["response"] == "utter_out_of_scope" and d.messages[0]["buttons"]
