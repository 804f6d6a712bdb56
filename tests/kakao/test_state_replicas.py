"""Two KakaoTalk channel replicas sharing the real Redis (state: redis), each on its own HTTP server.

What Kakao does to a deployment with replicas behind a load balancer: its retry of a
request lands on the other replica, a "더 보기" tap or the next message too. Both
replicas feed one dialogue recorder, so "the dialogue ran once" counts across them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from connectors.kakao import payloads
from connectors.kakao.channel import KakaoInput
from connectors.kakao.config import load_config
from tests.kakao.kakao_testkit import Dialogue, all_texts, serve_channel
from tests.kakao.test_channel import SLOW, first_text, post
from tests.kakao.test_state_redis import REDIS_URL, redis_keys_fixture  # noqa: F401


def replica(prefix: str, environ: dict[str, str] | None = None, **options: Any) -> KakaoInput:
    options = {"state": "redis", "redis_url": REDIS_URL, "redis_key_prefix": prefix, **options}
    return KakaoInput(load_config(options, environ=environ or {}, production=False))


@contextlib.asynccontextmanager
async def two_replicas(a: KakaoInput, b: KakaoInput, dialogue: Any) -> AsyncIterator[tuple[str, str]]:
    async with serve_channel(a, dialogue) as url_a, serve_channel(b, dialogue) as url_b:
        yield url_a, url_b


async def test_memory_is_the_default_and_redis_is_chosen_by_config_or_environment() -> None:
    assert KakaoInput(load_config({}, environ={}, production=False)).state.shared is False
    by_env = load_config({}, environ={"SOTONG_KAKAO_STATE": "redis", "SOTONG_REDIS_URL": "redis://r:6380/2"})
    assert by_env.state_settings.kind == "redis" and by_env.state_settings.redis_url == "redis://r:6380/2"
    assert load_config({}, environ={"SOTONG_KAKAO_REDIS_PREFIX": "gu2:"}).state_settings.key_prefix == "gu2:"
    assert load_config({"state": "memory"}, environ={"SOTONG_KAKAO_STATE": "redis"}).state_settings.kind == "memory"


async def test_an_unknown_state_kind_stops_the_channel() -> None:
    with pytest.raises(ValueError, match="state"):
        load_config({"state": "redis-cluster"}, environ={}, production=False)


async def test_a_retry_on_the_other_replica_gets_the_first_ones_answer(redis_prefix, texts) -> None:
    dialogue = Dialogue(delay=SLOW)
    a = replica(redis_prefix, reply_deadline_seconds=0.01)
    b = replica(redis_prefix, reply_deadline_seconds=3.0)
    body = payloads.skill_request("느린 질문", "rep-1")
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        _, first = await post(url_a, body)  # A: too slow, no callbackUrl
        _, retry = await post(url_b, body)  # Kakao's retry lands on B, which waits for A's answer
        await a.drain(5)
        _, nxt = await post(url_b, payloads.skill_request("다음", "rep-1"))
    assert first_text(first) == texts.processing
    assert "echo: 느린 질문" in all_texts(retry)
    assert "echo: 느린 질문" not in all_texts(nxt)  # shown once
    assert dialogue.texts == ["느린 질문", "다음"]


async def test_concurrent_deliveries_to_both_replicas_run_the_dialogue_once(redis_prefix, texts) -> None:
    dialogue = Dialogue(delay=SLOW)
    a, b = (replica(redis_prefix, reply_deadline_seconds=0.01) for _ in range(2))
    body = payloads.skill_request("중복 질문", "rep-2")
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        replies = await asyncio.gather(post(url_a, body), post(url_b, body), post(url_a, body), post(url_b, body))
        await asyncio.gather(a.drain(5), b.drain(5))
        _, late_retry = await post(url_b, body)  # within the dedupe window: the kept answer
        _, nxt = await post(url_a, payloads.skill_request("다음", "rep-2"))
    assert {first_text(reply) for _, reply in replies} == {texts.processing}
    assert "echo: 중복 질문" in all_texts(late_retry)
    assert "echo: 중복 질문" not in all_texts(nxt)
    assert dialogue.texts == ["중복 질문", "다음"]


async def test_a_retry_on_the_other_replica_with_a_new_callback_gets_the_answer_once(
    redis_prefix, callback_server
) -> None:
    receiver = callback_server()
    dialogue = Dialogue(delay=SLOW)
    a, b = (replica(redis_prefix, receiver.environ(), reply_deadline_seconds=0.01) for _ in range(2))
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        _, ack_a = await post(url_a, payloads.skill_request("느린 질문", "rep-3", callback_url=receiver.url("first")))
        _, ack_b = await post(url_b, payloads.skill_request("느린 질문", "rep-3", callback_url=receiver.url("retry")))
        await receiver.wait_for(1)
        await asyncio.gather(a.drain(5), b.drain(5))
        await asyncio.sleep(0.1)
    assert ack_a["useCallback"] is True and ack_b["useCallback"] is True
    assert dialogue.texts == ["느린 질문"]
    # A ran the dialogue and POSTed to the URL Kakao waits on now, which B registered.
    assert [r["path"] for r in receiver.received] == ["/callback/retry"]
    assert first_text(receiver.received[0]["body"]) == "echo: 느린 질문"


async def test_an_answer_held_on_one_replica_comes_with_the_next_message_on_the_other(redis_prefix, texts) -> None:
    dialogue = Dialogue(delay=SLOW)
    a = replica(redis_prefix, reply_deadline_seconds=0.01)
    b = replica(redis_prefix)
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        await post(url_a, payloads.skill_request("느린 질문", "rep-4"))
        await a.drain(5)
        dialogue.delay = 0
        _, later = await post(url_b, payloads.skill_request("고마워요", "rep-4"))
        _, after = await post(url_b, payloads.skill_request("또 질문", "rep-4"))
    assert all_texts(later).split("\n") == [texts.held_intro, "echo: 느린 질문", "echo: 고마워요"]
    assert all_texts(after) == "echo: 또 질문"


async def test_same_words_after_an_answer_are_a_new_message_on_either_replica(redis_prefix) -> None:
    dialogue = Dialogue()
    a, b = replica(redis_prefix), replica(redis_prefix)
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        await post(url_a, payloads.skill_request("네", "rep-5"))
        await post(url_b, payloads.skill_request("네", "rep-5"))
        await post(url_a, payloads.skill_request("네", "rep-5"))
    assert dialogue.texts == ["네", "네", "네"]


async def test_more_pages_are_served_by_the_other_replica(redis_prefix, texts) -> None:
    async def long_answer(message: Any) -> None:
        for letter in "가나다라":
            await message.output_channel.send_text_message(message.sender_id, letter * 900)

    a, b = replica(redis_prefix), replica(redis_prefix)
    async with two_replicas(a, b, long_answer) as (url_a, url_b):
        _, first = await post(url_a, payloads.skill_request("긴 답변", "rep-6"))
        [more] = first["template"]["quickReplies"]
        _, second = await post(url_b, payloads.quick_reply_request(more, "rep-6"))
        _, again = await post(url_a, payloads.quick_reply_request(more, "rep-6"))
    assert first_text(second) == "라" * 900 and again == second


async def test_a_flood_of_residents_keeps_redis_within_the_caps(redis_prefix, redis_keys) -> None:
    dialogue = Dialogue(delay=0.05)
    options = {"reply_deadline_seconds": 0.01, "max_tracked_senders": 5, "max_jobs": 8}
    a, b = replica(redis_prefix, **options), replica(redis_prefix, **options)
    async with two_replicas(a, b, dialogue) as (url_a, url_b):
        for n in range(20):
            await post(url_a if n % 2 else url_b, payloads.skill_request("질문", f"flood-{n}"))
        await asyncio.gather(a.drain(5), b.drain(5))
    keys = redis_keys(redis_prefix)
    assert len([k for k in keys if ":held:" in k]) <= 5
    assert len([k for k in keys if ":job:" in k]) <= 8
    assert all(ttl > 0 for ttl in keys.values())  # nothing kept forever


async def test_with_redis_down_the_channel_still_answers_and_says_why(redis_prefix, caplog, texts) -> None:
    caplog.set_level(logging.ERROR, logger="connectors.kakao.state_redis")
    dialogue = Dialogue(delay=SLOW)
    kakao = KakaoInput(
        load_config(
            {"state": "redis", "redis_url": "redis://127.0.0.1:1/0", "reply_deadline_seconds": 0.01},
            environ={},
            production=False,
        )
    )
    async with serve_channel(kakao, dialogue) as url:
        body = payloads.skill_request("느린 질문", "down-1")
        replies = await asyncio.gather(post(url, body), post(url, body))
        await kakao.drain(5)
        dialogue.delay = 0
        _, later = await post(url, payloads.skill_request("다음", "down-1"))
    assert all(status == 200 for status, _ in replies)
    assert "echo: 느린 질문" in all_texts(later)  # held in this process meanwhile
    assert dialogue.texts == ["느린 질문", "다음"]  # this replica's own retry still joined
    assert any("kakao.state.redis_down" in r.getMessage() for r in caplog.records)
