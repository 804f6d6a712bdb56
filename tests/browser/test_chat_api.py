"""POST /api/chat/message and GET /api/chat/history over HTTP against the real stack.

No browser here: ``requests`` with the cookies GET / hands out (sent by hand — they are
Secure, and the test server is plain http on loopback). Abuse cases: no/forged cookie →
401, CSRF → 403, oversized → 413, malformed → 400/422; a retried message id runs the
dialogue once; one resident never sees another's conversation.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.e2e
TIMEOUT = 60


@dataclass
class Resident:
    base: str
    cookies: dict[str, str]

    @property
    def key(self) -> str:
        return self.cookies["sotong_device"].split(".", 1)[0]

    def headers(self, csrf: bool = True, **extra: str) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if csrf:
            headers["X-CSRF-Token"] = self.cookies["sotong_csrf"]
        headers.update(extra)
        return headers

    def say(self, message: str, message_id: str | None = None, **headers: str) -> requests.Response:
        body = {"message": message, "message_id": message_id or uuid.uuid4().hex}
        return requests.post(
            self.base + "/api/chat/message", json=body, headers=self.headers(**headers), timeout=TIMEOUT
        )

    def history(self) -> list[dict[str, Any]]:
        resp = requests.get(self.base + "/api/chat/history", headers=self.headers(csrf=False), timeout=TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()["messages"]


def new_resident(base: str) -> Resident:
    resp = requests.get(base + "/", timeout=TIMEOUT)
    assert resp.status_code == 200
    return Resident(base, {c.name: c.value for c in resp.cookies})


@pytest.fixture
def resident(web_app) -> Resident:
    return new_resident(web_app.url)


def user_events(web_app, resident: Resident) -> list[dict[str, Any]]:
    events = web_app.stack.tracker(f"web:{resident.key}")["events"]
    return [e for e in events if e.get("event") == "user"]


def test_the_page_sets_an_httponly_device_cookie_and_a_strict_csp(web_app):
    resp = requests.get(web_app.url + "/", timeout=TIMEOUT)
    cookies = resp.headers["set-cookie"]
    assert "sotong_device=" in cookies and "HttpOnly" in cookies and "Secure" in cookies
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["cache-control"] == "no-store"
    static = requests.get(web_app.url + "/static/chat.js?v=1", timeout=TIMEOUT)
    assert static.status_code == 200 and "immutable" in static.headers["cache-control"]
    assert requests.get(web_app.url + "/static/chat.js", timeout=TIMEOUT).headers["cache-control"] == "no-cache"
    assert requests.get(web_app.url + "/static/../web/chat.py", timeout=TIMEOUT).status_code == 404


def test_a_turn_is_answered_with_rich_messages_and_kept_in_the_history(web_app, resident):
    resp = resident.say("무단투기 신고할게요")
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    assert "어디인가요" in json.dumps(resp.json()["messages"], ensure_ascii=False)
    history = resident.history()
    assert history[0]["from"] == "user" and history[0]["text"] == "무단투기 신고할게요"
    assert any(m["from"] == "bot" and "어디인가요" in m.get("text", "") for m in history)


def test_a_retried_message_id_runs_the_dialogue_once_and_gets_the_same_answer(web_app, resident):
    message_id = uuid.uuid4().hex
    first = resident.say("여권 발급 필요서류", message_id)
    again = resident.say("여권 발급 필요서류", message_id)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    # Two retries racing each other (a phone that resent while the first was in flight).
    racing_id = uuid.uuid4().hex
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: resident.say("청라동 쓰레기봉투 어디서 사요", racing_id), range(2)))
    assert [a.status_code for a in answers] == [200, 200] and answers[0].json() == answers[1].json()
    said = [e["text"] for e in user_events(web_app, resident)]
    assert said == ["여권 발급 필요서류", "청라동 쓰레기봉투 어디서 사요"]
    assert {e["message_id"] for e in user_events(web_app, resident)} == {message_id, racing_id}


def test_a_quick_reply_payload_shows_its_title_in_the_history(web_app, resident):
    resident.say("무단투기 신고할게요")
    resident.say("서곶로 77 앞이에요")
    resident.say("종이상자가 잔뜩 버려져 있어요")
    resp = resident.say('/edit_complaint{"complaint_field": "address"}')
    assert resp.status_code == 200
    texts = [m["text"] for m in resident.history() if m["from"] == "user"]
    assert texts[-1] == "주소 고치기" and not any(t.startswith("/") for t in texts)


def test_no_cookie_or_a_forged_one_is_401(web_app, resident):
    base = web_app.url
    assert requests.get(base + "/api/chat/history", timeout=TIMEOUT).status_code == 401
    resp = requests.post(base + "/api/chat/message", json={"message": "안녕", "message_id": "abcdefgh12"}, timeout=10)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "unauthorized"
    key, random, mac = resident.cookies["sotong_device"].split(".")
    for forged in (f"{key}.{random}.{mac[:-2]}AA", f"AAAAAAAAAAAAAAAAAAAAAA.{random}.{mac}", "web:victim", ""):
        forger = Resident(base, {**resident.cookies, "sotong_device": forged})
        assert forger.say("안녕").status_code == 401, forged
        resp = requests.get(base + "/api/chat/history", headers=forger.headers(csrf=False), timeout=TIMEOUT)
        assert resp.status_code == 401, forged
    assert user_events(web_app, resident) == []


def test_a_write_without_the_csrf_double_submit_is_403(web_app, resident):
    for headers in (
        resident.headers(csrf=False),
        resident.headers(**{"X-CSRF-Token": "wrong"}),
        resident.headers(Origin="https://evil.example"),
    ):
        resp = requests.post(
            web_app.url + "/api/chat/message",
            json={"message": "안녕", "message_id": uuid.uuid4().hex},
            headers=headers,
            timeout=TIMEOUT,
        )
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "csrf_failed", headers
    assert user_events(web_app, resident) == []


def test_oversized_and_malformed_turns_are_refused_with_a_clear_error(web_app, resident):
    def post(headers: dict[str, str] | None = None, **kw: Any) -> requests.Response:
        url = web_app.url + "/api/chat/message"
        return requests.post(url, headers=headers or resident.headers(), timeout=TIMEOUT, **kw)

    too_long = resident.say("가" * 2001)
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "message_too_long"
    assert "2,000자" in too_long.json()["error"]["message"]
    huge = post(json={"message": "가" * 40_000, "message_id": "abcdefgh12"})
    assert huge.status_code == 413
    broken = post(data=b'{"message": ', headers={**resident.headers(), "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed_json"
    for body in (
        {"message": "안녕"},
        {"message": "안녕", "message_id": "short"},
        {"message": "안녕", "message_id": "../../../etc/passwd"},
        {"message": "", "message_id": "abcdefgh12"},
        {"message": ["안녕"], "message_id": "abcdefgh12"},
        ["안녕"],
    ):
        resp = post(json=body)
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_input", body
        assert "Traceback" not in resp.text
    assert user_events(web_app, resident) == []


def test_each_resident_sees_only_their_own_conversation(web_app, resident):
    assert resident.say("여권 발급 필요서류").status_code == 200
    other = new_resident(web_app.url)
    assert other.key != resident.key
    assert other.history() == []
    assert other.say("안녕하세요").status_code == 200
    assert [m["text"] for m in resident.history() if m["from"] == "user"] == ["여권 발급 필요서류"]
