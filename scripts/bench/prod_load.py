"""One load level of the production benchmark: KakaoTalk and web residents at once, bounded by time.

Half the users (even numbers) are KakaoTalk residents (scripts/bench/kakao_scenario.py's conversation,
sent and timed by kakao_load.send, callbacks to kakao_load.Receiver), half are web residents
(scripts/bench/prod_web.py). Each user holds one conversation after another, as a new resident each
time, until the level's time is up; then no new message leaves and the messages in flight are
awaited, at most ``DRAIN_CAP`` seconds (the rest are counted as unfinished). CPU is read around it all.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from scripts.bench import prod_web
from scripts.bench.kakao_load import REQUEST_TIMEOUT, Receiver, Sample, Target, send
from scripts.bench.kakao_scenario import RECEIPT, conversation
from scripts.bench.prod_cpu import CpuReading, CpuUse, used_between

DRAIN_CAP = 25.0  # a useCallback answer may take this long to come back from a saturated stack
FAILED_PAUSE = 1.0  # after a failed message a resident waits before the next: no retry storm at wire speed
CHANNELS = ("kakao", "web")


@dataclass(frozen=True)
class Level:
    mode: str  # "paced" or "back-to-back"
    users: int
    think: tuple[float, float]  # pause before each message, uniform; (0, 0) = back-to-back
    seconds: float  # no new message after this


@dataclass(frozen=True)
class Endpoints:
    kakao: Target
    web_url: str
    pids: Callable[[], dict[int, str]]  # the stack's processes (and shared ones) -> kind, read now


@dataclass
class LevelRun:
    level: Level
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {c: [] for c in CHANNELS})
    page_loads: list[Sample] = field(default_factory=list)
    conversations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    receipts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    in_flight: int = 0
    unfinished: int = 0
    wall_seconds: float = 0.0
    cpu: CpuUse | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)  # warm-up only
    notes: list[str] = field(default_factory=list)

    async def record(self, channel: str, sample: Sample, text: str | None) -> None:
        self.samples[channel].append(sample)
        if self.level.mode == "warm-up" and text is not None:
            self.transcript.append({"channel": channel, "step": sample.step, "answer": text[:160]})
        if sample.status != 200:
            await asyncio.sleep(FAILED_PAUSE)


async def _pause(level: Level, first: bool, rng: random.Random) -> None:
    low, high = level.think
    if high > 0:
        # Paced users arrive spread over one pause (a ramp-up), not all in the same millisecond.
        await asyncio.sleep(rng.uniform(0.0, high) if first else rng.uniform(low, high))


async def kakao_user(
    session: aiohttp.ClientSession, ends: Endpoints, receiver: Receiver, run: LevelRun, index: int, stop_at: float
) -> None:
    rng = random.Random(run.level.users * 1000 + index)
    round_no = 0
    while True:
        user_id = f"bench-{run.level.mode[:1]}{run.level.users}-k{index}-{round_no}-{uuid.uuid4().hex[:8]}"
        receipt = False
        for position, (step, body) in enumerate(conversation(user_id, rng)):
            await _pause(run.level, position == 0 and round_no == 0, rng)
            if time.monotonic() >= stop_at:
                return
            run.in_flight += 1
            sample, text = await send(session, ends.kakao, receiver, step, body)
            run.in_flight -= 1
            await run.record("kakao", sample, text)
            if step == "report_confirm":
                receipt = bool(text and RECEIPT.search(text))
        run.conversations["kakao"] += 1
        run.receipts["kakao"] += receipt
        round_no += 1


async def web_user(session: aiohttp.ClientSession, ends: Endpoints, run: LevelRun, index: int, stop_at: float) -> None:
    rng = random.Random(run.level.users * 1000 + index)
    round_no = 0
    while True:
        await _pause(run.level, round_no == 0, rng)
        if time.monotonic() >= stop_at:
            return
        run.in_flight += 1
        page, resident = await prod_web.open_page(session, ends.web_url)
        run.in_flight -= 1
        run.page_loads.append(page)
        if resident is None:
            await asyncio.sleep(1.0)  # a refused page load: as a person would, try again shortly
            continue
        receipt = False
        for position, (step, message) in enumerate(prod_web.conversation(rng)):
            if position:
                await _pause(run.level, False, rng)
            if time.monotonic() >= stop_at:
                return
            run.in_flight += 1
            sample, text = await prod_web.say(session, resident, step, message)
            run.in_flight -= 1
            await run.record("web", sample, text)
            if step == "report_confirm":
                receipt = bool(text and RECEIPT.search(text))
        run.conversations["web"] += 1
        run.receipts["web"] += receipt
        round_no += 1


async def run_level(ends: Endpoints, level: Level) -> LevelRun:
    run = LevelRun(level)
    receiver = Receiver()
    await receiver.start()
    kakao_session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT), connector=aiohttp.TCPConnector(limit=level.users + 5)
    )
    web_session = prod_web.new_session(level.users)
    before = CpuReading.take(ends.pids())
    started = time.monotonic()
    stop_at = started + level.seconds
    try:
        tasks = [
            asyncio.create_task(
                kakao_user(kakao_session, ends, receiver, run, i, stop_at)
                if i % 2 == 0
                else web_user(web_session, ends, run, i, stop_at)
            )
            for i in range(level.users)
        ]
        done, pending = await asyncio.wait(tasks, timeout=level.seconds + DRAIN_CAP)
        run.wall_seconds = time.monotonic() - started
        run.unfinished = run.in_flight
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                run.notes.append(f"a simulated user failed: {task.exception()!r}")
    finally:
        run.cpu = used_between(before, CpuReading.take(ends.pids()))
        await kakao_session.close()
        await web_session.close()
        await receiver.stop()
    if run.unfinished:
        run.notes.append(f"{run.unfinished} message(s) still unanswered {DRAIN_CAP:.0f} s after the level's end")
    if receiver.unexpected:
        run.notes.append(f"{receiver.unexpected} unexpected callback POSTs")
    if run.cpu.exited:
        run.notes.append("exited during the level (their CPU not counted): " + ", ".join(run.cpu.exited))
    return run


async def warm_up(ends: Endpoints) -> LevelRun:
    """One KakaoTalk and one web conversation, back-to-back and not measured: loads every process's
    graphs and caches (with two replicas nginx alternates, so both get their first turns). Raises
    when a message fails or either report is not filed."""
    run = LevelRun(Level("warm-up", 2, (0.0, 0.0), 120.0))
    receiver = Receiver()
    await receiver.start()
    stop_at = time.monotonic() + 120
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as kakao_session:
            await _one_conversation(kakao_user(kakao_session, ends, receiver, run, 0, stop_at), run, "kakao")
        async with prod_web.new_session(2) as web_session:
            await _one_conversation(web_user(web_session, ends, run, 1, stop_at), run, "web")
    finally:
        await receiver.stop()
    bad = [(c, s.step, s.status) for c in CHANNELS for s in run.samples[c] if s.status != 200 or s.invalid]
    bad += [("web", p.step, p.status) for p in run.page_loads if p.status != 200 or p.invalid]
    if bad or run.receipts != {"kakao": 1, "web": 1}:
        raise RuntimeError(f"warm-up failed: {bad}, receipts {run.receipts}, transcript {run.transcript}")
    return run


async def _one_conversation(user, run: LevelRun, channel: str) -> None:
    """Run a user coroutine until its first conversation is done."""
    task = asyncio.create_task(user)
    while not task.done() and run.conversations[channel] < 1:
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
