"""Reports of any kind through the real servers' REST channel (issue 9, items 3-4): a
streetlight report filed to its department in four turns, the category changed with one
tap, the article's dumping sentence, and answers that are no answers asked again."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.stack import texts
from tests.e2e.test_complaints_journey import RECEIPT, sotong

pytestmark = pytest.mark.e2e


def talk(stack):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    return lambda message: stack.say(me, message)


def buttons(replies) -> dict:
    return {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}


def test_a_streetlight_report_is_filed_to_its_department_in_four_turns(rasa_stack):
    say = talk(rasa_stack)
    asked = texts(say("가로등이 고장났어요"))
    assert "가로등·보안등 고장 신고" in asked and "고장 난 등이 있는 곳" in asked
    assert "어떤 상황인가요" in texts(say("서곶로 45 앞이에요"))
    summary = say("밤에 불이 안 들어와서 골목이 깜깜해요")
    assert "가로등·보안등 고장 (담당: 건설과)" in texts(summary) and "서곶로 45 앞" in texts(summary)
    filed = texts(say("네"))
    receipt = RECEIPT.search(filed).group(1)
    assert "건설과에서" in filed
    shown = sotong(rasa_stack, "complaints", "show", receipt)
    assert "가로등·보안등 고장" in shown


def test_the_category_changes_with_one_tap_on_the_summary(rasa_stack):
    say = talk(rasa_stack)
    say("가로등 고장 신고할게요")
    say("서곶로 77 앞")
    summary = say("가로등 밑 도로에 큰 구멍이 파였어요")
    assert "가로등·보안등 고장" in texts(summary)
    taps = buttons(summary)
    tap = taps["종류: 도로 파손(포트홀)"]
    assert tap == '/report_problem{"complaint_category": "road_damage"}'  # an exact payload, not words
    again = texts(say(tap))
    assert "도로 파손(포트홀) (담당: 건설과)" in again and "이대로 접수할까요" in again
    receipt = RECEIPT.search(texts(say("/affirm"))).group(1)
    assert "도로 파손(포트홀)" in sotong(rasa_stack, "complaints", "show", receipt)


def test_every_category_can_be_picked_from_the_list(rasa_stack):
    say = talk(rasa_stack)
    say("무단투기 신고할게요")
    say("서곶로 12 앞")
    taps = buttons(say("누가 의자를 버리고 갔어요"))
    listing = say(taps["다른 종류 고르기"])
    choices = buttons(listing)
    assert len(choices) >= 11 and "제설" in choices and "소음" in choices
    assert "제설 (담당: 안전총괄과)" in texts(say(choices["제설"]))


def test_the_articles_sentence_opens_a_dumping_report(rasa_stack):
    say = talk(rasa_stack)
    reply = texts(say("집 앞에 쓰레기봉투가 계속 쌓여요. 신고하고 싶어요"))
    assert "무단투기 신고를 도와드릴게요" in reply and "판매소" not in reply


def test_yes_is_asked_again_and_an_address_with_a_lot_number_is_taken(rasa_stack):
    say = talk(rasa_stack)
    say("무단투기 신고할래요")
    again = texts(say("네"))
    assert "위치를 알아야" in again and "어디인가요" in again
    described = texts(say("가정동 123-4 빌라 앞"))
    assert "어떤 상황인가요" in described and "동 목록에서 찾지 못했어요" not in described
    assert "위치: 네" not in texts(say("네"))  # "네" is no description either
    summary = texts(say("쓰레기봉투 열 개가 버려져 있어요"))
    assert "위치: 가정동 123-4 빌라 앞" in summary and "내용: 쓰레기봉투 열 개가" in summary


def test_place_and_details_in_one_answer_fill_both(rasa_stack):
    say = talk(rasa_stack)
    say("불법주차 신고할게요")
    summary = texts(say("청라동 커낼웨이 앞 흰색 소나타 12가3456"))
    assert "이대로 접수할까요" in summary
    assert "위치: 청라동 커낼웨이 앞" in summary and re.search(r"내용: .*12가3456", summary)
