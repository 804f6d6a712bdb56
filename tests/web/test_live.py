"""GET /api/me/events (Server-Sent Events): a stage change made elsewhere reaches the page;
Last-Event-ID resumes; heartbeat; per-resident cap; the stream ends on sign-out."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from sotong.complaints import service
from sotong.complaints.actors import Actor
from sotong.db import session_scope
from tests.web.conftest import error_of
from tests.web.resident_client import *  # noqa: F403  (fixtures: page, me, other, session_secret)
from tests.web.resident_client import Device, revoke
from web import live

STAFF = Actor.staff("kim")


def file(engine, device: Device) -> str:
    with session_scope(engine) as s:
        return service.file_complaint(
            s,
            service.ResidentKey("web", device.public_key),
            category="illegal_parking",
            address="인천 서구 청라동 1",
            description="소화전 앞 주차",
            idempotency_key=uuid.uuid4().hex,
        ).complaint.receipt_no


class Stream:
    """An SSE client on a real streaming response: frames parsed as a browser's EventSource does."""

    def __init__(self, device: Device, last_event_id: int | None = None):
        headers = device.headers(csrf=False)
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.response = requests.get(device.base + "/api/me/events", headers=headers, stream=True, timeout=10)
        self.lines = self.response.iter_lines(decode_unicode=True)

    def next(self, event: str | None = None, timeout: float = 8.0) -> dict:
        deadline = time.monotonic() + timeout
        frame: dict = {}
        for line in self.lines:
            if time.monotonic() > deadline:
                break
            if line == "":
                if frame.get("event") and (event is None or frame["event"] == event):
                    return frame
                frame = {}
            elif line.startswith(":"):
                frame.setdefault("comments", []).append(line)
            else:
                key, _, value = line.partition(": ")
                frame[key] = json.loads(value) if key == "data" else value
        raise AssertionError(f"no {event or 'event'} frame within {timeout}s")

    def close(self):
        self.response.close()


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(live, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.3)


def test_stage_change_arrives_and_resume_skips_nothing(core_db, me, other, fast):
    receipt = file(core_db, me)
    theirs = file(core_db, other)
    stream = Stream(me)
    try:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        ready = stream.next("ready")
        with session_scope(core_db) as s:
            service.assign_department(s, theirs, actor=STAFF)  # someone else's: never shown here
            service.assign_department(s, receipt, actor=STAFF)
        event = stream.next("complaint")
        assert event["data"]["receipt_no"] == receipt and event["data"]["status"] == "assigned"
        assert event["data"]["label"] == "부서 배정" and int(event["id"]) > int(ready["id"])
        seen = int(event["id"])
    finally:
        stream.close()
    with session_scope(core_db) as s:  # while the page was away
        service.assign_officer(s, receipt, "traffic-park", actor=STAFF)
        service.advance(s, receipt, "on_site_check", actor=STAFF)
    resumed = Stream(me, last_event_id=seen)
    try:
        got = [resumed.next("complaint")["data"]["status"], resumed.next("complaint")["data"]["status"]]
        assert got == ["officer_assigned", "on_site_check"]
    finally:
        resumed.close()


def test_heartbeat_comments(core_db, me, fast):
    stream = Stream(me)
    try:
        stream.next("ready")
        deadline = time.monotonic() + 5
        for line in stream.lines:
            if line == ": ping" or time.monotonic() > deadline:
                break
        assert line == ": ping"
    finally:
        stream.close()


def test_signout_ends_the_stream(core_db, me, fast):
    stream = Stream(me)
    try:
        stream.next("ready")
        revoke(core_db, me)
        stream.next("signout")
    finally:
        stream.close()
    assert error_of(me.get("/api/me/events"), 401)


def test_per_resident_cap(core_db, me, other, fast):
    streams = [Stream(me) for _ in range(live.MAX_STREAMS)]
    try:
        for s in streams:
            s.next("ready")
        assert error_of(me.get("/api/me/events"), 429)["code"] == "too_many_streams"
        theirs = Stream(other)  # another resident is not affected
        theirs.next("ready")
        theirs.close()
    finally:
        for s in streams:
            s.close()
    deadline = time.monotonic() + 5
    while live._slots.count(me.resident_id) >= live.MAX_STREAMS and time.monotonic() < deadline:
        time.sleep(0.1)  # the server notices the closed connections on its next poll
    again = Stream(me)
    try:
        again.next("ready")
    finally:
        again.close()


def test_abuse(core_db, me):
    assert error_of(me.get("/api/me/events", cookie=False), 401)
    assert (
        error_of(me.get("/api/me/events", headers={"Last-Event-ID": "drop table"}), 400)["code"] == "bad_last_event_id"
    )
    assert error_of(me.get("/api/me/events", headers={"Last-Event-ID": "-5"}), 400)
