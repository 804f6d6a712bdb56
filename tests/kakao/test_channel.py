"""The channel over real HTTP: Sanic blueprint on loopback, aiohttp client,
a real (echo) dialogue coroutine, and a loopback server receiving callbacks.

The slow path is forced deterministically with a tiny reply deadline (0.01 s)
and a dialogue that sleeps longer than that.
"""

import asyncio
import dataclasses
import json
from typing import Any

import aiohttp
import pytest

from connectors.kakao import payloads
from connectors.kakao.channel import KakaoInput
from connectors.kakao.config import load_config
from connectors.kakao.limits import response_violations
from connectors.kakao.render import MORE_KEY
from tests.kakao.kakao_testkit import Dialogue, all_texts, serve_channel

SLOW = 0.3  # dialogue time on the slow path; the deadline there is 0.01 s


def channel(environ: dict[str, str] | None = None, **options: Any) -> KakaoInput:
    return KakaoInput(load_config(options, environ=environ or {}, production=False))


async def post(
    url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.post(
            url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
        ) as reply:
            return reply.status, json.loads(await reply.text())


def first_text(response: dict[str, Any]) -> str:
    return response["template"]["outputs"][0]["simpleText"]["text"]


# --- the ordinary path --------------------------------------------------------------------


async def test_health() -> None:
    async with serve_channel(channel(), Dialogue()) as url:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.get(url.rsplit("/webhook", 1)[0] + "/") as reply:
                assert reply.status == 200 and await reply.json() == {"status": "ok"}


async def test_text_message_is_answered_in_time(fixture_body) -> None:
    dialogue = Dialogue()
    body = fixture_body("text_message")
    async with serve_channel(channel(), dialogue) as url:
        status, response = await post(url, body)
    assert status == 200
    assert response == {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": "echo: 청라동 쓰레기봉투 어디서 사요"}}]},
    }
    [message] = dialogue.messages
    assert message.sender_id == "kakao:" + body["userRequest"]["user"]["id"]
    assert message.input_channel == "kakao"
    assert message.metadata["kakao"]["plusfriend_user_key"] == "pfk_Xy12AbC"
    assert message.metadata["kakao"]["bot_id"] == "5f0000000000000000000001"


async def test_buttons_route_payload_on_tap() -> None:
    dialogue = Dialogue(buttons=[{"title": "무단투기 신고하기", "payload": "/report_dumping"}])
    async with serve_channel(channel(), dialogue) as url:
        _, response = await post(url, payloads.skill_request("안녕하세요", "tapper"))
        [reply] = response["template"]["quickReplies"]
        assert reply["messageText"] == "무단투기 신고하기"
        await post(url, payloads.quick_reply_request(reply, "tapper"))
    assert dialogue.texts == ["안녕하세요", "/report_dumping"]
    assert dialogue.messages[1].metadata["kakao"]["utterance"] == "무단투기 신고하기"


async def test_photo_and_location_reach_the_dialogue(fixture_body) -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(), dialogue) as url:
        await post(url, payloads.photo_request("https://talk.kakaocdn.net/dna/x/evidence.jpg?credential=z", "reporter"))
        await post(url, payloads.location_request("인천 서구 가정로 100", "reporter"))
    photo, location = dialogue.messages
    assert photo.text == '/inform{"photo_url": "https://talk.kakaocdn.net/dna/x/evidence.jpg?credential=z"}'
    assert photo.metadata["kakao"]["photo_urls"] == ["https://talk.kakaocdn.net/dna/x/evidence.jpg?credential=z"]
    assert location.text == '/inform{"address": "인천 서구 가정로 100"}'


async def test_dialogue_failure_is_an_apology_not_a_500(texts) -> None:
    async with serve_channel(channel(), Dialogue(fail=True)) as url:
        status, response = await post(url, payloads.skill_request("안녕"))
    assert status == 200
    assert first_text(response) == texts.internal_error


async def test_long_answer_pages_with_more_button(texts) -> None:
    async def long_answer(message: Any) -> None:
        for letter in "가나다라":
            await message.output_channel.send_text_message(message.sender_id, letter * 900)

    async with serve_channel(channel(), long_answer) as url:
        _, first = await post(url, payloads.skill_request("긴 답변", "pager"))
        [more] = first["template"]["quickReplies"]
        assert more["label"] == texts.more_label and MORE_KEY in more["extra"]
        _, second = await post(url, payloads.quick_reply_request(more, "pager"))
        _, again = await post(url, payloads.quick_reply_request(more, "pager"))  # a retried tap
        _, stale = await post(url, payloads.skill_request("더 보기", "pager", client_extra={MORE_KEY: "old:1"}))
    assert response_violations(first) == [] and response_violations(second) == []
    assert first_text(second) == "라" * 900 and again == second
    assert first_text(stale) == texts.more_expired


# --- safety ------------------------------------------------------------------------------------


async def test_secret_header_is_required_when_configured(texts) -> None:
    dialogue = Dialogue()
    secured = channel(secret_header_name="X-Skill-Secret", secret_header_value="open-sesame")
    async with serve_channel(secured, dialogue) as url:
        missing = await post(url, payloads.skill_request("안녕"))
        wrong = await post(url, payloads.skill_request("안녕"), {"X-Skill-Secret": "guess"})
        right = await post(url, payloads.skill_request("안녕"), {"X-Skill-Secret": "open-sesame"})
    assert (
        missing
        == wrong
        == (401, {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": texts.unauthorized}}]}})
    )
    assert right[0] == 200
    assert len(dialogue.messages) == 1


async def test_other_bots_are_forbidden(texts) -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(allowed_bot_ids="bot-live,bot-test"), dialogue) as url:
        foreign = await post(url, payloads.skill_request("안녕", bot_id="someone-else"))
        ours = await post(url, payloads.skill_request("안녕", bot_id="bot-test"))
    assert foreign[0] == 403 and first_text(foreign[1]) == texts.forbidden
    assert ours[0] == 200 and len(dialogue.messages) == 1


async def test_oversized_bodies_are_refused(texts) -> None:
    dialogue = Dialogue()
    big = payloads.skill_request("가" * 5000)
    async with serve_channel(channel(max_body_bytes=4096), dialogue) as url:
        declared = await post(url, big)

        async def chunks():  # no Content-Length: the limit applies while streaming
            raw = json.dumps(big).encode()
            for start in range(0, len(raw), 1000):
                yield raw[start : start + 1000]

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.post(url, data=chunks()) as reply:
                streamed = (reply.status, await reply.json())
        small = await post(url, payloads.skill_request("안녕"))
    assert declared[0] == streamed[0] == 413
    assert first_text(declared[1]) == texts.too_large
    assert small[0] == 200 and len(dialogue.messages) == 1


@pytest.mark.parametrize(
    "raw",
    [b"", b"{not json", b"[1, 2]", b'{"userRequest": {"user": {"id": "u"}}}', b'{"userRequest": {"utterance": "hi"}}'],
)
async def test_malformed_bodies_get_a_kakao_shaped_400(raw: bytes, texts) -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(), dialogue) as url:
        status, response = await post(url, raw)
    assert status == 400
    assert response == {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": texts.bad_request}}]}}
    assert dialogue.messages == []


# --- the 5-second rule: callback path -------------------------------------------------------------


async def test_slow_answer_goes_to_the_callback_url(callback_server, texts) -> None:
    receiver = callback_server()
    dialogue = Dialogue(delay=SLOW)
    kakao = channel(receiver.environ(), reply_deadline_seconds=0.01)
    async with serve_channel(kakao, dialogue) as url:
        status, ack = await post(url, payloads.skill_request("느린 질문", "slow-1", callback_url=receiver.url("a")))
        assert status == 200
        assert ack == {"version": "2.0", "useCallback": True, "data": {"text": texts.callback_wait}}
        assert dialogue.finished == 0  # answered before the dialogue finished...
        [delivered] = await receiver.wait_for(1)
        await kakao.drain(5)
    assert dialogue.finished == 1  # ...which was not cancelled
    assert delivered["path"] == "/callback/a"
    assert first_text(delivered["body"]) == "echo: 느린 질문"
    assert response_violations(delivered["body"]) == []


async def test_callback_is_retried_after_a_failure(callback_server) -> None:
    receiver = callback_server(statuses=[503])
    kakao = channel(receiver.environ(), reply_deadline_seconds=0.01)
    async with serve_channel(kakao, Dialogue(delay=SLOW)) as url:
        await post(url, payloads.skill_request("느린 질문", "slow-2", callback_url=receiver.url()))
        await receiver.wait_for(2)
        await kakao.drain(5)
    assert [r["status"] for r in receiver.received] == [503, 200]
    assert receiver.received[0]["body"] == receiver.received[1]["body"]


async def test_refused_callback_is_shown_on_the_next_message(callback_server, texts) -> None:
    receiver = callback_server(statuses=[400])
    kakao = channel(receiver.environ(), reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        await post(url, payloads.skill_request("느린 질문", "slow-3", callback_url=receiver.url()))
        await receiver.wait_for(1)
        await kakao.drain(5)
        dialogue.delay = 0
        # The next answer must come in time even on a busy machine (it reads the database too).
        kakao.config = dataclasses.replace(kakao.config, reply_deadline_seconds=4.5)
        _, later = await post(url, payloads.skill_request("다음 질문", "slow-3"))
    shown = all_texts(later)
    assert texts.held_intro in shown and "echo: 느린 질문" in shown and "echo: 다음 질문" in shown
    assert shown.index("echo: 느린 질문") < shown.index("echo: 다음 질문")


# --- the 5-second rule: no callback ------------------------------------------------------------------


async def test_without_callback_the_answer_comes_with_the_next_message(texts) -> None:
    kakao = channel(reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        _, now = await post(url, payloads.skill_request("느린 질문", "held-1"))
        assert first_text(now) == texts.processing
        await kakao.drain(5)
        dialogue.delay = 0
        kakao.config = load_config({}, environ={})  # normal deadline again
        _, later = await post(url, payloads.skill_request("고마워요", "held-1"))
        _, after = await post(url, payloads.skill_request("또 질문", "held-1"))
    assert response_violations(later) == []
    assert all_texts(later).split("\n") == [texts.held_intro, "echo: 느린 질문", "echo: 고마워요"]
    assert all_texts(after) == "echo: 또 질문"  # shown once only
    assert dialogue.texts == ["느린 질문", "고마워요", "또 질문"]


async def test_client_hanging_up_does_not_cancel_the_work() -> None:
    kakao = channel(reply_deadline_seconds=2.0)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        with pytest.raises(asyncio.TimeoutError):
            await post(url, payloads.skill_request("끊긴 질문", "hangup-1"), timeout=0.05)
        await asyncio.sleep(0.05)
        await kakao.drain(5)
        dialogue.delay = 0
        _, later = await post(url, payloads.skill_request("여보세요", "hangup-1"))
    assert dialogue.finished == 2
    assert "echo: 끊긴 질문" in all_texts(later)


# --- retried deliveries -------------------------------------------------------------------------------


async def test_concurrent_duplicates_run_the_dialogue_once(texts) -> None:
    kakao = channel(reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    body = payloads.skill_request("중복 질문", "dup-1")
    async with serve_channel(kakao, dialogue) as url:
        first, second = await asyncio.gather(post(url, body), post(url, body))
        await kakao.drain(5)
        retry = await post(url, body)  # Kakao's retry after the work finished
        nxt = await post(url, payloads.skill_request("다음", "dup-1"))
    assert first_text(first[1]) == first_text(second[1]) == texts.processing
    assert "echo: 중복 질문" in all_texts(retry[1])
    assert "echo: 중복 질문" not in all_texts(nxt[1])  # not shown twice
    assert dialogue.texts == ["중복 질문", "다음"]


async def test_retry_with_a_new_callback_url_gets_the_answer_once(callback_server) -> None:
    receiver = callback_server()
    kakao = channel(receiver.environ(), reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        await post(url, payloads.skill_request("느린 질문", "dup-2", callback_url=receiver.url("first")))
        _, ack = await post(url, payloads.skill_request("느린 질문", "dup-2", callback_url=receiver.url("retry")))
        await receiver.wait_for(1)
        await kakao.drain(5)
        await asyncio.sleep(0.1)
    assert ack["useCallback"] is True
    assert dialogue.texts == ["느린 질문"]
    assert [r["path"] for r in receiver.received] == ["/callback/retry"]  # the URL Kakao waits on now


async def test_same_words_after_an_answer_are_a_new_message() -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(), dialogue) as url:
        await post(url, payloads.skill_request("네", "yes-1"))
        await post(url, payloads.skill_request("네", "yes-1"))
    assert dialogue.texts == ["네", "네"]


async def test_request_id_header_identifies_retries() -> None:
    kakao = channel(reply_deadline_seconds=0.01, request_id_header="X-Request-Id")
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        await asyncio.gather(
            post(url, payloads.skill_request("질문", "rid-1"), {"X-Request-Id": "r-1"}),
            post(url, payloads.skill_request("질문", "rid-1"), {"X-Request-Id": "r-1"}),
            post(url, payloads.skill_request("질문", "rid-1"), {"X-Request-Id": "r-2"}),
        )
        await kakao.drain(5)
    assert dialogue.texts == ["질문", "질문"]
