"""The KakaoTalk benchmark's load generator: simulated residents over loopback HTTP, and the
callback endpoint Kakao would offer them."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from connectors.kakao import payloads
from connectors.kakao.limits import response_violations
from devkit.timing import cpu_seconds
from scripts.bench.kakao_scenario import NO_PAUSE, RECEIPT, Plan, conversation

REQUEST_TIMEOUT = 15.0  # Kakao gives up at 5 s; we wait longer to see how late it is
CALLBACK_TIMEOUT = 60.0  # the callbackUrl's validity


class Receiver:
    """Kakao's callback endpoint on loopback: resolves one future per callbackUrl."""

    # One fixed port for the whole run: the stack allows callbacks only to hosts it is told
    # (KAKAO_CALLBACK_HOSTS), so the receiver must be where the stack expects it.
    port_for_run = 0

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[tuple[float, dict[str, Any]]]] = {}
        self.unexpected = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/callback/{token}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", Receiver.port_for_run)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def new_url(self) -> tuple[str, asyncio.Future[tuple[float, dict[str, Any]]]]:
        token = uuid.uuid4().hex
        future: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self.waiting[token] = future
        return f"http://127.0.0.1:{self.port}/callback/{token}", future

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        future = self.waiting.pop(request.match_info["token"], None)
        if future is None or future.done():
            self.unexpected += 1
        else:
            future.set_result((time.monotonic(), body))
        return web.json_response({"taskId": request.match_info["token"], "status": "SUCCESS"})


@dataclass(frozen=True)
class Target:
    """The webhook under load: its URL and headers, the server pids (for CPU), the connector's apology."""

    url: str
    headers: dict[str, str]
    pids: Sequence[int]
    apology: str


@dataclass
class Sample:
    step: str
    seconds: float  # webhook response time
    status: int  # HTTP status, 0 = connection error / timeout
    use_callback: bool = False
    callback_seconds: float | None = None  # request sent -> callback received
    invalid: bool = False
    apology: bool = False


@dataclass
class LevelResult:
    mode: str
    users: int
    think_seconds: tuple[float, float]
    conversations_planned: int
    samples: list[Sample] = field(default_factory=list)
    conversations_done: int = 0
    receipts: int = 0
    wall_seconds: float = 0.0
    timed_out: bool = False
    server_cpu_seconds: float | None = None
    notes: list[str] = field(default_factory=list)
    transcript: list[dict[str, str]] = field(default_factory=list)  # filled in the warm-up only


async def send(
    session: aiohttp.ClientSession, target: Target, receiver: Receiver, step: str, body: dict[str, Any]
) -> tuple[Sample, str | None]:
    """One message with a callbackUrl; waits for the callback when the answer is `useCallback`.
    The sample, and the text the resident finally reads (None if nothing came)."""
    callback_url, future = receiver.new_url()
    body["userRequest"]["callbackUrl"] = callback_url
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    sample = Sample(step=step, seconds=0.0, status=0)
    started = time.monotonic()
    answer: dict[str, Any] | None = None
    try:
        async with session.post(target.url, data=data, headers=target.headers) as reply:
            answer = await reply.json(content_type=None)
            sample.status = reply.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass
    sample.seconds = time.monotonic() - started
    text = None
    if answer is not None:
        sample.invalid = bool(response_violations(answer))
        if answer.get("useCallback"):
            sample.use_callback = True
            try:
                at, answer = await asyncio.wait_for(future, CALLBACK_TIMEOUT)
                sample.callback_seconds = at - started
                sample.invalid = sample.invalid or bool(response_violations(answer))
            except asyncio.TimeoutError:
                answer = None
        if answer is not None:
            text = payloads.response_texts(answer)
            sample.apology = target.apology in text
    receiver.waiting.pop(callback_url.rsplit("/", 1)[-1], None)
    return sample, text


async def run_user(
    session: aiohttp.ClientSession,
    target: Target,
    receiver: Receiver,
    result: LevelResult,
    index: int,
    stop_at: float,
    rng: random.Random,
) -> None:
    for round_no in range(result.conversations_planned // result.users):
        user_id = f"bench-{result.mode[:1]}{result.users}-{index}-{round_no}-{uuid.uuid4().hex[:8]}"
        receipt: str | None = None
        for position, (step, body) in enumerate(conversation(user_id, rng)):
            low, high = result.think_seconds
            if high > 0:
                # Paced users also arrive spread over one pause (a ramp-up), not all in the same
                # millisecond: a synchronised first message is a load-generator artefact.
                await asyncio.sleep(rng.uniform(low, high) if (position or round_no) else rng.uniform(0.0, high))
            if time.monotonic() >= stop_at:
                result.timed_out = True
                return
            sample, text = await send(session, target, receiver, step, body)
            if text is not None:
                if result.mode == "warm-up":
                    result.transcript.append({"step": step, "answer": text[:160]})
                if step == "report_confirm":
                    found = RECEIPT.search(text)
                    receipt = found.group(1) if found else None
            result.samples.append(sample)
        result.conversations_done += 1
        result.receipts += receipt is not None


async def run_level(
    target: Target, plan: Plan, mode: str, think: tuple[float, float], users: int, seed: int
) -> LevelResult:
    result = LevelResult(
        mode=mode, users=users, think_seconds=think, conversations_planned=users * plan.conversations_per_user(users)
    )
    receiver = Receiver()
    await receiver.start()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=users + 5)
    cpu_before = cpu_seconds(target.pids)
    started = time.monotonic()
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            stop_at = started + plan.level_time_cap
            await asyncio.gather(
                *(
                    run_user(session, target, receiver, result, i, stop_at, random.Random(seed * 1000 + i))
                    for i in range(users)
                )
            )
    finally:
        result.wall_seconds = time.monotonic() - started
        await receiver.stop()
    cpu_after = cpu_seconds(target.pids)
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu_seconds = cpu_after - cpu_before
    if receiver.unexpected:
        result.notes.append(f"{receiver.unexpected} unexpected callback POSTs")
    return result


async def warm_up(target: Target) -> list[dict[str, str]]:
    """One sequential conversation (not measured): loads the model's graphs and the caches."""
    result = LevelResult(mode="warm-up", users=1, think_seconds=NO_PAUSE, conversations_planned=1)
    receiver = Receiver()
    await receiver.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            await run_user(session, target, receiver, result, 0, time.monotonic() + 120, random.Random(0))
    finally:
        await receiver.stop()
    bad = [s for s in result.samples if s.status != 200 or s.invalid]
    if bad or result.receipts != 1:
        raise RuntimeError(f"warm-up conversation failed: {[asdict(s) for s in bad]}, receipts {result.receipts}")
    return result.transcript
