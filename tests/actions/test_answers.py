"""Every answer action, offline: the right response with the right facts slotted in."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk.executor import CollectingDispatcher

from actions.bulky_waste import ActionBulkyWaste
from actions.fallback import ActionFallbackMenu
from actions.handoff import ActionRequestHuman
from actions.info_links import ActionServiceLink
from actions.office_hours import ActionOfficeHours
from actions.passport import ActionPassport, passport_facets
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
    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("소파 버리려면 얼마예요", "ask_bulky_waste", item("소파"), {"waste_item": "소파"}),
        domain,
    )
    fee = d.messages[0]
    assert fee["response"] == "utter_bulky_waste_fee"
    assert "4,000원" in fee["fee_lines"] and "8,000원" in fee["fee_lines"]
    assert "utter_bulky_waste_howto" in responses(d)
    assert responses(d)[-1] == "utter_sample_data_notice"  # sample data is never passed off as official


def test_large_appliance_mentions_free_pickup(directory_db, domain):
    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("냉장고 버려요", "ask_bulky_waste", item("냉장고"), {"waste_item": "냉장고"}),
        domain,
    )
    free = [m for m in d.messages if m["response"] == "utter_bulky_waste_appliance_free"]
    assert free and free[0]["free_pickup_phone"] == "1599-0903"


def test_unknown_item_and_no_item(directory_db, domain):
    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("우주선 버려요", "ask_bulky_waste", item("우주선"), {"waste_item": "우주선"}),
        domain,
    )
    assert responses(d)[0] == "utter_bulky_waste_fee_unknown"
    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("대형폐기물 어떻게 버려요", "ask_bulky_waste", slots={"waste_item": "소파"}),
        domain,
    )
    assert responses(d) == ["utter_bulky_waste_howto", "utter_bulky_waste_ask_item"]


def test_massage_chair_split_by_the_nlu_is_not_a_chair(directory_db, domain):
    """The NLU tags 안마|의자 as two items and the slot holds 의자: the answer is still 안마의자's fee."""
    ents = [
        {"entity": "waste_item", "value": "안마", "start": 0, "end": 2},
        {"entity": "waste_item", "value": "의자", "start": 2, "end": 4},
    ]
    d, events = run(
        ActionBulkyWaste(),
        make_tracker("안마의자 버리는 비용", "ask_bulky_waste", ents, {"waste_item": "의자"}),
        domain,
    )
    fee = d.messages[0]
    assert fee["response"] == "utter_bulky_waste_fee" and fee["waste_item"] == "안마의자"
    assert "15,000원" in fee["fee_lines"] and "2,000원" not in fee["fee_lines"]
    assert events[0]["value"] == "안마의자"


def test_item_not_in_the_fee_table_gets_no_other_items_fee(directory_db, domain):
    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("돌침대 버리려면 얼마예요", "ask_bulky_waste", item("돌침대"), {"waste_item": "돌침대"}),
        domain,
    )
    assert "utter_bulky_waste_fee" not in responses(d)  # not 침대's fee
    unknown = d.messages[0]
    assert unknown["response"] == "utter_bulky_waste_fee_unknown" and unknown["waste_item"] == "돌침대"
    assert unknown["department_name"] == "자원순환과" and unknown["department_phone"] == "032-000-1200"
    near = d.messages[1]
    assert near["response"] == "utter_bulky_waste_fee_nearest"
    assert near["buttons"][0] == {"title": "침대", "payload": '/ask_bulky_waste{"waste_item":"침대"}'}

    d, _ = run(
        ActionBulkyWaste(),
        make_tracker("전기장판 버리는 비용", "ask_bulky_waste", item("전기장판"), {"waste_item": "전기장판"}),
        domain,
    )
    assert responses(d)[0] == "utter_bulky_waste_fee_unknown" and "utter_bulky_waste_fee" not in responses(d)
    assert d.messages[0]["department_phone"] == "032-000-1200"


def test_listed_items_and_their_spellings_get_their_fee(directory_db, domain):
    for text, span, value, fee in [
        ("쇼파 버리는 비용", "쇼파", "소파", "4,000원"),
        ("장롱 버리는 수수료", "장롱", "장롱", "6,000원"),
        ("냉장고 얼마예요", "냉장고", "냉장고", "5,000원"),
    ]:
        ents = [{"entity": "waste_item", "value": value, "start": 0, "end": len(span)}]
        d, _ = run(ActionBulkyWaste(), make_tracker(text, "ask_bulky_waste", ents, {"waste_item": value}), domain)
        assert d.messages[0]["response"] == "utter_bulky_waste_fee", text
        assert d.messages[0]["waste_item"] == value and fee in d.messages[0]["fee_lines"]


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


def facet(word, value, start=0):
    return {"entity": "passport_facet", "value": value, "start": start, "end": start + len(word)}


def day(text, word, value):
    start = text.index(word)
    return {"entity": "day", "value": value, "start": start, "end": start + len(word)}


def test_passport_facets_come_from_entities_most_pressing_first():
    assert passport_facets([facet("수수료", "fees"), facet("분실", "lost")]) == ["lost", "fees"]
    assert passport_facets([facet("며칠", "processing")]) == ["processing"]
    assert passport_facets([{"entity": "waste_item", "value": "lost"}]) == []


def test_passport_answers_the_facet_asked():
    for text, ents, response in [
        ("여권 잃어버렸어요", [facet("잃어버렸", "lost", 3)], "utter_passport_lost"),
        ("여권 수수료 얼마", [facet("수수료", "fees", 3)], "utter_passport_fees"),
        ("여권", [], "utter_passport_overview"),
    ]:
        d, _ = run(ActionPassport(), make_tracker(text, "ask_passport", ents), domain={})
        assert responses(d)[0] == response


def test_passport_on_saturday_answers_the_day_first(domain):
    text = "토요일에 여권 찾을 수 있어요?"
    d, _ = run(ActionPassport(), make_tracker(text, "ask_passport", [day(text, "토요일", "sat")]), domain)
    first = d.messages[0]
    assert first["response"] == "utter_passport_day_closed" and first["day"] == "토요일"
    assert "utter_passport_overview" not in responses(d)
    text = "목요일 저녁에 여권 찾을 수 있나요"
    d, _ = run(ActionPassport(), make_tracker(text, "ask_passport", [day(text, "목요일", "thu")]), domain)
    assert d.messages[0]["response"] == "utter_passport_day_open"
    assert d.messages[0]["day_hours"] == "09:00~20:00"  # the passport desk's late Thursday (profile)


def test_answer_buttons_send_exact_payloads(domain):
    """A button must not send Korean text for the NLU to guess at again."""
    for name, variations in domain["responses"].items():
        if not name.startswith(("utter_passport", "utter_office", "utter_bulky", "utter_waste", "utter_dong")):
            continue
        for v in variations:
            for b in v.get("buttons") or []:
                assert b["payload"].startswith(("/", "{", "tel:", "http")), (name, b)


def test_passport_answer_has_profile_facts(domain):
    d, _ = run(
        ActionPassport(), make_tracker("여권 발급 필요서류", "ask_passport", [facet("서류", "documents", 8)]), domain
    )
    msg = d.messages[0]
    assert msg["response"] == "utter_passport_documents"
    assert "여권용 사진" in msg["passport_documents"]


def clock(*args):
    return lambda: datetime(*args, tzinfo=KST)


def test_office_hours_on_a_holiday_weekend_and_evening(domain):
    cases = [
        ((2026, 9, 25, 10), "utter_office_closed_holiday", "9월 28일(월)"),  # 추석
        ((2026, 11, 28, 11), "utter_office_closed_weekend", "11월 30일(월)"),
        ((2026, 11, 25, 20), "utter_office_closed_after_hours", "11월 26일(목)"),
        ((2026, 11, 25, 10), "utter_office_open_now", "11월 25일(수)"),
    ]
    for when, response, next_day in cases:
        d, _ = run(ActionOfficeHours(clock(*when)), make_tracker("구청 몇 시까지", "ask_office_hours"), domain)
        assert d.messages[0]["response"] == response
        assert d.messages[0]["next_open_day"] == next_day
    d, _ = run(ActionOfficeHours(clock(2026, 9, 25, 10)), make_tracker(), domain)
    assert d.messages[0]["holiday_name"] == "추석"


def test_office_hours_for_the_day_asked_not_for_now(domain):
    text = "토요일에도 구청 해요?"
    on_a_weekday_morning = ActionOfficeHours(clock(2026, 11, 25, 10))
    d, _ = run(on_a_weekday_morning, make_tracker(text, "ask_office_hours", [day(text, "토요일", "sat")]), domain)
    assert d.messages[0]["response"] == "utter_office_day_closed" and d.messages[0]["day"] == "토요일"
    text = "평일 몇 시까지 해요"
    d, _ = run(on_a_weekday_morning, make_tracker(text, "ask_office_hours", [day(text, "평일", "weekday")]), domain)
    assert d.messages[0]["response"] == "utter_office_day_open" and d.messages[0]["day_hours"] == "09:00~18:00"


def test_a_lunch_hour_question_answers_the_lunch_hour_first_even_after_hours(domain):
    text = "구청 점심시간에도 민원 봐요?"
    lunch = {"entity": "office_facet", "value": "lunch", "start": 3, "end": 7}
    in_the_evening = ActionOfficeHours(clock(2026, 11, 25, 20))
    d, _ = run(in_the_evening, make_tracker(text, "ask_office_hours", [lunch]), domain)
    msg = d.messages[0]
    assert msg["response"] == "utter_office_lunch" and msg["lunch_hours"] == "12:00~13:00"
    # without the facet the same evening answers "open now or not", as before
    d, _ = run(in_the_evening, make_tracker("구청 몇 시까지", "ask_office_hours"), domain)
    assert d.messages[0]["response"] == "utter_office_closed_after_hours"


def test_service_links_per_intent(domain):
    for intent, response in [
        ("ask_jobs", "utter_jobs"),
        ("ask_news", "utter_news"),
        ("ask_parking_enforcement", "utter_parking_enforcement"),
    ]:
        d, _ = run(ActionServiceLink(), make_tracker(intent=intent), domain)
        assert d.messages[0]["response"] == response
        assert d.messages[0]["link_url"].startswith("https://")


def test_request_human_names_department_and_phone(directory_db, domain):
    d, _ = run(ActionRequestHuman(), make_tracker(intent="request_human"), domain)
    msg = d.messages[0]
    assert msg["response"] in ("utter_handoff_queued", "utter_handoff_callback")
    assert msg["department_phone"] and msg["department_name"]
    # Saturday 11:00 KST: a callback ticket for the next opening day, not a live officer.
    d, _ = run(ActionRequestHuman(clock(2026, 11, 28, 11)), make_tracker(intent="request_human"), domain)
    assert d.messages[0]["response"] == "utter_handoff_callback"
    assert d.messages[0]["next_open_day"] == "11월 30일(월)" and d.messages[0]["department_name"] == "민원여권과"


def test_fallback_offers_closest_services_first(domain):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_passport", "confidence": 0.3},
        {"name": "ask_office_hours", "confidence": 0.2},
    ]
    d, _ = run(ActionFallbackMenu(), make_tracker("여궈ㄴ?", "nlu_fallback", ranking=ranking), domain)
    first = d.messages[0]
    assert first["response"] == "utter_fallback"
    assert [b["payload"] for b in first["buttons"][:2]] == ["/ask_passport", "/ask_office_hours"]
    assert 1 < len(first["buttons"]) <= 4
    d, _ = run(ActionFallbackMenu(), make_tracker("오늘 날씨 어때", "out_of_scope"), domain)
    assert d.messages[0]["response"] == "utter_out_of_scope" and d.messages[0]["buttons"]


def test_a_receipt_number_the_nlu_missed_is_still_looked_up(core_db, domain):
    """ "ZZZZ-2222 조회해 주세요" may be classified out_of_scope; the receipt's fixed shape decides."""
    from actions.fallback import ActionFallbackMenu

    d = CollectingDispatcher()
    ActionFallbackMenu().run_blocking(
        d, make_tracker("ZZZZ-2222 조회해 주세요", "out_of_scope", sender="rest:stranger"), domain
    )
    assert responses(d)[-1] == "utter_complaint_not_found"
