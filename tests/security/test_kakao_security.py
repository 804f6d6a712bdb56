"""Issue 7 probes against the real Rasa server's KakaoTalk webhook (findings 3, 5, 9, 10).

- production mode without KAKAO_SKILL_SECRET / KAKAO_ALLOWED_BOT_IDS: `rasa run` refuses to start;
- callbacks: with the default configuration a callbackUrl to loopback (or any non-Kakao host) is
  never contacted; the answer takes the normal path instead (`probe_stack`: a 10 ms reply deadline
  so every answer would go to the callback);
- input bounds: a 60 KB utterance is answered at once in Korean, 1 MB is a Kakao-shaped 413, deep
  JSON and oversized ids are 400s, foreign photo URLs never reach the dialogue;
- a per-sender message rate limit answers in Korean with HTTP 200;
- a Kakao resident's conversation is "kakao:<botUserKey>": a REST caller using the raw key gets
  another conversation.
Unit-level versions (redirects, reply caps, memory bounds) are in tests/kakao/test_callback_policy.py
and tests/kakao/test_channel_limits.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.kakao import payloads
from connectors.kakao.limits import response_violations
from connectors.kakao.texts import load_texts
from tests.e2e.stack import BIN, MODEL, ROOT, RasaStack, free_port

pytestmark = pytest.mark.e2e

SECRET_HEADER = "X-Kakao-Skill-Secret"
TEXTS = load_texts()
PROBE_CREDENTIALS = f"""\
connectors.kakao.KakaoInput:
  secret_header_name: "{SECRET_HEADER}"
  reply_deadline_seconds: 0.01
  rate_limit_messages: 4
  rate_limit_seconds: 600
"""


class HitRecorder:
    """A loopback listener standing in for an internal service: records every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _hit(self) -> None:
                outer.hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _hit

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.port = int(self._server.server_address[1])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def internal_service() -> Any:
    server = HitRecorder()
    yield server
    server.close()


@pytest.fixture(scope="module")
def probe_stack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Rasa as shipped (no callback settings), except a 10 ms reply deadline and a small rate limit."""
    workdir = tmp_path_factory.mktemp("kakao-probe-stack")
    credentials = workdir / "credentials.yml"
    credentials.write_text(PROBE_CREDENTIALS, encoding="utf-8")
    env = {"KAKAO_CALLBACK_HOSTS": "", "KAKAO_CALLBACK_ALLOW_HTTP": ""}
    stack = RasaStack(workdir, credentials=credentials, extra_env=env).start()
    yield stack
    stack.stop()


def _post(stack: Any, body: Any, user_headers: dict[str, str] = None) -> tuple[int, dict[str, Any], float]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", SECRET_HEADER: stack.kakao_secret, **(user_headers or {})}
    started = time.monotonic()
    reply = requests.post(f"{stack.rasa_url}/webhooks/kakao/webhook", data=raw, headers=headers, timeout=(3.05, 30))
    elapsed = time.monotonic() - started
    assert reply.headers.get("Content-Type", "").startswith("application/json"), reply.text[:200]
    return reply.status_code, reply.json(), elapsed


def _text(response: dict[str, Any]) -> str:
    return payloads.response_texts(response)


def _user_texts(stack: Any, conversation: str) -> list[str]:
    events = stack.tracker(conversation).get("events") or []
    return [e.get("text") for e in events if e.get("event") == "user"]


def _wait_user_events(stack: Any, conversation: str, count: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = stack.tracker(conversation).get("events") or []
        users = [e.get("text") for e in events if e.get("event") == "user"]
        if len(users) >= count and events[-1].get("name") == "action_listen":
            return users
        time.sleep(0.2)
    raise AssertionError(f"{conversation}: {count} user messages not processed within {timeout}s")


def _user() -> str:
    return f"sec-{uuid.uuid4().hex[:12]}"


# --- finding 3: production mode -------------------------------------------------------------------------


def test_production_mode_without_kakao_secret_and_bot_ids_refuses_to_start(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.skip(f"{MODEL} missing: run make train")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("connectors.kakao.KakaoInput:\n  reply_deadline_seconds: 4.5\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAKAO_")}
    env.update(SOTONG_MODE="production", PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "-m", str(MODEL), "--port", str(port), "--credentials", str(credentials)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while proc.poll() is None and time.monotonic() < deadline:
            try:  # a webhook that answers means Rasa started open: the failure this test is about
                if requests.get(f"http://127.0.0.1:{port}/webhooks/kakao/", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode not in (None, 0, -15), output[-2000:]
    assert "KAKAO_SKILL_SECRET" in output and "KAKAO_ALLOWED_BOT_IDS" in output, output[-2000:]
    assert "Traceback" not in output


# --- findings 3 and 10: callbacks only to Kakao --------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/callback/a",
        "https://127.0.0.1:{port}/callback/b",
        "http://localhost:{port}/callback/c",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_callback_url_to_internal_addresses_is_never_contacted(
    probe_stack: Any, internal_service: HitRecorder, template: str
) -> None:
    me = _user()
    before = list(internal_service.hits)
    callback_url = template.format(port=internal_service.port)
    status, response, _ = _post(
        probe_stack, payloads.skill_request("여권 발급 필요서류", me, callback_url=callback_url)
    )
    assert status == 200 and response_violations(response) == []
    # Treated as a request without callbackUrl: the short "처리 중" answer, not useCallback.
    assert not response.get("useCallback") and _text(response) == TEXTS.processing
    _wait_user_events(probe_stack, "kakao:" + me, 1)
    time.sleep(1.5)  # the late answer is ready: a vulnerable server would be POSTing it now
    assert internal_service.hits == before
    # Nothing is lost: the answer comes with the resident's next message.
    _, later, _ = _post(probe_stack, payloads.skill_request("고마워요", me))
    assert "여권용 사진" in _text(later)


# --- finding 2 (Kakao side): namespaced conversation ids ---------------------------------------------------------


def test_kakao_resident_conversation_is_namespaced(probe_stack: Any) -> None:
    me = _user()
    _post(probe_stack, payloads.skill_request("여권 발급 필요서류", me))
    assert _wait_user_events(probe_stack, "kakao:" + me, 1) == ["여권 발급 필요서류"]
    assert _user_texts(probe_stack, me) == []  # the raw key (what a REST caller could send) names nothing


# --- finding 9: per-sender rate limit ---------------------------------------------------------------------------


def test_message_flood_from_one_sender_gets_a_korean_answer(probe_stack: Any) -> None:
    me, other = _user(), _user()
    answers = [_post(probe_stack, payloads.skill_request(f"안녕하세요 {n}", me)) for n in range(6)]
    assert [status for status, _, _ in answers] == [200] * 6
    assert all(response_violations(response) == [] for _, response, _ in answers)
    assert [_text(r) for _, r, _ in answers[4:]] == [TEXTS.rate_limited] * 2
    status, response, _ = _post(probe_stack, payloads.skill_request("안녕하세요", other))
    assert status == 200 and _text(response) != TEXTS.rate_limited
    _wait_user_events(probe_stack, "kakao:" + me, 4)
    assert len(_user_texts(probe_stack, "kakao:" + me)) == 4  # the refused ones never reached the dialogue


# --- finding 5: input bounds (the shared stack, as shipped) ------------------------------------------------------


def test_sixty_kb_utterance_is_answered_at_once(rasa_stack: Any) -> None:
    me = _user()
    utterance = ("쓰레기 무단투기 신고 " * 5000)[:24_000]  # 24,000 characters, ~60 KB of UTF-8
    body = payloads.skill_request(utterance, me)
    assert 55_000 < len(json.dumps(body, ensure_ascii=False).encode("utf-8")) < 65_536
    status, response, elapsed = _post(rasa_stack, body)
    assert status == 200 and response_violations(response) == []
    assert _text(response) == TEXTS.too_long_message
    assert elapsed < 1.0, f"{elapsed:.2f}s"
    assert _user_texts(rasa_stack, "kakao:" + me) == []


def test_one_megabyte_body_is_a_kakao_shaped_413(rasa_stack: Any) -> None:
    status, response, elapsed = _post(rasa_stack, payloads.skill_request("가" * 350_000, _user()))
    assert status == 413 and response_violations(response) == []
    assert _text(response) == TEXTS.too_large


@pytest.mark.parametrize("shape", ["deep-json", "long-user-id", "long-bot-id", "control-char-id"])
def test_malformed_edges_are_kakao_shaped_400s(rasa_stack: Any, shape: str) -> None:
    me = _user()
    body = payloads.skill_request("안녕하세요", me)
    if shape == "deep-json":
        raw = json.dumps(body)[:-1] + ', "x": ' + "[" * 20_000 + "]" * 20_000 + "}"
        status, response, _ = _post(rasa_stack, raw.encode())
    else:
        if shape == "long-user-id":
            body["userRequest"]["user"]["id"] = me + "x" * 5_000
        elif shape == "long-bot-id":
            body["bot"]["id"] = "b" * 5_000
        else:
            body["userRequest"]["user"]["id"] = me + "\u0000\n"
        status, response, _ = _post(rasa_stack, body)
    assert status == 400 and response_violations(response) == []
    assert _text(response) == TEXTS.bad_request
    assert _user_texts(rasa_stack, "kakao:" + me) == []


def test_photo_url_outside_kakao_media_hosts_never_reaches_the_dialogue(rasa_stack: Any) -> None:
    me = _user()
    _post(rasa_stack, payloads.skill_request("무단투기 신고할게요", me))
    _post(rasa_stack, payloads.photo_request("http://127.0.0.1:5055/webhook#.jpg", me))
    texts = _wait_user_events(rasa_stack, "kakao:" + me, 2)
    assert not any("127.0.0.1" in (text or "") for text in texts)
    events = rasa_stack.tracker("kakao:" + me).get("events") or []
    entities = [(e.get("parse_data") or {}).get("entities") for e in events if e.get("event") == "user"]
    slots = [e.get("value") for e in events if e.get("event") == "slot"]
    assert "127.0.0.1" not in json.dumps(entities) + json.dumps(slots, ensure_ascii=False)
    # The message metadata records that a photo was dropped (for an officer reading the tracker).
    assert events and any(((e.get("metadata") or {}).get("kakao") or {}).get("photo_urls_dropped") == 1 for e in events)
