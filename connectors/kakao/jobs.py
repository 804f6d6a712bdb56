"""One resident message being processed, and the registry that stops retries
from running the dialogue twice.

A Job wraps the dialogue task. The HTTP handler waits for it (shielded, so a
deadline or a dropped connection never cancels the dialogue) and then either
answers synchronously or *defers* the job: the answer is then delivered by the
channel (callback POST or kept for the next message) when the task finishes.

Dedupe rule. Kakao retries a request only when it got no answer in time, so a
job is a retry target while it is running, and after it was deferred (until
`window` seconds after it finished). A job answered synchronously is not: the
same words from the same resident after an answer are a new message (think of
"네" to two questions in a row).

Bounded: at most `max_jobs` entries (finished ones forgotten oldest first) and
at most `max_running` dialogues in flight; `start` returns None beyond that and
the channel answers "busy" instead of queueing without limit.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Messages = list[dict[str, Any]]


class Job:
    def __init__(self, key: str, sender_id: str, task: "asyncio.Task[Messages]", clock: Callable[[], float]) -> None:
        self.key = key
        self.sender_id = sender_id
        self.task = task
        self.started_at = clock()
        self.finished_at: float | None = None
        self.deferred = False
        self.callback_url: str | None = None
        self.callback_received_at: float | None = None
        self.response: dict[str, Any] | None = None  # first page, reused for retries
        # Set once a deferred job's answer is composed or held (channel._deliver_late):
        # a retry waits for it instead of composing the same answer a second time.
        self.delivered = asyncio.Event()
        # One composer at a time: the original request and a retry may both be waiting.
        self.answer_lock = asyncio.Lock()
        self._on_deferred_done: Callable[["Job"], None] | None = None
        self._clock = clock
        task.add_done_callback(self._finished)

    @property
    def done(self) -> bool:
        return self.task.done()

    def messages(self) -> Messages:
        """The bot messages (the task never raises; see channel._run_dialogue)."""
        if self.task.cancelled() or self.task.exception() is not None:
            return []
        return self.task.result()

    def defer(self, callback_url: str | None, deliver: Callable[["Job"], None], received_at: float) -> None:
        """Hand delivery to `deliver`, called once when the task is done (now if it already is).

        A retry may bring a newer callbackUrl; the newest one wins because it
        is the one Kakao is waiting on. `received_at` (when that request came
        in) starts the URL's one-minute validity.
        """
        if callback_url:
            self.callback_url = callback_url
            self.callback_received_at = received_at
        if self.deferred:
            return
        self.deferred = True
        self._on_deferred_done = deliver
        if self.task.done():
            deliver(self)

    def prefer_callback(self, callback_url: str | None, received_at: float | None) -> None:
        """A callbackUrl another replica registered for this request (state_store.py), if newer."""
        if not callback_url or received_at is None:
            return
        if self.callback_received_at is None or received_at >= self.callback_received_at:
            self.callback_url = callback_url
            self.callback_received_at = received_at

    def _finished(self, _task: "asyncio.Task[Messages]") -> None:
        self.finished_at = self._clock()
        # Only deferred jobs deliver here; otherwise the waiting handler answers.
        if self.deferred and self._on_deferred_done is not None:
            self._on_deferred_done(self)


class JobRegistry:
    """Jobs by request fingerprint, in memory (one Rasa process).

    Kept in start order, so forgetting the oldest needs no sorting, and swept
    only when full (then down to 90 %): a flood costs O(1) per message on
    average, not a scan of every job.
    """

    def __init__(
        self,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_jobs: int = 10_000,
        max_running: int = 1_000,
    ) -> None:
        self._window = window_seconds
        self._clock = clock
        self._max_jobs = max_jobs
        self._max_running = min(max_running, max_jobs)
        self._jobs: "OrderedDict[str, Job]" = OrderedDict()
        self._running = 0

    def __len__(self) -> int:
        return len(self._jobs)

    def has_room(self) -> bool:
        """False when `max_running` dialogues are in flight (checked before starting one)."""
        return self._running < self._max_running

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    def start(self, key: str, sender_id: str, task: "asyncio.Task[Messages]") -> Job:
        """Register a dialogue task; call has_room() first (the task is already running)."""
        if len(self._jobs) >= self._max_jobs:
            self._purge()
        job = Job(key, sender_id, task, self._clock)
        self._running += 1
        task.add_done_callback(self._finished)
        self._jobs.pop(key, None)
        self._jobs[key] = job
        return job

    def _finished(self, _task: "asyncio.Task[Messages]") -> None:
        self._running -= 1

    def find_retry_target(self, key: str) -> Job | None:
        job = self._jobs.get(key)
        if job is None:
            return None
        if not job.done:
            return job
        if job.deferred and not self._expired(job):
            return job
        return None

    def running(self) -> list[Job]:
        return [job for job in self._jobs.values() if not job.done]

    def _expired(self, job: Job) -> bool:
        return job.finished_at is not None and self._clock() - job.finished_at > self._window

    def _purge(self) -> None:
        for key in [k for k, job in self._jobs.items() if job.done and (self._expired(job) or not job.deferred)]:
            del self._jobs[key]
        # Memory guard under a flood: forget the oldest finished jobs (retry targets within
        # their window) until there is room for a tenth more. Running jobs stay: has_room caps them.
        target = self._max_jobs - max(1, self._max_jobs // 10)
        for key in [k for k, job in self._jobs.items() if job.done][: max(0, len(self._jobs) - target)]:
            del self._jobs[key]
