"""Simulated residents of the web page: the chat path a browser takes, over real HTTP.

A browser first loads the page (``GET /``), which mints a device and sets two cookies: the HttpOnly
``sotong_device`` and the readable ``sotong_csrf``. Each chat turn is then ``POST /api/chat/message``
with both cookies, the CSRF value copied into ``X-CSRF-Token``, the page's own ``Origin`` and a
message id the page made up (web/chat.py, web/resident_auth.py). The cookies are Secure and the
stacks serve plain http on loopback, so they are sent back by hand, as tests/browser/test_chat_api.py
does; nothing else is skipped. A quick reply is sent as its payload, as the page's widget does.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp

from scripts.bench.kakao_load import Sample
from scripts.bench.kakao_scenario import ADDRESSES

CHAT_TIMEOUT = 70.0  # the web app waits up to 60 s for Rasa (SOTONG_CHAT_TIMEOUT) before its 503


def conversation(rng: random.Random) -> list[tuple[str, str]]:
    """(step, message) of one web resident's session: the KakaoTalk scenario's questions and report,
    typed (an address instead of a shared location, no photo), then "내 민원 조회"."""
    return [
        ("greeting", "안녕하세요"),
        ("waste_bags", "청라동 쓰레기봉투 어디서 사요"),
        ("bulky_waste", "소파 버리려면 얼마예요"),
        ("passport", "여권 발급 필요서류"),
        ("office_hours", "구청 몇 시까지 해요"),
        ("report_start", "무단투기 신고할게요"),
        ("report_location", f"{rng.choice(ADDRESSES)} 앞이에요"),
        ("report_description", "쓰레기봉투가 일주일째 쌓여서 냄새가 나요"),
        ("report_confirm", "/affirm"),  # the 네 button's payload
        ("status", "내 민원 조회"),
    ]


@dataclass(frozen=True)
class WebResident:
    base: str
    cookies: dict[str, str]

    def headers(self) -> dict[str, str]:
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRF-Token": self.cookies.get("sotong_csrf", ""),
            "Origin": self.base,
            "Content-Type": "application/json",
        }


async def open_page(session: aiohttp.ClientSession, base: str) -> tuple[Sample, WebResident | None]:
    """``GET /`` as a new browser: the page-load sample and the resident its cookies make."""
    sample = Sample(step="page", seconds=0.0, status=0)
    started = time.monotonic()
    resident = None
    try:
        async with session.get(base + "/") as reply:
            await reply.read()
            sample.status = reply.status
            cookies = {name: morsel.value for name, morsel in reply.cookies.items()}
            if reply.status == 200 and {"sotong_device", "sotong_csrf"} <= cookies.keys():
                resident = WebResident(base, cookies)
            else:
                sample.invalid = True
    except (aiohttp.ClientError, asyncio.TimeoutError):
        pass
    sample.seconds = time.monotonic() - started
    return sample, resident


def answer_text(answer: dict[str, Any]) -> str:
    """Everything the page would draw from a turn's messages (texts, buttons, cards), for checks."""
    return json.dumps(answer.get("messages", []), ensure_ascii=False)


async def say(
    session: aiohttp.ClientSession, resident: WebResident, step: str, message: str
) -> tuple[Sample, str | None]:
    """One chat turn; the sample, and what the page shows (None if nothing came)."""
    body = json.dumps({"message": message, "message_id": uuid.uuid4().hex}, ensure_ascii=False).encode("utf-8")
    sample = Sample(step=step, seconds=0.0, status=0)
    started = time.monotonic()
    text = None
    try:
        async with session.post(resident.base + "/api/chat/message", data=body, headers=resident.headers()) as reply:
            answer = await reply.json(content_type=None)
            sample.status = reply.status
        if sample.status == 200:
            text = answer_text(answer)
            sample.invalid = not answer.get("messages")
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass
    sample.seconds = time.monotonic() - started
    return sample, text


def new_session(users: int) -> aiohttp.ClientSession:
    """One connection pool for all the level's web residents; no shared cookie jar (each resident
    carries its own cookies)."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=CHAT_TIMEOUT),
        connector=aiohttp.TCPConnector(limit=users + 5),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
