"""GET /api/me/handoff/events: an officer's line reaches this resident's page live, never
another resident's; Last-Event-ID resumes; signed-out devices get 401."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.staff import accounts
from tests.web.conftest import error_of, serve
from tests.web.resident_client import *  # noqa: F403  (fixtures: me, other, session_secret)
from tests.web.resident_client import Device
from tests.web.test_live import Stream
from web import live
from web.app import create_app
from web.live_handoff import router as live_handoff_router


@pytest.fixture
def page(core_db, session_secret, monkeypatch) -> Iterator[str]:
    """The web app with the handoff stream, as web/app.py will include it."""
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    monkeypatch.setattr(live, "POLL_SECONDS", 0.1)
    import web.live_handoff

    monkeypatch.setattr(web.live_handoff, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(web.live_handoff, "HEARTBEAT_SECONDS", 0.3)  # a quiet stream still ticks
    app = create_app()
    if not any(getattr(r, "path", "") == "/api/me/handoff/events" for r in app.routes):
        app.include_router(live_handoff_router)
    with serve(app) as base:
        yield base


class OfficerStream(Stream):
    def __init__(self, device: Device, last_event_id: int | None = None):
        import requests

        headers = device.headers(csrf=False)
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.response = requests.get(device.base + "/api/me/handoff/events", headers=headers, stream=True, timeout=10)
        self.lines = self.response.iter_lines(decode_unicode=True)


def officer_says(engine, device: Device, *texts: str) -> None:
    conversation = f"web:{device.public_key}"
    with session_scope(engine) as s:
        if not accounts.list_accounts(s):
            accounts.create_account(s, "kim", "correct horse battery", role="officer", department="civil")
        kim = accounts.principal_of(accounts.find_account(s, "kim"))
        r = queue.open_request(
            s,
            conversation_id=conversation,
            channel="web",
            resident_ref=device.public_key,
            department_code="civil",
            summary="",
            callback=False,
        )
        if r.state == "waiting":
            queue.claim(s, kim, r.id)
        for text in texts:
            queue.say(s, kim, r.id, text)


def test_officer_line_arrives_only_for_this_resident_and_resumes(core_db, me, other):
    mine, theirs = OfficerStream(me), OfficerStream(other)
    try:
        mine.next("ready"), theirs.next("ready")
        officer_says(core_db, me, "안녕하세요, 민원여권과예요.")
        got = mine.next("officer")
        assert got["data"]["text"] == "안녕하세요, 민원여권과예요." and got["data"]["author"]
        with pytest.raises(AssertionError):
            theirs.next("officer", timeout=1.0)
        seen = int(got["id"])
    finally:
        mine.close(), theirs.close()
    officer_says(core_db, me, "서류는 신분증과 사진 1장이에요.", "더 궁금한 점 있으세요?")
    resumed = OfficerStream(me, last_event_id=seen)
    try:
        assert [resumed.next("officer")["data"]["text"] for _ in range(2)] == [
            "서류는 신분증과 사진 1장이에요.",
            "더 궁금한 점 있으세요?",
        ]
    finally:
        resumed.close()


def test_without_a_device_cookie_401_and_bad_cursor_400(core_db, me, page):
    import requests

    assert requests.get(page + "/api/me/handoff/events", timeout=10).status_code == 401
    headers = {**me.headers(csrf=False), "Last-Event-ID": "abc"}
    assert error_of(requests.get(page + "/api/me/handoff/events", headers=headers, timeout=10), 400)
