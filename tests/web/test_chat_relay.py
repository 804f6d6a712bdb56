"""web/chat.py when Rasa misbehaves: down, slow, refusing. Never a turn run twice.

Rasa is a stand-in HTTP server on loopback (what the real one answers on the web
channel and the tracker endpoint, with the failures on demand); the web app is the real
one under uvicorn on the real database (SQLite and PostgreSQL). The happy paths run
against the real Rasa in tests/browser/test_chat_api.py.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.web.conftest import serve
from web.app import create_app
from web.pages import install

SECRET = "web-channel-secret-for-tests"
TOKEN = "rasa-token-for-tests-0123456789"


class FakeRasa:
    """The two Rasa endpoints the web app calls; ``mode``: ok | slow | down-for-secret | busy."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.turns: list[dict[str, Any]] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.headers.get("X-Sotong-Web-Secret") != SECRET or fake.mode == "wrong-secret":
                    return self._json(401, {"error": "unauthorized", "message": "인증 정보가 없거나 올바르지 않아요."})
                if fake.mode == "busy":
                    return self._json(429, {"error": "rate_limited", "message": "잠시 후"}, {"Retry-After": "60"})
                fake.turns.append(body)
                if fake.mode == "slow":
                    time.sleep(2.5)  # longer than SOTONG_CHAT_TIMEOUT: the web app gives up waiting
                answer = [{"text": f"답: {body['message']}"}]
                events = fake.events.setdefault(f"web:{body['conversation']}", [])
                events.append({"event": "user", "text": body["message"], "message_id": body["message_id"]})
                events.append({"event": "bot", "text": answer[0]["text"], "data": {}})
                self._json(200, {"messages": answer})

            def do_GET(self) -> None:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._json(401, {"message": "User is not authenticated."})
                sender = self.path.split("/conversations/", 1)[1].split("/tracker", 1)[0].replace("%3A", ":")
                self._json(200, {"sender_id": sender, "events": fake.events.get(sender, [])})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *args: None  # the web app hanging up on a slow turn is expected
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeRasa":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa() as fake:
        yield fake


@pytest.fixture
def page_app(core_db, rasa, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("SOTONG_SESSION_SECRET", "session-secret-for-tests-0123456789")
    monkeypatch.setenv("SOTONG_WEB_CHANNEL_SECRET", SECRET)
    monkeypatch.setenv("SOTONG_RASA_TOKEN", TOKEN)
    monkeypatch.setenv("SOTONG_RASA_URL", rasa.url)
    monkeypatch.setenv("SOTONG_CHAT_TIMEOUT", "1")
    app = create_app()
    if not any(getattr(r, "path", None) == "/" for r in app.routes):
        install(app)
    with serve(app) as base:
        yield base


class Device:
    def __init__(self, base: str):
        resp = requests.get(base + "/", timeout=10)
        assert resp.status_code == 200
        self.base, self.cookies = base, {c.name: c.value for c in resp.cookies}

    def say(self, text: str, message_id: str) -> requests.Response:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRF-Token": self.cookies["sotong_csrf"],
        }
        return requests.post(
            self.base + "/api/chat/message",
            json={"message": text, "message_id": message_id},
            headers=headers,
            timeout=10,
        )


def test_rasa_down_is_503_and_the_same_id_is_sent_once_rasa_is_back(page_app, rasa, monkeypatch):
    device = Device(page_app)
    monkeypatch.setenv("SOTONG_RASA_URL", "http://127.0.0.1:9")  # nothing listens there
    message_id = uuid.uuid4().hex
    down = device.say("안녕", message_id)
    assert down.status_code == 503 and down.json()["error"]["code"] == "chat_unavailable"
    assert down.json()["error"]["retry"] is True
    monkeypatch.setenv("SOTONG_RASA_URL", rasa.url)
    back = device.say("안녕", message_id)
    assert back.status_code == 200 and back.json()["messages"] == [{"text": "답: 안녕"}]
    assert device.say("안녕", message_id).json() == back.json()
    assert [t["message_id"] for t in rasa.turns] == [message_id]


def test_a_turn_rasa_got_but_answered_late_is_read_back_never_sent_again(page_app, rasa):
    device = Device(page_app)
    rasa.mode = "slow"
    message_id = uuid.uuid4().hex
    late = device.say("무단투기 신고할게요", message_id)
    assert late.status_code == 503  # the web app stopped waiting after 1 s
    time.sleep(2)  # Rasa finishes the turn meanwhile
    rasa.mode = "ok"
    again = device.say("무단투기 신고할게요", message_id)
    assert again.status_code == 200, again.text
    assert again.json()["messages"] == [{"text": "답: 무단투기 신고할게요"}]
    assert len(rasa.turns) == 1  # read from the tracker, not run again


def test_refusals_by_the_channel_reach_the_page_with_their_status(page_app, rasa):
    device = Device(page_app)
    rasa.mode = "busy"
    busy = device.say("안녕", uuid.uuid4().hex)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "60"
    assert busy.json()["error"]["code"] == "rate_limited"
    rasa.mode = "wrong-secret"
    misconfigured = device.say("안녕", uuid.uuid4().hex)
    assert misconfigured.status_code == 503 and "Traceback" not in misconfigured.text
    assert rasa.turns == []


def test_without_the_channel_secret_the_chat_is_closed(page_app, rasa, monkeypatch):
    device = Device(page_app)
    monkeypatch.delenv("SOTONG_WEB_CHANNEL_SECRET")
    closed = device.say("안녕", uuid.uuid4().hex)
    assert closed.status_code == 503 and closed.json()["error"]["code"] == "chat_disabled"
    assert rasa.turns == []
