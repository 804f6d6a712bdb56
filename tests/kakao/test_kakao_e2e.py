"""End to end: Kakao-shaped skill requests against the real Rasa server and action server over HTTP.

Two stacks (tests/e2e/stack.py):
- `rasa_stack` (tests/conftest.py, one per session): the root credentials.yml, so the Kakao channel
  answers within 4.5 s as in production. The stack sets KAKAO_SKILL_SECRET, so the secret header is
  checked.
- `slow_stack` (this module): the same servers with `reply_deadline_seconds: 0.01`, so every answer
  misses the deadline and the callback / "처리 중" paths run deterministically.

Every response the webhook or the callback gives is checked with `limits.response_violations`.
Run: pytest tests/kakao -m e2e
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid
from typing import Any

import pytest
import requests

from connectors.kakao import payloads
from connectors.kakao.limits import response_violations
from connectors.kakao.texts import load_texts
from tests.e2e.stack import BIN, ROOT, RasaStack
from tests.kakao.kakao_testkit import CallbackServer, all_texts

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")
SECRET_HEADER = "X-Kakao-Skill-Secret"
PHOTO_URL = "https://talk.kakaocdn.net/dna/e2e/dumping_evidence.jpg?credential=e2e"
LOCATION = "인천 서구 청라커낼로 252"
WASTE_BAGS = "청라동 쓰레기봉투 어디서 사요"
WASTE_BAGS_ANSWER = "청라동 근처 종량제봉투 판매처"
PASSPORT = "여권 발급 필요서류"
_TEXTS = load_texts()
KAKAO = "kakao:"  # the channel's namespace in conversation ids
SLOW_CREDENTIALS = f"""\
connectors.rest.SafeRestInput:

connectors.kakao.KakaoInput:
  secret_header_name: "{SECRET_HEADER}"
  reply_deadline_seconds: 0.01
  max_body_bytes: 65536
"""


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receiver() -> Any:
    """Kakao's callback endpoint, on loopback."""
    server = CallbackServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def slow_stack(tmp_path_factory: pytest.TempPathFactory, receiver: CallbackServer) -> Any:
    """Rasa whose Kakao channel waits only 10 ms: every answer takes the slow path.

    Callbacks go only to Kakao's host by default; this stack lists the loopback receiver
    (plain http, development mode) the way an operator lists a test endpoint.
    """
    workdir = tmp_path_factory.mktemp("kakao-slow-stack")
    credentials = workdir / "credentials.yml"
    credentials.write_text(SLOW_CREDENTIALS, encoding="utf-8")
    stack = RasaStack(workdir, credentials=credentials, extra_env=receiver.environ()).start()
    yield stack
    stack.stop()


# --- helpers ----------------------------------------------------------------------------------


def _webhook(stack: Any) -> str:
    return stack.rasa_url.rstrip("/") + "/webhooks/kakao/webhook"


def _headers(stack: Any) -> dict[str, str]:
    return {"Content-Type": "application/json", SECRET_HEADER: stack.kakao_secret}


def _user() -> str:
    # botUserKey-like: opaque, per resident
    return f"kakao-e2e-{uuid.uuid4().hex[:12]}"


def _encode(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")


def _post(stack: Any, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], float]:
    """POST to the webhook; (status, JSON body, seconds). The body must always be JSON (Kakao-shaped)."""
    started = time.monotonic()
    reply = requests.post(
        _webhook(stack), data=_encode(body), headers=_headers(stack) if headers is None else headers, timeout=(3.05, 15)
    )
    elapsed = time.monotonic() - started
    assert reply.headers.get("Content-Type", "").startswith("application/json"), reply.text[:200]
    return reply.status_code, reply.json(), elapsed


def _callbacks(server: CallbackServer, url: str) -> list[dict[str, Any]]:
    path = url.split("://", 1)[1].split("/", 1)[1]
    return [r for r in server.received if r["path"] == "/" + path]


def _wait_callback(server: CallbackServer, url: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = _callbacks(server, url)
        if got:
            return got[0]["body"]
        time.sleep(0.05)
    raise AssertionError(f"no callback POST to {url} within {timeout}s")


def _ask(stack: Any, server: CallbackServer, body: dict[str, Any]) -> dict[str, Any]:
    """One resident message as Kakao delivers it; returns the answer the resident sees.

    On the regular stack answers come back synchronously. Should one take longer than the 4.5 s
    deadline (a cold model on a busy machine), Kakao would resend the same request: the resend
    joins the running dialogue and gets its answer (the shared stack allows no loopback
    callback host, so the callback path is exercised on `slow_stack` instead).
    """
    raw = _encode(body)
    deadline = time.monotonic() + 60
    while True:
        status, response, _ = _post(stack, raw)
        assert status == 200, response
        assert response_violations(response) == []
        if all_texts(response) != _TEXTS.processing or time.monotonic() > deadline:
            return response


def _quick_replies(response: dict[str, Any]) -> list[dict[str, Any]]:
    return list((response.get("template") or {}).get("quickReplies") or [])


def _user_events(stack: Any, sender: str, text: str | None = None) -> list[dict[str, Any]]:
    """User messages in the tracker of the Kakao resident `sender` (conversation "kakao:<sender>")."""
    events = stack.tracker(KAKAO + sender).get("events") or []
    return [e for e in events if e.get("event") == "user" and (text is None or e.get("text") == text)]


def _wait_idle(stack: Any, sender: str, user_events: int, timeout: float = 30.0) -> None:
    """Until the tracker holds `user_events` user messages and the bot is listening again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = stack.tracker(KAKAO + sender).get("events") or []
        users = [e for e in events if e.get("event") == "user"]
        if len(users) >= user_events and events and events[-1].get("name") == "action_listen":
            # The channel picks the finished answer up right after the tracker is saved.
            time.sleep(0.5)
            return
        time.sleep(0.1)
    raise AssertionError(f"dialogue of {sender} not finished within {timeout}s")


def _sotong(stack: Any, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "-m", "sotong.cli", *args],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _assert_kakao_error(status: int, response: dict[str, Any], expected_status: int) -> None:
    assert status == expected_status, response
    assert response_violations(response) == []
    assert response["version"] == "2.0"
    text = response["template"]["outputs"][0]["simpleText"]["text"]
    assert text.strip() and "Traceback" not in text


# --- (a) a question ----------------------------------------------------------------------------


def test_waste_bags_question_gets_the_vendors(rasa_stack: Any, receiver: CallbackServer) -> None:
    me = _user()
    response = _ask(rasa_stack, receiver, payloads.skill_request(WASTE_BAGS, me))
    said = all_texts(response)
    assert WASTE_BAGS_ANSWER in said and "(샘플) 청라" in said
    assert "simpleText" in response["template"]["outputs"][0]
    # The rest of Kakao's request reached the dialogue as metadata.
    first = _user_events(rasa_stack, me)[0]
    kakao = first["metadata"]["kakao"]
    assert kakao["user_id"] == me and kakao["plusfriend_user_key"] == f"pf-{me}"
    assert kakao["bot_id"] == payloads.DEFAULT_BOT_ID and kakao["utterance"] == WASTE_BAGS


# --- (b) a whole illegal-dumping report ----------------------------------------------------------


def test_dumping_report_with_location_and_photo_then_status(rasa_stack: Any, receiver: CallbackServer) -> None:
    me = _user()
    ask = lambda body: _ask(rasa_stack, receiver, body)  # noqa: E731

    where = all_texts(ask(payloads.skill_request("무단투기 신고할게요", me)))
    assert "어디인가요" in where

    # A shared location (block parameter "location") reaches the form as /inform{"address": ...}.
    what = all_texts(ask(payloads.location_request(LOCATION, me)))
    assert "어떤 상황인가요" in what
    informed = _user_events(rasa_stack, me)[-1]
    assert informed["text"].startswith("/inform") and informed["parse_data"]["intent"]["name"] == "inform"
    assert {"entity": "address", "value": LOCATION}.items() <= informed["parse_data"]["entities"][0].items()

    summary = ask(payloads.skill_request("쓰레기봉투가 일주일째 쌓여서 냄새가 나요", me))
    assert "이대로 접수할까요" in all_texts(summary) and LOCATION in all_texts(summary)
    assert "사진: 없음" in all_texts(summary)

    # A photo through the secure-image plugin, at the summary: taken, summary shown again.
    with_photo = ask(payloads.photo_request(PHOTO_URL, me))
    said = all_texts(with_photo)
    assert "사진을 받았어요" in said and "사진: 있음" in said and "이대로 접수할까요" in said
    assert _user_events(rasa_stack, me)[-1]["parse_data"]["entities"][0]["value"] == PHOTO_URL

    # Tap "네, 접수해 주세요": the resident sees natural words, the dialogue gets the payload.
    yes = next(r for r in _quick_replies(with_photo) if r["label"].startswith("네"))
    assert not yes["messageText"].startswith("/") and yes["extra"]["payload"] == "/affirm"
    filed = ask(payloads.quick_reply_request(yes, me))
    found = RECEIPT.search(all_texts(filed))
    assert found and "민원이 접수됐어요" in all_texts(filed), all_texts(filed)
    receipt = found.group(1)

    # The officer's view: the location's address and the photo are on the complaint.
    complaint = json.loads(_sotong(rasa_stack, "complaints", "show", receipt, "--json"))
    assert complaint["receipt_no"] == receipt
    assert complaint["address"] == LOCATION
    assert complaint["photo_url"] == PHOTO_URL
    assert complaint["category_code"] == "illegal_dumping"
    assert "냄새" in complaint["description"]

    status = all_texts(ask(payloads.skill_request("내 민원 조회", me)))
    assert receipt in status and LOCATION in status


# --- (e) secret header ---------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"], ids=["missing", "empty", "wrong"])
def test_missing_or_wrong_secret_is_401_and_runs_nothing(rasa_stack: Any, secret: str | None) -> None:
    me = _user()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    status, response, _ = _post(rasa_stack, payloads.skill_request("안녕하세요", me), headers)
    _assert_kakao_error(status, response, 401)
    assert _user_events(rasa_stack, me) == []


def test_the_right_secret_is_accepted(rasa_stack: Any) -> None:
    status, response, _ = _post(rasa_stack, payloads.skill_request(PASSPORT, _user()))
    assert status == 200 and response_violations(response) == []


# --- (f) malformed bodies ---------------------------------------------------------------------------


def _without_utterance() -> bytes:
    body = payloads.skill_request("안녕하세요", _user())
    del body["userRequest"]["utterance"]
    return _encode(body)


def _without_user() -> bytes:
    body = payloads.skill_request("안녕하세요", _user())
    del body["userRequest"]["user"]
    return _encode(body)


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00",
        b"[]",
        b'"hello"',
        b"42",
        b"null",
        b"{}",
        _without_utterance(),
        _without_user(),
        b'{"userRequest": "x"}',
        b'{"userRequest": {"utterance": 5, "user": {"id": "u"}}}',
    ],
    ids=[
        "bad-json",
        "empty",
        "not-utf8",
        "array",
        "string",
        "number",
        "null",
        "empty-object",
        "no-utterance",
        "no-user",
        "userRequest-not-object",
        "utterance-not-string",
    ],
)
def test_malformed_body_is_a_kakao_shaped_400(rasa_stack: Any, raw: bytes) -> None:
    status, response, _ = _post(rasa_stack, raw)
    _assert_kakao_error(status, response, 400)


def test_oversized_body_is_a_kakao_shaped_413(rasa_stack: Any) -> None:
    body = payloads.skill_request("가" * 70_000, _user())
    status, response, _ = _post(rasa_stack, body)
    _assert_kakao_error(status, response, 413)


# --- (g) a duplicated delivery --------------------------------------------------------------------


def test_duplicate_delivery_while_running_joins_the_first(rasa_stack: Any) -> None:
    """Kakao's retry arrives while the first delivery is still being answered."""
    me = _user()
    raw = _encode(payloads.skill_request(PASSPORT, me))
    start = threading.Barrier(2)
    results: list[tuple[int, dict[str, Any], float]] = []

    def deliver() -> None:
        start.wait()
        results.append(_post(rasa_stack, raw))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    for status, response, _ in results:
        assert status == 200 and response_violations(response) == []
        assert "여권용 사진" in all_texts(response)
    assert results[0][1] == results[1][1]
    assert len(_user_events(rasa_stack, me, PASSPORT)) == 1


def test_same_words_after_an_answer_are_a_new_message(rasa_stack: Any) -> None:
    """Not a retry: answered in time, so the same body again is the resident speaking again."""
    me = _user()
    raw = _encode(payloads.skill_request(PASSPORT, me))
    for _ in range(2):
        status, response, _ = _post(rasa_stack, raw)
        assert status == 200 and response_violations(response) == []
        assert "여권용 사진" in all_texts(response)
    assert len(_user_events(rasa_stack, me, PASSPORT)) == 2


# --- (c) the callback path (slow stack) -----------------------------------------------------------


def test_slow_answer_is_use_callback_then_posted_to_the_callback_url(slow_stack: Any, receiver: CallbackServer) -> None:
    me = _user()
    callback_url = receiver.url(f"c-{uuid.uuid4().hex}")
    status, ack, elapsed = _post(slow_stack, payloads.skill_request(WASTE_BAGS, me, callback_url=callback_url))
    assert status == 200 and response_violations(ack) == []
    assert ack["useCallback"] is True and ack["data"]["text"].strip()
    assert "template" not in ack
    assert elapsed < 2.0, f"useCallback took {elapsed:.2f}s"

    answer = _wait_callback(receiver, callback_url)
    assert response_violations(answer) == []
    assert answer["version"] == "2.0" and not answer.get("useCallback")
    assert WASTE_BAGS_ANSWER in all_texts(answer)

    # Delivered once, and the dialogue ran once.
    time.sleep(1.0)
    assert len(_callbacks(receiver, callback_url)) == 1
    assert len(_user_events(slow_stack, me, WASTE_BAGS)) == 1


# --- (d) the no-callback path (slow stack) ---------------------------------------------------------


def test_slow_answer_without_callback_comes_with_the_next_message(slow_stack: Any, texts: Any) -> None:
    me = _user()
    status, first, _ = _post(slow_stack, payloads.skill_request(PASSPORT, me))
    assert status == 200 and response_violations(first) == []
    assert not first.get("useCallback")
    assert all_texts(first) == texts.processing  # short "처리 중" answer, nothing else
    _wait_idle(slow_stack, me, 1)

    # The next message brings the kept answer, announced, in front of its own (again slow) answer.
    status, second, _ = _post(slow_stack, payloads.skill_request(WASTE_BAGS, me))
    assert status == 200 and response_violations(second) == []
    said = all_texts(second)
    assert said.index(texts.held_intro) < said.index("여권용 사진") < said.index(texts.processing)
    _wait_idle(slow_stack, me, 2)

    # ... and the one after that brings the second answer; nothing is shown twice.
    status, third, _ = _post(slow_stack, payloads.skill_request("고마워요", me))
    assert status == 200 and response_violations(third) == []
    said = all_texts(third)
    assert WASTE_BAGS_ANSWER in said and "여권용 사진" not in said

    assert len(_user_events(slow_stack, me, PASSPORT)) == 1
    assert len(_user_events(slow_stack, me, WASTE_BAGS)) == 1


# --- (g) a retry after a late answer (slow stack) --------------------------------------------------


def test_retry_of_a_late_request_gets_the_answer_without_running_again(
    slow_stack: Any, receiver: CallbackServer
) -> None:
    """Kakao timed out on the first delivery and resends the same request with a fresh callbackUrl."""
    me = _user()
    body = payloads.skill_request(PASSPORT, me)
    first_url, retry_url = receiver.url(f"a-{uuid.uuid4().hex}"), receiver.url(f"b-{uuid.uuid4().hex}")

    body["userRequest"]["callbackUrl"] = first_url
    status, ack, _ = _post(slow_stack, body)
    assert status == 200 and response_violations(ack) == [] and ack["useCallback"] is True
    delivered = _wait_callback(receiver, first_url)
    assert response_violations(delivered) == [] and "여권용 사진" in all_texts(delivered)

    body["userRequest"]["callbackUrl"] = retry_url
    status, again, _ = _post(slow_stack, body)
    assert status == 200 and response_violations(again) == []
    assert again == delivered  # the same answer, synchronously

    time.sleep(1.0)
    assert _callbacks(receiver, retry_url) == []  # nothing posted a second time
    assert len(_callbacks(receiver, first_url)) == 1
    assert len(_user_events(slow_stack, me, PASSPORT)) == 1


def test_retry_of_a_late_request_without_callback_gets_the_kept_answer(slow_stack: Any, texts: Any) -> None:
    me = _user()
    raw = _encode(payloads.skill_request(PASSPORT, me))
    status, first, _ = _post(slow_stack, raw)
    assert status == 200 and response_violations(first) == [] and all_texts(first) == texts.processing
    _wait_idle(slow_stack, me, 1)

    status, retry, _ = _post(slow_stack, raw)
    assert status == 200 and response_violations(retry) == []
    assert "여권용 사진" in all_texts(retry)
    assert len(_user_events(slow_stack, me, PASSPORT)) == 1
