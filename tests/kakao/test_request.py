"""Parsing Kakao skill requests (documented shapes in fixtures/) into Rasa input."""

import json

import pytest

from connectors.kakao import payloads
from connectors.kakao.request import BadSkillRequest, InputMapping, parse_skill_request


def _parse(body, **kwargs):
    return parse_skill_request(json.dumps(body, ensure_ascii=False).encode("utf-8"), **kwargs)


def test_text_message(fixture_body) -> None:
    body = fixture_body("text_message")
    skill = _parse(body)
    # Namespaced: no REST or web caller can name a Kakao resident's conversation (issue 7).
    assert skill.sender_id == "kakao:" + body["userRequest"]["user"]["id"]
    assert skill.metadata["kakao"]["user_id"] == body["userRequest"]["user"]["id"]
    assert skill.text == skill.utterance == "청라동 쓰레기봉투 어디서 사요"
    assert skill.bot_id == "5f0000000000000000000001"
    assert skill.callback_url is None and skill.more is None
    kakao = skill.metadata["kakao"]
    assert kakao["plusfriend_user_key"] == "pfk_Xy12AbC"
    assert kakao["app_user_id"] == "2345678901"
    assert kakao["is_friend"] is True
    assert kakao["bot_id"] == "5f0000000000000000000001"
    assert kakao["block"] == {"id": "5f00000000000000000000b1", "name": "폴백 블록"}
    assert kakao["params"] == {} and kakao["detail_params"] == {} and kakao["client_extra"] == {}
    assert kakao["photo_urls"] == [] and kakao["location"] is None


def test_callback_url_is_kept(fixture_body) -> None:
    skill = _parse(fixture_body("callback_message"))
    assert skill.callback_url.startswith("https://bot-api.kakao.com/callback/")
    assert skill.metadata["kakao"]["callback_url"] == skill.callback_url


def test_tapped_quick_reply_routes_its_payload(fixture_body) -> None:
    skill = _parse(fixture_body("quick_reply_tap"))
    assert skill.text == "/report_dumping"
    assert skill.utterance == "무단투기 신고하기"
    assert skill.metadata["kakao"]["client_extra"] == {"payload": "/report_dumping"}
    assert skill.metadata["kakao"]["is_friend"] is None  # isFriend may be missing


def test_secure_image_plugin_photo(fixture_body) -> None:
    skill = _parse(fixture_body("secureimage_photo"))
    urls = skill.metadata["kakao"]["photo_urls"]
    assert urls == [
        "https://talk.kakaocdn.net/dna/abc/img_1.jpg?credential=x&expires=1",
        "https://talk.kakaocdn.net/dna/abc/img_2.jpg?credential=y&expires=1",
    ]
    assert skill.text == "/inform" + json.dumps({"photo_url": urls[0]}, ensure_ascii=False)


def test_image_sent_in_chat(fixture_body) -> None:
    skill = _parse(fixture_body("image_in_chat"))
    # Kakao sends chat images as http://dn-m.talk.kakao.com/...: same Kakao host, fetched over https.
    url = "https://dn-m.talk.kakao.com/talkm/bl4Yk0c3qXB/abcDEF/i_1x2y3z.jpg"
    assert skill.metadata["kakao"]["photo_urls"] == [url]
    assert json.loads(skill.text[len("/inform") :]) == {"photo_url": url}


def test_location_parameter(fixture_body) -> None:
    skill = _parse(fixture_body("location_param"))
    assert skill.metadata["kakao"]["location"] == {"address": "인천 서구 청라커낼로 252"}
    assert skill.text == '/inform{"address": "인천 서구 청라커낼로 252"}'


def test_location_with_coordinates_only() -> None:
    body = payloads.skill_request("위치", params={"location": json.dumps({"latitude": 37.53, "longitude": 126.65})})
    skill = _parse(body)
    assert skill.metadata["kakao"]["location"] == {"address": "37.53,126.65", "latitude": 37.53, "longitude": 126.65}


def test_photo_and_location_together_and_custom_names() -> None:
    body = payloads.skill_request(
        "신고", params={"evidence": "https://talk.kakaocdn.net/dna/p.jpg", "spot": "가정동 1"}
    )
    mapping = InputMapping(
        photo_params=("evidence",),
        location_params=("spot",),
        inform_intent="provide",
        photo_entity="photo",
        location_entity="place",
    )
    skill = _parse(body, mapping=mapping)
    assert skill.text == '/provide{"photo": "https://talk.kakaocdn.net/dna/p.jpg", "place": "가정동 1"}'


def test_plain_link_in_chat_is_not_a_photo() -> None:
    skill = _parse(payloads.skill_request("https://www.seo.incheon.kr/notice"))
    assert skill.text == "https://www.seo.incheon.kr/notice"
    assert skill.metadata["kakao"]["photo_urls"] == []


def test_admin_bot_tester_shape(fixture_body) -> None:
    skill = _parse(fixture_body("admin_bot_test"))
    assert skill.sender_id == "kakao:test-user-key"
    assert skill.metadata["kakao"]["request_params"]["surface"] == "BuilderBotTest"
    assert skill.metadata["kakao"]["client_extra"] == {}


def test_paging_tap() -> None:
    skill = _parse(payloads.skill_request("더 보기", client_extra={"kakao_more": "abc:1"}))
    assert skill.more == "abc:1"


def test_fingerprint_ignores_callback_url_but_not_the_message(fixture_body) -> None:
    first = fixture_body("callback_message")
    retry = fixture_body("callback_message")
    retry["userRequest"]["callbackUrl"] = "https://bot-api.kakao.com/callback/another"
    other = fixture_body("callback_message")
    other["userRequest"]["utterance"] = "다른 질문"
    assert _parse(first).fingerprint == _parse(retry).fingerprint
    assert _parse(first).fingerprint != _parse(other).fingerprint
    assert _parse(first, request_id="r1").fingerprint != _parse(first, request_id="r2").fingerprint


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"{}",
        b'{"userRequest": "x"}',
        b'{"userRequest": {"user": {"id": "u"}}}',
        b'{"userRequest": {"utterance": 5, "user": {"id": "u"}}}',
        b'{"userRequest": {"utterance": "hi"}}',
        b'{"userRequest": {"utterance": "hi", "user": {"id": ""}}}',
        b'{"userRequest": {"utterance": "   ", "user": {"id": "u"}}}',
    ],
)
def test_malformed_requests_are_rejected(raw: bytes) -> None:
    with pytest.raises(BadSkillRequest):
        parse_skill_request(raw)
