"""The real Rasa server and action server over HTTP (REST channel), as a resident uses them."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_blanket_question_gets_the_bulky_waste_answer(rasa_stack):
    replies = rasa_stack.say(sender(), "이불 버리려면 어떻게 해요?")
    said = texts(replies)
    assert "이불" in said and "2,000원" in said  # fee from the sample fee table
    assert "신고" in said and "필증" in said  # how to apply
    assert "예시 자료" in said  # sample data is announced as such


def test_waste_bags_in_cheongna(rasa_stack):
    said = texts(rasa_stack.say(sender(), "청라동 쓰레기봉투 어디서 사요"))
    assert "청라동 근처 종량제봉투 판매처" in said
    assert "(샘플) 청라" in said


def test_waste_bags_asks_for_the_dong_then_answers(rasa_stack):
    who = sender()
    assert "어느 동에 사세요" in texts(rasa_stack.say(who, "쓰레기봉투 어디서 팔아요?"))
    assert "가정동 근처 종량제봉투 판매처" in texts(rasa_stack.say(who, "가정동이요"))


def test_passport_documents(rasa_stack):
    said = texts(rasa_stack.say(sender(), "여권 발급 필요서류"))
    assert "여권용 사진" in said and "신분증" in said


def test_a_lunch_hour_question_gets_the_lunch_hour_at_any_time_of_day(rasa_stack):
    """The facet asked about first: the answer used to be "open now or not" at whatever time it was."""
    said = texts(rasa_stack.say(sender(), "구청 점심시간에도 민원 봐요?"))
    assert "점심시간(12:00~13:00)에도" in said and "지금은" not in said


def test_weather_gets_a_way_forward_not_a_dead_end(rasa_stack):
    replies = rasa_stack.say(sender(), "오늘 날씨 어때")
    assert "도와드리기 어려운" in texts(replies) or "이해하지 못했어요" in texts(replies)
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert 1 < len(buttons) <= 4


def test_greeting_shows_the_main_menu(rasa_stack):
    replies = rasa_stack.say(sender(), "안녕하세요")
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "여권 발급" in titles and "무단투기 신고" in titles and len(titles) <= 10  # KakaoTalk shows 10


def test_typos_and_missing_spaces(rasa_stack):
    said = texts(rasa_stack.say(sender(), "쇼파버리려면얼마에요"))
    assert "소파" in said and "원" in said


# (Messages over the length cap get a 413 with a Korean reply: tests/security/test_channels.py.)
@pytest.mark.parametrize(
    "message",
    ["", "   ", "ㅋ" * 2_000, "😀🙏🔥", "\x00\x01", "<script>alert(1)</script>", "'; DROP TABLE complaint; --"],
)
def test_odd_messages_get_a_reply_never_a_500(rasa_stack, message):
    resp = requests.post(
        f"{rasa_stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender(), "message": message}, timeout=60
    )
    assert resp.status_code == 200
    assert isinstance(resp.json(), list)


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'{"sender": 5}', b'{"message": {"a": 1}}'])
def test_malformed_bodies_are_4xx_not_500(rasa_stack, body):
    resp = requests.post(
        f"{rasa_stack.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert resp.status_code < 500, resp.text[:200]


def test_http_api_needs_the_token(rasa_stack):
    resp = requests.get(f"{rasa_stack.rasa_url}/conversations/x/tracker", timeout=10)
    assert resp.status_code == 401


def test_a_rest_client_cannot_pose_as_another_channel(rasa_stack):
    who = sender()
    resp = requests.post(
        f"{rasa_stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": who, "message": "안녕하세요", "input_channel": "kakao"},
        timeout=30,
    )
    assert resp.status_code == 200
    assert rasa_stack.tracker(f"rest:{who}")["latest_input_channel"] == "rest"  # REST's conversation id
