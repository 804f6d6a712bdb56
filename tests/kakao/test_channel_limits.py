"""The channel's edge checks over real HTTP (issue 7, findings 3, 5, 9, 10): callbacks only to
Kakao, input bounds, per-sender rate limits and memory bounded by count."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from connectors.kakao import payloads
from connectors.kakao.channel import KakaoInput
from connectors.kakao.config import load_config
from connectors.kakao.jobs import JobRegistry
from connectors.kakao.limits import response_violations
from connectors.kakao.mailbox import Mailbox
from tests.kakao.kakao_testkit import Dialogue, all_texts, loopback_callback_env, serve_channel
from tests.kakao.test_callback_policy import listener  # noqa: F401 (a fixture, used by name)
from tests.kakao.test_channel import SLOW, first_text, post


def channel(environ: dict[str, str] | None = None, **options: Any) -> KakaoInput:
    return KakaoInput(load_config(options, environ=environ or {}, production=False))


# --- callbacks (finding 3, 10) ------------------------------------------------------------------------


async def test_callback_url_to_loopback_is_never_contacted_by_default(listener, texts) -> None:  # noqa: F811
    server = listener()
    kakao = channel(reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        status, now = await post(url, payloads.skill_request("느린 질문", "ssrf-1", callback_url=server.url()))
        # The normal 5-second path, as if Kakao had sent no callbackUrl.
        assert status == 200 and not now.get("useCallback") and first_text(now) == texts.processing
        await kakao.drain(5)
        dialogue.delay = 0
        _, later = await post(url, payloads.skill_request("다음 질문", "ssrf-1"))
    await asyncio.sleep(0.2)
    assert server.hits == []
    assert "echo: 느린 질문" in all_texts(later)  # kept, not lost


async def test_callback_host_redirecting_elsewhere_never_reaches_the_other_host(listener, texts) -> None:  # noqa: F811
    elsewhere = listener()
    redirector = listener(status=302, headers={"Location": elsewhere.url("/stolen")})
    kakao = channel(loopback_callback_env(redirector.port), reply_deadline_seconds=0.01)
    dialogue = Dialogue(delay=SLOW)
    async with serve_channel(kakao, dialogue) as url:
        _, ack = await post(url, payloads.skill_request("느린 질문", "redir-1", callback_url=redirector.url()))
        assert ack["useCallback"] is True
        await kakao.drain(5)
        dialogue.delay = 0
        _, later = await post(url, payloads.skill_request("다음 질문", "redir-1"))
    assert len(redirector.hits) == 1
    assert elsewhere.hits == []
    assert "echo: 느린 질문" in all_texts(later)  # refused by the redirect: shown with the next message


# --- input bounds (finding 5) --------------------------------------------------------------------------


async def test_long_utterance_gets_a_korean_answer_without_running_the_dialogue(texts) -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(), dialogue) as url:
        started = time.monotonic()
        status, response = await post(url, payloads.skill_request("쓰레기 " * 5000, "long-1"))
        elapsed = time.monotonic() - started
    assert status == 200 and response_violations(response) == []
    assert first_text(response) == texts.too_long_message
    assert dialogue.messages == [] and elapsed < 1.0


async def test_long_or_odd_ids_are_a_kakao_shaped_400(texts) -> None:
    dialogue = Dialogue()
    bodies = [
        payloads.skill_request("안녕하세요", "u" * 500),
        payloads.skill_request("안녕하세요", "bad\nid"),
        payloads.skill_request("안녕하세요", "ok-user", bot_id="b" * 500),
    ]
    async with serve_channel(channel(), dialogue) as url:
        answers = [await post(url, body) for body in bodies]
    for status, response in answers:
        assert status == 400 and first_text(response) == texts.bad_request
    assert dialogue.messages == []


async def test_deeply_nested_json_is_a_kakao_shaped_400(texts) -> None:
    dialogue = Dialogue()
    body = payloads.skill_request("안녕하세요", "deep-1")
    shallow_enough = json.dumps(body)
    deep = shallow_enough[:-1] + ', "x": ' + "[" * 30_000 + "]" * 30_000 + "}"
    medium = shallow_enough[:-1] + ', "x": ' + "[" * 200 + "]" * 200 + "}"
    async with serve_channel(channel(), dialogue) as url:
        answers = [await post(url, raw.encode()) for raw in (deep, medium)]
    for status, response in answers:
        assert status == 400 and first_text(response) == texts.bad_request
    assert dialogue.messages == []


async def test_photo_urls_only_from_kakao_media_hosts() -> None:
    dialogue = Dialogue()
    async with serve_channel(channel(), dialogue) as url:
        await post(url, payloads.photo_request("http://169.254.169.254/latest/meta-data.jpg", "photo-1"))
        await post(url, payloads.photo_request("https://talk.kakaocdn.net.evil.example/x.jpg", "photo-1"))
        await post(url, payloads.photo_request("https://talk.kakaocdn.net/dna/ok.jpg?credential=c", "photo-1"))
    foreign, lookalike, kakao = dialogue.messages
    for message in (foreign, lookalike):
        assert "photo_url" not in message.text
        assert message.metadata["kakao"]["photo_urls"] == [] and message.metadata["kakao"]["photo_urls_dropped"] == 1
    assert kakao.text == '/inform{"photo_url": "https://talk.kakaocdn.net/dna/ok.jpg?credential=c"}'


# --- abuse limits (finding 9) --------------------------------------------------------------------------------


async def test_per_sender_rate_limit_answers_in_korean_and_spares_others(texts) -> None:
    dialogue = Dialogue()
    kakao = channel(rate_limit_messages=3, rate_limit_seconds=60)
    async with serve_channel(kakao, dialogue) as url:
        answers = [await post(url, payloads.skill_request(f"질문 {n}", "flood-1")) for n in range(5)]
        _, other = await post(url, payloads.skill_request("저도 질문", "calm-1"))
    assert [status for status, _ in answers] == [200] * 5
    assert [first_text(r) for _, r in answers[3:]] == [texts.rate_limited] * 2
    assert all(response_violations(r) == [] for _, r in answers)
    assert first_text(other) == "echo: 저도 질문"
    assert dialogue.texts == ["질문 0", "질문 1", "질문 2", "저도 질문"]


async def test_kakaos_retries_do_not_count_against_the_limit(texts) -> None:
    dialogue = Dialogue(delay=SLOW)
    kakao = channel(reply_deadline_seconds=0.01, rate_limit_messages=1, rate_limit_seconds=60)
    body = payloads.skill_request("느린 질문", "retry-1")
    async with serve_channel(kakao, dialogue) as url:
        await post(url, body)
        await kakao.drain(5)
        _, retry = await post(url, body)
    assert "echo: 느린 질문" in all_texts(retry)


async def test_dialogues_in_flight_are_capped(texts) -> None:
    dialogue = Dialogue(delay=SLOW)
    kakao = channel(reply_deadline_seconds=0.01, max_running_jobs=2)
    async with serve_channel(kakao, dialogue) as url:
        answers = [await post(url, payloads.skill_request("질문", f"busy-{n}")) for n in range(3)]
        await kakao.drain(5)
    assert [first_text(r) for _, r in answers] == [texts.processing, texts.processing, texts.busy]
    assert len(dialogue.messages) == 2


async def test_a_flood_of_distinct_senders_keeps_state_within_the_caps() -> None:
    long_answer = Dialogue()
    long_answer.buttons = [{"title": f"선택 {n}", "payload": f"/pick{n}"} for n in range(15)]  # 2 pages each
    kakao = channel(reply_deadline_seconds=0.01, max_tracked_senders=50, max_jobs=60, max_running_jobs=60)
    async with serve_channel(kakao, long_answer) as url:
        for n in range(300):
            await post(url, payloads.skill_request("질문", f"crowd-{n}"))
            if n % 50 == 49:
                await kakao.drain(5)
        await kakao.drain(5)
    # Held answers and pages are capped each on its own (connectors/kakao/mailbox.py).
    assert kakao.mailbox.held_senders <= 50 and kakao.mailbox.paged_senders <= 50
    assert len(kakao.rate_limiter) <= 50
    assert len(kakao.jobs) <= 60


def test_ten_thousand_senders_do_not_grow_the_mailbox_past_its_cap() -> None:
    box = Mailbox(held_ttl_seconds=86400, max_senders=1000)
    page = {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "쪽"}}]}}
    for n in range(10_000):
        box.hold(f"kakao:s{n}", [{"text": "늦은 답변"}] * 3)
        box.keep_pages(f"kakao:s{n}", "t", [page, page])
    assert len(box) <= 1000
    assert box.take_held("kakao:s9999") and not box.take_held("kakao:s0")  # the oldest went first


async def test_ten_thousand_senders_do_not_grow_the_job_registry_past_its_cap() -> None:
    jobs = JobRegistry(window_seconds=30, max_jobs=1000, max_running=100)

    async def answer() -> list:
        return [{"text": "답변"}]

    for n in range(10_000):
        assert jobs.has_room()
        job = jobs.start(f"kakao:s{n}|fp", f"kakao:s{n}", asyncio.ensure_future(answer()))
        job.defer(None, lambda _job: None, received_at=0.0)  # deferred jobs stay as retry targets
        if n % 50 == 0:
            await asyncio.sleep(0)  # let them finish
    assert len(jobs) <= 1000
