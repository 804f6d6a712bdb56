"""What the fault tests share: a resident talking over KakaoTalk, the database's count of
what that resident filed and was told, and ways to catch a service mid-request."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import create_engine, text

from connectors.kakao import payloads
from connectors.kakao.texts import load_texts
from devkit.prod_stack import ProdStack

RECEIPT = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{4}-[0-9A-Z]{4}(?![0-9A-Z])")
TEXTS = load_texts()


class KakaoResident:
    """One KakaoTalk user; `say` returns every text the resident would read."""

    def __init__(self, stack: ProdStack, tag: str) -> None:
        self.stack = stack
        self.user = f"{tag}-{uuid.uuid4().hex[:8]}"

    def request(self, words: str) -> dict[str, Any]:
        return payloads.skill_request(words, self.user)

    def say(self, words: str, replica: int | None = None, timeout: float = 10) -> str:
        shown = payloads.response_texts(self.stack.kakao(self.request(words), timeout=timeout, replica=replica))
        # A "처리 중" answer would mean the 5-second path, not what these tests are about.
        assert TEXTS.processing not in shown, f"{words!r} took longer than the reply deadline"
        return shown

    def start_report(self) -> None:
        self.say("무단투기 신고할게요")
        assert "어떤 상황인가요" in self.say("서곶로 77 앞이에요")
        summary = self.say("음식물 쓰레기가 버려져 있어요")
        assert "이대로 접수할까요" in summary and "서곶로 77 앞" in summary, summary

    def file_report(self) -> str:
        """A whole 무단투기 report; its receipt number."""
        self.start_report()
        done = self.say("네")
        assert "접수번호" in done, done
        return RECEIPT.search(done).group(0)


@dataclass(frozen=True)
class Ledger:
    complaints: int
    changes: int  # recorded status changes of those complaints
    notifications: int  # stage messages queued for them (one per change)


def ledger(database_url: str, user: str) -> Ledger:
    engine = create_engine(database_url, future=True)
    mine = "FROM complaint c JOIN resident r ON r.id = c.resident_id WHERE r.channel_user_id LIKE :user"
    try:
        with engine.connect() as conn:
            count = lambda sql: conn.execute(text(sql), {"user": f"%{user}"}).scalar_one()  # noqa: E731
            return Ledger(
                complaints=count(f"SELECT count(*) {mine}"),
                changes=count(
                    f"SELECT count(*) {mine.replace('WHERE', 'JOIN complaint_status_change x ON x.complaint_id = c.id WHERE')}"
                ),
                notifications=count(
                    f"SELECT count(*) {mine.replace('WHERE', 'JOIN notification n ON n.complaint_id = c.id WHERE')}"
                ),
            )
    finally:
        engine.dispose()


def assert_filed_once_each(database_url: str, user: str, complaints: int) -> None:
    """`complaints` filed, none lost and none twice, and exactly one stage message per change."""
    found = ledger(database_url, user)
    assert found.complaints == complaints, found
    assert found.notifications == found.changes >= complaints, found


def waiting_requests(port: int) -> int:
    """Bytes sent to 127.0.0.1:`port` that its process has not read yet (or connections it
    has not accepted): a request that reached a stopped server and waits there."""
    waiting = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            rx_queue = int(fields[4].split(":")[1], 16)
            if local_port == port:
                waiting += rx_queue
    return waiting


@contextmanager
def frozen(pids: list[int]):
    """The processes stopped (SIGSTOP) for the block, then let go (SIGCONT), whatever happens."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)


def refuses_connections(port: int) -> bool:
    """Nothing listens on 127.0.0.1:`port` any more. A killed process keeps its sockets until
    the kernel has torn it down (a few hundred ms for a 2 GB Rasa): connections made
    meanwhile are accepted, then reset."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
