"""Abuse limits and a stalled database, probed through the real servers (issue 7, findings 4 and 9).

- the per-resident filing limit (default 5 an hour) answers in Korean and files nothing;
- the action server keeps serving while one action waits on the database: the
  test holds SQLite's write lock itself (no code of ours is mocked) and the
  action server must still answer /health within a second.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid

import pytest
import requests

from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e
RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")


def test_filing_past_the_hourly_limit_gets_a_korean_answer(rasa_stack):
    me = f"limit-{uuid.uuid4().hex[:8]}"
    say = lambda text: texts(rasa_stack.say(me, text))  # noqa: E731
    receipts = []

    def report(n: int) -> str:
        assert "어디인가요" in say("무단투기 신고할게요")
        say(f"서곶로 {100 + n} 앞이에요")
        assert "이대로 접수할까요" in say(f"박스 {n + 1}개가 버려져 있어요")
        return say("네")

    for n in range(5):  # the default limit is 5 an hour (SOTONG_FILING_LIMIT_PER_HOUR)
        receipts += RECEIPT.findall(report(n))
    assert len(set(receipts)) == 5
    refused = report(5)
    assert "한 시간에 민원은 5건까지" in refused and not RECEIPT.search(refused)


def _sqlite_file(stack) -> str:
    url = stack.env["DATABASE_URL"]
    assert url.startswith("sqlite:///"), "this probe holds SQLite's write lock"
    return url[len("sqlite:///") :]


def test_a_slow_database_does_not_stall_the_action_server(rasa_stack):
    """One resident's action waits ~3 s on a held write lock; /health answers meanwhile.
    Before the fix the actions ran their blocking SQLAlchemy calls on the server's only
    event loop, so every request (every resident) waited for the lock."""
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        conn = sqlite3.connect(_sqlite_file(rasa_stack), isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(3)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(30)
        answered = {}
        chat = threading.Thread(
            target=lambda: answered.update(r=rasa_stack.say(f"slow-{uuid.uuid4().hex[:6]}", "안녕하세요", timeout=60))
        )
        chat.start()
        time.sleep(1.0)  # the greeting's action is now waiting for the lock
        started = time.monotonic()
        health = requests.get(f"{rasa_stack.action_url}/health", timeout=2.5)
        assert health.status_code == 200
        assert time.monotonic() - started < 1.0  # the bound: nothing waits on someone else's lock
    finally:
        release.set()
        holder.join(30)
    chat.join(60)
    assert texts(answered.get("r") or [])  # the slow resident is answered once the lock is gone
