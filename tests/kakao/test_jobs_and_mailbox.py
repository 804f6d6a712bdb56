"""Retry dedupe rule and per-resident storage, with a hand-driven clock."""

import asyncio

from connectors.kakao.jobs import JobRegistry
from connectors.kakao.mailbox import PAGES_TTL_SECONDS, Mailbox


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _answer(gate: asyncio.Event):
    await gate.wait()
    return [{"text": "답"}]


async def test_running_and_deferred_jobs_are_retry_targets_answered_ones_are_not() -> None:
    clock = Clock()
    jobs = JobRegistry(window_seconds=30, clock=clock)
    gate = asyncio.Event()
    running = jobs.start("k1", "u", asyncio.ensure_future(_answer(gate)))
    assert jobs.find_retry_target("k1") is running
    delivered = []
    running.defer(None, delivered.append, received_at=clock())
    gate.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert delivered == [running] and running.messages() == [{"text": "답"}]
    assert jobs.find_retry_target("k1") is running
    clock.now += 31
    assert jobs.find_retry_target("k1") is None

    answered = jobs.start("k2", "u", asyncio.ensure_future(_answer(gate)))
    await answered.task
    assert jobs.find_retry_target("k2") is None  # answered in time: same words again are a new message


async def test_defer_after_done_delivers_at_once_and_newest_callback_wins() -> None:
    clock = Clock()
    jobs = JobRegistry(window_seconds=30, clock=clock)
    gate = asyncio.Event()
    job = jobs.start("k", "u", asyncio.ensure_future(_answer(gate)))
    delivered = []
    job.defer("https://cb/1", delivered.append, received_at=1.0)
    job.defer("https://cb/2", delivered.append, received_at=2.0)
    assert job.callback_url == "https://cb/2" and job.callback_received_at == 2.0
    gate.set()
    await job.task
    await asyncio.sleep(0)
    assert delivered == [job]  # once


async def test_held_answers_keep_their_order_and_expire() -> None:
    clock = Clock()
    box = Mailbox(held_ttl_seconds=60, clock=clock)
    box.hold("u", [{"text": "1"}])
    box.hold("u", [{"text": "2"}])
    taken = box.take_held("u")
    assert taken == [{"text": "1"}, {"text": "2"}] and box.take_held("u") == []
    box.hold("u", [{"text": "3"}])
    box.restore("u", taken)  # a failed delivery goes back in front
    assert box.take_held("u") == [{"text": "1"}, {"text": "2"}, {"text": "3"}]
    box.hold("u", [{"text": "old"}])
    clock.now += 61
    assert not box.has_held("u")


async def test_pages_are_looked_up_by_token() -> None:
    clock = Clock()
    box = Mailbox(held_ttl_seconds=60, clock=clock)
    pages = [{"p": 0}, {"p": 1}, {"p": 2}]
    box.keep_pages("u", "tok", pages)
    assert box.page("u", "tok:2") == {"p": 2} and box.page("u", "tok:2") == {"p": 2}
    assert box.page("u", "other:1") is None and box.page("u", "tok:9") is None and box.page("u", "junk") is None
    box.keep_pages("u", "new", [{"p": 0}])  # a one-page answer replaces the old pages
    assert box.page("u", "tok:1") is None
    box.keep_pages("u", "tok", pages)
    clock.now += PAGES_TTL_SECONDS + 1
    assert box.page("u", "tok:1") is None
