"""The district FAQ and the honest "I don't know", through the real Rasa + action servers (REST).

Expected facts are read from the catalogue (district/<name>/faq/*.yml), the same files the
bot answers from, so staff edits do not break these tests but a wrong topic does.
"""

from __future__ import annotations

import json
import uuid

import pytest

from sotong.district import load_profile
from sotong.faq import load_catalogue
from sotong.faq.departments import load_directory
from sotong.settings import load_settings
from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e

# (question a resident types, topic that must answer it) — one or two per area; none of these
# wordings is a training example
QUESTIONS = [
    ("전입신고는 어떻게 해요", "move_in_report"),
    ("인감 증명 떼러 가려는데 뭐 필요해요", "seal_certificate"),
    ("재산세 고지서 언제 날라와요", "property_tax"),
    ("기초연금 누가 받아요", "basic_pension"),
    ("음쓰 버리는 방법 알려줘", "food_waste_disposal"),
    ("공영 주차장 한시간에 얼마에요", "public_parking_lot"),
    ("독감 예방접종 어디서 맞아요", "flu_vaccination"),
    ("구립 도서관 책 빌리려면 회원증 필요해요?", "public_library"),
    ("민방위 훈련 올해 일정 알려줘", "civil_defense_training"),
    ("일반음식점 영업신고 하려면", "restaurant_business_report"),
    ("건축물대장 떼는법", "building_register_copy"),
]
# 구청 matters no topic or service covers: an honest pointer, never another answer.
NEAR_SCOPE = ["강아지 동물등록 어디서 해요", "개별공시지가 이의신청 하려면요", "정화조 청소 주기 알려주세요"]


def sender() -> str:
    return f"e2e-faq-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(load_settings().district_dir)


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("question, topic_id", QUESTIONS)
def test_question_gets_its_topic_answer_with_department(rasa_stack, catalogue, question, topic_id):
    topic = catalogue.topic(topic_id)
    replies = rasa_stack.say(sender(), question)
    said = one_line(texts(replies))
    assert one_line(topic.answer)[:60] in said
    assert topic.department in said and topic.phone in said
    payloads = [b.get("payload", "") for r in replies for b in r.get("buttons", [])]
    if topic.online:
        assert topic.online.url in payloads
    if topic.sample:
        assert "시범 운영용 예시" in said


def test_related_topic_button_answers_that_topic_exactly(rasa_stack, catalogue):
    who = sender()
    replies = rasa_stack.say(who, "재산세 고지서 언제 날라와요")
    related = [b for r in replies for b in r.get("buttons", []) if b.get("payload", "").startswith("/faq{")]
    assert related and len(related) <= 3
    target = catalogue.topic(json.loads(related[0]["payload"][len("/faq") :])["faq_topic"])
    said = one_line(texts(rasa_stack.say(who, related[0]["payload"])))
    assert one_line(target.answer)[:60] in said


@pytest.mark.parametrize("question", NEAR_SCOPE)
def test_near_scope_question_gets_an_honest_pointer_not_another_answer(rasa_stack, catalogue, question):
    replies = rasa_stack.say(sender(), question)
    said = one_line(texts(replies))
    # a refusal (the honest "not yet" with a department, or the fallback) that always leaves the main number
    assert any(p in said for p in ("아직 제가 안내하지 못해요", "도와드리기 어려운", "이해하지 못했어요"))
    assert load_profile().main_phone in said
    assert not any(one_line(t.answer)[:40] in said for t in catalogue.topics.values())
    # never a dead end: close topics (only those sharing wording with the question), the menu, or a person
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert len(buttons) <= 4 and all(b.get("payload", "").startswith("/") for b in buttons)
    assert buttons or "상담원 연결" in said


def test_uncovered_matter_is_pointed_to_the_department_the_directory_lists(rasa_stack):
    """ "강아지 동물등록" is in no catalogue topic; departments.yml says who handles it, and the
    resident hears that department and its phone (before the directory: 노인장애인과, wrong)."""
    question = "강아지 동물등록 어디서 해요"
    match = load_directory(load_settings().district_dir).match(question)
    assert match is not None, "the sample departments.yml should list 동물등록"
    said = one_line(texts(rasa_stack.say(sender(), question)))
    assert "아직 제가 안내하지 못해요" in said
    assert f"{match.department.name}({match.department.phone})" in said


@pytest.mark.parametrize("question", ["불났어요", "사람이 쓰러졌어요 도와주세요"])
def test_an_emergency_is_told_to_phone_119_or_112_now(rasa_stack, catalogue, question):
    """Whatever the NLU makes of it (the FAQ topic, or the fallback where departments.yml names
    the topic), an emergency never gets the menu or a "maybe this department" line."""
    said = one_line(texts(rasa_stack.say(sender(), question)))
    assert one_line(catalogue.topic("emergency_calls").answer)[:60] in said
    assert "맡는 일이라면" not in said


def test_a_crisis_is_answered_whatever_the_classifier_makes_of_it(rasa_stack, catalogue):
    """ "죽고 싶어요 살려주세요" was classified as a report and opened a report form; the NLU's
    urgent-words override (sotong/nlu/urgent.py) makes it the crisis lines, with no form."""
    for question in ("죽고 싶어요 살려주세요", "안녕하세요 죽고싶어요"):
        said = one_line(texts(rasa_stack.say(sender(), question)))
        assert one_line(catalogue.topic("mental_health_center").answer)[:60] in said, question
        assert "어디" not in said and "신고를 도와드릴게요" not in said  # no report form asking where


def test_urgent_words_in_the_middle_of_a_report_stop_it_unfiled(rasa_stack, catalogue):
    who = sender()
    assert "신고" in texts(rasa_stack.say(who, "가로등이 고장났어요"))
    said = one_line(texts(rasa_stack.say(who, "잠깐만요 집에 불났어요")))
    assert one_line(catalogue.topic("emergency_calls").answer)[:60] in said
    assert "접수하지 않고 멈췄어요" in said and "알겠어요" not in said
    # the form is over: the next message is a new question, not the report's "where?"
    after = one_line(texts(rasa_stack.say(who, "구청 몇시까지 해요")))
    assert "고장 난 등이 있는 곳" not in after and "시" in after


def test_urgent_words_while_the_bot_asks_for_a_dong_stop_that_question(rasa_stack, catalogue):
    who = sender()
    assert "어느 동" in texts(rasa_stack.say(who, "종량제봉투 어디서 사요"))
    said = one_line(texts(rasa_stack.say(who, "죽고 싶어요")))
    assert "109" in said and "어느 동" not in said and "함께 많이 찾는" not in said
