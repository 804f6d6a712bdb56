"""Issue 7, findings 2, 5 and 9 — the REST channel, probed on the real Rasa + action servers.

A REST caller can never be a KakaoTalk resident (conversation ids are namespaced per
channel), every input is bounded at the edge with a Korean 4xx answer, each sender has
a message rate limit, and in production mode the REST channel is off without a token.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
import yaml

from connectors.kakao import payloads
from tests.e2e.stack import ROOT, RasaStack, texts

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")
MESSAGES = yaml.safe_load((ROOT / "connectors" / "messages.yml").read_text(encoding="utf-8"))
HANGUL = re.compile(r"[가-힣]")


def rest(stack: RasaStack, body: Any, headers: dict[str, str] = None, timeout: float = 60) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
        timeout=timeout,
    )


def assert_korean_refusal(resp: requests.Response, status: int, key: str) -> None:
    assert resp.status_code == status, resp.text[:300]
    body = resp.json()
    assert isinstance(body, list) and body[0]["error"] == key
    assert HANGUL.search(body[0]["text"]) and "Traceback" not in resp.text


def user_texts(stack: RasaStack, conversation: str) -> list[str]:
    events = stack.tracker(conversation).get("events") or []
    return [e.get("text") or "" for e in events if e.get("event") == "user"]


# --- finding 2: a REST caller using a KakaoTalk user's id -------------------------------------


def kakao_says(stack: RasaStack, user: str, text: str) -> dict[str, Any]:
    resp = requests.post(
        f"{stack.rasa_url}/webhooks/kakao/webhook",
        data=json.dumps(payloads.skill_request(text, user), ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "X-Kakao-Skill-Secret": stack.kakao_secret},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text[:300]
    return resp.json()


def test_a_rest_caller_using_a_kakao_users_id_sees_nothing_of_that_resident(rasa_stack):
    kakao_user = f"kakao-resident-{uuid.uuid4().hex[:10]}"
    for text in ("무단투기 신고할게요", "서곶로 321 앞이에요", "쓰레기봉투가 일주일째 쌓여서 냄새가 나요", "네"):
        answer = kakao_says(rasa_stack, kakao_user, text)
    filed = payloads.response_texts(answer)
    if not RECEIPT.search(filed):  # a slow turn is held for the next message (no callbackUrl here)
        filed += payloads.response_texts(kakao_says(rasa_stack, kakao_user, "내 민원 어떻게 됐어요?"))
    receipt = RECEIPT.search(filed).group(1)

    for posing_as in (kakao_user, f"kakao:{kakao_user}"):
        mine = texts(rasa_stack.say(posing_as, "내 민원 어떻게 됐어요?"))
        theirs = texts(rasa_stack.say(posing_as, f"{receipt} 조회해 주세요"))
        assert receipt not in mine and "서곶로 321" not in mine
        assert receipt not in theirs and "서곶로 321" not in theirs and "찾지 못했어요" in theirs
        # Separate conversations: nothing the resident said is in the REST caller's tracker.
        assert not any("서곶로 321" in t for t in user_texts(rasa_stack, f"rest:{posing_as}"))

    # The resident still has it, in their own conversation.
    assert receipt in payloads.response_texts(kakao_says(rasa_stack, kakao_user, f"{receipt} 조회해 주세요"))


# --- finding 5: input bounds ------------------------------------------------------------------


def test_a_body_over_the_cap_is_413_before_it_is_read(rasa_stack):
    resp = rest(rasa_stack, {"sender": "big", "message": "안녕", "pad": "x" * 100_000})
    assert_korean_refusal(resp, 413, "too_large")


@pytest.mark.parametrize("message", ["a" * 60_000, "가" * 20_000], ids=["60KB-ascii", "60KB-hangul"])
def test_a_60kb_utterance_gets_a_korean_4xx_within_a_second(rasa_stack, message):
    started = time.monotonic()
    resp = rest(rasa_stack, {"sender": f"long-{uuid.uuid4().hex[:6]}", "message": message})
    elapsed = time.monotonic() - started
    assert resp.status_code == 413 and resp.json()[0]["error"] in ("message_too_long", "too_large")
    assert HANGUL.search(resp.json()[0]["text"])
    assert elapsed < 1.0, f"{elapsed:.2f}s"


def test_a_message_just_over_the_length_cap_is_refused_in_korean(rasa_stack):
    resp = rest(rasa_stack, {"sender": "long", "message": "ㅋ" * 2_001})
    assert_korean_refusal(resp, 413, "message_too_long")
    assert "2,000자" in resp.json()[0]["text"]


@pytest.mark.parametrize("depth", [500, 10_000])
def test_deeply_nested_json_is_400(rasa_stack, depth):
    nested = "[" * depth + "]" * depth
    who = f"deep-{uuid.uuid4().hex[:6]}"
    body = f'{{"sender": "{who}", "message": "안녕하세요", "metadata": {{"a": {nested}}}}}'.encode()
    assert_korean_refusal(rest(rasa_stack, body), 400, "too_deep")
    assert rest(rasa_stack, {"sender": who, "message": "안녕하세요"}).status_code == 200  # still serving


def test_metadata_is_not_stored_in_the_tracker(rasa_stack):
    who = f"meta-{uuid.uuid4().hex[:6]}"
    resp = rest(
        rasa_stack,
        {
            "sender": who,
            "message": "안녕하세요",
            "metadata": {"blob": "x" * 30_000, "kakao": {"user_id": "someone-else"}},
        },
    )
    assert resp.status_code == 200
    events = rasa_stack.tracker(f"rest:{who}")["events"]
    stored = [e.get("metadata") or {} for e in events if e.get("event") == "user"]
    assert stored and all("blob" not in m and "kakao" not in m for m in stored)


@pytest.mark.parametrize("sender", ["", "x" * 129, "a\nb", 5, None])
def test_a_bad_sender_is_a_korean_400(rasa_stack, sender):
    assert_korean_refusal(rest(rasa_stack, {"sender": sender, "message": "안녕"}), 400, "bad_sender")


def test_replies_name_the_sender_the_client_sent(rasa_stack):
    who = f"echo-{uuid.uuid4().hex[:6]}"
    replies = rest(rasa_stack, {"sender": who, "message": "안녕하세요"}).json()
    assert replies and {r["recipient_id"] for r in replies} == {who}


# --- finding 9: per-sender message rate ----------------------------------------------------------


def test_one_sender_over_the_message_rate_gets_a_korean_429(rasa_stack):
    limit = int(rasa_stack.env.get("SOTONG_MESSAGE_RATE", "30/60").split("/")[0])
    who = f"flood-{uuid.uuid4().hex[:6]}"
    # All at once: the limit counts arrivals, so the test does not depend on how fast Rasa answers.
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: rest(rasa_stack, {"sender": who, "message": "안녕"}, timeout=180), range(limit + 1))
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * limit + [429], statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert_korean_refusal(refused, 429, "rate_limited")
    assert refused.headers.get("Retry-After")
    # Another sender is not affected.
    assert rest(rasa_stack, {"sender": f"calm-{uuid.uuid4().hex[:6]}", "message": "안녕"}).status_code == 200


# --- finding 2: production mode without a REST token ---------------------------------------------


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory):
    stack = RasaStack(
        tmp_path_factory.mktemp("production-stack"),
        extra_env={
            "SOTONG_MODE": "production",
            "KAKAO_ALLOWED_BOT_IDS": payloads.DEFAULT_BOT_ID,
            "SOTONG_REST_TOKEN": "",
        },
    )
    stack.start()
    yield stack
    stack.stop()


def test_production_without_a_rest_token_turns_the_rest_channel_off(production_stack):
    who = f"prod-{uuid.uuid4().hex[:6]}"
    for headers in ({}, {"Authorization": "Bearer guess"}):
        assert_korean_refusal(
            rest(production_stack, {"sender": who, "message": "안녕하세요"}, headers), 403, "rest_disabled"
        )
    assert user_texts(production_stack, f"rest:{who}") == []  # nothing reached the dialogue
