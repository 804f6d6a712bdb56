"""Two notification workers on one database (issue 13, item 6: "make it safe to run two").

Two real `sotong notifications worker` processes, as two machines would run them, share
one outbox on SQLite and on PostgreSQL, and one fake 알림톡 provider on loopback that
answers slowly, so both workers are busy at once. Each stage message must reach the
provider exactly once and end `sent`.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from devkit.procs import child_env, spawn, stop, tail
from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.deadlines import now_utc, to_db
from sotong.notifications.dispatcher import LEASE, deliver_due, expire_stale_claims
from sotong.notifications.models import QUEUED, SENT, UNKNOWN, Notification
from sotong.notifications.senders import Delivery
from tests.core.fake_alimtalk import FakeAlimtalkProvider

COMPLAINTS = 30
# Small batches and a slow provider: the two workers' runs overlap on every round.
WORKER = [".venv/bin/python", "-m", "sotong.cli", "notifications", "worker", "--interval", "0.3", "--limit", "4"]


def _queue_stage_messages(engine, count: int = COMPLAINTS) -> None:
    """Consenting residents filing complaints: each queues one 'received' 알림톡."""
    now = now_utc()
    for n in range(count):
        who = ResidentKey("kakao", f"two-workers-{uuid.uuid4().hex[:8]}")
        with session_scope(engine) as s:
            service.record_phone_consent(s, who, f"010-5555-{n:04d}", purpose="민원 진행 알림톡", now=now)
        with session_scope(engine) as s:
            service.file_complaint(
                s,
                who,
                category="illegal_dumping",
                address="인천 서구 청라동 1-1",
                description="집 앞에 쓰레기가 버려져 있어요",
                idempotency_key=uuid.uuid4().hex,
                now=now,
            )


def _outbox(engine) -> Counter:
    with session_scope(engine) as s:
        return Counter(dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all()))


@pytest.mark.e2e  # two real worker processes: left out of `make unit`
def test_two_workers_send_each_stage_message_exactly_once(core_db, core_database_url, tmp_path) -> None:
    _queue_stage_messages(core_db)
    assert _outbox(core_db) == Counter({QUEUED: COMPLAINTS})
    with FakeAlimtalkProvider() as provider:
        provider.mode, provider.slow_seconds = "slow", 0.2
        env = child_env(DATABASE_URL=core_database_url, SOTONG_MODE="development", **provider.env())
        workers: list[subprocess.Popen] = []
        try:
            for name in ("worker-a", "worker-b"):
                workers.append(spawn(WORKER + ["--purge-every", "0"], env, tmp_path / f"{name}.log"))
            deadline = time.monotonic() + 90
            while _outbox(core_db)[SENT] < COMPLAINTS and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), tail(tmp_path / "worker-a.log") + tail(
                    tmp_path / "worker-b.log"
                )
                time.sleep(0.3)
            time.sleep(1.0)  # a duplicate send would come now, if at all
        finally:
            for worker in workers:
                stop(worker, grace=10)
        logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("worker-a", "worker-b")}
        sent_per_key = Counter(r["headers"]["X-Idempotency-Key"] for r in provider.requests)

    assert _outbox(core_db) == Counter({SENT: COMPLAINTS}), logs
    assert len(sent_per_key) == COMPLAINTS and set(sent_per_key.values()) == {1}, sent_per_key.most_common(3)
    # Both really worked: otherwise this would only show that one worker sends once.
    for name, log in logs.items():
        assert "sent " in log, f"{name} sent nothing:\n{log[-2000:]}"


class _RecordingSender:
    """Stands in for the 알림톡 provider's client; while its first message is on the way,
    a second worker that thinks this one died (its lease long past) runs."""

    name = "recording"

    def __init__(self, engine, later) -> None:
        self.sent: list[int] = []
        self.engine, self.later = engine, later

    def send(self, message):
        if not self.sent:
            expire_stale_claims(self.engine, self.later)
        self.sent.append(message.notification_id)
        return Delivery(SENT)


def test_a_claim_another_worker_took_for_dead_is_not_sent(core_db) -> None:
    _queue_stage_messages(core_db, count=3)
    now = now_utc()
    sender = _RecordingSender(core_db, to_db(now) + LEASE + timedelta(minutes=1))
    deliver_due(sender, now, engine=core_db)
    # The first went out and is recorded as sent; the other two, declared unknown by the
    # other worker before they were tried, are left to staff, never sent behind their back.
    assert len(sender.sent) == 1
    assert _outbox(core_db) == Counter({SENT: 1, UNKNOWN: 2})


class _SlowSender:
    name = "slow"

    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, message):
        time.sleep(0.05)
        self.sent.append(message.notification_id)
        return Delivery(SENT)


def test_a_slow_run_gives_back_what_it_did_not_get_to(core_db) -> None:
    _queue_stage_messages(core_db, count=3)
    sender = _SlowSender()
    # A lease of 60 ms: after one 50 ms send the run is past half of it.
    deliver_due(sender, now_utc(), engine=core_db, lease=timedelta(milliseconds=60))
    assert len(sender.sent) == 1
    assert _outbox(core_db) == Counter({SENT: 1, QUEUED: 2})  # back in the queue, not "unknown"
    with session_scope(core_db) as s:
        waiting = s.execute(select(Notification).where(Notification.status == QUEUED)).scalars().all()
        assert {(n.attempts, n.claimed_by) for n in waiting} == {(0, None)}
    deliver_due(sender, now_utc(), engine=core_db)  # the next run sends them
    assert len(sender.sent) == 3 and _outbox(core_db) == Counter({SENT: 3})
